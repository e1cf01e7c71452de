//! RUN scripts: what the shell will see, as a simple and stable model.
//!
//! [`parse_run`] takes a RUN instruction's command (its span in the Dockerfile, the escape
//! character and its heredocs), rebuilds the exact script BuildKit hands to the shell
//! (continuations joined, comment lines inside them dropped, heredoc bodies added), parses it
//! with `brush-parser`, and returns a [`Script`]: every simple [`Command`] with its name,
//! arguments ([`Word`]s), leniently read [`Flag`]s, assignments, redirections, its
//! [`Context`] (`&&`, `||`, `;`, pipes, subshells, `if`/`for`/`while`/`case`, `$(...)`,
//! `sh -c '...'`), and a byte [`Span`] in the **Dockerfile** for the command and every word.
//!
//! [`parse_script`] does the same for text that maps one to one onto the source, and
//! [`parse_exec`] turns exec-form JSON words into one command.
//!
//! Shell syntax errors are diagnostics with spans (code `shell-syntax`); nothing panics.
//!
//! [`interp`] runs a script over a `stowage_vfs::Fs` without a kernel: the simulated RUN of
//! the build engine ([`interp::simulate_shell`], [`interp::simulate_exec`]).
//!
//! Layout: `source` (joining and the offset map), `model` (the data), `parse` (the walker
//! over brush-parser's AST), `interp` (the simulated interpreter, its applets, package
//! managers and package catalogue).
//!
//! This crate is sans-IO and compiles to `wasm32-unknown-unknown`.
#![warn(clippy::disallowed_methods)]

pub mod interp;
mod model;
mod parse;
mod source;

pub use model::{
    Assignment, Command, Connective, Context, Flag, ForLoop, Nesting, PartKind, Quoting, Redirect,
    Script, Word, WordPart,
};
pub use parse::codes;
pub use source::{MappedText, join_continuations};
pub use stowage_diagnostics::{Diagnostic, Span};

/// A heredoc attached to a RUN, located in the Dockerfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeredocSource<'a> {
    /// The delimiter, quotes removed.
    pub name: &'a str,
    /// The body's bytes in the Dockerfile (every line with its newline).
    pub body: Span,
    /// The terminator line.
    pub terminator: Span,
}

/// A RUN's shell-form command as it sits in the Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSource<'a> {
    /// The whole Dockerfile.
    pub source: &'a str,
    /// The command text after the flags (continuations included), in `source`.
    pub command: Span,
    /// The escape character (`\` or `` ` ``).
    pub escape: char,
    /// Heredocs read after the instruction line, in order.
    pub heredocs: Vec<HeredocSource<'a>>,
}

/// Builds the script the shell receives for a RUN, with its map back into the Dockerfile.
///
/// Follows BuildKit's dispatcher: a command that is a single heredoc word (`RUN <<EOF`) runs
/// the heredoc body itself; otherwise the body and terminator of each heredoc are appended
/// after a newline, and the shell reads them.
pub fn run_script(run: &RunSource<'_>) -> MappedText {
    let joined = join_continuations(run.source, run.command, run.escape);
    if run.heredocs.is_empty() {
        return joined;
    }
    if let [only] = run.heredocs.as_slice()
        && is_single_heredoc_word(joined.text.trim(), only.name)
    {
        return MappedText::verbatim(only.body.text(run.source), only.body.start);
    }
    let mut out = joined;
    for h in &run.heredocs {
        // The newline that ends the instruction line (or the previous terminator).
        out.push("\n", h.body.start.saturating_sub(1));
        out.push(h.body.text(run.source), h.body.start);
        let term = h.terminator.text(run.source);
        let at = h.terminator.end - (term.len().min(h.name.len()) as u32);
        out.push(h.name, at);
    }
    out
}

/// Whether `text` is exactly one heredoc operator with this delimiter (`<<EOF`, `<<-"EOF"`).
fn is_single_heredoc_word(text: &str, name: &str) -> bool {
    let Some(rest) = text.strip_prefix("<<") else {
        return false;
    };
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let unquoted: String = rest.chars().filter(|c| !matches!(c, '"' | '\'')).collect();
    unquoted == name
}

/// Parses a RUN's shell-form command (with its heredocs).
///
/// A heredoc script that starts with `#!` names its interpreter in [`Script::shebang`]; when
/// that is not a POSIX shell the body is not parsed.
pub fn parse_run(run: &RunSource<'_>) -> Script {
    let text = run_script(run);
    if let Some(first) = text.text.lines().next()
        && let Some(interp) = first.strip_prefix("#!")
    {
        let interp = interp.trim().to_owned();
        if !is_posix_shell(&interp) {
            return Script {
                shebang: Some(interp),
                ..Script::default()
            };
        }
        let mut script = parse::parse_mapped(&text);
        script.shebang = Some(interp);
        return script;
    }
    parse::parse_mapped(&text)
}

/// Parses shell text found verbatim at `base` in the source.
pub fn parse_script(text: &str, base: u32) -> Script {
    parse::parse_mapped(&MappedText::verbatim(text, base))
}

/// Parses already mapped text.
pub fn parse_mapped(text: &MappedText) -> Script {
    parse::parse_mapped(text)
}

/// Turns exec-form words (`RUN ["apk", "add", "x"]`) into a one-command script, the way
/// hadolint reads them: the JSON strings are the command line.
pub fn parse_exec<'a>(words: impl IntoIterator<Item = (&'a str, Span)>) -> Script {
    let mut words = words.into_iter().map(|(text, span)| Word {
        raw: text.to_owned(),
        text: text.to_owned(),
        value: Some(text.to_owned()),
        quoted: true,
        expansion: false,
        span,
        parts: Vec::new(),
    });
    let Some(name) = words.next() else {
        return Script::default();
    };
    let args: Vec<Word> = words.collect();
    let span = args.iter().fold(name.span, |acc, w| acc.cover(w.span));
    let flags = parse::read_flags(&args);
    Script {
        commands: vec![Command {
            name: Some(name),
            args,
            flags,
            assignments: Vec::new(),
            redirects: Vec::new(),
            span,
            context: Context::default(),
        }],
        diagnostics: Vec::new(),
        shebang: None,
        loops: Vec::new(),
    }
}

/// Whether an interpreter line (`/bin/sh -e`, `/usr/bin/env bash`) names sh, bash, dash, ash,
/// ksh or zsh.
pub fn is_posix_shell(interpreter: &str) -> bool {
    let mut parts = interpreter.split_whitespace();
    let mut prog = parts.next().unwrap_or("");
    if prog.rsplit('/').next() == Some("env") {
        prog = parts.find(|p| !p.starts_with('-')).unwrap_or("");
    }
    matches!(
        prog.rsplit('/').next().unwrap_or(""),
        "sh" | "bash" | "dash" | "ash" | "ksh" | "zsh" | "mksh"
    )
}
