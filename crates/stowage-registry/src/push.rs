//! Push: blobs (HEAD, mount, monolithic or chunked upload), then the manifest; an index
//! goes after its children.

use std::fs::File;
use std::io::{BufReader, Write as _};
use std::path::Path;

use stowage_oci::{Descriptor, Digest, Index, Manifest, MediaType, Sha256Writer};
use stowage_store::{Store, StoreError};

use crate::client::{Client, Mount};
use crate::sources::Sources;
use crate::{Reference, RegistryError, Result};

/// What happened to one blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlobPush {
    /// The repository had it (`Layer already exists`).
    Exists,
    /// Mounted from another repository of the registry (`Mounted from …`).
    Mounted(String),
    /// Uploaded; the number of PATCH chunks (0: one monolithic PUT).
    Pushed {
        /// PATCH requests used.
        chunks: usize,
    },
}

/// Progress of a push, for the caller to print.
#[derive(Clone, Debug)]
pub enum PushEvent<'a> {
    /// A blob is done.
    Blob {
        /// Its descriptor.
        desc: &'a Descriptor,
        /// Whether it is a layer (configs are not listed by docker).
        layer: bool,
        /// What happened.
        outcome: &'a BlobPush,
    },
}

/// The result of a push.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    /// The manifest (or index) digest.
    pub digest: Digest,
    /// Its size in bytes.
    pub size: u64,
}

/// How layers are sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PushCompression {
    /// Uncompressed layers are gzipped first (as docker and buildah push them); the pushed
    /// manifest then differs from the local one, the config (image ID) does not.
    #[default]
    Gzip,
    /// Every blob and manifest as stored: the registry gets the local digests.
    AsStored,
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| RegistryError::Invalid {
        what: what.to_owned(),
        reason: e.to_string(),
    })
}

/// The token scopes a push of `manifest` to `target` needs (its repository, plus read
/// access to the repositories blobs may be mounted from).
pub fn push_scopes(target: &Reference, others: &[String]) -> Vec<String> {
    let mut scopes = vec![format!("repository:{}:pull,push", target.repository)];
    for o in others {
        let s = format!("repository:{o}:pull");
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    scopes
}

/// Pushes the image (or index) whose manifest is `manifest` in `store` to `target`
/// (tagged with its tag, or by digest).
pub fn push(
    client: &mut Client,
    store: &Store,
    sources: &mut Sources,
    manifest: &Descriptor,
    target: &Reference,
    compression: PushCompression,
    on: &mut dyn FnMut(PushEvent<'_>),
) -> Result<Pushed> {
    // Ask for a token that also reads the repositories we may mount from.
    let mut mount_from = Vec::new();
    collect_sources(store, sources, manifest, target, &mut mount_from)?;
    client.set_scopes(push_scopes(target, &mount_from));
    let reference = target.manifest_reference();
    let mut job = Job {
        client,
        store,
        sources,
        target,
        compression,
        on,
    };
    job.manifest(manifest, &reference)
}

/// One push in progress.
struct Job<'a> {
    client: &'a mut Client,
    store: &'a Store,
    sources: &'a mut Sources,
    target: &'a Reference,
    compression: PushCompression,
    on: &'a mut dyn FnMut(PushEvent<'_>),
}

fn collect_sources(
    store: &Store,
    sources: &Sources,
    desc: &Descriptor,
    target: &Reference,
    out: &mut Vec<String>,
) -> Result<()> {
    let bytes = store.read_blob(&desc.digest)?;
    let blobs: Vec<Descriptor> = if desc.media_type.is_index() {
        let index: Index = parse(&bytes, "index")?;
        for child in &index.manifests {
            collect_sources(store, sources, child, target, out)?;
        }
        return Ok(());
    } else {
        let m: Manifest = parse(&bytes, "manifest")?;
        std::iter::once(m.config).chain(m.layers).collect()
    };
    for b in blobs {
        let gzip = sources.gzip_of(&b.digest);
        for d in std::iter::once(&b.digest).chain(gzip.as_ref()) {
            if let Some(o) = sources.other_repo(d, &target.registry, &target.repository)
                && !out.contains(&o)
            {
                out.push(o);
            }
        }
    }
    Ok(())
}

impl Job<'_> {
    /// Pushes a manifest or index (children first); returns what the registry now has.
    fn manifest(&mut self, desc: &Descriptor, reference: &str) -> Result<Pushed> {
        let stored = self.store.read_blob(&desc.digest)?;
        let bytes = if desc.media_type.is_index() {
            let mut index: Index = parse(&stored, "index")?;
            let mut changed = false;
            for child in &mut index.manifests {
                let pushed = self.manifest(child, &child.digest.to_string())?;
                if pushed.digest != child.digest {
                    child.digest = pushed.digest;
                    child.size = pushed.size;
                    changed = true;
                }
            }
            if changed {
                encode(&index, "index")?
            } else {
                stored
            }
        } else {
            let mut m: Manifest = parse(&stored, "manifest")?;
            let mut changed = false;
            if self.compression == PushCompression::Gzip {
                for layer in &mut m.layers {
                    if let Some(gz) = gzip_layer(self.store, self.sources, layer)? {
                        *layer = gz;
                        changed = true;
                    }
                }
            }
            // Layers first (docker's order), the config last.
            for (is_layer, blob) in m
                .layers
                .iter()
                .map(|l| (true, l))
                .chain(std::iter::once((false, &m.config)))
            {
                let outcome = self.blob(blob)?;
                self.sources
                    .add(&blob.digest, &self.target.registry, &self.target.repository);
                (self.on)(PushEvent::Blob {
                    desc: blob,
                    layer: is_layer,
                    outcome: &outcome,
                });
            }
            if changed {
                encode(&m, "manifest")?
            } else {
                stored
            }
        };
        let digest = self.client.put_manifest(
            &self.target.repository,
            reference,
            &desc.media_type,
            &bytes,
        )?;
        Ok(Pushed {
            digest,
            size: bytes.len() as u64,
        })
    }

    fn blob(&mut self, blob: &Descriptor) -> Result<BlobPush> {
        push_blob(self.client, self.store, self.sources, blob, self.target)
    }
}

fn encode<T: serde::Serialize>(value: &T, what: &str) -> Result<Vec<u8>> {
    stowage_oci::json::to_vec(value).map_err(|e| RegistryError::Invalid {
        what: what.to_owned(),
        reason: e.to_string(),
    })
}

fn store_io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> RegistryError {
    let path = path.to_owned();
    move |source| RegistryError::Store(StoreError::Io { op, path, source })
}

/// Writes to a file and a hasher at once.
struct Tee<'a>(&'a mut File, &'a mut Sha256Writer);

impl std::io::Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The gzip blob of an uncompressed layer (made once, kept in the store, its digest
/// remembered in [`Sources`]); `None` for layers that are compressed already.
fn gzip_layer(
    store: &Store,
    sources: &mut Sources,
    layer: &Descriptor,
) -> Result<Option<Descriptor>> {
    let media_type = match layer.media_type {
        MediaType::Layer => MediaType::LayerGzip,
        MediaType::DockerLayer => MediaType::DockerLayerGzip,
        _ => return Ok(None),
    };
    if let Some(gz) = sources.gzip_of(&layer.digest)
        && let Ok(meta) = std::fs::metadata(store.blob_path(&gz))
    {
        return Ok(Some(Descriptor::new(media_type, gz, meta.len())));
    }
    let src_path = store.blob_path(&layer.digest);
    let src = File::open(&src_path).map_err(store_io("reading", &src_path))?;
    let tmp = store.tmp().join(format!(
        "gzip-{}-{}",
        std::process::id(),
        layer.digest.encoded()
    ));
    let mut out = File::create(&tmp).map_err(store_io("creating", &tmp))?;
    let mut hash = Sha256Writer::new();
    let written = (|| {
        let mut enc = flate2::write::GzEncoder::new(
            std::io::BufWriter::new(Tee(&mut out, &mut hash)),
            flate2::Compression::default(),
        );
        std::io::copy(&mut BufReader::new(src), &mut enc)?;
        enc.finish()?.flush()
    })();
    if let Err(e) = written.and_then(|()| out.sync_all()) {
        let _ = std::fs::remove_file(&tmp);
        return Err(store_io("compressing into", &tmp)(e));
    }
    let size = hash.len();
    let digest = hash.finish();
    let dest = store.blob_path(&digest);
    std::fs::rename(&tmp, &dest).map_err(store_io("renaming", &dest))?;
    sources.set_gzip(&layer.digest, &digest);
    Ok(Some(Descriptor::new(media_type, digest, size)))
}

fn push_blob(
    client: &mut Client,
    store: &Store,
    sources: &Sources,
    blob: &Descriptor,
    target: &Reference,
) -> Result<BlobPush> {
    let repo = &target.repository;
    if client.blob_exists(repo, &blob.digest)? {
        return Ok(BlobPush::Exists);
    }
    let location = match sources.other_repo(&blob.digest, &target.registry, repo) {
        Some(from) => match client.mount_blob(repo, &blob.digest, &from)? {
            Mount::Mounted => return Ok(BlobPush::Mounted(from)),
            Mount::Upload(location) => location,
        },
        None => client.start_upload(repo)?,
    };
    let path = store.blob_path(&blob.digest);
    let file = File::open(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => RegistryError::Store(
            stowage_store::StoreError::MissingBlob(blob.digest.to_string()),
        ),
        _ => RegistryError::Store(stowage_store::StoreError::Io {
            op: "reading",
            path: path.clone(),
            source: e,
        }),
    })?;
    let size = file.metadata().map_or(blob.size, |m| m.len());
    let chunks = client.upload_blob(location, &blob.digest, size, &mut BufReader::new(file))?;
    Ok(BlobPush::Pushed { chunks })
}

#[cfg(test)]
mod tests;
