use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// EXPOSE names an IP address or a host port.
    ///
    /// ## What it does
    /// Flags EXPOSE values with a `:` (an IP address or a `host:container` mapping).
    ///
    /// ## Why is this bad?
    /// EXPOSE only documents container ports; publishing to a host port or address is done at
    ///  run time (`docker run -p`). BuildKit ignores the host part.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// EXPOSE 8080:80
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// EXPOSE 80
    /// ```
    pub(crate) ExposeInvalidFormat {
        code: "SW207",
        name: "expose-invalid-format",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("ExposeInvalidFormat", Same)],
    }
}

impl Rule for ExposeInvalidFormat {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Expose]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Expose(ports) = node.kind() else {
            return;
        };
        for port in ports {
            if port.text.contains(':') {
                out.push(Self::META.finding(
                    format!(
                        "EXPOSE instruction should not define an IP address or host-port mapping, found `{}`",
                        port.text
                    ),
                    port.span,
                ));
            }
        }
    }
}
