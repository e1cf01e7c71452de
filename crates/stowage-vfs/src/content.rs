//! File contents: real bytes, size-only synthetic bytes, or a summary whose bytes were dropped.

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

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Self::Bytes(b) => b.len() as u64,
            Self::Synthetic { size, .. } | Self::Summary { size, .. } => *size,
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

    /// SHA-256 of the bytes (streamed for synthetic content).
    pub fn sha256(&self) -> [u8; 32] {
        match self {
            Self::Summary { sha256, .. } => *sha256,
            Self::Bytes(b) => Sha256::digest(b).into(),
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
            (Self::Bytes(b), Self::Synthetic { seed, .. })
            | (Self::Synthetic { seed, .. }, Self::Bytes(b)) => {
                let mut buf = vec![0; CHUNK];
                b.chunks(CHUNK).enumerate().all(|(i, chunk)| {
                    let generated = &mut buf[..chunk.len()];
                    fill_synthetic(*seed, (i * CHUNK) as u64, generated);
                    generated == chunk
                })
            }
            _ => self.sha256() == other.sha256(),
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
