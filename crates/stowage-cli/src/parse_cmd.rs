//! `stowage parse`: the syntax tree, as BuildKit's dump or as JSON.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use clap::ValueEnum;
use serde::Serialize;
use stowage_diagnostics::{Diagnostic, LineCol, LineIndex, render};
use stowage_syntax::Dockerfile;

use crate::source::{colorize, read_source, use_colour};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ParseFormat {
    /// BuildKit's `Dump` s-expressions, byte for byte (diff it against BuildKit).
    Dump,
    /// The full tree: raw nodes, typed instructions, stages, spans and diagnostics.
    Json,
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

pub(crate) fn parse_command(file: &Path, format: ParseFormat) -> Result<ExitCode> {
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
        if use_colour(&stderr) {
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
