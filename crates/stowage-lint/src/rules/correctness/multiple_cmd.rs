use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// More than one CMD in a stage.
    ///
    /// ## What it does
    /// Flags every CMD after the first in the same stage.
    ///
    /// ## Why is this bad?
    /// Only the last CMD takes effect; the earlier ones are dead code.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// CMD ["a"]
    /// CMD ["b"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// CMD ["b"]
    /// ```
    pub(crate) Dl4003MultipleCmd {
        code: "DL4003",
        name: "multiple-cmd",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL4003", Same)],
    }
}

impl Rule for Dl4003MultipleCmd {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Cmd]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        if !matches!(node.kind(), InstructionKind::Cmd(_)) || node.onbuild {
            return;
        }
        let earlier = crate::rules::helpers::earlier_in_stage(ctx, node)
            .any(|n| matches!(n.kind(), InstructionKind::Cmd(_)));
        if earlier {
            out.push(Self::META.finding(
                "multiple CMD instructions found; only the last one takes effect",
                node.instruction.keyword_span,
            ));
        }
    }
}
