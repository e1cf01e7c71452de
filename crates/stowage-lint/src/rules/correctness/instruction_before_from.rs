use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// An instruction other than ARG comes before the first FROM.
    ///
    /// ## What it does
    /// Flags every instruction before the first FROM except ARG.
    ///
    /// ## Why is this bad?
    /// BuildKit refuses it: only ARG may precede FROM.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL a=b
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL a=b
    /// ```
    pub(crate) Dl3061InstructionBeforeFrom {
        code: "DL3061",
        name: "instruction-before-from",
        category: Correctness,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3061", Same)],
    }
}

impl Rule for Dl3061InstructionBeforeFrom {
    fn kinds(&self) -> &'static [Keyword] {
        &[
            Keyword::Run,
            Keyword::Cmd,
            Keyword::Entrypoint,
            Keyword::Shell,
            Keyword::Label,
            Keyword::Env,
            Keyword::Maintainer,
            Keyword::Expose,
            Keyword::Add,
            Keyword::Copy,
            Keyword::Volume,
            Keyword::User,
            Keyword::Workdir,
            Keyword::Onbuild,
            Keyword::Stopsignal,
            Keyword::Healthcheck,
        ]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        if node.stage.is_none() {
            out.push(Self::META.finding(
                "invalid instruction order; a Dockerfile must begin with FROM, ARG or a comment",
                node.instruction.keyword_span,
            ));
        }
    }
}
