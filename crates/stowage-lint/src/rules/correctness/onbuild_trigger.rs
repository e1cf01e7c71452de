use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use stowage_diagnostics::Span;

crate::declare_rule! {
    /// ONBUILD triggers ONBUILD, FROM or MAINTAINER.
    ///
    /// ## What it does
    /// Flags `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`.
    ///
    /// ## Why is this bad?
    /// BuildKit refuses these triggers: the build of every child image fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ONBUILD FROM debian:12
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ONBUILD RUN echo building a child
    /// ```
    pub(crate) Dl3043OnbuildTrigger {
        code: "DL3043",
        name: "onbuild-forbidden-trigger",
        category: Correctness,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3043", Same)],
    }
}

impl Rule for Dl3043OnbuildTrigger {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Onbuild]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Onbuild(o) = node.kind() else {
            return;
        };
        let first = o.expression.split_whitespace().next().unwrap_or("");
        if !["ONBUILD", "FROM", "MAINTAINER"]
            .iter()
            .any(|k| first.eq_ignore_ascii_case(k))
        {
            return;
        }
        let after = node.instruction.keyword_span.end;
        let rest = ctx.text(Span::new(after, node.span().end));
        let span = rest.find(first).map_or(node.span(), |at| {
            let start = after + at as u32;
            Span::new(start, start + first.len() as u32)
        });
        out.push(Self::META.finding(
            format!(
                "`{}` cannot be triggered from within `ONBUILD`",
                first.to_uppercase()
            ),
            span,
        ));
    }
}
