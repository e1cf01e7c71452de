use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// FROM sets a constant `--platform`.
    ///
    /// ## What it does
    /// Flags `FROM --platform=` values that contain neither `BUILDPLATFORM` nor `TARGETPLATFORM`.
    ///
    /// ## Why is this bad?
    /// A constant platform breaks multi-platform builds and emulates on other hosts.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 alpine:3.20
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM alpine:3.20
    /// ```
    pub(crate) Dl3029FromPlatform {
        code: "DL3029",
        name: "from-platform-flag",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3029", Same)],
    }
}

impl Rule for Dl3029FromPlatform {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        let Some(p) = &from.platform else { return };
        if !p.text.contains("BUILDPLATFORM") && !p.text.contains("TARGETPLATFORM") {
            out.push(Self::META.finding(
                format!("do not use --platform with FROM: `{}`", p.text),
                p.span,
            ));
        }
    }
}
