//! Images over a blob store: assemble one from a config and encoded layers, load one back.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use stowage_vfs::Fs;

use crate::layer::{DecodedLayer, EncodedLayer, ReadOptions, read_layer};
use crate::{BlobStore, Descriptor, Digest, ImageConfig, ImageError, Manifest, MediaType, json};

/// An image: its manifest (and the descriptor of the manifest blob) and its config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Descriptor of the manifest blob.
    pub descriptor: Descriptor,
    /// The manifest.
    pub manifest: Manifest,
    /// The config.
    pub config: ImageConfig,
}

impl Image {
    /// The config digest: the image ID `docker images` shows with the classic store.
    pub fn id(&self) -> &Digest {
        &self.manifest.config.digest
    }

    /// The manifest digest: the image ID with the containerd store, and what `@sha256:`
    /// references pin.
    pub fn digest(&self) -> &Digest {
        &self.descriptor.digest
    }

    /// The descriptor with an `org.opencontainers.image.ref.name` annotation, for an index.
    pub fn tagged(&self, tag: &str) -> Descriptor {
        let mut d = self.descriptor.clone();
        d.annotations
            .insert(crate::ANNOTATION_REF_NAME.to_owned(), tag.to_owned());
        d
    }

    /// Stores `layers` and a config whose `rootfs.diff_ids` are set from them, then the
    /// manifest. `config.history` should already describe the steps (see
    /// [`crate::config::buildkit`]).
    pub fn assemble(
        store: &mut dyn BlobStore,
        mut config: ImageConfig,
        layers: &[EncodedLayer],
        annotations: BTreeMap<String, String>,
    ) -> Result<Self, ImageError> {
        config.rootfs.diff_ids = layers.iter().map(|l| l.diff_id.clone()).collect();
        let mut descriptors = Vec::with_capacity(layers.len());
        for layer in layers {
            store.put(Arc::clone(&layer.blob))?;
            descriptors.push(layer.descriptor());
        }
        let config_bytes = to_json(&config, "image config")?;
        let config_desc = Descriptor::of(MediaType::ImageConfig, &config_bytes);
        store.put(config_bytes.into())?;
        let mut manifest = Manifest::new(config_desc, descriptors);
        manifest.annotations = annotations;
        let manifest_bytes = to_json(&manifest, "manifest")?;
        let descriptor = Descriptor::of(MediaType::ImageManifest, &manifest_bytes);
        store.put(manifest_bytes.into())?;
        Ok(Self {
            descriptor,
            manifest,
            config,
        })
    }

    /// Loads the image whose manifest `descriptor` points to, verifying digests and sizes.
    pub fn load(store: &dyn BlobStore, descriptor: &Descriptor) -> Result<Self, ImageError> {
        if descriptor.media_type.is_index() {
            return Err(ImageError::Format {
                format: "image",
                reason: format!("{} is an index, not a manifest", descriptor.digest),
            });
        }
        let manifest: Manifest = parse(&store.get_verified(descriptor)?, "manifest")?;
        let config: ImageConfig = parse(&store.get_verified(&manifest.config)?, "image config")?;
        Ok(Self {
            descriptor: descriptor.clone(),
            manifest,
            config,
        })
    }

    /// Reads every layer, checking each diff ID against the config.
    pub fn layers(
        &self,
        store: &dyn BlobStore,
        opts: &ReadOptions,
    ) -> Result<Vec<DecodedLayer>, ImageError> {
        let diff_ids = &self.config.rootfs.diff_ids;
        if diff_ids.len() != self.manifest.layers.len() {
            return Err(ImageError::Format {
                format: "image",
                reason: format!(
                    "{} layers in the manifest but {} diff IDs in the config",
                    self.manifest.layers.len(),
                    diff_ids.len()
                ),
            });
        }
        let mut out = Vec::with_capacity(diff_ids.len());
        for (desc, diff_id) in self.manifest.layers.iter().zip(diff_ids) {
            let decoded = read_layer(&store.get_verified(desc)?, opts)?;
            if &decoded.diff_id != diff_id {
                return Err(ImageError::BlobMismatch {
                    digest: desc.digest.clone(),
                    reason: format!(
                        "uncompressed content is {}, the config says {diff_id}",
                        decoded.diff_id
                    ),
                });
            }
            out.push(decoded);
        }
        Ok(out)
    }

    /// The root filesystem: every layer stacked as overlayfs shows it.
    pub fn rootfs(&self, store: &dyn BlobStore, opts: &ReadOptions) -> Result<Fs, ImageError> {
        let layers = self.layers(store, opts)?;
        Fs::from_layers(layers.iter().map(|l| &l.layer)).map_err(|e| ImageError::Format {
            format: "image",
            reason: format!("layers do not stack: {e}"),
        })
    }
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T, what: &str) -> Result<Vec<u8>, ImageError> {
    json::to_vec(value).map_err(|source| ImageError::Json {
        what: what.to_owned(),
        source,
    })
}

pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, ImageError> {
    serde_json::from_slice(bytes).map_err(|source| ImageError::Json {
        what: what.to_owned(),
        source,
    })
}
