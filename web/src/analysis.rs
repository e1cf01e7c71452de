//! The one place the playground calls the core: source text in, view rows out. Components only
//! see these rows, so new analyses (instruction-layer checks, lints) change this file alone.

use stowage_syntax::{LineIndex, Severity};

/// Everything the page shows about one version of the source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Analysis {
    /// One row per instruction, in source order.
    pub(crate) instructions: Vec<InstructionRow>,
    /// One row per diagnostic, ordered by position.
    pub(crate) diagnostics: Vec<DiagnosticRow>,
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

/// Parses and checks `source` (parser and instruction layers) and turns the result into rows.
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
    }
}

#[cfg(test)]
mod tests;
