use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::fixes;

crate::declare_rule! {
    /// `apt-get install` without `--no-install-recommends`.
    ///
    /// ## What it does
    /// Flags `apt-get install` without `--no-install-recommends` or `-o APT::Install-Recommends=false`.
    ///
    /// ## Why is this bad?
    /// Recommended packages are rarely needed in an image and can double its size.
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
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Adds `--no-install-recommends` after `install`. Unsafe: the packages installed change,
    /// and a build that relied on a recommended package breaks, so `--fix` applies it only
    /// with `--unsafe-fixes`.
    pub(crate) Dl3015AptGetRecommends {
        code: "DL3015",
        name: "apt-get-install-recommends",
        category: ImageSize,
        level: Info,
        fix: Unsafe,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3015", Same)],
    }
}

impl Rule for Dl3015AptGetRecommends {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            if c.is("apt-get")
                && c.operands(&["o", "t", "target-release", "c", "config-file"])
                    .next()
                    .is_some_and(|w| w.text == "install")
                && !c.has_flag("no-install-recommends")
                && !c.arg_texts().any(|a| {
                    a.contains("APT::Install-Recommends=false")
                        || a.contains("APT::Install-Recommends=\"false\"")
                })
            {
                out.push(
                    Self::META
                        .finding(
                            "avoid additional packages by specifying `--no-install-recommends`",
                            c.span,
                        )
                        .with_fix(fixes::insert_flag(
                            node,
                            c,
                            "install",
                            "--no-install-recommends",
                            false,
                        )),
                );
            }
        }
    }
}
