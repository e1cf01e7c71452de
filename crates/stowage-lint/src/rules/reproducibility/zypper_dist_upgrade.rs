use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// `zypper dist-upgrade` upgrades the whole distribution.
    ///
    /// ## What it does
    /// Flags `zypper dist-upgrade` and `zypper dup`.
    ///
    /// ## Why is this bad?
    /// A distribution upgrade inside a build changes the base image in ways nobody reviewed and
    /// makes the result depend on the day it is built. Use a newer base image instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper dist-upgrade -y
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install -y httpd=2.4.58 && zypper clean
    /// ```
    pub(crate) Dl3035ZypperDistUpgrade {
        code: "DL3035",
        name: "zypper-dist-upgrade",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3035", Same)],
    }
}

impl Rule for Dl3035ZypperDistUpgrade {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in script.commands_named("zypper") {
            if c.subcommand_is(&["dist-upgrade", "dup"]) {
                out.push(
                    Self::META
                        .finding("do not use `zypper dist-upgrade`", c.span)
                        .with_help("build from a newer base image"),
                );
            }
        }
    }
}
