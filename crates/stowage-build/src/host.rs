//! Everything the build engine needs from the outside world, as traits. The simulated
//! implementations (the browser mode) ship here; the CLI adds real ones.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;
use stowage_oci::layer::TarOptions;
use stowage_oci::{Digest, ImageConfig};
use stowage_shell::interp::{self, LogLine, RunOptions};
use stowage_syntax::resolve::Platform;
use stowage_vfs::{Fs, Layer};

use crate::events::BuildEvent;

/// A layer of an image: the changeset, its diff ID and its size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerRef {
    /// The changeset.
    pub layer: Arc<Layer>,
    /// SHA-256 of the uncompressed tar (`rootfs.diff_ids`).
    pub diff_id: Digest,
    /// Sum of the regular files' sizes (what `docker history` and dive count).
    pub size: u64,
}

/// An image the engine can build on: `FROM`, `COPY --from=<image>`.
#[derive(Clone, Debug)]
pub struct BaseImage {
    /// The reference as resolved (`alpine:3.20`).
    pub reference: String,
    /// Identity for the cache (`sha256:` of the config).
    pub digest: Digest,
    /// The config, history included.
    pub config: ImageConfig,
    /// The layers, base first.
    pub layers: Vec<LayerRef>,
    /// The union of the layers.
    pub rootfs: Fs,
    /// Whether this is one of the simulated images (approximate trees and sizes).
    pub simulated: bool,
}

/// Why an image reference could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// No such image.
    #[error("{reference}: not found: {hint}")]
    NotFound {
        /// The reference.
        reference: String,
        /// What is available instead.
        hint: String,
    },
    /// The resolver failed (network, store).
    #[error("{0}")]
    Failed(String),
}

/// Turns an image reference into an image.
pub trait ImageResolver {
    /// Resolves `reference` for `platform`.
    fn resolve(&mut self, reference: &str, platform: &Platform) -> Result<BaseImage, ResolveError>;
}

/// What a RUN executes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunCommand {
    /// Shell form: `shell` (default `["/bin/sh", "-c"]`) plus the script.
    Shell {
        /// The SHELL in effect.
        shell: Vec<String>,
        /// The script (heredoc bodies included).
        script: String,
    },
    /// Exec form: the words as written.
    Exec(Vec<String>),
}

/// A `RUN --mount` resolved for an executor that mounts for real
/// ([`Executor::mounts_natively`]); the others get the mounts grafted into the tree.
#[derive(Clone, Debug, PartialEq)]
pub struct RunMount {
    /// What is mounted.
    pub kind: RunMountKind,
    /// The absolute, normalized target; `None` for a secret exposed only as a variable.
    pub target: Option<String>,
    /// Read-only (the type's default applied).
    pub readonly: bool,
    /// `mode` (cache directory, secret file).
    pub mode: Option<u32>,
    /// `uid` (cache directory, secret file).
    pub uid: Option<u32>,
    /// `gid` (cache directory, secret file).
    pub gid: Option<u32>,
}

/// The kinds of [`RunMount`].
#[derive(Clone, Debug, PartialEq)]
pub enum RunMountKind {
    /// `type=cache`: a directory kept between builds, by `id` (default: the target).
    Cache {
        /// The cache's id.
        id: String,
        /// `sharing`.
        sharing: stowage_syntax::ast::CacheSharing,
    },
    /// `type=tmpfs`.
    Tmpfs {
        /// `size` in bytes.
        size: Option<u64>,
    },
    /// `type=bind`: `path` of `tree` (the context, a stage or an image); a directory or a file.
    Bind {
        /// The tree the source is in.
        tree: Fs,
        /// The source path in it.
        path: String,
    },
    /// `type=secret`: the host supplies the value by `id`.
    Secret {
        /// The secret's id.
        id: String,
        /// `env`: also (or only) exposed as this variable.
        env: Option<String>,
        /// `required`: fail when the host has no such secret.
        required: bool,
    },
    /// `type=ssh`.
    Ssh {
        /// The agent's id.
        id: String,
    },
}

/// One RUN as the executor sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecRequest {
    /// The command.
    pub command: RunCommand,
    /// The environment: every ENV and every ARG in scope.
    pub env: Vec<(String, String)>,
    /// The working directory.
    pub cwd: String,
    /// The user (`USER`), empty for root.
    pub user: String,
    /// `--network=none`.
    pub network_disabled: bool,
    /// Modification time for written files.
    pub mtime: i64,
    /// `RUN --mount`s, for an executor that [mounts natively](Executor::mounts_natively)
    /// (empty otherwise: the engine grafts them into the tree).
    pub mounts: Vec<RunMount>,
}

/// What a RUN produced (its filesystem changes are made in place).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExecResult {
    /// Exit status.
    pub status: i32,
    /// Output lines.
    pub log: Vec<LogLine>,
    /// Notes about the simulation (commands not simulated, stand-ins).
    pub notes: Vec<String>,
    /// How long the command would have taken, when simulated.
    pub simulated_millis: u64,
}

/// Runs RUN commands against a root filesystem.
pub trait Executor {
    /// Runs `req` with `fs` as the root; changes `fs` in place.
    fn run(&mut self, fs: &mut Fs, req: &ExecRequest) -> ExecResult;

    /// Whether the executor mounts `RUN --mount`s itself (from [`ExecRequest::mounts`]);
    /// otherwise the engine grafts their contents into the tree and takes them out after.
    fn mounts_natively(&self) -> bool {
        false
    }
}

/// The simulated executor: the `stowage-shell` interpreter over the VFS.
#[derive(Clone, Copy, Debug, Default)]
pub struct SimulatedExecutor;

impl Executor for SimulatedExecutor {
    fn run(&mut self, fs: &mut Fs, req: &ExecRequest) -> ExecResult {
        let opts = RunOptions {
            env: req.env.clone(),
            cwd: req.cwd.clone(),
            user: req.user.clone(),
            mtime: req.mtime,
            network_disabled: req.network_disabled,
        };
        let outcome = match &req.command {
            RunCommand::Shell { shell, script } => {
                let is_sh = shell
                    .first()
                    .is_some_and(|s| stowage_shell::is_posix_shell(s))
                    && shell
                        .get(1)
                        .is_some_and(|f| f.starts_with('-') && f.contains('c'));
                if is_sh {
                    interp::simulate_shell(fs, script, &opts)
                } else {
                    let mut argv = shell.clone();
                    argv.push(script.clone());
                    interp::simulate_exec(fs, &argv, &opts)
                }
            }
            RunCommand::Exec(argv) => interp::simulate_exec(fs, argv, &opts),
        };
        ExecResult {
            status: outcome.status,
            log: outcome.log,
            notes: outcome.notes.iter().map(ToString::to_string).collect(),
            simulated_millis: outcome.simulated_millis,
        }
    }
}

/// Something fetched for `ADD <url>` or `ADD <git repo>`.
#[derive(Clone, Debug)]
pub enum Fetched {
    /// A single file (its name and bytes).
    File {
        /// The file name from the URL.
        name: String,
        /// The bytes.
        content: stowage_vfs::Content,
    },
    /// A tree (a git checkout).
    Tree(Fs),
}

/// Why a fetch failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// Fetches URLs and git repositories for ADD.
pub trait Fetcher {
    /// Fetches `url` (`https://…` or a git URL).
    fn fetch(&mut self, url: &str) -> Result<Fetched, FetchError>;
}

/// The browser's fetcher: it cannot reach the network and says so.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFetcher;

impl Fetcher for NoFetcher {
    fn fetch(&mut self, url: &str) -> Result<Fetched, FetchError> {
        Err(FetchError(format!(
            "cannot fetch {url}: the simulated build has no network (the CLI can fetch URLs and git repositories)"
        )))
    }
}

/// The host's clock.
pub trait Clock {
    /// Milliseconds on a monotonic clock (step durations).
    fn now_millis(&mut self) -> u64;
    /// Seconds since the Unix epoch (image `created`, unless `SOURCE_DATE_EPOCH` is set).
    fn unix_seconds(&mut self) -> i64;
}

/// A clock that stands still: deterministic builds and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixedClock {
    /// What [`Clock::unix_seconds`] returns.
    pub unix_seconds: i64,
    /// What [`Clock::now_millis`] returns.
    pub millis: u64,
}

impl Clock for FixedClock {
    fn now_millis(&mut self) -> u64 {
        self.millis
    }

    fn unix_seconds(&mut self) -> i64 {
        self.unix_seconds
    }
}

/// Receives build events as they happen.
pub trait EventSink {
    /// One event.
    fn event(&mut self, event: &BuildEvent);
}

impl EventSink for Vec<BuildEvent> {
    fn event(&mut self, event: &BuildEvent) {
        self.push(event.clone());
    }
}

/// Drops every event.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn event(&mut self, _: &BuildEvent) {}
}

/// The outside world of one build.
#[expect(
    missing_debug_implementations,
    reason = "holds trait objects supplied by the host"
)]
pub struct Host<'a> {
    /// Base images.
    pub images: &'a mut dyn ImageResolver,
    /// RUN.
    pub executor: &'a mut dyn Executor,
    /// ADD of URLs and git repositories.
    pub fetcher: &'a mut dyn Fetcher,
    /// Time.
    pub clock: &'a mut dyn Clock,
    /// Progress.
    pub events: &'a mut dyn EventSink,
}

/// A cached step result.
#[derive(Clone, Debug)]
pub struct CacheEntry {
    /// The root filesystem after the step.
    pub fs: Fs,
    /// The layer the step made.
    pub layer: Option<LayerRef>,
    /// Every layer of the state after the step, base first (their union is `fs`): what a
    /// persistent store keeps to rebuild `fs` instead of storing the whole tree.
    pub layers: Vec<LayerRef>,
    /// The output of the run that produced it.
    pub log: Vec<LogLine>,
    /// When the step was first built (Unix seconds, or `SOURCE_DATE_EPOCH`): a HIT reuses
    /// it for its history entry, so an unchanged rebuild keeps its image ID.
    pub created: i64,
}

/// What a step's cache key was made of, kept to explain the next build's HIT or MISS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepRecord {
    /// The instruction as shown (`RUN apt-get update`).
    pub instruction: String,
    /// The key of the step it builds on (`None` for FROM and `COPY --link`).
    pub parent: Option<Digest>,
    /// Named inputs (`env:VERSION`, `arg:VERSION`, `user`, `cwd`, …) and their values.
    pub inputs: BTreeMap<String, String>,
    /// Checksums of the selected source files by path (shared: records are cloned often).
    pub files: Arc<BTreeMap<String, [u8; 32]>>,
    /// The resulting key.
    pub key: Option<Digest>,
}

/// Identifies a file for the checksum memo: its path and the metadata that would reveal a
/// change (mtime included here, as BuildKit does, though the checksum itself excludes it).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileStamp {
    /// Path in the context.
    pub path: String,
    /// Permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Size.
    pub size: u64,
    /// Modification time.
    pub mtime: i64,
    /// The host file behind the content, when the host keeps it (the CLI's context: device,
    /// inode, mtime and ctime in nanoseconds), so an unchanged file is recognised without
    /// reading it; `None` for bytes held in memory (the browser).
    pub host: Option<stowage_vfs::HostIdentity>,
}

/// The build cache: step results by key, the inputs of each step of the last build (to
/// explain the next one), cache-mount contents, and the file-checksum memo.
pub trait CacheStore {
    /// The result stored under `key`.
    fn get(&self, key: &Digest) -> Option<CacheEntry>;
    /// Stores a result.
    fn put(&mut self, key: Digest, entry: CacheEntry);
    /// The record of the step at `slot` in an earlier build.
    fn record(&self, slot: &str) -> Option<StepRecord>;
    /// Remembers the record of the step at `slot`.
    fn set_record(&mut self, slot: String, record: StepRecord);
    /// The contents of a cache mount (`RUN --mount=type=cache,id=…`).
    fn cache_mount(&self, id: &str) -> Option<Fs>;
    /// Stores the contents of a cache mount.
    fn set_cache_mount(&mut self, id: String, contents: Fs);
    /// A memoised file checksum.
    fn checksum(&self, stamp: &FileStamp) -> Option<[u8; 32]>;
    /// Memoises a file checksum.
    fn set_checksum(&mut self, stamp: FileStamp, sum: [u8; 32]);
    /// Hashes the bytes of `contents` (external ones, which no memo knows) before their
    /// checksums are taken one by one: a host with threads can share the work between its
    /// cores, the handles remembering each checksum (see
    /// [`stowage_vfs::ExternalContent::remember_checksum`]). The default leaves each to be
    /// hashed when its turn comes.
    fn hash_ahead(&mut self, contents: &[stowage_vfs::Content]) {
        let _ = contents;
    }
    /// Whether a result of a step with `definition` (its key without the checksums of the
    /// files it reads: [`CacheStore::note_definition`]) may be stored. When not, the step
    /// misses whatever its files hold, so a COPY runs before its files are hashed and takes
    /// their checksums from the bytes its layer read: one pass over a cold context instead
    /// of two. The default says yes (the files are hashed first).
    fn may_hold(&self, definition: &Digest) -> bool {
        let _ = definition;
        true
    }
    /// Remembers that a result of a step with `definition` is about to be stored.
    fn note_definition(&mut self, definition: Digest) {
        let _ = definition;
    }
    /// Drops every result, record and cache mount (`docker builder prune -a`); returns how
    /// many results were dropped.
    fn clear(&mut self) -> usize;
    /// The diff ID of a step's new `layer` tarred with `opts`. A persistent store may keep
    /// the tar it hashes, so that the result's [`CacheStore::put`] does not read the layer's
    /// bytes a second time; the default takes it from the table of known synthetic layers
    /// when the layer is there (see [`crate::catalogue`]), else hashes.
    fn diff_id(&mut self, layer: &Layer, opts: &TarOptions) -> Result<Digest, String> {
        crate::engine::layer_diff_id(layer, opts)
    }
    /// Says that [`CacheStore::diff_id`] of `layer` will be asked for after the next step
    /// ran: a host with threads may tar it meanwhile. The default does nothing.
    fn begin_diff_id(&mut self, layer: &Arc<Layer>, opts: &TarOptions) {
        let _ = (layer, opts);
    }
}

/// A [`CacheStore`] in memory.
#[derive(Clone, Debug, Default)]
pub struct MemoryCacheStore {
    entries: BTreeMap<Digest, CacheEntry>,
    records: BTreeMap<String, StepRecord>,
    mounts: BTreeMap<String, Fs>,
    checksums: HashMap<FileStamp, [u8; 32]>,
    definitions: BTreeSet<Digest>,
}

impl MemoryCacheStore {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of cached results.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl CacheStore for MemoryCacheStore {
    fn get(&self, key: &Digest) -> Option<CacheEntry> {
        self.entries.get(key).cloned()
    }

    fn put(&mut self, key: Digest, entry: CacheEntry) {
        self.entries.insert(key, entry);
    }

    fn record(&self, slot: &str) -> Option<StepRecord> {
        self.records.get(slot).cloned()
    }

    fn set_record(&mut self, slot: String, record: StepRecord) {
        self.records.insert(slot, record);
    }

    fn cache_mount(&self, id: &str) -> Option<Fs> {
        self.mounts.get(id).cloned()
    }

    fn set_cache_mount(&mut self, id: String, contents: Fs) {
        self.mounts.insert(id, contents);
    }

    fn checksum(&self, stamp: &FileStamp) -> Option<[u8; 32]> {
        self.checksums.get(stamp).copied()
    }

    fn set_checksum(&mut self, stamp: FileStamp, sum: [u8; 32]) {
        self.checksums.insert(stamp, sum);
    }

    fn may_hold(&self, definition: &Digest) -> bool {
        self.definitions.contains(definition)
    }

    fn note_definition(&mut self, definition: Digest) {
        self.definitions.insert(definition);
    }

    fn clear(&mut self) -> usize {
        let n = self.entries.len();
        self.entries.clear();
        self.definitions.clear();
        self.records.clear();
        self.mounts.clear();
        n
    }
}

/// An image in the local store.
#[derive(Clone, Debug)]
pub struct StoredImage {
    /// The image ID (`sha256:` of the config JSON).
    pub id: Digest,
    /// The config.
    pub config: ImageConfig,
    /// The layers.
    pub layers: Vec<LayerRef>,
    /// Seconds since the epoch when it was made.
    pub created: i64,
    /// Whether it is one of the simulated base images.
    pub simulated: bool,
}

impl StoredImage {
    /// Sum of the layer sizes (`docker images` SIZE).
    pub fn size(&self) -> u64 {
        self.layers.iter().map(|l| l.size).sum()
    }
}

/// The local image store (`docker images`): images by ID and tags pointing at them.
pub trait ImageStore {
    /// Stores an image (replacing one with the same ID).
    fn put(&mut self, image: StoredImage);
    /// The image with `id`.
    fn get(&self, id: &Digest) -> Option<&StoredImage>;
    /// Removes an image; its tags are left dangling for the caller to remove.
    fn remove(&mut self, id: &Digest) -> Option<StoredImage>;
    /// Every image ID, sorted.
    fn ids(&self) -> Vec<Digest>;
    /// Every tag (`name:tag`) and its image, sorted by tag.
    fn tags(&self) -> Vec<(String, Digest)>;
    /// Points `tag` at `id`; returns the image it pointed at before.
    fn set_tag(&mut self, tag: &str, id: Digest) -> Option<Digest>;
    /// Removes a tag; returns the image it pointed at.
    fn remove_tag(&mut self, tag: &str) -> Option<Digest>;
}

/// An [`ImageStore`] in memory.
#[derive(Clone, Debug, Default)]
pub struct MemoryImageStore {
    images: BTreeMap<Digest, StoredImage>,
    tags: BTreeMap<String, Digest>,
}

impl MemoryImageStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl ImageStore for MemoryImageStore {
    fn put(&mut self, image: StoredImage) {
        self.images.insert(image.id.clone(), image);
    }

    fn get(&self, id: &Digest) -> Option<&StoredImage> {
        self.images.get(id)
    }

    fn remove(&mut self, id: &Digest) -> Option<StoredImage> {
        self.images.remove(id)
    }

    fn ids(&self) -> Vec<Digest> {
        self.images.keys().cloned().collect()
    }

    fn tags(&self) -> Vec<(String, Digest)> {
        self.tags
            .iter()
            .map(|(t, d)| (t.clone(), d.clone()))
            .collect()
    }

    fn set_tag(&mut self, tag: &str, id: Digest) -> Option<Digest> {
        self.tags.insert(tag.to_owned(), id)
    }

    fn remove_tag(&mut self, tag: &str) -> Option<Digest> {
        self.tags.remove(tag)
    }
}
