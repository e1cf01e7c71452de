use std::fmt::Write as _;

use super::*;

fn listing(fs: &Fs) -> String {
    let mut out = String::new();
    for (path, entry) in fs.walk() {
        let m = entry.meta();
        let what = match entry {
            Entry::File { file, link } => format!(
                "file {}{}",
                file.content.len(),
                if link.is_some() { " (linked)" } else { "" }
            ),
            Entry::Dir(_) => "dir".to_owned(),
            Entry::Symlink(s) => format!("-> {}", s.target),
        };
        writeln!(out, "{path} {:o} {}:{} {what}", m.mode, m.uid, m.gid).unwrap();
    }
    out
}

fn sample() -> Fs {
    let mut fs = Fs::new();
    fs.create_dir_all("/etc/app", &Metadata::dir()).unwrap();
    fs.write_file("/etc/app/conf", "x=1", Metadata::file())
        .unwrap();
    fs.create_dir("/bin", Metadata::dir()).unwrap();
    fs.write_file("/bin/sh", Content::synthetic(1000, 1), Metadata::new(0o755))
        .unwrap();
    fs.symlink("/etc/link", "app", Metadata::symlink()).unwrap();
    fs
}

#[test]
fn walk_lists_depth_first_with_sorted_names() {
    let fs = sample();
    assert_eq!(
        listing(&fs),
        "/bin 755 0:0 dir\n/bin/sh 755 0:0 file 1000\n/etc 755 0:0 dir\n/etc/app 755 0:0 dir\n\
         /etc/app/conf 644 0:0 file 3\n/etc/link 777 0:0 -> app\n"
    );
    assert_eq!(fs.len(), 6);
    assert_eq!(fs.total_size(), 1003);
}

#[test]
fn resolution_never_leaves_the_root() {
    let mut fs = sample();
    fs.symlink("/up", "../../../../etc", Metadata::symlink())
        .unwrap();
    fs.symlink("/abs", "/etc/app/../../../..", Metadata::symlink())
        .unwrap();
    fs.create_dir("/d", Metadata::dir()).unwrap();
    fs.symlink("/d/rel", "../etc/link", Metadata::symlink())
        .unwrap();
    assert_eq!(fs.resolve("/up/app/conf").unwrap(), "/etc/app/conf");
    assert_eq!(fs.resolve("../../..").unwrap(), "/");
    assert_eq!(fs.resolve("/abs").unwrap(), "/");
    assert_eq!(fs.resolve("/d/rel/conf").unwrap(), "/etc/app/conf");
    assert_eq!(fs.read("/d/rel/conf").unwrap(), &Content::from("x=1"));
    // Writing through a symlinked parent stays inside.
    fs.write_file("/up/passwd", "root", Metadata::file())
        .unwrap();
    assert!(fs.get("/etc/passwd").is_some());
    // lstat does not follow the final symlink; stat does.
    assert_eq!(fs.lstat("/etc/link").unwrap().kind(), Kind::Symlink);
    assert_eq!(fs.stat("/etc/link").unwrap().kind(), Kind::Dir);
}

#[test]
fn symlink_loops_and_bad_parents_are_errors() {
    let mut fs = Fs::new();
    fs.symlink("/a", "b", Metadata::symlink()).unwrap();
    fs.symlink("/b", "a", Metadata::symlink()).unwrap();
    assert_eq!(fs.resolve("/a"), Err(VfsError::SymlinkLoop("/a".into())));
    assert!(fs.get("/a").is_some(), "lstat of a looping link works");
    fs.write_file("/f", "", Metadata::file()).unwrap();
    assert_eq!(
        fs.write_file("/f/x", "", Metadata::file()),
        Err(VfsError::NotADirectory("/f".into()))
    );
    assert_eq!(
        fs.write_file("/missing/x", "", Metadata::file()),
        Err(VfsError::NotFound("/missing".into()))
    );
    assert_eq!(
        fs.create_dir("/f", Metadata::dir()),
        Err(VfsError::AlreadyExists("/f".into()))
    );
    assert_eq!(fs.remove_all("/"), Err(VfsError::Root));
    assert!(matches!(
        fs.write_file("/nul\0", "", Metadata::file()),
        Err(VfsError::InvalidPath(..))
    ));
}

#[test]
fn hard_links_share_content_and_metadata() {
    let mut fs = sample();
    fs.hard_link("/etc/app/conf", "/bin/conf").unwrap();
    fs.write_file("/bin/conf", "x=2", Metadata::file()).unwrap();
    assert_eq!(fs.read("/etc/app/conf").unwrap(), &Content::from("x=2"));
    fs.update_metadata("/etc/app/conf", |m| m.uid = 7).unwrap();
    assert_eq!(fs.lstat("/bin/conf").unwrap().meta().uid, 7);
    let Entry::File {
        link: Some(ino), ..
    } = fs.lstat("/bin/conf").unwrap()
    else {
        panic!("linked")
    };
    assert_eq!(fs.link_paths(ino), ["/bin/conf", "/etc/app/conf"]);
    // Renaming a directory re-points the names; removing one keeps the other.
    fs.rename("/etc", "/etc2").unwrap();
    assert_eq!(fs.link_paths(ino), ["/bin/conf", "/etc2/app/conf"]);
    fs.remove("/bin/conf").unwrap();
    assert_eq!(fs.link_paths(ino), ["/etc2/app/conf"]);
    assert_eq!(fs.read("/etc2/app/conf").unwrap(), &Content::from("x=2"));
    assert_eq!(
        fs.hard_link("/etc2", "/x"),
        Err(VfsError::NotAFile("/etc2".into()))
    );
    assert_eq!(fs.total_size(), 1003);
    // Renaming one name of a file onto another name of it does nothing (rename(2)).
    fs.hard_link("/etc2/app/conf", "/c").unwrap();
    fs.rename("/c", "/etc2/app/conf").unwrap();
    assert_eq!(fs.link_paths(ino), ["/c", "/etc2/app/conf"]);
    fs.remove("/c").unwrap();
    assert_eq!(fs.read("/etc2/app/conf").unwrap(), &Content::from("x=2"));
}

#[test]
fn rename_follows_posix_rules() {
    let mut fs = sample();
    assert!(matches!(
        fs.rename("/etc", "/etc/app/x"),
        Err(VfsError::IntoItself { .. })
    ));
    assert_eq!(
        fs.rename("/bin/sh", "/etc"),
        Err(VfsError::IsADirectory("/etc".into()))
    );
    assert_eq!(
        fs.rename("/bin", "/etc"),
        Err(VfsError::NotEmpty("/etc".into()))
    );
    fs.rename("/bin/sh", "/etc/app/conf").unwrap();
    assert_eq!(fs.read("/etc/app/conf").unwrap().len(), 1000);
    assert!(fs.get("/bin/sh").is_none());
}

#[test]
fn snapshots_are_independent() {
    let fs = sample();
    let mut later = fs.snapshot();
    later
        .write_file("/etc/app/conf", "x=2", Metadata::file())
        .unwrap();
    later.remove_all("/bin").unwrap();
    assert_eq!(fs.read("/etc/app/conf").unwrap(), &Content::from("x=1"));
    assert!(fs.get("/bin/sh").is_some());
    assert_ne!(fs, later);
    assert_eq!(fs, sample());
}

#[test]
fn diff_reports_reasons_and_skips_shared_subtrees() {
    let old = sample();
    let mut new = old.snapshot();
    new.write_file("/etc/app/conf", "x=2", Metadata::file())
        .unwrap();
    new.update_metadata("/bin/sh", |m| {
        m.mode = 0o700;
        m.uid = 1;
        m.xattrs.insert("user.a".into(), b"1".to_vec());
    })
    .unwrap();
    new.remove("/etc/link").unwrap();
    new.symlink("/etc/link", "elsewhere", Metadata::symlink())
        .unwrap();
    new.create_dir_all("/srv/www", &Metadata::dir()).unwrap();
    new.remove_all("/bin").unwrap();
    new.write_file("/bin", "now a file", Metadata::file())
        .unwrap();
    let changes: Vec<String> = diff(&old, &new).iter().map(ToString::to_string).collect();
    assert_eq!(
        changes,
        [
            "M /bin (type)",
            "M /etc/app/conf (content)",
            "M /etc/link (target)",
            "A /srv",
            "A /srv/www",
        ]
    );
    let mut meta_only = old.snapshot();
    meta_only
        .update_metadata("/bin/sh", |m| {
            m.mode = 0o700;
            m.gid = 1;
            m.mtime = 5;
        })
        .unwrap();
    assert_eq!(
        diff(&old, &meta_only)[0].to_string(),
        "M /bin/sh (mode, owner, mtime)"
    );
    assert!(diff(&old, &old.snapshot()).is_empty());
}

#[test]
fn layer_diff_writes_whiteouts_parents_and_hard_links() {
    let old = sample();
    let mut new = old.snapshot();
    new.remove_all("/etc/app").unwrap();
    new.create_dir_all("/usr/lib", &Metadata::dir()).unwrap();
    new.write_file("/usr/lib/a", "aaa", Metadata::file())
        .unwrap();
    new.hard_link("/usr/lib/a", "/usr/lib/b").unwrap();
    new.hard_link("/bin/sh", "/bin/ash").unwrap();
    let layer = Layer::diff(&old, &new);
    let ordered: Vec<String> = layer
        .ordered()
        .iter()
        .map(|(p, e)| {
            let what = match e {
                LayerEntry::Dir(_) => "dir".to_owned(),
                LayerEntry::File(f) => format!("file {}", f.content.len()),
                LayerEntry::Symlink(s) => format!("-> {}", s.target),
                LayerEntry::Hardlink(t) => format!("link {t}"),
                LayerEntry::Whiteout => "whiteout".to_owned(),
            };
            format!("{p} {what}")
        })
        .collect();
    assert_eq!(
        ordered,
        [
            "/bin dir",
            "/bin/ash file 1000",
            "/bin/sh link /bin/ash",
            "/etc dir",
            "/etc/app whiteout",
            "/usr dir",
            "/usr/lib dir",
            "/usr/lib/a file 3",
            "/usr/lib/b link /usr/lib/a",
        ]
    );
    assert_eq!(layer.size(), 1003);
    let mut applied = old.snapshot();
    applied.apply(&layer).unwrap();
    assert_eq!(applied, new);
}

#[test]
fn union_follows_overlay_rules() {
    let mut lower = Layer::new();
    lower.insert("/a", LayerEntry::Dir(Metadata::dir()));
    lower.insert("/a/old", LayerEntry::File(file("old")));
    lower.insert("/a/keep", LayerEntry::File(file("keep")));
    lower.insert("/b/gone", LayerEntry::File(file("gone")));
    lower.insert("/c", LayerEntry::Dir(Metadata::dir()));
    lower.insert("/c/x", LayerEntry::File(file("x")));

    let mut upper = Layer::new();
    // Opaque: /c's lower contents vanish, its own new entries stay.
    upper.opaque.insert("/c".into());
    upper.insert("/c/y", LayerEntry::File(file("y")));
    // A whiteout applies to the lower layers only, even if listed after a same-layer entry.
    upper.insert("/a/old", LayerEntry::Whiteout);
    upper.insert("/b", LayerEntry::Whiteout);
    upper.insert("/b/new", LayerEntry::File(file("new")));
    // Deleting something that never existed is fine.
    upper.insert("/nothing", LayerEntry::Whiteout);

    let fs = Fs::from_layers([&lower, &upper]).unwrap();
    assert_eq!(
        listing(&fs),
        "/a 755 0:0 dir\n/a/keep 644 0:0 file 4\n/b 755 0:0 dir\n/b/new 644 0:0 file 3\n\
         /c 755 0:0 dir\n/c/y 644 0:0 file 1\n"
    );
}

#[test]
fn layer_entries_below_symlinks_stay_inside_the_root() {
    let mut lower = Layer::new();
    lower.insert(
        "/escape",
        LayerEntry::Symlink(Symlink {
            meta: Metadata::symlink(),
            target: "../../../../tmp".into(),
        }),
    );
    let mut upper = Layer::new();
    upper.insert("/escape/pwned", LayerEntry::File(file("x")));
    let fs = Fs::from_layers([&lower, &upper]).unwrap();
    assert_eq!(fs.read("/tmp/pwned").unwrap(), &Content::from("x"));
    let mut bad = Layer::new();
    bad.insert("/l", LayerEntry::Hardlink("/nope".into()));
    assert_eq!(
        Fs::from_layers([&bad]),
        Err(VfsError::NotFound("/nope".into()))
    );
}

fn file(s: &str) -> File {
    File {
        meta: Metadata::file(),
        content: Content::from(s),
    }
}

/// Copies `src`'s `/` into `to` one node at a time, in walk order (what a COPY did before
/// [`Fs::copy_children`]).
fn copy_one_by_one(dst: &mut Fs, to: &str, src: &Fs, meta: &dyn Fn(&Metadata) -> Metadata) {
    for (path, entry) in src.walk() {
        let at = format!("{}{path}", to.trim_end_matches('/'));
        let m = meta(entry.meta());
        match entry {
            Entry::Dir(_) => match dst.lstat(&at) {
                Ok(e) if e.kind() == Kind::Dir => dst.set_metadata(&at, m).unwrap(),
                Ok(_) => {
                    dst.remove_all(&at).unwrap();
                    dst.create_dir(&at, m).unwrap();
                }
                Err(_) => dst.create_dir(&at, m).unwrap(),
            },
            Entry::File { file, .. } => {
                if dst.lstat(&at).is_ok_and(|e| e.kind() != Kind::File) {
                    dst.remove_all(&at).unwrap();
                }
                dst.write_file(&at, file.content.clone(), m).unwrap();
            }
            Entry::Symlink(s) => {
                if dst.lstat(&at).is_ok() {
                    dst.remove_all(&at).unwrap();
                }
                dst.symlink(&at, &s.target, m).unwrap();
            }
        }
    }
}

#[test]
fn copying_a_subtree_at_once_is_copying_it_node_by_node() {
    let mut src = Fs::new();
    src.create_dir_all("/etc/app/deep", &Metadata::dir().with_mtime(7))
        .unwrap();
    src.write_file("/etc/app/conf", "new", Metadata::new(0o600))
        .unwrap();
    src.write_file("/etc/shared", "over a hard link", Metadata::file())
        .unwrap();
    src.write_file("/etc/link", "a file where a symlink was", Metadata::file())
        .unwrap();
    src.create_dir("/bin", Metadata::new(0o700)).unwrap();
    src.symlink("/bin/sh", "busybox", Metadata::symlink())
        .unwrap();
    src.write_file("/top", "a file where a directory was", Metadata::file())
        .unwrap();
    let mut dst = sample();
    dst.write_file("/etc/other", "kept", Metadata::file())
        .unwrap();
    dst.hard_link("/etc/other", "/etc/shared").unwrap();
    dst.create_dir_all("/app/top/inner", &Metadata::dir())
        .unwrap();
    // The destination through a symlink: files land where it points.
    dst.symlink("/srv", "app", Metadata::symlink()).unwrap();
    let chown = |m: &Metadata| m.clone().with_owner(10, 20);
    for (to, meta) in [
        ("/app", &chown as &dyn Fn(&Metadata) -> Metadata),
        ("/srv", &Metadata::clone),
        ("/", &chown),
    ] {
        let mut one = dst.clone();
        copy_one_by_one(&mut one, to, &src, meta);
        let mut all = dst.clone();
        let n = all.copy_children(to, &src, "/", meta).expect("directories");
        assert_eq!(n, src.walk().count(), "{to}");
        assert_eq!(listing(&all), listing(&one), "{to}");
        assert!(diff(&one, &all).is_empty(), "{to}");
        assert_eq!(
            all.link_paths(all.inodes.keys().copied().next().expect("linked")),
            one.link_paths(one.inodes.keys().copied().next().expect("linked")),
            "{to}"
        );
    }
    // Not a directory, or hard links in the source: left to the caller.
    let mut fs = dst.clone();
    assert_eq!(
        fs.copy_children("/etc/app/conf", &src, "/", &Metadata::clone),
        None
    );
    assert_eq!(fs.copy_children("/", &dst, "/", &Metadata::clone), None);
    assert!(diff(&fs, &dst).is_empty());
}
