use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

use crate::rules::helpers::{has_cache_mount, removes, subcommands};

crate::declare_rule! {
    /// `apt-get update` leaves the package lists in the layer.
    ///
    /// ## What it does
    /// Flags `apt-get update` (also `apt` and `aptitude`) when the same RUN does not remove
    ///  `/var/lib/apt/lists`. Only stages that matter are checked: the final stage and the stages
    ///  it builds on or copies from. A cache or tmpfs mount on `/var/lib/apt/lists` exempts it.
    ///
    /// ## Why is this bad?
    /// The lists take tens of megabytes and are stale the moment the image is built.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Differences
    /// hadolint checks the final stage and the stages a later FROM builds on. Stowage also
    /// checks the stages that a used stage copies from (`COPY --from`, `RUN --mount=from=`):
    /// their lists end up in a layer that is built, even if only some files are copied out.
    pub(crate) Dl3009AptListsCleanup {
        code: "DL3009",
        name: "apt-lists-not-removed",
        category: ImageSize,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3009", Different)],
    }
}

impl Rule for Dl3009AptListsCleanup {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        if node.stage.is_some_and(|s| !ctx.is_stage_used(s))
            || has_cache_mount(node, &["/var/lib/apt/lists", "/var/lib/apt"])
            || removes(script, &["/var/lib/apt/lists"])
        {
            return;
        }
        if let Some(c) = subcommands(script, &["apt-get", "apt", "aptitude"], &["update"]).next() {
            out.push(
                Self::META
                    .finding(
                        "delete the apt-get lists after installing something",
                        c.span,
                    )
                    .with_help("end the RUN with `&& rm -rf /var/lib/apt/lists/*`"),
            );
        }
    }
}
