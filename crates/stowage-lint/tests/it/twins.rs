//! Twins: a hadolint rule and a BuildKit check that are the same check report once, under the
//! hadolint code, with a note naming the BuildKit twin. Every pair in `TWINS` is exercised on a
//! Dockerfile where both fire on the same instruction: the folded BuildKit rule's `## Example`,
//! or the snippet below when that example does not make both fire there.

use stowage_lint::{Config, Finding, HostData, RULES, RuleMeta, TWINS, Twin, lint};

use crate::examples::block_after;

/// Dockerfiles for pairs whose BuildKit example does not make both rules fire on one instruction.
fn snippet(twin: Twin) -> Option<&'static str> {
    Some(match (twin.kept, twin.folded) {
        // BuildKit flags every CMD but the last, hadolint every CMD but the first: the middle
        // one gets both.
        ("DL3012", _) => {
            "FROM alpine:3.20\nHEALTHCHECK CMD true\nHEALTHCHECK CMD false\nHEALTHCHECK NONE\n"
        }
        ("DL4003", _) => "FROM alpine:3.20\nCMD [\"a\"]\nCMD [\"b\"]\nCMD [\"c\"]\n",
        ("DL4004", _) => {
            "FROM alpine:3.20\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\nENTRYPOINT [\"c\"]\n"
        }
        ("DL3064", _) => "FROM alpine:3.20\nARG API_TOKEN\n",
        _ => return None,
    })
}

fn meta(code: &str) -> &'static RuleMeta {
    RULES
        .iter()
        .map(|r| r.meta())
        .find(|m| m.code == code)
        .unwrap_or_else(|| panic!("no rule {code}"))
}

fn source_for(twin: Twin) -> String {
    snippet(twin).map_or_else(
        || block_after(&meta(twin.folded).docs(), "## Example").expect("an example"),
        str::to_owned,
    )
}

fn ignoring(code: &str) -> Config {
    let mut config = Config::default();
    config.ignored.push(code.to_owned());
    config
}

fn of<'a>(found: &'a [Finding], code: &str) -> Vec<&'a Finding> {
    found.iter().filter(|f| f.rule.code == code).collect()
}

fn overlap(a: &Finding, b: &Finding) -> bool {
    let (a, b) = (a.diagnostic.span, b.diagnostic.span);
    a.start == b.start || (a.start < b.end && b.start < a.end)
}

/// Lints `source` and returns the findings of both twins.
fn both(source: &str, config: &Config, twin: Twin) -> (Vec<Finding>, Vec<Finding>) {
    let found = lint(source, config, &HostData::default());
    (
        of(&found, twin.kept).into_iter().cloned().collect(),
        of(&found, twin.folded).into_iter().cloned().collect(),
    )
}

#[test]
fn twins_report_once_under_the_hadolint_code() {
    let mut failures = Vec::new();
    for &twin in TWINS {
        let source = source_for(twin);
        // Alone, each reports normally, on overlapping spans.
        let (kept_alone, _) = both(&source, &ignoring(twin.folded), twin);
        let (_, folded_alone) = both(&source, &ignoring(twin.kept), twin);
        let pairs: Vec<(&Finding, &Finding)> = kept_alone
            .iter()
            .flat_map(|k| {
                folded_alone
                    .iter()
                    .filter(|f| overlap(k, f))
                    .map(move |f| (k, f))
            })
            .collect();
        if pairs.is_empty() {
            failures.push(format!(
                "{twin:?}: the twins never fire on one instruction in:\n{source}"
            ));
            continue;
        }
        if kept_alone
            .iter()
            .chain(&folded_alone)
            .any(|f| !f.twins.is_empty())
        {
            failures.push(format!(
                "{twin:?}: a twin reported alone carries a twin note"
            ));
        }
        // Together, the BuildKit finding is folded into the hadolint one.
        let (kept, folded) = both(&source, &Config::default(), twin);
        for (k, f) in &pairs {
            let Some(merged) = kept.iter().find(|m| m.diagnostic.span == k.diagnostic.span) else {
                failures.push(format!("{twin:?}: the hadolint finding is gone"));
                continue;
            };
            if folded.iter().any(|x| overlap(x, merged)) {
                failures.push(format!("{twin:?}: both twins still report"));
            }
            let note = format!(
                "also BuildKit's {} ({})",
                meta(twin.folded).buildkit_name().unwrap_or_default(),
                twin.folded
            );
            if !merged.diagnostic.notes.contains(&note)
                || !merged.twins.iter().any(|t| t.code == twin.folded)
            {
                failures.push(format!(
                    "{twin:?}: no `{note}` note: {:?}",
                    merged.diagnostic.notes
                ));
            }
            let had_fix = k.diagnostic.fix.is_some() || f.diagnostic.fix.is_some();
            if had_fix != merged.diagnostic.fix.is_some() {
                failures.push(format!("{twin:?}: the fix was not carried over"));
            }
            if merged.diagnostic.severity != k.diagnostic.severity.min(f.diagnostic.severity) {
                failures.push(format!("{twin:?}: the more severe level did not win"));
            }
        }
        // An ignore pragma naming either twin, by code or by BuildKit name, silences both.
        let line = pairs[0].0.start.line as usize;
        let bk_name = meta(twin.folded).buildkit_name().unwrap_or_default();
        for id in [twin.kept, twin.folded, bk_name] {
            let mut lines: Vec<&str> = source.lines().collect();
            let pragma = format!("# hadolint ignore={id}");
            lines.insert(line - 1, &pragma);
            let with_pragma = lines.join("\n") + "\n";
            let (kept, folded) = both(&with_pragma, &Config::default(), twin);
            let at = line as u32 + 1;
            if kept.iter().chain(&folded).any(|f| f.start.line == at) {
                failures.push(format!(
                    "{twin:?}: `{pragma}` does not suppress the merged finding:\n{with_pragma}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
