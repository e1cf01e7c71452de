//! Content-addressed blob storage.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::{Descriptor, Digest, ImageError};

/// A content-addressed store of blobs (manifests, configs, layers). In memory here
/// ([`MemoryBlobStore`]); the CLI implements it on disk.
pub trait BlobStore {
    /// Stores `bytes` and returns their SHA-256 digest.
    fn put(&mut self, bytes: Arc<[u8]>) -> Result<Digest, ImageError>;

    /// The blob with `digest`; [`ImageError::MissingBlob`] when absent.
    fn get(&self, digest: &Digest) -> Result<Arc<[u8]>, ImageError>;

    /// Whether the blob is present.
    fn contains(&self, digest: &Digest) -> bool;

    /// Every stored digest, sorted.
    fn digests(&self) -> Vec<Digest>;

    /// Removes a blob; true if it was there.
    fn remove(&mut self, digest: &Digest) -> bool;

    /// The blob a descriptor points to, checked against its digest and size.
    fn get_verified(&self, desc: &Descriptor) -> Result<Arc<[u8]>, ImageError> {
        let bytes = self.get(&desc.digest)?;
        if bytes.len() as u64 != desc.size {
            return Err(ImageError::BlobMismatch {
                digest: desc.digest.clone(),
                reason: format!("{} bytes, descriptor says {}", bytes.len(), desc.size),
            });
        }
        if !desc.digest.verify(&bytes) {
            return Err(ImageError::BlobMismatch {
                digest: desc.digest.clone(),
                reason: "content hashes to another digest".into(),
            });
        }
        Ok(bytes)
    }
}

/// A [`BlobStore`] in memory.
#[derive(Clone, Debug, Default)]
pub struct MemoryBlobStore {
    blobs: BTreeMap<Digest, Arc<[u8]>>,
}

impl MemoryBlobStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of blobs.
    pub fn len(&self) -> usize {
        self.blobs.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.blobs.is_empty()
    }

    /// Sum of blob sizes.
    pub fn total_size(&self) -> u64 {
        self.blobs.values().map(|b| b.len() as u64).sum()
    }
}

impl BlobStore for MemoryBlobStore {
    fn put(&mut self, bytes: Arc<[u8]>) -> Result<Digest, ImageError> {
        let digest = Digest::sha256(&bytes);
        self.blobs.entry(digest.clone()).or_insert(bytes);
        Ok(digest)
    }

    fn get(&self, digest: &Digest) -> Result<Arc<[u8]>, ImageError> {
        self.blobs
            .get(digest)
            .cloned()
            .ok_or_else(|| ImageError::MissingBlob(digest.clone()))
    }

    fn contains(&self, digest: &Digest) -> bool {
        self.blobs.contains_key(digest)
    }

    fn digests(&self) -> Vec<Digest> {
        self.blobs.keys().cloned().collect()
    }

    fn remove(&mut self, digest: &Digest) -> bool {
        self.blobs.remove(digest).is_some()
    }
}
