use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// A stage is named `scratch` or `context`.
    ///
    /// ## What it does
    /// Flags stage names that BuildKit reserves.
    ///
    /// ## Why is this bad?
    /// `scratch` is the empty image and `context` names the build context in `--from`; a stage
    ///  with either name cannot be referenced reliably.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine AS scratch
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine AS base
    /// ```
    pub(crate) ReservedStageName {
        code: "SW202",
        name: "reserved-stage-name",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("ReservedStageName", Same)],
    }
}

impl Rule for ReservedStageName {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        let Some(name) = &from.name else { return };
        let lower = name.text.to_lowercase();
        if lower == "scratch" || lower == "context" {
            out.push(Self::META.finding(
                format!("stage name should not use the same name as reserved stage `{lower}`"),
                name.span,
            ));
        }
    }
}
