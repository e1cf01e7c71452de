//! The local image store on disk, for the CLI: what `stowage build`, `images`, `tag`, `rmi`,
//! `save` and `load` read and write between runs. Not part of the sans-IO core: this crate
//! does file IO (and nothing else: no processes, no network).
//!
//! Layout of the store root (`$STOWAGE_ROOT`, `--root`, else `$XDG_DATA_HOME/stowage` or
//! `~/.local/share/stowage`, see [`default_root`]):
//!
//! ```text
//! oci-layout, index.json, blobs/sha256/<hex>   an OCI image layout (umoci and skopeo read it)
//! cache/entries/<key hex>.json                 build-cache results: layer diff IDs and output
//! cache/mounts/<id hash>                       `RUN --mount=type=cache` contents (a blob digest)
//! cache/run-mounts/<id hash>/, <id hash>.lock  real RUN cache directories (`stowage build`) and their locks
//! cache/projects/<project>/records-v2.bin, checksums-v4.bin  per-context step records, file checksums
//! cache/layer-index/<diff id hex>.bin          each layer's entries and file offsets in its blob
//! tmp/                                         temporary files and RUN root filesystems
//! lock, gc.lock                                advisory locks (flock)
//! ```
//!
//! Entry points: [`Store::open`] (one per process, shared through `Rc`), [`DiskImageStore`]
//! and [`DiskCacheStore`] (the core's `ImageStore` and `CacheStore` traits, persistent), and
//! [`Store::gc`].
//!
//! Invariants:
//! - **Blobs are content-addressed and verified**: a blob is written to `tmp/`, fsynced and
//!   renamed into `blobs/sha256/<its digest>`; every read checks the digest. Layers are stored
//!   as uncompressed tars, so a layer blob's digest is its diff ID. One exception, for
//!   speed: a build-cache hit loads its layers from their index (written after the blob was
//!   verified) without reading the blobs; the first image read of such a layer checks it.
//! - **`index.json` is the commit point**: it is only rewritten (temp file, fsync, rename,
//!   directory fsync) after every blob it references is durable, under the exclusive `lock`,
//!   by re-reading the current index and replaying this process's changes on it, so two
//!   commands never lose each other's tags.
//! - **Cache entries are written only for finished steps**, each atomically, after their
//!   layers. A failed or killed build leaves at most unreferenced blobs and temporary files,
//!   which [`Store::gc`] removes.
//! - **Blob garbage collection is exclusive**: every process holds `gc.lock` shared while it
//!   uses the store (it may write blobs it has not referenced yet); [`Store::gc`] deletes
//!   blobs only when it can take that lock exclusively, and otherwise says so.
//!
//! Memory: images and cache results are `stowage_vfs` trees held in memory as the core's
//! traits require, but file bytes are not: the build context's files and the files of
//! layers the store wrote are `FileRange` handles (external content) read on demand, so a
//! 200 MB `COPY` costs a handle per file. Layers the store wrote are loaded from their
//! index (`cache/layer-index`) without reading the blob (an all-cached rebuild touches no
//! layer blob); others (loaded archives) are decoded once per process and shared.

mod atomic;
mod binfmt;
mod cache;
mod check;
mod external;
mod images;
mod layer_index;
mod pipe;
mod store;

pub use cache::DiskCacheStore;
pub use check::CheckReport;
pub use external::FileRange;
pub use images::DiskImageStore;
pub use store::{GcReport, Store, default_root};

use std::path::PathBuf;

/// Calls `work` on each of `items` from up to `most` threads (this one included, and no
/// more than the machine has cores), each taking the next item when done with one: for
/// kernel- or hash-bound work over many files.
pub fn on_every_core<T: Sync>(items: &[T], most: usize, work: impl Fn(&T) + Sync) {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(most)
        .min(items.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let share = || {
        while let Some(item) = items.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
            work(item);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(share);
        }
        share();
    });
}

/// Why the store could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A filesystem operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done (`reading`, `writing`, `renaming`, …).
        op: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The disk holding the store is full.
    #[error(
        "no space left on device while writing {path}: free some space (`stowage image prune -a`, \
         `stowage builder prune`) or keep the store on a bigger disk (--root or STOWAGE_ROOT)"
    )]
    NoSpace {
        /// The file being written.
        path: PathBuf,
    },
    /// A blob whose bytes do not hash to its name, or a layer whose tar does not hash to the
    /// diff ID it should have.
    #[error("corrupt blob {digest}: {reason}")]
    Corrupt {
        /// The expected digest.
        digest: String,
        /// What was found instead.
        reason: String,
    },
    /// A blob the store refers to is missing.
    #[error("blob {0} is missing from the store")]
    MissingBlob(String),
    /// A JSON document of the store that does not parse.
    #[error("invalid {what} in the store: {reason}")]
    Invalid {
        /// Which document.
        what: String,
        /// The parser's message.
        reason: String,
    },
    /// An OCI object could not be encoded or decoded.
    #[error(transparent)]
    Image(#[from] stowage_oci::ImageError),
    /// A layer could not be encoded or decoded.
    #[error("layer {digest}: {reason}")]
    Layer {
        /// The layer's diff ID.
        digest: String,
        /// The cause.
        reason: String,
    },
    /// No store directory could be chosen.
    #[error("no store directory: set STOWAGE_ROOT, pass --root, or set HOME")]
    NoRoot,
}

/// Results of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub(crate) fn io_err(
    op: &'static str,
    path: impl Into<PathBuf>,
) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.into();
    move |source| {
        if source.kind() == std::io::ErrorKind::StorageFull {
            StoreError::NoSpace { path }
        } else {
            StoreError::Io { op, path, source }
        }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Seconds since the epoch of an RFC 3339 time (`2024-05-01T10:00:00Z`; fractions and
/// offsets other than `Z` are ignored), 0 when it does not parse.
pub fn parse_rfc3339(s: &str) -> i64 {
    let num = |a: usize, b: usize| s.get(a..b).and_then(|x| x.parse::<i64>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0, 4), num(5, 7), num(8, 10)) else {
        return 0;
    };
    let (hh, mm, ss) = (
        num(11, 13).unwrap_or(0),
        num(14, 16).unwrap_or(0),
        num(17, 19).unwrap_or(0),
    );
    // Days from the civil date (proleptic Gregorian).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400 + hh * 3600 + mm * 60 + ss
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_with_the_oci_formatter() {
        for t in [0, 1, 86_399, 951_782_400, 1_700_000_000, 4_102_444_800] {
            assert_eq!(parse_rfc3339(&stowage_oci::config::rfc3339(t)), t);
        }
        assert_eq!(parse_rfc3339("garbage"), 0);
    }

    #[test]
    fn hex_is_lowercase_and_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0xab, 0x10, 0xff]), "00ab10ff");
        assert_eq!(hex(&[]), "");
    }
}
