use stowage_diagnostics::Diagnostic;

use crate::context::LintContext;
use crate::rule::Rule;

crate::declare_rule! {
    /// An instruction keyword does not follow the casing of the majority.
    ///
    /// ## What it does
    /// Counts the instructions written all upper-case and all lower-case; the larger group (upper-
    /// case on a tie) sets the file's casing. Flags every keyword that differs from it, mixed-case
    /// keywords (`Run`) included. ONBUILD triggers are not counted.
    ///
    /// ## Why is this bad?
    /// Mixed casing makes a Dockerfile harder to scan; instructions are conventionally upper-case.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN echo a
    /// run echo b
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN echo a
    /// RUN echo b
    /// ```
    pub(crate) ConsistentInstructionCasing {
        code: "SW703",
        name: "inconsistent-instruction-casing",
        category: Style,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("ConsistentInstructionCasing", Same)],
    }
}

impl Rule for ConsistentInstructionCasing {
    fn check_file(&self, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
        let words: Vec<(&str, stowage_diagnostics::Span)> = ctx
            .instructions()
            .iter()
            .map(|i| (ctx.text(i.keyword_span), i.keyword_span))
            .filter(|(w, _)| !w.is_empty())
            .collect();
        let is_upper = |w: &str| !w.chars().any(|c| c.is_ascii_lowercase());
        let is_lower = |w: &str| !w.chars().any(|c| c.is_ascii_uppercase());
        let upper = words.iter().filter(|(w, _)| is_upper(w)).count();
        let lower = words.iter().filter(|(w, _)| is_lower(w)).count();
        let majority_lower = lower > upper;
        let casing = if majority_lower {
            "lowercase"
        } else {
            "uppercase"
        };
        for (w, span) in words {
            let ok = if majority_lower {
                is_lower(w)
            } else {
                is_upper(w)
            };
            if !ok {
                let fixed = if majority_lower {
                    w.to_ascii_lowercase()
                } else {
                    w.to_ascii_uppercase()
                };
                out.push(
                    Self::META
                        .finding(
                            format!("command `{w}` should match the case of the command majority ({casing})"),
                            span,
                        )
                        .with_help(format!("write `{fixed}`")),
                );
            }
        }
    }
}
