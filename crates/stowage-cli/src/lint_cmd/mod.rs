//! `stowage lint`: files and directories in, findings out, exit status like hadolint's.

mod config;
mod discover;
mod format;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use stowage_diagnostics::{Applicability, apply_fixes};
use stowage_lint::config::Threshold;
use stowage_lint::{Config, HostData};

use self::discover::Input;
use self::format::{FileReport, Format, render_reports};
use crate::source::{read_source, use_colour};

/// Options of `stowage lint`; the names follow hadolint's.
#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Dockerfiles, directories to search (for `Dockerfile`, `Containerfile`, `*.Dockerfile`,
    /// `Dockerfile.*`), or `-` for standard input. Default: the current directory.
    pub(crate) files: Vec<PathBuf>,
    /// Config file (default: the first `.hadolint.yaml` hadolint would find).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum)]
    pub(crate) format: Option<Format>,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Do not report this rule (code, name or BuildKit check name); repeatable.
    #[arg(long, value_name = "RULE")]
    pub(crate) ignore: Vec<String>,
    /// Report this rule as an error; repeatable.
    #[arg(long, value_name = "RULE")]
    pub(crate) error: Vec<String>,
    /// Report this rule as a warning; repeatable.
    #[arg(long, value_name = "RULE")]
    pub(crate) warning: Vec<String>,
    /// Report this rule as info; repeatable.
    #[arg(long, value_name = "RULE")]
    pub(crate) info: Vec<String>,
    /// Report this rule as style; repeatable.
    #[arg(long, value_name = "RULE")]
    pub(crate) style: Vec<String>,
    /// The lowest level that fails the run: error, warning, info (default), style, ignore, none.
    #[arg(short = 't', long, value_name = "LEVEL")]
    pub(crate) failure_threshold: Option<String>,
    /// Allowed registry for FROM images (DL3026); repeatable.
    #[arg(long, value_name = "REGISTRY")]
    pub(crate) trusted_registry: Vec<String>,
    /// Require a label, `name:type` (text, url, semver, hash, rfc3339, spdx, email); repeatable.
    #[arg(long, value_name = "LABEL:TYPE")]
    pub(crate) require_label: Vec<String>,
    /// Report labels that are not in the label schema.
    #[arg(long)]
    pub(crate) strict_labels: bool,
    /// Exit with 0 even when there are findings.
    #[arg(long)]
    pub(crate) no_fail: bool,
    /// No colour in the output.
    #[arg(long)]
    pub(crate) no_color: bool,
    /// Ignore `# hadolint ignore=` and `# stowage: ignore=` pragmas.
    #[arg(long)]
    pub(crate) disable_ignore_pragma: bool,
    /// The file name to report for standard input.
    #[arg(long, value_name = "NAME")]
    pub(crate) file_path_in_report: Option<String>,
    /// Print which config file is used.
    #[arg(short, long)]
    pub(crate) verbose: bool,
    /// Apply safe fixes to the files (for `-`: print the fixed file on standard output and
    /// the report on standard error), then report what is left.
    #[arg(long)]
    pub(crate) fix: bool,
    /// With `--fix`, also apply fixes that change behaviour on purpose (such as adding
    /// `--no-install-recommends`).
    #[arg(long, requires = "fix")]
    pub(crate) unsafe_fixes: bool,
}

/// Fix rounds per file: a fix can reveal another (an overlapping one waits a round).
const MAX_FIX_ROUNDS: usize = 8;

/// Lints and fixes `source` until nothing applicable is left; returns the new text and the
/// number of fixes applied.
fn fix_source(
    source: &str,
    config: &Config,
    host: &HostData<'_>,
    unsafe_ok: bool,
) -> (String, usize) {
    let mut text = source.to_owned();
    let mut total = 0;
    for _ in 0..MAX_FIX_ROUNDS {
        let findings = stowage_lint::lint(&text, config, host);
        let fixes = findings
            .iter()
            .filter_map(|f| f.diagnostic.fix.as_ref())
            .filter(|fix| unsafe_ok || fix.applicability == Applicability::Safe);
        let (next, applied) = apply_fixes(&text, fixes);
        // A fix must never break the file: stop before one would add a parse error.
        if applied == 0
            || stowage_syntax::Dockerfile::parse(&next).has_errors()
                && !stowage_syntax::Dockerfile::parse(&text).has_errors()
        {
            break;
        }
        text = next;
        total += applied;
    }
    (text, total)
}

fn lint_input(input: &Input, args: &LintArgs, config: &Config) -> Result<FileReport> {
    let (path, dockerignore) = match input {
        Input::Stdin => (PathBuf::from("-"), None),
        Input::File(path) => (path.clone(), discover::dockerignore_for(path)),
    };
    let (name, mut source, problem) = read_source(&path)?;
    let name = match (input, &args.file_path_in_report) {
        (Input::Stdin, Some(report_name)) => report_name.clone(),
        (Input::Stdin, None) => "-".to_owned(),
        (Input::File(_), _) => name,
    };
    let host = HostData {
        dockerignore: dockerignore.as_deref(),
    };
    // Invalid UTF-8 was replaced while reading: writing it back would lose bytes.
    if args.fix && problem.is_none() {
        let (fixed, applied) = fix_source(&source, config, &host, args.unsafe_fixes);
        match input {
            Input::Stdin => std::io::stdout().lock().write_all(fixed.as_bytes())?,
            Input::File(path) if applied > 0 => {
                std::fs::write(path, &fixed)
                    .with_context(|| format!("writing {}", path.display()))?;
                writeln!(
                    std::io::stderr().lock(),
                    "fixed {applied} problem{} in {name}",
                    if applied == 1 { "" } else { "s" }
                )?;
            }
            Input::File(_) => {}
        }
        source = fixed;
    }
    let findings = stowage_lint::lint(&source, config, &host);
    Ok(FileReport {
        name,
        source,
        findings,
        read_problems: problem.into_iter().collect(),
    })
}

/// hadolint's exit status: 1 when a finding reaches the threshold or a file does not parse.
fn exit_status(reports: &[FileReport], config: &Config, format: Format) -> ExitCode {
    if config.no_fail || format == Format::Codeclimate {
        return ExitCode::SUCCESS;
    }
    let threshold = config.failure_threshold.unwrap_or(Threshold::Info);
    let failed = reports.iter().flat_map(|r| &r.findings).any(|f| {
        // A file that does not parse fails whatever the threshold (as in hadolint).
        f.diagnostic.code == "DL1000" || threshold.fails(f.diagnostic.severity)
    });
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

pub(crate) fn lint_command(args: &LintArgs) -> Result<ExitCode> {
    let resolved = config::resolve(args)?;
    let mut stderr = std::io::stderr().lock();
    if let Some(problem) = &resolved.problem {
        writeln!(stderr, "warning: {problem}")?;
    }
    if args.verbose || resolved.config.verbose {
        match &resolved.file {
            Some(file) => writeln!(stderr, "config: {}", file.display())?,
            None => writeln!(stderr, "config: none found, using defaults")?,
        }
    }
    for id in config::unknown_ids(&resolved.config) {
        writeln!(
            stderr,
            "warning: no rule is called `{id}` (see `stowage rules`)"
        )?;
    }
    let config = resolved.config;
    let format = match (args.format, config.format.as_deref()) {
        (Some(f), _) => f,
        (None, Some(name)) => Format::from_name(name)
            .with_context(|| format!("unknown output format `{name}` in the configuration"))?,
        (None, None) => Format::Tty,
    };

    let inputs = discover::inputs(&args.files)?;
    if inputs.is_empty() {
        writeln!(stderr, "error: no Dockerfile found")?;
        return Ok(ExitCode::FAILURE);
    }
    let reports = inputs
        .iter()
        .map(|input| lint_input(input, args, &config))
        .collect::<Result<Vec<_>>>()?;

    let fixing_stdin = args.fix && inputs.contains(&Input::Stdin);
    if let Some(path) = &args.output {
        let text = render_reports(format, &reports, false);
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    } else if fixing_stdin {
        // Standard output carries the fixed file.
        let colour = format == Format::Tty && !config.no_color && use_colour(&stderr);
        stderr.write_all(render_reports(format, &reports, colour).as_bytes())?;
    } else {
        let mut stdout = std::io::stdout().lock();
        let colour = format == Format::Tty && !config.no_color && use_colour(&stdout);
        stdout.write_all(render_reports(format, &reports, colour).as_bytes())?;
        stdout.flush()?;
    }
    Ok(exit_status(&reports, &config, format))
}
