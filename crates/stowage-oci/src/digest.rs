//! Content digests (`sha256:<hex>`), the hasher that produces them, and chain IDs.

use std::fmt;
use std::io;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256, Sha512};

/// A validated content digest, `<algorithm>:<encoded>` (image-spec `descriptor.md`).
///
/// Only the registered algorithms `sha256` (64 lowercase hex digits, the one "implementations
/// MUST implement") and `sha512` (128) are accepted, so a `Digest` is always safe to use as a
/// file name under `blobs/<algorithm>/`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    encoded: String,
}

/// A digest algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl Algorithm {
    /// `sha256` or `sha512`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha512 => "sha512",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            Self::Sha256 => 64,
            Self::Sha512 => 128,
        }
    }
}

/// Why a string is not a digest.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// No `:` separator.
    #[error("invalid digest {0:?}: expected `<algorithm>:<hex>`")]
    Malformed(String),
    /// An algorithm other than sha256 or sha512.
    #[error("unsupported digest algorithm {0:?} (expected sha256 or sha512)")]
    UnsupportedAlgorithm(String),
    /// Wrong length or a character that is not lowercase hex.
    #[error("invalid {algorithm} digest {encoded:?}: expected {len} lowercase hex digits")]
    BadEncoding {
        /// The algorithm.
        algorithm: &'static str,
        /// The encoded part as given.
        encoded: String,
        /// The length it must have.
        len: usize,
    },
}

impl Digest {
    /// The SHA-256 digest of `bytes`.
    pub fn sha256(bytes: &[u8]) -> Self {
        Self::from_sha256(Sha256::digest(bytes).into())
    }

    /// The SHA-512 digest of `bytes`.
    pub fn sha512(bytes: &[u8]) -> Self {
        Self {
            algorithm: Algorithm::Sha512,
            encoded: hex(&Sha512::digest(bytes)),
        }
    }

    /// A SHA-256 digest from its raw 32 bytes.
    pub fn from_sha256(raw: [u8; 32]) -> Self {
        Self {
            algorithm: Algorithm::Sha256,
            encoded: hex(&raw),
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The hex part.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// The first 12 hex digits, as `docker images` shows an ID.
    pub fn short(&self) -> &str {
        &self.encoded[..12]
    }

    /// `blobs/<algorithm>/<hex>`: the blob's path in an OCI image layout.
    pub fn blob_path(&self) -> String {
        format!("blobs/{}/{}", self.algorithm.as_str(), self.encoded)
    }

    /// Whether `bytes` have this digest.
    pub fn verify(&self, bytes: &[u8]) -> bool {
        match self.algorithm {
            Algorithm::Sha256 => *self == Self::sha256(bytes),
            Algorithm::Sha512 => *self == Self::sha512(bytes),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (alg, encoded) = s
            .split_once(':')
            .ok_or_else(|| DigestError::Malformed(s.to_owned()))?;
        let algorithm = match alg {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            other => return Err(DigestError::UnsupportedAlgorithm(other.to_owned())),
        };
        let len = algorithm.hex_len();
        if encoded.len() != len
            || !encoded
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(DigestError::BadEncoding {
                algorithm: algorithm.as_str(),
                encoded: encoded.to_owned(),
                len,
            });
        }
        Ok(Self {
            algorithm,
            encoded: encoded.to_owned(),
        })
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.as_str(), self.encoded)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Hashes everything written to it (SHA-256) and counts the bytes.
#[derive(Clone, Debug, Default)]
pub struct Sha256Writer {
    hasher: Sha256,
    len: u64,
}

impl Sha256Writer {
    /// A fresh hasher.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
    }

    /// Bytes seen so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The digest of everything written.
    pub fn finish(self) -> Digest {
        Digest::from_sha256(self.finish_bytes())
    }

    /// The raw SHA-256 of everything written.
    pub fn finish_bytes(self) -> [u8; 32] {
        self.hasher.finalize().into()
    }
}

impl io::Write for Sha256Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The chain IDs of a stack of layers, bottom first (image-spec `config.md`):
/// `ChainID(L0) = DiffID(L0)` and `ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln))`.
pub fn chain_ids(diff_ids: &[Digest]) -> Vec<Digest> {
    let mut out: Vec<Digest> = Vec::with_capacity(diff_ids.len());
    for diff_id in diff_ids {
        let next = match out.last() {
            None => diff_id.clone(),
            Some(prev) => Digest::sha256(format!("{prev} {diff_id}").as_bytes()),
        };
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d = Digest::sha256(b"");
        assert_eq!(
            d.to_string(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(d.to_string().parse::<Digest>().unwrap(), d);
        assert_eq!(d.short(), "e3b0c44298fc");
        assert_eq!(
            d.blob_path(),
            "blobs/sha256/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(d.verify(b""));
        assert!(!d.verify(b"x"));
        let s512 = Digest::sha512(b"x");
        assert_eq!(s512.to_string().parse::<Digest>().unwrap(), s512);
    }

    #[test]
    fn rejects_bad_digests() {
        for bad in [
            "",
            "sha256",
            "md5:abc",
            "sha256:ABCDEF",
            "sha256:../../etc/passwd",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
            "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        ] {
            assert!(bad.parse::<Digest>().is_err(), "{bad}");
        }
    }

    #[test]
    fn chain_ids_follow_the_spec() {
        let a = Digest::sha256(b"a");
        let b = Digest::sha256(b"b");
        let ids = chain_ids(&[a.clone(), b.clone()]);
        assert_eq!(ids[0], a);
        assert_eq!(ids[1], Digest::sha256(format!("{a} {b}").as_bytes()));
        assert!(chain_ids(&[]).is_empty());
    }

    #[test]
    fn writer_hashes_what_it_sees() {
        use std::io::Write as _;
        let mut w = Sha256Writer::new();
        w.write_all(b"hello ").unwrap();
        w.write_all(b"world").unwrap();
        assert_eq!(w.len(), 11);
        assert_eq!(w.finish(), Digest::sha256(b"hello world"));
    }
}
