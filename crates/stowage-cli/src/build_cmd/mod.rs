//! `stowage build`: a Dockerfile and a directory into an image in the local store, RUN
//! executed for real (see `crate::sandbox`), the build cache on disk.

mod context;
mod progress;

pub(crate) use context::{identity_of, read_context};

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use clap::{Args, ValueEnum};
use stowage_build::{BuildRequest, Clock, Engine, Host, NoFetcher, codes};
use stowage_diagnostics::{Diagnostic, render};
use stowage_oci::archive::ArchiveFormat;
use stowage_oci::layer::{Compression, TarOptions};
use stowage_store::{DiskCacheStore, DiskImageStore};

use self::progress::{Mode, Progress, Shared};
use crate::registry_cmd::PullingResolver;
use crate::sandbox::RealExecutor;
use crate::source::{colorize, use_colour};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProgressMode {
    /// `tty` on a terminal, else `plain`.
    Auto,
    /// Colour, one line per step.
    Tty,
    /// BuildKit's plain lines (`#5 [2/4] RUN …`, `#5 DONE 0.3s`).
    Plain,
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// The build context: a directory.
    context: PathBuf,
    /// Name and optionally tag the image (`name:tag`); may be repeated.
    #[arg(short = 't', long = "tag")]
    tags: Vec<String>,
    /// The Dockerfile (default: `CONTEXT/Dockerfile`).
    #[arg(short = 'f', long = "file")]
    file: Option<PathBuf>,
    /// A build-time variable, `NAME=value` (or `NAME` to take it from the environment).
    #[arg(long = "build-arg")]
    args: Vec<String>,
    /// The stage to build (default: the last one).
    #[arg(long)]
    target: Option<String>,
    /// Run every step, ignoring the cache (results are still stored).
    #[arg(long)]
    no_cache: bool,
    /// How to show progress.
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    progress: ProgressMode,
    /// Also write the image to a file: `type=oci,dest=FILE` or `type=docker,dest=FILE`.
    #[arg(short = 'o', long)]
    output: Option<String>,
    /// The target platform; only the host's (`linux/amd64` on x86-64) can be built.
    #[arg(long)]
    platform: Option<String>,
    /// Print only the image ID on standard output, and no progress (unless `--progress`
    /// asks for it); a failure is still reported.
    #[arg(short, long)]
    quiet: bool,
    /// A secret for `RUN --mount=type=secret`: `id=NAME,src=FILE` or `id=NAME,env=VARIABLE`
    /// (`id=NAME` alone reads the variable NAME); may be repeated. Never stored in the image
    /// or the cache.
    #[arg(long = "secret")]
    secrets: Vec<String>,
}

/// `--secret` specs as docker reads them: `id=`, `src=`/`source=`, `env=`, `type=file|env`.
fn read_secrets(specs: &[String]) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    for spec in specs {
        let (mut id, mut src, mut env, mut kind) = (None, None, None, None);
        for part in spec.split(',') {
            match part.split_once('=') {
                Some(("id", v)) => id = Some(v.to_owned()),
                Some(("src" | "source", v)) => src = Some(PathBuf::from(v)),
                Some(("env", v)) => env = Some(v.to_owned()),
                Some(("type", v @ ("file" | "env"))) => kind = Some(v.to_owned()),
                _ => bail!("--secret {spec:?}: expected id=NAME,src=FILE or id=NAME,env=VARIABLE"),
            }
        }
        let id = id
            .or_else(|| {
                src.as_ref()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
            })
            .or_else(|| env.clone())
            .with_context(|| format!("--secret {spec:?}: missing id=NAME"))?;
        let value = match (src, kind.as_deref()) {
            (Some(path), None | Some("file")) => std::fs::read(&path)
                .with_context(|| format!("--secret id={id}: reading {}", path.display()))?,
            (Some(_), Some(_)) => bail!("--secret {spec:?}: src= with type=env"),
            (None, _) => {
                let var = env.unwrap_or_else(|| id.clone());
                std::env::var_os(&var)
                    .with_context(|| {
                        format!(
                            "--secret id={id}: the variable {var} is not set (give src=FILE \
                             or env=VARIABLE)"
                        )
                    })?
                    .into_encoded_bytes()
            }
        };
        out.insert(id, value);
    }
    Ok(out)
}

/// The machine's clocks.
struct HostClock(Instant);

impl Clock for HostClock {
    fn now_millis(&mut self) -> u64 {
        u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn unix_seconds(&mut self) -> i64 {
        crate::image_cmd::now()
    }
}

fn host_platform() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "linux/arm64",
        "arm" => "linux/arm/v7",
        "x86" => "linux/386",
        _ => "linux/amd64",
    }
}

struct Output {
    format: ArchiveFormat,
    dest: PathBuf,
}

fn parse_output(spec: &str) -> Result<Output> {
    let mut kind = None;
    let mut dest = None;
    for part in spec.split(',') {
        match part.split_once('=') {
            Some(("type", v)) => kind = Some(v.to_owned()),
            Some(("dest", v)) => dest = Some(PathBuf::from(v)),
            _ => bail!("--output {spec:?}: expected type=oci|docker,dest=FILE"),
        }
    }
    let format = match kind.as_deref() {
        // Docker ≥ 25's archive is an OCI layout plus manifest.json: both readers take it.
        Some("oci" | "docker") => ArchiveFormat::Oci,
        Some(other) => bail!("--output type={other} is not supported (oci or docker)"),
        None => bail!("--output {spec:?}: missing type=oci|docker"),
    };
    let dest = dest.with_context(|| format!("--output {spec:?}: missing dest=FILE"))?;
    Ok(Output { format, dest })
}

#[expect(clippy::print_stdout, reason = "the image ID with --quiet")]
pub(crate) fn build_command(args: &BuildArgs, root: Option<&Path>) -> Result<ExitCode> {
    let started = Instant::now();
    if let Some(p) = &args.platform
        && p != host_platform()
    {
        bail!(
            "--platform {p}: only the host's platform ({}) can be built: RUN executes natively",
            host_platform()
        );
    }
    let output = args.output.as_deref().map(parse_output).transpose()?;
    let secrets = read_secrets(&args.secrets)?;
    let context_dir = args.context.canonicalize().with_context(|| {
        format!(
            "unable to prepare context: path {:?} not found",
            args.context.display().to_string()
        )
    })?;
    if !context_dir.is_dir() {
        bail!(
            "unable to prepare context: {} is not a directory",
            args.context.display()
        );
    }
    let dockerfile = args
        .file
        .clone()
        .unwrap_or_else(|| context_dir.join("Dockerfile"));
    let text = std::fs::read_to_string(&dockerfile)
        .with_context(|| format!("failed to read dockerfile: open {}", dockerfile.display()))?;
    // Its path inside the context, when it is there (for `<Dockerfile>.dockerignore`).
    let dockerfile_abs = dockerfile
        .canonicalize()
        .unwrap_or_else(|_| dockerfile.clone());
    let dockerfile_path = dockerfile_abs
        .strip_prefix(&context_dir)
        .ok()
        .and_then(Path::to_str)
        .map_or_else(
            || {
                dockerfile.file_name().map_or_else(
                    || "Dockerfile".to_owned(),
                    |n| n.to_string_lossy().into_owned(),
                )
            },
            str::to_owned,
        );
    let mut ctx = read_context(
        &context_dir,
        &[
            format!("{dockerfile_path}.dockerignore"),
            ".dockerignore".to_owned(),
        ],
    )?;
    let mut build_args = BTreeMap::new();
    for a in &args.args {
        match a.split_once('=') {
            Some((k, v)) => {
                build_args.insert(k.to_owned(), v.to_owned());
            }
            None => {
                if let Ok(v) = std::env::var(a) {
                    build_args.insert(a.clone(), v);
                }
            }
        }
    }
    let source_date_epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.parse::<i64>().ok());

    let store = crate::image_cmd::open_store(root)?;
    store.set_tar_options(TarOptions { source_date_epoch });
    let project = format!("{}\0{}", context_dir.display(), dockerfile_abs.display());
    let images = DiskImageStore::open(Rc::clone(&store))?;
    let cache = DiskCacheStore::open(Rc::clone(&store), &project, crate::image_cmd::now())?;
    let mut engine = Engine::with_stores(images, cache);

    let mode = match args.progress {
        ProgressMode::Tty => Mode::Tty,
        ProgressMode::Auto if std::io::stderr().is_terminal() => Mode::Tty,
        ProgressMode::Plain | ProgressMode::Auto => Mode::Plain,
    };
    let progress = Rc::new(RefCell::new(
        if args.quiet && matches!(args.progress, ProgressMode::Auto) {
            Progress::silent()
        } else {
            Progress::new(mode)
        },
    ));
    let sink = Rc::clone(&progress);
    let mut executor = RealExecutor::new(
        Rc::clone(&store),
        Box::new(move |stream, text| sink.borrow_mut().line(stream, text)),
    )
    .with_secrets(secrets)
    .with_context_dir(
        context_dir,
        crate::host_tree::PendingHostTree::spawn(std::mem::take(&mut ctx.host)),
    );
    let mut events = Shared(Rc::clone(&progress));
    let mut host = Host {
        images: &mut PullingResolver::new(Rc::clone(&store)),
        executor: &mut executor,
        fetcher: &mut NoFetcher,
        clock: &mut HostClock(started),
        events: &mut events,
    };
    let mut req = BuildRequest::new(&text, &ctx.fs);
    req.dockerfile_path = dockerfile_path;
    req.build_args = build_args;
    req.target.clone_from(&args.target);
    req.tags.clone_from(&args.tags);
    req.no_cache = args.no_cache;
    req.source_date_epoch = source_date_epoch;
    let result = engine.build(&req, &mut host);
    // Step records and checksums are kept even when the build fails (the steps that ran
    // are in the cache, as with BuildKit).
    let cache_flush = engine.cache.flush();
    if let Some(image) = &result.image {
        engine.images.flush()?;
        cache_flush?;
        progress.borrow_mut().finish(true);
        if let Some(out) = output {
            let id: stowage_oci::Digest = image.parse()?;
            let reference = args
                .tags
                .first()
                .cloned()
                .unwrap_or_else(|| id.encoded().to_owned());
            let bytes = engine.save(&[reference.as_str()], out.format, Compression::None)?;
            std::fs::write(&out.dest, bytes)
                .with_context(|| format!("writing {}", out.dest.display()))?;
        }
        if args.quiet {
            println!("{image}");
        }
        skip_teardown(engine, ctx);
        return Ok(ExitCode::SUCCESS);
    }
    let message = result
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .map_or_else(|| "the build failed".to_owned(), |d| d.message.clone());
    progress.borrow_mut().error(&message);
    progress.borrow_mut().finish(false);
    report_failure(&result, &dockerfile, &text, &message)?;
    cache_flush?;
    skip_teardown(engine, ctx);
    Ok(ExitCode::FAILURE)
}

/// Lets the process exit reclaim the engine's and the context's trees: freeing tens of
/// thousands of nodes one by one took ~5% of an unchanged 20,000-file rebuild. Everything
/// was flushed before; nothing in them needs a destructor (no temporary files, and the
/// store's lock files close at exit).
fn skip_teardown<E>(engine: E, ctx: context::Context) {
    std::mem::forget(engine);
    std::mem::forget(ctx);
}

/// BuildKit's failure report: the failed step's last output lines, the Dockerfile excerpt
/// (as our diagnostics render it) and `ERROR: failed to solve: …`.
fn report_failure(
    result: &stowage_build::BuildResult,
    dockerfile: &Path,
    text: &str,
    message: &str,
) -> Result<()> {
    let mut err = std::io::stderr().lock();
    if let Some(step) = result
        .steps
        .iter()
        .find(|s| s.status == stowage_build::StepStatus::Failed)
        && !step.log.is_empty()
    {
        writeln!(err, "------\n > {}:", step.id)?;
        let skip = step.log.len().saturating_sub(10);
        for l in &step.log[skip..] {
            writeln!(err, "{}", l.text)?;
        }
        writeln!(err, "------")?;
    }
    let diags: Vec<Diagnostic> = result
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && d.code != codes::TARGET)
        .cloned()
        .collect();
    if !diags.is_empty() {
        let name = dockerfile.display().to_string();
        let rendered = render(&name, text, &diags);
        if use_colour(&err) {
            err.write_all(colorize(&rendered).as_bytes())?;
        } else {
            err.write_all(rendered.as_bytes())?;
        }
    }
    writeln!(err, "ERROR: failed to solve: {message}")?;
    Ok(())
}
