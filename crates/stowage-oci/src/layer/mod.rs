//! Layer blobs: a [`Layer`](stowage_vfs::Layer) to a deterministic tar (and gzip/zstd) and
//! back, safely.

mod read;
mod write;

pub use read::{
    ContentMode, DecodedLayer, Limits, ReadOptions, Skipped, SpecialFiles, decompress, read_layer,
};
pub use write::{EncodedLayer, TarOptions, encode_layer, write_tar, write_tar_indexed};

use crate::MediaType;

/// How a layer blob is compressed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Compression {
    /// A plain tar.
    None,
    /// gzip (the universal choice).
    #[default]
    Gzip,
    /// zstd (image-spec 1.1; pulled by containerd and Docker ≥ 23).
    Zstd,
}

impl Compression {
    /// The OCI layer media type for this compression.
    pub fn media_type(self) -> MediaType {
        match self {
            Self::None => MediaType::Layer,
            Self::Gzip => MediaType::LayerGzip,
            Self::Zstd => MediaType::LayerZstd,
        }
    }

    /// Recognises gzip and zstd by their magic bytes; anything else is taken as a plain tar.
    pub fn detect(blob: &[u8]) -> Self {
        if blob.starts_with(&[0x1f, 0x8b]) {
            Self::Gzip
        } else if blob.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Self::Zstd
        } else {
            Self::None
        }
    }
}

/// Why a layer could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    /// An entry name with `..` that climbs above the root.
    #[error("layer entry {0:?} climbs out of the root")]
    PathEscapes(String),
    /// A hard link whose target climbs above the root.
    #[error("hard link {path:?} points outside the root (to {target:?})")]
    HardlinkEscapes {
        /// The link.
        path: String,
        /// Its target as written.
        target: String,
    },
    /// An entry name (or link target) that is not UTF-8 or contains NUL.
    #[error("layer entry name {0:?} is not valid UTF-8 or contains a NUL byte")]
    InvalidName(String),
    /// An entry name over the limit.
    #[error("layer entry name of {len} bytes is too long (limit {limit}): {start:?}…")]
    NameTooLong {
        /// The first characters of the name.
        start: String,
        /// Its length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A file larger than the per-file limit.
    #[error("layer entry {path:?} declares {size} bytes (limit {limit})")]
    FileTooLarge {
        /// The entry.
        path: String,
        /// Its declared size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// More file content than the limit for one layer.
    #[error("layer content exceeds {limit} bytes")]
    TooMuchContent {
        /// The limit.
        limit: u64,
    },
    /// More entries than the limit.
    #[error("layer has more than {limit} entries")]
    TooManyEntries {
        /// The limit.
        limit: usize,
    },
    /// The decompressed tar is larger than the limit (a decompression bomb).
    #[error("decompressed layer exceeds {limit} bytes")]
    TarTooLarge {
        /// The limit.
        limit: u64,
    },
    /// A PAX or GNU long-name header larger than the limit.
    #[error("{kind} header of {size} bytes is too large")]
    ExtensionTooLarge {
        /// `PAX` or `GNU long name`.
        kind: &'static str,
        /// Its size.
        size: u64,
    },
    /// A device node or FIFO, with [`SpecialFiles::Reject`].
    #[error("layer entry {path:?} is a {kind}, which is not allowed")]
    SpecialFile {
        /// The entry.
        path: String,
        /// `character device`, `block device` or `FIFO`.
        kind: &'static str,
    },
    /// A tar entry type this reader does not support (sparse files, volume labels, …).
    #[error("layer entry {path:?} has unsupported type {typeflag:?}")]
    UnsupportedEntry {
        /// The entry.
        path: String,
        /// The type flag.
        typeflag: char,
    },
    /// A header field that cannot be represented (negative or out-of-range numbers, a PAX
    /// size that contradicts the header).
    #[error("layer entry {path:?} has an invalid header: {reason}")]
    InvalidHeader {
        /// The entry.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The bytes of a file are not available (a [`stowage_vfs::Content::Summary`]).
    #[error("cannot write {0:?}: its bytes were not kept")]
    ContentNotKept(String),
    /// Malformed tar or compressed data (bad checksum, truncated, corrupt stream).
    #[error("malformed layer: {0}")]
    Malformed(String),
}

impl From<std::io::Error> for LayerError {
    fn from(e: std::io::Error) -> Self {
        // The reader's budget errors are carried through `io::Error` by the tar crate.
        if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<BudgetExceeded>()) {
            return Self::TarTooLarge { limit: inner.0 };
        }
        Self::Malformed(e.to_string())
    }
}

/// Raised inside the decompressing reader when the tar grows past its limit.
#[derive(Debug)]
pub(crate) struct BudgetExceeded(pub(crate) u64);

impl std::fmt::Display for BudgetExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "decompressed layer exceeds {} bytes", self.0)
    }
}

impl std::error::Error for BudgetExceeded {}

#[cfg(test)]
mod tests;
