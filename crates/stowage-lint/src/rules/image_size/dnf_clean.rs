use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::{commands_after, has_cache_mount, removes};

crate::declare_rule! {
    /// `dnf install` leaves its package cache in the layer.
    ///
    /// ## What it does
    /// Flags `dnf`/`dnf5`/`microdnf` `install`, `upgrade` and `reinstall` when no `clean all`
    /// follows in the same RUN and the RUN does not remove `/var/cache/libdnf5` (or
    /// `/var/cache/dnf`). A cache mount there exempts the RUN.
    ///
    /// ## Why is this bad?
    /// The cache is only useful during the build; left in the layer it makes the image larger for
    /// nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62 && dnf clean all
    /// ```
    pub(crate) Dl3040DnfClean {
        code: "DL3040",
        name: "dnf-cache-not-cleaned",
        category: ImageSize,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3040", Same)],
    }
}

impl Rule for Dl3040DnfClean {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        if has_cache_mount(node, &["/var/cache/libdnf5", "/var/cache/dnf"])
            || removes(
                script,
                &["/var/cache/libdnf5", "/var/cache/dnf", "/var/cache/yum"],
            )
        {
            return;
        }
        for c in &script.commands {
            if !(c
                .name()
                .is_some_and(|n| n == "dnf" || n == "dnf5" || n == "microdnf")
                && c.subcommand_is(&[
                    "install",
                    "upgrade",
                    "reinstall",
                    "groupinstall",
                    "localinstall",
                ]))
            {
                continue;
            }
            let cleaned = commands_after(script, c).any(|x| {
                x.name()
                    .is_some_and(|n| n == "dnf" || n == "dnf5" || n == "microdnf")
                    && x.subcommand_is(&["clean"])
                    && x.has_arg("all")
            });
            if !cleaned {
                out.push(
                    Self::META
                        .finding("`dnf clean all` missing after dnf command", c.span)
                        .with_help("end the RUN with `&& dnf clean all`"),
                );
            }
        }
    }
}
