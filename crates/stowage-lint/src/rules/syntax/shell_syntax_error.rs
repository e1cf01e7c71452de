use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// A RUN script is not valid shell syntax.
    ///
    /// ## What it does
    /// Parses every shell-form RUN (heredoc scripts included) with a bash parser and reports
    /// syntax errors at their position in the Dockerfile: unterminated quotes, a dangling
    /// `&&`, an unclosed `if`.
    ///
    /// ## Why is this bad?
    /// The shell refuses the script and the build fails at this step, possibly after a long
    /// build of the earlier stages. This covers ShellCheck's parse errors (`SC1xxx`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine
    /// RUN apk add curl && && echo done
    /// ```
    ///
    /// ## Deprecated
    /// Superseded by the ShellCheck codes `SC1078` (unterminated quote) and `SC1073` (any other
    /// parse error), which report the same diagnostics; off by default so that nothing is
    /// reported twice. Turn it on with an override to keep the old code.
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine
    /// RUN apk add curl && echo done
    /// ```
    pub(crate) ShellSyntaxError {
        code: "SW102",
        name: "shell-syntax-error",
        category: Syntax,
        level: Ignore,
        fix: None,
        status: Deprecated,
        since: "0.1.0",
        onbuild: true,
        sources: [],
    }
}

impl Rule for ShellSyntaxError {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        if let Some(script) = node.script {
            out.extend(script.diagnostics.iter().cloned());
        }
    }
}
