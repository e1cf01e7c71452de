use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::fixes;

crate::declare_rule! {
    /// MAINTAINER is deprecated.
    ///
    /// ## What it does
    /// Flags every MAINTAINER instruction.
    ///
    /// ## Why is this bad?
    /// MAINTAINER is deprecated in favour of `LABEL org.opencontainers.image.authors=...`, which
    ///  tools can read from the image config.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// MAINTAINER me@example.com
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.authors="me@example.com"
    /// ```
    ///
    /// ## Fix
    /// Replaces the instruction with that label (safe; not offered when the value uses a
    /// variable or spans several lines).
    pub(crate) MaintainerDeprecated {
        code: "SW801",
        name: "maintainer-deprecated",
        category: Deprecated,
        level: Warning,
        fix: Safe,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("MaintainerDeprecated", Same)],
    }
}

impl Rule for MaintainerDeprecated {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Maintainer]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        out.push(
            Self::META
                .finding(
                    "the MAINTAINER instruction is deprecated, use a label instead",
                    node.instruction.keyword_span,
                )
                .with_help("use `LABEL org.opencontainers.image.authors=\"...\"`")
                .with_fix(fixes::maintainer_to_label(ctx, node)),
        );
    }
}
