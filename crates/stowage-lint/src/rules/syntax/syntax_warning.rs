use stowage_diagnostics::{Diagnostic, Severity};
use stowage_syntax::codes::EMPTY_CONTINUATION;

use crate::context::LintContext;
use crate::rule::Rule;

crate::declare_rule! {
    /// BuildKit accepts the instruction but warns about it.
    ///
    /// ## What it does
    /// Reports the warnings of the parser and the instruction layer that no other rule
    /// covers, such as problems found in an ONBUILD trigger (BuildKit only sees them when a
    /// child image builds).
    ///
    /// ## Why is this bad?
    /// The build works today but the instruction is malformed; a child image or a future
    /// BuildKit release will refuse it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine
    /// ONBUILD COPY --frm=x a b
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine
    /// ONBUILD COPY --from=x a b
    /// ```
    pub(crate) SyntaxWarning {
        code: "SW101",
        name: "syntax-warning",
        category: Syntax,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [],
    }
}

impl Rule for SyntaxWarning {
    fn check_file(&self, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
        for d in ctx.dockerfile.all_diagnostics() {
            if d.severity != Severity::Error && d.code != EMPTY_CONTINUATION {
                out.push(d.clone());
            }
        }
    }
}
