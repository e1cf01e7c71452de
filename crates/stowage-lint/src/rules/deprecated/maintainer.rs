use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::fixes;

crate::declare_rule! {
    /// MAINTAINER is deprecated.
    ///
    /// ## What it does
    /// Flags every MAINTAINER instruction (hadolint reports it as an error).
    ///
    /// ## Why is this bad?
    /// Use `LABEL org.opencontainers.image.authors=...`; MAINTAINER is deprecated.
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
    pub(crate) Dl4000Maintainer {
        code: "DL4000",
        name: "maintainer",
        category: Deprecated,
        level: Error,
        fix: Safe,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL4000", Same)],
    }
}

impl Rule for Dl4000Maintainer {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Maintainer]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        out.push(
            Self::META
                .finding("MAINTAINER is deprecated", node.instruction.keyword_span)
                .with_fix(fixes::maintainer_to_label(ctx, node)),
        );
    }
}
