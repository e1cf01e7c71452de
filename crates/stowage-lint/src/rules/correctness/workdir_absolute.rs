use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// WORKDIR is not an absolute path.
    ///
    /// ## What it does
    /// Flags WORKDIR values that, after removing quotes, do not start with `/`, `$` or a Windows drive (`C:`).
    ///
    /// ## Why is this bad?
    /// A relative WORKDIR depends on the previous one, which may change in the base image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// WORKDIR app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// WORKDIR /app
    /// ```
    pub(crate) Dl3000WorkdirAbsolute {
        code: "DL3000",
        name: "workdir-relative",
        category: Correctness,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3000", Same)],
    }
}

impl Rule for Dl3000WorkdirAbsolute {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Workdir]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Workdir(w) = node.kind() else {
            return;
        };
        let path = crate::rules::helpers::strip_quotes(&w.text);
        let b = path.as_bytes();
        let windows = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
        if !path.starts_with('/') && !path.starts_with('$') && !windows {
            out.push(
                Self::META
                    .finding("use absolute WORKDIR", w.span)
                    .with_help(format!("write `WORKDIR /{path}`")),
            );
        }
    }
}
