use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::strip_quotes;

crate::declare_rule! {
    /// COPY --from copies the whole root filesystem of another image.
    ///
    /// ## What it does
    /// Flags `COPY --from=<stage or image> / /`.
    ///
    /// ## Why is this bad?
    /// It copies everything, `/proc` mount points, caches and package databases included, over the
    /// current image; copy the paths you need.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12 AS build
    /// FROM debian:12
    /// COPY --from=build / /
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12 AS build
    /// FROM debian:12
    /// COPY --from=build /out/app /usr/local/bin/app
    /// ```
    pub(crate) Dl3067CopyFromRoot {
        code: "DL3067",
        name: "copy-whole-root-from-stage",
        category: Suspicious,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3067", Same)],
    }
}

impl Rule for Dl3067CopyFromRoot {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Copy]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Copy(c) = node.kind() else {
            return;
        };
        if c.from.is_none() {
            return;
        }
        let root = |t: &str| strip_quotes(t) == "/";
        if c.paths.sources.len() == 1 && root(&c.paths.sources[0].text) && root(&c.paths.dest.text)
        {
            out.push(Self::META.finding(
                "avoid copying the whole root of another image or stage",
                c.paths.sources[0].span.cover(c.paths.dest.span),
            ));
        }
    }
}
