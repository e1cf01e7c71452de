use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::shellcheck::helpers::checked_script;
use crate::rules::shellcheck::parse_error::is_unterminated_quote;

crate::declare_rule! {
    /// A quote in a RUN script is never closed.
    ///
    /// ## What it does
    /// Reports an unterminated double quote, single quote or backquote in a shell-form RUN script,
    /// at the opening quote.
    ///
    /// ## Why is this bad?
    /// The shell reads to the end of the script looking for the closing quote and then refuses the
    /// whole script.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN echo "hello
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN echo "hello"
    /// ```
    ///
    /// ## Differences
    /// ShellCheck uses SC1078 for double quotes and reports single quotes through its generic parse
    /// errors; Stowage reports every unterminated quote kind under SC1078. Findings are placed at
    /// the exact word inside the RUN, and every finding is reported (hadolint keeps one ShellCheck
    /// finding per RUN line and puts it on the RUN's first line).
    pub(crate) Sc1078UnterminatedQuote {
        code: "SC1078",
        name: "unterminated-quote",
        category: Shellcheck,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [],
    }
}

impl Rule for Sc1078UnterminatedQuote {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = checked_script(ctx, node) else {
            return;
        };
        for d in script
            .diagnostics
            .iter()
            .filter(|d| is_unterminated_quote(&d.message))
        {
            out.push(
                Self::META
                    .finding(d.message.clone(), d.span)
                    .with_help("close the quote"),
            );
        }
    }
}
