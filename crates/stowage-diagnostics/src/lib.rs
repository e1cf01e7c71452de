//! Spans, source positions and diagnostics as plain data.
//!
//! Every stage of Stowage reports problems the same way: a [`Diagnostic`] with a [`Severity`],
//! a stable code, a message and a byte [`Span`] into the source. A [`LineIndex`] turns byte
//! offsets into 1-based lines and columns. [`render`] prints diagnostics like a compiler
//! (`file:line:col`, the source line, a caret); the CLI and the web app both use it.
//!
//! Invariant: this crate is sans-IO and deterministic; it compiles to `wasm32-unknown-unknown`.
#![warn(clippy::disallowed_methods)]

mod line_index;
mod render;

pub use line_index::{LineCol, LineIndex};
pub use render::render;

use serde::Serialize;

/// A half-open byte range `start..end` into a source text.
///
/// Offsets are `u32`: sources over 4 GiB are out of scope for a Dockerfile tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (swapped if given the wrong way round).
    pub const fn new(start: u32, end: u32) -> Self {
        if start <= end {
            Self { start, end }
        } else {
            Self {
                start: end,
                end: start,
            }
        }
    }

    /// An empty span at `offset`.
    pub const fn empty(offset: u32) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }

    /// Length in bytes.
    pub const fn len(self) -> u32 {
        self.end - self.start
    }

    /// Whether the span covers no bytes.
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The byte range, for slicing the source.
    pub const fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Whether `other` lies inside `self`.
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The text this span covers, or `""` if it does not fit `source` on char boundaries.
    pub fn text(self, source: &str) -> &str {
        source
            .get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is wrong: BuildKit would refuse it.
    Error,
    /// The input works but is probably not what was meant.
    Warning,
    /// Worth knowing.
    Info,
    /// A matter of style.
    Style,
}

impl Severity {
    /// The lowercase name used in rendered output and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Style => "style",
        }
    }
}

/// A secondary location with a short message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One problem found in a source, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// A stable, kebab-case code (`unterminated-heredoc`, `unknown-flag`, ...).
    pub code: &'static str,
    /// What is wrong: lowercase, no trailing full stop.
    pub message: String,
    /// The primary location.
    pub span: Span,
    /// Other places that explain the problem.
    pub labels: Vec<Label>,
    /// Why it matters, or extra context.
    pub notes: Vec<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// A mechanical fix, when one is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// Whether a fix can be applied without review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Never changes what the file means (applied by `--fix`).
    Safe,
    /// Changes behaviour on purpose (applied only when asked for unsafe fixes).
    Unsafe,
}

/// One text replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// The bytes replaced (empty for an insertion).
    pub span: Span,
    /// The new text.
    pub replacement: String,
}

/// A change that resolves a diagnostic: a title for menus and the edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, e.g. "write `AS` in upper case".
    pub title: String,
    /// Whether it may be applied without review.
    pub applicability: Applicability,
    /// Non-overlapping edits, applied together.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A safe fix replacing `span` with `replacement`.
    pub fn safe(title: impl Into<String>, span: Span, replacement: impl Into<String>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span,
                replacement: replacement.into(),
            }],
        }
    }

    /// An unsafe fix replacing `span` with `replacement`.
    pub fn unsafe_edit(
        title: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Fix {
        Fix {
            applicability: Applicability::Unsafe,
            ..Fix::safe(title, span, replacement)
        }
    }
}

/// Applies fixes to `source`, skipping any fix whose edits overlap an earlier one (the next
/// round of linting offers it again). Returns the new text and how many fixes were applied.
pub fn apply_fixes<'a>(source: &str, fixes: impl IntoIterator<Item = &'a Fix>) -> (String, usize) {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let overlaps = fix.edits.iter().any(|e| {
            e.span.end as usize > source.len()
                || taken.iter().any(|t| {
                    e.span.start < t.span.end && t.span.start < e.span.end
                        || (e.span.is_empty() || t.span.is_empty()) && e.span.start == t.span.start
                })
        });
        if !overlaps {
            taken.extend(&fix.edits);
            applied += 1;
        }
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(source.len());
    let mut at = 0usize;
    for edit in taken {
        let start = edit.span.start as usize;
        out.push_str(source.get(at..start).unwrap_or_default());
        out.push_str(&edit.replacement);
        at = edit.span.end as usize;
    }
    out.push_str(source.get(at..).unwrap_or_default());
    (out, applied)
}

impl Diagnostic {
    /// A diagnostic of the given severity.
    pub fn new(
        severity: Severity,
        code: &'static str,
        message: impl Into<String>,
        span: Span,
    ) -> Self {
        Self {
            severity,
            code,
            message: message.into(),
            span,
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// An error.
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Self::new(Severity::Error, code, message, span)
    }

    /// A warning.
    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Self::new(Severity::Warning, code, message, span)
    }

    /// Adds a note.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the help text.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary label.
    #[must_use]
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Attaches a fix (`None` leaves the diagnostic without one).
    #[must_use]
    pub fn with_fix(mut self, fix: impl Into<Option<Fix>>) -> Self {
        self.fix = fix.into();
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod fix_tests {
    use super::{Fix, Span, apply_fixes};

    #[test]
    fn edits_apply_in_source_order() {
        let source = "FROM a as b\nenv k v\n";
        let fixes = [
            Fix::safe("env", Span::new(12, 15), "ENV"),
            Fix::safe("as", Span::new(7, 9), "AS"),
        ];
        let (out, applied) = apply_fixes(source, &fixes);
        assert_eq!(out, "FROM a AS b\nENV k v\n");
        assert_eq!(applied, 2);
    }

    #[test]
    fn overlapping_fixes_are_left_for_the_next_round() {
        let source = "RUN apt-get install x";
        let fixes = [
            Fix::safe("one", Span::new(4, 11), "APT"),
            Fix::safe("two", Span::new(8, 19), "zzz"),
            Fix::safe("insert", Span::empty(19), " -y"),
            Fix::safe("same insert", Span::empty(19), " -q"),
        ];
        let (out, applied) = apply_fixes(source, &fixes);
        assert_eq!(out, "RUN APT install -y x");
        assert_eq!(applied, 2);
    }

    #[test]
    fn out_of_range_edits_are_skipped() {
        let (out, applied) = apply_fixes("FROM a", &[Fix::safe("x", Span::new(3, 99), "")]);
        assert_eq!((out.as_str(), applied), ("FROM a", 0));
    }
}
