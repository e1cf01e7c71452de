use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::shellcheck::helpers::{checked_script, is_assignment_word, is_declaration};
use stowage_shell::{PartKind, Quoting};

crate::declare_rule! {
    /// A variable expansion is not quoted.
    ///
    /// ## What it does
    /// Flags each unquoted `$var`/`${var}` in the arguments and redirection targets of a command,
    /// where the shell splits the value on whitespace and expands globs. Variables that are always
    /// numbers or single words (`$#`, `$?`, `$$`, `$!`, `${#var}`, `$RANDOM`, `$UID`, ...) and
    /// `$@`/`$*` (ShellCheck's SC2068) are not flagged, nor are `NAME=$value` arguments of
    /// `export`/`local`/`declare`.
    ///
    /// ## Why is this bad?
    /// `rm -rf $DIR/` with a `DIR` containing a space removes two paths; with an empty `DIR` it
    /// removes `/`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG DIR=/opt/app
    /// RUN rm -rf $DIR/cache
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG DIR=/opt/app
    /// RUN rm -rf "$DIR/cache"
    /// ```
    ///
    /// ## Differences
    /// Findings are placed at the exact word inside the RUN, and every finding is reported
    /// (hadolint keeps one ShellCheck finding per RUN line and puts it on the RUN's first line).
    pub(crate) Sc2086UnquotedExpansion {
        code: "SC2086",
        name: "unquoted-expansion",
        category: Shellcheck,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [],
    }
}

impl Rule for Sc2086UnquotedExpansion {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = checked_script(ctx, node) else {
            return;
        };
        for c in &script.commands {
            let decl = is_declaration(c);
            let targets = c
                .redirects
                .iter()
                .filter(|r| !r.op.starts_with("<<"))
                .filter_map(|r| r.target.as_ref());
            for w in c.args.iter().chain(targets) {
                if decl && is_assignment_word(w) {
                    continue;
                }
                for p in &w.parts {
                    let PartKind::Parameter { name, length, .. } = &p.kind else {
                        continue;
                    };
                    if p.quoting != Quoting::Unquoted || *length || is_safe(name) {
                        continue;
                    }
                    out.push(
                        Self::META
                            .finding(
                                "double quote to prevent globbing and word splitting",
                                p.span,
                            )
                            .with_help(format!("write `\"{}\"`", p.raw)),
                    );
                }
            }
        }
    }
}

/// Variables whose value never needs quoting (ShellCheck's list), and `$@`/`$*` (SC2068).
fn is_safe(name: &str) -> bool {
    matches!(
        name,
        "#" | "?"
            | "$"
            | "!"
            | "-"
            | "_"
            | "@"
            | "*"
            | "BASHPID"
            | "BASH_ARGC"
            | "BASH_LINENO"
            | "BASH_SUBSHELL"
            | "EUID"
            | "LINENO"
            | "OPTIND"
            | "PPID"
            | "RANDOM"
            | "SECONDS"
            | "SHELLOPTS"
            | "SHLVL"
            | "UID"
            | "COLUMNS"
            | "HISTFILESIZE"
            | "HISTSIZE"
            | "LINES"
    )
}
