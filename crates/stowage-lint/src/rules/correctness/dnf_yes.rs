use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// `dnf install` may stop to ask for confirmation.
    ///
    /// ## What it does
    /// Flags `dnf install` (also `dnf5` and `microdnf`, and `groupinstall`/`localinstall`) without
    /// `-y`/`--assumeyes`.
    ///
    /// ## Why is this bad?
    /// A build has no terminal: the prompt reads end-of-file and the step fails, or hangs in some
    /// setups.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install httpd-2.4.62 && dnf clean all
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62 && dnf clean all
    /// ```
    pub(crate) Dl3038DnfYes {
        code: "DL3038",
        name: "dnf-missing-yes",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3038", Same)],
    }
}

impl Rule for Dl3038DnfYes {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            if c.name()
                .is_some_and(|n| n == "dnf" || n == "dnf5" || n == "microdnf")
                && c.subcommand_is(&["install", "groupinstall", "localinstall"])
                && !c.has_any_flag(&["y", "assumeyes"])
            {
                out.push(
                    Self::META
                        .finding("use the `-y` switch to avoid manual input", c.span)
                        .with_help("add `-y`"),
                );
            }
        }
    }
}
