//! Properties: tar write → read gives the layer back; a diff layer survives the round trip and
//! still turns `a` into `b`; arbitrary or damaged bytes never panic the reader.

use proptest::prelude::*;
use stowage_oci::layer::{Compression, ReadOptions, TarOptions, encode_layer, read_layer};
use stowage_vfs::{Content, Fs, Layer, Metadata};

#[derive(Clone, Debug)]
enum Op {
    Dir(String, u32),
    File(String, Vec<u8>, u32, u32),
    Big(String, u64),
    Symlink(String, String),
    Link(String, String),
    Remove(String),
    Xattr(String, Vec<u8>),
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["a", "b", "c"]).prop_map(str::to_owned),
        // Long, non-ASCII and whiteout-looking names exercise PAX and prefix splitting.
        Just("l".repeat(120)),
        Just("é".to_owned()),
        Just("x".repeat(99)),
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(name(), 1..4).prop_map(|c| format!("/{}", c.join("/")))
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (path(), prop::sample::select(vec![0o755u32, 0o700, 0o1777]))
            .prop_map(|(p, m)| Op::Dir(p, m)),
        (
            path(),
            prop::collection::vec(any::<u8>(), 0..600),
            0u32..3,
            prop::sample::select(vec![0u32, 1000, 5_000_000])
        )
            .prop_map(|(p, d, m, u)| Op::File(p, d, m, u)),
        (path(), 0u64..3).prop_map(|(p, s)| Op::Big(p, s)),
        (
            path(),
            prop::sample::select(vec!["../x".to_owned(), "/etc".to_owned(), "t".repeat(130)])
        )
            .prop_map(|(p, t)| Op::Symlink(p, t)),
        (path(), path()).prop_map(|(a, b)| Op::Link(a, b)),
        path().prop_map(Op::Remove),
        (path(), prop::collection::vec(any::<u8>(), 0..8)).prop_map(|(p, v)| Op::Xattr(p, v)),
    ]
}

fn run(fs: &mut Fs, ops: &[Op]) {
    for op in ops {
        let _ = match op {
            Op::Dir(p, m) => fs.create_dir_all(p, &Metadata::new(*m).with_mtime(1_600_000_000)),
            Op::File(p, d, m, u) => fs.write_file(
                p,
                d.clone(),
                Metadata::new([0o644, 0o755, 0o4711][*m as usize])
                    .with_owner(*u, *u)
                    .with_mtime(i64::from(*u)),
            ),
            Op::Big(p, s) => fs.write_file(p, Content::synthetic(100_000, *s), Metadata::file()),
            Op::Symlink(p, t) => fs.symlink(p, t, Metadata::symlink()),
            Op::Link(a, b) => fs.hard_link(a, b),
            Op::Remove(p) => fs.remove_all(p),
            Op::Xattr(p, v) => fs.update_metadata(p, |m| {
                m.xattrs.insert("user.test".into(), v.clone());
            }),
        };
    }
}

fn compression() -> impl Strategy<Value = Compression> {
    prop::sample::select(vec![
        Compression::None,
        Compression::Gzip,
        Compression::Zstd,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tar_write_then_read_gives_the_layer_back(ops in prop::collection::vec(op(), 0..20), c in compression()) {
        let mut fs = Fs::new();
        run(&mut fs, &ops);
        let layer = Layer::full(&fs);
        let enc = encode_layer(&layer, &TarOptions::default(), c).unwrap();
        let dec = read_layer(&enc.blob, &ReadOptions::default()).unwrap();
        prop_assert_eq!(&dec.layer, &layer);
        prop_assert_eq!(&dec.diff_id, &enc.diff_id);
        prop_assert!(Fs::from_layers([&dec.layer]).unwrap() == fs);
        // Deterministic bytes.
        prop_assert_eq!(encode_layer(&layer, &TarOptions::default(), c).unwrap().digest, enc.digest);
    }

    #[test]
    fn diff_layers_survive_the_tar(
        base in prop::collection::vec(op(), 0..15),
        more in prop::collection::vec(op(), 0..15),
    ) {
        let mut a = Fs::new();
        run(&mut a, &base);
        let mut b = a.snapshot();
        run(&mut b, &more);
        let enc = encode_layer(&Layer::diff(&a, &b), &TarOptions::default(), Compression::Gzip).unwrap();
        let dec = read_layer(&enc.blob, &ReadOptions::default()).unwrap();
        let mut patched = a.snapshot();
        patched.apply(&dec.layer).unwrap();
        prop_assert!(patched == b, "{:?}", stowage_vfs::diff(&patched, &b));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read_layer(&bytes, &ReadOptions::default());
        let mut gz = vec![0x1f, 0x8b];
        gz.extend_from_slice(&bytes);
        let _ = read_layer(&gz, &ReadOptions::default());
        let mut zst = vec![0x28, 0xb5, 0x2f, 0xfd];
        zst.extend_from_slice(&bytes);
        let _ = read_layer(&zst, &ReadOptions::default());
    }

    #[test]
    fn damaged_archives_never_panic(
        ops in prop::collection::vec(op(), 1..8),
        c in compression(),
        damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut fs = Fs::new();
        run(&mut fs, &ops);
        let enc = encode_layer(&Layer::full(&fs), &TarOptions::default(), c).unwrap();
        let mut bytes = enc.blob.to_vec();
        for (at, value) in damage {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let _ = read_layer(&bytes, &ReadOptions::default());
        let _ = read_layer(&bytes[..cut.index(bytes.len())], &ReadOptions::default());
    }
}
