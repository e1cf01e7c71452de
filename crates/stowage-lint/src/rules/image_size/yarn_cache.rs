use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::{commands_after, has_cache_mount, removes};

crate::declare_rule! {
    /// `yarn install` leaves its package cache in the layer.
    ///
    /// ## What it does
    /// Flags `yarn install` when no `yarn cache clean` follows it in the same RUN. Like hadolint,
    /// only the final stage and the stages a later FROM builds on are checked: a stage that is
    /// only copied from keeps its cache out of the image. A cache mount whose target mentions
    /// `yarn` exempts the RUN.
    ///
    /// ## Why is this bad?
    /// The cache is only useful during the build; left in the layer it makes the image larger for
    /// nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// RUN yarn install
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22
    /// RUN yarn install && yarn cache clean
    /// ```
    pub(crate) Dl3060YarnCache {
        code: "DL3060",
        name: "yarn-cache-not-cleaned",
        category: ImageSize,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3060", Same)],
    }
}

impl Rule for Dl3060YarnCache {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        if node.stage.is_some_and(|s| !ctx.is_stage_built_on(s)) {
            return;
        }
        if has_cache_mount(node, &["yarn"]) || removes(script, &["/usr/local/share/.cache/yarn"]) {
            return;
        }
        for c in &script.commands {
            if !(c.name().is_some_and(|n| n == "yarn") && c.subcommand_is(&["install"])) {
                continue;
            }
            let cleaned = commands_after(script, c)
                .any(|x| x.is("yarn") && x.subcommand_is(&["cache"]) && x.has_arg("clean"));
            if !cleaned {
                out.push(
                    Self::META
                        .finding("`yarn cache clean` missing after `yarn install`", c.span)
                        .with_help("end the RUN with `&& yarn cache clean`"),
                );
            }
        }
    }
}
