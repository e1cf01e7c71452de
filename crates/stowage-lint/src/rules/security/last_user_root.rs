use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// The last USER of a stage is root.
    ///
    /// ## What it does
    /// Flags the last USER instruction of each stage when it is `root`, `0`, `root:*` or `0:*`.
    ///
    /// ## Why is this bad?
    /// Containers should not run as root; switch to an unprivileged user at the end.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// USER root
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// USER root
    /// RUN apk add --no-cache curl=8.9.1-r0
    /// USER 1000
    /// ```
    pub(crate) Dl3002LastUserRoot {
        code: "DL3002",
        name: "last-user-root",
        category: Security,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3002", Same)],
    }
}

impl Rule for Dl3002LastUserRoot {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::User]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::User(u) = node.kind() else {
            return;
        };
        if node.onbuild {
            return;
        }
        let user = u.text.split(':').next().unwrap_or("");
        if user != "root" && user != "0" {
            return;
        }
        let later = node
            .stage
            .and_then(|s| ctx.dockerfile.stages.get(s))
            .is_some_and(|s| {
                s.instructions.iter().any(|&i| {
                    i > node.index && matches!(ctx.instructions()[i].kind, InstructionKind::User(_))
                })
            });
        if !later {
            out.push(Self::META.finding("last USER should not be root", u.span));
        }
    }
}
