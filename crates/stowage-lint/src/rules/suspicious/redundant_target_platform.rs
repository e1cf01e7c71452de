use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// FROM sets `--platform` to the default `$TARGETPLATFORM`.
    ///
    /// ## What it does
    /// Flags `FROM --platform=$TARGETPLATFORM` and `${TARGETPLATFORM}`.
    ///
    /// ## Why is this bad?
    /// The target platform is already the default; the flag only adds noise.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=$TARGETPLATFORM alpine:3.20
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ```
    pub(crate) RedundantTargetPlatform {
        code: "SW303",
        name: "redundant-target-platform",
        category: Suspicious,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("RedundantTargetPlatform", Same)],
    }
}

impl Rule for RedundantTargetPlatform {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        let Some(p) = &from.platform else { return };
        if p.text == "$TARGETPLATFORM" || p.text == "${TARGETPLATFORM}" {
            out.push(Self::META.finding(
                "setting platform to predefined `$TARGETPLATFORM` in FROM is redundant as this is the default behavior",
                p.span,
            ));
        }
    }
}
