use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// RUN changes directory with `cd`.
    ///
    /// ## What it does
    /// Flags every `cd` command in a RUN, after `&&`, in subshells and in `sh -c` scripts.
    ///
    /// ## Why is this bad?
    /// The next instruction starts in the WORKDIR again; use `WORKDIR` to make the directory explicit.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN cd /usr/src/app && make
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// WORKDIR /usr/src/app
    /// RUN make
    /// ```
    pub(crate) Dl3003Cd {
        code: "DL3003",
        name: "cd",
        category: Suspicious,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3003", Same)],
    }
}

impl Rule for Dl3003Cd {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            if c.is("cd") {
                out.push(Self::META.finding("use WORKDIR to switch to a directory", c.span));
            }
        }
    }
}
