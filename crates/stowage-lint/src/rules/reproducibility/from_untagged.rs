use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// FROM names an image without a tag or digest.
    ///
    /// ## What it does
    /// Flags FROM images with neither a tag nor a digest. `scratch`, names starting with `$` and earlier stage names are skipped.
    ///
    /// ## Why is this bad?
    /// Without a tag the build takes `latest`, which changes under you.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// ```
    pub(crate) Dl3006FromUntagged {
        code: "DL3006",
        name: "from-untagged",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3006", Same)],
    }
}

impl Rule for Dl3006FromUntagged {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        let image = from.image.text.as_str();
        let stage = node.stage.unwrap_or(0);
        if image == "scratch" || image.starts_with('$') || ctx.stage_aliased(image, stage).is_some()
        {
            return;
        }
        let r = crate::rules::helpers::image_ref(image);
        if r.tag.is_none() && r.digest.is_none() {
            out.push(Self::META.finding(
                format!("always tag the version of an image explicitly: `{image}`"),
                from.image.span,
            ));
        }
    }
}
