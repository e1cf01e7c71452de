use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// COPY with several sources has a destination that is not a directory.
    ///
    /// ## What it does
    /// Flags COPY with more than one source whose destination does not end in `/`.
    ///
    /// ## Why is this bad?
    /// BuildKit refuses to copy several files to one file name.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY a.txt b.txt /dest
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY a.txt b.txt /dest/
    /// ```
    pub(crate) Dl3021CopyMultipleSources {
        code: "DL3021",
        name: "copy-multiple-sources-to-file",
        category: Correctness,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3021", Same)],
    }
}

impl Rule for Dl3021CopyMultipleSources {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Copy]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Copy(c) = node.kind() else {
            return;
        };
        let n = c.paths.sources.len() + c.paths.inline.len();
        let dest = crate::rules::helpers::strip_quotes(&c.paths.dest.text);
        if n > 1 && !dest.ends_with('/') {
            out.push(Self::META.finding(
                "COPY with more than 2 arguments requires the last argument to end with /",
                c.paths.dest.span,
            ));
        }
    }
}
