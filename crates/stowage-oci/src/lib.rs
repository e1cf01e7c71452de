//! The OCI image model: what a build produces and what registries, Docker and dive read.
//!
//! A leaf of the core next to `stowage-vfs`; `stowage-build` assembles images with it and the
//! CLI and the web app read and write them.
//!
//! - [`Digest`] (validated `sha256:<hex>`), [`MediaType`], [`Descriptor`], [`Manifest`],
//!   [`Index`], [`ImageConfig`] with Docker's `Healthcheck`/`OnBuild`/`Shell`, and
//!   [`History`] entries as BuildKit writes them ([`config::buildkit`]). Plain serde structs
//!   with `BTreeMap`s (not `oci-spec`: its maps are `HashMap`s, it lacks Docker's config
//!   extensions, and it needs builder/getter macro crates); [`json::to_vec`] gives Go's bytes.
//! - [`layer`]: a [`stowage_vfs::Layer`] to a deterministic tar ([`layer::write_tar`],
//!   byte-compatible with Go's `archive/tar` headers), gzip or zstd blob with diff ID and
//!   digest ([`layer::encode_layer`]), [`chain_ids`]; and back, safely, from hostile input
//!   ([`layer::read_layer`]).
//! - [`BlobStore`] (content-addressed, [`MemoryBlobStore`] here, on disk in the CLI);
//!   [`image`] assembles and loads images over it.
//! - [`layout`]: OCI image layout writer/reader; [`archive`]: `docker save` archives in the
//!   Docker ≥ 25 shape and the legacy one, writer and reader.
//! - [`analysis`]: dive's per-layer changes, efficiency, wasted bytes and CI rules.
//!
//! Invariants: output is deterministic (sorted maps and entries, normalised times, Go's JSON
//! encoding); reading never panics and never allocates beyond its limits.
//!
//! This crate is sans-IO and compiles to `wasm32-unknown-unknown`: files come and go through
//! the [`layout::FileSource`]/[`layout::FileSink`] traits and `std::io` streams.
#![warn(clippy::disallowed_methods)]
#![warn(missing_docs)]

pub mod analysis;
pub mod archive;
mod blob;
pub mod config;
mod digest;
pub mod image;
pub mod json;
pub mod layer;
pub mod layout;
mod media_type;
mod spec;

pub use blob::{BlobStore, MemoryBlobStore};
pub use config::{Config, Healthcheck, History, ImageConfig, RootFs};
pub use digest::{Algorithm, Digest, DigestError, Sha256Writer, chain_ids};
pub use media_type::MediaType;
pub use spec::{
    ANNOTATION_BASE_DIGEST, ANNOTATION_BASE_NAME, ANNOTATION_CONTAINERD_NAME, ANNOTATION_CREATED,
    ANNOTATION_REF_NAME, Descriptor, Index, Manifest, Platform,
};

/// Why an image could not be stored, assembled, written or read.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// A blob the image refers to is not in the store.
    #[error("blob {0} is missing")]
    MissingBlob(Digest),
    /// A blob whose bytes do not match its digest or size.
    #[error("blob {digest} does not match its descriptor ({reason})")]
    BlobMismatch {
        /// The expected digest.
        digest: Digest,
        /// What differs.
        reason: String,
    },
    /// JSON that does not parse as the expected document.
    #[error("invalid {what}: {source}")]
    Json {
        /// Which document.
        what: String,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A layout or archive that breaks the format's rules.
    #[error("invalid {format}: {reason}")]
    Format {
        /// `OCI image layout`, `docker archive`, …
        format: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A layer that cannot be encoded or decoded.
    #[error(transparent)]
    Layer(#[from] layer::LayerError),
    /// A bad digest string.
    #[error(transparent)]
    Digest(#[from] DigestError),
    /// The host's sink or source failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}
