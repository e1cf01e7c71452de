use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::shellcheck::helpers::checked_script;

crate::declare_rule! {
    /// A `for` loop iterates over one literal word.
    ///
    /// ## What it does
    /// Flags `for x in word` when the list is a single literal word without glob or brace
    /// expansion.
    ///
    /// ## Why is this bad?
    /// The loop body runs exactly once; usually a list was quoted as one word or a glob is missing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN for p in "curl git"; do apk add "$p"; done
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN for p in curl git; do apk add "$p"; done
    /// ```
    ///
    /// ## Differences
    /// Findings are placed at the exact word inside the RUN, and every finding is reported
    /// (hadolint keeps one ShellCheck finding per RUN line and puts it on the RUN's first line).
    pub(crate) Sc2043LoopRunsOnce {
        code: "SC2043",
        name: "loop-runs-once",
        category: Shellcheck,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [],
    }
}

impl Rule for Sc2043LoopRunsOnce {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = checked_script(ctx, node) else {
            return;
        };
        for l in &script.loops {
            let Some([only]) = l.values.as_deref() else {
                continue;
            };
            let literal = only.value.is_some();
            let expands = only.raw.contains(['*', '?', '['])
                || only.raw.contains('{') && only.raw.contains(',');
            if literal && !expands {
                out.push(
                    Self::META
                        .finding("this loop will only ever run once; bad quoting or missing glob/expansion?", only.span)
                        .with_help("list the items as separate words"),
                );
            }
        }
    }
}
