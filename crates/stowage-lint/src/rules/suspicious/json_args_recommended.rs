use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::{CommandLine, InstructionKind};

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::fixes;

crate::declare_rule! {
    /// CMD or ENTRYPOINT is in shell form while the default shell is in use.
    ///
    /// ## What it does
    /// Flags shell-form CMD and ENTRYPOINT when no SHELL instruction appears in the stage or the stages it builds on (BuildKit's check; HEALTHCHECK is not checked).
    ///
    /// ## Why is this bad?
    /// In shell form the process runs under `/bin/sh -c`, which does not forward signals: `docker stop` waits and then kills it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// CMD ./server --port 80
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// CMD ["./server", "--port", "80"]
    /// ```
    ///
    /// ## Fix
    /// Rewrites CMD/ENTRYPOINT in JSON form when the command is plain words (no quotes,
    /// variables, globs, operators or redirections), where both forms run the same program
    /// with the same arguments.
    pub(crate) JsonArgsRecommended {
        code: "SW304",
        name: "json-args-recommended",
        category: Suspicious,
        level: Warning,
        fix: Safe,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("JSONArgsRecommended", Same)],
    }
}

impl Rule for JsonArgsRecommended {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Cmd, Keyword::Entrypoint]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let (InstructionKind::Cmd(c) | InstructionKind::Entrypoint(c)) = node.kind() else {
            return;
        };
        if !matches!(c, CommandLine::Shell(_)) || node.onbuild {
            return;
        }
        let mut stage = node.stage;
        while let Some(s) = stage {
            let shell_set = ctx
                .stage_nodes(s)
                .any(|n| n.index < node.index && matches!(n.kind(), InstructionKind::Shell(_)));
            if shell_set {
                return;
            }
            stage = ctx.parent_stage(s);
        }
        out.push(
            Self::META
                .finding(
                    format!(
                        "JSON arguments recommended for {} to prevent unintended behavior related to OS signals",
                        node.keyword().as_str()
                    ),
                    node.span(),
                )
                .with_fix(fixes::exec_form(ctx, node)),
        );
    }
}
