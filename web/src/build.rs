//! The simulated build: the page sends the Dockerfile and the build context, a web worker runs
//! `stowage_build::Engine` over them and sends back plain rows (steps and layers). The engine
//! lives as long as the worker, so its cache survives between builds and a rebuild shows HITs.
//! `src/bin/build_worker.rs` registers [`BuildTask`].

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use stowage_build::{
    BuildRequest, Engine, FixedClock, Host, ImageStore, NoEvents, NoFetcher, SimulatedExecutor,
    SimulatedImages, StepStatus, human_size,
};
use stowage_vfs::{Fs, Metadata};
use yew_agent::oneshot::oneshot;

/// The time the simulated builds say it is (image `created`, history): 2025-01-01, after the
/// simulated base images were made (2024-07-01), so a stage's clock never has to go back.
const NOW: i64 = 1_735_689_600;

/// One file of the build context, as the page holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextFile {
    /// Relative path (`app.py`, `src/main.py`).
    pub path: String,
    pub text: String,
    /// Bumped on every edit: the engine memoises checksums by path and metadata.
    pub mtime: i64,
}

/// What the build worker is asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildAsk {
    /// The page's build counter; answers for older builds are dropped.
    pub build: u64,
    pub dockerfile: String,
    pub context: Vec<ContextFile>,
    /// `--no-cache`: run every step (results are still stored).
    pub no_cache: bool,
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
}

/// `12.3 kB`, as docker prints sizes.
pub fn size_text(size: u64) -> String {
    human_size(size)
}

/// The builder: an engine and its base images, kept between builds.
#[derive(Debug, Default)]
pub struct Builder {
    engine: Engine,
    images: SimulatedImages,
}

impl Builder {
    /// Builds `ask` with the simulated host.
    pub fn build(&mut self, ask: &BuildAsk) -> BuildOutcome {
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
        request.tags = vec!["playground:latest".to_owned()];
        request.no_cache = ask.no_cache;
        let mut executor = SimulatedExecutor;
        let mut fetcher = NoFetcher;
        let mut clock = FixedClock {
            unix_seconds: NOW,
            millis: 0,
        };
        let mut events = NoEvents;
        let mut host = Host {
            images: &mut self.images,
            executor: &mut executor,
            fetcher: &mut fetcher,
            clock: &mut clock,
            events: &mut events,
        };
        let result = self.engine.build(&request, &mut host);
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
            })
            .collect();
        let mut layers = Vec::new();
        let mut total_size = 0;
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
                });
            }
        }
        BuildOutcome {
            build: ask.build,
            steps,
            layers,
            total_size,
            image: result.image.clone(),
            errors,
        }
    }
}

/// The 1-based line holding byte `at` of `text`.
fn line_of(text: &str, at: u32) -> u32 {
    let at = usize::try_from(at).unwrap_or(usize::MAX);
    let before = text.as_bytes().get(..at).unwrap_or(text.as_bytes());
    // One more piece than there are newlines before `at`: the line number.
    u32::try_from(before.split(|&b| b == b'\n').count()).unwrap_or(u32::MAX)
}

thread_local! {
    /// The worker's builder: one per worker, alive between builds (the cache).
    static BUILDER: RefCell<Builder> = RefCell::default();
}

/// Builds with the worker's long-lived [`Builder`].
pub fn respond(ask: &BuildAsk) -> BuildOutcome {
    BUILDER.with(|builder| builder.borrow_mut().build(ask))
}

/// The oneshot agent: a build request in, the rows out. The worker keeps its engine.
#[oneshot]
#[expect(
    clippy::needless_pass_by_value,
    reason = "yew-agent's oneshot hands its input over by value"
)]
pub fn BuildTask(ask: BuildAsk) -> BuildOutcome {
    respond(&ask)
}

#[cfg(test)]
mod tests;
