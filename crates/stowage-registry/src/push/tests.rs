use super::*;

#[test]
fn gzip_blobs_are_deterministic_and_remembered() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(dir.path())?;
    let tar: Vec<u8> = (0..50_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect();
    let digest = store.write_blob(&tar)?;
    let layer = Descriptor::new(MediaType::Layer, digest.clone(), tar.len() as u64);

    let mut sources = Sources::open(&store);
    let gz = gzip_layer(&store, &mut sources, &layer)?.expect("an uncompressed layer is gzipped");
    assert_eq!(gz.media_type, MediaType::LayerGzip);
    assert!(gz.size < layer.size);
    assert_eq!(sources.gzip_of(&digest), Some(gz.digest.clone()));
    // The blob is in the store, verified by its digest, and decompresses to the tar.
    let bytes = store.read_blob(&gz.digest)?;
    let mut back = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut back)?;
    assert_eq!(back, tar);

    // Without the record (and without the blob) the same bytes come out again.
    std::fs::remove_file(store.blob_path(&gz.digest))?;
    let mut fresh = Sources::default();
    let again = gzip_layer(&store, &mut fresh, &layer)?.expect("gzipped");
    assert_eq!(again, gz);

    // Docker's uncompressed type maps to Docker's gzip type; compressed layers stay.
    let docker = Descriptor::new(MediaType::DockerLayer, digest, tar.len() as u64);
    assert_eq!(
        gzip_layer(&store, &mut fresh, &docker)?.map(|d| d.media_type),
        Some(MediaType::DockerLayerGzip)
    );
    assert_eq!(gzip_layer(&store, &mut fresh, &gz)?, None);
    assert_eq!(
        std::fs::read_dir(store.tmp())?.count(),
        0,
        "no temporary file left"
    );
    Ok(())
}
