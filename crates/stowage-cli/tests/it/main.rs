//! The `stowage` binary, end to end.

mod build;
mod buildah;
mod full_disk;
mod kill;
mod lint;
mod progress;
mod registry;
mod rootless;
mod run_capture;
mod run_mounts;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn stowage(args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stowage"));
    command.args(args).env("NO_COLOR", "1");
    run_with_stdin(&mut command, stdin)
}

/// Runs `command` with `stdin` as its standard input and collects its output.
fn run_with_stdin(command: &mut Command, stdin: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stowage runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("stowage finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

fn conformance_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/buildkit");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the conformance suite must be present under CI=true"
    );
    None
}

#[test]
#[expect(
    clippy::print_stderr,
    reason = "tell the person running the tests why a check was skipped"
)]
fn dump_equals_buildkit_result_for_every_testfile() {
    let Some(dir) = conformance_dir() else {
        eprintln!("skipped: ../shared/conformance/buildkit not found");
        return;
    };
    let mut checked = 0;
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir.join("parser/testfiles"))
        .expect("testfiles")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    for case in cases {
        let file = case.join("Dockerfile");
        let out = stowage(
            &[
                "parse",
                "--format",
                "dump",
                file.to_str().expect("UTF-8 path"),
            ],
            "",
        );
        let expected = std::fs::read(case.join("result")).expect("result file");
        assert_eq!(
            text(&out.stdout),
            text(&expected),
            "dump of {}",
            case.display()
        );
        // Some upstream cases (unknown flags, bad FROM forms) parse but are rejected by the
        // instruction layer, as BuildKit rejects them: the dump is still complete.
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{}: {}",
            case.display(),
            text(&out.stderr)
        );
        checked += 1;
    }
    assert_eq!(checked, 33);
}

#[test]
fn errors_render_like_a_compiler_and_fail() {
    let out = stowage(
        &["parse", "-"],
        "FROM alpine\nCOPY --frm=build /a /b\nENV PATH\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error[unknown-flag]: unknown flag: frm\n --> <stdin>:2:6\n  |\n2 | COPY --frm=build /a /b\n  |      ^^^^^^^^^^^\n"), "{stderr}");
    assert!(stderr.contains("help: did you mean `--from`?"), "{stderr}");
    assert!(
        stderr.contains("error[key-value-syntax]: ENV must have two arguments\n --> <stdin>:3:5"),
        "{stderr}"
    );
    // The dump still shows every instruction: errors do not lose the tree.
    assert_eq!(
        text(&out.stdout),
        "(from \"alpine\")\n(copy [\"--frm=build\"] \"/a\" \"/b\")\n(env \"PATH\" \"\" \"\")\n"
    );
}

#[test]
fn warnings_do_not_fail() {
    let out = stowage(&["parse", "-"], "FROM alpine\nRUN echo a \\\n\n    b\n");
    assert!(out.status.success());
    assert!(text(&out.stderr).contains("warning[empty-continuation]"));
}

#[test]
fn json_has_spans_lines_and_typed_instructions() {
    let out = stowage(
        &["parse", "--format", "json", "-"],
        "FROM alpine AS base\nRUN <<EOF\necho hi\nEOF\nCMD [\"a\", 1]\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    let nodes = json["parse"]["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 3);
    assert_eq!(nodes[1]["start_line"], 2);
    assert_eq!(nodes[1]["end_line"], 4);
    assert_eq!(nodes[1]["heredocs"][0]["content"], "echo hi\n");
    assert_eq!(nodes[0]["keyword_span"]["start"], 0);
    assert_eq!(nodes[0]["keyword_span"]["end"], 4);
    assert_eq!(json["instructions"][0]["kind"]["instruction"], "FROM");
    assert_eq!(
        json["instructions"][0]["kind"]["args"]["image"]["text"],
        "alpine"
    );
    assert_eq!(json["stages"][0]["name"], "base");
    let diagnostic = &json["all_diagnostics"][0];
    assert_eq!(diagnostic["code"], "json-not-strings");
    assert_eq!(diagnostic["start"]["line"], 5);
    assert_eq!(diagnostic["start"]["column"], 5);
}

#[test]
fn help_and_version() {
    let out = stowage(&["--help"], "");
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("parse"));
    let out = stowage(&["--version"], "");
    assert_eq!(
        text(&out.stdout).trim(),
        format!("stowage {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn invalid_utf8_is_reported_not_dropped() {
    let dir = std::env::temp_dir().join(format!("stowage-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("Dockerfile");
    std::fs::write(&file, b"FROM alpine\nRUN echo \xff\n").expect("write");
    let out = stowage(&["parse", file.to_str().expect("UTF-8 path")], "");
    assert!(
        text(&out.stderr).contains("warning[invalid-utf8]"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        text(&out.stdout),
        "(from \"alpine\")\n(run \"echo \u{fffd}\")\n"
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn json_serialises_every_instruction_kind() {
    let source = "ARG V=1\nFROM alpine:$V AS base\nMAINTAINER me\nLABEL a=b\nENV K=v\nEXPOSE 80/tcp 443\n\
        VOLUME /data /logs\nUSER app\nWORKDIR /app\nSHELL [\"/bin/sh\", \"-c\"]\nRUN echo hi\n\
        CMD [\"x\"]\nENTRYPOINT run\nADD a /b\nCOPY --from=base c /d\nONBUILD RUN make\n\
        STOPSIGNAL SIGTERM\nHEALTHCHECK CMD true\nBOGUS thing\n";
    let out = stowage(&["parse", "--format", "json", "-"], source);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON output ({e}): {}", text(&out.stderr)));
    let kinds: Vec<&str> = json["instructions"]
        .as_array()
        .expect("instructions")
        .iter()
        .map(|i| i["kind"]["instruction"].as_str().expect("tag"))
        .collect();
    assert_eq!(
        kinds,
        [
            "ARG",
            "FROM",
            "MAINTAINER",
            "LABEL",
            "ENV",
            "EXPOSE",
            "VOLUME",
            "USER",
            "WORKDIR",
            "SHELL",
            "RUN",
            "CMD",
            "ENTRYPOINT",
            "ADD",
            "COPY",
            "ONBUILD",
            "STOPSIGNAL",
            "HEALTHCHECK",
            "UNKNOWN"
        ]
    );
    assert_eq!(json["instructions"][5]["kind"]["args"][1]["text"], "443");
}
