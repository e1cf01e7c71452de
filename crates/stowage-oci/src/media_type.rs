//! Media types of OCI and Docker schema-2 content.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A media type. Open: anything unknown is kept as [`MediaType::Other`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MediaType {
    /// `application/vnd.oci.image.manifest.v1+json`
    ImageManifest,
    /// `application/vnd.oci.image.index.v1+json`
    ImageIndex,
    /// `application/vnd.oci.image.config.v1+json`
    ImageConfig,
    /// `application/vnd.oci.image.layer.v1.tar`
    Layer,
    /// `application/vnd.oci.image.layer.v1.tar+gzip`
    LayerGzip,
    /// `application/vnd.oci.image.layer.v1.tar+zstd`
    LayerZstd,
    /// `application/vnd.oci.empty.v1+json`
    EmptyJson,
    /// `application/vnd.docker.distribution.manifest.v2+json`
    DockerManifest,
    /// `application/vnd.docker.distribution.manifest.list.v2+json`
    DockerManifestList,
    /// `application/vnd.docker.container.image.v1+json`
    DockerConfig,
    /// `application/vnd.docker.image.rootfs.diff.tar.gzip`
    DockerLayerGzip,
    /// `application/vnd.docker.image.rootfs.diff.tar`
    DockerLayer,
    /// Any other media type.
    Other(String),
}

impl MediaType {
    /// The media type string.
    pub fn as_str(&self) -> &str {
        match self {
            Self::ImageManifest => "application/vnd.oci.image.manifest.v1+json",
            Self::ImageIndex => "application/vnd.oci.image.index.v1+json",
            Self::ImageConfig => "application/vnd.oci.image.config.v1+json",
            Self::Layer => "application/vnd.oci.image.layer.v1.tar",
            Self::LayerGzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Self::LayerZstd => "application/vnd.oci.image.layer.v1.tar+zstd",
            Self::EmptyJson => "application/vnd.oci.empty.v1+json",
            Self::DockerManifest => "application/vnd.docker.distribution.manifest.v2+json",
            Self::DockerManifestList => "application/vnd.docker.distribution.manifest.list.v2+json",
            Self::DockerConfig => "application/vnd.docker.container.image.v1+json",
            Self::DockerLayerGzip => "application/vnd.docker.image.rootfs.diff.tar.gzip",
            Self::DockerLayer => "application/vnd.docker.image.rootfs.diff.tar",
            Self::Other(s) => s,
        }
    }

    /// Parses a media type string.
    pub fn parse(s: &str) -> Self {
        [
            Self::ImageManifest,
            Self::ImageIndex,
            Self::ImageConfig,
            Self::Layer,
            Self::LayerGzip,
            Self::LayerZstd,
            Self::EmptyJson,
            Self::DockerManifest,
            Self::DockerManifestList,
            Self::DockerConfig,
            Self::DockerLayerGzip,
            Self::DockerLayer,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
        .unwrap_or_else(|| Self::Other(s.to_owned()))
    }

    /// Whether this is an image manifest (OCI or Docker).
    pub fn is_manifest(&self) -> bool {
        matches!(self, Self::ImageManifest | Self::DockerManifest)
    }

    /// Whether this is an index or manifest list.
    pub fn is_index(&self) -> bool {
        matches!(self, Self::ImageIndex | Self::DockerManifestList)
    }

    /// Whether this is a layer (any compression).
    pub fn is_layer(&self) -> bool {
        matches!(
            self,
            Self::Layer
                | Self::LayerGzip
                | Self::LayerZstd
                | Self::DockerLayerGzip
                | Self::DockerLayer
        )
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for MediaType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MediaType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_and_unknown() {
        for s in [
            "application/vnd.oci.image.layer.v1.tar+zstd",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "application/x-custom",
        ] {
            assert_eq!(MediaType::parse(s).as_str(), s);
        }
        assert_eq!(
            MediaType::parse("application/x-custom"),
            MediaType::Other("application/x-custom".into())
        );
        assert!(MediaType::LayerGzip.is_layer());
        assert!(MediaType::DockerManifest.is_manifest());
    }
}
