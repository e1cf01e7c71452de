use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::packages;

crate::declare_rule! {
    /// A `gem install` gem has no version.
    ///
    /// ## What it does
    /// Flags each gem of `gem install`/`gem i` written without `:version`, unless `-v`/`--version`
    /// is given. Words after `--` are build options and are not checked.
    ///
    /// ## Why is this bad?
    /// Without a version the image depends on what rubygems.org serves on build day.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ruby:3.3
    /// RUN gem install bundler
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM ruby:3.3
    /// RUN gem install bundler:2.5.22
    /// ```
    pub(crate) Dl3028GemPin {
        code: "DL3028",
        name: "gem-unpinned",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3028", Same)],
    }
}

impl Rule for Dl3028GemPin {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in script.commands_named("gem") {
            if c.has_any_flag(&["v", "version"]) {
                continue;
            }
            let Some(pkgs) = packages(c, &["install", "i"], VALUE_FLAGS) else {
                continue;
            };
            let end = c
                .args
                .iter()
                .find(|w| w.text == "--")
                .map_or(u32::MAX, |w| w.span.start);
            for w in pkgs.into_iter().filter(|w| w.span.start < end) {
                let t = w.text.as_str();
                if !t.contains(':') && !has_gem_suffix(t) {
                    out.push(
                        Self::META
                            .finding(
                                format!("pin versions in gem install: `{t}` has no version"),
                                w.span,
                            )
                            .with_help(format!("write `{t}:<version>`")),
                    );
                }
            }
        }
    }
}

const VALUE_FLAGS: &[&str] = &[
    "i",
    "install-dir",
    "n",
    "bindir",
    "s",
    "source",
    "P",
    "trust-policy",
    "platform",
    "g",
    "file",
    "build-root",
    "document",
];

#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "gem file names are compared as written"
)]
fn has_gem_suffix(t: &str) -> bool {
    t.ends_with(".gem")
}
