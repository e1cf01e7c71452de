//! BuildKit conformance: runs every case of `../shared/conformance/buildkit` against
//! `stowage-syntax` and prints the count per group. Any failure fails the test.
//!
//! The data lives beside the checkout. Where it is missing (a fresh clone elsewhere) the test
//! says so and passes, unless `CI=true`, where it must run.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use stowage_syntax::{
    Diagnostic, Keyword, LineIndex, Node, Parse, Severity, dump, dump_node, parse,
};

mod lexer;

/// Where the suite is: `STOWAGE_CONFORMANCE_DIR`, or `../shared/conformance/buildkit` beside the
/// checkout.
fn suite_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("STOWAGE_CONFORMANCE_DIR") {
        return Some(PathBuf::from(dir));
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/buildkit");
    dir.is_dir().then_some(dir)
}

/// One group's tally.
#[derive(Default)]
pub(crate) struct Group {
    pub(crate) passed: usize,
    pub(crate) failures: Vec<String>,
}

impl Group {
    pub(crate) fn check(&mut self, case: &str, result: Result<(), String>) {
        match result {
            Ok(()) => self.passed += 1,
            Err(why) => self.failures.push(format!("{case}: {why}")),
        }
    }
}

#[expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a test harness reports to the terminal"
)]
fn main() {
    let Some(dir) = suite_dir() else {
        let message = "conformance suite not found (expected ../shared/conformance/buildkit beside the checkout, or STOWAGE_CONFORMANCE_DIR)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            eprintln!("error: {message}; under CI=true it must run");
            std::process::exit(1);
        }
        println!("skipped: {message}");
        return;
    };
    let mut groups: BTreeMap<&str, Group> = BTreeMap::new();
    parser_testfiles(&dir, groups.entry("parser/testfiles (dump)").or_default());
    negative(&dir, groups.entry("parser/testfiles-negative").or_default());
    line_numbers(&dir, groups.entry("parser/testfile-line").or_default());
    lexer::env_var_test(&dir, groups.entry("shell/envVarTest").or_default());
    lexer::words_test(&dir, groups.entry("shell/wordsTest").or_default());
    generated(
        &dir.join("generated/parser-testfiles"),
        &dir,
        groups.entry("generated/parser-testfiles").or_default(),
    );
    generated(
        &dir.join("generated/parser-extra"),
        &dir,
        groups.entry("generated/parser-extra").or_default(),
    );
    lexer::lexer_extra(
        &dir,
        groups.entry("generated/lexer-extra.jsonl").or_default(),
    );

    let mut report = String::new();
    let mut failed = 0;
    let _ = writeln!(report, "BuildKit conformance ({}):", dir.display());
    for (name, group) in &groups {
        let total = group.passed + group.failures.len();
        let _ = writeln!(
            report,
            "  {name:<32} {:>4} / {:<4} passed",
            group.passed, total
        );
        failed += group.failures.len();
    }
    println!("{report}");
    if failed > 0 {
        for (name, group) in &groups {
            for failure in &group.failures {
                eprintln!("FAIL [{name}] {failure}");
            }
        }
        eprintln!("{failed} conformance case(s) failed");
        std::process::exit(1);
    }
}

fn read(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", path.display()))
}

fn case_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    dirs.sort();
    dirs
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn first_error(p: &Parse) -> Option<&Diagnostic> {
    p.diagnostics.iter().find(|d| d.severity == Severity::Error)
}

fn parser_testfiles(dir: &Path, group: &mut Group) {
    for case in case_dirs(&dir.join("parser/testfiles")) {
        let source = read(&case.join("Dockerfile"));
        let expected = read(&case.join("result"));
        let parsed = parse(&source);
        group.check(&name_of(&case), {
            let got = dump(&parsed.nodes);
            if let Some(err) = first_error(&parsed) {
                Err(format!("unexpected error: {}", err.message))
            } else if got == expected {
                Ok(())
            } else {
                Err(format!(
                    "dump differs\n--- expected\n{expected}--- got\n{got}"
                ))
            }
        });
    }
}

fn negative(dir: &Path, group: &mut Group) {
    for case in case_dirs(&dir.join("parser/testfiles-negative")) {
        let parsed = parse(&read(&case.join("Dockerfile")));
        group.check(
            &name_of(&case),
            if parsed.has_errors() {
                Ok(())
            } else {
                Err("parsed without an error".into())
            },
        );
    }
}

fn line_numbers(dir: &Path, group: &mut Group) {
    let parsed = parse(&read(&dir.join("parser/testfile-line/Dockerfile")));
    let ranges: Vec<(u32, u32)> = parsed
        .nodes
        .iter()
        .map(|n| (n.start_line, n.end_line))
        .collect();
    group.check(
        "testfile-line",
        if ranges == [(5, 5), (11, 12), (17, 31)] {
            Ok(())
        } else {
            Err(format!("got {ranges:?}"))
        },
    );
}

/// The upstream input behind a `generated/parser-testfiles/<case>.json`.
fn upstream_input(dir: &Path, case: &str) -> PathBuf {
    for sub in ["parser/testfiles", "parser/testfiles-negative"] {
        let path = dir.join(sub).join(case).join("Dockerfile");
        if path.is_file() {
            return path;
        }
    }
    dir.join("parser/testfile-line/Dockerfile")
}

fn generated(cases: &Path, dir: &Path, group: &mut Group) {
    for entry in case_dirs(cases) {
        let (name, input, expected) = if entry.is_dir() {
            (
                name_of(&entry),
                entry.join("Dockerfile"),
                entry.join("expected.json"),
            )
        } else {
            let name = name_of(&entry).trim_end_matches(".json").to_owned();
            (name.clone(), upstream_input(dir, &name), entry.clone())
        };
        let source = read(&input);
        let expected: Value =
            serde_json::from_str(&read(&expected)).expect("expected.json is JSON");
        group.check(&name, compare_generated(&source, &expected));
    }
}

fn compare_generated(source: &str, expected: &Value) -> Result<(), String> {
    let parsed = parse(source);
    let index = LineIndex::new(source);
    if expected["ok"] == Value::Bool(false) {
        let message = expected["error"].as_str().unwrap_or_default();
        let Some(err) = first_error(&parsed) else {
            return Err(format!("expected error {message:?}, parsed fine"));
        };
        if err.message != message {
            return Err(format!(
                "error message {:?}, expected {message:?}",
                err.message
            ));
        }
        return Ok(());
    }
    if let Some(err) = first_error(&parsed) {
        return Err(format!("unexpected error: {}", err.message));
    }
    let escape = expected["escape_token"].as_str().unwrap_or("\\");
    if parsed.escape.to_string() != escape {
        return Err(format!(
            "escape token {:?}, expected {escape:?}",
            parsed.escape
        ));
    }
    if let Some(want) = expected["dump"].as_str() {
        let got = dump(&parsed.nodes);
        if got != want {
            return Err(format!("dump differs\n--- expected\n{want}--- got\n{got}"));
        }
    }
    let children = expected["children"].as_array().cloned().unwrap_or_default();
    if children.len() != parsed.nodes.len() {
        return Err(format!(
            "{} instructions, expected {}",
            parsed.nodes.len(),
            children.len()
        ));
    }
    for (i, (node, want)) in parsed.nodes.iter().zip(&children).enumerate() {
        compare_node(node, source, want, true)
            .map_err(|e| format!("instruction {}: {e}", i + 1))?;
    }
    let warnings: Vec<(String, u64)> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| {
            // We point at the empty line; BuildKit reports the instruction's last line, which is
            // where our label ends.
            let at = d.labels.first().map_or(d.span.end, |l| l.span.end);
            (d.message.clone(), u64::from(index.line(at)))
        })
        .collect();
    let want_warnings: Vec<(String, u64)> = expected["warnings"]
        .as_array()
        .map(|ws| {
            ws.iter()
                .map(|w| {
                    (
                        w["short"].as_str().unwrap_or_default().to_owned(),
                        w["line"].as_u64().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if warnings != want_warnings {
        return Err(format!("warnings {warnings:?}, expected {want_warnings:?}"));
    }
    Ok(())
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn compare_node(node: &Node, source: &str, want: &Value, top: bool) -> Result<(), String> {
    let check = |what: &str, got: String, want: String| {
        if got == want {
            Ok(())
        } else {
            Err(format!("{what}: got {got:?}, expected {want:?}"))
        }
    };
    check(
        "value",
        node.keyword.to_string(),
        want["value"].as_str().unwrap_or_default().to_owned(),
    )?;
    check(
        "original",
        node.original(source).to_owned(),
        want["original"].as_str().unwrap_or_default().to_owned(),
    )?;
    if top {
        check(
            "start_line",
            node.start_line.to_string(),
            want["start_line"].to_string(),
        )?;
        check(
            "end_line",
            node.end_line.to_string(),
            want["end_line"].to_string(),
        )?;
        check(
            "prev_comment",
            format!("{:?}", node.prev_comment),
            format!("{:?}", strings(&want["prev_comment"])),
        )?;
    }
    let flags: Vec<String> = node.flags.iter().map(|f| f.text.to_string()).collect();
    check(
        "flags",
        format!("{flags:?}"),
        format!("{:?}", strings(&want["flags"])),
    )?;
    check(
        "json_form",
        node.json.to_string(),
        want["json_form"].to_string(),
    )?;
    let args: Vec<String> = node.args.iter().map(|a| a.value.to_string()).collect();
    if node.kind != Keyword::Onbuild {
        check(
            "args",
            format!("{args:?}"),
            format!("{:?}", strings(&want["args"])),
        )?;
    }
    let mut got_dump = String::new();
    dump_node(&mut got_dump, node);
    check(
        "dump",
        got_dump,
        want["dump"].as_str().unwrap_or_default().to_owned(),
    )?;
    let heredocs: Vec<String> = node
        .heredocs
        .iter()
        .map(|h| {
            format!(
                "{}|{}|{}|{}|{:?}",
                h.name, h.fd, h.expand, h.chomp, h.content
            )
        })
        .collect();
    let want_heredocs: Vec<String> = want["heredocs"]
        .as_array()
        .map(|hs| {
            hs.iter()
                .map(|h| {
                    format!(
                        "{}|{}|{}|{}|{:?}",
                        h["name"].as_str().unwrap_or_default(),
                        h["fd"],
                        h["expand"],
                        h["chomp"],
                        h["content"].as_str().unwrap_or_default()
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    check(
        "heredocs",
        format!("{heredocs:?}"),
        format!("{want_heredocs:?}"),
    )?;
    match (&node.sub, want.get("sub_command")) {
        (Some(sub), Some(want_sub)) if !want_sub.is_null() => {
            compare_node(sub, source, want_sub, false).map_err(|e| format!("sub: {e}"))
        }
        (None, None) => Ok(()),
        (None, Some(v)) if v.is_null() => Ok(()),
        (got, want) => Err(format!(
            "sub_command: got {:?}, expected {want:?}",
            got.as_ref().map(|s| &s.keyword)
        )),
    }
}
