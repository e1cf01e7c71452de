use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::rpm_unpinned;

crate::declare_rule! {
    /// A `yum install` package has no version.
    ///
    /// ## What it does
    /// Flags each package of `yum install` without a version: a `-` followed by a digit or a
    /// variable (`httpd-2.4.6`, `httpd-$VERSION`). `.rpm` files pass, and so does
    /// `$VAR`/`${VAR}` when VAR is an ARG or ENV in scope. `yum module install` entries need a
    /// `:stream`. `groupinstall` and `localinstall` are not checked (groups and local files
    /// have no version to pin).
    ///
    /// ## Why is this bad?
    /// Without a version the image depends on the repository state on build day.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd && yum clean all
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM centos:7
    /// RUN yum install -y httpd-2.4.6 && yum clean all
    /// ```
    ///
    /// ## Differences
    /// hadolint 2.15.1 flags local `.rpm` files (`yum install /tmp/app.rpm`) and a package given
    /// as a declared variable (`yum install ${PKG}`), whose versions are fixed elsewhere; its
    /// current sources exempt both, and so does this rule.
    pub(crate) Dl3033YumPin {
        code: "DL3033",
        name: "yum-unpinned",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3033", Different)],
    }
}

impl Rule for Dl3033YumPin {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for w in rpm_unpinned(ctx, node, script, &["yum"]) {
            out.push(
                Self::META
                    .finding(
                        format!(
                            "specify version with `yum install`: `{}` has no version",
                            w.text
                        ),
                        w.span,
                    )
                    .with_help("write the package with a version"),
            );
        }
    }
}
