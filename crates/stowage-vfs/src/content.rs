//! File contents: real bytes, size-only synthetic bytes, a summary whose bytes were dropped,
//! or bytes the host keeps and reads on demand.

use std::fmt;
use std::io;
use std::sync::Arc;

use sha2::{Digest as _, Sha256};

/// The bytes of a regular file.
///
/// Cloning is cheap (the bytes are shared). Two contents are equal when their bytes are equal,
/// whatever their representation.
#[derive(Clone)]
pub enum Content {
    /// Real bytes.
    Bytes(Arc<[u8]>),
    /// `size` bytes generated on demand from `seed`: a simulated base image or package costs a
    /// few bytes of memory however large it claims to be. The bytes are a fixed function of
    /// `(size, seed)`, so a synthetic file hashes, diffs and tars like any other.
    Synthetic {
        /// Length in bytes.
        size: u64,
        /// Selects the byte stream.
        seed: u64,
    },
    /// Bytes that were not kept (a layer read only for analysis): their length and SHA-256.
    /// They can be compared and hashed but not read.
    Summary {
        /// Length in bytes.
        size: u64,
        /// SHA-256 of the bytes.
        sha256: [u8; 32],
    },
    /// Bytes the host keeps (a file of the build context, a range of a stored layer blob)
    /// and streams when they are needed: a 200 MB context costs a handle per file, not its
    /// bytes. The core never reads them itself; it asks the handle.
    External(Arc<dyn ExternalContent>),
}

/// Bytes held outside the tree, implemented by the host (the core stays free of IO).
///
/// The bytes must not change while the handle is in use; a host that cannot read them any
/// more reports an error from [`ExternalContent::write_to`].
pub trait ExternalContent: fmt::Debug + Send + Sync {
    /// Length in bytes.
    fn len(&self) -> u64;
    /// Whether there are no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Streams the bytes into `out`.
    fn write_to(&self, out: &mut dyn io::Write) -> io::Result<()>;
    /// The [`Content::checksum`] of the bytes when the host knows it without reading them
    /// (or has read them once); `None` makes it stream them.
    fn known_checksum(&self) -> Option<[u8; 32]> {
        None
    }
    /// Remembers the checksum once computed (a handle may cache it).
    fn remember_checksum(&self, _checksum: [u8; 32]) {}
    /// What identifies the bytes on the host without reading them (a file's device, inode,
    /// change time…), for checksum memos; `None` when there is nothing cheaper than the
    /// bytes.
    fn host_identity(&self) -> Option<HostIdentity> {
        None
    }
    /// The host file whose whole contents are these bytes, when there is one: a host may
    /// let the kernel read it in place instead of copying it (the CLI's RUN shows a COPY'd
    /// context file through an overlayfs data-only layer). `None` for anything else, such
    /// as a range of a larger file.
    fn host_file(&self) -> Option<&std::path::Path> {
        None
    }
}

/// A host file's identity as `stat` gives it: if none of these changed, the bytes did not
/// either (the rule git and BuildKit use for their checksum caches).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct HostIdentity {
    /// Device.
    pub dev: u64,
    /// Inode number.
    pub inode: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_nanos: i64,
    /// Status change time, nanoseconds since the epoch.
    pub ctime_nanos: i64,
}

/// Chunk size used when streaming synthetic content.
const CHUNK: usize = 64 * 1024;

impl Content {
    /// Real bytes.
    pub fn bytes(bytes: impl Into<Arc<[u8]>>) -> Self {
        Self::Bytes(bytes.into())
    }

    /// The empty file.
    pub fn empty() -> Self {
        Self::Bytes(Arc::from(&[][..]))
    }

    /// `size` synthetic bytes selected by `seed`.
    pub fn synthetic(size: u64, seed: u64) -> Self {
        Self::Synthetic { size, seed }
    }

    /// Bytes kept by the host, read on demand.
    pub fn external(handle: Arc<dyn ExternalContent>) -> Self {
        Self::External(handle)
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Self::Bytes(b) => b.len() as u64,
            Self::Synthetic { size, .. } | Self::Summary { size, .. } => *size,
            Self::External(h) => h.len(),
        }
    }

    /// The host's identity of external bytes (see [`ExternalContent::host_identity`]).
    pub fn host_identity(&self) -> Option<HostIdentity> {
        match self {
            Self::External(h) => h.host_identity(),
            _ => None,
        }
    }

    /// The host file holding exactly these bytes (see [`ExternalContent::host_file`]).
    pub fn host_file(&self) -> Option<&std::path::Path> {
        match self {
            Self::External(h) => h.host_file(),
            _ => None,
        }
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, when they are held in memory.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Self::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// Whether the bytes can be read ([`Content::Summary`] cannot).
    pub fn is_readable(&self) -> bool {
        !matches!(self, Self::Summary { .. })
    }

    /// Streams the bytes into `out` (synthetic bytes in 64 KiB chunks).
    ///
    /// A [`Content::Summary`] fails with [`io::ErrorKind::Unsupported`].
    pub fn write_to(&self, out: &mut dyn io::Write) -> io::Result<()> {
        match self {
            Self::Bytes(b) => out.write_all(b),
            Self::Synthetic { size, seed } => {
                let mut buf = vec![0; CHUNK];
                let mut offset = 0u64;
                while offset < *size {
                    let n = (*size - offset).min(CHUNK as u64) as usize;
                    fill_synthetic(*seed, offset, &mut buf[..n]);
                    out.write_all(&buf[..n])?;
                    offset += n as u64;
                }
                Ok(())
            }
            Self::Summary { .. } => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the file's bytes were not kept (size and hash only)",
            )),
            Self::External(h) => h.write_to(out),
        }
    }

    /// The bytes as a vector, or `None` for a [`Content::Summary`] or when longer than
    /// `limit`.
    pub fn to_vec(&self, limit: u64) -> Option<Vec<u8>> {
        if self.len() > limit {
            return None;
        }
        let mut out = Vec::with_capacity(usize::try_from(self.len()).ok()?);
        self.write_to(&mut out).ok()?;
        Some(out)
    }

    /// The bytes' identity for cache keys and comparisons: BLAKE3 (a third of SHA-256's
    /// cost on one core, and a COPY's layer hashes each file with it beside the tar's own
    /// SHA-256); remembered by external handles. A [`Content::Summary`], whose bytes are
    /// gone, has its SHA-256 under another name instead (never a real content's checksum).
    pub fn checksum(&self) -> [u8; 32] {
        match self {
            Self::Summary { sha256, .. } => {
                let mut h = blake3::Hasher::new();
                h.update(b"stowage summary sha256\n");
                h.update(sha256);
                *h.finalize().as_bytes()
            }
            Self::Bytes(b) => *blake3::hash(b).as_bytes(),
            Self::External(h) => {
                if let Some(sum) = h.known_checksum() {
                    return sum;
                }
                let mut hasher = blake3::Hasher::new();
                let ok = h.write_to(&mut hasher).is_ok();
                let sum = *hasher.finalize().as_bytes();
                if ok {
                    h.remember_checksum(sum);
                }
                sum
            }
            Self::Synthetic { .. } => {
                let mut hasher = blake3::Hasher::new();
                // Writing into a hasher cannot fail.
                let _ = self.write_to(&mut hasher);
                *hasher.finalize().as_bytes()
            }
        }
    }

    /// SHA-256 of the bytes (streamed for synthetic and external content; external bytes
    /// that cannot be read hash as what could be read, and the tar writer reports the error).
    pub fn sha256(&self) -> [u8; 32] {
        match self {
            Self::Summary { sha256, .. } => *sha256,
            Self::Bytes(b) => Sha256::digest(b).into(),
            Self::External(h) => {
                let mut hasher = HashWriter(Sha256::new());
                let _ = h.write_to(&mut hasher);
                hasher.0.finalize().into()
            }
            Self::Synthetic { .. } => {
                let mut hasher = HashWriter(Sha256::new());
                // Writing into a hasher cannot fail.
                let _ = self.write_to(&mut hasher);
                hasher.0.finalize().into()
            }
        }
    }
}

struct HashWriter(Sha256);

impl io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes synthetic bytes `offset..offset + buf.len()` of stream `seed` into `buf`.
///
/// Each 8-byte block is `splitmix64(seed, block index)`: cheap, random-looking (so compressed
/// sizes stay realistic) and addressable at any offset.
fn fill_synthetic(seed: u64, offset: u64, buf: &mut [u8]) {
    let block =
        |index: u64| splitmix64(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_le_bytes();
    let mut pos = offset;
    let mut rest = buf;
    // A partial first block, then whole blocks.
    let skip = (pos % 8) as usize;
    if skip != 0 {
        let n = (8 - skip).min(rest.len());
        rest[..n].copy_from_slice(&block(pos / 8)[skip..skip + n]);
        rest = &mut rest[n..];
        pos += n as u64;
    }
    let mut chunks = rest.chunks_exact_mut(8);
    for chunk in &mut chunks {
        chunk.copy_from_slice(&block(pos / 8));
        pos += 8;
    }
    let tail = chunks.into_remainder();
    let n = tail.len();
    tail.copy_from_slice(&block(pos / 8)[..n]);
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl PartialEq for Content {
    fn eq(&self, other: &Self) -> bool {
        if self.len() != other.len() {
            return false;
        }
        match (self, other) {
            (Self::Bytes(a), Self::Bytes(b)) => Arc::ptr_eq(a, b) || a == b,
            (Self::Synthetic { seed: a, .. }, Self::Synthetic { seed: b, .. }) if a == b => true,
            (Self::External(a), Self::External(b)) if Arc::ptr_eq(a, b) => true,
            (Self::Bytes(b), Self::Synthetic { seed, .. })
            | (Self::Synthetic { seed, .. }, Self::Bytes(b)) => {
                let mut buf = vec![0; CHUNK];
                b.chunks(CHUNK).enumerate().all(|(i, chunk)| {
                    let generated = &mut buf[..chunk.len()];
                    fill_synthetic(*seed, (i * CHUNK) as u64, generated);
                    generated == chunk
                })
            }
            (Self::Summary { .. }, _) | (_, Self::Summary { .. }) => {
                self.sha256() == other.sha256()
            }
            _ => self.checksum() == other.checksum(),
        }
    }
}

impl Eq for Content {}

impl fmt::Debug for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(b) if b.len() <= 32 => write!(f, "Bytes({:?})", String::from_utf8_lossy(b)),
            Self::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Self::Synthetic { size, seed } => write!(f, "Synthetic({size} bytes, seed {seed})"),
            Self::Summary { size, .. } => write!(f, "Summary({size} bytes)"),
            Self::External(h) => write!(f, "External({} bytes, {h:?})", h.len()),
        }
    }
}

impl From<&[u8]> for Content {
    fn from(b: &[u8]) -> Self {
        Self::Bytes(Arc::from(b))
    }
}

impl From<Vec<u8>> for Content {
    fn from(b: Vec<u8>) -> Self {
        Self::Bytes(Arc::from(b))
    }
}

impl From<&str> for Content {
    fn from(s: &str) -> Self {
        Self::from(s.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_bytes_are_addressable_and_stable() {
        let c = Content::synthetic(200_000, 7);
        let all = c.to_vec(u64::MAX).unwrap();
        assert_eq!(all.len(), 200_000);
        let mut tail = vec![0; 100];
        fill_synthetic(7, 150_000, &mut tail);
        assert_eq!(&all[150_000..150_100], &tail[..]);
        assert_eq!(Content::bytes(all.clone()), c);
        assert_ne!(Content::synthetic(200_000, 8), c);
        assert_eq!(c.sha256(), Content::bytes(all).sha256());
    }

    /// Bytes "kept by the host": here a vector behind the trait, counting reads.
    #[derive(Debug)]
    struct Held(Vec<u8>, std::sync::Mutex<(usize, Option<[u8; 32]>)>);

    impl ExternalContent for Held {
        fn len(&self) -> u64 {
            self.0.len() as u64
        }
        fn write_to(&self, out: &mut dyn io::Write) -> io::Result<()> {
            self.1.lock().unwrap().0 += 1;
            out.write_all(&self.0)
        }
        fn known_checksum(&self) -> Option<[u8; 32]> {
            self.1.lock().unwrap().1
        }
        fn remember_checksum(&self, checksum: [u8; 32]) {
            self.1.lock().unwrap().1 = Some(checksum);
        }
    }

    #[test]
    fn external_bytes_stream_hash_once_and_compare_by_content() {
        let held = Arc::new(Held(b"from the host".to_vec(), std::sync::Mutex::default()));
        let c = Content::external(held.clone());
        assert_eq!(c.len(), 13);
        assert_eq!(c.to_vec(100).unwrap(), b"from the host");
        assert_eq!(c.checksum(), Content::from("from the host").checksum());
        assert_eq!(c.checksum(), Content::from("from the host").checksum());
        assert_eq!(c.sha256(), Content::from("from the host").sha256());
        assert_eq!(
            held.1.lock().unwrap().0,
            3,
            "one read for to_vec, one for the checksum (remembered), one for the SHA-256"
        );
        assert_eq!(c, Content::from("from the host"));
        assert_eq!(c, c.clone());
        assert_ne!(c, Content::from("from the hosT"));
        assert!(c.is_readable() && c.as_bytes().is_none() && c.host_identity().is_none());
    }

    #[test]
    fn summary_compares_by_hash_and_cannot_be_read() {
        let real = Content::from("hello");
        let summary = Content::Summary {
            size: 5,
            sha256: real.sha256(),
        };
        assert_eq!(summary, real);
        assert_ne!(summary, Content::from("hellO"));
        assert!(summary.to_vec(100).is_none());
        assert!(!summary.is_readable());
    }
}
