use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// An `apt-get install` package has no version.
    ///
    /// ## What it does
    /// Flags each package of `apt-get install` without `=version`. Arguments containing `/` and
    ///  `.deb` files are not packages; the value of `-t`/`--target-release` is skipped.
    ///
    /// ## Why is this bad?
    /// Without a version the image depends on whatever the archive has on build day.
    ///  Note that pinned versions disappear from Debian and Ubuntu archives, which is why many teams
    ///  turn this rule off.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get install -y curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get install -y curl=7.88.1-10+deb12u8
    /// ```
    pub(crate) Dl3008AptGetPin {
        code: "DL3008",
        name: "apt-get-unpinned",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3008", Same)],
    }
}

impl Rule for Dl3008AptGetPin {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    #[expect(
        clippy::case_sensitive_file_extension_comparisons,
        reason = "package file names are compared as written, like hadolint does"
    )]
    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in script.commands_named("apt-get") {
            let mut ops = c.operands(&["o", "t", "target-release", "c", "config-file"]);
            if ops.next().is_none_or(|w| w.text != "install") {
                continue;
            }
            for pkg in ops {
                let t = pkg.text.as_str();
                if !t.contains('=') && !t.contains('/') && !t.ends_with(".deb") {
                    out.push(
                        Self::META
                            .finding(
                                format!("pin versions in apt-get install: `{t}` has no version"),
                                pkg.span,
                            )
                            .with_help(format!("write `{t}=<version>`")),
                    );
                }
            }
        }
    }
}
