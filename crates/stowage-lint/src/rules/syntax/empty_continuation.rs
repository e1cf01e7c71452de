use stowage_diagnostics::Diagnostic;

use crate::context::LintContext;
use crate::rule::Rule;

crate::declare_rule! {
    /// An empty line sits inside a line continuation.
    ///
    /// ## What it does
    /// Flags whitespace-only lines inside a continued instruction, at the empty line itself.
    ///
    /// ## Why is this bad?
    /// BuildKit skips them today but will treat them as errors in a future release; they also
    ///  make it easy to miss that the instruction goes on.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add \
    ///
    ///     curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add \
    ///     curl
    /// ```
    pub(crate) EmptyContinuation {
        code: "SW103",
        name: "empty-continuation",
        category: Syntax,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("NoEmptyContinuation", Same)],
    }
}

impl Rule for EmptyContinuation {
    fn check_file(&self, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
        for d in &ctx.dockerfile.parse.diagnostics {
            if d.code == stowage_syntax::codes::EMPTY_CONTINUATION {
                out.push(d.clone());
            }
        }
    }
}
