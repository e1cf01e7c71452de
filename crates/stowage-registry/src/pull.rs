//! Pull: the manifest (an index picks the platform), then the config and layers streamed
//! into the store with their digests checked, then the tag.

use stowage_build::ImageStore as _;
use stowage_oci::{Descriptor, Digest, Index, Manifest, Platform};
use stowage_store::{DiskImageStore, StoreError};

use crate::client::Client;
use crate::sources::Sources;
use crate::{Reference, RegistryError, Result};

/// Progress of a pull, for the caller to print.
#[derive(Clone, Debug)]
pub enum PullEvent<'a> {
    /// The manifest is known; blobs follow.
    Resolved {
        /// The image manifest.
        manifest: &'a Descriptor,
    },
    /// A layer already in the store.
    LayerExists(&'a Descriptor),
    /// A layer downloaded and verified.
    LayerPulled(&'a Descriptor),
}

/// The result of a pull.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pulled {
    /// The digest the reference resolved to (the index's, for a multi-platform image).
    pub digest: Digest,
    /// The image manifest stored.
    pub manifest: Descriptor,
    /// The image ID (config digest).
    pub id: Digest,
    /// Whether the tag already pointed at this manifest and every blob was present.
    pub up_to_date: bool,
}

/// A platform as `--platform` writes it: `linux/amd64`, `linux/arm64/v8`.
pub fn parse_platform(s: &str) -> Result<Platform> {
    let mut parts = s.split('/');
    let (Some(os), Some(arch)) = (parts.next(), parts.next()) else {
        return Err(RegistryError::InvalidPlatform(s.to_owned()));
    };
    let variant = parts.next().map(str::to_owned);
    if os.is_empty() || arch.is_empty() || parts.next().is_some() {
        return Err(RegistryError::InvalidPlatform(s.to_owned()));
    }
    Ok(Platform {
        architecture: arch.to_owned(),
        os: os.to_owned(),
        os_version: None,
        os_features: Vec::new(),
        variant,
    })
}

fn platform_string(p: &Platform) -> String {
    match &p.variant {
        Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
        None => format!("{}/{}", p.os, p.architecture),
    }
}

/// The index entry for `want`: same OS and architecture, and variant when asked for.
pub fn select_platform<'a>(index: &'a Index, want: &Platform) -> Option<&'a Descriptor> {
    index.manifests.iter().find(|d| {
        d.media_type.is_manifest()
            && d.platform.as_ref().is_some_and(|p| {
                p.os == want.os
                    && p.architecture == want.architecture
                    && (want.variant.is_none() || p.variant == want.variant)
            })
    })
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| RegistryError::Invalid {
        what: what.to_owned(),
        reason: e.to_string(),
    })
}

fn checked(expected: Option<&Digest>, bytes: &[u8], what: &str) -> Result<Digest> {
    let got = Digest::sha256(bytes);
    match expected {
        Some(e) if *e != got => Err(RegistryError::DigestMismatch {
            what: what.to_owned(),
            expected: e.to_string(),
            actual: got.to_string(),
        }),
        _ => Ok(got),
    }
}

/// Pulls `reference` for `platform` into the image store and tags it (unless pinned by
/// digest only). Nothing reaches `index.json` unless every blob arrived and verified;
/// blobs already verified stay in the store for the next try.
pub fn pull(
    client: &mut Client,
    images: &mut DiskImageStore,
    sources: &mut Sources,
    reference: &Reference,
    platform: &Platform,
    on: &mut dyn FnMut(PullEvent<'_>),
) -> Result<Pulled> {
    let store = std::rc::Rc::clone(images.store());
    let repo = &reference.repository;
    client.set_scopes(vec![format!("repository:{repo}:pull")]);
    let (media_type, bytes) = client.get_manifest(repo, &reference.manifest_reference())?;
    let top = checked(reference.digest.as_ref(), &bytes, "manifest")?;
    let (manifest_desc, manifest_bytes) = if media_type.is_index() {
        let index: Index = parse(&bytes, "index")?;
        let Some(child) = select_platform(&index, platform) else {
            let available: Vec<String> = index
                .manifests
                .iter()
                .filter_map(|d| d.platform.as_ref().map(platform_string))
                .collect();
            return Err(RegistryError::NoMatchingPlatform {
                platform: platform_string(platform),
                available,
            });
        };
        let (child_type, child_bytes) = client.get_manifest(repo, &child.digest.to_string())?;
        checked(Some(&child.digest), &child_bytes, "manifest")?;
        let mt = if child_type.is_manifest() {
            child_type
        } else {
            child.media_type.clone()
        };
        (
            Descriptor::new(mt, child.digest.clone(), child_bytes.len() as u64),
            child_bytes,
        )
    } else if media_type.is_manifest() {
        (
            Descriptor::new(media_type, top.clone(), bytes.len() as u64),
            bytes,
        )
    } else {
        return Err(RegistryError::Invalid {
            what: format!("manifest of {reference}"),
            reason: format!("unsupported media type {}", media_type.as_str()),
        });
    };
    let manifest: Manifest = parse(&manifest_bytes, "manifest")?;
    on(PullEvent::Resolved {
        manifest: &manifest_desc,
    });
    let tag = reference.local_tag();
    let current = tag.as_deref().and_then(|t| {
        images
            .tags()
            .into_iter()
            .find(|(name, _)| name == t)
            .and_then(|(_, id)| images.manifest(&id).map(|m| m.digest.clone()))
    });
    let mut all_present = true;
    for (layer, blob) in
        std::iter::once((false, &manifest.config)).chain(manifest.layers.iter().map(|l| (true, l)))
    {
        if store.has_blob(&blob.digest) {
            if layer {
                on(PullEvent::LayerExists(blob));
            }
            continue;
        }
        all_present = false;
        let mut reader = client.get_blob(repo, &blob.digest)?;
        store
            .write_blob_from(&mut reader, &blob.digest)
            .map_err(|e| match e {
                StoreError::Corrupt { digest, reason } => RegistryError::DigestMismatch {
                    what: format!("blob {digest}"),
                    expected: digest,
                    actual: reason
                        .strip_prefix("its bytes hash to ")
                        .unwrap_or(&reason)
                        .to_owned(),
                },
                other => RegistryError::Store(other),
            })?;
        sources.add(&blob.digest, &reference.registry, repo);
        if layer {
            on(PullEvent::LayerPulled(blob));
        }
    }
    let up_to_date = all_present && current.as_ref() == Some(&manifest_desc.digest);
    let id = if up_to_date {
        manifest.config.digest.clone()
    } else {
        let written = store.write_blob(&manifest_bytes)?;
        debug_assert_eq!(written, manifest_desc.digest);
        let id = images.add_manifest(&manifest_desc, tag.as_deref())?;
        images.flush()?;
        id
    };
    Ok(Pulled {
        digest: top,
        manifest: manifest_desc,
        id,
        up_to_date,
    })
}
