//! Where blobs were seen: `<store>/registry-sources.json`, so a push can ask the registry
//! to mount a blob from another repository instead of uploading it again.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use stowage_oci::Digest;
use stowage_store::Store;

/// Blob digest → `registry/repository` names it was pushed to or pulled from.
#[derive(Debug, Default)]
pub struct Sources {
    path: PathBuf,
    map: BTreeMap<String, BTreeSet<String>>,
}

impl Sources {
    /// Reads the record of a store (a missing or unreadable file is an empty record: it is
    /// only a hint).
    pub fn open(store: &Store) -> Self {
        let path = store.root().join("registry-sources.json");
        let map = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Self { path, map }
    }

    /// Notes that `registry/repo` has the blob.
    pub fn add(&mut self, digest: &Digest, registry: &str, repo: &str) {
        self.map
            .entry(digest.to_string())
            .or_default()
            .insert(format!("{registry}/{repo}"));
    }

    /// Another repository of `registry` known to have the blob.
    pub fn other_repo(&self, digest: &Digest, registry: &str, repo: &str) -> Option<String> {
        let prefix = format!("{registry}/");
        self.map
            .get(&digest.to_string())?
            .iter()
            .filter_map(|n| n.strip_prefix(&prefix))
            .find(|r| *r != repo)
            .map(str::to_owned)
    }

    /// Writes the record (temp file + rename); failures are ignored, as it is only a hint.
    pub fn save(&self) {
        let Ok(bytes) = serde_json::to_vec(&self.map) else {
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
