use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::{commands_after, has_cache_mount, removes};

crate::declare_rule! {
    /// `yum install` leaves its package cache in the layer.
    ///
    /// ## What it does
    /// Flags `yum install` when no `yum clean all` follows it in the same RUN and the RUN does not
    /// remove `/var/cache/yum`. A cache mount on `/var/cache/yum` exempts the RUN.
    ///
    /// ## Why is this bad?
    /// The cache is only useful during the build; left in the layer it makes the image larger for
    /// nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd-2.4.6
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd-2.4.6 && yum clean all
    /// ```
    ///
    /// ## Differences
    /// hadolint 2.15 has no exemption for a cache or tmpfs mount on `/var/cache/yum` (its
    /// apt, apk, dnf, zypper and yarn rules have one), and only looks at `yum install`, not
    /// `groupinstall`/`localinstall`. It also accepts any later `yum` command with a `clean` or
    /// `all` argument (`yum list all`) and any `rm -rf`, whatever it removes, while rejecting
    /// `rm -fr /var/cache/yum`. This rule wants `yum clean all` or a removal of `/var/cache/yum`.
    pub(crate) Dl3032YumClean {
        code: "DL3032",
        name: "yum-cache-not-cleaned",
        category: ImageSize,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3032", Different)],
    }
}

impl Rule for Dl3032YumClean {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        if has_cache_mount(node, &["/var/cache/yum"]) || removes(script, &["/var/cache/yum"]) {
            return;
        }
        for c in &script.commands {
            if !(c.name().is_some_and(|n| n == "yum")
                && c.subcommand_is(&["install", "groupinstall", "localinstall"]))
            {
                continue;
            }
            let cleaned = commands_after(script, c)
                .any(|x| x.is("yum") && x.subcommand_is(&["clean"]) && x.has_arg("all"));
            if !cleaned {
                out.push(
                    Self::META
                        .finding("`yum clean all` missing after yum command", c.span)
                        .with_help("end the RUN with `&& yum clean all`"),
                );
            }
        }
    }
}
