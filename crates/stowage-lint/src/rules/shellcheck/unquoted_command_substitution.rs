use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::shellcheck::helpers::{checked_script, is_assignment_word, is_declaration};
use stowage_shell::{PartKind, Quoting};

crate::declare_rule! {
    /// A command substitution is not quoted.
    ///
    /// ## What it does
    /// Flags each unquoted `$(...)` or backquoted command in the arguments of a command.
    ///
    /// ## Why is this bad?
    /// The output is split on whitespace and glob-expanded: file names with spaces become several
    /// arguments.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN rm -f $(find /tmp -name "*.log")
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN find /tmp -name "*.log" -delete
    /// ```
    ///
    /// ## Differences
    /// Findings are placed at the exact word inside the RUN, and every finding is reported
    /// (hadolint keeps one ShellCheck finding per RUN line and puts it on the RUN's first line).
    pub(crate) Sc2046UnquotedCommandSubstitution {
        code: "SC2046",
        name: "unquoted-command-substitution",
        category: Shellcheck,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [],
    }
}

impl Rule for Sc2046UnquotedCommandSubstitution {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = checked_script(ctx, node) else {
            return;
        };
        for c in &script.commands {
            let decl = is_declaration(c);
            for w in &c.args {
                if decl && is_assignment_word(w) {
                    continue;
                }
                for p in &w.parts {
                    if p.kind == PartKind::CommandSubstitution && p.quoting == Quoting::Unquoted {
                        out.push(
                            Self::META
                                .finding("quote this to prevent word splitting", p.span)
                                .with_help(format!("write `\"{}\"`", p.raw)),
                        );
                    }
                }
            }
        }
    }
}
