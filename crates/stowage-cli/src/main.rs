//! `stowage`: the command-line face of the Stowage core.
//!
//! This is one of the two places (with the web app) allowed to do IO: it reads files and
//! stdin, writes to the terminal and sets the exit status.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;
use stowage_diagnostics::{Diagnostic, LineCol, LineIndex, render};
use stowage_syntax::Dockerfile;

/// Stowage: a Dockerfile playground, linter and builder.
#[derive(Debug, Parser)]
#[command(name = "stowage", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse a Dockerfile and print its syntax tree.
    ///
    /// Diagnostics go to stderr like a compiler's (<file:line:col>, the source line, a caret); the
    /// exit status is 1 when there are errors.
    Parse {
        /// The Dockerfile to read, or `-` for standard input.
        file: PathBuf,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = ParseFormat::Dump)]
        format: ParseFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ParseFormat {
    /// BuildKit's `Dump` s-expressions, byte for byte (diff it against BuildKit).
    Dump,
    /// The full tree: raw nodes, typed instructions, stages, spans and diagnostics.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Parse { file, format } => parse_command(&file, format),
    }
}

/// Reads a file or stdin as text; invalid UTF-8 is replaced and reported, never dropped silently.
fn read_source(file: &PathBuf) -> Result<(String, String, Option<Diagnostic>)> {
    let (name, bytes) = if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
        ("<stdin>".to_owned(), bytes)
    } else {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        (file.display().to_string(), bytes)
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok((name, text, None)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to() as u32;
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let d = Diagnostic::warning(
                "invalid-utf8",
                "the file is not valid UTF-8; invalid bytes were replaced with U+FFFD",
                stowage_diagnostics::Span::new(offset, offset + 1),
            );
            Ok((name, text, Some(d)))
        }
    }
}

/// A diagnostic with its line and column, for JSON output.
#[derive(Serialize)]
struct Located<'a> {
    #[serde(flatten)]
    diagnostic: &'a Diagnostic,
    start: LineCol,
    end: LineCol,
}

#[derive(Serialize)]
struct ParseOutput<'a> {
    file: &'a str,
    #[serde(flatten)]
    dockerfile: &'a Dockerfile,
    all_diagnostics: Vec<Located<'a>>,
}

fn parse_command(file: &PathBuf, format: ParseFormat) -> Result<ExitCode> {
    let (name, source, encoding_problem) = read_source(file)?;
    let dockerfile = Dockerfile::parse(&source);
    let mut diagnostics: Vec<Diagnostic> = encoding_problem.into_iter().collect();
    diagnostics.extend(dockerfile.all_diagnostics().into_iter().cloned());

    let mut stdout = std::io::stdout().lock();
    match format {
        ParseFormat::Dump => {
            stdout.write_all(stowage_syntax::dump(&dockerfile.parse.nodes).as_bytes())?;
        }
        ParseFormat::Json => {
            let index = LineIndex::new(&source);
            let located = diagnostics
                .iter()
                .map(|d| Located {
                    diagnostic: d,
                    start: index.line_col(d.span.start, &source),
                    end: index.line_col(d.span.end, &source),
                })
                .collect();
            let output = ParseOutput {
                file: &name,
                dockerfile: &dockerfile,
                all_diagnostics: located,
            };
            serde_json::to_writer_pretty(&mut stdout, &output)?;
            stdout.write_all(b"\n")?;
        }
    }
    stdout.flush()?;
    if !diagnostics.is_empty() {
        let mut stderr = std::io::stderr().lock();
        let text = render(&name, &source, &diagnostics);
        // Colour only for people, never for pipes or NO_COLOR.
        if stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none() {
            stderr.write_all(colorize(&text).as_bytes())?;
        } else {
            stderr.write_all(text.as_bytes())?;
        }
    }
    Ok(if diagnostics.iter().any(Diagnostic::is_error) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Colours the severity words of rendered diagnostics.
fn colorize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let painted = [
            ("error", "\x1b[1;31m"),
            ("warning", "\x1b[1;33m"),
            ("info", "\x1b[1;36m"),
            ("style", "\x1b[1;35m"),
        ]
        .iter()
        .find_map(|(word, colour)| {
            line.strip_prefix(word)
                .map(|rest| format!("{colour}{word}\x1b[0m{rest}"))
        });
        out.push_str(painted.as_deref().unwrap_or(line));
    }
    out
}
