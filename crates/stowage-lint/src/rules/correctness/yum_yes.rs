use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// `yum install` may stop to ask for confirmation.
    ///
    /// ## What it does
    /// Flags `yum install`, `groupinstall` and `localinstall` without `-y`/`--assumeyes`.
    ///
    /// ## Why is this bad?
    /// A build has no terminal: the prompt reads end-of-file and the step fails, or hangs in some
    /// setups.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install httpd-2.4.6 && yum clean all
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd-2.4.6 && yum clean all
    /// ```
    pub(crate) Dl3030YumYes {
        code: "DL3030",
        name: "yum-missing-yes",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3030", Same)],
    }
}

impl Rule for Dl3030YumYes {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            if c.name().is_some_and(|n| n == "yum")
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
