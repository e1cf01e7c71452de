use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// Two stages have the same name.
    ///
    /// ## What it does
    /// Compares stage names case-insensitively and flags every repeat.
    ///
    /// ## Why is this bad?
    /// `--from=name` and `--target name` can only mean one stage; BuildKit refuses duplicates
    ///  when the stage is referenced.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine AS build
    /// FROM alpine AS build
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine AS build
    /// FROM alpine AS test
    /// ```
    pub(crate) DuplicateStageName {
        code: "SW201",
        name: "duplicate-stage-name",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("DuplicateStageName", Same)],
    }
}

impl Rule for DuplicateStageName {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        let (Some(name), Some(stage)) = (&from.name, node.stage) else {
            return;
        };
        if ctx.stage_named(&name.text, stage).is_some() {
            out.push(Self::META.finding(
                format!(
                    "duplicate stage name `{}`, stage names should be unique",
                    name.text.to_lowercase()
                ),
                name.span,
            ));
        }
    }
}
