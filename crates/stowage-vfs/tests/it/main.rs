//! Property tests: random operation sequences never panic, and a layer built by
//! `Layer::diff(a, b)` turns `a` into `b` (applied directly or stacked on a base layer).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use stowage_vfs::{Content, Fs, Layer, Metadata, diff};

#[derive(Clone, Debug)]
enum Op {
    MkdirAll(String),
    Write(String, u8, u32),
    Synthetic(String, u64),
    Symlink(String, String),
    HardLink(String, String),
    RemoveAll(String),
    Rename(String, String),
    Chmod(String, u32),
    Chown(String, u32),
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vec!["a", "b", "c", "..", "."]), 1..4)
        .prop_map(|c| format!("/{}", c.join("/")))
}

fn target() -> impl Strategy<Value = String> {
    prop_oneof![
        path(),
        prop::sample::select(vec!["a", "../b", "c/a", "/", ""]).prop_map(str::to_owned)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        path().prop_map(Op::MkdirAll),
        (path(), any::<u8>(), 0u32..3).prop_map(|(p, b, n)| Op::Write(p, b, n)),
        (path(), 0u64..3).prop_map(|(p, s)| Op::Synthetic(p, s)),
        (path(), target()).prop_map(|(p, t)| Op::Symlink(p, t)),
        (path(), path()).prop_map(|(a, b)| Op::HardLink(a, b)),
        path().prop_map(Op::RemoveAll),
        (path(), path()).prop_map(|(a, b)| Op::Rename(a, b)),
        (path(), prop::sample::select(vec![0o644u32, 0o755, 0o4700]))
            .prop_map(|(p, m)| Op::Chmod(p, m)),
        (path(), 0u32..2).prop_map(|(p, u)| Op::Chown(p, u)),
    ]
}

fn run(fs: &mut Fs, ops: &[Op]) {
    for op in ops {
        // Failures (missing parents, loops, …) are expected; panics are not.
        let _ = match op {
            Op::MkdirAll(p) => fs.create_dir_all(p, &Metadata::dir()),
            Op::Write(p, b, n) => fs.write_file(p, vec![*b; *n as usize], Metadata::file()),
            Op::Synthetic(p, s) => fs.write_file(p, Content::synthetic(100, *s), Metadata::file()),
            Op::Symlink(p, t) => fs.symlink(p, t, Metadata::symlink()),
            Op::HardLink(a, b) => fs.hard_link(a, b),
            Op::RemoveAll(p) => fs.remove_all(p),
            Op::Rename(a, b) => fs.rename(a, b),
            Op::Chmod(p, m) => fs.update_metadata(p, |meta| meta.mode = *m),
            Op::Chown(p, u) => fs.update_metadata(p, |meta| meta.uid = *u),
        };
    }
}

proptest! {
    #[test]
    fn diff_then_apply_gives_the_target(
        base in prop::collection::vec(op(), 0..25),
        more in prop::collection::vec(op(), 0..25),
    ) {
        let mut a = Fs::new();
        run(&mut a, &base);
        let mut b = a.snapshot();
        run(&mut b, &more);

        let layer = Layer::diff(&a, &b);
        let mut patched = a.snapshot();
        patched.apply(&layer).unwrap();
        prop_assert!(diff(&patched, &b).is_empty(), "{:?}", diff(&patched, &b));

        let stacked = Fs::from_layers([&Layer::full(&a), &layer]).unwrap();
        prop_assert!(stacked == b);

        // An unchanged snapshot diffs to nothing, and the diff is not empty when it differs.
        prop_assert!(diff(&a, &a.snapshot()).is_empty());
        prop_assert_eq!(layer.is_empty(), a == b);
    }
}
