use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// `COPY --from` names the stage it is in.
    ///
    /// ## What it does
    /// Flags COPY --from whose value is the current stage's alias.
    ///
    /// ## Why is this bad?
    /// A stage cannot copy from itself; BuildKit reports a circular dependency.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS build
    /// COPY --from=build /a /b
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20 AS build
    /// FROM alpine:3.20
    /// COPY --from=build /a /b
    /// ```
    pub(crate) Dl3023CopyFromSelf {
        code: "DL3023",
        name: "copy-from-own-stage",
        category: Correctness,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3023", Same)],
    }
}

impl Rule for Dl3023CopyFromSelf {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Copy]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Copy(c) = node.kind() else {
            return;
        };
        let (Some(from), Some(stage)) = (&c.from, node.stage) else {
            return;
        };
        let own = ctx
            .dockerfile
            .stages
            .get(stage)
            .and_then(|s| ctx.dockerfile.stage_from(s))
            .and_then(|f| f.name.as_ref());
        // hadolint compares aliases as written.
        if own.is_some_and(|n| n.text == from.text) {
            out.push(Self::META.finding(
                "`COPY --from` cannot reference its own `FROM` alias",
                from.span,
            ));
        }
    }
}
