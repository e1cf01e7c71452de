use stowage_diagnostics::{Diagnostic, Severity};

use crate::context::LintContext;
use crate::rule::Rule;

crate::declare_rule! {
    /// The Dockerfile has a syntax error that BuildKit would stop at.
    ///
    /// ## What it does
    /// Reports every error of the parser and of the instruction layer (unknown instructions,
    /// bad flags, wrong argument counts, unterminated heredocs, invalid `--mount` specs, ...)
    /// at its exact position.
    ///
    /// ## Why is this bad?
    /// `docker build` refuses the file. Unlike hadolint, which stops at the first parse error,
    /// Stowage reports every error and still lints the rest of the file.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine
    /// COPY --frm=build /a /b
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine
    /// COPY --from=build /a /b
    /// ```
    pub(crate) Dl1000ParseError {
        code: "DL1000",
        name: "parse-error",
        category: Syntax,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL1000", Different)],
    }
}

impl Rule for Dl1000ParseError {
    fn check_file(&self, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
        for d in ctx.dockerfile.all_diagnostics() {
            if d.severity == Severity::Error {
                let mut d = d.clone();
                d.notes
                    .push(format!("reported by the parser as `{}`", d.code));
                out.push(d);
            }
        }
    }
}
