use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::packages;

crate::declare_rule! {
    /// An `npm install` package has no version.
    ///
    /// ## What it does
    /// Flags each package of `npm install`/`npm i`/`npm add` without `@version`. Git URLs need a
    /// `#ref`; tarballs and local paths pass, and so do a bare `npm install` and `npm ci` (they
    /// follow the lock file).
    ///
    /// ## Why is this bad?
    /// Without a version the image depends on what the registry serves on build day.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// RUN npm install -g typescript
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22
    /// RUN npm install -g typescript@5.6.3
    /// ```
    ///
    /// ## Differences
    /// hadolint only looks at `npm install`; its aliases `npm i` and `npm add` install the
    /// same unpinned packages and are checked here too.
    pub(crate) Dl3016NpmPin {
        code: "DL3016",
        name: "npm-unpinned",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3016", Different)],
    }
}

impl Rule for Dl3016NpmPin {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in script.commands_named("npm") {
            let Some(pkgs) = packages(c, &["install", "i", "add"], VALUE_FLAGS) else {
                continue;
            };
            for w in pkgs {
                let t = w.text.as_str();
                if !pinned(t) {
                    out.push(
                        Self::META
                            .finding(format!("pin versions in npm: `{t}` has no version"), w.span)
                            .with_help(format!("write `{t}@<version>`")),
                    );
                }
            }
        }
    }
}

const VALUE_FLAGS: &[&str] = &[
    "prefix",
    "registry",
    "tag",
    "w",
    "workspace",
    "cache",
    "only",
    "omit",
    "include",
    "userconfig",
    "C",
];

#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "package file names are compared as written, like hadolint does"
)]
fn pinned(t: &str) -> bool {
    let git = ["git:", "git+", "github:", "gitlab:", "bitbucket:", "gist:"]
        .iter()
        .any(|p| t.starts_with(p));
    if git {
        return t.contains('#');
    }
    if t.starts_with(['.', '/', '~'])
        || t.starts_with("file:")
        || t.ends_with(".tgz")
        || t.ends_with(".tar.gz")
        || t.ends_with(".tar")
    {
        return true;
    }
    if t.starts_with("http://") || t.starts_with("https://") {
        return t.contains('#');
    }
    match t.strip_prefix('@') {
        // `@scope/name@version`
        Some(scoped) => scoped.contains('@'),
        // `user/repo` is a GitHub shorthand: it needs a ref.
        None if t.contains('/') => t.contains('#'),
        None => t.contains('@'),
    }
}
