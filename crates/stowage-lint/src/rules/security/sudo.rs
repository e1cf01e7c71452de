use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// RUN uses `sudo`.
    ///
    /// ## What it does
    /// Flags every `sudo` command in a RUN, wherever it is in the script.
    ///
    /// ## Why is this bad?
    /// Build steps already run as the current USER; `sudo` adds unpredictable TTY and permission behaviour. Switch with `USER` instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN sudo apt-get update
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// USER root
    /// RUN apt-get update
    /// ```
    pub(crate) Dl3004Sudo {
        code: "DL3004",
        name: "sudo",
        category: Security,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3004", Same)],
    }
}

impl Rule for Dl3004Sudo {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            if c.is("sudo") {
                out.push(Self::META.finding("do not use sudo as it leads to unpredictable behavior; use a tool like gosu or switch USER", c.span));
            }
        }
    }
}
