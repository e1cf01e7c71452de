use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::{commands_after, has_cache_mount, removes};

crate::declare_rule! {
    /// `zypper install` leaves its package cache in the layer.
    ///
    /// ## What it does
    /// Flags `zypper install`/`in` when no `zypper clean` (or `cc`) follows it in the same RUN. A
    /// cache mount on `/var/cache/zypp` exempts the RUN.
    ///
    /// ## Why is this bad?
    /// The cache is only useful during the build; left in the layer it makes the image larger for
    /// nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install -y httpd=2.4.58
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install -y httpd=2.4.58 && zypper clean
    /// ```
    pub(crate) Dl3036ZypperClean {
        code: "DL3036",
        name: "zypper-cache-not-cleaned",
        category: ImageSize,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3036", Same)],
    }
}

impl Rule for Dl3036ZypperClean {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        if has_cache_mount(node, &["/var/cache/zypp"]) || removes(script, &["/var/cache/zypp"]) {
            return;
        }
        for c in &script.commands {
            if !(c.name().is_some_and(|n| n == "zypper") && c.subcommand_is(&["install", "in"])) {
                continue;
            }
            let cleaned = commands_after(script, c)
                .any(|x| x.is("zypper") && x.subcommand_is(&["clean", "cc"]));
            if !cleaned {
                out.push(
                    Self::META
                        .finding("`zypper clean` missing after zypper use", c.span)
                        .with_help("end the RUN with `&& zypper clean`"),
                );
            }
        }
    }
}
