use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::run_of;
use crate::rules::shellcheck::helpers::checked_script;

crate::declare_rule! {
    /// A RUN script cannot be parsed as shell.
    ///
    /// ## What it does
    /// Reports the syntax errors of shell-form RUN scripts (heredoc scripts included) found by a
    /// bash parser, at their position in the Dockerfile: a dangling `&&`, an unclosed `if`, a stray
    /// `)`. Unterminated quotes are SC1078.
    ///
    /// ## Why is this bad?
    /// The shell refuses the script and the build fails at this step, possibly after a long build
    /// of the earlier stages.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add curl && && echo done
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add curl && echo done
    /// ```
    ///
    /// ## Differences
    /// ShellCheck reports a parse error as a pair (SC1072/SC1073) plus a specific code where it has
    /// one; Stowage uses SC1073 for every parse error except unterminated quotes (SC1078), with the
    /// parser's own message. Findings are placed at the exact word inside the RUN, and every
    /// finding is reported (hadolint keeps one ShellCheck finding per RUN line and puts it on the
    /// RUN's first line).
    pub(crate) Sc1073ParseError {
        code: "SC1073",
        name: "shell-parse-error",
        category: Shellcheck,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [],
    }
}

impl Rule for Sc1073ParseError {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        if run_of(node).is_none() || checked_script(ctx, node).is_none() {
            return;
        }
        let Some(script) = node.script else { return };
        for d in script
            .diagnostics
            .iter()
            .filter(|d| !is_unterminated_quote(&d.message))
        {
            out.push(
                Self::META
                    .finding(d.message.clone(), d.span)
                    .with_note("the shell would refuse this script, so the RUN fails"),
            );
        }
    }
}

/// Whether a shell syntax message is about an unterminated quote (SC1078's domain).
pub(crate) fn is_unterminated_quote(message: &str) -> bool {
    message.contains("unterminated") && (message.contains("quote") || message.contains("backquote"))
}
