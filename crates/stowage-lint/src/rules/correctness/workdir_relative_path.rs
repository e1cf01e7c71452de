use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// A relative WORKDIR is used before any absolute one.
    ///
    /// ## What it does
    /// Flags a relative WORKDIR when no absolute WORKDIR was set earlier in the stage or the stages it builds on.
    ///
    /// ## Why is this bad?
    /// The result depends on the base image's working directory, which can change without notice.
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
    pub(crate) WorkdirRelativePath {
        code: "SW209",
        name: "workdir-relative-path",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("WorkdirRelativePath", Same)],
    }
}

impl Rule for WorkdirRelativePath {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Workdir]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Workdir(w) = node.kind() else {
            return;
        };
        let path = crate::rules::helpers::strip_quotes(&w.text);
        if path.starts_with('/') || path.starts_with('$') || node.onbuild {
            return;
        }
        let mut stage = node.stage;
        while let Some(s) = stage {
            let absolute = ctx.stage_nodes(s).any(|n| {
                n.index < node.index
                    && matches!(n.kind(), InstructionKind::Workdir(x) if crate::rules::helpers::strip_quotes(&x.text).starts_with('/'))
            });
            if absolute {
                return;
            }
            stage = ctx.parent_stage(s);
        }
        out.push(Self::META.finding(
            format!(
                "relative workdir `{path}` can have unexpected results if the base image changes"
            ),
            w.span,
        ));
    }
}
