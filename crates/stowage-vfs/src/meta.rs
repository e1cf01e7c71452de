//! Node metadata and node views.

use std::collections::BTreeMap;

use crate::Content;

/// Ownership, permissions, time and extended attributes of a node.
///
/// `mode` holds the permission bits only (`0o7777`: rwx, setuid, setgid, sticky); the node's
/// type is its [`Entry`] variant. `mtime` is in whole seconds since the Unix epoch, as layer tars
/// record it (BuildKit truncates to seconds).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Metadata {
    /// Permission bits (`0o7777` at most).
    pub mode: u32,
    /// Owner user id.
    pub uid: u32,
    /// Owner group id.
    pub gid: u32,
    /// Modification time, seconds since the epoch.
    pub mtime: i64,
    /// Extended attributes by name (`security.capability`, `user.*`, …).
    pub xattrs: BTreeMap<String, Vec<u8>>,
}

impl Metadata {
    /// Metadata with `mode`, owned by root, at the epoch, without xattrs.
    pub fn new(mode: u32) -> Self {
        Self {
            mode: mode & 0o7777,
            ..Self::default()
        }
    }

    /// `0o644`, root, epoch: a default regular file.
    pub fn file() -> Self {
        Self::new(0o644)
    }

    /// `0o755`, root, epoch: a default directory.
    pub fn dir() -> Self {
        Self::new(0o755)
    }

    /// `0o777`, root, epoch: a symlink (their permission bits are ignored on Linux).
    pub fn symlink() -> Self {
        Self::new(0o777)
    }

    /// Sets the owner.
    #[must_use]
    pub fn with_owner(mut self, uid: u32, gid: u32) -> Self {
        self.uid = uid;
        self.gid = gid;
        self
    }

    /// Sets the modification time.
    #[must_use]
    pub fn with_mtime(mut self, mtime: i64) -> Self {
        self.mtime = mtime;
        self
    }
}

/// A regular file: metadata and content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Metadata (shared by all hard links of the file).
    pub meta: Metadata,
    /// The bytes.
    pub content: Content,
}

/// A symbolic link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symlink {
    /// Metadata of the link itself.
    pub meta: Metadata,
    /// The target, as stored (absolute or relative, never resolved).
    pub target: String,
}

/// Identifies a file that has more than one name (a hard-link group) within one [`crate::Fs`]
/// and its snapshots. Numbers are not comparable between unrelated filesystems.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ino(pub(crate) u64);

/// The kind of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Regular file.
    File,
    /// Directory.
    Dir,
    /// Symbolic link.
    Symlink,
}

impl Kind {
    /// `file`, `directory` or `symlink`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Dir => "directory",
            Self::Symlink => "symlink",
        }
    }
}

/// A borrowed view of a node.
#[derive(Clone, Copy, Debug)]
pub enum Entry<'a> {
    /// A regular file; `link` is set when the file is (or was) hard-linked.
    File {
        /// The file.
        file: &'a File,
        /// Its hard-link group, if any.
        link: Option<Ino>,
    },
    /// A directory (its metadata; list it with [`crate::Fs::read_dir`]).
    Dir(&'a Metadata),
    /// A symbolic link.
    Symlink(&'a Symlink),
}

impl<'a> Entry<'a> {
    /// The node's metadata.
    pub fn meta(&self) -> &'a Metadata {
        match self {
            Self::File { file, .. } => &file.meta,
            Self::Dir(meta) => meta,
            Self::Symlink(link) => &link.meta,
        }
    }

    /// The node's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Self::File { .. } => Kind::File,
            Self::Dir(_) => Kind::Dir,
            Self::Symlink(_) => Kind::Symlink,
        }
    }

    /// The file, if this is one.
    pub fn as_file(&self) -> Option<&'a File> {
        match self {
            Self::File { file, .. } => Some(file),
            _ => None,
        }
    }

    /// Content size for files, 0 otherwise.
    pub fn size(&self) -> u64 {
        self.as_file().map_or(0, |f| f.content.len())
    }
}
