use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::pip_install;

crate::declare_rule! {
    /// A `pip install` package has no version.
    ///
    /// ## What it does
    /// Flags each package of `pip install` (any command whose name starts with `pip`, and `python
    /// -m pip install`) without a version specifier (`==`, `>=`, `<=`, `>`, `<`, `!=`, `~=`,
    /// `===`). Requirement files (`-r`), constraints (`-c`), `.`, paths, VCS URLs, wheels and
    /// `.tar.gz` archives pass. Like hadolint, `pipx install` is checked too.
    ///
    /// ## Why is this bad?
    /// Without a version the image depends on what the package index serves on build day.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12
    /// RUN pip install --no-cache-dir requests
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12
    /// RUN pip install --no-cache-dir requests==2.32.3
    /// ```
    pub(crate) Dl3013PipPin {
        code: "DL3013",
        name: "pip-unpinned",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3013", Same)],
    }
}

impl Rule for Dl3013PipPin {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            let Some(pkgs) = pip_install(c) else { continue };
            for w in pkgs {
                let t = w.text.as_str();
                if !pinned(t) {
                    out.push(
                        Self::META
                            .finding(format!("pin versions in pip: `{t}` has no version"), w.span)
                            .with_help(format!("write `{t}==<version>`")),
                    );
                }
            }
        }
    }
}

#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "package file names are compared as written, like hadolint does"
)]
fn pinned(t: &str) -> bool {
    ["==", ">=", "<=", ">", "<", "!=", "~=", "==="]
        .iter()
        .any(|op| t.contains(op))
        || t == "."
        || t.contains('/')
        || t.ends_with(".whl")
        || t.ends_with(".tar.gz")
        || t.contains('@')
}
