//! The build: stages in dependency order, every instruction applied to the filesystem and the
//! config, cache lookups with reasons, layers and history as BuildKit writes them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;
use stowage_diagnostics::{Diagnostic, Span};
use stowage_oci::config::buildkit;
use stowage_oci::layer::{TarOptions, write_tar};
use stowage_oci::{Digest, History, ImageConfig, Sha256Writer};
use stowage_shell::interp::LogLine;
use stowage_syntax::ast::{self, CommandLine, InstructionKind, MountType, NetworkMode};
use stowage_syntax::resolve::{self, BuildArgs, Platform};
use stowage_syntax::{Dockerfile, Lexer};
use stowage_vfs::{Fs, Layer, Metadata, VfsError};

use crate::cache::{KeyInputs, input_changes};
use crate::context::ContextView;
use crate::copy::{self, CopyOp, Source};
use crate::events::{BuildEvent, StepId, StepStatus};
use crate::host::{
    BaseImage, CacheEntry, CacheStore, ExecRequest, Fetched, Host, ImageStore, LayerRef,
    ResolveError, RunCommand, RunMount, RunMountKind, StepRecord,
};

/// What to build.
#[derive(Clone, Debug)]
pub struct BuildRequest<'a> {
    /// The Dockerfile's text.
    pub dockerfile: &'a str,
    /// Its path in the context (`Dockerfile`): `<path>.dockerignore` is looked up first.
    pub dockerfile_path: String,
    /// The build context.
    pub context: &'a Fs,
    /// `--build-arg NAME=value`.
    pub build_args: BTreeMap<String, String>,
    /// `--target`.
    pub target: Option<String>,
    /// `-t name:tag`.
    pub tags: Vec<String>,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--no-cache-filter stage`.
    pub no_cache_filter: Vec<String>,
    /// `--platform` (default `linux/amd64`).
    pub platform: Platform,
    /// `SOURCE_DATE_EPOCH`: image and history `created`, file times clamped in layers.
    pub source_date_epoch: Option<i64>,
}

impl<'a> BuildRequest<'a> {
    /// A request with defaults: `Dockerfile`, no args, last stage, no tags.
    pub fn new(dockerfile: &'a str, context: &'a Fs) -> Self {
        Self {
            dockerfile,
            dockerfile_path: "Dockerfile".to_owned(),
            context,
            build_args: BTreeMap::new(),
            target: None,
            tags: Vec::new(),
            no_cache: false,
            no_cache_filter: Vec::new(),
            platform: Platform::linux_amd64(),
            source_date_epoch: None,
        }
    }
}

/// The layer a step made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerInfo {
    /// Diff ID.
    pub diff_id: String,
    /// Size of its files.
    pub size: u64,
    /// Number of entries in the layer.
    pub entries: usize,
    /// The first 200 entries (`+ /app/x (12 B)`, `  /app/` for a directory, `D /tmp/y` for
    /// a whiteout), walk order; the whole layer is in the image store.
    pub changes: Vec<String>,
}

/// One step of a build.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// Which step.
    pub id: StepId,
    /// Index of the instruction in the Dockerfile's instruction list (`None` for ONBUILD
    /// triggers of the base image).
    pub instruction: Option<usize>,
    /// The instruction's span in the Dockerfile.
    pub span: Span,
    /// HIT, MISS, CONFIG or FAILED.
    pub status: StepStatus,
    /// Why, in words.
    pub reason: String,
    /// Further input changes, when there are several.
    pub details: Vec<String>,
    /// The cache key.
    pub cache_key: Option<String>,
    /// The layer, for steps that make one.
    pub layer: Option<LayerInfo>,
    /// Output of RUN.
    pub log: Vec<LogLine>,
    /// Simulation notes.
    pub notes: Vec<String>,
    /// Host milliseconds.
    pub duration_ms: u64,
    /// Simulated milliseconds.
    pub simulated_ms: u64,
}

/// The outcome of a build.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BuildResult {
    /// The image ID, when the build succeeded.
    pub image: Option<String>,
    /// Every step, in execution order.
    pub steps: Vec<StepReport>,
    /// Problems: Dockerfile errors and the failed step's error, with spans.
    pub diagnostics: Vec<Diagnostic>,
    /// The stages built (indices).
    pub stages_built: Vec<usize>,
    /// The stages skipped because the target does not need them.
    pub stages_skipped: Vec<usize>,
}

impl BuildResult {
    /// Whether an image was produced.
    pub fn success(&self) -> bool {
        self.image.is_some()
    }

    /// One line per step: `[build 2/5] RUN make  MISS  the step before it missed`.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for s in &self.steps {
            let _ = writeln!(out, "{:<6} {}  ({})", s.status.as_str(), s.id, s.reason);
        }
        out
    }
}

/// Diagnostic codes of the build.
pub mod codes {
    /// The Dockerfile has errors.
    pub const DOCKERFILE: &str = "build-dockerfile-error";
    /// A step failed.
    pub const STEP_FAILED: &str = "build-step-failed";
    /// The target stage does not exist.
    pub const TARGET: &str = "build-unknown-target";
    /// A base image could not be resolved.
    pub const BASE_IMAGE: &str = "build-base-image";
}

/// What a build hands back to the engine: the report, the target's config and layers, and
/// the base images it resolved.
type Outcome = (
    BuildResult,
    Option<(ImageConfig, Vec<LayerRef>)>,
    Vec<BaseImage>,
);

/// What a layer step does once it misses.
enum Action {
    Run(ExecRequest, Vec<ast::Mount>),
    Copy(CopyPlan),
    Workdir(String),
}

/// A built stage.
#[derive(Clone, Debug)]
struct StageState {
    fs: Fs,
    config: ImageConfig,
    layers: Vec<LayerRef>,
    key: Digest,
    /// ARGs declared in the stage so far, with values.
    args: Vec<(String, String)>,
    last_text: String,
    last_status: StepStatus,
    /// When the latest step of the stage was first built (Unix seconds): the time its
    /// history entry carries, and the one the metadata instructions after it take.
    created: i64,
}

struct Failure {
    message: String,
    span: Span,
}

/// The end of a MISS, once the step ran: its layer's diff ID, its key (with the checksums
/// its layer took, when they were deferred), the cache entry, the record and the report.
///
/// A COPY whose files nothing had hashed (no stored result could match it) ends only after
/// the next step ran, its layer tarred meanwhile where the host can
/// ([`CacheStore::begin_diff_id`]): that step misses whatever it is, since its parent's
/// key is new, so it needs that key only to store its own result.
struct MissCommit {
    layer: Arc<Layer>,
    deferred: Option<copy::PendingChecksums>,
    inputs: KeyInputs,
    parent: Option<Digest>,
    key: Digest,
    forced: bool,
    prev: Option<StepRecord>,
    keyword: &'static str,
    history: History,
    definition: Option<Digest>,
    /// The stage's filesystem right after the step.
    fs: Fs,
    log: Vec<LogLine>,
    notes: Vec<String>,
    slot: String,
    id: StepId,
    index: Option<usize>,
    span: Span,
    link: bool,
    /// The clock when the step started: its time runs until its layer is done, tarred
    /// beside the next step ([`CacheStore::begin_diff_id`]) or when asked for.
    started: u64,
    simulated: u64,
}

/// The key the next step builds on: a linked copy is merged onto `base` (what follows
/// depends on both); any other step's own.
fn chain_key(link: bool, base: &Digest, key: &Digest) -> Digest {
    if link {
        let mut k = KeyInputs::new("merge");
        k.set("base", base.to_string());
        k.set("link", key.to_string());
        k.key(None)
    } else {
        key.clone()
    }
}

/// A running build.
pub(crate) struct Builder<'r, 'h> {
    pub(crate) host: &'r mut Host<'h>,
    pub(crate) cache: &'r mut dyn CacheStore,
    pub(crate) images: &'r dyn ImageStore,
    req: &'r BuildRequest<'r>,
    df: &'r Dockerfile,
    ctx: &'r ContextView<'r>,
    lexer: Lexer,
    meta: BTreeMap<String, String>,
    built: BTreeMap<usize, StageState>,
    result: BuildResult,
    /// A COPY's MISS whose end waits for the next step (see [`MissCommit`]).
    pending: Option<MissCommit>,
    mtime: i64,
    tar_opts: TarOptions,
    pulled: Vec<BaseImage>,
}

fn stage_label(df: &Dockerfile, i: usize) -> String {
    df.stages
        .get(i)
        .and_then(|s| s.name.clone())
        .unwrap_or_else(|| format!("stage-{i}"))
}

/// The diff ID of `layer` tarred with `opts`: from the table of known synthetic layers when
/// the layer is there (see [`crate::catalogue`]), else by hashing its tar.
pub(crate) fn layer_diff_id(layer: &Layer, opts: &TarOptions) -> Result<Digest, String> {
    if let Some(known) = crate::catalogue::known_diff_id(layer, opts) {
        return Ok(known);
    }
    let mut w = Sha256Writer::new();
    write_tar(layer, opts, &mut w).map_err(|e| e.to_string())?;
    Ok(w.finish())
}

/// A layer with its diff ID ([`layer_diff_id`]).
pub(crate) fn layer_ref(layer: Layer, opts: &TarOptions) -> Result<LayerRef, String> {
    let diff_id = layer_diff_id(&layer, opts)?;
    let size = layer.size();
    Ok(LayerRef {
        layer: Arc::new(layer),
        diff_id,
        size,
    })
}

fn layer_info(l: &LayerRef) -> LayerInfo {
    let changes = l
        .layer
        .ordered()
        .into_iter()
        .take(200)
        .map(|(p, e)| match e {
            stowage_vfs::LayerEntry::Whiteout => format!("D {p}"),
            stowage_vfs::LayerEntry::Dir(_) => format!("  {p}/"),
            stowage_vfs::LayerEntry::File(f) => format!("+ {p} ({} B)", f.content.len()),
            stowage_vfs::LayerEntry::Symlink(s) => format!("+ {p} -> {}", s.target),
            stowage_vfs::LayerEntry::Hardlink(t) => format!("+ {p} => {t}"),
        })
        .collect();
    LayerInfo {
        diff_id: l.diff_id.to_string(),
        size: l.size,
        entries: l.layer.entries.len(),
        changes,
    }
}

/// Expands words with a scope, falling back to the text as written.
fn expand(lexer: Lexer, text: &str, scope: &BTreeMap<String, String>) -> Result<String, String> {
    lexer.process_word(text, scope).map_err(|e| e.to_string())
}

impl<'r, 'h> Builder<'r, 'h> {
    pub(crate) fn new(
        host: &'r mut Host<'h>,
        cache: &'r mut dyn CacheStore,
        images: &'r dyn ImageStore,
        req: &'r BuildRequest<'r>,
        df: &'r Dockerfile,
        ctx: &'r ContextView<'r>,
    ) -> Self {
        let args = BuildArgs {
            values: req.build_args.clone(),
            target: req.platform.clone(),
            build: Platform::linux_amd64(),
        };
        let meta = resolve::meta_scope(df, &args);
        let now = host.clock.unix_seconds();
        let mtime = req.source_date_epoch.unwrap_or(now);
        Self {
            host,
            cache,
            images,
            req,
            df,
            ctx,
            lexer: Lexer::new(df.parse.escape),
            meta,
            built: BTreeMap::new(),
            result: BuildResult::default(),
            pending: None,
            mtime,
            tar_opts: TarOptions {
                source_date_epoch: req.source_date_epoch,
            },
            pulled: Vec::new(),
        }
    }

    /// A step's history time: `SOURCE_DATE_EPOCH` when given, else `first_built`.
    fn step_time(&self, first_built: i64) -> i64 {
        self.req.source_date_epoch.unwrap_or(first_built)
    }

    fn build_args(&self) -> BuildArgs {
        BuildArgs {
            values: self.req.build_args.clone(),
            target: self.req.platform.clone(),
            build: Platform::linux_amd64(),
        }
    }

    fn fail(&mut self, message: String, span: Span) {
        self.result.diagnostics.push(
            Diagnostic::error(codes::STEP_FAILED, message, span)
                .with_note("the build stopped at this step"),
        );
    }

    /// Runs the whole build; also returns the images resolved through the host.
    pub(crate) fn run_with_pulls(mut self) -> Outcome {
        let pulled = std::mem::take(&mut self.pulled);
        let _ = pulled;
        let (r, o, p) = self.run_inner();
        (r, o, p)
    }

    fn run_inner(mut self) -> Outcome {
        let (r, o) = self.run_stages();
        (r, o, self.pulled)
    }

    /// Runs the whole build; returns the result and the target stage's state.
    fn run_stages(&mut self) -> (BuildResult, Option<(ImageConfig, Vec<LayerRef>)>) {
        let args = self.build_args();
        let target = match &self.req.target {
            Some(t) => {
                if let Some(s) = self.df.find_stage(t) {
                    s.index
                } else {
                    self.result.diagnostics.push(Diagnostic::error(
                        codes::TARGET,
                        format!("target stage {t:?} could not be found"),
                        Span::default(),
                    ));
                    return (std::mem::take(&mut self.result), None);
                }
            }
            None => self.df.stages.len().saturating_sub(1),
        };
        let needed = resolve::needed_stages(self.df, &args, target);
        let resolved = resolve::resolve_stages(self.df, &args);
        for stage in &self.df.stages {
            if !needed.contains(&stage.index) {
                self.result.stages_skipped.push(stage.index);
            }
        }
        for &i in &needed {
            let Some(rs) = resolved.get(i) else { continue };
            match self.stage(i, rs) {
                Ok(state) => {
                    self.built.insert(i, state);
                    self.result.stages_built.push(i);
                }
                Err(f) => {
                    self.fail(f.message, f.span);
                    return (std::mem::take(&mut self.result), None);
                }
            }
        }
        let out = self.built.remove(&target).map(|s| (s.config, s.layers));
        (std::mem::take(&mut self.result), out)
    }

    fn base(
        &mut self,
        rs: &resolve::ResolvedStage,
        span: Span,
    ) -> Result<(StageState, String, String), Failure> {
        let fail = |message: String| Failure { message, span };
        if let Some(b) = rs.base_stage {
            let state = self.built.get(&b).cloned().ok_or_else(|| {
                fail(format!("stage {} must be built before it is used", rs.base))
            })?;
            return Ok((state, format!("stage:{b}"), format!("FROM {}", rs.base)));
        }
        if rs.base.eq_ignore_ascii_case("scratch") {
            let mut config = ImageConfig::new(&self.req.platform.os, &self.req.platform.arch);
            config.config.env = Vec::new();
            let key = KeyInputs::new("FROM scratch").key(None);
            return Ok((
                StageState {
                    fs: Fs::new(),
                    config,
                    layers: Vec::new(),
                    key,
                    args: Vec::new(),
                    last_text: "FROM scratch".into(),
                    last_status: StepStatus::Hit,
                    created: 0,
                },
                "scratch".into(),
                "FROM scratch".into(),
            ));
        }
        let image = self
            .resolve_image(&rs.base)
            .map_err(|e| fail(e.to_string()))?;
        let key = KeyInputs::new(&format!("FROM {}", image.reference)).key(None);
        let mut config = image.config.clone();
        if config.config.env.is_empty() && !image.simulated {
            config.config.env.push(
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_owned(),
            );
        }
        let text = format!("FROM {}", image.reference);
        let created = crate::docker::parse_time(config.created.as_deref());
        Ok((
            StageState {
                fs: image.rootfs.clone(),
                config,
                layers: image.layers.clone(),
                key,
                args: Vec::new(),
                last_text: text.clone(),
                last_status: StepStatus::Hit,
                created,
            },
            image.digest.to_string(),
            text,
        ))
    }

    /// The stage a `RUN --mount from=` names: by name (case-insensitive) or by index.
    fn mount_stage(&self, from: &str) -> Option<usize> {
        let lower = from.to_lowercase();
        self.df
            .stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()) || s.index.to_string() == from)
            .map(|s| s.index)
    }

    /// An image from the local store (by tag or ID), else from the host's resolver.
    fn resolve_image(&mut self, reference: &str) -> Result<BaseImage, ResolveError> {
        let r = reference
            .trim_start_matches("docker.io/library/")
            .trim_start_matches("docker.io/");
        let tag = if r.contains(':') && !r.contains('@') {
            r.to_owned()
        } else {
            format!("{r}:latest")
        };
        let local = self
            .images
            .tags()
            .into_iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, id)| id)
            .and_then(|id| self.images.get(&id).cloned());
        if let Some(img) = local
            && !img.simulated
        {
            let rootfs = Fs::from_layers(img.layers.iter().map(|l| &*l.layer))
                .map_err(|e| ResolveError::Failed(e.to_string()))?;
            return Ok(BaseImage {
                reference: tag,
                digest: img.id.clone(),
                config: img.config.clone(),
                layers: img.layers,
                rootfs,
                simulated: false,
            });
        }
        let img = self.host.images.resolve(reference, &self.req.platform)?;
        if !self.pulled.iter().any(|p| p.reference == img.reference) {
            self.pulled.push(img.clone());
        }
        Ok(img)
    }

    fn stage(&mut self, index: usize, rs: &resolve::ResolvedStage) -> Result<StageState, Failure> {
        let df = self.df;
        let stage = &df.stages[index];
        let from_instr = &df.instructions[stage.from];
        let label = stage_label(df, index);
        // BuildKit shows `[2/5]` for a single unnamed stage and `[name 2/5]` otherwise.
        let shown = if df.stages.len() == 1 && stage.name.is_none() {
            String::new()
        } else {
            label.clone()
        };
        let total = stage.instructions.len() + 1;
        let forced = self.req.no_cache
            || self
                .req
                .no_cache_filter
                .iter()
                .any(|f| f.eq_ignore_ascii_case(&label) || *f == index.to_string());
        let (mut state, base_id, text) = self.base(rs, from_instr.span)?;
        let id = StepId {
            stage: index,
            stage_name: shown.clone(),
            index: 1,
            total,
            text,
        };
        self.host
            .events
            .event(&BuildEvent::StepStarted { step: id.clone() });
        let slot = format!("{label}/1");
        let mut inputs = KeyInputs::new(&id.text);
        inputs.set("base", base_id);
        inputs.set("platform", self.req.platform.to_string());
        let prev = self.cache.record(&slot);
        let (status, reason) = match &prev {
            Some(p) if p.inputs == inputs.inputs => {
                (StepStatus::Hit, "the base is unchanged".to_owned())
            }
            Some(p) => (
                StepStatus::Miss,
                input_changes(p, &inputs, "FROM").join("; "),
            ),
            None => (StepStatus::Miss, "first time this base is used".to_owned()),
        };
        let key = inputs.key(Some(&state.key));
        state.key = key.clone();
        state.last_status = status;
        self.cache.set_record(
            slot,
            StepRecord {
                instruction: id.text.clone(),
                parent: None,
                inputs: inputs.inputs,
                files: Arc::default(),
                key: Some(key.clone()),
            },
        );
        self.finish_step(
            id,
            Some(stage.from),
            from_instr.span,
            status,
            reason,
            Vec::new(),
            Some(key),
            None,
            Vec::new(),
            Vec::new(),
            0,
            0,
        );
        // ONBUILD triggers of the base image run first, then are cleared.
        let triggers = std::mem::take(&mut state.config.config.on_build);
        let mut step_no = 1;
        for trigger in triggers {
            let parsed = Dockerfile::parse(&format!("FROM scratch\n{trigger}\n"));
            let Some(instr) = parsed.instructions.get(1) else {
                continue;
            };
            step_no += 1;
            let mut onbuild_state = state.clone();
            self.instruction(
                &mut onbuild_state,
                instr,
                &parsed,
                index,
                (&label, &shown),
                step_no,
                total,
                forced,
                None,
                &trigger,
            )?;
            state = onbuild_state;
        }
        for (n, &i) in stage.instructions.iter().enumerate() {
            let instr = &df.instructions[i];
            let source_text = instr.span.text(self.req.dockerfile).to_owned();
            self.instruction(
                &mut state,
                instr,
                df,
                index,
                (&label, &shown),
                n + 2 + (step_no - 1),
                total + (step_no - 1),
                forced,
                Some(i),
                &source_text,
            )?;
        }
        self.commit_pending(&mut state)?;
        Ok(state)
    }

    /// Ends the MISS that waited for this step, if any.
    fn commit_pending(&mut self, state: &mut StageState) -> Result<(), Failure> {
        match self.pending.take() {
            Some(c) => self.commit(state, c),
            None => Ok(()),
        }
    }

    /// Ends a MISS (see [`MissCommit`]).
    fn commit(&mut self, state: &mut StageState, c: MissCommit) -> Result<(), Failure> {
        let span = c.span;
        let fail = |message: String| Failure { message, span };
        // Through the cache store, which may keep the tar it hashes (one pass over the
        // layer's bytes instead of two).
        let diff_id = self.cache.diff_id(&c.layer, &self.tar_opts).map_err(fail)?;
        // The step's time includes its layer (BuildKit's includes the snapshot), tarred
        // beside the next step or now.
        let dur = self.host.clock.now_millis().saturating_sub(c.started);
        let mut inputs = c.inputs;
        let mut key = c.key;
        if let Some(p) = c.deferred {
            p.finish(&mut inputs, self.cache);
            key = inputs.key(c.parent.as_ref());
        }
        let (reason, details) = miss_reason(
            c.forced,
            self.req.no_cache,
            c.prev.as_ref(),
            &inputs,
            c.parent.as_ref(),
            &key,
            state,
            c.keyword,
        );
        let lref = LayerRef {
            size: c.layer.size(),
            layer: c.layer,
            diff_id,
        };
        state.layers.push(lref.clone());
        // The stage clock never goes back (a HIT takes the newer of its first-built time
        // and the stage's): a build clock behind the base image's `created` must date the
        // step as the later all-HIT rebuild will, or the rebuild gets another image ID.
        let created = match self.req.source_date_epoch {
            Some(epoch) => epoch,
            None => self.mtime.max(state.created),
        };
        let mut history = c.history;
        history.created = Some(stowage_oci::config::rfc3339(created));
        state.config.history.push(history);
        state.created = created;
        if let Some(d) = c.definition {
            self.cache.note_definition(d);
        }
        self.cache.put(
            key.clone(),
            CacheEntry {
                fs: c.fs,
                layer: Some(lref.clone()),
                layers: state.layers.clone(),
                log: c.log.clone(),
                created,
            },
        );
        self.cache
            .set_record(c.slot, record(&c.id.text, c.parent, inputs, &key));
        state.key = chain_key(c.link, &state.key, &key);
        state.last_status = StepStatus::Miss;
        state.last_text.clone_from(&c.id.text);
        self.finish_step(
            c.id,
            c.index,
            span,
            StepStatus::Miss,
            reason,
            details,
            Some(key),
            Some(&lref),
            c.log,
            c.notes,
            dur,
            c.simulated,
        );
        Ok(())
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the step's identity travels together"
    )]
    fn finish_step(
        &mut self,
        id: StepId,
        instruction: Option<usize>,
        span: Span,
        status: StepStatus,
        reason: String,
        details: Vec<String>,
        key: Option<Digest>,
        layer: Option<&LayerRef>,
        log: Vec<LogLine>,
        notes: Vec<String>,
        duration_ms: u64,
        simulated_ms: u64,
    ) {
        if status == StepStatus::Hit {
            self.host
                .events
                .event(&BuildEvent::StepCached { step: id.clone() });
        }
        self.host.events.event(&BuildEvent::StepFinished {
            step: id.clone(),
            status,
            duration_ms,
            simulated_ms,
        });
        self.result.steps.push(StepReport {
            id,
            instruction,
            span,
            status,
            reason,
            details,
            cache_key: key.map(|k| k.to_string()),
            layer: layer.map(layer_info),
            log,
            notes,
            duration_ms,
            simulated_ms,
        });
    }

    /// The variables an instruction sees: ARGs in scope, then ENV (which wins).
    fn scope(state: &StageState) -> BTreeMap<String, String> {
        let mut scope: BTreeMap<String, String> = state.args.iter().cloned().collect();
        for kv in &state.config.config.env {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            scope.insert(k.to_owned(), v.to_owned());
        }
        scope
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the step's identity travels together"
    )]
    fn instruction(
        &mut self,
        state: &mut StageState,
        instr: &ast::Instruction,
        df: &Dockerfile,
        stage: usize,
        (label, shown): (&str, &str),
        n: usize,
        total: usize,
        forced: bool,
        index: Option<usize>,
        source_text: &str,
    ) -> Result<(), Failure> {
        let span = if index.is_some() {
            instr.span
        } else {
            Span::default()
        };
        if !matches!(instr.kind, InstructionKind::Run(_)) {
            self.commit_pending(state)?;
        }
        let fail = |message: String| Failure { message, span };
        let scope = Self::scope(state);
        let lexer = self.lexer;
        let ex = |t: &str| expand(lexer, t, &scope).map_err(|e| Failure { message: e, span });
        // Metadata takes the time of the step before it, so an unchanged rebuild keeps its
        // history (and image ID); layer steps get theirs below, once HIT or MISS is known.
        let created = Some(stowage_oci::config::rfc3339(self.step_time(state.created)));
        let created = created.as_deref();
        let mut id = StepId {
            stage,
            stage_name: shown.to_owned(),
            index: n,
            total,
            text: String::new(),
        };
        let onbuild_prefix = if index.is_none() { "ONBUILD " } else { "" };
        // Metadata instructions.
        let meta_text: Option<String> = match &instr.kind {
            InstructionKind::Env(pairs) => {
                let mut parts = Vec::new();
                let before = scope.clone();
                for p in pairs {
                    let k = expand(lexer, &p.key.text, &before).map_err(fail)?;
                    let v = expand(lexer, &p.value.text, &before).map_err(fail)?;
                    state.config.config.set_env(&k, &v);
                    parts.push(format!("{k}={v}"));
                }
                Some(format!("ENV {}", parts.join(" ")))
            }
            InstructionKind::Arg(decls) => {
                let mut parts = Vec::new();
                for d in decls {
                    let name = d.name.text.to_string();
                    let value = match (
                        self.req.build_args.get(&name),
                        &d.default,
                        self.meta.get(&name),
                    ) {
                        (Some(v), _, _) => Some(v.clone()),
                        (None, Some(def), _) => Some(ex(&def.text)?),
                        (None, None, Some(m)) => Some(m.clone()),
                        (None, None, None) => None,
                    };
                    state.args.retain(|(k, _)| *k != name);
                    match value {
                        Some(v) => {
                            parts.push(format!("{name}={v}"));
                            state.args.push((name, v));
                        }
                        None => parts.push(name),
                    }
                }
                Some(format!("ARG {}", parts.join(" ")))
            }
            InstructionKind::Label(pairs) => {
                let mut parts = Vec::new();
                for p in pairs {
                    let k = ex(&p.key.text)?;
                    let v = ex(&p.value.text)?;
                    parts.push(format!("{k}={v}"));
                    state.config.config.labels.insert(k, v);
                }
                Some(format!("LABEL {}", parts.join(" ")))
            }
            InstructionKind::User(w) => {
                let u = ex(&w.text)?;
                state.config.config.user.clone_from(&u);
                Some(format!("USER {u}"))
            }
            InstructionKind::Expose(ports) => {
                let mut list = Vec::new();
                for p in ports {
                    let v = ex(&p.text)?;
                    for part in v.split_whitespace() {
                        let port = if part.contains('/') {
                            part.to_owned()
                        } else {
                            format!("{part}/tcp")
                        };
                        state
                            .config
                            .config
                            .exposed_ports
                            .insert(port.clone(), stowage_oci::config::Empty {});
                        list.push(port);
                    }
                }
                let refs: Vec<&str> = list.iter().map(String::as_str).collect();
                Some(format!("EXPOSE {}", buildkit::plain_list(&refs)))
            }
            InstructionKind::Volume(vols) => {
                let mut list = Vec::new();
                for v in vols {
                    let v = ex(&v.text)?;
                    state
                        .config
                        .config
                        .volumes
                        .insert(v.clone(), stowage_oci::config::Empty {});
                    list.push(v);
                }
                let refs: Vec<&str> = list.iter().map(String::as_str).collect();
                Some(format!("VOLUME {}", buildkit::plain_list(&refs)))
            }
            InstructionKind::Cmd(cl) | InstructionKind::Entrypoint(cl) => {
                let argv = Self::argv(state, cl);
                let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
                let text = buildkit::quoted_list(&refs);
                if matches!(instr.kind, InstructionKind::Cmd(_)) {
                    state.config.config.cmd = argv;
                    Some(format!("CMD {text}"))
                } else {
                    state.config.config.entrypoint = argv;
                    // BuildKit: ENTRYPOINT resets a CMD inherited from the base image.
                    if !Self::cmd_set_in_stage(df, stage, index) {
                        state.config.config.cmd = Vec::new();
                    }
                    Some(format!("ENTRYPOINT {text}"))
                }
            }
            InstructionKind::Shell(words) => {
                let argv: Vec<String> = words.iter().map(|w| w.text.to_string()).collect();
                let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
                let text = buildkit::quoted_list(&refs);
                state.config.config.shell = argv;
                Some(format!("SHELL {text}"))
            }
            InstructionKind::Stopsignal(w) => {
                let s = ex(&w.text)?;
                state.config.config.stop_signal.clone_from(&s);
                Some(format!("STOPSIGNAL {s}"))
            }
            InstructionKind::Maintainer(w) => {
                state.config.author = Some(w.text.to_string());
                Some(format!("MAINTAINER {}", w.text))
            }
            InstructionKind::Onbuild(o) => {
                state.config.config.on_build.push(o.expression.clone());
                Some(format!("ONBUILD {}", o.expression))
            }
            InstructionKind::Healthcheck(h) => {
                let hc = Self::healthcheck(h);
                let text = healthcheck_text(&hc);
                state.config.config.healthcheck = Some(hc);
                Some(format!("HEALTHCHECK {text}"))
            }
            _ => None,
        };
        if let Some(text) = meta_text {
            id.text = format!("{onbuild_prefix}{text}");
            self.host
                .events
                .event(&BuildEvent::StepStarted { step: id.clone() });
            state
                .config
                .history
                .push(buildkit::metadata(created, &text));
            let reason = "changes only the image config: no layer, nothing to cache".to_owned();
            self.finish_step(
                id,
                index,
                span,
                StepStatus::Config,
                reason,
                Vec::new(),
                None,
                None,
                Vec::new(),
                Vec::new(),
                0,
                0,
            );
            return Ok(());
        }
        let _ = source_text;
        // Layer instructions.
        let t0 = self.host.clock.now_millis();
        let mut inputs;
        let history: History;
        let mut link = false;
        let keyword;
        // A COPY's or ADD's files, selected; their checksums join `inputs` below.
        let mut pending = None;
        let action = match &instr.kind {
            InstructionKind::Run(run) => {
                keyword = "RUN";
                let (command, argv) = match &run.command {
                    Some(CommandLine::Shell(word)) => {
                        let script = self.run_script(run, word);
                        let shell = if state.config.config.shell.is_empty() {
                            vec!["/bin/sh".to_owned(), "-c".to_owned()]
                        } else {
                            state.config.config.shell.clone()
                        };
                        let mut argv = shell.clone();
                        argv.push(script.clone());
                        (RunCommand::Shell { shell, script }, argv)
                    }
                    Some(CommandLine::Exec(words)) => {
                        let argv: Vec<String> = words.iter().map(|w| w.text.to_string()).collect();
                        (RunCommand::Exec(argv.clone()), argv)
                    }
                    None => (RunCommand::Exec(Vec::new()), Vec::new()),
                };
                let arg_pairs: Vec<(&str, &str)> = state
                    .args
                    .iter()
                    .filter(|(k, _)| state.config.config.env_var(k).is_none())
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
                history = buildkit::run(created, &arg_pairs, &refs);
                id.text = format!(
                    "{onbuild_prefix}RUN {}",
                    argv.last().map_or("", String::as_str)
                );
                if matches!(run.command, Some(CommandLine::Exec(_))) {
                    id.text = format!("{onbuild_prefix}RUN {}", buildkit::quoted_list(&refs));
                }
                inputs = KeyInputs::new(&id.text);
                inputs.set("command", refs.join("\u{0}"));
                let mut env: Vec<(String, String)> = Vec::new();
                for kv in &state.config.config.env {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    inputs.set(&format!("env:{k}"), v);
                    env.push((k.to_owned(), v.to_owned()));
                }
                for (k, v) in &state.args {
                    if state.config.config.env_var(k).is_none() {
                        inputs.set(&format!("arg:{k}"), v.clone());
                        env.push((k.clone(), v.clone()));
                    }
                }
                let cwd = if state.config.config.working_dir.is_empty() {
                    "/".to_owned()
                } else {
                    state.config.config.working_dir.clone()
                };
                inputs.set("cwd", cwd.clone());
                inputs.set("user", state.config.config.user.clone());
                let network_disabled = matches!(run.network, Some(NetworkMode::None));
                if let Some(net) = run.network {
                    inputs.set("network", format!("{net:?}").to_lowercase());
                }
                for m in &run.mounts {
                    let target = m.target.clone().unwrap_or_default();
                    let mut desc = format!("type={}", m.kind.as_str());
                    for (k, v) in [("id", &m.id), ("from", &m.from), ("source", &m.source)] {
                        if let Some(v) = v {
                            let _ = write!(desc, ",{k}={v}");
                        }
                    }
                    inputs.set(&format!("mount:{target}"), desc);
                    if m.kind == MountType::Bind && m.from.is_none() {
                        let src = m.source.clone().unwrap_or_else(|| ".".to_owned());
                        let op = CopyOp {
                            source: Source::Context(self.ctx),
                            sources: vec![src],
                            inline: Vec::new(),
                            dest: "/".into(),
                            chown: None,
                            chmod: None,
                            parents: false,
                            exclude: Vec::new(),
                            unpack: false,
                            mtime: self.mtime,
                        };
                        copy::checksum_inputs(&op, &mut inputs, self.cache).map_err(fail)?;
                    } else if let Some(from) = &m.from {
                        // What is mounted from a stage or an image is an input too: the
                        // stage's result key, or the image's digest.
                        let stage = self.mount_stage(from).and_then(|i| self.built.get(&i));
                        let identity = match stage {
                            Some(built) => built.key.to_string(),
                            None => self
                                .resolve_image(from)
                                .map_err(|e| fail(e.to_string()))?
                                .digest
                                .to_string(),
                        };
                        inputs.set(&format!("mount-from:{target}"), identity);
                    }
                }
                inputs.set("platform", self.req.platform.to_string());
                Action::Run(
                    ExecRequest {
                        command,
                        env,
                        cwd,
                        user: state.config.config.user.clone(),
                        network_disabled,
                        mtime: self.mtime,
                        mounts: Vec::new(),
                    },
                    run.mounts.clone(),
                )
            }
            InstructionKind::Copy(c) => {
                keyword = "COPY";
                link = c.link.unwrap_or(false);
                let plan = self
                    .copy_plan(
                        state,
                        &c.paths,
                        c.from.as_ref(),
                        c.chown.as_ref(),
                        c.chmod.as_ref(),
                        c.parents.unwrap_or(false),
                        &c.exclude,
                        false,
                        &scope,
                    )
                    .map_err(fail)?;
                id.text = format!("{onbuild_prefix}COPY {}", plan.display);
                history = buildkit::step(created, &format!("COPY {}", plan.display));
                inputs = KeyInputs::new(&id.text);
                plan.inputs(&mut inputs);
                let op = plan.op(self.ctx, &self.built, self.mtime);
                pending = Some(copy::select_inputs(&op, self.cache).map_err(fail)?);
                Action::Copy(plan)
            }
            InstructionKind::Add(a) => {
                keyword = "ADD";
                link = a.link.unwrap_or(false);
                let plan = self
                    .copy_plan(
                        state,
                        &a.paths,
                        None,
                        a.chown.as_ref(),
                        a.chmod.as_ref(),
                        false,
                        &a.exclude,
                        a.unpack != Some(false),
                        &scope,
                    )
                    .map_err(fail)?;
                id.text = format!("{onbuild_prefix}ADD {}", plan.display);
                history = buildkit::step(created, &format!("ADD {}", plan.display));
                inputs = KeyInputs::new(&id.text);
                plan.inputs(&mut inputs);
                for u in &plan.urls {
                    inputs.set(&format!("url:{u}"), u.clone());
                }
                if !plan.sources.is_empty() || !plan.inline.is_empty() {
                    let op = plan.op(self.ctx, &self.built, self.mtime);
                    pending = Some(copy::select_inputs(&op, self.cache).map_err(fail)?);
                }
                Action::Copy(plan)
            }
            InstructionKind::Workdir(w) => {
                keyword = "WORKDIR";
                let p = ex(&w.text)?;
                let base = if state.config.config.working_dir.is_empty() {
                    "/".to_owned()
                } else {
                    state.config.config.working_dir.clone()
                };
                let abs = if p.starts_with('/') {
                    stowage_vfs::path::normalize(&p)
                } else {
                    stowage_vfs::path::normalize(&format!("{base}/{p}"))
                };
                state.config.config.working_dir.clone_from(&abs);
                history = buildkit::workdir(created, &p);
                id.text = format!("{onbuild_prefix}WORKDIR {p}");
                inputs = KeyInputs::new(&id.text);
                inputs.set("path", abs.clone());
                if abs == "/" {
                    state.config.history.push(history);
                    self.host
                        .events
                        .event(&BuildEvent::StepStarted { step: id.clone() });
                    self.finish_step(
                        id,
                        index,
                        span,
                        StepStatus::Config,
                        "WORKDIR / changes only the image config".into(),
                        Vec::new(),
                        None,
                        None,
                        Vec::new(),
                        Vec::new(),
                        0,
                        0,
                    );
                    return Ok(());
                }
                Action::Workdir(abs)
            }
            InstructionKind::From(_) | InstructionKind::Unknown(_) => {
                return Err(fail(format!(
                    "unexpected instruction `{}`",
                    instr.span.text(self.req.dockerfile)
                )));
            }
            _ => return Ok(()),
        };
        self.host
            .events
            .event(&BuildEvent::StepStarted { step: id.clone() });
        // After a COPY still being tarred this step misses (its parent's key is new); its key
        // comes once that COPY has ended, after this step ran.
        let waits = self.pending.is_some();
        let mut parent = if link { None } else { Some(state.key.clone()) };
        let definition = pending.as_ref().map(|_| inputs.definition(parent.as_ref()));
        // Files whose bytes were never hashed are hashed by the step itself (its layer's
        // tar reads them) when no stored result can match whatever they hold.
        let deferred = pending.take_if(|p| {
            p.would_read()
                && (forced || definition.as_ref().is_some_and(|d| !self.cache.may_hold(d)))
        });
        if let Some(p) = pending {
            p.finish(&mut inputs, self.cache);
        }
        let mut key = inputs.key(parent.as_ref());
        let slot = format!("{label}/{n}");
        let prev = self.cache.record(&slot);
        let cached = if forced || waits || deferred.is_some() {
            None
        } else {
            self.cache.get(&key)
        };
        if let Some(entry) = cached {
            // HIT.
            let (reason, details) = hit_reason(prev.as_ref(), &inputs, keyword);
            if link {
                if let Some(l) = &entry.layer {
                    state.fs.apply(&l.layer).map_err(|e| fail(e.to_string()))?;
                }
            } else {
                state.fs = entry.fs.clone();
            }
            if let Some(l) = &entry.layer {
                state.layers.push(l.clone());
            }
            let mut history = history;
            let time = self.step_time(entry.created);
            history.created = Some(stowage_oci::config::rfc3339(time));
            state.config.history.push(history);
            // A `COPY --link` HIT after a MISS is older than what is below it: the stage
            // clock never goes back.
            state.created = state.created.max(time);
            state.key = chain_key(link, &state.key, &key);
            state.last_status = StepStatus::Hit;
            state.last_text.clone_from(&id.text);
            self.cache
                .set_record(slot, record(&id.text, parent, inputs, &key));
            let dur = self.host.clock.now_millis().saturating_sub(t0);
            let layer = entry.layer.clone();
            self.finish_step(
                id,
                index,
                span,
                StepStatus::Hit,
                reason,
                details,
                Some(key),
                layer.as_ref(),
                entry.log,
                Vec::new(),
                dur,
                0,
            );
            return Ok(());
        }
        // MISS: execute, then explain.
        let before = state.fs.clone();
        let mut log = Vec::new();
        let mut notes = Vec::new();
        let mut simulated = 0;
        let mut linked_layer: Option<Layer> = None;
        let outcome: Result<(), String> = match action {
            Action::Run(mut req, mounts) => {
                let native = self.host.executor.mounts_natively();
                let saved = if native {
                    req.mounts = self.run_mounts(&mounts, &req.cwd).map_err(fail)?;
                    Vec::new()
                } else {
                    self.mount_in(&mut state.fs, &mounts)
                };
                let res = self.host.executor.run(&mut state.fs, &req);
                if !native {
                    self.mount_out(&mut state.fs, &mounts, saved);
                }
                for line in &res.log {
                    self.host.events.event(&BuildEvent::Log {
                        step: id.clone(),
                        line: line.clone(),
                    });
                }
                log = res.log;
                notes = res.notes;
                simulated = res.simulated_millis;
                if res.status == 0 {
                    Ok(())
                } else {
                    Err(format!(
                        "process \"{}\" did not complete successfully: exit code: {}",
                        history
                            .created_by
                            .as_deref()
                            .unwrap_or("")
                            .trim_start_matches("RUN ")
                            .trim_end_matches(" # buildkit"),
                        res.status
                    ))
                }
            }
            Action::Copy(plan) => self.do_copy(state, &plan, link).map(|l| linked_layer = l),
            Action::Workdir(abs) => {
                let meta = Metadata::dir().with_mtime(self.mtime);
                let (uid, gid) = if state.config.config.user.is_empty() {
                    (0, 0)
                } else {
                    copy::resolve_owner(&state.fs, &state.config.config.user).unwrap_or((0, 0))
                };
                if state.fs.stat(&abs).is_err() {
                    state
                        .fs
                        .create_dir_all(&abs, &meta.with_owner(uid, gid))
                        .map_err(|e: VfsError| e.to_string())
                } else {
                    Ok(())
                }
            }
        };
        // The earlier COPY's end (its layer's tar) is that step's time, not this one's.
        let mut waited = 0;
        if let Some(c) = self.pending.take() {
            let asked = self.host.clock.now_millis();
            self.commit(state, c)?;
            waited = self.host.clock.now_millis().saturating_sub(asked);
            parent = if link { None } else { Some(state.key.clone()) };
            key = inputs.key(parent.as_ref());
        }
        let dur = self
            .host
            .clock
            .now_millis()
            .saturating_sub(t0)
            .saturating_sub(waited);
        if let Err(message) = outcome {
            if let Some(p) = deferred {
                p.finish(&mut inputs, self.cache);
                key = inputs.key(parent.as_ref());
            }
            let (_, details) = miss_reason(
                forced,
                self.req.no_cache,
                prev.as_ref(),
                &inputs,
                parent.as_ref(),
                &key,
                state,
                keyword,
            );
            let id_text = id.to_string();
            self.finish_step(
                id,
                index,
                span,
                StepStatus::Failed,
                message.clone(),
                details,
                Some(key),
                None,
                log,
                notes,
                dur,
                simulated,
            );
            return Err(fail(format!("{id_text}: {message}")));
        }
        let layer = Arc::new(match linked_layer {
            Some(l) => l,
            None => Layer::diff(&before, &state.fs),
        });
        let waits_for_next = deferred.is_some() && !link;
        let commit = MissCommit {
            layer,
            deferred,
            inputs,
            parent,
            key,
            forced,
            prev,
            keyword,
            history,
            definition,
            fs: state.fs.clone(),
            log,
            notes,
            slot,
            id,
            index,
            span,
            link,
            started: t0,
            simulated,
        };
        if waits_for_next {
            self.cache.begin_diff_id(&commit.layer, &self.tar_opts);
            self.pending = Some(commit);
            return Ok(());
        }
        self.commit(state, commit)
    }
}

/// How COPY/ADD reads and writes, resolved from the instruction.
pub(crate) struct CopyPlan {
    display: String,
    from: CopyFrom,
    sources: Vec<String>,
    urls: Vec<String>,
    inline: Vec<(String, String)>,
    dest: String,
    chown: Option<(u32, u32)>,
    chown_text: String,
    chmod: Option<u32>,
    parents: bool,
    exclude: Vec<String>,
    unpack: bool,
}

enum CopyFrom {
    Context,
    Stage(usize, String),
    Image(Box<BaseImage>),
}

impl CopyPlan {
    fn inputs(&self, inputs: &mut KeyInputs) {
        inputs.set("dest", self.dest.clone());
        inputs.set("chown", self.chown_text.clone());
        inputs.set(
            "chmod",
            self.chmod.map(|m| format!("{m:o}")).unwrap_or_default(),
        );
        if self.parents {
            inputs.set("parents", "true");
        }
        if !self.exclude.is_empty() {
            inputs.set("exclude", self.exclude.join(","));
        }
        match &self.from {
            CopyFrom::Context => {}
            CopyFrom::Stage(_, name) => inputs.set("from", format!("stage {name}")),
            CopyFrom::Image(img) => inputs.set("from", img.digest.to_string()),
        }
    }

    fn op<'a>(
        &'a self,
        ctx: &'a ContextView<'a>,
        built: &'a BTreeMap<usize, StageState>,
        mtime: i64,
    ) -> CopyOp<'a> {
        static EMPTY: std::sync::OnceLock<Fs> = std::sync::OnceLock::new();
        let source = match &self.from {
            CopyFrom::Context => Source::Context(ctx),
            CopyFrom::Stage(i, name) => Source::Tree(
                built
                    .get(i)
                    .map_or_else(|| EMPTY.get_or_init(Fs::new), |s| &s.fs),
                name.clone(),
            ),
            CopyFrom::Image(img) => Source::Tree(&img.rootfs, img.reference.clone()),
        };
        CopyOp {
            source,
            sources: self.sources.clone(),
            inline: self.inline.clone(),
            dest: self.dest.clone(),
            chown: self.chown,
            chmod: self.chmod,
            parents: self.parents,
            exclude: self.exclude.clone(),
            unpack: self.unpack,
            mtime,
        }
    }
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("git@")
        || s.to_ascii_lowercase().ends_with(".git")
}

impl Builder<'_, '_> {
    #[expect(
        clippy::too_many_arguments,
        reason = "COPY and ADD share this with different flags"
    )]
    fn copy_plan(
        &mut self,
        state: &StageState,
        paths: &ast::SourcesAndDest,
        from: Option<&ast::Word>,
        chown: Option<&ast::Word>,
        chmod: Option<&ast::Word>,
        parents: bool,
        exclude: &[ast::Word],
        unpack: bool,
        scope: &BTreeMap<String, String>,
    ) -> Result<CopyPlan, String> {
        let lexer = self.lexer;
        let ex = |t: &str| expand(lexer, t, scope);
        let mut sources = Vec::new();
        let mut urls = Vec::new();
        let mut shown = Vec::new();
        for w in &paths.sources {
            let v = ex(&w.text)?;
            shown.push(v.clone());
            if is_url(&v) {
                urls.push(v);
            } else {
                sources.push(v);
            }
        }
        let heredoc_lexer = Lexer {
            skip_process_quotes: true,
            ..lexer
        };
        let mut inline = Vec::new();
        for h in &paths.inline {
            let content = if h.expand {
                heredoc_lexer
                    .process_word(&h.content, scope)
                    .map_err(|e| e.to_string())?
            } else {
                h.content.clone()
            };
            shown.push(format!("<<{}", h.name));
            inline.push((h.name.clone(), content));
        }
        let dest_text = ex(&paths.dest.text)?;
        let workdir = if state.config.config.working_dir.is_empty() {
            "/".to_owned()
        } else {
            state.config.config.working_dir.clone()
        };
        let is_dir = dest_text.ends_with('/')
            || dest_text == "."
            || dest_text == ".."
            || dest_text.ends_with("/.");
        let mut dest = if dest_text.starts_with('/') {
            stowage_vfs::path::normalize(&dest_text)
        } else {
            stowage_vfs::path::normalize(&format!("{workdir}/{dest_text}"))
        };
        if is_dir && !dest.ends_with('/') {
            dest.push('/');
        }
        let mut flags = String::new();
        if parents {
            flags.push_str("--parents ");
        }
        let mut chown_text = String::new();
        let mut owner = None;
        if let Some(c) = chown {
            chown_text = ex(&c.text)?;
            owner = Some(copy::resolve_owner(&state.fs, &chown_text)?);
            let _ = write!(flags, "--chown={chown_text} ");
        }
        let mut mode = None;
        if let Some(c) = chmod {
            let t = ex(&c.text)?;
            mode = Some(copy::parse_chmod(&t)?);
            let _ = write!(flags, "--chmod={t} ");
        }
        let from = match from {
            None => CopyFrom::Context,
            Some(w) => {
                let name = ex(&w.text)?;
                let lower = name.to_lowercase();
                let stage = self
                    .df
                    .stages
                    .iter()
                    .find(|s| s.name.as_deref() == Some(lower.as_str()))
                    .map(|s| s.index)
                    .or_else(|| {
                        name.parse::<usize>()
                            .ok()
                            .filter(|i| *i < self.df.stages.len())
                    });
                if let Some(i) = stage {
                    if !self.built.contains_key(&i) {
                        return Err(format!(
                            "stage {name} is not built yet (a stage can only copy from an earlier one)"
                        ));
                    }
                    CopyFrom::Stage(i, stage_label(self.df, i))
                } else {
                    let img = self.resolve_image(&name).map_err(|e| e.to_string())?;
                    CopyFrom::Image(Box::new(img))
                }
            }
        };
        let excl: Vec<String> = exclude
            .iter()
            .map(|w| ex(&w.text))
            .collect::<Result<_, _>>()?;
        for e in &excl {
            let _ = write!(flags, "--exclude={e} ");
        }
        Ok(CopyPlan {
            display: format!("{flags}{} {dest_text}", shown.join(" ")),
            from,
            sources,
            urls,
            inline,
            dest,
            chown: owner,
            chown_text,
            chmod: mode,
            parents,
            exclude: excl,
            unpack,
        })
    }

    /// Performs a COPY/ADD; with `--link` the files are copied onto an empty tree whose
    /// layer is then applied, and that layer is returned.
    fn do_copy(
        &mut self,
        state: &mut StageState,
        plan: &CopyPlan,
        link: bool,
    ) -> Result<Option<Layer>, String> {
        let mut scratch = Fs::new();
        {
            let op = plan.op(self.ctx, &self.built, self.mtime);
            let target = if link { &mut scratch } else { &mut state.fs };
            if !plan.sources.is_empty() || !plan.inline.is_empty() {
                copy::perform(&op, target)?;
            }
        }
        for url in &plan.urls {
            let fetched = self.host.fetcher.fetch(url).map_err(|e| e.to_string())?;
            let target = if link { &mut scratch } else { &mut state.fs };
            match fetched {
                Fetched::File { name, content } => {
                    let to = if plan.dest.ends_with('/') {
                        format!("{}{name}", plan.dest)
                    } else {
                        plan.dest.clone()
                    };
                    let mut meta =
                        Metadata::new(plan.chmod.unwrap_or(0o600)).with_mtime(self.mtime);
                    if let Some((u, g)) = plan.chown {
                        meta = meta.with_owner(u, g);
                    }
                    copy::write_fetched(target, &to, content, meta)?;
                }
                Fetched::Tree(tree) => {
                    let dest = plan.dest.trim_end_matches('/').to_owned();
                    target
                        .create_dir_all(&dest, &Metadata::dir())
                        .map_err(|e| e.to_string())?;
                    copy::graft(&tree, "/", target, &dest, &|m| m.clone())?;
                }
            }
        }
        if link {
            let layer = Layer::diff(&Fs::new(), &scratch);
            state.fs.apply(&layer).map_err(|e| e.to_string())?;
            return Ok(Some(layer));
        }
        Ok(None)
    }

    /// The script a shell-form RUN hands to the shell.
    fn run_script(&self, run: &ast::Run, word: &ast::Word) -> String {
        if word.span.end as usize > self.req.dockerfile.len()
            || word.span.text(self.req.dockerfile) != word.text.as_str() && run.heredocs.is_empty()
        {
            return word.text.to_string();
        }
        let source = stowage_shell::RunSource {
            source: self.req.dockerfile,
            command: word.span,
            escape: self.df.parse.escape,
            heredocs: run
                .heredocs
                .iter()
                .map(|h| stowage_shell::HeredocSource {
                    name: &h.name,
                    body: h.body_span,
                    terminator: h.terminator_span,
                })
                .collect(),
        };
        stowage_shell::run_script(&source).text
    }

    /// CMD/ENTRYPOINT words: exec form as written, shell form through the SHELL.
    fn argv(state: &StageState, cl: &CommandLine) -> Vec<String> {
        match cl {
            CommandLine::Exec(words) => words.iter().map(|w| w.text.to_string()).collect(),
            CommandLine::Shell(w) => {
                let mut v = if state.config.config.shell.is_empty() {
                    vec!["/bin/sh".to_owned(), "-c".to_owned()]
                } else {
                    state.config.config.shell.clone()
                };
                v.push(w.text.to_string());
                v
            }
        }
    }

    fn cmd_set_in_stage(df: &Dockerfile, stage: usize, upto: Option<usize>) -> bool {
        let Some(upto) = upto else { return false };
        df.stages.get(stage).is_some_and(|s| {
            s.instructions
                .iter()
                .any(|&i| i < upto && matches!(df.instructions[i].kind, InstructionKind::Cmd(_)))
        })
    }

    fn healthcheck(h: &ast::Healthcheck) -> stowage_oci::Healthcheck {
        match h {
            ast::Healthcheck::None => stowage_oci::Healthcheck {
                test: vec!["NONE".to_owned()],
                ..Default::default()
            },
            ast::Healthcheck::Cmd {
                command,
                interval,
                timeout,
                start_period,
                start_interval,
                retries,
            } => {
                let mut test = Vec::new();
                match command {
                    CommandLine::Exec(words) => {
                        test.push("CMD".to_owned());
                        test.extend(words.iter().map(|w| w.text.to_string()));
                    }
                    CommandLine::Shell(w) => {
                        test.push("CMD-SHELL".to_owned());
                        test.push(w.text.to_string());
                    }
                }
                let ns = |v: &Option<u64>| v.map_or(0, |n| i64::try_from(n).unwrap_or(i64::MAX));
                stowage_oci::Healthcheck {
                    test,
                    interval: ns(interval),
                    timeout: ns(timeout),
                    start_period: ns(start_period),
                    start_interval: ns(start_interval),
                    retries: retries.map_or(0, i64::from),
                }
            }
        }
    }

    /// RUN mounts for an executor that mounts them itself: targets made absolute (relative
    /// ones are under the working directory), defaults applied, bind sources resolved.
    fn run_mounts(&mut self, mounts: &[ast::Mount], cwd: &str) -> Result<Vec<RunMount>, String> {
        let abs = |t: &str| {
            if t.starts_with('/') {
                stowage_vfs::path::normalize(t)
            } else {
                stowage_vfs::path::normalize(&format!("{cwd}/{t}"))
            }
        };
        let mut out = Vec::new();
        for m in mounts {
            let target = m.target.as_deref().map(abs);
            let kind = match m.kind {
                MountType::Cache => RunMountKind::Cache {
                    id: m.id.clone().or_else(|| target.clone()).unwrap_or_default(),
                    sharing: m.sharing.unwrap_or(ast::CacheSharing::Shared),
                },
                MountType::Tmpfs => RunMountKind::Tmpfs { size: m.size },
                MountType::Bind => {
                    let path = stowage_vfs::path::normalize(m.source.as_deref().unwrap_or("/"));
                    let tree = match &m.from {
                        None => self.ctx.fs.clone(),
                        Some(name) => {
                            let stage = self.mount_stage(name);
                            match stage {
                                Some(i) => self
                                    .built
                                    .get(&i)
                                    .map(|s| s.fs.clone())
                                    .ok_or_else(|| format!("stage {name} is not built yet"))?,
                                None => self.resolve_image(name).map_err(|e| e.to_string())?.rootfs,
                            }
                        }
                    };
                    if tree.lstat(&path).is_err() {
                        return Err(format!(
                            "failed to compute cache key: \"{path}\": not found (bind mount source)"
                        ));
                    }
                    RunMountKind::Bind { tree, path }
                }
                MountType::Secret => {
                    let id =
                        m.id.clone()
                            .or_else(|| {
                                target
                                    .as_deref()
                                    .map(|t| stowage_vfs::path::file_name(t).to_owned())
                            })
                            .unwrap_or_default();
                    RunMountKind::Secret {
                        env: m.env.clone(),
                        required: m.required.unwrap_or(false),
                        id,
                    }
                }
                MountType::Ssh => RunMountKind::Ssh {
                    id: m.id.clone().unwrap_or_else(|| "default".to_owned()),
                },
            };
            let target = match (&kind, target) {
                (_, Some(t)) => Some(t),
                (RunMountKind::Secret { id, env: None, .. }, None) => {
                    Some(format!("/run/secrets/{id}"))
                }
                (RunMountKind::Ssh { .. }, None) => Some("/run/buildkit/ssh_agent.0".to_owned()),
                _ => None,
            };
            out.push(RunMount {
                kind,
                target,
                readonly: m.is_readonly(),
                mode: m.mode,
                uid: m.uid,
                gid: m.gid,
            });
        }
        Ok(out)
    }

    /// Puts RUN mounts in place; returns what was at each target.
    fn mount_in(&mut self, fs: &mut Fs, mounts: &[ast::Mount]) -> Vec<Option<Fs>> {
        let mut saved = Vec::new();
        for m in mounts {
            let target = match (&m.target, m.kind) {
                (Some(t), _) => t.clone(),
                (None, MountType::Secret) => {
                    format!("/run/secrets/{}", m.id.clone().unwrap_or_default())
                }
                _ => {
                    saved.push(None);
                    continue;
                }
            };
            let target = stowage_vfs::path::normalize(&target);
            let original = subtree(fs, &target);
            saved.push(original);
            let _ = fs.remove_all(&target);
            let dir_meta = Metadata::new(m.mode.unwrap_or(0o755))
                .with_owner(m.uid.unwrap_or(0), m.gid.unwrap_or(0));
            match m.kind {
                MountType::Cache => {
                    let _ = fs.create_dir_all(&target, &Metadata::dir());
                    let _ = fs.set_metadata(&target, dir_meta);
                    let id = m.id.clone().unwrap_or_else(|| target.clone());
                    if let Some(contents) = self.cache.cache_mount(&id) {
                        let _ = copy::graft(&contents, "/", fs, &target, &|x| x.clone());
                    }
                }
                MountType::Tmpfs => {
                    let _ = fs.create_dir_all(&target, &Metadata::dir());
                }
                MountType::Bind => {
                    let src = m.source.clone().unwrap_or_else(|| "/".to_owned());
                    let src = stowage_vfs::path::normalize(&src);
                    let from_fs = match &m.from {
                        None => Some(self.ctx.fs.clone()),
                        Some(name) => self
                            .mount_stage(name)
                            .and_then(|i| self.built.get(&i))
                            .map(|s| s.fs.clone()),
                    };
                    if let Some(from_fs) = from_fs {
                        let parent = stowage_vfs::path::parent(&target).to_owned();
                        let _ = fs.create_dir_all(&parent, &Metadata::dir());
                        let _ = copy::graft(&from_fs, &src, fs, &target, &|x| x.clone());
                    }
                }
                MountType::Secret => {
                    let parent = stowage_vfs::path::parent(&target).to_owned();
                    let _ = fs.create_dir_all(&parent, &Metadata::dir());
                    let _ = fs.write_file(&target, "", Metadata::new(0o400));
                }
                MountType::Ssh => {}
            }
        }
        saved
    }

    /// Takes RUN mounts down: cache contents are kept for the next build, the original
    /// contents of every target come back.
    fn mount_out(&mut self, fs: &mut Fs, mounts: &[ast::Mount], saved: Vec<Option<Fs>>) {
        for (m, original) in mounts.iter().zip(saved).rev() {
            let target = match (&m.target, m.kind) {
                (Some(t), _) => stowage_vfs::path::normalize(t),
                (None, MountType::Secret) => {
                    format!("/run/secrets/{}", m.id.clone().unwrap_or_default())
                }
                _ => continue,
            };
            if m.kind == MountType::Cache {
                let id = m.id.clone().unwrap_or_else(|| target.clone());
                if let Some(contents) = subtree(fs, &target) {
                    self.cache.set_cache_mount(id, contents);
                }
            }
            let _ = fs.remove_all(&target);
            match original {
                Some(orig) => {
                    let _ = copy::graft(&orig, "/", fs, &target, &|x| x.clone());
                    let _ = fs.set_metadata(&target, orig.root_meta().clone());
                }
                None if m.kind != MountType::Secret => {
                    let _ = fs.create_dir_all(&target, &Metadata::dir());
                }
                None => {}
            }
        }
    }
}

/// The subtree at `path` as its own filesystem (the root takes the directory's metadata).
fn subtree(fs: &Fs, path: &str) -> Option<Fs> {
    let entry = fs.lstat(path).ok()?;
    let mut out = Fs::new();
    if entry.kind() == stowage_vfs::Kind::Dir {
        out.set_root_meta(entry.meta().clone());
        copy::graft(fs, path, &mut out, "/", &|m| m.clone()).ok()?;
        Some(out)
    } else {
        None
    }
}

fn record(text: &str, parent: Option<Digest>, inputs: KeyInputs, key: &Digest) -> StepRecord {
    StepRecord {
        instruction: text.to_owned(),
        parent,
        inputs: inputs.inputs,
        files: Arc::new(inputs.files),
        key: Some(key.clone()),
    }
}

fn go_duration(ns: i64) -> String {
    if ns == 0 {
        return "0s".to_owned();
    }
    let total_ms = ns / 1_000_000;
    if ns < 1_000_000_000 {
        return format!("{total_ms}ms");
    }
    let secs = ns / 1_000_000_000;
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        let _ = write!(out, "{h}h");
    }
    if h > 0 || m > 0 {
        let _ = write!(out, "{m}m");
    }
    let _ = write!(out, "{s}s");
    out
}

/// BuildKit's `HEALTHCHECK %q` of the config struct.
fn healthcheck_text(h: &stowage_oci::Healthcheck) -> String {
    let test: Vec<&str> = h.test.iter().map(String::as_str).collect();
    let retries = u32::try_from(h.retries)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\0');
    let rune = if retries.is_ascii_graphic() || retries == ' ' {
        format!("'{retries}'")
    } else {
        format!("'\\x{:02x}'", retries as u32)
    };
    format!(
        "&{{{} \"{}\" \"{}\" \"{}\" \"{}\" {rune}}}",
        buildkit::quoted_list(&test),
        go_duration(h.interval),
        go_duration(h.timeout),
        go_duration(h.start_period),
        go_duration(h.start_interval),
    )
}

fn hit_reason(
    prev: Option<&StepRecord>,
    inputs: &KeyInputs,
    keyword: &str,
) -> (String, Vec<String>) {
    if let Some(p) = prev
        && (p.inputs != inputs.inputs || *p.files != inputs.files)
    {
        let changes = input_changes(p, inputs, keyword);
        return (
            "the cache still holds the result of an earlier build with exactly these inputs"
                .to_owned(),
            changes,
        );
    }
    let reason = match keyword {
        "RUN" => {
            "same command, environment, user and working directory, and the step before it is unchanged"
        }
        "COPY" | "ADD" => {
            "the copied files are unchanged (content, mode and owner; mtimes are ignored) and so is the step before it"
        }
        _ => "same directory and the step before it is unchanged",
    };
    (reason.to_owned(), Vec::new())
}

#[expect(clippy::too_many_arguments, reason = "every input of the explanation")]
fn miss_reason(
    forced: bool,
    no_cache: bool,
    prev: Option<&StepRecord>,
    inputs: &KeyInputs,
    parent: Option<&Digest>,
    key: &Digest,
    state: &StageState,
    keyword: &str,
) -> (String, Vec<String>) {
    if forced {
        let r = if no_cache {
            "--no-cache: every step runs again"
        } else {
            "--no-cache-filter names this stage: its steps run again"
        };
        return (r.to_owned(), Vec::new());
    }
    let Some(prev) = prev else {
        return (
            "first build of this step: nothing in the cache yet".to_owned(),
            Vec::new(),
        );
    };
    if prev.key.as_ref() == Some(key) {
        return (
            "the result is no longer in the cache (it was pruned)".to_owned(),
            Vec::new(),
        );
    }
    let own = input_changes(prev, inputs, keyword);
    if parent.is_some() && prev.parent.as_ref() != parent {
        let how = if state.last_status == StepStatus::Miss {
            "missed"
        } else {
            "changed"
        };
        return (
            format!(
                "the step before it (`{}`) {how}, so this one runs again",
                state.last_text
            ),
            own,
        );
    }
    match own.split_first() {
        Some((first, rest)) => (first.clone(), rest.to_vec()),
        None => ("its inputs changed".to_owned(), Vec::new()),
    }
}
