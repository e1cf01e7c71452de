use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// Two consecutive RUNs could be one.
    ///
    /// ## What it does
    /// Flags a RUN right after another RUN with the same flags when neither has more than two commands. Comments do not separate them; any other instruction does.
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
    /// ## Differences
    /// RUNs with heredocs are never flagged (hadolint suggests merging them, #805). Commands
    /// inside `$(...)` and literal `sh -c '...'` scripts count towards the two-command limit,
    /// so a RUN that hides work in them is not called small. ONBUILD triggers are not compared.
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
        sources: [Hadolint("DL3059", Different)],
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
        let (InstructionKind::Run(a), InstructionKind::Run(b)) = (prev.kind(), node.kind()) else {
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
        let heredoc = !a.heredocs.is_empty() || !b.heredocs.is_empty();
        if flags_a == flags_b
            && !heredoc
            && prev_script.commands.len() <= 2
            && script.commands.len() <= 2
        {
            out.push(Self::META.finding(
                "multiple consecutive RUN instructions; consider consolidation",
                node.instruction.keyword_span,
            ));
        }
    }
}
