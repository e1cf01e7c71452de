use stowage_diagnostics::{Diagnostic, Fix};
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// The `AS` keyword is not cased like the `FROM` keyword.
    ///
    /// ## What it does
    /// When `FROM` is all uppercase or all lowercase, `AS` must be cased the same way.
    ///
    /// ## Why is this bad?
    /// Mixed casing in one instruction reads as a typo; BuildKit warns about it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine as builder
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine AS builder
    /// ```
    ///
    /// ## Fix
    /// Rewrites `AS` in the casing of `FROM` (safe).
    pub(crate) FromAsCasing {
        code: "SW702",
        name: "from-as-casing",
        category: Style,
        level: Warning,
        fix: Safe,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("FromAsCasing", Same)],
    }
}

impl Rule for FromAsCasing {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        let Some(as_kw) = &from.as_keyword else {
            return;
        };
        let kw = ctx.text(node.instruction.keyword_span);
        let upper = kw == kw.to_uppercase();
        let lower = kw == kw.to_lowercase();
        let bad = (upper && as_kw.text != as_kw.text.to_uppercase())
            || (lower && as_kw.text != as_kw.text.to_lowercase());
        if bad {
            let cased = if upper { "AS" } else { "as" };
            out.push(
                Self::META
                    .finding(
                        format!("`{}` and `{kw}` keywords' casing do not match", as_kw.text),
                        as_kw.span,
                    )
                    .with_fix(Fix::safe(format!("write `{cased}`"), as_kw.span, cased)),
            );
        }
    }
}
