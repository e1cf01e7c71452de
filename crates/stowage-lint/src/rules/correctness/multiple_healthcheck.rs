use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// More than one HEALTHCHECK in a stage.
    ///
    /// ## What it does
    /// Flags every HEALTHCHECK after the first in the same stage.
    ///
    /// ## Why is this bad?
    /// Only the last HEALTHCHECK takes effect; the earlier ones are dead code.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// HEALTHCHECK CMD ["a"]
    /// HEALTHCHECK CMD ["b"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// HEALTHCHECK CMD ["b"]
    /// ```
    pub(crate) Dl3012MultipleHealthcheck {
        code: "DL3012",
        name: "multiple-healthcheck",
        category: Correctness,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3012", Same)],
    }
}

impl Rule for Dl3012MultipleHealthcheck {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Healthcheck]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        if !matches!(node.kind(), InstructionKind::Healthcheck(_)) || node.onbuild {
            return;
        }
        let earlier = crate::rules::helpers::earlier_in_stage(ctx, node)
            .any(|n| matches!(n.kind(), InstructionKind::Healthcheck(_)));
        if earlier {
            out.push(Self::META.finding(
                "multiple HEALTHCHECK instructions; only the last one takes effect",
                node.instruction.keyword_span,
            ));
        }
    }
}
