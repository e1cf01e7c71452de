use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// RUN calls a command that makes no sense in a container build.
    ///
    /// ## What it does
    /// Flags `free`, `kill`, `mount`, `ps`, `service`, `shutdown`, `ssh`, `top` and `vim`.
    ///
    /// ## Why is this bad?
    /// These inspect or control a running system or need a terminal; in a build step they do nothing useful.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN service nginx start
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    pub(crate) Dl3001PointlessCommand {
        code: "DL3001",
        name: "pointless-command",
        category: Suspicious,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3001", Same)],
    }
}

impl Rule for Dl3001PointlessCommand {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            if c.name().is_some_and(|n| {
                [
                    "free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim",
                ]
                .contains(&n)
            }) {
                out.push(Self::META.finding(format!("for some bash commands it makes no sense running them in a Docker container like `{}`", c.name().unwrap_or_default()), c.span));
            }
        }
    }
}
