//! Descriptors, manifests and indexes (image-spec `descriptor.md`, `manifest.md`,
//! `image-index.md`). Field order follows the Go types, so JSON comes out as Go writes it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Digest, MediaType};

/// `org.opencontainers.image.ref.name`: the tag of a manifest in an image layout's index.
pub const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";
/// `io.containerd.image.name`: the full image name Docker ≥ 25 writes in `docker save`.
pub const ANNOTATION_CONTAINERD_NAME: &str = "io.containerd.image.name";
/// `org.opencontainers.image.created`.
pub const ANNOTATION_CREATED: &str = "org.opencontainers.image.created";
/// `org.opencontainers.image.base.name`.
pub const ANNOTATION_BASE_NAME: &str = "org.opencontainers.image.base.name";
/// `org.opencontainers.image.base.digest`.
pub const ANNOTATION_BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

/// `skip_serializing_if` for numbers (generic: serde passes a reference).
fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// A reference to content: media type, digest and size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// REQUIRED: the media type of the referenced content.
    pub media_type: MediaType,
    /// REQUIRED: the digest of the targeted content.
    pub digest: Digest,
    /// REQUIRED: the size, in bytes, of the raw content.
    pub size: u64,
    /// OPTIONAL: URLs the object may be downloaded from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// OPTIONAL: arbitrary metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// OPTIONAL: the embedded content, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// OPTIONAL (index entries): the platform of the referenced manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// OPTIONAL: the type of an artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<MediaType>,
}

impl Descriptor {
    /// A descriptor with just the three required fields.
    pub fn new(media_type: MediaType, digest: Digest, size: u64) -> Self {
        Self {
            media_type,
            digest,
            size,
            urls: Vec::new(),
            annotations: BTreeMap::new(),
            data: None,
            platform: None,
            artifact_type: None,
        }
    }

    /// The descriptor of `bytes`.
    pub fn of(media_type: MediaType, bytes: &[u8]) -> Self {
        Self::new(media_type, Digest::sha256(bytes), bytes.len() as u64)
    }

    /// The `org.opencontainers.image.ref.name` annotation.
    pub fn ref_name(&self) -> Option<&str> {
        self.annotations
            .get(ANNOTATION_REF_NAME)
            .map(String::as_str)
    }
}

/// The platform an image runs on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    /// REQUIRED: CPU architecture (`amd64`, `arm64`, …).
    pub architecture: String,
    /// REQUIRED: operating system (`linux`).
    pub os: String,
    /// OPTIONAL: OS version.
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
    /// OPTIONAL: OS features.
    #[serde(rename = "os.features", default, skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    /// OPTIONAL: CPU variant (`v8`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// An image manifest: a config and an ordered list of layers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// REQUIRED: `2`.
    pub schema_version: u32,
    /// SHOULD be used: `application/vnd.oci.image.manifest.v1+json` (or Docker's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
    /// OPTIONAL: the type of an artifact manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<MediaType>,
    /// REQUIRED: the image config.
    pub config: Descriptor,
    /// The layers, base first.
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    /// OPTIONAL: the manifest this one refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// OPTIONAL: arbitrary metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Manifest {
    /// An OCI manifest for `config` and `layers`.
    pub fn new(config: Descriptor, layers: Vec<Descriptor>) -> Self {
        Self {
            schema_version: 2,
            media_type: Some(MediaType::ImageManifest),
            artifact_type: None,
            config,
            layers,
            subject: None,
            annotations: BTreeMap::new(),
        }
    }
}

/// An image index: a list of manifests (one per platform, or one per tag in a layout).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    /// REQUIRED: `2`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub schema_version: u32,
    /// SHOULD be used: `application/vnd.oci.image.index.v1+json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
    /// OPTIONAL: the type of an artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<MediaType>,
    /// REQUIRED: the manifests.
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
    /// OPTIONAL: the manifest this one refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// OPTIONAL: arbitrary metadata.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Index {
    /// An OCI index of `manifests`.
    pub fn new(manifests: Vec<Descriptor>) -> Self {
        Self {
            schema_version: 2,
            media_type: Some(MediaType::ImageIndex),
            artifact_type: None,
            manifests,
            subject: None,
            annotations: BTreeMap::new(),
        }
    }
}
