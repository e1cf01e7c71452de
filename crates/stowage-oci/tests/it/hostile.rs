//! The hostile-archive set: every case gets a clear error or is contained, never a panic,
//! never a write outside the root, never unbounded memory.

use std::io::Write as _;

use stowage_oci::layer::{LayerError, Limits, ReadOptions, SpecialFiles, read_layer};
use stowage_vfs::{Content, Fs, LayerEntry};

use crate::util::{Raw, gzip, pax, tar};

fn read(bytes: &[u8]) -> Result<stowage_oci::layer::DecodedLayer, LayerError> {
    read_layer(bytes, &ReadOptions::default())
}

#[track_caller]
fn rejects(bytes: &[u8], check: impl Fn(&LayerError) -> bool) {
    match read(bytes) {
        Ok(d) => panic!("accepted: {:?}", d.layer),
        Err(e) => assert!(check(&e), "unexpected error: {e}"),
    }
}

#[test]
fn path_traversal_is_refused() {
    for name in ["../evil", "a/../../evil", "./../evil", "a/b/../../../evil"] {
        rejects(&tar(&[Raw::file(name, b"x")]), |e| {
            matches!(e, LayerError::PathEscapes(_))
        });
    }
    // `..` that stays inside is just a path.
    let d = read(&tar(&[Raw::file("a/../b", b"x")])).unwrap();
    assert!(d.layer.entries.contains_key("/b"));
    // Whiteouts of `.` or `..` are refused too.
    rejects(&tar(&[Raw::file("a/.wh...", b"")]), |e| {
        matches!(e, LayerError::PathEscapes(_))
    });
}

#[test]
fn absolute_paths_are_contained() {
    let d = read(&tar(&[Raw::file("/etc/passwd", b"root")])).unwrap();
    let fs = Fs::from_layers([&d.layer]).unwrap();
    assert_eq!(fs.read("/etc/passwd").unwrap(), &Content::from("root"));
}

#[test]
fn symlink_escapes_are_contained() {
    // A symlink to outside, then entries written "through" it: they land inside the tree.
    let bytes = tar(&[
        Raw::kind("up", b'2', "../../../../.."),
        Raw::kind("abs", b'2', "/"),
        Raw::file("up/escaped", b"1"),
        Raw::file("abs/etc/shadow", b"2"),
    ]);
    let d = read(&bytes).unwrap();
    let fs = Fs::from_layers([&d.layer]).unwrap();
    assert_eq!(fs.read("/escaped").unwrap(), &Content::from("1"));
    assert_eq!(fs.read("/etc/shadow").unwrap(), &Content::from("2"));
    assert_eq!(fs.resolve("/up/../../x").unwrap(), "/x");
}

#[test]
fn hardlink_escapes_are_refused() {
    for target in ["../../etc/shadow", "a/../../x", ".."] {
        let bytes = tar(&[Raw::kind("h", b'1', target)]);
        rejects(&bytes, |e| matches!(e, LayerError::HardlinkEscapes { .. }));
    }
    // An absolute target is read inside the root; it must exist when applied.
    let d = read(&tar(&[Raw::kind("h", b'1', "/etc/shadow")])).unwrap();
    assert_eq!(
        d.layer.entries["/h"],
        LayerEntry::Hardlink("/etc/shadow".into())
    );
    assert!(Fs::from_layers([&d.layer]).is_err());
    // A hard link to a symlink is refused when applied.
    let d = read(&tar(&[
        Raw::kind("s", b'2', "/etc"),
        Raw::kind("h", b'1', "s"),
    ]))
    .unwrap();
    assert!(Fs::from_layers([&d.layer]).is_err());
}

#[test]
fn device_nodes_are_skipped_or_rejected() {
    let bytes = tar(&[
        Raw::kind("dev/null", b'3', ""),
        Raw::kind("dev/sda", b'4', ""),
        Raw::kind("run/fifo", b'6', ""),
        Raw::file("ok", b""),
    ]);
    let d = read(&bytes).unwrap();
    let skipped: Vec<(&str, &str)> = d
        .skipped
        .iter()
        .map(|s| (s.path.as_str(), s.reason))
        .collect();
    assert_eq!(
        skipped,
        [
            ("/dev/null", "character device"),
            ("/dev/sda", "block device"),
            ("/run/fifo", "FIFO")
        ]
    );
    assert_eq!(d.layer.entries.len(), 1);
    let strict = ReadOptions {
        special: SpecialFiles::Reject,
        ..ReadOptions::default()
    };
    assert!(matches!(
        read_layer(&bytes, &strict),
        Err(LayerError::SpecialFile { .. })
    ));
}

#[test]
fn absurd_sizes_are_refused_before_allocating() {
    // 1 TiB declared, nothing behind it.
    let huge = Raw {
        size: 1 << 40,
        ..Raw::file("big", b"")
    };
    let mut bytes = crate::util::header(&huge).to_vec();
    bytes.extend_from_slice(&[0; 1024]);
    rejects(&bytes, |e| matches!(e, LayerError::FileTooLarge { .. }));
    // Declared size within limits but the data is missing.
    let short = Raw {
        size: 10_000,
        ..Raw::file("short", b"abc")
    };
    let mut bytes = crate::util::header(&short).to_vec();
    bytes.extend_from_slice(b"abc");
    rejects(&bytes, |e| matches!(e, LayerError::Malformed(_)));
    // Many small files past the content budget.
    let limits = Limits {
        max_content: 1000,
        ..Limits::default()
    };
    let data = [7u8; 600];
    let bytes = tar(&[Raw::file("a", &data), Raw::file("b", &data)]);
    let opts = ReadOptions {
        limits,
        ..ReadOptions::default()
    };
    assert!(matches!(
        read_layer(&bytes, &opts),
        Err(LayerError::TooMuchContent { limit: 1000 })
    ));
}

#[test]
fn decompression_bombs_stop_at_the_budget() {
    // 16 MiB of zeros gzip to a few KiB.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    gz.write_all(&crate::util::header(&Raw {
        size: 16 << 20,
        ..Raw::file("bomb", b"")
    }))
    .unwrap();
    for _ in 0..16 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 100_000);
    let opts = ReadOptions {
        limits: Limits {
            max_tar_size: 1 << 20,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    assert!(matches!(
        read_layer(&bomb, &opts),
        Err(LayerError::TarTooLarge { limit }) if limit == 1 << 20
    ));
}

#[test]
fn oversized_headers_and_names_are_refused() {
    // A 2 MiB PAX header.
    let big = vec![b'a'; 2 << 20];
    let body = pax(&[("comment", &big)]);
    let bytes = tar(&[
        Raw {
            typeflag: b'x',
            ..Raw::file("PaxHeaders.0/x", &body)
        },
        Raw::file("x", b""),
    ]);
    rejects(&bytes, |e| {
        matches!(e, LayerError::ExtensionTooLarge { .. })
    });
    // A 5000-byte path through PAX.
    let long = "d/".repeat(2500);
    let body = pax(&[("path", long.as_bytes())]);
    let bytes = tar(&[
        Raw {
            typeflag: b'x',
            ..Raw::file("PaxHeaders.0/x", &body)
        },
        Raw::file("x", b""),
    ]);
    rejects(&bytes, |e| matches!(e, LayerError::NameTooLong { .. }));
    // A 300-byte component through a GNU long name.
    let name = format!("{}\0", "n".repeat(300));
    let bytes = tar(&[
        Raw {
            typeflag: b'L',
            ..Raw::file("././@LongLink", name.as_bytes())
        },
        Raw::file("x", b""),
    ]);
    rejects(&bytes, |e| matches!(e, LayerError::NameTooLong { .. }));
    // Not UTF-8, or a NUL inside a PAX path.
    rejects(
        &tar(&[Raw {
            name: b"caf\xe9",
            ..Raw::file("", b"")
        }]),
        |e| matches!(e, LayerError::InvalidName(_)),
    );
    let body = pax(&[("path", b"a\0b")]);
    let bytes = tar(&[
        Raw {
            typeflag: b'x',
            ..Raw::file("PaxHeaders.0/x", &body)
        },
        Raw::file("x", b""),
    ]);
    rejects(&bytes, |e| matches!(e, LayerError::InvalidName(_)));
    // A PAX size that contradicts the header.
    let body = pax(&[("size", b"999")]);
    let bytes = tar(&[
        Raw {
            typeflag: b'x',
            ..Raw::file("PaxHeaders.0/x", &body)
        },
        Raw::file("x", b"abc"),
    ]);
    rejects(&bytes, |e| matches!(e, LayerError::InvalidHeader { .. }));
}

#[test]
fn too_many_entries_and_odd_types_are_refused() {
    let members: Vec<Raw<'_>> = (0..20).map(|_| Raw::file("a", b"")).collect();
    let opts = ReadOptions {
        limits: Limits {
            max_entries: 10,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    assert!(matches!(
        read_layer(&tar(&members), &opts),
        Err(LayerError::TooManyEntries { limit: 10 })
    ));
    rejects(&tar(&[Raw::kind("sparse", b'S', "")]), |e| {
        matches!(e, LayerError::UnsupportedEntry { typeflag: 'S', .. })
    });
}

#[test]
fn corrupt_data_is_an_error() {
    let good = tar(&[Raw::file("a", b"hello")]);
    // Bad checksum.
    let mut bad = good.clone();
    bad[0] = b'b';
    rejects(&bad, |e| matches!(e, LayerError::Malformed(_)));
    // Truncated gzip, garbage zstd.
    let gz = gzip(&good);
    rejects(&gz[..gz.len() / 2], |e| {
        matches!(e, LayerError::Malformed(_))
    });
    rejects(&[0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0, 1, 2, 3], |e| {
        matches!(e, LayerError::Malformed(_))
    });
    // Not a tar at all.
    rejects(
        b"this is not a tar archive, just some text that is long enough",
        |e| matches!(e, LayerError::Malformed(_)),
    );
}
