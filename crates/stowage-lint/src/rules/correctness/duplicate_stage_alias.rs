use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// Two stages have the same alias.
    ///
    /// ## What it does
    /// Flags a FROM whose `AS` name an earlier stage already uses, compared as written
    /// (`AS build` and `AS Build` are different aliases here; BuildKit's `DuplicateStageName`,
    /// SW201, compares them case-insensitively and reports that case).
    ///
    /// ## Why is this bad?
    /// References to the name become ambiguous; BuildKit refuses the build when the name is used.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS build
    /// FROM alpine:3.20 AS build
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20 AS build
    /// FROM alpine:3.20 AS test
    /// ```
    pub(crate) Dl3024DuplicateStageAlias {
        code: "DL3024",
        name: "duplicate-stage-alias",
        category: Correctness,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3024", Same)],
    }
}

impl Rule for Dl3024DuplicateStageAlias {
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
        if ctx.stage_aliased(&name.text, stage).is_some() {
            out.push(Self::META.finding(
                format!(
                    "duplicate stage alias `{}`: FROM aliases must be unique",
                    name.text
                ),
                name.span,
            ));
        }
    }
}
