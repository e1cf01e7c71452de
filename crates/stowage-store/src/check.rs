//! [`Store::check`]: an fsck of the store, what `stowage system check` prints.

use std::collections::BTreeSet;
use std::fs;

use serde::Deserialize;
use stowage_oci::{Digest, ImageConfig, Index, Manifest};

use crate::store::Store;
use crate::{Result, io_err};

/// What [`Store::check`] found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Image manifests reached from `index.json`.
    pub images: usize,
    /// Build-cache results read.
    pub cache_entries: usize,
    /// Distinct blobs read and verified.
    pub blobs: usize,
    /// Leftover temporary files and directories (a killed command leaves them; `image
    /// prune` removes them): not a problem.
    pub temps: usize,
    /// Everything wrong, one line each; empty when the store is sound.
    pub problems: Vec<String>,
}

/// The part of a cache result the check needs (`cache/entries/<key>.json`).
#[derive(Deserialize)]
struct EntryLayers {
    layers: Vec<Digest>,
    layer: Option<Digest>,
}

impl Store {
    /// Reads everything the store refers to and verifies it: `index.json`, every manifest
    /// (and nested index) it lists, their configs and layers (present, hashing to their
    /// digests, as many layers as `rootfs.diff_ids` and each layer's digest its diff ID, as
    /// the store writes layers uncompressed), and every build-cache result's layers.
    pub fn check(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        let mut verified: BTreeSet<Digest> = BTreeSet::new();
        let mut blob = |report: &mut CheckReport, d: &Digest, what: &str| -> Option<Vec<u8>> {
            match self.read_blob(d) {
                Ok(bytes) => {
                    if verified.insert(d.clone()) {
                        report.blobs += 1;
                    }
                    Some(bytes)
                }
                Err(e) => {
                    report.problems.push(format!("{what}: {e}"));
                    None
                }
            }
        };
        let index = match self.read_index() {
            Ok(i) => i,
            Err(e) => {
                report.problems.push(e.to_string());
                return Ok(report);
            }
        };
        let mut manifests: Vec<(String, stowage_oci::Descriptor)> = index
            .manifests
            .into_iter()
            .map(|d| {
                let name = d
                    .annotations
                    .get("org.opencontainers.image.ref.name")
                    .cloned()
                    .unwrap_or_else(|| d.digest.to_string());
                (name, d)
            })
            .collect();
        while let Some((name, desc)) = manifests.pop() {
            let Some(bytes) = blob(&mut report, &desc.digest, &format!("{name}: manifest")) else {
                continue;
            };
            if desc.media_type.as_str().contains("image.index")
                || desc.media_type.as_str().contains("manifest.list")
            {
                match serde_json::from_slice::<Index>(&bytes) {
                    Ok(i) => manifests.extend(i.manifests.into_iter().map(|d| (name.clone(), d))),
                    Err(e) => report.problems.push(format!("{name}: index: {e}")),
                }
                continue;
            }
            report.images += 1;
            let manifest: Manifest = match serde_json::from_slice(&bytes) {
                Ok(m) => m,
                Err(e) => {
                    report.problems.push(format!("{name}: manifest: {e}"));
                    continue;
                }
            };
            let config = blob(
                &mut report,
                &manifest.config.digest,
                &format!("{name}: config"),
            )
            .and_then(|b| match serde_json::from_slice::<ImageConfig>(&b) {
                Ok(c) => Some(c),
                Err(e) => {
                    report.problems.push(format!("{name}: config: {e}"));
                    None
                }
            });
            for l in &manifest.layers {
                blob(&mut report, &l.digest, &format!("{name}: layer"));
            }
            if let Some(config) = config {
                let diff_ids = &config.rootfs.diff_ids;
                let digests: Vec<&Digest> = manifest.layers.iter().map(|l| &l.digest).collect();
                if diff_ids.iter().collect::<Vec<_>>() != digests {
                    report.problems.push(format!(
                        "{name}: the config's {} diff IDs are not the manifest's {} \
                         (uncompressed) layers",
                        diff_ids.len(),
                        digests.len()
                    ));
                }
            }
        }
        let entries = self.root().join("cache/entries");
        if let Ok(dir) = fs::read_dir(&entries) {
            for e in dir {
                let e = e.map_err(io_err("reading", &entries))?;
                let path = e.path();
                if path.extension().is_none_or(|x| x != "json") {
                    continue;
                }
                report.cache_entries += 1;
                let what = format!("cache entry {}", e.file_name().to_string_lossy());
                let parsed = fs::read(&path).map_err(|e| e.to_string()).and_then(|b| {
                    serde_json::from_slice::<EntryLayers>(&b).map_err(|e| e.to_string())
                });
                match parsed {
                    Ok(entry) => {
                        for d in entry.layers.iter().chain(entry.layer.iter()) {
                            blob(&mut report, d, &what);
                        }
                    }
                    Err(e) => report.problems.push(format!("{what}: {e}")),
                }
            }
        }
        let tmp = self.tmp();
        report.temps = fs::read_dir(&tmp).map_err(io_err("reading", &tmp))?.count();
        Ok(report)
    }
}
