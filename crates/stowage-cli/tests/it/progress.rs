//! `stowage build --progress`: BuildKit's plain lines, RUN output streamed as it comes, and
//! the live tty view under a pseudo-terminal (util-linux `script`).
#![expect(clippy::print_stdout, reason = "the tests say when they skip")]

use std::path::Path;
use std::process::Command;

use crate::build::{busybox_base, nix_is_root, ok, run_in, slow_enabled, tempdir, write};

/// Times replaced by `T` (`DONE 0.0s`, `#5 0.215 text`) and image IDs by `<id>`.
fn normalize(text: &str) -> String {
    text.lines()
        .map(|l| {
            let mut words: Vec<String> = l.split(' ').map(str::to_owned).collect();
            for (i, w) in words.iter_mut().enumerate() {
                let timing = w.ends_with('s') && w[..w.len() - 1].parse::<f64>().is_ok();
                let stamp = i == 1 && w.parse::<f64>().is_ok();
                if timing || stamp {
                    *w = "T".into();
                } else if w.starts_with("sha256:") {
                    *w = "<id>".into();
                }
            }
            words.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn project(dir: &Path) {
    write(
        dir,
        &[
            (
                "Dockerfile",
                "FROM scratch AS files\nCOPY src/ /src/\n\
                 FROM scratch\nWORKDIR /app\nCOPY --from=files /src/ ./\nENV MODE=prod\n",
            ),
            ("src/main.txt", "main\n"),
        ],
    );
}

#[test]
fn plain_progress_has_buildkits_lines() {
    let tmp = tempdir();
    let root = tmp.path().join("store");
    project(&tmp.path().join("ctx"));
    let first = ok(run_in(
        &root,
        tmp.path(),
        &["build", "-t", "p:1", "--progress", "plain", "ctx"],
    ));
    assert_eq!(
        normalize(&first.stderr),
        "#1 [internal] load build context\n\
         #1 transferring context: 110B in 2 files done\n\
         #1 DONE T\n\n\
         #2 [files 1/2] FROM scratch\n#2 DONE T\n\n\
         #3 [files 2/2] COPY src/ /src/\n#3 DONE T\n\n\
         #4 [stage-1 1/4] FROM scratch\n#4 DONE T\n\n\
         #5 [stage-1 2/4] WORKDIR /app\n#5 DONE T\n\n\
         #6 [stage-1 3/4] COPY /src/ ./\n#6 DONE T\n\n\
         #7 [stage-1 4/4] ENV MODE=prod\n#7 DONE T\n\n\
         #8 exporting to image\n#8 writing image <id> done\n\
         #8 naming to docker.io/library/p:1 done\n#8 DONE T"
    );
    let second = ok(run_in(
        &root,
        tmp.path(),
        &["build", "-t", "p:1", "--progress", "plain", "ctx"],
    ));
    let cached: Vec<&str> = second
        .stderr
        .lines()
        .filter(|l| l.ends_with(" CACHED"))
        .collect();
    // Layer steps only: ENV, a config change, runs again (instantly).
    assert_eq!(cached, ["#3 CACHED", "#5 CACHED", "#6 CACHED"]);
}

#[test]
fn tty_progress_draws_a_live_view_under_a_pseudo_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        println!("skipped: no util-linux `script` for a pseudo-terminal");
        return;
    }
    let tmp = tempdir();
    let root = tmp.path().join("store");
    project(&tmp.path().join("ctx"));
    let command = format!(
        "{} --root {} build -t p:1 --progress tty {}",
        env!("CARGO_BIN_EXE_stowage"),
        root.display(),
        tmp.path().join("ctx").display()
    );
    let out = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .expect("script runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    // Drawn with cursor movements, a header that counts steps, and a closing header.
    assert!(text.contains("\x1b[2K"), "{text:?}");
    assert!(text.contains("[+] Building "), "{text:?}");
    assert!(text.contains(" => [stage-1 2/4] WORKDIR /app"), "{text:?}");
    let last = text.trim_end().rsplit(['\n', '\r']).next().unwrap_or("");
    assert!(
        last.contains("[+] Building ") && last.ends_with(" (6/6) FINISHED"),
        "{last:?}"
    );
    // Not a terminal: the same finished lines, nothing redrawn.
    let plain = ok(run_in(
        &root,
        tmp.path(),
        &["build", "-t", "p:1", "--progress", "tty", "ctx"],
    ));
    assert!(!plain.stderr.contains("\x1b[2K"), "{:?}", plain.stderr);
    assert!(
        plain
            .stderr
            .contains(" => CACHED [stage-1 2/4] WORKDIR /app"),
        "{}",
        plain.stderr
    );
}

#[test]
fn run_output_is_streamed_while_the_command_runs() {
    if !slow_enabled() {
        println!("skipped: real RUN output (set STOWAGE_SLOW_TESTS=1 or CI=true; needs root)");
        return;
    }
    assert!(nix_is_root(), "real RUN tests run as root here (CI=true)");
    let tmp = tempdir();
    let root = tmp.path().join("store");
    busybox_base(&root, tmp.path());
    write(
        &tmp.path().join("ctx"),
        &[(
            "Dockerfile",
            "FROM busybox:static\nRUN echo first && sleep 0.5 && echo second >&2 && sleep 0.5 && echo third\n",
        )],
    );
    let r = ok(run_in(
        &root,
        tmp.path(),
        &["build", "--progress", "plain", "ctx"],
    ));
    // `#3 0.012 first`: the time is when the line arrived, so the lines are seconds apart.
    let at = |word: &str| -> f64 {
        r.stderr
            .lines()
            .filter(|l| l.starts_with("#3 ") && l.ends_with(&format!(" {word}")))
            .find_map(|l| l.split(' ').nth(1)?.parse().ok())
            .unwrap_or_else(|| panic!("{word} in {}", r.stderr))
    };
    let (first, second, third) = (at("first"), at("second"), at("third"));
    assert!(
        second - first >= 0.4 && third - second >= 0.4,
        "{}",
        r.stderr
    );
    let done = r
        .stderr
        .lines()
        .position(|l| l.starts_with("#3 DONE "))
        .expect("DONE");
    let third_line = r
        .stderr
        .lines()
        .position(|l| l.ends_with(" third") && !l.contains("RUN"))
        .expect("third");
    assert!(third_line < done, "{}", r.stderr);
}
