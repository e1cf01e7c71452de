use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// FROM `--platform` is a constant.
    ///
    /// ## What it does
    /// Flags `FROM --platform=linux/amd64` and other values without a variable. Not reported when
    /// the stage name contains the platform's OS or architecture (`AS build-amd64`), which shows
    /// the pin is deliberate.
    ///
    /// ## Why is this bad?
    /// A constant platform breaks multi-platform builds: every target gets the same base, and on
    /// another host it is emulated.
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
    pub(crate) FromPlatformFlagConstDisallowed {
        code: "SW302",
        name: "from-platform-constant",
        category: Suspicious,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("FromPlatformFlagConstDisallowed", Same)],
    }
}

impl Rule for FromPlatformFlagConstDisallowed {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        let Some(p) = &from.platform else { return };
        if p.text.contains('$') {
            return;
        }
        let name = from
            .name
            .as_ref()
            .map(|n| n.text.to_lowercase())
            .unwrap_or_default();
        let lower = p.text.to_lowercase();
        let mut parts = lower.split('/');
        let (os, arch) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if !name.is_empty()
            && ((!os.is_empty() && name.contains(os)) || (!arch.is_empty() && name.contains(arch)))
        {
            return;
        }
        out.push(
            Self::META
                .finding(format!("FROM --platform flag should not use a constant value `{}`", p.text), p.span)
                .with_help("use `$BUILDPLATFORM` or `$TARGETPLATFORM`, or name the stage after the platform"),
        );
    }
}
