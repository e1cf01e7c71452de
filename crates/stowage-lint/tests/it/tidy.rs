//! The registry is tidy: unique codes and names, kebab-case, docs with the required headings,
//! a fixture per rule, sorted by code.

use std::collections::BTreeSet;
use std::path::Path;

use stowage_lint::{Category, RULES, RuleSource};

use crate::examples::block_after;

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[test]
fn registry_is_tidy() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut problems = Vec::new();
    let mut previous = "";
    for rule in RULES {
        let m = rule.meta();
        if !codes.insert(m.code) {
            problems.push(format!("{}: duplicate code", m.code));
        }
        if !names.insert(m.name) {
            problems.push(format!("{}: duplicate name {}", m.code, m.name));
        }
        if m.code <= previous {
            problems.push(format!(
                "{}: registry not sorted (after {previous})",
                m.code
            ));
        }
        previous = m.code;
        if !is_kebab(m.name) || m.name.starts_with("no-") || m.name.starts_with("disallow-") {
            problems.push(format!(
                "{}: name `{}` is not a plain kebab-case pattern",
                m.code, m.name
            ));
        }
        let own = m.code.starts_with("SW")
            && m.code.len() == 5
            && m.code.as_bytes()[2] == b'0' + m.category.digit();
        let hadolint = m.code.starts_with("DL")
            && m.sources
                .iter()
                .any(|s| matches!(s, RuleSource::Hadolint(c, _) if *c == m.code));
        let shellcheck = m.code.len() == 6
            && m.code.starts_with("SC")
            && m.code[2..].bytes().all(|b| b.is_ascii_digit())
            && m.category == Category::Shellcheck;
        if !own && !hadolint && !shellcheck {
            problems.push(format!(
                "{}: code is neither SW<category digit>nn, its DL code nor an SCnnnn code in the shellcheck category",
                m.code
            ));
        }
        if m.category == Category::Shellcheck && !shellcheck {
            problems.push(format!(
                "{}: the shellcheck category holds SCnnnn codes only",
                m.code
            ));
        }
        if m.since.is_empty() {
            problems.push(format!("{}: `since` not set", m.code));
        }
        let docs = m.docs();
        let summary = m.summary();
        if summary.is_empty() || !summary.ends_with('.') {
            problems.push(format!(
                "{}: the first doc line must be one sentence",
                m.code
            ));
        }
        for heading in ["## What it does", "## Why is this bad?"] {
            if !docs.contains(&format!("\n{heading}\n")) {
                problems.push(format!("{}: docs lack `{heading}`", m.code));
            }
        }
        for heading in ["## Example", "## Use instead"] {
            if block_after(&docs, heading).is_none() {
                problems.push(format!(
                    "{}: docs lack `{heading}` with a dockerfile block",
                    m.code
                ));
            }
        }
        let fixture = fixtures.join(format!("{}_{}.Dockerfile", m.code, m.name));
        if !fixture.is_file() {
            problems.push(format!("{}: no fixture {}", m.code, fixture.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn twins_are_tidy() {
    let mut problems = Vec::new();
    for pair in stowage_lint::TWINS.windows(2) {
        if pair[0] >= pair[1] {
            problems.push(format!("TWINS not sorted or duplicated at {:?}", pair[1]));
        }
    }
    for twin in stowage_lint::TWINS {
        let kept = RULES.iter().map(|r| r.meta()).find(|m| m.code == twin.kept);
        let folded = RULES
            .iter()
            .map(|r| r.meta())
            .find(|m| m.code == twin.folded);
        let (Some(kept), Some(folded)) = (kept, folded) else {
            problems.push(format!("{twin:?}: no such rule"));
            continue;
        };
        if !kept
            .sources
            .iter()
            .any(|s| matches!(s, RuleSource::Hadolint(c, _) if *c == kept.code))
        {
            problems.push(format!("{twin:?}: the kept rule is not a hadolint rule"));
        }
        if folded.buildkit_name().is_none() || folded.code.starts_with("DL") {
            problems.push(format!("{twin:?}: the folded rule is not a BuildKit check"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn metas_mirror_the_rules() {
    let from_rules: Vec<&stowage_lint::RuleMeta> =
        stowage_lint::RULES.iter().map(|r| r.meta()).collect();
    assert_eq!(stowage_lint::METAS.len(), from_rules.len());
    for (meta, rule) in stowage_lint::METAS.iter().zip(from_rules) {
        assert_eq!(*meta, rule, "{}", rule.code);
    }
    let dl3008 = stowage_lint::find_meta("apt-get-unpinned").expect("found by name");
    assert_eq!(dl3008.code, "DL3008");
    assert!(stowage_lint::find_meta("nope").is_none());
}
