//! Suppression comments and the BuildKit `check` directive.
//!
//! - `# hadolint ignore=DL3008,DL3015` / `# stowage: ignore=DL3008,stage-name-casing`: the
//!   instruction on the next line.
//! - `# hadolint global ignore=...` / `# stowage: global ignore=...`: the whole file.
//! - `# hadolint stage ignore=...` / `# stowage: stage ignore=...`: the stage whose FROM follows.
//! - `# hadolint shell=powershell`: the shell for the instructions that follow.
//! - `# check=skip=A,B;error=true;experimental=C` at the top of the file (BuildKit's directive),
//!   and `# check=skip=A,B` directly above an instruction (dockerfile 1.21).
//!
//! A trailing `# reason` is allowed after the list. Unknown rule identifiers are reported;
//! the known ones still apply (hadolint voids the whole pragma).

use std::collections::BTreeMap;

use stowage_diagnostics::{LineIndex, Span};
use stowage_syntax::Dockerfile;

use crate::registry;

/// A rule identifier in a pragma, with where it is.
#[derive(Debug, Clone)]
pub(crate) struct PragmaId {
    pub(crate) id: String,
}

/// Everything the comments of a file say about suppression.
#[derive(Debug, Default)]
pub(crate) struct Pragmas<'a> {
    /// Ids ignored in the whole file.
    pub(crate) global: Vec<PragmaId>,
    /// Ids ignored for the instruction starting on a line.
    pub(crate) next_line: BTreeMap<u32, Vec<PragmaId>>,
    /// Ids ignored in a stage (by stage index).
    pub(crate) stage: BTreeMap<usize, Vec<PragmaId>>,
    /// `# hadolint shell=` pragmas: line of the comment and shell.
    pub(crate) shells: Vec<(u32, String)>,
    /// Spans of inline ignore pragmas (for DL1001).
    pub(crate) inline_ignores: Vec<Span>,
    /// Unknown rule ids: where and what.
    pub(crate) unknown: Vec<(Span, String)>,
    /// Problems in a `check` directive.
    pub(crate) bad_check: Vec<(Span, String)>,
    /// BuildKit `check=skip=all`.
    pub(crate) check_skip_all: bool,
    /// BuildKit `check=skip=` names.
    pub(crate) check_skip: Vec<String>,
    /// BuildKit `check=error=true`.
    pub(crate) check_error: bool,
    /// BuildKit `check=experimental=` names (`all` included as written).
    pub(crate) check_experimental: Vec<String>,
    source: &'a str,
}

impl<'a> Pragmas<'a> {
    pub(crate) fn collect(df: &Dockerfile, source: &'a str, index: &LineIndex) -> Pragmas<'a> {
        let mut p = Pragmas {
            source,
            ..Pragmas::default()
        };
        if let Some(d) = df.parse.directive("check") {
            p.check_directive(&d.value, d.value_span);
        }
        // Stage pragmas apply to the next FROM after the comment.
        let from_lines: Vec<(u32, usize)> = df
            .stages
            .iter()
            .map(|s| (df.instructions[s.from].start_line, s.index))
            .collect();
        for c in &df.parse.comments {
            let line = index.line(c.span.start);
            let text = c.text.as_str();
            if let Some(rest) = strip_word(text, "hadolint") {
                p.tool_pragma(rest, c.span, line, &from_lines, true);
            } else if let Some(rest) =
                strip_word(text, "stowage:").or_else(|| strip_word(text, "stowage"))
            {
                p.tool_pragma(rest, c.span, line, &from_lines, false);
            } else if let Some(rest) = text.strip_prefix("check=") {
                // BuildKit 1.21: a `check=skip=` comment above an instruction.
                let value = rest.split_whitespace().next().unwrap_or("");
                for part in value.split(';') {
                    if let Some(names) = part.strip_prefix("skip=") {
                        let ids = names
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|id| PragmaId { id: id.to_owned() })
                            .collect::<Vec<_>>();
                        for id in &ids {
                            p.check_known(&id.id, c.span, true);
                        }
                        p.next_line.entry(line + 1).or_default().extend(ids);
                    }
                }
            }
        }
        p
    }

    fn check_directive(&mut self, value: &str, span: Span) {
        for part in value.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((key, val)) = part.split_once('=') else {
                self.bad_check.push((
                    span,
                    format!("invalid check option `{part}`: expected `key=value`"),
                ));
                continue;
            };
            match key.trim() {
                "skip" => {
                    for name in val.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        if name == "all" {
                            self.check_skip_all = true;
                        } else {
                            self.check_known(name, span, true);
                            self.check_skip.push(name.to_owned());
                        }
                    }
                }
                "error" => match val.trim() {
                    "true" => self.check_error = true,
                    "false" => self.check_error = false,
                    other => self.bad_check.push((
                        span,
                        format!("invalid boolean `{other}` for check option `error`"),
                    )),
                },
                "experimental" => {
                    for name in val.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        if name != "all" {
                            self.check_known(name, span, true);
                        }
                        self.check_experimental.push(name.to_owned());
                    }
                }
                other => self
                    .bad_check
                    .push((span, format!("unknown check option `{other}`"))),
            }
        }
    }

    fn check_known(&mut self, id: &str, span: Span, buildkit_only: bool) {
        // Point at the identifier itself when it can be found in the comment.
        let span = self
            .source
            .get(span.start as usize..span.end as usize)
            .and_then(|t| t.find(id))
            .map_or(span, |at| {
                let start = span.start + at as u32;
                Span::new(start, start + id.len() as u32)
            });
        let known = registry::find(id)
            .is_some_and(|r| !buildkit_only || r.meta().buildkit_name().is_some());
        if !known && !is_shellcheck_code(id) {
            self.unknown.push((span, id.to_owned()));
        }
    }

    fn tool_pragma(
        &mut self,
        rest: &str,
        span: Span,
        line: u32,
        from_lines: &[(u32, usize)],
        hadolint: bool,
    ) {
        let rest = rest.trim_start();
        if let Some(shell) = keyed(rest, "shell") {
            let shell = shell.split_whitespace().next().unwrap_or("").to_owned();
            self.shells.push((line, shell));
            return;
        }
        let (scope, body) = if let Some(b) = strip_word(rest, "global") {
            ("global", b.trim_start())
        } else if let Some(b) = strip_word(rest, "stage") {
            ("stage", b.trim_start())
        } else {
            ("next", rest)
        };
        let Some(list) = keyed(body, "ignore") else {
            return;
        };
        let ids = parse_ids(list);
        for id in &ids {
            self.check_known(&id.id, span, false);
        }
        if hadolint && scope == "next" {
            self.inline_ignores.push(span);
        }
        match scope {
            "global" => self.global.extend(ids),
            "stage" => {
                if let Some(&(_, stage)) = from_lines.iter().find(|(l, _)| *l > line) {
                    self.stage.entry(stage).or_default().extend(ids);
                }
            }
            _ => self.next_line.entry(line + 1).or_default().extend(ids),
        }
    }
}

/// `word` followed by whitespace (or the end), case-sensitive; returns the rest.
fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let rest = text.strip_prefix(word)?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace) || word.ends_with(':'))
        .then_some(rest)
}

/// `key = value` → value.
fn keyed<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    let rest = text.strip_prefix(key)?.trim_start();
    Some(rest.strip_prefix('=')?.trim_start())
}

/// `A, B,C # reason` → `[A, B, C]`.
fn parse_ids(list: &str) -> Vec<PragmaId> {
    let mut ids = Vec::new();
    let mut rest = list;
    loop {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        ids.push(PragmaId {
            id: rest[..end].to_owned(),
        });
        let after = rest[end..].trim_start();
        match after.strip_prefix(',') {
            Some(next) => rest = next.trim_start(),
            None => break,
        }
    }
    ids
}

fn is_shellcheck_code(id: &str) -> bool {
    id.len() > 2 && id.starts_with("SC") && id[2..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_with_reason() {
        let ids: Vec<String> = parse_ids("DL3008, DL3015 ,SC2086 # pinned elsewhere")
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, ["DL3008", "DL3015", "SC2086"]);
    }

    #[test]
    fn collects_scopes() {
        let src = "# check=skip=StageNameCasing;error=true\n# hadolint global ignore=DL3006\nFROM a\n# hadolint ignore=DL3008,nope\nRUN x\n# stowage: stage ignore=DL3007\nFROM b AS B\n# hadolint shell=pwsh\n";
        let df = Dockerfile::parse(src);
        let idx = LineIndex::new(src);
        let p = Pragmas::collect(&df, src, &idx);
        assert!(p.check_error);
        assert_eq!(p.check_skip, ["StageNameCasing"]);
        assert_eq!(p.global[0].id, "DL3006");
        assert_eq!(p.next_line[&5][0].id, "DL3008");
        assert_eq!(p.unknown.len(), 1);
        assert_eq!(p.unknown[0].1, "nope");
        assert_eq!(p.stage[&1][0].id, "DL3007");
        assert_eq!(p.shells, [(8, "pwsh".to_owned())]);
        assert_eq!(p.inline_ignores.len(), 1);
    }
}
