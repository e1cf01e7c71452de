use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// An EXPOSE port is outside 0–65535.
    ///
    /// ## What it does
    /// Flags EXPOSE ports and port-range bounds above 65535. Values with variables are skipped.
    ///
    /// ## Why is this bad?
    /// Such a port cannot exist; the image config would be invalid.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// EXPOSE 80000
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// EXPOSE 8000
    /// ```
    pub(crate) Dl3011ExposePortRange {
        code: "DL3011",
        name: "expose-port-out-of-range",
        category: Correctness,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3011", Same)],
    }
}

impl Rule for Dl3011ExposePortRange {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Expose]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Expose(ports) = node.kind() else {
            return;
        };
        for p in ports {
            let spec = p.text.split('/').next().unwrap_or("");
            let spec = spec.rsplit(':').next().unwrap_or(spec);
            let bad = spec
                .split('-')
                .any(|n| n.parse::<u64>().is_ok_and(|v| v > 65535));
            if bad {
                out.push(Self::META.finding(
                    format!("valid UNIX ports range from 0 to 65535, found `{}`", p.text),
                    p.span,
                ));
            }
        }
    }
}
