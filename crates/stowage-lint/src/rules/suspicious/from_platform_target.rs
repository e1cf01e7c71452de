use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// FROM sets `--platform` to `$TARGETPLATFORM`, the default.
    ///
    /// ## What it does
    /// Flags `FROM --platform=$TARGETPLATFORM` and `${TARGETPLATFORM}`. BuildKit's
    /// `RedundantTargetPlatform` (SW303) reports the same line under its own name.
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
    pub(crate) Dl3065FromPlatformTarget {
        code: "DL3065",
        name: "from-platform-is-target-platform",
        category: Suspicious,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3065", Same)],
    }
}

impl Rule for Dl3065FromPlatformTarget {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        let Some(p) = &from.platform else { return };
        if p.text == "$TARGETPLATFORM" || p.text == "${TARGETPLATFORM}" {
            out.push(
                Self::META
                    .finding(
                        "`--platform=$TARGETPLATFORM` is redundant: it is the default",
                        p.span,
                    )
                    .with_help("remove the `--platform` flag"),
            );
        }
    }
}
