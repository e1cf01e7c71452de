//! The one place the playground calls the core: source text in, view rows out. It runs in the
//! worker ([`crate::worker`]), so the rows are plain serde data that cross the worker
//! boundary. The pages of the rules that fired travel with the answer ([`Analysis::rules`]):
//! the page links no linter code and no rule documentation, which keeps its wasm small.

use serde::{Deserialize, Serialize};
use stowage_diagnostics::{Applicability, Diagnostic, Fix};
use stowage_lint::{Config, HostData};
use stowage_syntax::{LineIndex, Severity, Span};

/// Everything the page shows about one version of the source.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Analysis {
    /// One row per instruction, in source order.
    pub instructions: Vec<InstructionRow>,
    /// Parser and instruction-layer diagnostics, ordered by position.
    pub diagnostics: Vec<ProblemRow>,
    /// Lint findings (parse problems are in `diagnostics`), ordered by position.
    pub findings: Vec<ProblemRow>,
    /// The build stages and what each needs, for the target select and the stage graph.
    pub stages: Vec<StageRow>,
    /// The documentation of each rule with a finding, sorted by code.
    pub rules: Vec<RuleRow>,
}

impl Analysis {
    /// The page of the rule with this code or name, if it fired.
    pub fn rule(&self, id: &str) -> Option<&RuleRow> {
        self.rules
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(id) || r.name == id)
    }
}

/// A lint rule's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRow {
    /// `DL3006`.
    pub code: String,
    /// `from-untagged`.
    pub name: String,
    /// The documentation, Markdown.
    pub docs: String,
}

/// A build stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRow {
    /// The `AS` name (lower case), if any.
    pub name: Option<String>,
    /// The expanded FROM image, or the earlier stage it builds on.
    pub base: String,
    /// 1-based line of its FROM.
    pub line: u32,
    /// What it takes from earlier stages.
    pub needs: Vec<StageEdge>,
}

impl StageRow {
    /// The name, or what BuildKit calls an unnamed stage (`stage-1`).
    pub fn label(&self, index: usize) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("stage-{index}"))
    }
}

/// One dependency of a stage on an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageEdge {
    /// The stage it needs (index).
    pub stage: usize,
    /// `FROM`, `COPY --from` or `RUN --mount`.
    pub via: String,
}

/// The stages `target` (an index) needs, itself included: BuildKit skips the rest.
pub fn needed_stages(stages: &[StageRow], target: usize) -> Vec<bool> {
    let mut needed = vec![false; stages.len()];
    let mut todo = vec![target];
    while let Some(i) = todo.pop() {
        let Some(stage) = stages.get(i) else { continue };
        if std::mem::replace(&mut needed[i], true) {
            continue;
        }
        todo.extend(stage.needs.iter().map(|e| e.stage));
    }
    needed
}

/// The stages of `dockerfile` with their edges (FROM expanded with the meta ARGs' defaults).
fn stage_rows(
    dockerfile: &stowage_syntax::Dockerfile,
    index: &LineIndex,
    source: &str,
) -> Vec<StageRow> {
    use stowage_syntax::InstructionKind;
    let resolved = stowage_syntax::resolve::resolve_stages(
        dockerfile,
        &stowage_syntax::resolve::BuildArgs::default(),
    );
    let lookup = |name: &str| -> Option<usize> {
        let lower = name.to_lowercase();
        dockerfile
            .stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .map(|s| s.index)
            .or_else(|| name.parse().ok())
    };
    dockerfile
        .stages
        .iter()
        .map(|stage| {
            let resolved = resolved.get(stage.index);
            let mut needs = Vec::new();
            if let Some(base) = resolved.and_then(|r| r.base_stage) {
                needs.push(StageEdge {
                    stage: base,
                    via: "FROM".to_owned(),
                });
            }
            for &n in &stage.instructions {
                match &dockerfile.instructions[n].kind {
                    InstructionKind::Copy(copy) => {
                        if let Some(dep) = copy.from.as_ref().and_then(|f| lookup(&f.text)) {
                            needs.push(StageEdge {
                                stage: dep,
                                via: "COPY --from".to_owned(),
                            });
                        }
                    }
                    InstructionKind::Run(run) => {
                        for dep in run
                            .mounts
                            .iter()
                            .filter_map(|m| m.from.as_deref().and_then(lookup))
                        {
                            needs.push(StageEdge {
                                stage: dep,
                                via: "RUN --mount".to_owned(),
                            });
                        }
                    }
                    _ => {}
                }
            }
            // Only earlier stages count (BuildKit rejects the rest).
            needs.retain(|e| e.stage < stage.index);
            needs.dedup();
            let line = dockerfile
                .instructions
                .get(stage.from)
                .map_or(1, |i| index.line_col(i.span.start, source).line);
            StageRow {
                name: stage.name.clone(),
                base: resolved.map(|r| r.base.clone()).unwrap_or_default(),
                line,
                needs,
            }
        })
        .collect()
}

/// A diagnostic or a lint finding, as the lists and the editor show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemRow {
    #[serde(with = "severity")]
    pub severity: Severity,
    /// Stable code: a parser code (`json-not-strings`) or a lint rule's (`DL3006`).
    pub code: String,
    pub message: String,
    /// 1-based position of the span start.
    pub line: u32,
    /// 1-based column, in chars.
    pub column: u32,
    /// Where the editor underlines it, in UTF-16 code units (what the editor counts); never
    /// empty unless the source is.
    pub from: u32,
    pub to: u32,
    pub help: Option<String>,
    pub notes: Vec<String>,
    /// A mechanical fix, when the core knows one.
    pub fix: Option<FixRow>,
    /// The lint rule's name (its page is in [`Analysis::rules`]); `None` for parser diagnostics.
    pub rule: Option<String>,
}

/// A fix: a title and edits, positioned for the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixRow {
    /// What it does, e.g. "write `AS` in upper case".
    pub title: String,
    /// Safe fixes never change what the file means; unsafe ones do, on purpose.
    pub safe: bool,
    /// Non-overlapping edits, applied together.
    pub edits: Vec<EditRow>,
}

/// One replacement, in UTF-16 code units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditRow {
    pub from: u32,
    pub to: u32,
    pub insert: String,
}

/// An instruction as the instruction list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionRow {
    /// Canonical upper-case keyword, or the keyword as written when it is unknown.
    pub keyword: String,
    /// 1-based first line.
    pub start_line: u32,
    /// 1-based last line (continuations and heredoc bodies included).
    pub end_line: u32,
    /// The rest of the logical line, after the keyword.
    pub detail: String,
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

/// `Severity` as its lowercase name (the core's type only serialises).
mod severity {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use stowage_syntax::Severity;

    #[expect(
        clippy::trivially_copy_pass_by_ref,
        reason = "the signature serde's `with` calls"
    )]
    pub(super) fn serialize<S: Serializer>(severity: &Severity, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(severity.as_str())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
        let name = String::deserialize(d)?;
        [
            Severity::Error,
            Severity::Warning,
            Severity::Info,
            Severity::Style,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
        .ok_or_else(|| D::Error::custom(format!("unknown severity `{name}`")))
    }
}

/// Byte offsets to UTF-16 offsets. Identity for ASCII text (the common case); otherwise a
/// table of where the two counts drift apart.
pub(crate) struct Utf16 {
    /// `(byte offset just after a non-ASCII char, bytes minus UTF-16 units so far)`, ascending.
    drift: Vec<(u32, u32)>,
}

impl Utf16 {
    pub(crate) fn new(source: &str) -> Self {
        let mut drift = Vec::new();
        if !source.is_ascii() {
            let mut total = 0;
            for (at, c) in source.char_indices().filter(|(_, c)| !c.is_ascii()) {
                total += (c.len_utf8() - c.len_utf16()) as u32;
                drift.push(((at + c.len_utf8()) as u32, total));
            }
        }
        Self { drift }
    }

    /// The UTF-16 offset of byte `offset` (a char boundary).
    pub(crate) fn offset(&self, offset: u32) -> u32 {
        let before = self.drift.partition_point(|&(end, _)| end <= offset);
        offset - before.checked_sub(1).map_or(0, |i| self.drift[i].1)
    }
}

/// `span`, widened to the next character when it is empty so that the editor shows it.
fn visible(source: &str, span: Span) -> (u32, u32) {
    let start = (span.start as usize).min(source.len());
    let mut end = (span.end as usize).clamp(start, source.len());
    if end == start {
        end = source
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(start, |c| start + c.len_utf8());
    }
    (start as u32, end as u32)
}

/// Lint findings the diagnostics list already shows (parse errors and parser warnings).
fn duplicates_a_diagnostic(code: &str) -> bool {
    matches!(code, "DL1000" | "SW101")
}

struct Rows<'a> {
    source: &'a str,
    index: LineIndex,
    utf16: Utf16,
}

impl Rows<'_> {
    fn problem(&self, diagnostic: Diagnostic) -> ProblemRow {
        let at = self.index.line_col(diagnostic.span.start, self.source);
        let (start, end) = visible(self.source, diagnostic.span);
        ProblemRow {
            severity: diagnostic.severity,
            code: diagnostic.code.to_owned(),
            message: diagnostic.message,
            line: at.line,
            column: at.column,
            from: self.utf16.offset(start),
            to: self.utf16.offset(end),
            help: diagnostic.help,
            notes: diagnostic.notes,
            fix: diagnostic.fix.map(|fix| self.fix(fix)),
            rule: None,
        }
    }

    fn fix(&self, fix: Fix) -> FixRow {
        FixRow {
            title: fix.title,
            safe: fix.applicability == Applicability::Safe,
            edits: fix
                .edits
                .into_iter()
                .map(|edit| EditRow {
                    from: self.utf16.offset(edit.span.start),
                    to: self.utf16.offset(edit.span.end),
                    insert: edit.replacement,
                })
                .collect(),
        }
    }
}

/// Parses, checks and lints `source` and turns the result into rows.
pub fn analyze(source: &str) -> Analysis {
    let dockerfile = stowage_syntax::Dockerfile::parse(source);
    let rows = Rows {
        source,
        index: LineIndex::new(source),
        utf16: Utf16::new(source),
    };

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

    let mut findings: Vec<ProblemRow> = stowage_lint::lint_dockerfile(
        &dockerfile,
        source,
        &Config::default(),
        &HostData::default(),
    )
    .into_iter()
    .filter(|f| !duplicates_a_diagnostic(f.rule.code))
    .map(|f| ProblemRow {
        rule: Some(f.rule.name.to_owned()),
        ..rows.problem(f.diagnostic)
    })
    .collect();
    // Stable sorts: problems at the same place keep the core's order.
    findings.sort_by_key(|row| (row.line, row.column));

    let mut diagnostics: Vec<ProblemRow> = dockerfile
        .all_diagnostics()
        .into_iter()
        .cloned()
        .map(|d| rows.problem(d))
        .collect();
    diagnostics.sort_by_key(|row| (row.line, row.column));

    let stages = stage_rows(&dockerfile, &rows.index, source);
    let mut rules: Vec<RuleRow> = Vec::new();
    for finding in &findings {
        if rules.iter().any(|r| r.code == finding.code) {
            continue;
        }
        if let Some(meta) = stowage_lint::find_meta(&finding.code) {
            rules.push(RuleRow {
                code: meta.code.to_owned(),
                name: meta.name.to_owned(),
                docs: meta.docs(),
            });
        }
    }
    rules.sort_by(|a, b| a.code.cmp(&b.code));
    Analysis {
        instructions,
        diagnostics,
        findings,
        stages,
        rules,
    }
}

#[cfg(test)]
mod tests;
