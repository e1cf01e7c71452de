use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// RUN uses `apt` instead of `apt-get` or `apt-cache`.
    ///
    /// ## What it does
    /// Flags every `apt` command.
    ///
    /// ## Why is this bad?
    /// `apt` is meant for interactive use and warns that its interface is unstable in scripts.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt install -y curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get install -y curl
    /// ```
    pub(crate) Dl3027Apt {
        code: "DL3027",
        name: "apt",
        category: Style,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3027", Same)],
    }
}

impl Rule for Dl3027Apt {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            if c.is("apt") {
                out.push(Self::META.finding("do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead", c.span));
            }
        }
    }
}
