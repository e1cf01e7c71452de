//! The simulated build: the page sends the Dockerfile and the build context, a web worker runs
//! `stowage_build::Engine` over them and sends back plain rows (steps and layers). The engine
//! lives as long as the worker, so its cache survives between builds and a rebuild shows HITs.
//! `src/bin/build_worker.rs` registers [`BuildTask`], a yew-agent worker that answers a
//! build with a stream of BuildKit-style log chunks (sent as the engine reports each step, so
//! the page shows the log while the build runs) and then the [`BuildOutcome`].

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use stowage_build::{
    BuildEvent, BuildRequest, Engine, EventSink, FixedClock, Host, ImageStore, NoFetcher,
    SimulatedExecutor, SimulatedImages, StepStatus, human_size,
};
use stowage_vfs::{Fs, Layer, Metadata};
use yew_agent::worker::{HandlerId, Worker, WorkerScope};

use crate::explore::{Efficiency, FileRow, LayerFiles, explore, union_dir};

/// The time the simulated builds say it is (image `created`, history): 2025-01-01, after the
/// simulated base images were made (2024-07-01), so a stage's clock never has to go back. The
/// layers the examples build at this time have their diff IDs precomputed (see
/// `stowage_build::catalogue`): their first builds hash no synthetic bytes.
const NOW: i64 = stowage_build::catalogue::PLAYGROUND_NOW;

/// One file of the build context, as the page holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextFile {
    /// Relative path (`app.py`, `src/main.py`).
    pub path: String,
    pub text: String,
    /// Bumped on every edit: the engine memoises checksums by path and metadata.
    pub mtime: i64,
}

/// A build the build worker is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildAsk {
    /// The page's build counter; answers for older builds are dropped.
    pub build: u64,
    pub dockerfile: String,
    pub context: Vec<ContextFile>,
    /// `--no-cache`: run every step (results are still stored).
    pub no_cache: bool,
    /// `--build-arg NAME=value`.
    pub build_args: BTreeMap<String, String>,
    /// `--target`: the stage to build (by name or index); `None` builds the last.
    pub target: Option<String>,
    /// `-t name:tag` (the terminal's builds); empty means `playground:latest`.
    pub tags: Vec<String>,
}

/// One step of the build, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRow {
    /// `[2/5] RUN make` (BuildKit's header).
    pub header: String,
    /// `HIT`, `MISS`, `CONFIG` or `FAILED`.
    pub status: String,
    /// Why, in words.
    pub reason: String,
    pub details: Vec<String>,
    /// The size of the layer it made, if it made one.
    pub layer_size: Option<u64>,
    /// Simulated command output.
    pub log: Vec<String>,
    pub notes: Vec<String>,
    /// How long the step would take on a real builder (simulated), in milliseconds.
    pub simulated_ms: u64,
    /// The first 12 hex digits of its layer's diff ID.
    pub digest: Option<String>,
}

/// One layer of the built image, base first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRow {
    /// The history entry that made it (`RUN /bin/sh -c … # buildkit`).
    pub created_by: String,
    pub size: u64,
    /// The Dockerfile lines of the instruction that made it (1-based, inclusive); `None` for
    /// the base image's layers.
    pub lines: Option<(u32, u32)>,
    /// The first 12 hex digits of its diff ID.
    pub digest: String,
    /// The files it added, modified and deleted.
    pub files: LayerFiles,
}

/// What the build worker answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildOutcome {
    /// The request's build counter.
    pub build: u64,
    pub steps: Vec<StepRow>,
    pub layers: Vec<LayerRow>,
    /// The image's total size (sum of its layers).
    pub total_size: u64,
    /// The image ID, when the build succeeded.
    pub image: Option<String>,
    /// Build errors (parse errors, missing files).
    pub errors: Vec<String>,
    /// The whole log, BuildKit style (`#3 [2/6] RUN …`, `#3 CACHED`, `#3 DONE 1.2s`).
    pub log: Vec<String>,
    /// dive's efficiency of the image, wasted bytes and lessons.
    pub efficiency: Option<Efficiency>,
    /// Stages the target does not need (not built).
    pub stages_skipped: Vec<usize>,
    /// Where the layers came from: `None` for a build, the file name for an imported archive.
    pub imported: Option<String>,
    /// How long the worker took (build and rows), in microseconds, when it has a clock.
    pub took_us: Option<u32>,
}

/// What the page asks the build worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BuildInput {
    /// Parse and lint the editor's text (the page's analysis instance of this worker).
    Analyze(crate::worker::AnalysisRequest),
    /// Build.
    Build(BuildAsk),
    /// List directory `dir` of the union filesystem at layer `layer` (0-based) of the latest
    /// build or import.
    Union { layer: usize, dir: String },
    /// Read a `docker save` or OCI archive (`.tar`, `.tar.gz`) into the layer explorer.
    Import {
        /// The page's build counter for it (imports and builds share one).
        build: u64,
        name: String,
        bytes: Vec<u8>,
    },
    /// Run a terminal command line ([`terminal`]); `id` comes back with the answer.
    Terminal { id: u64, ask: TerminalAsk },
    /// Encode the Dockerfile and context as a share link's payload (`copy`: the Share button
    /// asked, so the page copies the link).
    ShareEncode { state: Shared, copy: bool },
    /// Decode a share link's payload (from the URL fragment or local storage).
    ShareDecode(String),
    /// Save image `image` (a name or ID) as an OCI archive (Docker ≥ 25 `docker save`, which is
    /// an OCI image layout that `skopeo … oci-archive:` reads).
    Export { image: String },
}

/// What the build worker sends back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BuildOutput {
    /// The analysis asked for.
    Analysis(crate::worker::AnalysisResponse),
    /// A share link's payload.
    ShareLink { payload: String, copy: bool },
    /// A decoded share link (`Err`: why it could not be read).
    ShareState(Result<Shared, String>),
    /// The answer to terminal command `id`.
    Terminal { id: u64, reply: TerminalReply },
    /// The OCI archive asked for (`Err`: docker's message).
    Export {
        image: String,
        archive: Result<Vec<u8>, String>,
    },
    /// More log lines of build `build`, while it runs.
    Log { build: u64, lines: Vec<String> },
    /// The build (or import) finished.
    Done(BuildOutcome),
    /// A directory of the union filesystem.
    Union {
        layer: usize,
        dir: String,
        entries: Vec<FileRow>,
        /// Entries not listed.
        more: usize,
    },
}

/// The short form of a digest: 12 hex digits without the algorithm.
pub fn short_digest(digest: &str) -> String {
    let hex = digest.split_once(':').map_or(digest, |(_, hex)| hex);
    hex.chars().take(12).collect()
}

/// `12.3 kB`, as docker prints sizes.
pub fn size_text(size: u64) -> String {
    human_size(size)
}

/// Writes the engine's events as BuildKit's plain progress does (`#N [2/6] RUN …`, `#N CACHED`,
/// output lines, `#N DONE 1.2s`), and hands each finished chunk to `flush`.
struct LogSink<'a> {
    lines: Vec<String>,
    /// Lines already handed to `flush`.
    sent: usize,
    /// `#N` of each step seen, by its header.
    numbers: BTreeMap<String, usize>,
    flush: &'a mut dyn FnMut(&[String]),
}

impl LogSink<'_> {
    fn number(&mut self, header: String) -> (usize, bool) {
        let next = self.numbers.len() + 1;
        let mut new = false;
        let n = *self.numbers.entry(header).or_insert_with(|| {
            new = true;
            next
        });
        (n, new)
    }

    fn flush(&mut self) {
        if self.sent < self.lines.len() {
            (self.flush)(&self.lines[self.sent..]);
            self.sent = self.lines.len();
        }
    }
}

impl EventSink for LogSink<'_> {
    fn event(&mut self, event: &BuildEvent) {
        match event {
            BuildEvent::StepStarted { step } | BuildEvent::StepCached { step } => {
                let header = step.to_string();
                let (n, new) = self.number(header.clone());
                if new {
                    self.lines.push(format!("#{n} {header}"));
                }
                if matches!(event, BuildEvent::StepCached { .. }) {
                    self.lines.push(format!("#{n} CACHED"));
                }
                // The header goes out at once: a slow step (a large base image) shows what runs.
                self.flush();
            }
            BuildEvent::Log { step, line } => {
                let (n, _) = self.number(step.to_string());
                self.lines.push(format!("#{n} {}", line.text));
            }
            BuildEvent::StepFinished {
                step,
                status,
                simulated_ms,
                ..
            } => {
                let (n, _) = self.number(step.to_string());
                match status {
                    StepStatus::Hit => {}
                    StepStatus::Failed => self.lines.push(format!("#{n} ERROR: the step failed")),
                    StepStatus::Miss | StepStatus::Config => self.lines.push(format!(
                        "#{n} DONE {}.{}s",
                        simulated_ms / 1000,
                        simulated_ms % 1000 / 100
                    )),
                }
                self.flush();
            }
            BuildEvent::Context { files, bytes } => {
                let (n, _) = self.number("[internal] load build context".to_owned());
                self.lines
                    .push(format!("#{n} [internal] load build context"));
                self.lines.push(format!(
                    "#{n} transferring context: {files} files, {} done",
                    human_size(*bytes)
                ));
                self.lines.push(format!("#{n} DONE 0.0s"));
            }
            BuildEvent::Exported { .. } => {}
        }
    }
}

/// The builder: an engine and its base images, kept between builds, and the layers the
/// explorer shows (the latest build's image or imported archive).
#[derive(Debug, Default)]
pub struct Builder {
    engine: Engine,
    images: SimulatedImages,
    explored: Vec<Arc<Layer>>,
}

impl Builder {
    /// Builds `ask` with the simulated host.
    pub fn build(&mut self, ask: &BuildAsk) -> BuildOutcome {
        self.build_streaming(ask, &mut |_| {})
    }

    /// Builds `ask`, handing the log to `flush` a chunk at a time while the engine runs.
    pub fn build_streaming(
        &mut self,
        ask: &BuildAsk,
        flush: &mut dyn FnMut(&[String]),
    ) -> BuildOutcome {
        let mut context = Fs::new();
        let mut errors = Vec::new();
        for file in &ask.context {
            let path = file.path.trim_start_matches('/');
            let made = match path.rsplit_once('/') {
                Some((dir, _)) => {
                    context.create_dir_all(dir, &Metadata::new(0o755).with_mtime(NOW))
                }
                None => Ok(()),
            }
            .and_then(|()| {
                context.write_file(
                    path,
                    file.text.clone().into_bytes(),
                    Metadata::new(0o644).with_mtime(file.mtime),
                )
            });
            if let Err(err) = made {
                errors.push(format!("{path}: {err}"));
            }
        }
        let mut request = BuildRequest::new(&ask.dockerfile, &context);
        request.tags = if ask.tags.is_empty() {
            vec!["playground:latest".to_owned()]
        } else {
            ask.tags.clone()
        };
        request.no_cache = ask.no_cache;
        request.build_args.clone_from(&ask.build_args);
        request.target.clone_from(&ask.target);
        let mut executor = SimulatedExecutor;
        let mut fetcher = NoFetcher;
        let mut clock = FixedClock {
            unix_seconds: NOW,
            millis: 0,
        };
        let mut events = LogSink {
            lines: Vec::new(),
            sent: 0,
            numbers: BTreeMap::new(),
            flush,
        };
        let mut host = Host {
            images: &mut self.images,
            executor: &mut executor,
            fetcher: &mut fetcher,
            clock: &mut clock,
            events: &mut events,
        };
        let result = self.engine.build(&request, &mut host);
        if let Some(id) = &result.image {
            let n = events.numbers.len() + 1;
            events.lines.extend([
                format!("#{n} exporting to image"),
                format!("#{n} writing image {id} done"),
                format!("#{n} naming to {} done", naming(&request.tags)),
                format!("#{n} DONE 0.0s"),
            ]);
        }
        events.flush();
        let mut log = std::mem::take(&mut events.lines);
        // Notes (commands the simulation does not run) go with their step, before its DONE.
        for step in result.steps.iter().filter(|s| !s.notes.is_empty()) {
            let Some(n) = events.numbers.get(&step.id.to_string()) else {
                continue;
            };
            let prefix = format!("#{n} ");
            let done = format!("#{n} DONE ");
            let at = log
                .iter()
                .rposition(|l| l.starts_with(&done))
                .or_else(|| {
                    log.iter()
                        .rposition(|l| l.starts_with(&prefix))
                        .map(|i| i + 1)
                })
                .unwrap_or(log.len());
            for (k, note) in step.notes.iter().enumerate() {
                log.insert(at + k, format!("#{n} note: {note}"));
            }
        }
        errors.extend(result.diagnostics.iter().map(|d| d.message.clone()));
        let steps = result
            .steps
            .iter()
            .map(|step| StepRow {
                header: step.id.to_string(),
                status: step.status.as_str().to_owned(),
                reason: step.reason.clone(),
                details: step.details.clone(),
                layer_size: step
                    .layer
                    .as_ref()
                    .filter(|_| step.status != StepStatus::Config)
                    .map(|layer| layer.size),
                log: step.log.iter().map(|line| line.text.clone()).collect(),
                notes: step.notes.clone(),
                simulated_ms: step.simulated_ms,
                digest: step
                    .layer
                    .as_ref()
                    .filter(|_| step.status != StepStatus::Config)
                    .map(|layer| short_digest(&layer.diff_id)),
            })
            .collect();
        let mut layers = Vec::new();
        let mut total_size = 0;
        let mut stack = Vec::new();
        if let Some(image) = result
            .image
            .as_deref()
            .and_then(|id| self.engine.find(id).ok())
            .and_then(|id| self.engine.images.get(&id))
        {
            for (entry, layer) in image
                .config
                .history
                .iter()
                .zip(image.config.history_layers())
            {
                let Some(layer) = layer.and_then(|index| image.layers.get(index)) else {
                    continue;
                };
                total_size += layer.size;
                stack.push(Arc::clone(&layer.layer));
                let diff_id = layer.diff_id.to_string();
                let lines = result
                    .steps
                    .iter()
                    .find(|step| step.layer.as_ref().is_some_and(|l| l.diff_id == diff_id))
                    .map(|step| {
                        let end = step.span.end.saturating_sub(1).max(step.span.start);
                        (
                            line_of(&ask.dockerfile, step.span.start),
                            line_of(&ask.dockerfile, end),
                        )
                    });
                layers.push(LayerRow {
                    created_by: entry.created_by.clone().unwrap_or_default(),
                    size: layer.size,
                    lines,
                    digest: short_digest(&diff_id),
                    files: LayerFiles::default(),
                });
            }
        }
        let efficiency = self.explore(stack, &mut layers);
        BuildOutcome {
            build: ask.build,
            steps,
            layers,
            total_size,
            image: result.image.clone(),
            errors,
            log,
            efficiency,
            stages_skipped: result.stages_skipped.clone(),
            imported: None,
            took_us: None,
        }
    }

    /// Keeps `stack` for the union view and fills each row's files; the efficiency.
    fn explore(&mut self, stack: Vec<Arc<Layer>>, rows: &mut [LayerRow]) -> Option<Efficiency> {
        self.explored = stack;
        let refs: Vec<&Layer> = self.explored.iter().map(AsRef::as_ref).collect();
        let explored = explore(&refs)?;
        for (row, files) in rows.iter_mut().zip(explored.layers) {
            row.files = files;
        }
        Some(explored.efficiency)
    }

    /// Directory `dir` of the union filesystem at layer `layer` of the explored image.
    pub fn union(&self, layer: usize, dir: &str) -> (Vec<FileRow>, usize) {
        let upto = self.explored.len().min(layer + 1);
        let refs: Vec<&Layer> = self.explored[..upto].iter().map(AsRef::as_ref).collect();
        union_dir(&refs, dir)
    }

    /// Reads a `docker save` or OCI archive into the explorer: its first image's layers.
    pub fn import(&mut self, build: u64, name: &str, bytes: &[u8]) -> BuildOutcome {
        let mut outcome = BuildOutcome {
            build,
            imported: Some(name.to_owned()),
            ..BuildOutcome::default()
        };
        match crate::import::read_archive(bytes) {
            Ok(image) => {
                outcome.image = Some(image.id);
                outcome.total_size = image.layers.iter().map(|l| l.size).sum();
                let mut rows: Vec<LayerRow> = image
                    .layers
                    .iter()
                    .map(|l| LayerRow {
                        created_by: l.created_by.clone(),
                        size: l.size,
                        lines: None,
                        digest: short_digest(&l.diff_id),
                        files: LayerFiles::default(),
                    })
                    .collect();
                let stack = image.layers.into_iter().map(|l| l.layer).collect();
                outcome.efficiency = self.explore(stack, &mut rows);
                outcome.layers = rows;
                outcome.log = vec![format!(
                    "Loaded {} from {name}",
                    outcome.image.as_deref().unwrap_or_default()
                )];
            }
            Err(err) => outcome.errors.push(format!("{name}: {err}")),
        }
        outcome
    }
}

/// The 1-based line holding byte `at` of `text`.
fn line_of(text: &str, at: u32) -> u32 {
    let at = usize::try_from(at).unwrap_or(usize::MAX);
    let before = text.as_bytes().get(..at).unwrap_or(text.as_bytes());
    // One more piece than there are newlines before `at`: the line number.
    u32::try_from(before.split(|&b| b == b'\n').count()).unwrap_or(u32::MAX)
}

/// `docker.io/library/app:latest, docker.io/library/app:v1`: the names BuildKit's export step
/// prints.
fn naming(tags: &[String]) -> String {
    tags.iter()
        .map(|t| stowage_oci::archive::qualify(&stowage_build::normalize_tag(t)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Builder {
    /// `docker save` of `image` in Docker ≥ 25's shape: an OCI image layout in a tar (layers
    /// uncompressed), which `skopeo inspect oci-archive:` accepts.
    pub fn export(&self, image: &str) -> Result<Vec<u8>, String> {
        self.engine
            .save(
                &[image],
                stowage_oci::archive::ArchiveFormat::Oci,
                stowage_oci::layer::Compression::None,
            )
            .map_err(|err| err.to_string())
    }
}

thread_local! {
    /// The worker's builder: one per worker, alive between builds (the cache).
    static BUILDER: RefCell<Builder> = RefCell::default();
    /// The terminal's state (the `localhost:5000` registry), alive as long as the worker.
    static TERMINAL: RefCell<Terminal> = RefCell::default();
}

/// Builds with the worker's long-lived [`Builder`].
pub fn respond(ask: &BuildAsk) -> BuildOutcome {
    BUILDER.with(|builder| builder.borrow_mut().build(ask))
}

/// The build worker: answers each [`BuildInput`] with [`BuildOutput`]s. A build's log goes out
/// a chunk at a time while the engine runs (each `respond` posts a message at once, so the page
/// draws it while the worker is still busy), then the outcome.
#[derive(Debug)]
pub struct BuildTask;

impl Worker for BuildTask {
    type Message = ();
    type Input = BuildInput;
    type Output = BuildOutput;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        Self
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, (): ()) {}

    fn received(&mut self, scope: &WorkerScope<Self>, input: BuildInput, id: HandlerId) {
        let output = BUILDER.with(|builder| {
            let mut builder = builder.borrow_mut();
            match input {
                BuildInput::Analyze(request) => {
                    BuildOutput::Analysis(crate::worker::respond(request))
                }
                BuildInput::Build(ask) => {
                    let started = crate::clock::now_ms();
                    let build = ask.build;
                    let mut flush = |lines: &[String]| {
                        scope.respond(
                            id,
                            BuildOutput::Log {
                                build,
                                lines: lines.to_vec(),
                            },
                        );
                    };
                    let mut outcome = builder.build_streaming(&ask, &mut flush);
                    outcome.took_us = crate::clock::elapsed_us(started);
                    BuildOutput::Done(outcome)
                }
                BuildInput::Union { layer, dir } => {
                    let (entries, more) = builder.union(layer, &dir);
                    BuildOutput::Union {
                        layer,
                        dir,
                        entries,
                        more,
                    }
                }
                BuildInput::Import { build, name, bytes } => {
                    BuildOutput::Done(builder.import(build, &name, &bytes))
                }
                BuildInput::ShareEncode { state, copy } => BuildOutput::ShareLink {
                    payload: share::encode(&state),
                    copy,
                },
                BuildInput::ShareDecode(payload) => {
                    BuildOutput::ShareState(share::decode(&payload).map_err(|e| e.to_string()))
                }
                BuildInput::Export { image } => BuildOutput::Export {
                    archive: builder.export(&image),
                    image,
                },
                BuildInput::Terminal { id, ask } => BuildOutput::Terminal {
                    id,
                    reply: TERMINAL.with(|t| t.borrow_mut().run(&mut builder, &ask)),
                },
            }
        });
        scope.respond(id, output);
    }
}

pub mod share;
mod terminal;

pub use share::Shared;
pub use terminal::{REGISTRY, Terminal, TerminalAsk, TerminalReply};

#[cfg(test)]
mod tests;
