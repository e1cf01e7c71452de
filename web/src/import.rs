//! Import into the layer explorer: a real `docker save` archive (either shape) or an OCI image
//! archive (`.tar`, `.tar.gz`), read in the build worker by `stowage-oci`'s reader, which
//! bounds sizes and never panics on hostile input. Only the first image is explored.

use std::sync::Arc;

use stowage_oci::layer::ReadOptions;
use stowage_oci::{ImageError, MemoryBlobStore, archive};
use stowage_vfs::Layer;

/// One layer of an imported image.
#[derive(Debug, Clone)]
pub struct ImportedLayer {
    pub layer: Arc<Layer>,
    /// `sha256:…` of the uncompressed tar.
    pub diff_id: String,
    /// Its file bytes.
    pub size: u64,
    /// The history entry that made it (empty when the config has none).
    pub created_by: String,
}

/// The first image of an archive.
#[derive(Debug, Clone)]
pub struct ImportedImage {
    /// The image ID (`sha256:` of its config).
    pub id: String,
    /// Base first.
    pub layers: Vec<ImportedLayer>,
}

/// Reads the archive's first image and decodes its layers.
pub fn read_archive(bytes: &[u8]) -> Result<ImportedImage, ImageError> {
    let mut store = MemoryBlobStore::new();
    let opts = ReadOptions::default();
    let images = archive::read_docker_archive(bytes, &mut store, &opts)?;
    let Some(loaded) = images.into_iter().next() else {
        return Err(ImageError::Format {
            format: "image archive",
            reason: "it holds no image".to_owned(),
        });
    };
    let image = loaded.image;
    let decoded = image.layers(&store, &opts)?;
    let config = &image.config;
    // History entries that made a layer, in layer order.
    let mut made_by: Vec<String> = config
        .history
        .iter()
        .zip(config.history_layers())
        .filter(|(_, layer)| layer.is_some())
        .map(|(entry, _)| entry.created_by.clone().unwrap_or_default())
        .collect();
    made_by.resize(decoded.len(), String::new());
    let layers = decoded
        .into_iter()
        .zip(made_by)
        .map(|(decoded, created_by)| ImportedLayer {
            size: decoded.layer.size(),
            diff_id: decoded.diff_id.to_string(),
            layer: Arc::new(decoded.layer),
            created_by,
        })
        .collect();
    Ok(ImportedImage {
        id: image.id().to_string(),
        layers,
    })
}

#[cfg(test)]
mod tests;
