use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// `COPY --from` names no earlier stage.
    ///
    /// ## What it does
    /// Flags `COPY --from=X` when X is not the alias of this or an earlier stage (compared as written, like
    /// hadolint), not a stage index below the number of FROMs, and not an image reference (no `:`).
    ///
    /// ## Why is this bad?
    /// It is probably a typo: BuildKit then treats the name as an image and tries to pull it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS build
    /// FROM alpine:3.20
    /// COPY --from=biuld /a /b
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20 AS build
    /// FROM alpine:3.20
    /// COPY --from=build /a /b
    /// ```
    pub(crate) Dl3022CopyFromUnknown {
        code: "DL3022",
        name: "copy-from-unknown-stage",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3022", Same)],
    }
}

impl Rule for Dl3022CopyFromUnknown {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Copy]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Copy(c) = node.kind() else {
            return;
        };
        let (Some(from), Some(stage)) = (&c.from, node.stage) else {
            return;
        };
        let t = from.text.as_str();
        let index_ok = t
            .parse::<usize>()
            .is_ok_and(|i| i < ctx.dockerfile.stages.len());
        if ctx.stage_aliased(t, stage + 1).is_none()
            && !index_ok
            && !t.contains(':')
            && !t.starts_with('$')
        {
            out.push(Self::META.finding(
                "COPY --from should reference a previously defined FROM alias",
                from.span,
            ));
        }
    }
}
