//! The OCI image layout (image-spec `image-layout.md`): `oci-layout`, `index.json` and
//! `blobs/<alg>/<hex>`, written to and read from the host through [`FileSink`] and
//! [`FileSource`].

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::sync::Arc;

use serde::Deserialize;
use stowage_vfs::Fs;

use crate::image::{parse, to_json};
use crate::{BlobStore, Descriptor, Digest, ImageError, Index, Manifest};

/// The content of `oci-layout`.
pub const OCI_LAYOUT: &str = r#"{"imageLayoutVersion":"1.0.0"}"#;

/// How deep nested indexes may go when reading.
const MAX_INDEX_DEPTH: usize = 8;

/// Where the host writes files (a directory on disk, a zip, memory).
pub trait FileSink {
    /// Writes `bytes` at the relative `path` (parent directories implied).
    fn write_file(&mut self, path: &str, bytes: &[u8]) -> io::Result<()>;
}

/// Where the host reads files from.
pub trait FileSource {
    /// The bytes at the relative `path`, or `None` when there is no such file.
    fn read_file(&self, path: &str) -> io::Result<Option<Arc<[u8]>>>;
}

/// Files in memory, by relative path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryFiles(pub BTreeMap<String, Arc<[u8]>>);

impl FileSink for MemoryFiles {
    fn write_file(&mut self, path: &str, bytes: &[u8]) -> io::Result<()> {
        self.0.insert(path.to_owned(), bytes.into());
        Ok(())
    }
}

impl FileSource for MemoryFiles {
    fn read_file(&self, path: &str) -> io::Result<Option<Arc<[u8]>>> {
        Ok(self.0.get(path).cloned())
    }
}

impl FileSource for Fs {
    /// Reads through symlinks inside the tree (a layout unpacked from an archive).
    fn read_file(&self, path: &str) -> io::Result<Option<Arc<[u8]>>> {
        let Ok(content) = self.read(path) else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(usize::try_from(content.len()).unwrap_or(0));
        content.write_to(&mut out)?;
        Ok(Some(out.into()))
    }
}

/// Every blob a descriptor reaches (itself, and for manifests their config and layers, for
/// indexes their manifests), in the order found.
pub fn reachable(
    store: &dyn BlobStore,
    roots: &[Descriptor],
) -> Result<Vec<Descriptor>, ImageError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for root in roots {
        walk(store, root, 0, &mut seen, &mut out)?;
    }
    Ok(out)
}

fn walk(
    store: &dyn BlobStore,
    desc: &Descriptor,
    depth: usize,
    seen: &mut BTreeSet<Digest>,
    out: &mut Vec<Descriptor>,
) -> Result<(), ImageError> {
    if depth > MAX_INDEX_DEPTH {
        return Err(ImageError::Format {
            format: "OCI image layout",
            reason: "indexes nested too deeply".into(),
        });
    }
    if !seen.insert(desc.digest.clone()) {
        return Ok(());
    }
    out.push(desc.clone());
    if desc.media_type.is_manifest() {
        let manifest: Manifest = parse(&store.get_verified(desc)?, "manifest")?;
        for child in std::iter::once(&manifest.config).chain(&manifest.layers) {
            if seen.insert(child.digest.clone()) {
                out.push(child.clone());
            }
        }
    } else if desc.media_type.is_index() {
        let index: Index = parse(&store.get_verified(desc)?, "index")?;
        for child in &index.manifests {
            walk(store, child, depth + 1, seen, out)?;
        }
    }
    Ok(())
}

/// Writes an OCI image layout holding `manifests` (tag them with
/// [`crate::image::Image::tagged`]) and every blob they reach.
pub fn write_oci_layout(
    store: &dyn BlobStore,
    manifests: &[Descriptor],
    sink: &mut dyn FileSink,
) -> Result<(), ImageError> {
    sink.write_file("oci-layout", OCI_LAYOUT.as_bytes())?;
    for desc in reachable(store, manifests)? {
        let bytes = store.get_verified(&desc)?;
        sink.write_file(&desc.digest.blob_path(), &bytes)?;
    }
    let index = to_json(&Index::new(manifests.to_vec()), "index")?;
    sink.write_file("index.json", &index)?;
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LayoutFile {
    image_layout_version: String,
}

/// Reads an OCI image layout: checks `oci-layout`, parses `index.json` and copies every
/// reachable blob into `store`, verifying digests and sizes. Returns the index.
pub fn read_oci_layout(
    source: &dyn FileSource,
    store: &mut dyn BlobStore,
) -> Result<Index, ImageError> {
    let bad = |reason: String| ImageError::Format {
        format: "OCI image layout",
        reason,
    };
    let marker = source
        .read_file("oci-layout")?
        .ok_or_else(|| bad("no oci-layout file".into()))?;
    let marker: LayoutFile = parse(&marker, "oci-layout")?;
    if !marker.image_layout_version.starts_with("1.") {
        return Err(bad(format!(
            "unsupported imageLayoutVersion {:?}",
            marker.image_layout_version
        )));
    }
    let index_bytes = source
        .read_file("index.json")?
        .ok_or_else(|| bad("no index.json".into()))?;
    let index: Index = parse(&index_bytes, "index.json")?;
    for desc in &index.manifests {
        import(source, store, desc, 0)?;
    }
    Ok(index)
}

fn import(
    source: &dyn FileSource,
    store: &mut dyn BlobStore,
    desc: &Descriptor,
    depth: usize,
) -> Result<(), ImageError> {
    if depth > MAX_INDEX_DEPTH {
        return Err(ImageError::Format {
            format: "OCI image layout",
            reason: "indexes nested too deeply".into(),
        });
    }
    if !store.contains(&desc.digest) {
        let bytes = source
            .read_file(&desc.digest.blob_path())?
            .ok_or_else(|| ImageError::MissingBlob(desc.digest.clone()))?;
        store.put(bytes)?;
    }
    let bytes = store.get_verified(desc)?;
    if desc.media_type.is_manifest() {
        let manifest: Manifest = parse(&bytes, "manifest")?;
        for child in std::iter::once(&manifest.config).chain(&manifest.layers) {
            import(source, store, child, depth + 1)?;
        }
    } else if desc.media_type.is_index() {
        let index: Index = parse(&bytes, "index")?;
        for child in &index.manifests {
            import(source, store, child, depth + 1)?;
        }
    }
    Ok(())
}
