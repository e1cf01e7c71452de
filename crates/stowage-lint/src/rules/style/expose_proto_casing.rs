use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// An EXPOSE protocol is not lowercase.
    ///
    /// ## What it does
    /// Checks the `/tcp` or `/udp` suffix of every EXPOSE port.
    ///
    /// ## Why is this bad?
    /// Protocols are lowercase in the image config; BuildKit warns about other casings.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// EXPOSE 80/TCP
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// EXPOSE 80/tcp
    /// ```
    pub(crate) ExposeProtoCasing {
        code: "SW705",
        name: "expose-proto-casing",
        category: Style,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("ExposeProtoCasing", Same)],
    }
}

impl Rule for ExposeProtoCasing {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Expose]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Expose(ports) = node.kind() else {
            return;
        };
        for port in ports {
            if let Some((_, proto)) = port.text.split_once('/')
                && proto != proto.to_lowercase()
            {
                out.push(Self::META.finding(
                    format!(
                        "defined protocol `{}` in EXPOSE instruction should be lowercase",
                        port.text
                    ),
                    port.span,
                ));
            }
        }
    }
}
