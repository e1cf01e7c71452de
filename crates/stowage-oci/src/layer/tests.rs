use stowage_vfs::{Content, Fs, Layer, LayerEntry, Metadata, Symlink};

use super::*;

fn sample_fs() -> Fs {
    let mut fs = Fs::new();
    let meta = |mode| Metadata::new(mode).with_mtime(1_700_000_000);
    fs.create_dir_all("/usr/bin", &meta(0o755)).unwrap();
    fs.write_file("/usr/bin/tool", Content::synthetic(70_000, 3), meta(0o4755))
        .unwrap();
    fs.hard_link("/usr/bin/tool", "/usr/bin/tool-alias")
        .unwrap();
    fs.symlink("/usr/bin/sh", "/bin/busybox", meta(0o777))
        .unwrap();
    let long_dir = format!("/opt/{}", "d".repeat(90));
    fs.create_dir_all(&long_dir, &meta(0o700).with_owner(1000, 1000))
        .unwrap();
    // Splittable into USTAR prefix + name.
    fs.write_file(&format!("{long_dir}/{}", "f".repeat(60)), "x", meta(0o600))
        .unwrap();
    // A name longer than 100 bytes with no slash to split at: needs PAX.
    fs.write_file(&format!("/opt/{}", "n".repeat(120)), "y", meta(0o644))
        .unwrap();
    // Non-ASCII name, big uid, xattr, old and future times.
    let mut odd = meta(0o640).with_owner(3_000_000, 5);
    odd.xattrs
        .insert("security.capability".into(), vec![1, 0, 0, 2, 0xff]);
    odd.mtime = -5;
    fs.write_file("/opt/héllo", "héllo", odd).unwrap();
    fs.write_file("/opt/future", "", meta(0o644).with_mtime(4_000_000_000))
        .unwrap();
    fs
}

fn header(tar: &[u8], index: usize) -> &[u8] {
    &tar[index * 512..(index + 1) * 512]
}

#[test]
fn empty_layer_is_the_well_known_empty_tar() {
    let enc = encode_layer(&Layer::new(), &TarOptions::default(), Compression::None).unwrap();
    assert_eq!(&*enc.blob, &[0u8; 1024][..]);
    assert_eq!(
        enc.diff_id.to_string(),
        "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
    );
    let gz = encode_layer(&Layer::new(), &TarOptions::default(), Compression::Gzip).unwrap();
    assert_eq!(gz.diff_id, enc.diff_id);
    assert_eq!(gz.descriptor().media_type, crate::MediaType::LayerGzip);
}

#[test]
fn headers_are_encoded_like_go() {
    let mut layer = Layer::new();
    layer.insert(
        "/a",
        LayerEntry::File(stowage_vfs::File {
            meta: Metadata::new(0o644).with_mtime(1),
            content: Content::from("hi"),
        }),
    );
    let mut tar = Vec::new();
    let n = write_tar(&layer, &TarOptions::default(), &mut tar).unwrap();
    assert_eq!(n as usize, tar.len());
    assert_eq!(tar.len(), 512 + 512 + 1024);
    let h = header(&tar, 0);
    assert_eq!(&h[0..2], b"a\0");
    assert_eq!(&h[100..108], b"0100644\0");
    assert_eq!(&h[108..116], b"0000000\0");
    assert_eq!(&h[124..136], b"00000000002\0");
    assert_eq!(&h[136..148], b"00000000001\0");
    assert_eq!(h[156], b'0');
    assert_eq!(&h[257..265], b"ustar\x0000");
    assert_eq!(&h[329..345], b"0000000\x000000000\0");
    // Checksum: six octal digits, NUL, space.
    let mut copy = h.to_vec();
    copy[148..156].fill(b' ');
    let sum: u32 = copy.iter().map(|b| u32::from(*b)).sum();
    assert_eq!(&h[148..156], format!("{sum:06o}\0 ").as_bytes());
    assert_eq!(&tar[512..514], b"hi");
}

#[test]
fn round_trips_through_every_compression() {
    let fs = sample_fs();
    let mut layer = Layer::full(&fs);
    layer.insert("/gone", LayerEntry::Whiteout);
    layer.opaque.insert("/opt".into());
    let opts = TarOptions::default();
    let plain = encode_layer(&layer, &opts, Compression::None).unwrap();
    for compression in [Compression::None, Compression::Gzip, Compression::Zstd] {
        let enc = encode_layer(&layer, &opts, compression).unwrap();
        assert_eq!(enc.diff_id, plain.diff_id, "{compression:?}");
        assert_eq!(enc.tar_size, plain.blob.len() as u64);
        let dec = read_layer(&enc.blob, &ReadOptions::default()).unwrap();
        assert_eq!(dec.compression, compression);
        assert_eq!(dec.diff_id, enc.diff_id);
        assert_eq!(dec.digest, enc.digest);
        assert_eq!(dec.tar_size, enc.tar_size);
        assert_eq!(dec.layer, layer, "{compression:?}");
        assert!(dec.skipped.is_empty());
    }
    // Same input, same bytes.
    assert_eq!(
        encode_layer(&layer, &opts, Compression::Gzip)
            .unwrap()
            .digest,
        encode_layer(&layer, &opts, Compression::Gzip)
            .unwrap()
            .digest
    );
    // The tree comes back, hard links included.
    let dec = read_layer(&plain.blob, &ReadOptions::default()).unwrap();
    let back = Fs::from_layers([&dec.layer]).unwrap();
    let Ok(stowage_vfs::Entry::File {
        link: Some(ino), ..
    }) = back.lstat("/usr/bin/tool-alias")
    else {
        panic!("hard link lost")
    };
    assert_eq!(
        back.link_paths(ino),
        ["/usr/bin/tool", "/usr/bin/tool-alias"]
    );
}

#[test]
fn source_date_epoch_clamps_later_times_only() {
    let fs = sample_fs();
    let layer = Layer::full(&fs);
    let opts = TarOptions {
        source_date_epoch: Some(1_000),
    };
    let enc = encode_layer(&layer, &opts, Compression::None).unwrap();
    let dec = read_layer(&enc.blob, &ReadOptions::default()).unwrap();
    for (path, entry) in &dec.layer.entries {
        let mtime = match entry {
            LayerEntry::File(f) => f.meta.mtime,
            LayerEntry::Dir(m) => m.mtime,
            LayerEntry::Symlink(s) => s.meta.mtime,
            _ => continue,
        };
        let want = if path == "/opt/héllo" { -5 } else { 1_000 };
        assert_eq!(mtime, want, "{path}");
    }
    assert_ne!(
        enc.diff_id,
        encode_layer(&layer, &TarOptions::default(), Compression::None)
            .unwrap()
            .diff_id
    );
}

#[test]
fn long_names_use_ustar_prefix_then_pax() {
    let fs = sample_fs();
    let enc = encode_layer(&Layer::full(&fs), &TarOptions::default(), Compression::None).unwrap();
    let tar = &enc.blob;
    let names: Vec<(u8, String)> = (0..tar.len() / 512)
        .map(|i| header(tar, i))
        .filter(|h| h[257..262] == *b"ustar")
        .map(|h| {
            let name = String::from_utf8_lossy(&h[0..100])
                .trim_end_matches('\0')
                .to_owned();
            let prefix = String::from_utf8_lossy(&h[345..500])
                .trim_end_matches('\0')
                .to_owned();
            (
                h[156],
                if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}/{name}")
                },
            )
        })
        .collect();
    // The splittable long name is a plain USTAR header.
    assert!(
        names
            .iter()
            .any(|(t, n)| *t == b'0' && n.ends_with(&"f".repeat(60)) && n.len() > 100)
    );
    // The unsplittable one, the non-ASCII one, the big uid, the negative time and the xattr
    // come with PAX headers.
    let pax: Vec<&String> = names
        .iter()
        .filter(|(t, _)| *t == b'x')
        .map(|(_, n)| n)
        .collect();
    assert_eq!(pax.len(), 2, "{pax:?}");
}

#[test]
fn summarized_content_cannot_be_written() {
    let mut layer = Layer::new();
    layer.insert(
        "/a",
        LayerEntry::File(stowage_vfs::File {
            meta: Metadata::file(),
            content: Content::Summary {
                size: 1,
                sha256: [0; 32],
            },
        }),
    );
    assert!(matches!(
        encode_layer(&layer, &TarOptions::default(), Compression::None),
        Err(LayerError::ContentNotKept(_))
    ));
}

#[test]
fn summarize_mode_keeps_sizes_and_hashes() {
    let fs = sample_fs();
    let enc = encode_layer(&Layer::full(&fs), &TarOptions::default(), Compression::Gzip).unwrap();
    let opts = ReadOptions {
        content: ContentMode::Summarize,
        ..ReadOptions::default()
    };
    let dec = read_layer(&enc.blob, &opts).unwrap();
    let summarized = Fs::from_layers([&dec.layer]).unwrap();
    assert_eq!(summarized, fs, "summaries compare equal to the real bytes");
    assert!(!summarized.read("/usr/bin/tool").unwrap().is_readable());
}

#[test]
fn symlink_targets_are_kept_verbatim() {
    let mut layer = Layer::new();
    layer.insert(
        "/l",
        LayerEntry::Symlink(Symlink {
            meta: Metadata::symlink(),
            target: format!("../../{}", "t".repeat(150)),
        }),
    );
    let enc = encode_layer(&layer, &TarOptions::default(), Compression::None).unwrap();
    assert_eq!(
        read_layer(&enc.blob, &ReadOptions::default())
            .unwrap()
            .layer,
        layer
    );
}
