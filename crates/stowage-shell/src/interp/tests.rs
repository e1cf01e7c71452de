use stowage_vfs::{Content, Fs, Kind, Metadata};

use super::*;

fn debian() -> Fs {
    let mut fs = Fs::new();
    for d in [
        "/etc",
        "/bin",
        "/usr/bin",
        "/var/lib/apt/lists",
        "/var/lib/dpkg",
        "/root",
        "/tmp",
    ] {
        fs.create_dir_all(d, &Metadata::dir()).unwrap();
    }
    fs.write_file(
        "/etc/os-release",
        "ID=debian\nVERSION_CODENAME=bookworm\n",
        Metadata::file(),
    )
    .unwrap();
    fs.write_file(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\n",
        Metadata::file(),
    )
    .unwrap();
    fs.write_file("/etc/group", "root:x:0:\n", Metadata::file())
        .unwrap();
    fs.write_file("/var/lib/dpkg/status", "", Metadata::file())
        .unwrap();
    fs
}

fn run(fs: &mut Fs, script: &str) -> RunOutcome {
    simulate_shell(fs, script, &RunOptions::default())
}

fn stdout(out: &RunOutcome) -> String {
    let mut s = String::new();
    for l in out.log.iter().filter(|l| l.stream == Stream::Stdout) {
        s.push_str(&l.text);
        s.push('\n');
    }
    s
}

#[test]
fn lists_pipes_and_redirections() {
    let mut fs = debian();
    let out = run(
        &mut fs,
        "echo hello > /tmp/a && echo world >> /tmp/a; cat /tmp/a | grep wor || echo none; false && echo no; true || echo no2",
    );
    assert_eq!(out.status, 0);
    assert_eq!(stdout(&out), "world\n");
    assert_eq!(fs.read("/tmp/a").unwrap(), &Content::from("hello\nworld\n"));
}

#[test]
fn variables_cd_export_and_control_flow() {
    let mut fs = debian();
    let out = run(
        &mut fs,
        r#"X=1; export Y="a b"; mkdir -p /app/src && cd /app/src && pwd
for f in one two; do touch "$f.txt"; done
if [ -f one.txt ]; then echo "yes ${X:-0} $Y"; else echo no; fi
case "$Y" in a*) echo starts-a ;; *) echo other ;; esac
echo $((X + 41)) $(echo sub) ${#Y}"#,
    );
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(stdout(&out), "/app/src\nyes 1 a b\nstarts-a\n42 sub 3\n");
    assert!(fs.exists("/app/src/one.txt") && fs.exists("/app/src/two.txt"));
}

#[test]
fn set_e_stops_and_or_lists_do_not() {
    let mut fs = debian();
    let out = run(&mut fs, "set -e; false || true; echo a; false; echo b");
    assert_eq!(out.status, 1);
    assert_eq!(stdout(&out), "a\n");
    let out = run(&mut fs, "false; echo still");
    assert_eq!(out.status, 0);
}

#[test]
fn heredocs_and_sh_c() {
    let mut fs = debian();
    let out = run(
        &mut fs,
        "NAME=x\ncat > /etc/app.conf <<EOF\nname=$NAME\nEOF\nsh -c 'echo inner $0 $1' zero one",
    );
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(
        fs.read("/etc/app.conf").unwrap(),
        &Content::from("name=x\n")
    );
    assert_eq!(stdout(&out), "inner zero one\n");
}

#[test]
fn globs_rm_and_files() {
    let mut fs = debian();
    let out = run(
        &mut fs,
        "touch /tmp/a.log /tmp/b.log /tmp/c.txt && rm -rf /tmp/*.log && ls /tmp && chmod 700 /tmp/c.txt && ln -s /tmp/c.txt /tmp/link && cp /tmp/c.txt /root/ && mv /root/c.txt /root/d.txt",
    );
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(stdout(&out), "c.txt\n");
    assert_eq!(fs.lstat("/tmp/c.txt").unwrap().meta().mode, 0o700);
    assert_eq!(fs.lstat("/tmp/link").unwrap().kind(), Kind::Symlink);
    assert!(fs.exists("/root/d.txt") && !fs.exists("/root/c.txt"));
}

#[test]
fn apt_needs_update_and_lists_stay_in_the_layer() {
    let mut fs = debian();
    let out = run(&mut fs, "apt-get install -y curl");
    assert_eq!(out.status, 100);
    let before = fs.total_size();
    let out = run(
        &mut fs,
        "apt-get update && apt-get install -y --no-install-recommends curl",
    );
    assert_eq!(out.status, 0, "{out:?}");
    assert!(fs.exists("/usr/bin/curl"));
    let lists: u64 = fs
        .walk_from("/var/lib/apt/lists")
        .unwrap()
        .map(|(_, e)| e.size())
        .sum();
    assert!(lists > 10 << 20, "lists are {lists} bytes");
    assert!(fs.total_size() > before + lists);
    assert!(!fs.exists("/etc/ssl/certs") || fs.exists("/usr/bin/curl"));
    let out = run(&mut fs, "rm -rf /var/lib/apt/lists/*");
    assert_eq!(out.status, 0);
    assert!(fs.read_dir("/var/lib/apt/lists").unwrap().is_empty());
}

#[test]
fn apt_without_yes_aborts_when_it_adds_packages() {
    let mut fs = debian();
    let out = run(&mut fs, "apt-get update && apt-get install git");
    assert_eq!(out.status, 1);
    assert!(!fs.exists("/usr/bin/git"));
}

#[test]
fn unknown_commands_leave_a_note_and_change_nothing() {
    let mut fs = debian();
    let before = fs.clone();
    let out = run(&mut fs, "make -j4 all");
    assert_eq!(out.status, 0);
    assert_eq!(out.notes.len(), 1);
    assert!(out.notes[0].message.contains("not simulated"));
    assert!(stowage_vfs::diff(&before, &fs).is_empty());
}

#[test]
fn useradd_and_chown() {
    let mut fs = debian();
    let out = run(
        &mut fs,
        "useradd -m -u 1001 app && mkdir /data && chown app:app /data && id -u",
    );
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(fs.lstat("/data").unwrap().meta().uid, 1001);
    assert!(fs.exists("/home/app"));
    let opts = RunOptions {
        user: "app".into(),
        ..RunOptions::default()
    };
    let out = simulate_shell(&mut fs, "touch /data/x && whoami", &opts);
    assert_eq!(stdout(&out), "app\n");
    assert_eq!(fs.lstat("/data/x").unwrap().meta().uid, 1001);
}

#[test]
fn pip_and_npm_and_go_need_their_tools() {
    let mut fs = debian();
    assert_eq!(run(&mut fs, "pip install flask").status, 127);
    fs.create_dir_all("/usr/local/lib/python3.12/site-packages", &Metadata::dir())
        .unwrap();
    fs.write_file("/usr/local/bin/pip", "", Metadata::new(0o755))
        .unwrap_or_else(|_| {
            fs.create_dir_all("/usr/local/bin", &Metadata::dir())
                .unwrap();
            fs.write_file("/usr/local/bin/pip", "", Metadata::new(0o755))
                .unwrap();
        });
    fs.write_file(
        "/root/requirements.txt",
        "flask==3.0.3\n# c\nrequests\n",
        Metadata::file(),
    )
    .unwrap();
    let out = run(&mut fs, "cd /root && pip install -r requirements.txt");
    assert_eq!(out.status, 0, "{out:?}");
    assert!(fs.exists("/usr/local/lib/python3.12/site-packages/flask/__init__.py"));
    assert!(fs.exists("/usr/local/lib/python3.12/site-packages/werkzeug/__init__.py"));
    assert!(fs.exists("/root/.cache/pip"));
    fs.create_dir_all("/usr/local/go/bin", &Metadata::dir())
        .unwrap();
    fs.write_file("/usr/local/go/bin/go", "", Metadata::new(0o755))
        .unwrap();
    fs.create_dir_all("/src", &Metadata::dir()).unwrap();
    fs.write_file(
        "/src/go.mod",
        "module example.com/hello\n\ngo 1.22\n",
        Metadata::file(),
    )
    .unwrap();
    fs.write_file(
        "/src/main.go",
        "package main\nfunc main() {}\n",
        Metadata::file(),
    )
    .unwrap();
    let opts = RunOptions {
        env: vec![("PATH".into(), "/usr/local/go/bin:/usr/bin:/bin".into())],
        cwd: "/src".into(),
        ..RunOptions::default()
    };
    let out = simulate_shell(&mut fs, "go build -o /out/hello .", &opts);
    assert_eq!(out.status, 0, "{out:?}");
    assert!(fs.read("/out/hello").unwrap().len() > 1_000_000);
}

#[test]
fn exec_form_runs_without_a_shell() {
    let mut fs = debian();
    let out = simulate_exec(
        &mut fs,
        &["echo".into(), "$HOME".into()],
        &RunOptions::default(),
    );
    assert_eq!(stdout(&out), "$HOME\n");
}

#[test]
fn endless_loops_stop() {
    let mut fs = debian();
    let out = run(&mut fs, "while true; do :; done");
    assert_eq!(out.status, 124);
}
