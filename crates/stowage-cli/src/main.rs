//! `stowage`: the command-line face of the Stowage core.
//!
//! This is one of the two places (with the web app) allowed to do IO: it reads files and
//! stdin, writes to the terminal and sets the exit status.

mod lint_cmd;
mod parse_cmd;
mod rules_cmd;
mod source;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::lint_cmd::LintArgs;
use crate::parse_cmd::ParseFormat;
use crate::rules_cmd::RulesFormat;

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
    /// Lint Dockerfiles: hadolint's DL rules, BuildKit's build checks and ShellCheck-style checks.
    ///
    /// Reads `.hadolint.yaml` like hadolint does (or `--config`), honours `# hadolint ignore=`,
    /// `# check=` and `# stowage: ignore=` pragmas, and exits with 1 when a finding reaches the
    /// failure threshold (default: info) or a file cannot be parsed.
    Lint(Box<LintArgs>),
    /// List the lint rules, or print one rule's documentation.
    Rules {
        /// A rule code (`DL3008`), name (`stage-name-casing`) or BuildKit check name.
        rule: Option<String>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
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
        Command::Parse { file, format } => parse_cmd::parse_command(&file, format),
        Command::Lint(args) => lint_cmd::lint_command(&args),
        Command::Rules { rule, format } => rules_cmd::rules_command(rule.as_deref(), format),
    }
}
