use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::packages;

crate::declare_rule! {
    /// A `zypper install` package has no version.
    ///
    /// ## What it does
    /// Flags each package of `zypper install`/`in` without `=`, `>=`, `>`, `<=` or `<`. `.rpm`
    /// files pass.
    ///
    /// ## Why is this bad?
    /// Without a version the image depends on the repository state on build day.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install -y httpd && zypper clean
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// RUN zypper install -y httpd=2.4.58 && zypper clean
    /// ```
    pub(crate) Dl3037ZypperPin {
        code: "DL3037",
        name: "zypper-unpinned",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3037", Same)],
    }
}

impl Rule for Dl3037ZypperPin {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            if !matches!(c.name(), Some("zypper")) {
                continue;
            }
            let Some(pkgs) = packages(c, &["install", "in"], VALUE_FLAGS) else {
                continue;
            };
            for w in pkgs {
                let t = w.text.as_str();
                let ok = t.contains(['=', '>', '<']) || has_rpm_suffix(t);
                if !ok {
                    out.push(
                        Self::META
                            .finding(
                                format!(
                                    "specify version with `zypper install`: `{t}` has no version"
                                ),
                                w.span,
                            )
                            .with_help("write the package with a version"),
                    );
                }
            }
        }
    }
}

const VALUE_FLAGS: &[&str] = &["r", "repo", "from", "t", "type", "root", "R", "c", "config"];

#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "package file names are compared as written, like hadolint does"
)]
fn has_rpm_suffix(t: &str) -> bool {
    t.ends_with(".rpm")
}
