use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::fixes;

use crate::rules::helpers::{has_cache_mount, subcommands};

crate::declare_rule! {
    /// `apk add` without `--no-cache`.
    ///
    /// ## What it does
    /// Flags `apk add` without `--no-cache`. A cache or tmpfs mount on `/var/cache/apk` exempts it.
    ///
    /// ## Why is this bad?
    /// The index and packages are kept in `/var/cache/apk` and end up in the layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add curl=8.9.1-r0
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl=8.9.1-r0
    /// ```
    ///
    /// ## Fix
    /// Adds `--no-cache` after `add` (safe: the installed packages are the same; only the
    /// index cache is not kept).
    pub(crate) Dl3019ApkNoCache {
        code: "DL3019",
        name: "apk-add-cache",
        category: ImageSize,
        level: Info,
        fix: Safe,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3019", Same)],
    }
}

impl Rule for Dl3019ApkNoCache {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        if has_cache_mount(node, &["/var/cache/apk"]) {
            return;
        }
        for c in subcommands(script, &["apk"], &["add"]) {
            if !c.has_flag("no-cache") {
                out.push(
                    Self::META
                        .finding("use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages", c.span)
                        .with_help("add `--no-cache`")
                        .with_fix(fixes::insert_flag(node, c, "add", "--no-cache", true)),
                );
            }
        }
    }
}
