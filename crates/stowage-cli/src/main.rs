//! `stowage`: the command-line face of the Stowage core.
//!
//! This is one of the two places (with the web app) allowed to do IO: it reads files and
//! stdin, writes to the terminal and sets the exit status.

mod analyze_cmd;
mod build_cmd;
mod host_tree;
mod image_cmd;
mod lint_cmd;
mod parse_cmd;
mod registry_cmd;
mod rules_cmd;
mod sandbox;
mod source;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::analyze_cmd::AnalyzeArgs;
use crate::build_cmd::BuildArgs;
use crate::image_cmd::{BuilderCommand, ImageCommand, ImagesArgs, SaveArgs, SystemCommand};
use crate::lint_cmd::LintArgs;
use crate::parse_cmd::ParseFormat;
use crate::registry_cmd::{LoginArgs, PullArgs, PushArgs};
use crate::rules_cmd::RulesFormat;

/// Stowage: a Dockerfile playground, linter and builder.
#[derive(Debug, Parser)]
#[command(name = "stowage", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The local image store (default: `$STOWAGE_ROOT`, else `$XDG_DATA_HOME/stowage` or
    /// `~/.local/share/stowage`).
    #[arg(long, global = true)]
    root: Option<PathBuf>,
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
    /// Build an image from a Dockerfile and a context directory (RUN executes for real, in
    /// Linux namespaces); the image goes to the local store.
    Build(Box<BuildArgs>),
    /// List the images of the local store.
    Images(ImagesArgs),
    /// Show the history of an image.
    History {
        /// The image (name or ID).
        image: String,
        /// Do not truncate CREATED BY.
        #[arg(long)]
        no_trunc: bool,
    },
    /// Docker-compatible JSON of images.
    Inspect {
        /// Images (names or IDs).
        #[arg(required = true)]
        images: Vec<String>,
    },
    /// Give an image another name.
    Tag {
        /// The image (name or ID).
        source: String,
        /// The new name (`name[:tag]`).
        target: String,
    },
    /// Remove images (untag; delete when no name is left).
    Rmi {
        /// Images (names or IDs).
        #[arg(required = true)]
        images: Vec<String>,
        /// Remove an image with several names by ID.
        #[arg(short, long)]
        force: bool,
    },
    /// Manage images.
    #[command(subcommand)]
    Image(ImageCommand),
    /// dive's analysis of an image: efficiency, wasted bytes, files stored more than once;
    /// with `--ci`, its CI rules and exit status 1 when one fails.
    Analyze(Box<AnalyzeArgs>),
    /// Manage the build cache.
    #[command(subcommand)]
    Builder(BuilderCommand),
    /// The store as a whole (`system df`).
    #[command(subcommand)]
    System(SystemCommand),
    /// Save images to a tar archive (docker-archive, which is also an OCI layout).
    Save(SaveArgs),
    /// Load images from a docker-archive or OCI archive.
    Load {
        /// The archive (default: standard input).
        #[arg(short, long)]
        input: Option<PathBuf>,
        /// Print nothing.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Push an image to a registry (blobs it has are skipped, blobs of another repository
    /// of the same registry are mounted).
    Push(PushArgs),
    /// Pull an image from a registry into the local store (digests verified).
    Pull(PullArgs),
    /// Log in to a registry (credentials go to docker's `config.json`).
    Login(LoginArgs),
    /// Log out from a registry (removes its credentials from docker's `config.json`).
    Logout {
        /// The registry (default: Docker Hub).
        server: Option<String>,
    },
    /// Internal: enter the RUN namespaces (see `sandbox`).
    #[command(name = "__sandbox", hide = true)]
    Sandbox { spec: PathBuf },
    /// Internal: PID 1 of a RUN (see `sandbox`).
    #[command(name = "__sandbox-init", hide = true)]
    SandboxInit { spec: PathBuf },
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
    let root = cli.root.as_deref();
    match cli.command {
        Command::Parse { file, format } => parse_cmd::parse_command(&file, format),
        Command::Lint(args) => lint_cmd::lint_command(&args),
        Command::Rules { rule, format } => rules_cmd::rules_command(rule.as_deref(), format),
        Command::Build(args) => build_cmd::build_command(&args, root),
        Command::Images(args) => image_cmd::images_command(&args, root),
        Command::History { image, no_trunc } => image_cmd::history_command(&image, no_trunc, root),
        Command::Inspect { images } => image_cmd::inspect_command(&images, root),
        Command::Tag { source, target } => image_cmd::tag_command(&source, &target, root),
        Command::Rmi { images, force } => image_cmd::rmi_command(&images, force, root),
        Command::Image(cmd) => image_cmd::image_command(&cmd, root),
        Command::Analyze(args) => analyze_cmd::analyze_command(&args, root),
        Command::Builder(cmd) => image_cmd::builder_command(&cmd, root),
        Command::System(cmd) => image_cmd::system_command(&cmd, root),
        Command::Save(args) => image_cmd::save_command(&args, root),
        Command::Load { input, quiet } => image_cmd::load_command(input.as_deref(), quiet, root),
        Command::Push(args) => registry_cmd::push_command(&args, root),
        Command::Pull(args) => registry_cmd::pull_command(&args, root),
        Command::Login(args) => registry_cmd::login_command(&args),
        Command::Logout { server } => registry_cmd::logout_command(server.as_deref()),
        Command::Sandbox { spec } => Ok(sandbox::sandbox_main(&spec)),
        Command::SandboxInit { spec } => Ok(sandbox::init_main(&spec)),
    }
}
