use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::rpm_unpinned;

crate::declare_rule! {
    /// A `dnf install` package has no version.
    ///
    /// ## What it does
    /// Flags each package of `dnf`/`dnf5`/`microdnf` `install` without a version (a `-` followed
    /// by a digit or a variable), with the same exemptions as DL3033 (`.rpm` files, declared
    /// variables, `module install` entries with `:stream`).
    ///
    /// ## Why is this bad?
    /// Without a version the image depends on the repository state on build day.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd && dnf clean all
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM fedora:40
    /// RUN dnf install -y httpd-2.4.62 && dnf clean all
    /// ```
    ///
    /// ## Differences
    /// hadolint 2.15.1 flags local `.rpm` files and packages given as declared variables
    /// (see DL3033), and does not know `dnf5`. This rule exempts the former and checks `dnf5`.
    pub(crate) Dl3041DnfPin {
        code: "DL3041",
        name: "dnf-unpinned",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3041", Different)],
    }
}

impl Rule for Dl3041DnfPin {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for w in rpm_unpinned(ctx, node, script, &["dnf", "dnf5", "microdnf"]) {
            out.push(
                Self::META
                    .finding(
                        format!(
                            "specify version with `dnf install`: `{}` has no version",
                            w.text
                        ),
                        w.span,
                    )
                    .with_help("write the package with a version"),
            );
        }
    }
}
