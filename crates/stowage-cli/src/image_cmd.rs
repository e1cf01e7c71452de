//! The docker-style image commands over the local store: `images`, `history`, `inspect`,
//! `tag`, `rmi`, `image prune`, `builder prune`, `save` and `load` — thin wrappers over the
//! core's `Engine` with the disk stores of `stowage-store`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use stowage_build::{CacheStore, Engine, ImageStore, human_duration, human_size, table};
use stowage_oci::archive::ArchiveFormat;
use stowage_oci::layer::Compression;
use stowage_store::{DiskCacheStore, DiskImageStore, Store, default_root};

/// Seconds since the epoch, now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Opens the store at `--root`, `$STOWAGE_ROOT` or the XDG data directory.
pub(crate) fn open_store(root: Option<&Path>) -> Result<Rc<Store>> {
    let root = match root {
        Some(r) => r.to_owned(),
        None => default_root()?,
    };
    Store::open(&root).with_context(|| format!("opening the image store at {}", root.display()))
}

pub(crate) type DiskEngine = Engine<DiskImageStore, DiskCacheStore>;

pub(crate) fn engine(root: Option<&Path>) -> Result<DiskEngine> {
    let store = open_store(root)?;
    let images = DiskImageStore::open(Rc::clone(&store))?;
    let cache = DiskCacheStore::open(store, "", now())?;
    Ok(Engine::with_stores(images, cache))
}

fn flush(engine: &mut DiskEngine) -> Result<()> {
    engine.images.flush()?;
    engine.cache.flush()?;
    Ok(())
}

/// Removes blobs nothing references any more (when no other command is using the store).
fn collect_garbage(engine: &DiskEngine) -> Result<()> {
    let live = engine.cache.live_blobs()?;
    engine.images.store().gc(&live)?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    /// Docker's columns.
    Table,
    /// One JSON object per line, with docker's `--format json` fields.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ImagesArgs {
    /// Only images whose repository matches (`name` or `name:tag`).
    reference: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
    /// `dangling=true|false`.
    #[arg(long)]
    filter: Vec<String>,
    /// Only image IDs.
    #[arg(short, long)]
    quiet: bool,
    /// Full image IDs.
    #[arg(long)]
    no_trunc: bool,
}

/// Docker's `images --format json` object.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImageJson {
    containers: &'static str,
    created_at: String,
    created_since: String,
    digest: &'static str,
    #[serde(rename = "ID")]
    id: String,
    repository: String,
    shared_size: &'static str,
    size: String,
    tag: String,
    unique_size: &'static str,
    virtual_size: String,
}

/// Go's `time.Time` default format, in UTC.
fn go_time(epoch: i64) -> String {
    let rfc = stowage_oci::config::rfc3339(epoch);
    // 2024-05-01T10:00:00Z → 2024-05-01 10:00:00 +0000 UTC
    format!("{} {} +0000 UTC", &rfc[..10], &rfc[11..19])
}

#[expect(clippy::print_stdout, reason = "command output")]
pub(crate) fn images_command(args: &ImagesArgs, root: Option<&Path>) -> Result<ExitCode> {
    let engine = engine(root)?;
    let mut dangling = None;
    for f in &args.filter {
        match f.split_once('=') {
            Some(("dangling", v)) => dangling = Some(v == "true" || v == "1"),
            _ => bail!("invalid filter {f:?}: only dangling=true|false is supported"),
        }
    }
    let now = now();
    let rows: Vec<_> = engine
        .image_rows()
        .into_iter()
        .filter(|r| dangling.is_none_or(|d| d == (r.repository == "<none>")))
        .filter(|r| {
            args.reference.as_deref().is_none_or(|want| {
                let (name, tag) = want.split_once(':').unwrap_or((want, ""));
                r.repository == name && (tag.is_empty() || r.tag == tag)
            })
        })
        .collect();
    if let Some(e) = engine.images.take_error() {
        return Err(e.into());
    }
    let short = |id: &str| {
        let hex = id.trim_start_matches("sha256:");
        if args.no_trunc {
            id.to_owned()
        } else {
            hex[..12.min(hex.len())].to_owned()
        }
    };
    if args.quiet {
        let mut seen = std::collections::BTreeSet::new();
        for r in &rows {
            if seen.insert(r.id.clone()) {
                println!("{}", short(&r.id));
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    match args.format {
        ListFormat::Json => {
            for r in rows {
                let obj = ImageJson {
                    containers: "N/A",
                    created_at: go_time(r.created),
                    created_since: format!("{} ago", human_duration(now - r.created)),
                    digest: "<none>",
                    id: short(&r.id),
                    repository: r.repository,
                    shared_size: "N/A",
                    size: human_size(r.size),
                    tag: r.tag,
                    unique_size: "N/A",
                    virtual_size: human_size(r.size),
                };
                println!("{}", serde_json::to_string(&obj)?);
            }
        }
        ListFormat::Table => {
            let mut table_rows = vec![vec![
                "REPOSITORY".into(),
                "TAG".into(),
                "IMAGE ID".into(),
                "CREATED".into(),
                "SIZE".into(),
            ]];
            for r in rows {
                table_rows.push(vec![
                    r.repository,
                    r.tag,
                    short(&r.id),
                    format!("{} ago", human_duration(now - r.created)),
                    human_size(r.size),
                ]);
            }
            print!("{}", table(&table_rows));
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[expect(clippy::print_stdout, reason = "command output")]
pub(crate) fn history_command(
    image: &str,
    no_trunc: bool,
    root: Option<&Path>,
) -> Result<ExitCode> {
    let engine = engine(root)?;
    let text = engine.history_table(image, now(), no_trunc)?;
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

#[expect(clippy::print_stdout, reason = "command output")]
pub(crate) fn inspect_command(images: &[String], root: Option<&Path>) -> Result<ExitCode> {
    let engine = engine(root)?;
    let mut out = Vec::new();
    let mut failed = false;
    for i in images {
        match engine.inspect(i) {
            Ok(serde_json::Value::Array(items)) => out.extend(items),
            Ok(other) => out.push(other),
            Err(e) => {
                report(&e.to_string());
                failed = true;
            }
        }
    }
    if let Some(e) = engine.images.take_error() {
        return Err(e.into());
    }
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[expect(clippy::print_stderr, reason = "command errors")]
fn report(message: &str) {
    eprintln!("{message}");
}

pub(crate) fn tag_command(source: &str, target: &str, root: Option<&Path>) -> Result<ExitCode> {
    let mut engine = engine(root)?;
    engine.tag(source, target)?;
    flush(&mut engine)?;
    Ok(ExitCode::SUCCESS)
}

#[expect(clippy::print_stdout, reason = "command output")]
pub(crate) fn rmi_command(images: &[String], force: bool, root: Option<&Path>) -> Result<ExitCode> {
    let mut engine = engine(root)?;
    let mut failed = false;
    for i in images {
        match engine.rmi(i, force) {
            Ok(lines) => {
                for l in lines {
                    println!("{l}");
                }
            }
            Err(e) => {
                report(&e.to_string());
                failed = true;
            }
        }
    }
    flush(&mut engine)?;
    collect_garbage(&engine)?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Debug, Subcommand)]
pub(crate) enum ImageCommand {
    /// Remove unused images: untagged ones, or with `-a` every image.
    Prune {
        /// Remove all images without a container, not only untagged ones.
        #[arg(short, long)]
        all: bool,
        /// Do not ask for confirmation (stowage never asks; accepted for docker parity).
        #[arg(short, long)]
        force: bool,
    },
    /// List images (same as `stowage images`).
    Ls(ImagesArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum BuilderCommand {
    /// Remove the build cache.
    Prune {
        /// Accepted for docker parity (the whole cache is removed).
        #[arg(short, long)]
        all: bool,
        /// Do not ask for confirmation (stowage never asks).
        #[arg(short, long)]
        force: bool,
    },
}

#[expect(clippy::print_stdout, reason = "command output")]
pub(crate) fn image_command(cmd: &ImageCommand, root: Option<&Path>) -> Result<ExitCode> {
    match cmd {
        ImageCommand::Prune { all, .. } => {
            let mut engine = engine(root)?;
            let text = engine.prune(*all);
            flush(&mut engine)?;
            collect_garbage(&engine)?;
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        ImageCommand::Ls(args) => images_command(args, root),
    }
}

#[expect(clippy::print_stdout, reason = "command output")]
pub(crate) fn builder_command(cmd: &BuilderCommand, root: Option<&Path>) -> Result<ExitCode> {
    match cmd {
        BuilderCommand::Prune { .. } => {
            let mut engine = engine(root)?;
            let n = engine.cache.clear();
            flush(&mut engine)?;
            let store = Rc::clone(engine.images.store());
            let report = store.gc(&engine.cache.live_blobs()?)?;
            let (mounts, mount_bytes) = crate::sandbox::prune_cache_mounts(&store)?;
            println!("Deleted build cache objects: {}", n + mounts);
            if report.skipped_busy {
                println!(
                    "(another stowage command is using the store: blobs are left for a later prune)"
                );
            }
            println!(
                "Total reclaimed space: {}",
                human_size(report.bytes + mount_bytes)
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SaveFormat {
    /// Docker ≥ 25's archive: an OCI image layout plus `manifest.json` (docker, podman,
    /// skopeo `docker-archive:` and `oci-archive:` all read it).
    Docker,
    /// The same archive (it is an OCI layout): for `skopeo … oci-archive:`.
    Oci,
    /// Docker ≤ 24's archive (`<id>/layer.tar`).
    Legacy,
}

#[derive(Debug, Args)]
pub(crate) struct SaveArgs {
    /// Images to save (names or IDs).
    #[arg(required = true)]
    images: Vec<String>,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Archive shape.
    #[arg(long, value_enum, default_value_t = SaveFormat::Docker)]
    format: SaveFormat,
}

pub(crate) fn save_command(args: &SaveArgs, root: Option<&Path>) -> Result<ExitCode> {
    let engine = engine(root)?;
    let format = match args.format {
        SaveFormat::Docker | SaveFormat::Oci => ArchiveFormat::Oci,
        SaveFormat::Legacy => ArchiveFormat::Legacy,
    };
    let refs: Vec<&str> = args.images.iter().map(String::as_str).collect();
    let bytes = engine.save(&refs, format, Compression::None)?;
    if let Some(e) = engine.images.take_error() {
        return Err(e.into());
    }
    if let Some(path) = &args.output {
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    } else {
        let mut out = std::io::stdout().lock();
        if out.is_terminal() {
            bail!("cowardly refusing to save to a terminal. Use the -o flag or redirect");
        }
        out.write_all(&bytes)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[expect(clippy::print_stdout, reason = "command output")]
pub(crate) fn load_command(
    input: Option<&Path>,
    quiet: bool,
    root: Option<&Path>,
) -> Result<ExitCode> {
    let bytes = if let Some(p) = input {
        std::fs::read(p).with_context(|| format!("reading {}", p.display()))?
    } else {
        let mut stdin = std::io::stdin().lock();
        if stdin.is_terminal() {
            bail!("requested load from stdin, but stdin is empty: use -i FILE");
        }
        let mut b = Vec::new();
        stdin.read_to_end(&mut b)?;
        b
    };
    let mut engine = engine(root)?;
    let lines = engine.load(&bytes, now())?;
    flush(&mut engine)?;
    if !quiet {
        for l in lines {
            println!("{l}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Subcommand)]
pub(crate) enum SystemCommand {
    /// Disk usage of the store: images and build cache, with what a prune would reclaim.
    ///
    /// Images: ACTIVE counts tagged images (there are no containers), SIZE the uncompressed
    /// layers with shared ones counted once, RECLAIMABLE the layers only untagged images use
    /// (`image prune`). Build Cache: TOTAL counts cached step results, SIZE the blobs on disk
    /// they keep, RECLAIMABLE those no image uses (`builder prune`).
    Df,
    /// Check the store: every blob `index.json` and the build cache refer to is present and
    /// hashes to its digest, every manifest and config parses, diff IDs match the layers.
    /// Exits 1 and lists the problems when something is wrong.
    Check,
}

/// Docker's `RECLAIMABLE` with its share in percent.
fn with_percent(part: u64, whole: u64) -> String {
    let percent = part.saturating_mul(100).checked_div(whole).unwrap_or(0);
    format!("{} ({percent}%)", human_size(part))
}

#[expect(clippy::print_stdout, reason = "command output")]
pub(crate) fn system_command(cmd: &SystemCommand, root: Option<&Path>) -> Result<ExitCode> {
    match cmd {
        SystemCommand::Check => {
            let store = open_store(root)?;
            let _lock = store.lock_index()?;
            let report = store.check()?;
            #[expect(clippy::print_stdout, reason = "command output")]
            {
                for p in &report.problems {
                    println!("problem: {p}");
                }
                println!(
                    "{} images, {} cache results, {} blobs verified, {} temporary files; {}",
                    report.images,
                    report.cache_entries,
                    report.blobs,
                    report.temps,
                    if report.problems.is_empty() {
                        "no problems".to_owned()
                    } else {
                        format!("{} problems", report.problems.len())
                    }
                );
            }
            Ok(if report.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        SystemCommand::Df => {
            let engine = engine(root)?;
            let ids = engine.images.ids();
            let tagged: std::collections::BTreeSet<_> =
                engine.images.tags().into_iter().map(|(_, id)| id).collect();
            // diff ID → (size, used by a tagged image)
            let mut layers = std::collections::BTreeMap::new();
            for id in &ids {
                let Some(img) = engine.images.get(id) else {
                    continue;
                };
                for l in &img.layers {
                    let e = layers.entry(l.diff_id.clone()).or_insert((l.size, false));
                    e.1 |= tagged.contains(id);
                }
            }
            if let Some(e) = engine.images.take_error() {
                return Err(e.into());
            }
            let image_size: u64 = layers.values().map(|(s, _)| s).sum();
            let image_free: u64 = layers.values().filter(|(_, u)| !u).map(|(s, _)| s).sum();
            let store = engine.images.store();
            let in_images = store.index_blobs()?;
            let (mut cache_size, mut cache_free) = (0, 0);
            for blob in engine.cache.live_blobs()? {
                let size = std::fs::metadata(store.blob_path(&blob)).map_or(0, |m| m.len());
                cache_size += size;
                if !in_images.contains(&blob) {
                    cache_free += size;
                }
            }
            let active = ids.iter().filter(|id| tagged.contains(*id)).count();
            let rows = vec![
                vec![
                    "TYPE".to_owned(),
                    "TOTAL".into(),
                    "ACTIVE".into(),
                    "SIZE".into(),
                    "RECLAIMABLE".into(),
                ],
                vec![
                    "Images".to_owned(),
                    ids.len().to_string(),
                    active.to_string(),
                    human_size(image_size),
                    with_percent(image_free, image_size),
                ],
                vec![
                    "Build Cache".to_owned(),
                    engine.cache.len().to_string(),
                    "0".into(),
                    human_size(cache_size),
                    human_size(cache_free),
                ],
            ];
            print!("{}", table(&rows));
            Ok(ExitCode::SUCCESS)
        }
    }
}
