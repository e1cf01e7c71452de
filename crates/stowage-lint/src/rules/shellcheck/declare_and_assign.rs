use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::shellcheck::helpers::{checked_script, is_assignment_word, is_declaration};
use stowage_shell::PartKind;

crate::declare_rule! {
    /// `export`/`local`/`declare` assigns the output of a command.
    ///
    /// ## What it does
    /// Flags `export NAME=$(cmd)` (also `local`, `declare`, `readonly`, `typeset`).
    ///
    /// ## Why is this bad?
    /// The status of the line is the status of `export`, which succeeds: a failing `cmd` goes
    /// unnoticed, even with `set -e`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN export VERSION=$(cat /etc/alpine-release) && echo "$VERSION"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN VERSION=$(cat /etc/alpine-release) && export VERSION && echo "$VERSION"
    /// ```
    ///
    /// ## Differences
    /// Findings are placed at the exact word inside the RUN, and every finding is reported
    /// (hadolint keeps one ShellCheck finding per RUN line and puts it on the RUN's first line).
    pub(crate) Sc2155DeclareAndAssign {
        code: "SC2155",
        name: "declare-and-assign-separately",
        category: Shellcheck,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [],
    }
}

impl Rule for Sc2155DeclareAndAssign {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = checked_script(ctx, node) else {
            return;
        };
        for c in script.commands.iter().filter(|c| is_declaration(c)) {
            for w in c.args.iter().filter(|w| is_assignment_word(w)) {
                if w.parts
                    .iter()
                    .any(|p| p.kind == PartKind::CommandSubstitution)
                {
                    out.push(
                        Self::META
                            .finding(
                                "declare and assign separately to avoid masking return values",
                                w.span,
                            )
                            .with_help("assign first (`NAME=$(cmd)`), then `export NAME`"),
                    );
                }
            }
        }
    }
}
