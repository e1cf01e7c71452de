use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// FROM uses the `latest` tag.
    ///
    /// ## What it does
    /// Flags FROM images tagged `latest`, unless a digest is also given.
    ///
    /// ## Why is this bad?
    /// `latest` moves; the next build may get a different base image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:latest
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// ```
    pub(crate) Dl3007FromLatest {
        code: "DL3007",
        name: "from-latest",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3007", Same)],
    }
}

impl Rule for Dl3007FromLatest {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        let r = crate::rules::helpers::image_ref(&from.image.text);
        if r.tag == Some("latest") && r.digest.is_none() {
            out.push(Self::META.finding("using latest is prone to errors if the image will ever update; pin the version explicitly", from.image.span));
        }
    }
}
