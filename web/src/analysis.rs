//! The one place the playground calls the core: source text in, view rows out. Components only
//! see these rows, so new analyses (instruction-layer checks, lints) change this file alone.

use stowage_lint::{Config, HostData, RuleMeta};
use stowage_syntax::{LineIndex, Severity};

/// Everything the page shows about one version of the source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Analysis {
    /// One row per instruction, in source order.
    pub(crate) instructions: Vec<InstructionRow>,
    /// One row per diagnostic, ordered by position.
    pub(crate) diagnostics: Vec<DiagnosticRow>,
    /// One row per lint finding (parse problems are in `diagnostics`), ordered by position.
    pub(crate) findings: Vec<FindingRow>,
    /// What the editor underlines: byte ranges of diagnostics and findings, sorted.
    pub(crate) marks: Vec<Mark>,
}

/// A lint finding as the findings list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FindingRow {
    pub(crate) severity: Severity,
    pub(crate) message: String,
    /// 1-based position of the span start.
    pub(crate) line: u32,
    /// 1-based column, in chars.
    pub(crate) column: u32,
    pub(crate) help: Option<String>,
    /// The rule: code, name and its documentation page.
    pub(crate) rule: &'static RuleMeta,
}

/// A stretch of the source to underline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    /// Byte range (never empty: an empty span marks the character after it).
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) severity: Severity,
    pub(crate) code: &'static str,
}

/// An instruction as the instruction list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InstructionRow {
    /// Canonical upper-case keyword, or the keyword as written when it is unknown.
    pub(crate) keyword: String,
    /// 1-based first line.
    pub(crate) start_line: u32,
    /// 1-based last line (continuations and heredoc bodies included).
    pub(crate) end_line: u32,
    /// The rest of the logical line, after the keyword.
    pub(crate) detail: String,
}

impl InstructionRow {
    /// `line 3` or `lines 3–5`.
    pub(crate) fn lines_label(&self) -> String {
        if self.start_line == self.end_line {
            format!("line {}", self.start_line)
        } else {
            format!("lines {}–{}", self.start_line, self.end_line)
        }
    }
}

/// A diagnostic as the diagnostics list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DiagnosticRow {
    pub(crate) severity: Severity,
    /// Stable code, e.g. `json-not-strings`.
    pub(crate) code: &'static str,
    pub(crate) message: String,
    /// 1-based position of the span start.
    pub(crate) line: u32,
    /// 1-based column, in chars.
    pub(crate) column: u32,
    pub(crate) help: Option<String>,
}

/// A mark for `span`, widened to one character when it is empty so that it shows.
fn mark(source: &str, span: stowage_syntax::Span, severity: Severity, code: &'static str) -> Mark {
    let start = (span.start as usize).min(source.len());
    let mut end = (span.end as usize).clamp(start, source.len());
    if end == start {
        end = source[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
    }
    Mark {
        start: start as u32,
        end: end as u32,
        severity,
        code,
    }
}

/// Lint findings the diagnostics list already shows (parse errors and parser warnings).
fn duplicates_a_diagnostic(code: &str) -> bool {
    matches!(code, "DL1000" | "SW101")
}

/// Parses, checks and lints `source` and turns the result into rows.
pub(crate) fn analyze(source: &str) -> Analysis {
    let dockerfile = stowage_syntax::Dockerfile::parse(source);
    let index = LineIndex::new(source);

    let instructions = dockerfile
        .parse
        .nodes
        .iter()
        .map(|node| {
            let canonical = node.kind.as_str();
            let keyword = if canonical.is_empty() {
                String::from(node.keyword.as_str())
            } else {
                canonical.to_owned()
            };
            // `original` is the joined logical line: strip the keyword as written.
            let detail = node
                .original(source)
                .trim_start()
                .get(node.keyword.len()..)
                .unwrap_or_default()
                .trim()
                .to_owned();
            InstructionRow {
                keyword,
                start_line: node.start_line,
                end_line: node.end_line,
                detail,
            }
        })
        .collect();

    let mut marks: Vec<Mark> = dockerfile
        .all_diagnostics()
        .into_iter()
        .map(|d| mark(source, d.span, d.severity, d.code))
        .collect();
    let mut findings: Vec<FindingRow> = stowage_lint::lint_dockerfile(
        &dockerfile,
        source,
        &Config::default(),
        &HostData::default(),
    )
    .into_iter()
    .filter(|f| !duplicates_a_diagnostic(f.rule.code))
    .map(|f| {
        marks.push(mark(
            source,
            f.diagnostic.span,
            f.diagnostic.severity,
            f.rule.code,
        ));
        FindingRow {
            severity: f.diagnostic.severity,
            message: f.diagnostic.message,
            line: f.start.line,
            column: f.start.column,
            help: f.diagnostic.help,
            rule: f.rule,
        }
    })
    .collect();
    findings.sort_by_key(|row| (row.line, row.column));
    marks.sort_by_key(|m| (m.start, m.end));

    let mut diagnostics: Vec<DiagnosticRow> = dockerfile
        .all_diagnostics()
        .into_iter()
        .cloned()
        .map(|diagnostic| {
            let at = index.line_col(diagnostic.span.start, source);
            DiagnosticRow {
                severity: diagnostic.severity,
                code: diagnostic.code,
                message: diagnostic.message,
                line: at.line,
                column: at.column,
                help: diagnostic.help,
            }
        })
        .collect();
    // Stable sort: diagnostics at the same place keep the core's order.
    diagnostics.sort_by_key(|row| (row.line, row.column));

    Analysis {
        instructions,
        diagnostics,
        findings,
        marks,
    }
}

#[cfg(test)]
mod tests;
