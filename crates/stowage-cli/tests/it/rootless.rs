//! RUN without root: a user namespace maps the invoking user to root; when the kernel
//! refuses one, the build says which setting decides it. Needs root to switch to an
//! unprivileged user (`setpriv`) and to make a namespace whose user-namespace limit is 0
//! (`unshare`, util-linux), so it runs when `STOWAGE_SLOW_TESTS` is set or under `CI=true`.
#![expect(clippy::print_stdout, reason = "the tests say when they skip")]

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;
use std::process::{Command, Output};

use crate::build::{nix_is_root, slow_enabled, tempdir, tool, write};

const NOBODY: &str = "65534";

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `stowage --root ROOT ARGS` as uid/gid 65534 without supplementary groups.
fn as_nobody(root: &Path, cwd: &Path, args: &[&str]) -> Output {
    Command::new("setpriv")
        .args([
            &format!("--reuid={NOBODY}"),
            &format!("--regid={NOBODY}"),
            "--clear-groups",
        ])
        .arg(env!("CARGO_BIN_EXE_stowage"))
        .arg("--root")
        .arg(root)
        .args(args)
        .current_dir(cwd)
        .env("HOME", cwd)
        .env("NO_COLOR", "1")
        .env_remove("STOWAGE_ROOT")
        .output()
        .expect("setpriv runs")
}

fn base_project(dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::copy("/bin/busybox", dir.join("busybox")).expect("busybox-static is installed");
    write(
        dir,
        &[(
            "Dockerfile",
            "FROM scratch\nCOPY busybox /bin/busybox\n\
             RUN [\"/bin/busybox\", \"mkdir\", \"-p\", \"/usr/bin\", \"/usr/sbin\", \"/sbin\", \"/tmp\", \"/etc\"]\n\
             RUN [\"/bin/busybox\", \"--install\", \"-s\"]\n",
        )],
    );
}

fn skip() -> bool {
    if !slow_enabled() {
        println!(
            "skipped: rootless RUN (set STOWAGE_SLOW_TESTS=1 or CI=true; needs root, setpriv, unshare)"
        );
        return true;
    }
    assert!(
        nix_is_root(),
        "the rootless tests start as root to become another user"
    );
    false
}

fn chown_all(path: &Path) {
    tool(
        "chown",
        &[
            "-R",
            &format!("{NOBODY}:{NOBODY}"),
            path.to_str().expect("utf-8"),
        ],
    );
}

#[test]
fn an_unprivileged_user_runs_run_in_a_user_namespace() {
    if skip() {
        return;
    }
    let tmp = tempdir();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let root = tmp.path().join("store");
    base_project(&tmp.path().join("base"));
    write(
        &tmp.path().join("app"),
        &[(
            "Dockerfile",
            "FROM busybox:static\nRUN id && echo hi > /hi.txt\n\
             RUN --mount=type=cache,target=/cache echo kept >> /cache/log && cat /cache/log\n",
        )],
    );
    write(
        &tmp.path().join("user"),
        &[("Dockerfile", "FROM busybox:static\nUSER 1000\nRUN id\n")],
    );
    chown_all(tmp.path());

    let base = as_nobody(
        &root,
        tmp.path(),
        &["build", "-t", "busybox:static", "base"],
    );
    assert!(base.status.success(), "{}", text(&base));
    let app = as_nobody(
        &root,
        tmp.path(),
        &["build", "-t", "app:1", "--progress", "plain", "app"],
    );
    assert!(app.status.success(), "{}", text(&app));
    let log = text(&app);
    assert!(log.contains(" uid=0 gid=0"), "root in the namespace: {log}");
    assert!(log.contains(" kept\n"), "{log}");
    // Everything the unprivileged user wrote belongs to them.
    let store = std::fs::metadata(root.join("index.json")).expect("index");
    assert_eq!(store.uid().to_string(), NOBODY);

    // The layer says root owns /hi.txt (the namespace's root), and umoci reads the store.
    let unpacked = tmp.path().join("unpacked");
    tool(
        "umoci",
        &[
            "unpack",
            "--image",
            &format!("{}:app:1", root.display()),
            unpacked.to_str().expect("utf-8"),
        ],
    );
    let hi = std::fs::metadata(unpacked.join("rootfs/hi.txt")).expect("hi.txt");
    assert_eq!((hi.uid(), hi.gid()), (0, 0));

    // Only the invoking user is mapped: another USER needs root, and says so.
    let other = as_nobody(&root, tmp.path(), &["build", "user"]);
    assert!(!other.status.success());
    assert!(
        text(&other).contains("USER 1000 needs stowage to run as root"),
        "{}",
        text(&other)
    );
}

#[test]
fn a_refused_user_namespace_names_the_setting() {
    if skip() {
        return;
    }
    if Command::new("unshare").arg("--version").output().is_err() {
        println!("skipped: no util-linux `unshare`");
        return;
    }
    let tmp = tempdir();
    let root = tmp.path().join("store");
    base_project(&tmp.path().join("base"));
    write(
        &tmp.path().join("app"),
        &[("Dockerfile", "FROM busybox:static\nRUN true\n")],
    );
    let base = Command::new(env!("CARGO_BIN_EXE_stowage"))
        .arg("--root")
        .arg(&root)
        .args(["build", "-t", "busybox:static", "base"])
        .current_dir(tmp.path())
        .output()
        .expect("stowage runs");
    assert!(base.status.success(), "{}", text(&base));
    // A user namespace (root in it) whose limit on further user namespaces is then set to
    // 0, and inside it a second one where stowage runs as a non-root user: its sandbox's
    // unshare(CLONE_NEWUSER) is refused, as on a machine with user.max_user_namespaces=0.
    let go = tmp.path().join("go");
    let inner = format!(
        "while [ ! -e {go} ]; do sleep 0.05; done; exec {exe} --root {root} build --progress plain {ctx}",
        go = go.display(),
        exe = env!("CARGO_BIN_EXE_stowage"),
        root = root.display(),
        ctx = tmp.path().join("app").display(),
    );
    let outer = format!(
        "(unshare --user --map-user={NOBODY} --map-group={NOBODY} sh -c '{inner}') & \
         sleep 0.2; echo 0 > /proc/sys/user/max_user_namespaces && touch {go}; wait $!",
        go = go.display(),
    );
    let out = Command::new("unshare")
        .args(["--user", "--map-root-user", "sh", "-c", &outer])
        .current_dir(tmp.path())
        .output()
        .expect("unshare runs");
    let log = text(&out);
    assert!(!out.status.success(), "{log}");
    assert!(
        log.contains("cannot create namespaces for RUN (ENOSPC")
            && log.contains("sysctl user.max_user_namespaces"),
        "{log}"
    );
    assert!(log.contains("ERROR: failed to solve"), "{log}");
}
