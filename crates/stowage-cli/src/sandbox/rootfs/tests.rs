//! A tree written to disk, changed there as a RUN would, and read back: what the layer
//! captures. Unprivileged (`user.*` xattrs, no chown), on the temporary directory's
//! filesystem.

use std::os::unix::fs::MetadataExt as _;
use std::path::Path;

use stowage_vfs::{Entry, Fs, Layer, LayerEntry, Metadata};

use super::{IdMap, materialize, materialize_at, read_back, stamp};

const IDS: IdMap = IdMap { rootless: true };

fn xattrs_of(fs: &Fs, path: &str) -> Vec<(String, Vec<u8>)> {
    fs.lstat(path)
        .expect("exists")
        .meta()
        .xattrs
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn set_xattr(p: &Path, name: &str, value: &[u8]) {
    rustix::fs::lsetxattr(p, name, value, rustix::fs::XattrFlags::empty()).expect("setxattr");
}

fn ino(p: &Path) -> u64 {
    std::fs::symlink_metadata(p).expect("stat").ino()
}

fn image() -> Fs {
    let mut fs = Fs::new();
    fs.create_dir_all("/etc", &Metadata::dir()).expect("mkdir");
    let mut tagged = Metadata::new(0o644);
    tagged
        .xattrs
        .insert("user.origin".into(), b"image".to_vec());
    fs.write_file("/etc/kept", "kept\n", tagged).expect("write");
    fs.write_file("/etc/a", "a\n", Metadata::new(0o644))
        .expect("write");
    fs.hard_link("/etc/a", "/etc/b").expect("link");
    fs
}

#[test]
fn xattrs_and_hard_links_go_to_disk_and_come_back_into_the_layer() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("rootfs");
    std::fs::create_dir(&root).expect("mkdir");
    let old = image();
    let stubs = materialize(&old, &root, IDS, &[("/run/secrets/x".into(), false)], None)
        .expect("materialize");
    let stamps = stamp(&root, stubs).expect("stamps");
    // On disk as in the image: the xattr, one inode for both names, the mount stub.
    assert_eq!(
        super::read_xattrs(&root.join("etc/kept")).expect("xattrs"),
        [("user.origin".to_owned(), b"image".to_vec())].into()
    );
    assert_eq!(ino(&root.join("etc/a")), ino(&root.join("etc/b")));
    assert!(root.join("run/secrets/x").is_file());

    // What a RUN might do.
    std::fs::write(root.join("new"), "new\n").expect("write");
    set_xattr(&root.join("new"), "user.tag", b"v1");
    std::fs::hard_link(root.join("new"), root.join("etc/new-link")).expect("link");
    set_xattr(&root.join("etc/kept"), "user.added", b"2");

    let new = read_back(&old, &root, &stamps, IDS).expect("read back");
    assert_eq!(
        xattrs_of(&new, "/new"),
        [("user.tag".into(), b"v1".to_vec())]
    );
    assert_eq!(
        xattrs_of(&new, "/etc/kept"),
        [
            ("user.added".into(), b"2".to_vec()),
            ("user.origin".into(), b"image".to_vec())
        ]
    );
    let Ok(Entry::File {
        link: Some(group), ..
    }) = new.lstat("/new")
    else {
        panic!("/new is not hard-linked: {:?}", new.lstat("/new"));
    };
    assert_eq!(new.link_paths(group), ["/etc/new-link", "/new"]);

    // The layer: the changed and new files (one of the names as a hard link), the stub gone.
    let layer = Layer::diff(&old, &new);
    let kinds: Vec<(&str, &str)> = layer
        .entries
        .iter()
        .map(|(p, e)| {
            let kind = match e {
                LayerEntry::Dir(_) => "dir",
                LayerEntry::File(_) => "file",
                LayerEntry::Hardlink(_) => "hardlink",
                _ => "other",
            };
            (p.as_str(), kind)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("/etc", "dir"),
            ("/etc/kept", "file"),
            ("/etc/new-link", "file"),
            ("/new", "hardlink")
        ]
    );
    match layer.entries.get("/etc/kept") {
        Some(LayerEntry::File(f)) => assert_eq!(f.meta.xattrs.len(), 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_bind_source_is_written_as_a_directory_or_a_single_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fs = image();
    materialize_at(&fs, "/etc", &tmp.path().join("dir"), IDS).expect("dir");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("dir/kept")).expect("kept"),
        "kept\n"
    );
    assert_eq!(
        ino(&tmp.path().join("dir/a")),
        ino(&tmp.path().join("dir/b"))
    );
    materialize_at(&fs, "/etc/kept", &tmp.path().join("file"), IDS).expect("file");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("file")).expect("file"),
        "kept\n"
    );
}

/// A context file as the build context scan records it.
fn context_file(p: &Path) -> stowage_vfs::Content {
    let m = std::fs::symlink_metadata(p).expect("stat");
    stowage_store::FileRange::file(p.to_owned(), m.len(), crate::build_cmd::identity_of(&m))
}

#[test]
fn context_files_become_overlay_stubs_unless_they_changed_since_the_scan() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(ctx.join("sub")).expect("mkdir");
    std::fs::write(ctx.join("sub/same.txt"), "same bytes\n").expect("write");
    std::fs::write(ctx.join("changed.txt"), "old bytes\n").expect("write");
    let mut fs = Fs::new();
    fs.create_dir_all("/app/sub", &Metadata::dir())
        .expect("mkdir");
    fs.write_file(
        "/app/sub/same.txt",
        context_file(&ctx.join("sub/same.txt")),
        Metadata::new(0o640),
    )
    .expect("write");
    fs.write_file(
        "/app/changed.txt",
        context_file(&ctx.join("changed.txt")),
        Metadata::new(0o644),
    )
    .expect("write");
    std::fs::write(ctx.join("linked.txt"), "linked bytes\n").expect("write");
    fs.write_file(
        "/app/linked.txt",
        context_file(&ctx.join("linked.txt")),
        Metadata::new(0o644),
    )
    .expect("write");
    fs.hard_link("/app/linked.txt", "/app/also-linked.txt")
        .expect("link");
    // Same length, new bytes: only the file's identity tells.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(ctx.join("changed.txt"), "new bytes\n").expect("rewrite");

    let root = tmp.path().join("lower");
    std::fs::create_dir(&root).expect("mkdir");
    materialize(&fs, &root, IDS, &[], Some(&ctx)).expect("materialize");

    let redirect = |p: &str| {
        let mut value = [0_u8; 256];
        rustix::fs::lgetxattr(root.join(p), "trusted.overlay.redirect", &mut value[..])
            .ok()
            .map(|n| String::from_utf8_lossy(&value[..n]).into_owned())
    };
    let same = std::fs::symlink_metadata(root.join("app/sub/same.txt")).expect("stub");
    assert_eq!(same.len(), 11, "the stub has the file's size");
    assert_eq!(same.mode() & 0o7777, 0o640, "and the image's metadata");
    if nix::unistd::geteuid().is_root() {
        assert_eq!(
            std::fs::read(root.join("app/sub/same.txt")).expect("stub"),
            [0; 11],
            "but not its bytes (a hole)"
        );
        assert_eq!(
            redirect("app/sub/same.txt").as_deref(),
            Some("/sub/same.txt")
        );
    } else {
        // `trusted.*` needs root: the file is written whole.
        assert_eq!(redirect("app/sub/same.txt"), None);
        assert_eq!(
            std::fs::read_to_string(root.join("app/sub/same.txt")).expect("whole"),
            "same bytes\n"
        );
    }
    assert_eq!(
        redirect("app/changed.txt"),
        None,
        "a changed file is copied"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("app/changed.txt")).expect("copied"),
        "new bytes\n"
    );
    // A hard-linked file is written whole (a stub's redirect is one name's).
    let linked = std::fs::read_to_string(root.join("app/linked.txt")).expect("linked");
    assert_eq!(linked, "linked bytes\n");
    assert_eq!(redirect("app/linked.txt"), None);
}

/// What [`super::graft::plan`] puts in the tree, by path: `M` a directory (`M>redirect`,
/// `M*` opaque), `W` a whiteout, `N` a node written whole.
fn planned(fs: &Fs, context: &Path, kept: &[&str]) -> Option<Vec<String>> {
    planned_with(fs, context, &crate::host_tree::HostTree::default(), kept)
}

/// [`planned`] with the host as `host` saw it.
fn planned_with(
    fs: &Fs,
    context: &Path,
    host: &crate::host_tree::HostTree,
    kept: &[&str],
) -> Option<Vec<String>> {
    let plan = super::graft::plan(fs, context, host, kept).expect("plan")?;
    Some(
        plan.iter()
            .map(|(path, lower)| match lower {
                super::Lower::Marked {
                    redirect, opaque, ..
                } => format!(
                    "M{}{} {path}",
                    redirect
                        .as_ref()
                        .map(|r| format!(">{r}"))
                        .unwrap_or_default(),
                    if *opaque { "*" } else { "" }
                ),
                super::Lower::Whiteout => format!("W {path}"),
                super::Lower::Node(_) => format!("N {path}"),
            })
            .collect(),
    )
}

/// The image's metadata for the host node at `p` (so it is "the same").
fn meta_of(p: &Path) -> Metadata {
    let m = std::fs::symlink_metadata(p).expect("stat");
    Metadata::new(m.mode() & 0o7777)
        .with_owner(m.uid(), m.gid())
        .with_mtime(m.mtime())
}

#[test]
fn a_copied_context_is_the_layer_below_with_only_its_differences_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let parent = tmp.path().join("parent");
    let ctx = parent.join("ctx");
    for d in ["src/deep", "bin"] {
        std::fs::create_dir_all(ctx.join(d)).expect("mkdir");
    }
    std::fs::create_dir_all(parent.join("other")).expect("mkdir");
    for (f, text) in [
        ("top.txt", "top\n"),
        ("ignored.log", "not sent\n"),
        ("src/a.txt", "a\n"),
        ("src/b.txt", "b\n"),
        ("src/deep/c.txt", "c\n"),
        ("bin/tool", "tool\n"),
    ] {
        std::fs::write(ctx.join(f), text).expect("write");
    }
    let mut fs = Fs::new();
    // `COPY . /app` (less the ignored file) into a directory of the build's time, and
    // `bin/` copied to `/usr/bin` (its own origin, redirected to).
    fs.create_dir("/app", Metadata::dir().with_mtime(5))
        .expect("mkdir");
    for d in ["src", "src/deep"] {
        fs.create_dir(&format!("/app/{d}"), meta_of(&ctx.join(d)))
            .expect("mkdir");
    }
    for f in ["top.txt", "src/a.txt", "src/b.txt", "src/deep/c.txt"] {
        let mut meta = meta_of(&ctx.join(f));
        if f == "src/b.txt" {
            // `--chmod`: no longer the host file.
            meta.mode = 0o600;
        }
        fs.write_file(&format!("/app/{f}"), context_file(&ctx.join(f)), meta)
            .expect("write");
    }
    fs.create_dir_all("/usr/bin", &Metadata::dir())
        .expect("mkdir");
    fs.write_file(
        "/usr/bin/tool",
        context_file(&ctx.join("bin/tool")),
        meta_of(&ctx.join("bin/tool")),
    )
    .expect("write");
    fs.create_dir("/etc", Metadata::dir()).expect("mkdir");
    fs.write_file("/etc/hostname", "box\n", Metadata::new(0o644))
        .expect("write");
    // `/other` in the image too: the parent's `other/` is unrelated, so hidden.
    fs.create_dir("/other", Metadata::dir()).expect("mkdir");

    let plan = planned(&fs, &ctx, &[]).expect("worth grafting");
    assert_eq!(
        plan,
        [
            "M>/ctx /app",
            "M /app/src",
            "N /app/src/b.txt",
            "W /app/bin",
            "W /app/ignored.log",
            "M /etc",
            "N /etc/hostname",
            "M* /other",
            "M /usr",
            "M>/ctx/bin /usr/bin",
            "W /ctx",
        ],
        "{plan:#?}"
    );
    // The same from what the context scan saw (no listing then), the parent's listing
    // taken now; and a node with extended attributes is not the image's.
    let mut scanned = crate::build_cmd::read_context(&ctx, &[]).expect("scan");
    scanned.host.find_xattrs();
    assert_eq!(
        planned_with(&fs, &ctx, &scanned.host, &[]).expect("worth grafting"),
        plan
    );
    if rustix::fs::setxattr(
        ctx.join("top.txt"),
        "user.stowage-test",
        b"1",
        rustix::fs::XattrFlags::empty(),
    )
    .is_ok()
    {
        // The COPY took the file as it is now (setting the attribute changed its ctime).
        let mut fs = fs.clone();
        let top = ctx.join("top.txt");
        fs.write_file("/app/top.txt", context_file(&top), meta_of(&top))
            .expect("write");
        let mut rescanned = crate::build_cmd::read_context(&ctx, &[]).expect("scan");
        rescanned.host.find_xattrs();
        let with_xattr = planned_with(&fs, &ctx, &rescanned.host, &[]).expect("worth it");
        assert!(
            with_xattr.contains(&"N /app/top.txt".to_owned()),
            "{with_xattr:#?}"
        );
        rustix::fs::removexattr(ctx.join("top.txt"), "user.stowage-test").expect("removexattr");
    }
    // A mount point keeps its directories in the tree.
    let kept = planned(&fs, &ctx, &["/app/src/deep/cache"]).expect("worth grafting");
    assert!(kept.contains(&"M /app/src/deep".to_owned()), "{kept:#?}");

    // A file changed since the scan is no longer the image's: written whole. Once most of
    // the context's bytes would be, grafting is not worth it.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(ctx.join("src/a.txt"), "A\n").expect("rewrite");
    let changed = planned(&fs, &ctx, &[]).expect("still worth it");
    assert!(
        changed.contains(&"N /app/src/a.txt".to_owned()),
        "{changed:#?}"
    );
    let big = vec![b'x'; 17 << 20];
    std::fs::write(ctx.join("big.bin"), &big).expect("write");
    fs.write_file(
        "/app/big.bin",
        context_file(&ctx.join("big.bin")),
        Metadata::new(0o600),
    )
    .expect("write");
    assert_eq!(planned(&fs, &ctx, &[]), None);
}
