//! The registry: every rule, in one list sorted by code.

use stowage_syntax::Dockerfile;

use crate::rule::Rule;
use crate::rules::{policy, suspicious, syntax};

/// Every rule, sorted by code (the tidy test checks the order).
pub static RULES: &[&dyn Rule] = &[
    &syntax::parse_error::Dl1000ParseError,
    &policy::ignore_pragma::Dl1001IgnorePragma,
    &syntax::syntax_warning::SyntaxWarning,
    &syntax::shell_syntax_error::ShellSyntaxError,
    &suspicious::unknown_pragma_rule::UnknownPragmaRule,
];

/// The rule a code, name or upstream name refers to.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().answers_to(id))
}

/// The top-level instruction whose span holds `offset`.
pub(crate) fn instruction_at(df: &Dockerfile, offset: u32) -> Option<usize> {
    let i = df
        .instructions
        .partition_point(|ins| ins.span.start <= offset);
    let i = i.checked_sub(1)?;
    (df.instructions[i].span.end >= offset).then_some(i)
}
