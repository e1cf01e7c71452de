//! Images in memory: assemble, OCI layout and docker-archive round trips, analysis.

use std::collections::BTreeMap;

use stowage_oci::archive::{
    ArchiveFormat, ArchiveImage, read_docker_archive, write_docker_archive,
};
use stowage_oci::config::{buildkit, rfc3339};
use stowage_oci::image::Image;
use stowage_oci::layer::{
    Compression, EncodedLayer, ReadOptions, TarOptions, encode_layer, read_layer,
};
use stowage_oci::layout::{MemoryFiles, read_oci_layout, write_oci_layout};
use stowage_oci::{BlobStore, ImageConfig, MemoryBlobStore, chain_ids};
use stowage_vfs::{Content, Fs, Layer, Metadata};

/// Three steps: a base, a step with a whiteout and a hard link, a metadata-only step and a
/// step that changes nothing (the empty layer).
pub(crate) fn demo_steps() -> (Vec<Layer>, Fs) {
    let mut fs = Fs::new();
    fs.create_dir_all("/etc", &Metadata::dir())
        .expect("demo image");
    fs.write_file("/etc/hello", "hello\n", Metadata::file())
        .expect("demo image");
    fs.symlink("/etc/greeting", "hello", Metadata::symlink())
        .expect("demo image");
    fs.create_dir_all("/usr/bin", &Metadata::dir())
        .expect("demo image");
    fs.write_file(
        "/usr/bin/tool",
        Content::synthetic(50_000, 1),
        Metadata::new(0o755),
    )
    .expect("demo image");
    fs.create_dir_all("/var/cache", &Metadata::dir())
        .expect("demo image");
    fs.write_file(
        "/var/cache/junk",
        Content::synthetic(20_000, 2),
        Metadata::file(),
    )
    .expect("demo image");
    let base = Layer::full(&fs);

    let before = fs.snapshot();
    fs.remove_all("/var/cache/junk").expect("demo image");
    fs.hard_link("/usr/bin/tool", "/usr/bin/tool-link")
        .expect("demo image");
    let long = format!("/app/{}/{}", "d".repeat(80), "f".repeat(70));
    fs.create_dir_all(crate::images::parent(&long), &Metadata::dir())
        .expect("demo image");
    fs.write_file(&long, "deep", Metadata::file().with_owner(1000, 1000))
        .expect("demo image");
    let step = Layer::diff(&before, &fs);

    let unchanged = Layer::diff(&fs, &fs);
    (vec![base, step, unchanged], fs)
}

pub(crate) fn parent(p: &str) -> &str {
    &p[..p.rfind('/').expect("demo image")]
}

pub(crate) fn demo_image(store: &mut dyn BlobStore, compression: Compression) -> (Image, Fs) {
    let (layers, fs) = demo_steps();
    let opts = TarOptions {
        source_date_epoch: Some(1_700_000_000),
    };
    let encoded: Vec<EncodedLayer> = layers
        .iter()
        .map(|l| encode_layer(l, &opts, compression).expect("demo image"))
        .collect();
    let created = rfc3339(1_700_000_000);
    let at = Some(created.as_str());
    let mut config = ImageConfig::new("linux", "amd64");
    config.created = Some(created.clone());
    config.config.set_env(
        "PATH",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    );
    config.config.cmd = vec!["/usr/bin/tool".into()];
    config.config.working_dir = "/app".into();
    config.history = vec![
        buildkit::step(at, "COPY rootfs / "),
        buildkit::run(
            at,
            &[("V", "1")],
            &["/bin/sh", "-c", "rm -rf /var/cache/junk && ln ..."],
        ),
        buildkit::metadata(
            at,
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ),
        buildkit::workdir(at, "/app"),
        buildkit::metadata(
            at,
            &format!("CMD {}", buildkit::quoted_list(&["/usr/bin/tool"])),
        ),
    ];
    let image = Image::assemble(store, config, &encoded, BTreeMap::new()).expect("demo image");
    (image, fs)
}

#[test]
fn assembled_images_load_back() {
    let mut store = MemoryBlobStore::new();
    let (image, fs) = demo_image(&mut store, Compression::Gzip);
    assert!(image.config.history_matches_layers());
    assert_eq!(image.config.rootfs.diff_ids.len(), 3);
    // The unchanged step is the famous empty layer.
    assert_eq!(
        image.config.rootfs.diff_ids[2].to_string(),
        "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
    );
    assert_eq!(
        chain_ids(&image.config.rootfs.diff_ids)[0],
        image.config.rootfs.diff_ids[0]
    );
    let loaded = Image::load(&store, &image.descriptor).unwrap();
    assert_eq!(loaded, image);
    assert!(loaded.rootfs(&store, &ReadOptions::default()).unwrap() == fs);
    // Same inputs, same digests.
    let mut again = MemoryBlobStore::new();
    assert_eq!(
        demo_image(&mut again, Compression::Gzip).0.descriptor,
        image.descriptor
    );
}

#[test]
fn oci_layout_round_trip() {
    let mut store = MemoryBlobStore::new();
    let (image, fs) = demo_image(&mut store, Compression::Zstd);
    let mut files = MemoryFiles::default();
    write_oci_layout(&store, &[image.tagged("demo")], &mut files).unwrap();
    let names: Vec<&str> = files.0.keys().map(String::as_str).collect();
    assert_eq!(names.len(), 2 + 1 + 1 + 3);
    assert_eq!(
        &*files.0["oci-layout"],
        br#"{"imageLayoutVersion":"1.0.0"}"#
    );
    let mut other = MemoryBlobStore::new();
    let index = read_oci_layout(&files, &mut other).unwrap();
    assert_eq!(index.manifests[0].ref_name(), Some("demo"));
    let loaded = Image::load(&other, &index.manifests[0]).unwrap();
    assert!(loaded.rootfs(&other, &ReadOptions::default()).unwrap() == fs);
    // A tampered blob is caught.
    let layer = image.manifest.layers[0].digest.blob_path();
    let mut bad = files.clone();
    bad.0.insert(layer, b"tampered".to_vec().into());
    assert!(read_oci_layout(&bad, &mut MemoryBlobStore::new()).is_err());
}

#[test]
fn docker_archive_round_trips_in_both_shapes() {
    let mut store = MemoryBlobStore::new();
    let (image, fs) = demo_image(&mut store, Compression::Gzip);
    for format in [ArchiveFormat::Oci, ArchiveFormat::Legacy] {
        let mut tar = Vec::new();
        let images = [ArchiveImage {
            image: &image,
            repo_tags: vec!["demo".into(), "demo:v1".into()],
        }];
        write_docker_archive(&store, &images, format, &mut tar).unwrap();
        let mut again = Vec::new();
        write_docker_archive(&store, &images, format, &mut again).unwrap();
        assert_eq!(tar, again, "deterministic");

        let listing = read_layer(&tar, &ReadOptions::default()).unwrap();
        let names: Vec<&String> = listing.layer.entries.keys().collect();
        assert!(names.iter().any(|n| *n == "/manifest.json"));
        assert!(names.iter().any(|n| *n == "/repositories"));
        assert_eq!(
            names.iter().any(|n| *n == "/index.json"),
            format == ArchiveFormat::Oci,
            "{format:?}"
        );

        let mut loaded_store = MemoryBlobStore::new();
        let loaded = read_docker_archive(&tar, &mut loaded_store, &ReadOptions::default()).unwrap();
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].repo_tags, ["demo:latest", "demo:v1"]);
        assert_eq!(loaded[0].image.config, image.config);
        let rootfs = loaded[0]
            .image
            .rootfs(&loaded_store, &ReadOptions::default())
            .unwrap();
        assert!(rootfs == fs, "{format:?}");
    }
}

#[test]
fn analysis_of_an_image() {
    let (layers, _) = demo_steps();
    let a = stowage_oci::analysis::analyze(&layers).unwrap();
    assert_eq!(a.layers.len(), 3);
    // The deleted junk is wasted; the hard link re-writes the tool in the second layer.
    assert!(
        a.inefficient_files
            .iter()
            .any(|f| f.path == "/usr/bin/tool")
    );
    assert!(a.efficiency < 1.0);
    assert_eq!(a.layers[2].changes, []);
}
