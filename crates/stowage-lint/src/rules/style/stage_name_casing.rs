use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// A stage name is not all lowercase.
    ///
    /// ## What it does
    /// Checks the name after `AS` in every FROM.
    ///
    /// ## Why is this bad?
    /// BuildKit lower-cases stage names, so `AS Builder` and `--from=builder` name the same
    ///  stage; writing them in lowercase avoids confusion.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine AS Builder
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine AS builder
    /// ```
    pub(crate) StageNameCasing {
        code: "SW701",
        name: "stage-name-casing",
        category: Style,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("StageNameCasing", Same)],
    }
}

impl Rule for StageNameCasing {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        let Some(name) = &from.name else { return };
        let lower = name.text.to_lowercase();
        if name.text != lower {
            out.push(
                Self::META
                    .finding(
                        format!("stage name `{}` should be lowercase", name.text),
                        name.span,
                    )
                    .with_help(format!("write `AS {lower}`")),
            );
        }
    }
}
