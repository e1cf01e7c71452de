//! `docker save` archives (docker-archive), written and read.
//!
//! Two shapes (see the image reference notes, §2.3):
//!
//! - [`ArchiveFormat::Oci`], Docker ≥ 25: the tar *is* an OCI image layout (layers stored
//!   uncompressed, named by diff ID, with a manifest that points at them) plus `manifest.json`
//!   and `repositories`. Every reader accepts it.
//! - [`ArchiveFormat::Legacy`], Docker ≤ 24 (and skopeo's writer): `<config hex>.json`, one
//!   `<v1 id>/{layer.tar,json,VERSION}` directory per layer, `manifest.json`, `repositories`.
//!
//! The reader takes either (and archives whose `manifest.json` points at compressed layers or
//! at symlinks, as skopeo writes them). The archive is unpacked with the hostile-input-safe
//! layer reader into a VFS, so its entry names cannot escape and its size is bounded.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use stowage_vfs::{Content, File, Fs, Layer, LayerEntry, Metadata};

use crate::image::{Image, parse, to_json};
use crate::layer::{
    Compression, ContentMode, ReadOptions, TarOptions, decompress, read_layer, write_tar,
};
use crate::layout::{FileSource, OCI_LAYOUT, read_oci_layout};
use crate::{
    ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME, BlobStore, Descriptor, Digest, ImageConfig,
    ImageError, Index, Manifest, MediaType, chain_ids,
};

/// The shape of a docker-archive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// Docker ≥ 25: an OCI layout plus `manifest.json` and `repositories`.
    #[default]
    Oci,
    /// Docker ≤ 24: `<v1 id>/layer.tar` directories.
    Legacy,
}

/// An image to save and its names (`name:tag`; a missing tag means `latest`).
#[derive(Clone, Debug)]
pub struct ArchiveImage<'a> {
    /// The image.
    pub image: &'a Image,
    /// Its names.
    pub repo_tags: Vec<String>,
}

/// An image read from an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedImage {
    /// The names it was saved under.
    pub repo_tags: Vec<String>,
    /// The image (its manifest and blobs are now in the store).
    pub image: Image,
}

/// One entry of `manifest.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Vec<String>,
    #[serde(default)]
    layers: Vec<String>,
}

/// Splits `name[:tag]` into `(name, tag)`, with `latest` as the default tag.
pub fn split_tag(reference: &str) -> (&str, &str) {
    match reference.rfind(':') {
        Some(i) if !reference[i..].contains('/') => (&reference[..i], &reference[i + 1..]),
        _ => (reference, "latest"),
    }
}

/// The fully qualified name Docker and containerd use: `demo` → `docker.io/library/demo`.
pub fn qualify(name: &str) -> String {
    let first = name.split('/').next().unwrap_or("");
    let has_registry =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_registry {
        name.to_owned()
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    }
}

fn file(bytes: Arc<[u8]>) -> LayerEntry {
    LayerEntry::File(File {
        meta: Metadata::file(),
        content: Content::Bytes(bytes),
    })
}

/// Writes a docker-archive of `images` into `out` as a deterministic tar (sorted entries,
/// time 0, `0644`/`0755`, root-owned).
pub fn write_docker_archive(
    store: &dyn BlobStore,
    images: &[ArchiveImage<'_>],
    format: ArchiveFormat,
    out: &mut dyn Write,
) -> Result<(), ImageError> {
    let mut files = Layer::new();
    let mut manifest_json = Vec::new();
    let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut index = Vec::new();
    for entry in images {
        let image = entry.image;
        let config_bytes = store.get_verified(&image.manifest.config)?;
        // Uncompressed layers, checked against the config's diff IDs.
        let diff_ids = &image.config.rootfs.diff_ids;
        if diff_ids.len() != image.manifest.layers.len() {
            return Err(ImageError::Format {
                format: "image",
                reason: "manifest layers and config diff IDs differ in number".into(),
            });
        }
        let mut tars = Vec::with_capacity(diff_ids.len());
        for (desc, diff_id) in image.manifest.layers.iter().zip(diff_ids) {
            let blob = store.get_verified(desc)?;
            let tar: Arc<[u8]> = if Compression::detect(&blob) == Compression::None {
                blob
            } else {
                decompress(&blob, u64::MAX)?.into()
            };
            if !diff_id.verify(&tar) {
                return Err(ImageError::BlobMismatch {
                    digest: desc.digest.clone(),
                    reason: format!("uncompressed content does not match diff ID {diff_id}"),
                });
            }
            tars.push((diff_id.clone(), tar));
        }
        let names: Vec<(String, String)> = entry
            .repo_tags
            .iter()
            .map(|r| {
                let (n, t) = split_tag(r);
                (n.to_owned(), t.to_owned())
            })
            .collect();
        let repo_tags: Vec<String> = names.iter().map(|(n, t)| format!("{n}:{t}")).collect();
        let (config_path, layer_paths, top) = match format {
            ArchiveFormat::Oci => {
                let config_path = image.manifest.config.digest.blob_path();
                files.insert(&config_path, file(config_bytes));
                let mut layer_descs = Vec::new();
                let mut paths = Vec::new();
                for (diff_id, tar) in &tars {
                    let path = diff_id.blob_path();
                    layer_descs.push(Descriptor::new(
                        MediaType::Layer,
                        diff_id.clone(),
                        tar.len() as u64,
                    ));
                    files.insert(&path, file(Arc::clone(tar)));
                    paths.push(path);
                }
                let mut manifest = Manifest::new(image.manifest.config.clone(), layer_descs);
                manifest.annotations.clone_from(&image.manifest.annotations);
                let manifest_bytes = to_json(&manifest, "manifest")?;
                let manifest_desc = Descriptor::of(MediaType::ImageManifest, &manifest_bytes);
                files.insert(
                    &manifest_desc.digest.blob_path(),
                    file(manifest_bytes.into()),
                );
                if names.is_empty() {
                    index.push(manifest_desc.clone());
                }
                for (n, t) in &names {
                    let mut d = manifest_desc.clone();
                    d.annotations.insert(
                        ANNOTATION_CONTAINERD_NAME.into(),
                        format!("{}:{t}", qualify(n)),
                    );
                    d.annotations.insert(ANNOTATION_REF_NAME.into(), t.clone());
                    index.push(d);
                }
                let top = tars.last().map(|(d, _)| d.encoded().to_owned());
                (config_path, paths, top)
            }
            ArchiveFormat::Legacy => {
                let config_path = format!("{}.json", image.manifest.config.digest.encoded());
                files.insert(&config_path, file(config_bytes));
                let chains = chain_ids(diff_ids);
                let mut parent: Option<String> = None;
                let mut paths = Vec::new();
                for ((_, tar), chain) in tars.iter().zip(&chains) {
                    let v1 = v1_id(image.config.created.as_deref(), chain, parent.as_deref())?;
                    let json = to_json(
                        &V1Json {
                            id: v1.clone(),
                            parent: parent.clone(),
                            created: image.config.created.clone(),
                        },
                        "layer json",
                    )?;
                    files.insert(&format!("{v1}/VERSION"), file(Arc::from(&b"1.0"[..])));
                    files.insert(&format!("{v1}/json"), file(json.into()));
                    files.insert(&format!("{v1}/layer.tar"), file(Arc::clone(tar)));
                    paths.push(format!("{v1}/layer.tar"));
                    parent = Some(v1);
                }
                (config_path, paths, parent)
            }
        };
        manifest_json.push(ManifestEntry {
            config: config_path,
            repo_tags,
            layers: layer_paths,
        });
        if let Some(top) = top {
            for (n, t) in names {
                repositories.entry(n).or_default().insert(t, top.clone());
            }
        }
    }
    if format == ArchiveFormat::Oci {
        files.insert("/oci-layout", file(Arc::from(OCI_LAYOUT.as_bytes())));
        files.insert(
            "/index.json",
            file(to_json(&Index::new(index), "index")?.into()),
        );
    }
    files.insert(
        "/manifest.json",
        file(to_json(&manifest_json, "manifest.json")?.into()),
    );
    if !repositories.is_empty() {
        files.insert(
            "/repositories",
            file(to_json(&repositories, "repositories")?.into()),
        );
    }
    files.add_parents(&Fs::new());
    write_tar(&files, &TarOptions::default(), out)?;
    Ok(())
}

#[derive(Serialize)]
struct V1Json {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<String>,
}

/// A legacy v1 layer ID: a digest over the layer's chain ID, its parent and the creation time
/// (moby `CreateID` hashes the same inputs; the exact bytes differ, which no reader checks).
fn v1_id(
    created: Option<&str>,
    chain: &Digest,
    parent: Option<&str>,
) -> Result<String, ImageError> {
    #[derive(Serialize)]
    struct Input<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        created: Option<&'a str>,
        layer_id: &'a Digest,
        #[serde(skip_serializing_if = "Option::is_none")]
        parent: Option<String>,
    }
    let bytes = to_json(
        &Input {
            created,
            layer_id: chain,
            parent: parent.map(|p| format!("sha256:{p}")),
        },
        "v1 id",
    )?;
    Ok(Digest::sha256(&bytes).encoded().to_owned())
}

/// Reads a docker-archive (either shape) into `store`. `opts` bounds the unpacked archive
/// (its limits apply to the whole tar; content is always kept).
pub fn read_docker_archive(
    bytes: &[u8],
    store: &mut dyn BlobStore,
    opts: &ReadOptions,
) -> Result<Vec<LoadedImage>, ImageError> {
    let opts = ReadOptions {
        content: ContentMode::Keep,
        ..*opts
    };
    let unpacked = read_layer(bytes, &opts)?;
    let fs = Fs::from_layers([&unpacked.layer]).map_err(|e| ImageError::Format {
        format: "docker archive",
        reason: e.to_string(),
    })?;
    let bad = |reason: String| ImageError::Format {
        format: "docker archive",
        reason,
    };
    let Some(manifest_json) = fs.read_file("manifest.json")? else {
        // An OCI layout without Docker's files: read it as one.
        let index = read_oci_layout(&fs, store)?;
        return index
            .manifests
            .iter()
            .map(|d| {
                let name = d
                    .annotations
                    .get(ANNOTATION_CONTAINERD_NAME)
                    .or_else(|| d.annotations.get(ANNOTATION_REF_NAME));
                Ok(LoadedImage {
                    repo_tags: name.into_iter().cloned().collect(),
                    image: Image::load(store, d)?,
                })
            })
            .collect();
    };
    let entries: Vec<ManifestEntry> = parse(&manifest_json, "manifest.json")?;
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let config_bytes = fs
            .read_file(&entry.config)?
            .ok_or_else(|| bad(format!("config {:?} is missing", entry.config)))?;
        let config: ImageConfig = parse(&config_bytes, "image config")?;
        let config_desc = Descriptor::of(MediaType::ImageConfig, &config_bytes);
        store.put(config_bytes)?;
        if config.rootfs.diff_ids.len() != entry.layers.len() {
            return Err(bad(format!(
                "{} layers listed but the config has {} diff IDs",
                entry.layers.len(),
                config.rootfs.diff_ids.len()
            )));
        }
        let mut layers = Vec::with_capacity(entry.layers.len());
        for (path, diff_id) in entry.layers.iter().zip(&config.rootfs.diff_ids) {
            let blob = fs
                .read_file(path)?
                .ok_or_else(|| bad(format!("layer {path:?} is missing")))?;
            let compression = Compression::detect(&blob);
            let actual = if compression == Compression::None {
                Digest::sha256(&blob)
            } else {
                Digest::sha256(&decompress(&blob, opts.limits.max_tar_size)?)
            };
            if &actual != diff_id {
                return Err(ImageError::BlobMismatch {
                    digest: diff_id.clone(),
                    reason: format!("layer {path:?} is {actual}"),
                });
            }
            let desc = Descriptor::of(compression.media_type(), &blob);
            store.put(blob)?;
            layers.push(desc);
        }
        let manifest = Manifest::new(config_desc, layers);
        let manifest_bytes = to_json(&manifest, "manifest")?;
        let descriptor = Descriptor::of(MediaType::ImageManifest, &manifest_bytes);
        store.put(manifest_bytes.into())?;
        out.push(LoadedImage {
            repo_tags: entry.repo_tags,
            image: Image {
                descriptor,
                manifest,
                config,
            },
        });
    }
    Ok(out)
}
