//! Runs the rules: dispatch by instruction kind, ONBUILD triggers, levels, twins, suppression.
//!
//! Twins ([`TWINS`]) are a hadolint rule and a BuildKit check that are the same check. When
//! both report on the same instruction (overlapping spans), the BuildKit finding is folded into
//! the hadolint one: the hadolint code stays (existing configurations and CI use it), a note
//! names the twin, the fix is carried over if only the folded finding had one, and the more
//! severe of the two levels wins. Disabling one twin (configuration `ignored`, `--ignore`,
//! `# check=skip=`) leaves the other reporting on its own; an ignore pragma naming either twin
//! suppresses the merged finding.

use stowage_diagnostics::{Diagnostic, LineCol, LineIndex, Severity, Span};
use stowage_syntax::{Dockerfile, Keyword};

use crate::config::{Config, Level};
use crate::context::{HostData, LintContext};
use crate::pragma::{PragmaId, Pragmas};
use crate::registry::{self, RULES, TWINS};
use crate::rule::{Rule, RuleMeta};
use crate::rules::policy::ignore_pragma::Dl1001IgnorePragma;
use crate::rules::suspicious::unknown_pragma_rule::UnknownPragmaRule;

/// One finding: a diagnostic of a rule, with its line and column range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The diagnostic; its `code` is the rule's code and its severity the configured one.
    pub diagnostic: Diagnostic,
    /// The rule.
    pub rule: &'static RuleMeta,
    /// Where it starts (1-based line and column).
    pub start: LineCol,
    /// Where it ends (exclusive column).
    pub end: LineCol,
    /// Twin rules whose finding on the same instruction was folded into this one (see
    /// [`TWINS`]).
    pub twins: Vec<&'static RuleMeta>,
}

/// A finding before twins are folded and suppression applies.
struct Pending {
    meta: &'static RuleMeta,
    diagnostic: Diagnostic,
    twins: Vec<&'static RuleMeta>,
}

/// Parses and lints `source`.
pub fn lint(source: &str, config: &Config, host: &HostData<'_>) -> Vec<Finding> {
    let df = Dockerfile::parse(source);
    lint_dockerfile(&df, source, config, host)
}

/// One slot per [`Keyword`] (the known ones and `Unknown`).
const KEYWORD_SLOTS: usize = Keyword::ALL.len() + 1;

fn keyword_slot(keyword: Keyword) -> usize {
    Keyword::ALL
        .iter()
        .position(|k| *k == keyword)
        .unwrap_or(Keyword::ALL.len())
}

/// Lints an already parsed Dockerfile.
pub fn lint_dockerfile(
    df: &Dockerfile,
    source: &str,
    config: &Config,
    host: &HostData<'_>,
) -> Vec<Finding> {
    let index = LineIndex::new(source);
    let pragmas = Pragmas::collect(df, source, &index);
    let active: Vec<(&'static dyn Rule, Level)> = RULES
        .iter()
        .copied()
        .filter_map(|rule| level_of(rule.meta(), config, &pragmas).map(|l| (rule, l)))
        .collect();
    let mut ctx = LintContext::new(source, df, &index, config, *host);
    ctx.pragma_shells.clone_from(&pragmas.shells);
    let mut raw: Vec<(usize, Diagnostic)> = Vec::new();
    let mut buf = Vec::new();
    for (i, (rule, _)) in active.iter().enumerate() {
        rule.check_file(&ctx, &mut buf);
        raw.extend(buf.drain(..).map(|d| (i, d)));
    }
    // Dispatch by keyword once, not per instruction: which active rules look at each kind
    // (and which of those also look at ONBUILD triggers).
    let mut by_keyword: Vec<Vec<usize>> = vec![Vec::new(); KEYWORD_SLOTS];
    for (i, (rule, _)) in active.iter().enumerate() {
        for kind in rule.kinds() {
            by_keyword[keyword_slot(*kind)].push(i);
        }
    }
    for ins_index in 0..df.instructions.len() {
        let Some(node) = ctx.node(ins_index) else {
            continue;
        };
        let trigger = ctx.trigger_node(ins_index);
        for &i in &by_keyword[keyword_slot(node.keyword())] {
            active[i].0.check(&ctx, &node, &mut buf);
            raw.extend(buf.drain(..).map(|d| (i, d)));
        }
        if let Some(t) = &trigger {
            for &i in &by_keyword[keyword_slot(t.keyword())] {
                if active[i].0.meta().onbuild {
                    active[i].0.check(&ctx, t, &mut buf);
                    raw.extend(buf.drain(..).map(|d| (i, d)));
                }
            }
        }
    }
    // Pragma problems are findings of their own rules.
    let pragma_findings = pragma_diagnostics(&pragmas);
    for (meta, d) in pragma_findings {
        if let Some(i) = active.iter().position(|(r, _)| r.meta().code == meta.code) {
            raw.push((i, d));
        }
    }
    let pending: Vec<Pending> = raw
        .into_iter()
        .filter_map(|(i, mut d)| {
            let (rule, level) = active[i];
            let meta = rule.meta();
            d.severity = level.severity()?;
            if pragmas.check_error && meta.buildkit_name().is_some() {
                d.severity = Severity::Error;
            }
            d.code = meta.code;
            Some(Pending {
                meta,
                diagnostic: d,
                twins: Vec::new(),
            })
        })
        .collect();
    // Twins are folded before suppression, so that a pragma naming either one silences the
    // merged finding.
    let mut findings: Vec<Finding> = fold_twins(pending)
        .into_iter()
        .filter(|p| {
            config.disable_ignore_pragma
                || ![p.meta]
                    .iter()
                    .chain(&p.twins)
                    .any(|m| suppressed(m, p.diagnostic.span, df, &pragmas, &ctx))
        })
        .map(|p| Finding {
            start: index.line_col(p.diagnostic.span.start, source),
            end: index.line_col(p.diagnostic.span.end, source),
            diagnostic: p.diagnostic,
            rule: p.meta,
            twins: p.twins,
        })
        .collect();
    findings.sort_by(|a, b| {
        (a.diagnostic.span.start, a.diagnostic.span.end, a.rule.code).cmp(&(
            b.diagnostic.span.start,
            b.diagnostic.span.end,
            b.rule.code,
        ))
    });
    findings.dedup_by(|a, b| a.diagnostic == b.diagnostic);
    findings
}

/// Folds each finding of a BuildKit twin into an overlapping finding of its hadolint twin.
fn fold_twins(mut items: Vec<Pending>) -> Vec<Pending> {
    let mut folded = vec![false; items.len()];
    for j in 0..items.len() {
        let code = items[j].meta.code;
        if !TWINS.iter().any(|t| t.folded == code) {
            continue;
        }
        let span = items[j].diagnostic.span;
        let Some(i) = (0..items.len()).find(|&i| {
            !folded[i]
                && TWINS
                    .iter()
                    .any(|t| t.folded == code && t.kept == items[i].meta.code)
                && overlaps(items[i].diagnostic.span, span)
        }) else {
            continue;
        };
        folded[j] = true;
        let twin = items[j].meta;
        let severity = items[j].diagnostic.severity;
        let fix = items[j].diagnostic.fix.take();
        let kept = &mut items[i];
        // `Error` sorts first: the more severe level wins.
        kept.diagnostic.severity = kept.diagnostic.severity.min(severity);
        if kept.diagnostic.fix.is_none() {
            kept.diagnostic.fix = fix;
        }
        if !kept.twins.iter().any(|t| t.code == twin.code) {
            kept.twins.push(twin);
            let name = twin.buildkit_name().unwrap_or(twin.name);
            kept.diagnostic
                .notes
                .push(format!("also BuildKit's {name} ({})", twin.code));
        }
    }
    items
        .into_iter()
        .zip(folded)
        .filter_map(|(p, gone)| (!gone).then_some(p))
        .collect()
}

/// Whether two spans share a byte (or start at the same place, for empty spans).
fn overlaps(a: Span, b: Span) -> bool {
    a.start == b.start || (a.start < b.end && b.start < a.end)
}

/// The level a rule runs at, or `None` when it does not run.
fn level_of(meta: &RuleMeta, config: &Config, pragmas: &Pragmas<'_>) -> Option<Level> {
    if config.is_ignored(meta) {
        return None;
    }
    if let Some(bk) = meta.buildkit_name()
        && (pragmas.check_skip_all && meta.status != crate::rule::Status::Preview
            || pragmas.check_skip.iter().any(|s| s == bk))
    {
        return None;
    }
    let mut level = config.level_override(meta).unwrap_or(meta.level);
    // BuildKit's experimental checks run when the directive asks for them.
    if level == Level::Ignore
        && meta.status == crate::rule::Status::Preview
        && let Some(bk) = meta.buildkit_name()
        && pragmas
            .check_experimental
            .iter()
            .any(|e| e == "all" || e == bk)
    {
        level = Level::Warning;
    }
    (level != Level::Ignore).then_some(level)
}

fn pragma_diagnostics(pragmas: &Pragmas<'_>) -> Vec<(&'static RuleMeta, Diagnostic)> {
    let mut out = Vec::new();
    for (span, id) in &pragmas.unknown {
        out.push((
            &UnknownPragmaRule::META,
            UnknownPragmaRule::META
                .finding(format!("unknown rule `{id}` in pragma"), *span)
                .with_help("use a rule code (`DL3008`), name or BuildKit check name"),
        ));
    }
    for (span, message) in &pragmas.bad_check {
        out.push((
            &UnknownPragmaRule::META,
            UnknownPragmaRule::META
                .finding(message.clone(), *span)
                .with_note("BuildKit fails the build on an invalid `check` directive"),
        ));
    }
    for span in &pragmas.inline_ignores {
        out.push((
            &Dl1001IgnorePragma::META,
            Dl1001IgnorePragma::META
                .finding("inline ignore pragma", *span)
                .with_note("your policy forbids suppressing findings inline"),
        ));
    }
    out
}

fn answers(ids: &[PragmaId], meta: &RuleMeta) -> bool {
    ids.iter().any(|p| meta.answers_to(&p.id))
}

fn suppressed(
    meta: &RuleMeta,
    span: Span,
    df: &Dockerfile,
    pragmas: &Pragmas<'_>,
    ctx: &LintContext<'_>,
) -> bool {
    // DL1001 would otherwise be suppressed by the very pragma it reports.
    if meta.code == Dl1001IgnorePragma::META.code {
        return false;
    }
    if answers(&pragmas.global, meta) {
        return true;
    }
    let Some(ins) = registry::instruction_at(df, span.start) else {
        return false;
    };
    let start_line = df.instructions[ins].start_line;
    if pragmas
        .next_line
        .get(&start_line)
        .is_some_and(|ids| answers(ids, meta))
    {
        return true;
    }
    ctx.stage_of(ins)
        .and_then(|s| pragmas.stage.get(&s))
        .is_some_and(|ids| answers(ids, meta))
}

#[cfg(test)]
mod tests;
