//! The registry client: the OCI distribution API between a registry and the local store
//! (`stowage push`, `pull`, `login`, `logout`, and base images a build pulls). Not part of
//! the sans-IO core: it does network and file IO (blocking, `ureq` with rustls).
//!
//! Entry points:
//! - [`Reference::parse`]: docker's reference grammar (`alpine` is
//!   `docker.io/library/alpine:latest`; `localhost`, `host:port` and dotted first components
//!   name a registry; tags; `@sha256:` digests).
//! - [`Client`]: one registry. Requests that get a 401 answer the `WWW-Authenticate`
//!   challenge — Basic with the stored credentials, or Bearer as Docker Hub does it (GET the
//!   realm with `service` and `scope`, basic credentials if any, read `token` or
//!   `access_token`) — and are retried once. Insecure registries (`localhost`, `127.*`,
//!   `[::1]`, or [`ClientOptions::insecure`]) get docker's treatment: https without
//!   certificate checks, falling back to plain http; others verified https.
//! - [`push()`]: uncompressed layers are gzipped first unless [`PushCompression::AsStored`];
//!   per blob HEAD first, then a cross-repository mount when the blob is known to be in
//!   another repository of the same registry ([`Sources`], kept in
//!   `<store>/registry-sources.json`), else a monolithic PUT or PATCH chunks with
//!   `Content-Range` above [`ClientOptions::chunk_size`]; then the manifest with its media
//!   type. An index is pushed after its children.
//! - [`pull()`]: the manifest with `Accept` for OCI and Docker images and indexes (an index
//!   picks the platform), then the config and layers streamed into the store, each
//!   committed only when its bytes hash to its digest; the manifest is stored byte for byte
//!   and tagged last, so a failed pull leaves no image.
//! - [`DockerConfig`]: credentials in docker's `config.json` (`$DOCKER_CONFIG` or
//!   `~/.docker`), `auths.<server>.auth` = base64 of `user:password`.
//!
//! Invariant: credentials never appear in errors, `Debug` output or logs.

mod auth;
mod client;
mod pull;
mod push;
mod reference;
mod sources;

use std::path::PathBuf;

pub use auth::{Challenge, Credentials, DockerConfig, auth_key};
pub use client::{Client, ClientOptions, MANIFEST_ACCEPT, Mount};
pub use pull::{PullEvent, Pulled, parse_platform, pull, select_platform};
pub use push::{BlobPush, PushCompression, PushEvent, Pushed, push, push_scopes};
pub use reference::{
    DOCKER_HUB, DOCKER_HUB_API, DOCKER_HUB_AUTH_KEY, Reference, api_host, is_local,
};
pub use sources::Sources;

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Not a valid image reference.
    #[error("invalid reference format {reference:?}: {reason}")]
    InvalidReference {
        /// The text given.
        reference: String,
        /// What is wrong.
        reason: String,
    },
    /// Not a valid `os/arch[/variant]`.
    #[error("invalid platform {0:?}: expected os/arch[/variant], e.g. linux/amd64")]
    InvalidPlatform(String),
    /// The registry wants credentials we do not have, or rejected ours.
    #[error("{}", unauthorized_message(registry, detail, *had_credentials))]
    Unauthorized {
        /// The registry.
        registry: String,
        /// The registry's error messages.
        detail: String,
        /// Whether credentials were sent.
        had_credentials: bool,
    },
    /// A manifest or blob that does not exist.
    #[error("{what} not found{}", if detail.is_empty() { String::new() } else { format!(": {detail}") })]
    NotFound {
        /// What was asked for.
        what: String,
        /// The registry's error messages.
        detail: String,
    },
    /// The registry answered with an error status.
    #[error("registry refused {action}: {status} {reason}{}", if errors.is_empty() { String::new() } else { format!(": {}", errors.join("; ")) })]
    Refused {
        /// What was being done.
        action: String,
        /// The HTTP status.
        status: u16,
        /// Its reason phrase.
        reason: String,
        /// The registry's JSON error codes and messages.
        errors: Vec<String>,
    },
    /// Downloaded bytes that do not hash to their digest (nothing was committed).
    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        /// Which object.
        what: String,
        /// The digest it should have.
        expected: String,
        /// The digest of what arrived.
        actual: String,
    },
    /// An index without the platform asked for.
    #[error("no matching manifest for {platform} in the manifest list entries (available: {})", available.join(", "))]
    NoMatchingPlatform {
        /// The platform asked for.
        platform: String,
        /// The platforms the index has.
        available: Vec<String>,
    },
    /// The registry could not be reached, or the connection failed.
    #[error("network error talking to {registry}: {reason}")]
    Network {
        /// The registry.
        registry: String,
        /// The cause.
        reason: String,
    },
    /// A document from the registry that does not parse.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// Which document.
        what: String,
        /// The parser's message.
        reason: String,
    },
    /// Docker's `config.json` could not be read or written.
    #[error("credentials file {}: {reason}", path.display())]
    Credentials {
        /// The file.
        path: PathBuf,
        /// The cause.
        reason: String,
    },
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] stowage_store::StoreError),
}

fn unauthorized_message(registry: &str, detail: &str, had_credentials: bool) -> String {
    if had_credentials {
        format!(
            "unauthorized: {registry} rejected the credentials ({detail}): check them with \
             `stowage login {registry}`"
        )
    } else {
        format!("unauthorized: {detail}: log in first with `stowage login {registry}`")
    }
}

/// Results of this crate.
pub type Result<T, E = RegistryError> = std::result::Result<T, E>;
