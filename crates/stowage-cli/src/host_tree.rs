//! What the build context scan saw of the host: each directory's own `stat` and its sorted
//! listing, each entry with its `stat` and whether it has extended attributes. The RUN's
//! overlay planner (`sandbox::rootfs::graft`) reads it instead of listing and `stat`ing the
//! 20,000 files of a context again while the COPY's layer is being tarred.
//!
//! A file edited after the scan is not seen here; neither is it by the scan's checksums.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::thread::JoinHandle;

use stowage_vfs::{HostIdentity, Metadata};

/// What a host node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HostKind {
    Dir,
    File,
    /// A symlink, socket, FIFO or device.
    Other,
}

/// The part of a host node's `stat` the planner compares with the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HostStat {
    pub(crate) kind: HostKind,
    /// Permission bits (`0o7777`).
    pub(crate) mode: u32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) nlink: u64,
    pub(crate) size: u64,
    /// Whole seconds, as the image keeps them.
    pub(crate) mtime: i64,
    pub(crate) identity: HostIdentity,
    /// Whether the node has extended attributes (see [`has_xattrs`]).
    pub(crate) xattrs: bool,
}

impl HostStat {
    /// From `lstat`'s answer; `xattrs` is not known from it.
    pub(crate) fn of(m: &fs::Metadata, xattrs: bool) -> Self {
        let t = m.file_type();
        let kind = if t.is_dir() {
            HostKind::Dir
        } else if t.is_file() {
            HostKind::File
        } else {
            HostKind::Other
        };
        Self {
            kind,
            mode: m.mode() & 0o7777,
            uid: m.uid(),
            gid: m.gid(),
            nlink: m.nlink(),
            size: m.len(),
            mtime: m.mtime(),
            identity: identity_of(m),
            xattrs,
        }
    }

    /// Whether the node has the image's `meta`: owner, mode and mtime, and no extended
    /// attributes on either.
    pub(crate) fn same_meta(&self, meta: &Metadata) -> bool {
        self.uid == meta.uid
            && self.gid == meta.gid
            && self.mode == meta.mode
            && self.mtime == meta.mtime
            && meta.xattrs.is_empty()
            && !self.xattrs
    }
}

/// What identifies the file `m` describes without reading it (see [`HostIdentity`]).
pub(crate) fn identity_of(m: &fs::Metadata) -> HostIdentity {
    let nanos = |s: i64, ns: i64| s.saturating_mul(1_000_000_000).saturating_add(ns);
    HostIdentity {
        dev: m.dev(),
        inode: m.ino(),
        mtime_nanos: nanos(m.mtime(), m.mtime_nsec()),
        ctime_nanos: nanos(m.ctime(), m.ctime_nsec()),
    }
}

/// Whether the node at `p` has extended attributes (`false` where the filesystem keeps
/// none, or `p` is gone).
pub(crate) fn has_xattrs(p: &Path) -> bool {
    !matches!(
        rustix::fs::llistxattr_query(p),
        Ok(0) | Err(rustix::io::Errno::OPNOTSUPP | rustix::io::Errno::NOENT)
    )
}

/// A host directory: its own `stat` and its entries, sorted by name.
#[derive(Clone, Debug)]
pub(crate) struct HostDir {
    pub(crate) own: HostStat,
    pub(crate) entries: Vec<(Box<str>, HostStat)>,
}

impl HostDir {
    /// The index of the entry `name`.
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        self.entries.binary_search_by(|(n, _)| (**n).cmp(name)).ok()
    }

    /// Lists `dir` now, extended attributes included (a directory the scan did not see);
    /// `None` when an entry's name is not UTF-8.
    pub(crate) fn list(dir: &Path) -> io::Result<Option<Self>> {
        let own = HostStat::of(&fs::symlink_metadata(dir)?, has_xattrs(dir));
        let mut entries = Vec::new();
        for e in fs::read_dir(dir)? {
            let e = e?;
            let Ok(name) = e.file_name().into_string() else {
                return Ok(None);
            };
            // `DirEntry::metadata` stats relative to the open directory.
            let m = e.metadata()?;
            entries.push((
                name.into_boxed_str(),
                HostStat::of(&m, has_xattrs(&e.path())),
            ));
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(Some(Self { own, entries }))
    }
}

/// The host directories the scan listed, by path.
#[derive(Debug, Default)]
pub(crate) struct HostTree {
    dirs: HashMap<PathBuf, HostDir>,
}

impl HostTree {
    pub(crate) fn insert(&mut self, dir: PathBuf, listing: HostDir) {
        self.dirs.insert(dir, listing);
    }

    /// Adds `other`'s directories.
    pub(crate) fn extend(&mut self, other: Self) {
        self.dirs.extend(other.dirs);
    }

    pub(crate) fn get(&self, dir: &Path) -> Option<&HostDir> {
        self.dirs.get(dir)
    }

    /// Asks every listed node whether it has extended attributes (the scan's `stat`s do
    /// not say). With a working directory of its own, this thread asks from inside each
    /// directory: a one-name lookup per node instead of a walk of the whole path (there is
    /// no `listxattrat` without `unsafe`).
    pub(crate) fn find_xattrs(&mut self) {
        let own_cwd = nix::sched::unshare(nix::sched::CloneFlags::CLONE_FS).is_ok();
        let dirs: Vec<(&PathBuf, &mut HostDir)> = self.dirs.iter_mut().collect();
        for (path, listing) in dirs {
            let inside = own_cwd && nix::unistd::chdir(path.as_path()).is_ok();
            listing.own.xattrs = has_xattrs(&node_path(inside, path, "."));
            for (name, stat) in &mut listing.entries {
                stat.xattrs = has_xattrs(&node_path(inside, path, name));
            }
        }
    }
}

/// The path of `name` in `dir`: the name itself from inside it.
fn node_path<'a>(inside: bool, dir: &Path, name: &'a str) -> Cow<'a, Path> {
    if inside {
        Cow::Borrowed(Path::new(name))
    } else {
        Cow::Owned(dir.join(name))
    }
}

/// A [`HostTree`] whose extended attributes another thread is asking for while the build
/// goes on (the scan is done; the COPY before a RUN leaves a core free).
#[derive(Debug)]
pub(crate) struct PendingHostTree(RefCell<Pending>);

#[derive(Debug)]
enum Pending {
    Asking(JoinHandle<HostTree>),
    Ready(Rc<HostTree>),
}

impl Default for PendingHostTree {
    fn default() -> Self {
        Self(RefCell::new(Pending::Ready(Rc::default())))
    }
}

impl PendingHostTree {
    /// Starts [`HostTree::find_xattrs`] on `tree` on another thread.
    pub(crate) fn spawn(tree: HostTree) -> Self {
        let pending = match std::thread::Builder::new()
            .name("stowage-xattrs".into())
            .spawn(move || {
                let mut tree = tree;
                tree.find_xattrs();
                tree
            }) {
            Ok(job) => Pending::Asking(job),
            // No thread to spare: nothing is known, so every directory is listed when needed.
            Err(_) => Pending::Ready(Rc::default()),
        };
        Self(RefCell::new(pending))
    }

    /// The tree, once its extended attributes are known.
    pub(crate) fn get(&self) -> Rc<HostTree> {
        let mut state = self.0.borrow_mut();
        if let Pending::Asking(_) = &*state {
            let Pending::Asking(job) =
                std::mem::replace(&mut *state, Pending::Ready(Rc::default()))
            else {
                unreachable!("matched above");
            };
            // A thread that panicked leaves the empty tree: directories are listed anew.
            if let Ok(tree) = job.join() {
                *state = Pending::Ready(Rc::new(tree));
            }
        }
        match &*state {
            Pending::Ready(tree) => Rc::clone(tree),
            Pending::Asking(_) => Rc::default(),
        }
    }
}
