//! What pushes and pulls learnt about blobs, kept in `<store>/registry-sources.json`: where
//! each blob was seen (so a push can ask the registry to mount it from another repository
//! instead of uploading it again), and the gzip blob a push made of each uncompressed layer
//! (so the next push finds its digest without compressing again).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use stowage_oci::Digest;
use stowage_store::Store;

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Record {
    /// Blob digest → `registry/repository` names it was pushed to or pulled from.
    #[serde(default)]
    repos: BTreeMap<String, BTreeSet<String>>,
    /// Uncompressed layer digest → the digest of its gzip blob.
    #[serde(default)]
    gzip: BTreeMap<String, String>,
}

/// The record of one store. Only a hint: a missing or unreadable file is an empty record.
#[derive(Debug, Default)]
pub struct Sources {
    path: PathBuf,
    record: Record,
}

impl Sources {
    /// Reads the record of a store.
    pub fn open(store: &Store) -> Self {
        let path = store.root().join("registry-sources.json");
        let record = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Self { path, record }
    }

    /// Notes that `registry/repo` has the blob.
    pub fn add(&mut self, digest: &Digest, registry: &str, repo: &str) {
        self.record
            .repos
            .entry(digest.to_string())
            .or_default()
            .insert(format!("{registry}/{repo}"));
    }

    /// Another repository of `registry` known to have the blob.
    pub fn other_repo(&self, digest: &Digest, registry: &str, repo: &str) -> Option<String> {
        let prefix = format!("{registry}/");
        self.record
            .repos
            .get(&digest.to_string())?
            .iter()
            .filter_map(|n| n.strip_prefix(&prefix))
            .find(|r| *r != repo)
            .map(str::to_owned)
    }

    /// The gzip blob made of an uncompressed layer, if one was.
    pub fn gzip_of(&self, layer: &Digest) -> Option<Digest> {
        self.record.gzip.get(&layer.to_string())?.parse().ok()
    }

    /// Notes the gzip blob made of an uncompressed layer.
    pub fn set_gzip(&mut self, layer: &Digest, gzip: &Digest) {
        self.record.gzip.insert(layer.to_string(), gzip.to_string());
    }

    /// Writes the record (temp file + rename); failures are ignored, as it is only a hint.
    pub fn save(&self) {
        let Ok(bytes) = serde_json::to_vec(&self.record) else {
            return;
        };
        let tmp = self
            .path
            .with_extension(format!("json.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &self.path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
