//! The build engine: a Dockerfile and a context in, an image and a step-by-step account of
//! the cache out. Sans-IO; the host supplies the world through [`Host`].
//!
//! Pipeline: [`Engine::build`] parses the Dockerfile (`stowage-syntax`), reads the context
//! through `.dockerignore` (`<Dockerfile>.dockerignore` first, then `.dockerignore`), resolves
//! the stages a target needs (others are skipped, as BuildKit does), and runs each stage's
//! instructions over a `stowage_vfs::Fs`: RUN through the [`Executor`] (the
//! [`SimulatedExecutor`] is the `stowage-shell` interpreter), COPY/ADD with BuildKit's rules
//! (wildcards, destination-directory rules, `--from=<stage|index|image>`, `--chown`,
//! `--chmod`, `--link`, `--parents`, `--exclude`, heredoc files, local tar extraction, URLs
//! through the [`Fetcher`]), WORKDIR (which makes the directory), and the metadata
//! instructions on the image config. Layers are `Layer::diff`s with their diff IDs; history
//! entries are BuildKit's (`RUN /bin/sh -c … # buildkit`, `empty_layer` for metadata).
//!
//! Host traits (all in [`host`]): [`ImageResolver`] (base images; [`SimulatedImages`] here),
//! [`Executor`], [`Fetcher`] ([`NoFetcher`] in the browser), [`Clock`] ([`FixedClock`]),
//! [`EventSink`] (progress), [`CacheStore`] ([`MemoryCacheStore`]) and [`ImageStore`]
//! ([`MemoryImageStore`]).
//!
//! # Cache rules (BuildKit's, as simulated here)
//!
//! Every step that makes a layer has a cache key: SHA-256 over the key of the step before it
//! and the step's own inputs.
//!
//! - **FROM**: the base image's identity (its config digest) and the platform.
//! - **RUN**: the command words; the whole environment — every ENV and **every ARG in scope,
//!   whether or not the command mentions it** (BuildKit puts declared ARGs in the RUN's
//!   environment); the working directory; the user; `--network`; each `--mount`'s type,
//!   target, id, source and `from` (a bind mount of the context adds the checksum of what it
//!   selects; **a cache mount's contents never enter the key**); the platform. Files the
//!   command reads from the image are not inspected.
//! - **COPY/ADD**: the destination, `--chown`, `--chmod`, `--parents`, `--exclude`, `--from`,
//!   and a checksum of every selected source file: type, mode, uid, gid, size, link target,
//!   xattrs and content — **never mtime**. Files excluded by `.dockerignore` are not in the
//!   context, so changing them never invalidates anything. ARGs affect COPY only where they
//!   appear in its arguments; USER, ENV and LABEL do not.
//! - **WORKDIR**: the resolved path (`WORKDIR /` makes no layer).
//! - **Metadata** (ENV, ARG, LABEL, USER, EXPOSE, VOLUME, CMD, ENTRYPOINT, SHELL, STOPSIGNAL,
//!   HEALTHCHECK, ONBUILD, MAINTAINER): no cache key; they change the config only, and reach
//!   later RUNs through the environment, user and working directory above.
//! - **The chain**: a changed key changes every later key in the stage, so everything after a
//!   miss misses too ("the step before it missed"). **`COPY --link`** leaves the previous key
//!   out: its layer is independent of what is below it and can hit after an earlier miss.
//! - **`--no-cache`** runs every step (results are still stored); `--no-cache-filter`
//!   does it for the named stages.
//! - **Times**: a cache entry keeps when its step was first built. A HIT reuses that time for
//!   its history entry, a MISS takes the build's time, metadata instructions take the time of
//!   the step before them (the base image's for the first ones), and the image's `created` is
//!   the newest history time. So an unchanged rebuild gives the identical config and image ID
//!   (the old one does not dangle), and a change moves the times from the changed step on.
//!   `SOURCE_DATE_EPOCH` overrides all of them.
//!
//! For each step of a build the report says HIT, MISS or CONFIG and **why**, comparing the
//! step's inputs with those recorded for the same step in the previous build: "src/app.py
//! changed", "ARG VERSION changed from 1 to 2 and this RUN sees it in its environment", "the
//! step before it (`COPY . .`) missed, so this one runs again", "--no-cache: every step runs
//! again", "first build of this step: nothing in the cache yet".
//!
//! File checksums of the context are memoised in the cache store by path and metadata
//! (mode, owner, size, mtime), as BuildKit does, so rebuilding an unchanged context costs a
//! walk, not a re-hash.
//!
//! The docker-shaped API ([`Engine`]): `build`, `images_table`, `history_table`, `inspect`,
//! `tag`, `rmi`, `prune`, `commit`, `save`, `load`.
//!
//! This crate is sans-IO and compiles to `wasm32-unknown-unknown`.
#![warn(clippy::disallowed_methods)]

mod cache;
pub mod catalogue;
mod context;
mod copy;
mod docker;
mod engine;
pub mod events;
pub mod host;

pub use catalogue::{SimulatedImages, simulated_image};
pub use docker::{
    CommitOptions, Engine, EngineError, HistoryRow, ImageRow, config_id, human_duration,
    human_size, normalize_tag, table,
};
pub use engine::{BuildRequest, BuildResult, LayerInfo, StepReport, codes};
pub use events::{BuildEvent, StepId, StepStatus};
pub use host::{
    BaseImage, CacheEntry, CacheStore, Clock, EventSink, ExecRequest, ExecResult, Executor,
    FetchError, Fetched, Fetcher, FileStamp, FixedClock, Host, ImageResolver, ImageStore, LayerRef,
    MemoryCacheStore, MemoryImageStore, NoEvents, NoFetcher, ResolveError, RunCommand, RunMount,
    RunMountKind, SimulatedExecutor, StepRecord, StoredImage,
};
