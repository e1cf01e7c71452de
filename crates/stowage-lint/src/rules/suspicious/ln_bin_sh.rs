use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// RUN replaces `/bin/sh` with `ln`.
    ///
    /// ## What it does
    /// Flags `ln` commands whose arguments include `/bin/sh`.
    ///
    /// ## Why is this bad?
    /// Use the SHELL instruction to change the shell RUN uses; replacing `/bin/sh` changes every script in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN ln -sf /bin/bash /bin/sh
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// SHELL ["/bin/bash", "-c"]
    /// ```
    pub(crate) Dl4005LnBinSh {
        code: "DL4005",
        name: "ln-bin-sh",
        category: Suspicious,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL4005", Same)],
    }
}

impl Rule for Dl4005LnBinSh {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            if c.is("ln") && c.operands(&[]).any(|w| w.text == "/bin/sh") {
                out.push(Self::META.finding("use SHELL to change the default shell", c.span));
            }
        }
    }
}
