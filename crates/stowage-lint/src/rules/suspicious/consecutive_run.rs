use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use stowage_shell::{Nesting, Script};

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// Two consecutive RUNs could be one.
    ///
    /// ## What it does
    /// Flags a RUN right after another RUN with the same flags when each runs a single command
    /// (hadolint 2.15's threshold; commands joined with `&&`, `;` or `|`, inside `if`/`for`, or
    /// in `$(...)` count, a literal `sh -c '...'` script is one command and a bare `X=1` none). Comments do not
    /// separate the RUNs; any other instruction, ONBUILD included, does. Heredoc bodies are
    /// counted like any script.
    ///
    /// ## Why is this bad?
    /// Each RUN adds a layer; merging small ones keeps the image smaller.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN echo a
    /// RUN echo b
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN echo a && echo b
    /// ```
    ///
    /// The finding is on the second RUN's keyword.
    pub(crate) Dl3059ConsecutiveRun {
        code: "DL3059",
        name: "consecutive-run",
        category: Suspicious,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3059", Same)],
    }
}

impl Rule for Dl3059ConsecutiveRun {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        if node.onbuild || node.index == 0 {
            return;
        }
        let Some(prev) = ctx.node(node.index - 1) else {
            return;
        };
        if prev.stage != node.stage {
            return;
        }
        let (InstructionKind::Run(_), InstructionKind::Run(_)) = (prev.kind(), node.kind()) else {
            return;
        };
        let Some(prev_script) = prev.script else {
            return;
        };
        let flags_a: Vec<&str> = ctx.dockerfile.parse.nodes[prev.instruction.node]
            .flags
            .iter()
            .map(|f| f.text.as_str())
            .collect();
        let flags_b: Vec<&str> = ctx.dockerfile.parse.nodes[node.instruction.node]
            .flags
            .iter()
            .map(|f| f.text.as_str())
            .collect();
        if flags_a == flags_b && command_count(prev_script) <= 1 && command_count(script) <= 1 {
            out.push(Self::META.finding(
                "multiple consecutive RUN instructions; consider consolidation",
                node.instruction.keyword_span,
            ));
        }
    }
}

/// Commands as hadolint counts them: the script of a literal `sh -c` stays one command and a
/// bare assignment (`X=1`) is none.
fn command_count(script: &Script) -> usize {
    script
        .commands
        .iter()
        .filter(|c| c.name.is_some() && !c.context.is_inside(Nesting::ShellC))
        .count()
}
