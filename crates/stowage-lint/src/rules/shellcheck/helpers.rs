//! What the ShellCheck rules share: which RUNs ShellCheck looks at, and variable facts.

use std::collections::BTreeSet;

use stowage_shell::{Command, PartKind, Script, Word};
use stowage_syntax::ast::CommandLine;

use crate::context::{LintContext, Node};
use crate::rules::helpers::{declared_names, is_windows_shell, run_of, stage_shell};

/// The script ShellCheck would check: a shell-form RUN (heredocs included) whose shell is a
/// POSIX shell (not a pwsh/powershell/cmd SHELL or `# hadolint shell=` pragma, not a non-shell
/// `#!` heredoc).
pub(crate) fn checked_script<'a>(ctx: &LintContext<'_>, node: &Node<'a>) -> Option<&'a Script> {
    let run = run_of(node)?;
    if !matches!(run.command, Some(CommandLine::Shell(_))) {
        return None;
    }
    let script = node.script?;
    if stage_shell(ctx, node).is_some_and(|s| is_windows_shell(&s))
        || ctx
            .pragma_shell_before(node.instruction.start_line)
            .is_some_and(is_windows_shell)
    {
        return None;
    }
    Some(script)
}

/// `export`, `local`, `declare`, `readonly`, `typeset`.
pub(crate) fn is_declaration(c: &Command) -> bool {
    matches!(
        c.name(),
        Some("export" | "local" | "declare" | "readonly" | "typeset")
    )
}

/// `NAME=...` as a declaration argument.
pub(crate) fn is_assignment_word(w: &Word) -> bool {
    w.raw.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+' || c == '[' || c == ']')
    })
}

/// Whether the script turns on `errexit` (`set -e`, `set -o errexit`).
pub(crate) fn has_errexit(script: &Script) -> bool {
    script.commands_named("set").any(|c| {
        c.args
            .iter()
            .any(|w| w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('e'))
            || c.args
                .windows(2)
                .any(|p| p[0].text == "-o" && p[1].text == "errexit")
    })
}

/// Every word of a command: name, arguments, assignment values and redirection targets.
pub(crate) fn all_words(c: &Command) -> impl Iterator<Item = &Word> {
    c.name
        .iter()
        .chain(&c.args)
        .chain(c.assignments.iter().map(|a| &a.value))
        .chain(c.redirects.iter().filter_map(|r| r.target.as_ref()))
}

/// Proxy variables hadolint always exports to ShellCheck.
const PROXY_VARS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Variables a script assigns, plus the ARG/ENV names in scope and the proxy variables.
pub(crate) fn assigned_names(
    ctx: &LintContext<'_>,
    node: &Node<'_>,
    script: &Script,
) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = declared_names(ctx, node).into_iter().collect();
    names.extend(PROXY_VARS.iter().map(|s| (*s).to_owned()));
    let name_of = |t: &str| -> String {
        t.split(['=', '[', '+'])
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    for c in &script.commands {
        names.extend(c.assignments.iter().map(|a| a.name.clone()));
        match c.name() {
            Some("export" | "local" | "declare" | "readonly" | "typeset") => {
                names.extend(
                    c.args
                        .iter()
                        .filter(|w| !w.text.starts_with(['-', '+']))
                        .map(|w| name_of(&w.text)),
                );
            }
            Some("read") => {
                names.extend(
                    c.operands(&["p", "d", "n", "N", "t", "u", "i", "a"])
                        .map(|w| w.text.clone()),
                );
                if let Some(a) = c.flag_value("a") {
                    names.insert(a.to_owned());
                }
            }
            Some("getopts") => {
                names.extend(c.operands(&[]).nth(1).map(|w| w.text.clone()));
            }
            Some("mapfile" | "readarray") => {
                names.extend(
                    c.operands(&["d", "n", "O", "s", "u", "C", "c"])
                        .last()
                        .map(|w| w.text.clone()),
                );
            }
            Some("printf") => {
                if let Some(v) = c.flag_value("v") {
                    names.insert(v.to_owned());
                }
            }
            Some("let") => {
                names.extend(
                    c.args
                        .iter()
                        .filter(|w| w.text.contains('='))
                        .map(|w| name_of(&w.text)),
                );
            }
            _ => {}
        }
        for w in all_words(c) {
            for p in &w.parts {
                if let PartKind::Parameter {
                    name,
                    operator: Some(op),
                    ..
                } = &p.kind
                    && (op.starts_with(":=") || op.starts_with('='))
                {
                    names.insert(name.clone());
                }
            }
        }
    }
    names.extend(script.loops.iter().map(|l| l.variable.clone()));
    names
}
