use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// A CMD, ENTRYPOINT or HEALTHCHECK is overridden later in the same stage.
    ///
    /// ## What it does
    /// Flags each CMD, ENTRYPOINT and HEALTHCHECK that a later one of the same kind in the stage replaces; like BuildKit, the finding is on the earlier, ignored one.
    ///
    /// ## Why is this bad?
    /// Only the last one takes effect; the earlier ones are dead code.
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
    pub(crate) MultipleInstructionsDisallowed {
        code: "SW206",
        name: "multiple-instructions-disallowed",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("MultipleInstructionsDisallowed", Same)],
    }
}

impl Rule for MultipleInstructionsDisallowed {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Cmd, Keyword::Entrypoint, Keyword::Healthcheck]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        if node.onbuild {
            return;
        }
        let kw = node.keyword();
        let Some(stage) = node.stage.and_then(|s| ctx.dockerfile.stages.get(s)) else {
            return;
        };
        let later = stage
            .instructions
            .iter()
            .any(|&i| i > node.index && ctx.instructions()[i].keyword() == kw);
        if later {
            out.push(Self::META.finding(format!("multiple {} instructions should not be used in the same stage because only the last one will be used", kw.as_str()), node.instruction.keyword_span));
        }
    }
}
