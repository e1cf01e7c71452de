//! BuildKit's `BFlags`: each instruction declares its flags; anything else is an error.
//! Only [`codes`] is public.

use stowage_diagnostics::{Diagnostic, Span};

use crate::ast::Word;
use crate::node::Flag;

/// Diagnostic codes of the flag checks.
pub mod codes {
    /// A flag the instruction does not declare.
    pub const UNKNOWN_FLAG: &str = "unknown-flag";
    /// A non-repeatable flag given twice.
    pub const DUPLICATE_FLAG: &str = "duplicate-flag";
    /// A missing or ill-typed flag value.
    pub const FLAG_VALUE: &str = "invalid-flag-value";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagType {
    Bool,
    String,
    /// May repeat; values collect in order.
    Strings,
}

/// Parsed flag values for one instruction.
#[derive(Debug, Default)]
pub(crate) struct FlagValues {
    values: Vec<(&'static str, Word)>,
}

impl FlagValues {
    pub(crate) fn string(&self, name: &str) -> Option<Word> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, w)| w.clone())
    }

    pub(crate) fn strings(&self, name: &str) -> Vec<Word> {
        self.values
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, w)| w.clone())
            .collect()
    }

    pub(crate) fn boolean(&self, name: &str) -> Option<bool> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, w)| w.text == "true")
    }
}

/// Checks `flags` against the declared ones (`(name, type)`), like `BFlags.Parse`.
pub(crate) fn parse_flags(
    flags: &[Flag],
    declared: &[(&'static str, FlagType)],
    keyword: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> FlagValues {
    let mut out = FlagValues::default();
    for flag in flags {
        let body = flag.text.strip_prefix("--").unwrap_or(&flag.text);
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        let Some(&(decl_name, kind)) = declared.iter().find(|(n, _)| *n == name) else {
            let mut d = Diagnostic::error(
                codes::UNKNOWN_FLAG,
                format!("unknown flag: {name}"),
                flag.span,
            );
            let names: Vec<&str> = declared.iter().map(|(n, _)| *n).collect();
            if let Some(suggestion) = crate::suggest::did_you_mean(name, &names) {
                d.help = Some(format!("did you mean `--{suggestion}`?"));
            } else if names.is_empty() {
                d.notes.push(format!("{keyword} takes no flags"));
            } else {
                d.notes.push(format!(
                    "{keyword} accepts {}",
                    names
                        .iter()
                        .map(|n| format!("`--{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            diagnostics.push(d);
            continue;
        };
        if kind != FlagType::Strings && out.values.iter().any(|(n, _)| *n == decl_name) {
            diagnostics.push(Diagnostic::error(
                codes::DUPLICATE_FLAG,
                format!("duplicate flag specified: {name}"),
                flag.span,
            ));
            continue;
        }
        let value = match (kind, value) {
            (FlagType::Bool, Some("")) | (FlagType::String | FlagType::Strings, None) => {
                diagnostics.push(Diagnostic::error(
                    codes::FLAG_VALUE,
                    format!("missing a value on flag: {name}"),
                    flag.span,
                ));
                continue;
            }
            (FlagType::Bool, None) => "true".to_owned(),
            (FlagType::Bool, Some(v)) => match v.to_ascii_lowercase().as_str() {
                "true" => "true".to_owned(),
                "false" => "false".to_owned(),
                _ => {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::FLAG_VALUE,
                            format!("expecting boolean value for flag {name}, not: {v}"),
                            flag.span,
                        )
                        .with_help(format!(
                            "use `--{name}`, `--{name}=true` or `--{name}=false`"
                        )),
                    );
                    continue;
                }
            },
            (_, Some(v)) => v.to_owned(),
        };
        out.values
            .push((decl_name, Word::new(value, value_span(flag))));
    }
    out
}

/// The span of the value part of a flag (after `=`), or the whole flag.
fn value_span(flag: &Flag) -> Span {
    // The flag text has quotes removed, so offsets only line up when the source had none.
    let len = flag.span.len() as usize;
    match flag.text.find('=') {
        Some(eq) if flag.text.len() == len => {
            Span::new(flag.span.start + eq as u32 + 1, flag.span.end)
        }
        _ => flag.span,
    }
}
