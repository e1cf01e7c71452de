use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::{is_declared_variable, packages, rpm_pinned};

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
        for c in &script.commands {
            if !matches!(c.name(), Some("dnf" | "dnf5" | "microdnf")) {
                continue;
            }
            let module = c.subcommand_is(&["module"]);
            let pkgs: Vec<_> = if module {
                let mut ops = c.operands(VALUE_FLAGS).skip(1);
                if ops.next().is_none_or(|w| w.text != "install") {
                    continue;
                }
                ops.collect()
            } else {
                match packages(c, &["install"], VALUE_FLAGS) {
                    Some(p) => p,
                    None => continue,
                }
            };
            for w in pkgs {
                let t = w.text.as_str();
                let ok = if module {
                    t.contains(':')
                } else {
                    rpm_pinned(t) || is_declared_variable(ctx, node, t)
                };
                if !ok {
                    out.push(
                        Self::META
                            .finding(
                                format!("specify version with `dnf install`: `{t}` has no version"),
                                w.span,
                            )
                            .with_help("write the package with a version"),
                    );
                }
            }
        }
    }
}

const VALUE_FLAGS: &[&str] = &[
    "c",
    "config",
    "d",
    "debuglevel",
    "e",
    "errorlevel",
    "installroot",
    "releasever",
    "x",
    "exclude",
    "enablerepo",
    "disablerepo",
    "setopt",
];
