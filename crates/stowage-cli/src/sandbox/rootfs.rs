//! A stage's root filesystem on disk and back: [`materialize`] writes a `stowage_vfs::Fs`
//! to a directory; after the command ran, the new `Fs` comes from one of two places:
//!
//! - an overlay's upper directory ([`read_upper`]), when the command ran on an overlay
//!   mount over the written tree: only what it changed is there (whiteouts for deletions,
//!   opaque directories for replaced ones), so the cost is that of the changes;
//! - the tree itself ([`read_back`]), when overlayfs cannot be mounted: every node is
//!   compared with its [`stamp`] (inode and ctime: any write, chmod, chown, rename or utime
//!   changes the ctime), so unchanged files are never re-read.
//!
//! The engine then diffs old and new trees into the RUN's layer (deletions become
//! whiteouts).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use nix::sys::stat::{UtimensatFlags, utimensat};
use nix::sys::time::TimeSpec;
use stowage_vfs::{Entry, Fs, Kind, Metadata};

/// Paths whose contents belong to the sandbox, never to a layer (mounted over during the
/// run): whatever the image had there stays as it was.
pub(crate) const SANDBOX_PATHS: &[&str] =
    &["/proc", "/sys", "/dev", "/etc/resolv.conf", "/etc/hosts"];

/// What a node looked like right after it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    ino: u64,
    ctime: i64,
    ctime_nsec: i64,
}

impl Stamp {
    fn of(m: &fs::Metadata) -> Self {
        Self {
            ino: m.ino(),
            ctime: m.ctime(),
            ctime_nsec: m.ctime_nsec(),
        }
    }
}

/// The stamps of a materialized tree, and the stubs created for the sandbox's mounts.
#[derive(Debug, Default)]
pub(crate) struct Stamps {
    nodes: HashMap<String, Stamp>,
    /// Directories and files created only as mount points (absent from the image).
    stubs: BTreeSet<String>,
}

/// How ids on disk relate to ids in the image.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IdMap {
    /// Rootless: only the invoking user is mapped (to root); ownership is not written to
    /// disk and new files belong to root in the layer.
    pub(crate) rootless: bool,
}

fn host(root: &Path, path: &str) -> PathBuf {
    root.join(path.trim_start_matches('/'))
}

fn set_times(p: &Path, mtime: i64) -> Result<()> {
    let t = TimeSpec::new(mtime, 0);
    utimensat(
        nix::fcntl::AT_FDCWD,
        p,
        &t,
        &t,
        UtimensatFlags::NoFollowSymlink,
    )
    .with_context(|| format!("setting times of {}", p.display()))
}

/// Extended attributes that describe the host, not the image: `security.selinux` labels,
/// and overlayfs's bookkeeping in its upper directory (`trusted.overlay.*`, or
/// `user.overlay.*` when mounted in a user namespace).
fn host_only(name: &str) -> bool {
    name == "security.selinux"
        || name.starts_with("trusted.overlay.")
        || name.starts_with("user.overlay.")
}

/// Writes `meta`'s extended attributes to `p` (after its owner: a chown clears
/// `security.capability`). Best effort: a filesystem or a user namespace may refuse some
/// (`user.*` on symbolic links, `trusted.*` without root); the image keeps them anyway
/// unless the RUN rewrites that file.
fn set_xattrs(p: &Path, meta: &Metadata) {
    for (name, value) in &meta.xattrs {
        let _ = rustix::fs::lsetxattr(p, name.as_str(), value, rustix::fs::XattrFlags::empty());
    }
}

/// The extended attributes of `p` itself (symbolic links not followed).
fn read_xattrs(p: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let context = || format!("reading the xattrs of {}", p.display());
    let mut out = BTreeMap::new();
    let size = match rustix::fs::llistxattr_query(p) {
        // None, or a filesystem without extended attributes.
        Ok(0) | Err(rustix::io::Errno::OPNOTSUPP) => return Ok(out),
        Ok(n) => n,
        Err(e) => return Err(e).with_context(context),
    };
    let mut names = vec![0_u8; size];
    let len = rustix::fs::llistxattr(p, &mut names[..]).with_context(context)?;
    names.truncate(len);
    for name in names.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let Ok(text) = std::str::from_utf8(name) else {
            continue;
        };
        if host_only(text) {
            continue;
        }
        let size = rustix::fs::lgetxattr_query(p, text).with_context(context)?;
        let mut value = vec![0_u8; size];
        let len = rustix::fs::lgetxattr(p, text, &mut value[..]).with_context(context)?;
        value.truncate(len);
        out.insert(text.to_owned(), value);
    }
    Ok(out)
}

fn set_owner(p: &Path, meta: &Metadata, ids: IdMap) -> Result<()> {
    if !ids.rootless {
        std::os::unix::fs::lchown(p, Some(meta.uid), Some(meta.gid))
            .with_context(|| format!("chown {}", p.display()))?;
    }
    Ok(())
}

/// Writes a regular file at `p` (its parent exists) with `file`'s bytes and metadata, or,
/// when `data` is the root of a data-only layer holding those bytes, a stub for them.
fn write_file(p: &Path, file: &stowage_vfs::File, ids: IdMap, data: Option<&Path>) -> Result<()> {
    if let Some(redirect) = data.and_then(|root| data_redirect(file, root))
        && write_stub(p, file, &redirect, ids)?
    {
        return Ok(());
    }
    let mut f = fs::File::create(p).with_context(|| format!("writing {}", p.display()))?;
    file.content
        .write_to(&mut f)
        .with_context(|| format!("writing {}", p.display()))?;
    f.flush()?;
    finish_file(&f, p, &file.meta, ids)
}

/// Gives the open file `f` (at `p`) `meta`'s owner, mode, xattrs and times, in that order
/// (a chown clears `security.capability`), through the descriptor: no path lookups.
fn finish_file(f: &fs::File, p: &Path, meta: &Metadata, ids: IdMap) -> Result<()> {
    if !ids.rootless {
        std::os::unix::fs::fchown(f, Some(meta.uid), Some(meta.gid))
            .with_context(|| format!("chown {}", p.display()))?;
    }
    f.set_permissions(fs::Permissions::from_mode(meta.mode))
        .with_context(|| format!("chmod {}", p.display()))?;
    for (name, value) in &meta.xattrs {
        let _ = rustix::fs::fsetxattr(f, name.as_str(), value, rustix::fs::XattrFlags::empty());
    }
    let t = TimeSpec::new(meta.mtime, 0);
    nix::sys::stat::futimens(f, &t, &t).with_context(|| format!("setting times of {}", p.display()))
}

/// Where `file`'s bytes are in the data-only layer at `root` (`/` + the path below it):
/// when they are a whole file there that is still as the build context scan saw it (same
/// device, inode, size, modification and change times). A changed file is copied as before.
fn data_redirect(file: &stowage_vfs::File, root: &Path) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt as _;
    let host = file.content.host_file()?;
    let rel = host.strip_prefix(root).ok()?;
    let m = fs::symlink_metadata(host).ok()?;
    let unchanged = m.is_file()
        && m.len() == file.content.len()
        && file.content.host_identity() == Some(crate::build_cmd::identity_of(&m));
    unchanged.then(|| {
        let mut redirect = b"/".to_vec();
        redirect.extend_from_slice(rel.as_os_str().as_bytes());
        redirect
    })
}

/// Writes at `p` overlayfs's metadata-only file for bytes at `redirect` in the data-only
/// layer below: an empty file of the bytes' size (sparse: no data) marked
/// `trusted.overlay.metacopy` and `trusted.overlay.redirect`, with `file`'s metadata. The
/// merged view shows the metadata of the stub and the bytes of the data layer's file, and
/// a write copies the whole file up. `false` when the filesystem refuses the attributes
/// (the file is then written whole).
fn write_stub(p: &Path, file: &stowage_vfs::File, redirect: &[u8], ids: IdMap) -> Result<bool> {
    let f = fs::File::create(p).with_context(|| format!("writing {}", p.display()))?;
    f.set_len(file.content.len())
        .with_context(|| format!("writing {}", p.display()))?;
    let marks = [
        ("trusted.overlay.metacopy", &[][..]),
        ("trusted.overlay.redirect", redirect),
    ];
    for (name, value) in marks {
        if rustix::fs::fsetxattr(&f, name, value, rustix::fs::XattrFlags::empty()).is_err() {
            // Neither mark may stay on the whole file written in its place.
            for (name, _) in marks {
                let _ = rustix::fs::fremovexattr(&f, name);
            }
            return Ok(false);
        }
    }
    finish_file(&f, p, &file.meta, ids)?;
    Ok(true)
}

/// One node of a tree to write.
pub(crate) enum Lower<'a> {
    /// A node of the image.
    Node(Entry<'a>),
    /// A directory of the image marked for overlayfs (the tree is a lower layer over
    /// another): `redirect`, an absolute path in the layer below, is where it continues;
    /// `opaque` hides what the layer below has at its path.
    Marked {
        meta: &'a Metadata,
        redirect: Option<String>,
        opaque: bool,
    },
    /// overlayfs's whiteout (a character device 0/0): hides what the layer below has here.
    Whiteout,
}

/// Writes the nodes `entries` yields (absolute paths, parents first) under `dest`, with
/// `strip` taken off each path (`/` keeps them whole; the node at `strip` itself, when
/// yielded, becomes `dest`).
///
/// Every other regular file (not hard-linked) is written by a second thread: creating
/// 20,000 files is mostly kernel work that two cores share. Directories are made by this
/// thread before anything goes into them, and get their modes and times after both are done.
/// With `data` (the root of a data-only layer), files whose bytes are there become stubs
/// ([`write_stub`]).
fn write_tree<'a>(
    entries: impl Iterator<Item = (String, Lower<'a>)>,
    strip: &str,
    dest: &Path,
    ids: IdMap,
    data: Option<&Path>,
) -> Result<()> {
    let mut dirs: Vec<(PathBuf, Metadata)> = Vec::new();
    let mut linked: HashMap<stowage_vfs::Ino, PathBuf> = HashMap::new();
    let (tx, rx) = std::sync::mpsc::sync_channel::<(PathBuf, &'a stowage_vfs::File)>(1024);
    std::thread::scope(|scope| {
        let helper = scope.spawn(move || -> Result<()> {
            for (p, file) in rx {
                write_file(&p, file, ids, data)?;
            }
            Ok(())
        });
        let mut tx = Some(tx);
        let mut turn = false;
        let mine = (|| -> Result<()> {
            for (path, entry) in entries {
                let rel = if strip == "/" {
                    path.as_str()
                } else {
                    path.strip_prefix(strip).unwrap_or(&path)
                };
                let p = if rel.is_empty() {
                    dest.to_owned()
                } else {
                    host(dest, rel)
                };
                let entry = match entry {
                    Lower::Node(entry) => entry,
                    Lower::Marked {
                        meta,
                        redirect,
                        opaque,
                    } => {
                        fs::create_dir(&p).with_context(|| format!("creating {}", p.display()))?;
                        let marks = [
                            (
                                "trusted.overlay.redirect",
                                redirect.as_deref().map(str::as_bytes),
                            ),
                            ("trusted.overlay.opaque", opaque.then_some(&b"y"[..])),
                        ];
                        for (name, value) in marks {
                            if let Some(value) = value {
                                rustix::fs::lsetxattr(
                                    &p,
                                    name,
                                    value,
                                    rustix::fs::XattrFlags::empty(),
                                )
                                .with_context(|| format!("marking {}", p.display()))?;
                            }
                        }
                        dirs.push((p, meta.clone()));
                        continue;
                    }
                    Lower::Whiteout => {
                        nix::sys::stat::mknod(
                            &p,
                            nix::sys::stat::SFlag::S_IFCHR,
                            nix::sys::stat::Mode::empty(),
                            0,
                        )
                        .with_context(|| format!("whiteout {}", p.display()))?;
                        continue;
                    }
                };
                match entry {
                    Entry::Dir(meta) => {
                        fs::create_dir(&p).with_context(|| format!("creating {}", p.display()))?;
                        dirs.push((p, meta.clone()));
                    }
                    Entry::File { file, link: None } => {
                        turn = !turn;
                        match (&tx, turn) {
                            // A failed helper hung up: its error is reported below.
                            (Some(t), true) => {
                                if t.send((p, file)).is_err() {
                                    tx = None;
                                }
                            }
                            _ => write_file(&p, file, ids, data)?,
                        }
                    }
                    Entry::File {
                        file,
                        link: Some(ino),
                    } => {
                        if let Some(first) = linked.get(&ino) {
                            fs::hard_link(first, &p)
                                .with_context(|| format!("linking {}", p.display()))?;
                        } else {
                            // Hard links are written whole: a stub's name is its own.
                            write_file(&p, file, ids, None)?;
                            linked.insert(ino, p);
                        }
                    }
                    Entry::Symlink(l) => {
                        symlink(&l.target, &p)
                            .with_context(|| format!("symlink {}", p.display()))?;
                        set_owner(&p, &l.meta, ids)?;
                        set_xattrs(&p, &l.meta);
                        set_times(&p, l.meta.mtime)?;
                    }
                }
            }
            Ok(())
        })();
        drop(tx);
        let theirs = helper
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the file writer thread panicked")));
        mine.and(theirs)
    })?;
    // Directories last, deepest first: their times and modes after their contents.
    for (p, meta) in dirs.iter().rev() {
        set_owner(p, meta, ids)?;
        fs::set_permissions(p, fs::Permissions::from_mode(meta.mode))
            .with_context(|| format!("chmod {}", p.display()))?;
        set_xattrs(p, meta);
        set_times(p, meta.mtime)?;
    }
    Ok(())
}

/// Writes the node at `path` of `fs` (a directory with its contents, or a file) to `dest`
/// (which must not exist): the source of a bind mount.
pub(crate) fn materialize_at(fs: &Fs, path: &str, dest: &Path, ids: IdMap) -> Result<()> {
    let walk = fs
        .walk_from(path)
        .with_context(|| format!("bind mount source {path}"))?;
    if path == "/" {
        fs::create_dir(dest).with_context(|| format!("creating {}", dest.display()))?;
    }
    write_tree(
        walk.map(|(p, e)| (p, Lower::Node(e))),
        path,
        dest,
        ids,
        None,
    )
}

/// Creates the missing parts of a mount point (`dir`: a directory, else an empty file)
/// under `root`, recording what it created as stubs; refuses to go through symbolic links
/// (they could lead out of the root).
fn mount_point(root: &Path, path: &str, dir: bool, stubs: &mut BTreeSet<String>) -> Result<()> {
    let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    if comps.is_empty() {
        anyhow::bail!("cannot mount over /");
    }
    let mut cur = String::new();
    for (i, c) in comps.iter().enumerate() {
        cur.push('/');
        cur.push_str(c);
        let last = i + 1 == comps.len();
        let p = host(root, &cur);
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                anyhow::bail!("mount target {path}: {cur} is a symbolic link in the image")
            }
            Ok(m) if !last && !m.is_dir() => {
                anyhow::bail!("mount target {path}: {cur} is not a directory")
            }
            Ok(_) => {}
            Err(_) => {
                if last && !dir {
                    fs::write(&p, b"")
                } else {
                    fs::create_dir(&p)
                }
                .with_context(|| format!("creating mount point {}", p.display()))?;
                stubs.insert(cur.clone());
            }
        }
    }
    Ok(())
}

/// Writes `fs` under `root` (an empty directory), with the mount points of the sandbox and
/// `mounts` (`(path, is a directory)`) that the image lacks created as stubs; returns the
/// stubs. With `data`, the tree is the lower layer of an overlay whose data-only layer is
/// `data`, and files whose bytes are there are written as metadata only ([`write_stub`]).
pub(crate) fn materialize(
    fs: &Fs,
    root: &Path,
    ids: IdMap,
    mounts: &[(String, bool)],
    data: Option<&Path>,
) -> Result<BTreeSet<String>> {
    write_tree(
        fs.walk().map(|(p, e)| (p, Lower::Node(e))),
        "/",
        root,
        ids,
        data,
    )?;
    mount_stubs(fs, root, mounts)
}

/// Writes `fs` under `root` (an empty directory) as the upper of two lower layers, the
/// lower one the build context's parent directory: see [`graft`]. `None`, having written
/// nothing, when most of the context's bytes would have to be copied anyway.
pub(crate) fn materialize_grafted(
    fs: &Fs,
    root: &Path,
    ids: IdMap,
    mounts: &[(String, bool)],
    context: &Path,
    host: &crate::host_tree::HostTree,
) -> Result<Option<BTreeSet<String>>> {
    let kept: Vec<&str> = SANDBOX_MOUNT_POINTS
        .iter()
        .map(|(p, _)| *p)
        .chain(mounts.iter().map(|(p, _)| p.as_str()))
        .collect();
    let Some(plan) = graft::plan(fs, context, host, &kept)? else {
        return Ok(None);
    };
    write_tree(plan.into_iter(), "/", root, ids, None)?;
    mount_stubs(fs, root, mounts).map(Some)
}

/// The sandbox's mount points (`true`: a directory).
const SANDBOX_MOUNT_POINTS: &[(&str, bool)] = &[
    ("/proc", true),
    ("/sys", true),
    ("/dev", true),
    ("/etc", true),
    ("/etc/resolv.conf", false),
    ("/etc/hosts", false),
];

/// Creates under `root` the mount points of the sandbox and `mounts` that the image lacks;
/// returns them.
fn mount_stubs(fs: &Fs, root: &Path, mounts: &[(String, bool)]) -> Result<BTreeSet<String>> {
    let mut stubs = BTreeSet::new();
    // Mount points the image lacks.
    for &(path, dir) in SANDBOX_MOUNT_POINTS {
        let p = host(root, path);
        if fs.lstat(path).is_err() && fs::symlink_metadata(&p).is_err() {
            if dir {
                fs::create_dir(&p)
            } else {
                fs::write(&p, b"")
            }
            .with_context(|| format!("creating {}", p.display()))?;
            stubs.insert(path.to_owned());
        }
    }
    for (path, dir) in mounts {
        mount_point(root, path, *dir, &mut stubs)?;
    }
    Ok(stubs)
}

/// The stamps of the tree [`materialize`] wrote under `root` (taken once everything is in
/// place: creating a child changes its directory's ctime).
pub(crate) fn stamp(root: &Path, stubs: BTreeSet<String>) -> Result<Stamps> {
    let mut stamps = Stamps {
        nodes: HashMap::new(),
        stubs,
    };
    walk(root, "/", &mut |path, m| {
        stamps.nodes.insert(path.to_owned(), Stamp::of(m));
        Ok(())
    })?;
    Ok(stamps)
}

/// Gives the directory `to` the mode, owner and times of `from`.
pub(crate) fn copy_dir_attributes(from: &Path, to: &Path) -> Result<()> {
    let m = fs::symlink_metadata(from).with_context(|| format!("reading {}", from.display()))?;
    std::os::unix::fs::lchown(to, Some(m.uid()), Some(m.gid()))
        .with_context(|| format!("chown {}", to.display()))?;
    fs::set_permissions(to, fs::Permissions::from_mode(m.mode() & 0o7777))
        .with_context(|| format!("chmod {}", to.display()))?;
    set_times(to, m.mtime())
}

/// Visits every node under `dir` (not following symlinks), parents first, sorted.
fn walk(
    root: &Path,
    dir: &str,
    f: &mut dyn FnMut(&str, &fs::Metadata) -> Result<()>,
) -> Result<()> {
    let p = host(root, dir);
    let mut names: Vec<_> = fs::read_dir(&p)
        .with_context(|| format!("reading {}", p.display()))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    names.sort();
    for name in names {
        let Some(name) = name.to_str() else {
            anyhow::bail!("{}: a file name that is not UTF-8", p.display());
        };
        let path = if dir == "/" {
            format!("/{name}")
        } else {
            format!("{dir}/{name}")
        };
        let m = fs::symlink_metadata(host(root, &path))?;
        f(&path, &m)?;
        if m.is_dir() {
            walk(root, &path, f)?;
        }
    }
    Ok(())
}

fn is_sandbox_path(path: &str) -> bool {
    SANDBOX_PATHS
        .iter()
        .any(|s| path == *s || (path.starts_with(s) && path.as_bytes().get(s.len()) == Some(&b'/')))
}

/// The filesystem under `root` after the command, given the one materialized there.
pub(crate) fn read_back(old: &Fs, root: &Path, stamps: &Stamps, ids: IdMap) -> Result<Fs> {
    let mut new = old.clone();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut changes: Vec<(String, fs::Metadata)> = Vec::new();
    walk(root, "/", &mut |path, m| {
        if is_sandbox_path(path) {
            return Ok(());
        }
        if stamps.stubs.contains(path) && stamps.nodes.get(path) == Some(&Stamp::of(m)) {
            return Ok(());
        }
        seen.insert(path.to_owned());
        let unchanged = stamps.nodes.get(path) == Some(&Stamp::of(m))
            && old.lstat(path).is_ok_and(|e| kind_of(m) == Some(e.kind()));
        if !unchanged {
            changes.push((path.to_owned(), m.clone()));
        }
        Ok(())
    })?;
    // Deletions: every old node that is gone (parents first, so children go with them).
    let gone: Vec<String> = old
        .walk()
        .map(|(p, _)| p)
        .filter(|p| !is_sandbox_path(p) && !seen.contains(p))
        .collect();
    for p in gone {
        if new.lstat(&p).is_ok() {
            new.remove_all(&p)
                .with_context(|| format!("removing {p}"))?;
        }
    }
    let mut links = HashMap::new();
    for (path, m) in changes {
        apply_change(&mut new, root, &path, &m, ids, &mut links)?;
    }
    Ok(new)
}

/// The filesystem after the command, from the upper directory of the overlay it ran on
/// (mounted over the tree [`materialize`] wrote): new and changed nodes are there whole, a
/// deletion is a whiteout (a character device 0/0), and a directory that replaced one of
/// the tree's is opaque (`opaque_xattr` is `y`). A mount stub is there only when something
/// was made in it (`/etc` for a new `/etc/passwd`): it then enters the image, as when the
/// tree itself is compared.
pub(crate) fn read_upper(old: &Fs, upper: &Path, ids: IdMap, opaque_xattr: &str) -> Result<Fs> {
    let mut new = old.clone();
    let mut changes: Vec<(String, fs::Metadata)> = Vec::new();
    walk(upper, "/", &mut |path, m| {
        if !is_sandbox_path(path) {
            changes.push((path.to_owned(), m.clone()));
        }
        Ok(())
    })?;
    let mut links = HashMap::new();
    for (path, m) in changes {
        let whiteout = m.file_type().is_char_device() && m.rdev() == 0;
        let opaque = m.is_dir() && {
            let mut flag = [0_u8; 1];
            rustix::fs::lgetxattr(host(upper, &path), opaque_xattr, &mut flag[..])
                .is_ok_and(|n| n == 1 && flag[0] == b'y')
        };
        if (whiteout || opaque) && new.lstat(&path).is_ok() {
            new.remove_all(&path)
                .with_context(|| format!("removing {path}"))?;
        }
        if !whiteout {
            apply_change(&mut new, upper, &path, &m, ids, &mut links)?;
        }
    }
    Ok(new)
}

/// Puts the node at `path` under `root` (described by `m`) into `new` in place of what
/// was there. `links` maps the inodes of hard-linked files already read to their paths.
fn apply_change(
    new: &mut Fs,
    root: &Path,
    path: &str,
    m: &fs::Metadata,
    ids: IdMap,
    links: &mut HashMap<u64, String>,
) -> Result<()> {
    let hp = host(root, path);
    let (uid, gid) = if ids.rootless {
        (0, 0)
    } else {
        (m.uid(), m.gid())
    };
    let mut meta = Metadata::new(m.mode() & 0o7777)
        .with_owner(uid, gid)
        .with_mtime(m.mtime());
    if kind_of(m).is_some() {
        meta.xattrs = read_xattrs(&hp)?;
    }
    let old_kind = new.lstat(path).ok().map(|e| e.kind());
    match kind_of(m) {
        Some(Kind::Dir) => {
            if old_kind == Some(Kind::Dir) {
                // Its contents stay; mode, owner, time and xattrs come from disk.
                new.set_metadata(path, meta)?;
            } else {
                if old_kind.is_some() {
                    new.remove_all(path)?;
                }
                new.create_dir(path, meta)?;
            }
        }
        Some(Kind::File) => {
            if old_kind.is_some() {
                new.remove_all(path)?;
            }
            if m.nlink() > 1 {
                if let Some(first) = links.get(&m.ino()) {
                    new.hard_link(first, path)?;
                    return Ok(());
                }
                links.insert(m.ino(), path.to_owned());
            }
            let bytes = fs::read(&hp).with_context(|| format!("reading {}", hp.display()))?;
            new.write_file(path, bytes, meta)?;
        }
        Some(Kind::Symlink) => {
            if old_kind.is_some() {
                new.remove_all(path)?;
            }
            let target = fs::read_link(&hp)?;
            let Some(target) = target.to_str() else {
                anyhow::bail!("{path}: a symlink target that is not UTF-8");
            };
            new.symlink(path, target, meta)?;
        }
        None => {
            // Sockets, FIFOs and device nodes cannot go into a layer we write.
            if old_kind.is_some() {
                new.remove_all(path)?;
            }
        }
    }
    Ok(())
}

fn kind_of(m: &fs::Metadata) -> Option<Kind> {
    let t = m.file_type();
    if t.is_symlink() {
        Some(Kind::Symlink)
    } else if t.is_dir() {
        Some(Kind::Dir)
    } else if t.is_file() {
        Some(Kind::File)
    } else {
        None
    }
}

mod graft;
#[cfg(test)]
mod tests;
