//! Push: blobs (HEAD, mount, monolithic or chunked upload), then the manifest; an index
//! goes after its children.

use std::fs::File;
use std::io::BufReader;

use stowage_oci::{Descriptor, Digest, Index, Manifest};
use stowage_store::Store;

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
    on: &mut dyn FnMut(PushEvent<'_>),
) -> Result<Pushed> {
    // Ask for a token that also reads the repositories we may mount from.
    let mut mount_from = Vec::new();
    collect_sources(store, sources, manifest, target, &mut mount_from)?;
    client.set_scopes(push_scopes(target, &mount_from));
    let reference = target.manifest_reference();
    push_manifest(client, store, sources, manifest, target, &reference, on)
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
        if let Some(o) = sources.other_repo(&b.digest, &target.registry, &target.repository)
            && !out.contains(&o)
        {
            out.push(o);
        }
    }
    Ok(())
}

fn push_manifest(
    client: &mut Client,
    store: &Store,
    sources: &mut Sources,
    desc: &Descriptor,
    target: &Reference,
    reference: &str,
    on: &mut dyn FnMut(PushEvent<'_>),
) -> Result<Pushed> {
    let bytes = store.read_blob(&desc.digest)?;
    if desc.media_type.is_index() {
        let index: Index = parse(&bytes, "index")?;
        for child in &index.manifests {
            push_manifest(
                client,
                store,
                sources,
                child,
                target,
                &child.digest.to_string(),
                on,
            )?;
        }
    } else {
        let m: Manifest = parse(&bytes, "manifest")?;
        let repo = &target.repository;
        // Layers first (docker's order), the config last.
        for (layer, blob) in m
            .layers
            .iter()
            .map(|l| (true, l))
            .chain(std::iter::once((false, &m.config)))
        {
            let outcome = push_blob(client, store, sources, blob, target)?;
            sources.add(&blob.digest, &target.registry, repo);
            on(PushEvent::Blob {
                desc: blob,
                layer,
                outcome: &outcome,
            });
        }
    }
    let digest = client.put_manifest(&target.repository, reference, &desc.media_type, &bytes)?;
    Ok(Pushed {
        digest,
        size: bytes.len() as u64,
    })
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
