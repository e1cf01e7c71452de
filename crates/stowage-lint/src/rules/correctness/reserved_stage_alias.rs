use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// A stage alias is `scratch` or `context`.
    ///
    /// ## What it does
    /// Flags `FROM ... AS scratch` and `AS context`, written in lower case as hadolint compares
    /// them; BuildKit's `ReservedStageName` (SW202) also catches `AS Context`.
    ///
    /// ## Why is this bad?
    /// These names are reserved: `scratch` is the empty image and `context` the build context.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS context
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20 AS base
    /// ```
    pub(crate) Dl3063ReservedStageAlias {
        code: "DL3063",
        name: "reserved-stage-alias",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3063", Same)],
    }
}

impl Rule for Dl3063ReservedStageAlias {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        let Some(name) = &from.name else { return };
        if matches!(name.text.as_str(), "scratch" | "context") {
            out.push(Self::META.finding(
                format!(
                    "`{}` is a reserved name and should not be used as a stage alias",
                    name.text
                ),
                name.span,
            ));
        }
    }
}
