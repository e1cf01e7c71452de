use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::{CommandLine, Healthcheck, InstructionKind};

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::fixes;

crate::declare_rule! {
    /// CMD, ENTRYPOINT or HEALTHCHECK CMD is in shell form.
    ///
    /// ## What it does
    /// Flags the shell form (`CMD nginx -g ...`) of CMD, ENTRYPOINT and `HEALTHCHECK CMD`.
    ///
    /// ## Why is this bad?
    /// In shell form the process runs under `/bin/sh -c` and does not receive signals such as SIGTERM, so containers stop slowly.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// CMD nginx -g "daemon off;"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM nginx:1.27
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    ///
    /// ## Fix
    /// Rewrites CMD/ENTRYPOINT in JSON form when the command is plain words (no quotes,
    /// variables, globs, operators or redirections), where both forms run the same program
    /// with the same arguments.
    pub(crate) Dl3025ShellFormCmd {
        code: "DL3025",
        name: "shell-form-cmd",
        category: Correctness,
        level: Warning,
        fix: Safe,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3025", Same)],
    }
}

impl Rule for Dl3025ShellFormCmd {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Cmd, Keyword::Entrypoint, Keyword::Healthcheck]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let shell = match node.kind() {
            InstructionKind::Cmd(c) | InstructionKind::Entrypoint(c) => {
                matches!(c, CommandLine::Shell(_))
            }
            InstructionKind::Healthcheck(Healthcheck::Cmd { command, .. }) => {
                matches!(command, CommandLine::Shell(_))
            }
            _ => false,
        };
        if shell {
            out.push(
                Self::META
                    .finding(
                        "use arguments JSON notation for CMD and ENTRYPOINT arguments",
                        node.span(),
                    )
                    .with_note("in shell form the process does not receive signals")
                    .with_fix(fixes::exec_form(ctx, node)),
            );
        }
    }
}
