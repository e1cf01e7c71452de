use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// COPY to a relative destination before any WORKDIR.
    ///
    /// ## What it does
    /// Flags COPY whose destination is relative when no WORKDIR was set earlier in the stage or in the stage it builds on.
    ///
    /// ## Why is this bad?
    /// The files land in the base image's working directory, which may change.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY app.sh app.sh
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// WORKDIR /app
    /// COPY app.sh app.sh
    /// ```
    pub(crate) Dl3045CopyRelativeBeforeWorkdir {
        code: "DL3045",
        name: "copy-relative-without-workdir",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3045", Same)],
    }
}

impl Rule for Dl3045CopyRelativeBeforeWorkdir {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Copy]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Copy(c) = node.kind() else {
            return;
        };
        let dest = crate::rules::helpers::strip_quotes(&c.paths.dest.text);
        let b = dest.as_bytes();
        let windows = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
        if dest.starts_with('/') || dest.starts_with('$') || windows || node.onbuild {
            return;
        }
        let mut stage = node.stage;
        while let Some(s) = stage {
            if ctx
                .stage_nodes(s)
                .any(|n| n.index < node.index && matches!(n.kind(), InstructionKind::Workdir(_)))
            {
                return;
            }
            stage = ctx.parent_stage(s);
        }
        out.push(Self::META.finding(
            "`COPY` to a relative destination without `WORKDIR` set",
            c.paths.dest.span,
        ));
    }
}
