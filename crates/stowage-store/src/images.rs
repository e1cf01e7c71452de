//! [`DiskImageStore`]: the core's `ImageStore` over the OCI layout's `index.json`.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use stowage_build::{ImageStore, LayerRef, StoredImage};
use stowage_oci::{
    ANNOTATION_REF_NAME, Descriptor, Digest, ImageConfig, Index, Manifest, MediaType, json,
};

use crate::store::Store;
use crate::{Result, StoreError, parse_rfc3339};

/// One image of the index.
#[derive(Debug)]
struct Slot {
    /// The manifest's descriptor (no annotations).
    manifest: Descriptor,
    /// Its layer descriptors.
    layers: Vec<Descriptor>,
    config: ImageConfig,
    /// The image with its layers, decoded on first use.
    loaded: OnceCell<Option<StoredImage>>,
}

/// A change this process made, replayed on the current index at [`DiskImageStore::flush`].
#[derive(Clone, Debug)]
enum Op {
    Put(Descriptor),
    Remove(Digest),
    SetTag(String, Descriptor),
    RemoveTag(String),
}

/// The local images: `index.json` of the store's OCI layout, one entry per tag (annotated
/// `org.opencontainers.image.ref.name: name:tag`) and one unannotated entry per untagged
/// image. Image IDs are config digests, as the core's engine uses them.
///
/// Changes are kept in memory and written by [`DiskImageStore::flush`]; layers are decoded
/// lazily, when an image is first read.
#[derive(Debug)]
pub struct DiskImageStore {
    store: Rc<Store>,
    images: BTreeMap<Digest, Slot>,
    tags: BTreeMap<String, Digest>,
    ops: Vec<Op>,
    errors: RefCell<Vec<StoreError>>,
}

/// The manifest descriptor without annotations.
fn bare(desc: &Descriptor) -> Descriptor {
    Descriptor::new(desc.media_type.clone(), desc.digest.clone(), desc.size)
}

impl DiskImageStore {
    /// Reads the index and every image's manifest and config.
    pub fn open(store: Rc<Store>) -> Result<Self> {
        let index = {
            let _lock = store.lock_index()?;
            store.read_index()?
        };
        let mut images = BTreeMap::new();
        let mut tags = BTreeMap::new();
        let mut by_manifest: BTreeMap<Digest, Digest> = BTreeMap::new();
        for desc in &index.manifests {
            if !desc.media_type.is_manifest() {
                continue;
            }
            let id = if let Some(id) = by_manifest.get(&desc.digest) {
                id.clone()
            } else {
                {
                    let manifest: Manifest = parse(&store.read_blob(&desc.digest)?, "manifest")?;
                    let config: ImageConfig =
                        parse(&store.read_blob(&manifest.config.digest)?, "image config")?;
                    let id = manifest.config.digest.clone();
                    by_manifest.insert(desc.digest.clone(), id.clone());
                    images.insert(
                        id.clone(),
                        Slot {
                            manifest: bare(desc),
                            layers: manifest.layers,
                            config,
                            loaded: OnceCell::new(),
                        },
                    );
                    id
                }
            };
            if let Some(name) = desc.ref_name() {
                tags.insert(name.to_owned(), id);
            }
        }
        Ok(Self {
            store,
            images,
            tags,
            ops: Vec::new(),
            errors: RefCell::new(Vec::new()),
        })
    }

    /// The store.
    pub fn store(&self) -> &Rc<Store> {
        &self.store
    }

    /// The manifest descriptor of an image.
    pub fn manifest(&self, id: &Digest) -> Option<&Descriptor> {
        self.images.get(id).map(|s| &s.manifest)
    }

    /// The config of an image, without decoding its layers.
    pub fn config(&self, id: &Digest) -> Option<&ImageConfig> {
        self.images.get(id).map(|s| &s.config)
    }

    /// Whether changes are waiting for [`DiskImageStore::flush`].
    pub fn is_dirty(&self) -> bool {
        !self.ops.is_empty()
    }

    /// The first error met while reading or writing through the trait (whose methods
    /// cannot fail), if any.
    pub fn take_error(&self) -> Option<StoreError> {
        let mut errors = self.errors.borrow_mut();
        (!errors.is_empty()).then(|| errors.remove(0))
    }

    fn load(&self, id: &Digest, slot: &Slot) -> Result<StoredImage> {
        let diff_ids = &slot.config.rootfs.diff_ids;
        if diff_ids.len() != slot.layers.len() {
            return Err(StoreError::Invalid {
                what: format!("image {id}"),
                reason: format!(
                    "{} layers in the manifest but {} diff IDs in the config",
                    slot.layers.len(),
                    diff_ids.len()
                ),
            });
        }
        let mut layers = Vec::with_capacity(diff_ids.len());
        for (desc, diff_id) in slot.layers.iter().zip(diff_ids) {
            let layer = self.store.load_layer(&desc.digest, diff_id)?;
            layers.push(LayerRef {
                size: layer.size(),
                layer,
                diff_id: diff_id.clone(),
            });
        }
        Ok(StoredImage {
            id: id.clone(),
            created: slot.config.created.as_deref().map_or(0, parse_rfc3339),
            config: slot.config.clone(),
            layers,
            simulated: false,
        })
    }

    /// An image already in `index.json` (written by another handle, e.g. a pull during a
    /// build) whose config is `id`: its manifest is reused as it is (compressed layers,
    /// Docker media types) rather than re-encoded.
    fn on_disk(&self, id: &Digest) -> Result<Option<Slot>> {
        let index = {
            let _lock = self.store.lock_index()?;
            self.store.read_index()?
        };
        for desc in index
            .manifests
            .iter()
            .filter(|d| d.media_type.is_manifest())
        {
            let Ok(bytes) = self.store.read_blob(&desc.digest) else {
                continue;
            };
            let manifest: Manifest = parse(&bytes, "manifest")?;
            if &manifest.config.digest == id {
                let config: ImageConfig = parse(
                    &self.store.read_blob(&manifest.config.digest)?,
                    "image config",
                )?;
                return Ok(Some(Slot {
                    manifest: bare(desc),
                    layers: manifest.layers,
                    config,
                    loaded: OnceCell::new(),
                }));
            }
        }
        Ok(None)
    }

    fn write(&self, image: &StoredImage) -> Result<Slot> {
        // An image another handle already wrote (a pull: compressed layers, Docker media
        // types) keeps its manifest.
        if let Some(slot) = self.on_disk(&image.id)? {
            return Ok(slot);
        }
        let mut layers = Vec::with_capacity(image.layers.len());
        for l in &image.layers {
            let size = self.store.write_layer(&l.layer, &l.diff_id)?;
            layers.push(Descriptor::new(MediaType::Layer, l.diff_id.clone(), size));
        }
        let config_bytes = json::to_vec(&image.config).map_err(|e| StoreError::Invalid {
            what: "image config".into(),
            reason: e.to_string(),
        })?;
        let config_digest = self.store.write_blob(&config_bytes)?;
        if config_digest != image.id {
            return Err(StoreError::Corrupt {
                digest: image.id.to_string(),
                reason: format!("the config serialises to {config_digest}"),
            });
        }
        let config_desc = Descriptor::new(
            MediaType::ImageConfig,
            config_digest,
            config_bytes.len() as u64,
        );
        let manifest = Manifest::new(config_desc, layers.clone());
        let manifest_bytes = json::to_vec(&manifest).map_err(|e| StoreError::Invalid {
            what: "manifest".into(),
            reason: e.to_string(),
        })?;
        let digest = self.store.write_blob(&manifest_bytes)?;
        Ok(Slot {
            manifest: Descriptor::new(
                MediaType::ImageManifest,
                digest,
                manifest_bytes.len() as u64,
            ),
            layers,
            config: image.config.clone(),
            loaded: OnceCell::new(),
        })
    }

    /// Adds an image whose manifest, config and layer blobs are already in the store (a
    /// pull), under `tag` if given; the manifest is kept byte for byte, Docker media types
    /// included. Returns the image ID (the config digest). Written by
    /// [`DiskImageStore::flush`].
    pub fn add_manifest(&mut self, manifest: &Descriptor, tag: Option<&str>) -> Result<Digest> {
        let desc = bare(manifest);
        let parsed: Manifest = parse(&self.store.read_blob(&desc.digest)?, "manifest")?;
        for layer in &parsed.layers {
            if !self.store.has_blob(&layer.digest) {
                return Err(StoreError::MissingBlob(layer.digest.to_string()));
            }
        }
        let config: ImageConfig = parse(
            &self.store.read_blob(&parsed.config.digest)?,
            "image config",
        )?;
        let id = parsed.config.digest.clone();
        self.ops.push(Op::Put(desc.clone()));
        if let Some(tag) = tag {
            self.ops.push(Op::SetTag(tag.to_owned(), desc.clone()));
            self.tags.insert(tag.to_owned(), id.clone());
        }
        self.images.insert(
            id.clone(),
            Slot {
                manifest: desc,
                layers: parsed.layers,
                config,
                loaded: OnceCell::new(),
            },
        );
        Ok(id)
    }

    /// Writes the changes of this process to `index.json`: under the index lock, re-reads
    /// the index (another command may have changed it) and replays them on it.
    pub fn flush(&mut self) -> Result<()> {
        if let Some(e) = self.take_error() {
            return Err(e);
        }
        if self.ops.is_empty() {
            return Ok(());
        }
        let _lock = self.store.lock_index()?;
        let index = self.store.read_index()?;
        let mut images: BTreeMap<Digest, Descriptor> = BTreeMap::new();
        let mut tags: BTreeMap<String, Digest> = BTreeMap::new();
        for d in &index.manifests {
            images.insert(d.digest.clone(), bare(d));
            if let Some(name) = d.ref_name() {
                tags.insert(name.to_owned(), d.digest.clone());
            }
        }
        for op in self.ops.drain(..) {
            match op {
                Op::Put(d) => {
                    images.insert(d.digest.clone(), d);
                }
                Op::Remove(digest) => {
                    images.remove(&digest);
                    tags.retain(|_, d| *d != digest);
                }
                Op::SetTag(tag, d) => {
                    tags.insert(tag, d.digest.clone());
                    images.insert(d.digest.clone(), d);
                }
                Op::RemoveTag(tag) => {
                    tags.remove(&tag);
                }
            }
        }
        let mut manifests = Vec::new();
        for (digest, desc) in &images {
            let names: BTreeSet<&String> = tags
                .iter()
                .filter(|(_, d)| *d == digest)
                .map(|(t, _)| t)
                .collect();
            if names.is_empty() {
                manifests.push(desc.clone());
            }
            for n in names {
                let mut d = desc.clone();
                d.annotations
                    .insert(ANNOTATION_REF_NAME.to_owned(), n.clone());
                manifests.push(d);
            }
        }
        self.store.write_index(&Index::new(manifests))
    }
}

impl ImageStore for DiskImageStore {
    fn put(&mut self, image: StoredImage) {
        match self.write(&image) {
            Ok(slot) => {
                self.ops.push(Op::Put(slot.manifest.clone()));
                let _ = slot.loaded.set(Some(image.clone()));
                self.images.insert(image.id, slot);
            }
            Err(e) => self.errors.borrow_mut().push(e),
        }
    }

    fn get(&self, id: &Digest) -> Option<&StoredImage> {
        let slot = self.images.get(id)?;
        slot.loaded
            .get_or_init(|| match self.load(id, slot) {
                Ok(img) => Some(img),
                Err(e) => {
                    self.errors.borrow_mut().push(e);
                    None
                }
            })
            .as_ref()
    }

    fn remove(&mut self, id: &Digest) -> Option<StoredImage> {
        let image = self.get(id).cloned();
        let slot = self.images.remove(id)?;
        self.tags.retain(|_, d| d != id);
        self.ops.push(Op::Remove(slot.manifest.digest));
        image
    }

    fn ids(&self) -> Vec<Digest> {
        self.images.keys().cloned().collect()
    }

    fn tags(&self) -> Vec<(String, Digest)> {
        self.tags
            .iter()
            .map(|(t, d)| (t.clone(), d.clone()))
            .collect()
    }

    fn set_tag(&mut self, tag: &str, id: Digest) -> Option<Digest> {
        let desc = self.images.get(&id)?.manifest.clone();
        self.ops.push(Op::SetTag(tag.to_owned(), desc));
        self.tags.insert(tag.to_owned(), id)
    }

    fn remove_tag(&mut self, tag: &str) -> Option<Digest> {
        self.ops.push(Op::RemoveTag(tag.to_owned()));
        self.tags.remove(tag)
    }
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Invalid {
        what: what.to_owned(),
        reason: e.to_string(),
    })
}
