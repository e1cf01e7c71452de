//! Fix builders several rules share. Each returns `None` when it cannot be sure the rewrite
//! means the same thing, so a fix is only ever offered where it is safe.

use stowage_diagnostics::{Fix, Span};
use stowage_syntax::ast::{CommandLine, InstructionKind};

use crate::context::{LintContext, Node};

/// Writes `word` in the casing of the instruction's keyword (`label` after `maintainer`).
fn cased(ctx: &LintContext<'_>, node: &Node<'_>, word: &str) -> String {
    let keyword = ctx.text(node.instruction.keyword_span);
    if keyword.chars().any(|c| c.is_ascii_uppercase()) {
        word.to_ascii_uppercase()
    } else {
        word.to_ascii_lowercase()
    }
}

/// `text` as a double-quoted Dockerfile word. `$` keeps expanding as it did unquoted, so only
/// `"` and the escape token are escaped.
fn double_quoted(text: &str, escape: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == escape {
            out.push(escape);
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `MAINTAINER x` → `LABEL org.opencontainers.image.authors="x"`.
pub(crate) fn maintainer_to_label(ctx: &LintContext<'_>, node: &Node<'_>) -> Option<Fix> {
    let InstructionKind::Maintainer(who) = node.kind() else {
        return None;
    };
    let span = node.instruction.span;
    // One physical line only: a continued MAINTAINER keeps its line breaks for review.
    if ctx.text(span).contains('\n') || who.text.contains('$') {
        return None;
    }
    let escape = ctx.dockerfile.parse.escape;
    Some(Fix::safe(
        "replace MAINTAINER with the authors label",
        span,
        format!(
            "{} org.opencontainers.image.authors={}",
            cased(ctx, node, "LABEL"),
            double_quoted(who.text.trim(), escape)
        ),
    ))
}

/// `KEY value` → `KEY=value`, or `KEY="two words"`, when no quote or escape could be read
/// differently afterwards.
pub(crate) fn legacy_key_value(ctx: &LintContext<'_>, key: Span, value: Span) -> Option<Fix> {
    let escape = ctx.dockerfile.parse.escape;
    let raw_value = ctx.text(value);
    let key_text = ctx.text(key);
    if raw_value.contains(['"', '\'', '\n', '\r', escape]) || key_text.contains('=') {
        return None;
    }
    let value_text = if raw_value.contains(char::is_whitespace) {
        format!("\"{raw_value}\"")
    } else {
        raw_value.to_owned()
    };
    Some(Fix::safe(
        "use the `key=value` form",
        key.cover(value),
        format!("{key_text}={value_text}"),
    ))
}

/// Characters a shell treats specially; a command without them means the same in exec form.
fn is_plain_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_./:,+@%-".contains(c)
}

/// Shell-form CMD/ENTRYPOINT → JSON form, when the command is plain words.
pub(crate) fn exec_form(ctx: &LintContext<'_>, node: &Node<'_>) -> Option<Fix> {
    let (InstructionKind::Cmd(CommandLine::Shell(command))
    | InstructionKind::Entrypoint(CommandLine::Shell(command))) = node.kind()
    else {
        return None;
    };
    let raw = ctx.text(command.span);
    let words: Vec<&str> = raw.split_whitespace().collect();
    let plain = words.iter().all(|w| w.chars().all(is_plain_word_char));
    if words.is_empty() || !plain || raw.contains('\n') {
        return None;
    }
    let items: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    Some(Fix::safe(
        "use the JSON (exec) form",
        command.span,
        format!("[{}]", items.join(", ")),
    ))
}

/// Inserts ` flag` after the subcommand word (`add`, `install`) of a command written directly
/// in a shell-form RUN (not inside `sh -c '…'` or `$(…)`, where quoting could differ).
pub(crate) fn insert_flag(
    node: &Node<'_>,
    command: &stowage_shell::Command,
    subcommand: &str,
    flag: &str,
    safe: bool,
) -> Option<Fix> {
    let InstructionKind::Run(run) = node.kind() else {
        return None;
    };
    if run.command.as_ref().is_none_or(CommandLine::is_exec)
        || command.context.is_inside(stowage_shell::Nesting::ShellC)
        || command
            .context
            .is_inside(stowage_shell::Nesting::CommandSubstitution)
    {
        return None;
    }
    let word = command
        .args
        .iter()
        .find(|w| w.value.as_deref() == Some(subcommand) && w.raw == subcommand)?;
    let title = format!("add `{flag}`");
    let at = Span::empty(word.span.end);
    Some(if safe {
        Fix::safe(title, at, format!(" {flag}"))
    } else {
        Fix::unsafe_edit(title, at, format!(" {flag}"))
    })
}
