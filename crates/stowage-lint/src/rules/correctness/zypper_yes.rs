use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// `zypper install` may stop to ask for confirmation.
    ///
    /// ## What it does
    /// Flags `zypper install`/`in`/`remove`/`rm`/`source-install`/`si`/`patch` without `-n`/`--non-
    /// interactive`/`-y`/`--no-confirm`.
    ///
    /// ## Why is this bad?
    /// A build has no terminal: the prompt reads end-of-file and the step fails, or hangs in some
    /// setups.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install httpd=2.4.58 && zypper clean
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper -n install httpd=2.4.58 && zypper clean
    /// ```
    pub(crate) Dl3034ZypperYes {
        code: "DL3034",
        name: "zypper-missing-yes",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3034", Same)],
    }
}

impl Rule for Dl3034ZypperYes {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            if c.name().is_some_and(|n| n == "zypper")
                && c.subcommand_is(&[
                    "install",
                    "in",
                    "remove",
                    "rm",
                    "source-install",
                    "si",
                    "patch",
                ])
                && !c.has_any_flag(&["n", "non-interactive", "y", "no-confirm"])
            {
                out.push(
                    Self::META
                        .finding("use the `-n` switch to avoid manual input", c.span)
                        .with_help("add `-n`"),
                );
            }
        }
    }
}
