use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// An `apk add` package has no version.
    ///
    /// ## What it does
    /// Flags each package of `apk add` without `=`, `~`, `>` or `<`. `.apk` files pass; the
    ///  values of `-t`/`--virtual`, `--repository`/`-X` are skipped.
    ///
    /// ## Why is this bad?
    /// Without a version the image depends on the repository state on build day.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl=8.9.1-r0
    /// ```
    pub(crate) Dl3018ApkPin {
        code: "DL3018",
        name: "apk-add-unpinned",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3018", Same)],
    }
}

impl Rule for Dl3018ApkPin {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    #[expect(
        clippy::case_sensitive_file_extension_comparisons,
        reason = "package file names are compared as written, like hadolint does"
    )]
    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in script.commands_named("apk") {
            let mut ops = c.operands(&[
                "t",
                "virtual",
                "repository",
                "X",
                "p",
                "root",
                "keys-dir",
                "repositories-file",
                "cache-dir",
                "arch",
            ]);
            if ops.next().is_none_or(|w| w.text != "add") {
                continue;
            }
            for pkg in ops {
                let t = pkg.text.as_str();
                if !t.contains(['=', '~', '>', '<']) && !t.ends_with(".apk") {
                    out.push(
                        Self::META
                            .finding(
                                format!("pin versions in apk add: `{t}` has no version"),
                                pkg.span,
                            )
                            .with_help(format!("write `{t}=<version>`")),
                    );
                }
            }
        }
    }
}
