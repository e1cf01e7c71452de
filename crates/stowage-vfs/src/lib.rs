//! An in-memory filesystem for simulated builds and image layers.
//!
//! Stowage builds images without a disk: the build context, every stage's root filesystem and
//! every layer are trees of this crate. It sits at the bottom of the core next to `stowage-oci`
//! (which turns [`Layer`]s into tar blobs and back) and under `stowage-build`.
//!
//! - [`Fs`]: directories, regular files, symlinks and hard links with mode, uid/gid, mtime and
//!   xattrs. Paths are resolved inside the root: `..` stops at `/` and symlinks (absolute or
//!   relative) are followed within the tree, never out of it ([`Fs::resolve`]).
//! - [`Content`]: real bytes, *synthetic* bytes (a size and a seed; a 100 MB simulated package
//!   costs a few bytes), a *summary* (size and hash of bytes that were not kept) or
//!   *external* bytes the host keeps and streams on demand ([`ExternalContent`]: the CLI's
//!   build context and stored layers, so a large context is never held in memory).
//! - Snapshots: `Fs` is persistent; [`Fs::snapshot`] (a clone) shares every node, and a change
//!   copies only the directories on its path.
//! - [`diff`]: added / modified / deleted paths with the [`Reason`] (content, mode, owner, …),
//!   skipping shared subtrees.
//! - [`Layer`]: a changeset with whiteouts and opaque directories; [`Layer::diff`] builds one
//!   the way BuildKit does, [`Fs::apply`] and [`Fs::from_layers`] stack them as overlayfs shows
//!   them.
//!
//! Invariants: no operation panics on any path or layer; nothing resolves above the root; the
//! order of every listing is deterministic (sorted names, depth first).
//!
//! This crate is sans-IO and compiles to `wasm32-unknown-unknown`.
#![warn(clippy::disallowed_methods)]

mod content;
mod diff;
mod fs;
mod layer;
mod meta;
pub mod path;

pub use content::{Content, ExternalContent, HostIdentity};
pub use diff::{Change, ChangeKind, Reason, diff};
pub use fs::{Fs, MAX_SYMLINK_HOPS, Walk};
pub use layer::{Layer, LayerEntry};
pub use meta::{Entry, File, Ino, Kind, Metadata, Symlink};

/// Why a filesystem operation failed. Paths in messages are canonical.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VfsError {
    /// Nothing at the path (or a parent is missing).
    #[error("{0}: no such file or directory")]
    NotFound(String),
    /// A parent component is not a directory.
    #[error("{0}: not a directory")]
    NotADirectory(String),
    /// A directory where a file was expected.
    #[error("{0}: is a directory")]
    IsADirectory(String),
    /// The path is taken.
    #[error("{0}: file exists")]
    AlreadyExists(String),
    /// The directory has entries.
    #[error("{0}: directory not empty")]
    NotEmpty(String),
    /// More than [`MAX_SYMLINK_HOPS`] symlinks on the way.
    #[error("{0}: too many levels of symbolic links")]
    SymlinkLoop(String),
    /// A hard link to something that is not a regular file.
    #[error("{0}: not a regular file")]
    NotAFile(String),
    /// A path that cannot be stored.
    #[error("invalid path {0:?}: {1}")]
    InvalidPath(String, &'static str),
    /// The root cannot be created, removed, renamed or linked.
    #[error("the root directory cannot be the target of this operation")]
    Root,
    /// A directory cannot move into itself.
    #[error("cannot move {from} into itself ({to})")]
    IntoItself {
        /// The directory.
        from: String,
        /// The destination inside it.
        to: String,
    },
}

#[cfg(test)]
mod tests;
