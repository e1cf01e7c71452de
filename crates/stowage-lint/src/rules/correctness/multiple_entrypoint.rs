use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// More than one ENTRYPOINT in a stage.
    ///
    /// ## What it does
    /// Flags every ENTRYPOINT after the first in the same stage.
    ///
    /// ## Why is this bad?
    /// Only the last ENTRYPOINT takes effect; the earlier ones are dead code.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENTRYPOINT ["a"]
    /// ENTRYPOINT ["b"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENTRYPOINT ["b"]
    /// ```
    pub(crate) Dl4004MultipleEntrypoint {
        code: "DL4004",
        name: "multiple-entrypoint",
        category: Correctness,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL4004", Same)],
    }
}

impl Rule for Dl4004MultipleEntrypoint {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Entrypoint]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        if !matches!(node.kind(), InstructionKind::Entrypoint(_)) || node.onbuild {
            return;
        }
        let earlier = crate::rules::helpers::earlier_in_stage(ctx, node)
            .any(|n| matches!(n.kind(), InstructionKind::Entrypoint(_)));
        if earlier {
            out.push(Self::META.finding(
                "multiple ENTRYPOINT instructions found; only the last one takes effect",
                node.instruction.keyword_span,
            ));
        }
    }
}
