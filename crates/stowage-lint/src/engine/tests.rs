use stowage_diagnostics::{Fix, Severity, Span};

use super::{Pending, fold_twins, overlaps};
use crate::rules::correctness::workdir_absolute::Dl3000WorkdirAbsolute;
use crate::rules::correctness::workdir_relative_path::WorkdirRelativePath;
use crate::rules::deprecated::maintainer::Dl4000Maintainer;
use crate::rules::deprecated::maintainer_deprecated::MaintainerDeprecated;

fn pending(meta: &'static crate::RuleMeta, span: Span, severity: Severity) -> Pending {
    let mut diagnostic = meta.finding("m", span);
    diagnostic.severity = severity;
    Pending {
        meta,
        diagnostic,
        twins: Vec::new(),
    }
}

fn fix() -> Fix {
    Fix::safe("rewrite", Span::new(0, 1), "x")
}

#[test]
fn the_folded_fix_and_the_more_severe_level_are_kept() {
    let kept = pending(
        &Dl4000Maintainer::META,
        Span::new(10, 30),
        Severity::Warning,
    );
    let mut folded = pending(
        &MaintainerDeprecated::META,
        Span::new(10, 20),
        Severity::Error,
    );
    folded.diagnostic = folded.diagnostic.with_fix(fix());
    let out = fold_twins(vec![kept, folded]);
    assert_eq!(out.len(), 1);
    let merged = &out[0];
    assert_eq!(merged.meta.code, "DL4000");
    assert_eq!(merged.diagnostic.severity, Severity::Error);
    assert_eq!(merged.diagnostic.fix, Some(fix()));
    assert_eq!(
        merged.diagnostic.notes,
        ["also BuildKit's MaintainerDeprecated (SW801)"]
    );
    assert_eq!(merged.twins.len(), 1);
}

#[test]
fn the_kept_fix_wins_over_the_folded_one() {
    let mut kept = pending(&Dl4000Maintainer::META, Span::new(0, 5), Severity::Error);
    kept.diagnostic = kept.diagnostic.with_fix(fix());
    let mut folded = pending(
        &MaintainerDeprecated::META,
        Span::new(0, 5),
        Severity::Warning,
    );
    let other = Fix::safe("other", Span::new(2, 3), "y");
    folded.diagnostic = folded.diagnostic.with_fix(other);
    let out = fold_twins(vec![folded, kept]);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].diagnostic.fix, Some(fix()));
}

#[test]
fn twins_on_different_instructions_stay_apart() {
    // WORKDIR a / WORKDIR b: BuildKit flags the first, hadolint both; the second is DL3000's own.
    let kept_a = pending(
        &Dl3000WorkdirAbsolute::META,
        Span::new(8, 9),
        Severity::Error,
    );
    let kept_b = pending(
        &Dl3000WorkdirAbsolute::META,
        Span::new(18, 19),
        Severity::Error,
    );
    let folded = pending(
        &WorkdirRelativePath::META,
        Span::new(8, 9),
        Severity::Warning,
    );
    let out = fold_twins(vec![kept_a, kept_b, folded]);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].twins.len(), 1);
    assert!(out[1].twins.is_empty() && out[1].diagnostic.notes.is_empty());
    // Unrelated rules never fold, however they overlap.
    let a = pending(
        &Dl3000WorkdirAbsolute::META,
        Span::new(0, 5),
        Severity::Error,
    );
    let b = pending(
        &MaintainerDeprecated::META,
        Span::new(0, 5),
        Severity::Warning,
    );
    assert_eq!(fold_twins(vec![a, b]).len(), 2);
}

#[test]
fn spans_overlap_when_they_share_a_byte() {
    assert!(overlaps(Span::new(0, 5), Span::new(4, 9)));
    assert!(!overlaps(Span::new(0, 5), Span::new(5, 9)));
    assert!(overlaps(Span::new(3, 3), Span::new(3, 8)));
}

#[test]
fn lint_folds_maintainer_into_dl4000() {
    let found = crate::lint(
        "FROM alpine:3.20\nMAINTAINER ops@example.com\n",
        &crate::Config::default(),
        &crate::HostData::default(),
    );
    let codes: Vec<&str> = found.iter().map(|f| f.rule.code).collect();
    assert_eq!(codes, ["DL4000"]);
    assert_eq!(found[0].twins[0].code, "SW801");
}
