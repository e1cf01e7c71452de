//! The build context as an overlay layer: a RUN after `COPY . /app` sees the context's files
//! where they are, instead of 20,000 files written to show it them.
//!
//! The overlay's lower layers are the written tree over the context's *parent* directory
//! (a layer's root cannot be redirected to, and the context cannot be both a layer and
//! inside one). The tree holds only what the context does not already show as the image
//! has it:
//!
//! - a directory whose files are the context's (`/app`) is marked with an absolute
//!   `trusted.overlay.redirect` to it (`/context`), and what is below it is the context's,
//!   one directory for the other;
//! - a context file is left to the layer below when it *is* the image's file: the file the
//!   COPY took, unchanged since the scan (device, inode, size, times), with the image's
//!   owner, mode and mtime, one link and no extended attributes; anything else (another
//!   owner, a later step's change) is written whole, and hides it;
//! - what the context has and the image lacks (`.dockerignore`d files, the parent's other
//!   entries at the root) is hidden by a whiteout, and an image directory the layer below
//!   has something unrelated at is opaque;
//! - directories are written only when their metadata differs from the context's, or
//!   something in them must be.
//!
//! Mounted with `redirect_dir=follow`: redirects are followed, never created, so the upper
//! directory stays plain for [`super::read_upper`].

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Result;
use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags, Stat};
use stowage_vfs::{Entry, Fs, HostIdentity, Metadata};

use super::Lower;

/// overlayfs's default `redirect_max`.
const REDIRECT_MAX: usize = 256;

/// Context bytes that may be copied into the tree before grafting is not worth it (unless
/// the layer below shows at least as many).
const WRITTEN_WHOLE_MAX: u64 = 16 << 20;

/// The nodes of the tree to write over the context's parent, parents first; `None` when the
/// context cannot be a layer (it is `/`, its path is not UTF-8) or most of its bytes
/// would be written anyway (the image's owners are not the files' owners). `kept`: paths
/// that must be in the tree as the image has them (mount points, and their parents).
pub(super) fn plan<'a>(
    fs: &'a Fs,
    context: &'a Path,
    kept: &[&str],
) -> Result<Option<Vec<(String, Lower<'a>)>>> {
    let Some(parent) = context.parent() else {
        return Ok(None);
    };
    if context.to_str().is_none() {
        return Ok(None);
    }
    let mut kept_paths = BTreeSet::new();
    for k in kept {
        let mut p = String::new();
        for c in k.split('/').filter(|c| !c.is_empty()) {
            p.push('/');
            p.push_str(c);
            kept_paths.insert(p.clone());
        }
    }
    let mut planner = Planner {
        fs,
        context,
        parent,
        kept: kept_paths,
        out: Vec::new(),
        shown_bytes: 0,
        shown: shown_files(fs, context),
        written: 0,
    };
    if !planner.dir("/", Some(parent))? {
        return Ok(None);
    }
    let worth_it = planner.shown_bytes > 0
        && (planner.written <= WRITTEN_WHOLE_MAX || planner.written <= planner.shown_bytes);
    Ok(worth_it.then(|| {
        planner
            .out
            .into_iter()
            .filter_map(|(p, l)| Some((p, l?)))
            .collect()
    }))
}

struct Planner<'a> {
    fs: &'a Fs,
    context: &'a Path,
    parent: &'a Path,
    kept: BTreeSet<String>,
    /// The tree, in order; a directory's slot stays `None` when it need not be written.
    out: Vec<(String, Option<Lower<'a>>)>,
    /// Bytes of context files the layer below shows.
    shown_bytes: u64,
    /// The files it shows as the image has them ([`shown_files`]).
    shown: HashSet<usize>,
    /// Bytes of context files the tree holds whole.
    written: u64,
}

fn child_path(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The extended attributes' names at `p` take room: `None` when it has none (or the
/// filesystem keeps none).
fn has_xattrs(p: &Path) -> bool {
    !matches!(
        rustix::fs::llistxattr_query(p),
        Ok(0) | Err(rustix::io::Errno::OPNOTSUPP)
    )
}

/// Whether `st` (of the node at `p` on the host) has the image's `meta` (owner, mode,
/// mtime; no extended attributes on either).
fn same_meta(p: &Path, st: &Stat, meta: &Metadata) -> bool {
    st.st_uid == meta.uid
        && st.st_gid == meta.gid
        && st.st_mode & 0o7777 == meta.mode
        && st.st_mtime == meta.mtime
        && meta.xattrs.is_empty()
        && !has_xattrs(p)
}

/// `identity_of` for a `stat` by descriptor.
fn identity(st: &Stat) -> HostIdentity {
    let nanos = |s: i64, ns: i64| s.saturating_mul(1_000_000_000).saturating_add(ns);
    HostIdentity {
        dev: st.st_dev,
        inode: st.st_ino,
        mtime_nanos: nanos(st.st_mtime, i64::try_from(st.st_mtime_nsec).unwrap_or(0)),
        ctime_nanos: nanos(st.st_ctime, i64::try_from(st.st_ctime_nsec).unwrap_or(0)),
    }
}

impl Planner<'_> {
    /// Plans the image directory `path`; `below` is the host directory the layer below
    /// shows there, if any. Returns whether the directory must be in the tree (the root's
    /// answer: whether planning may go on).
    fn dir(&mut self, path: &str, below: Option<&Path>) -> Result<bool> {
        self.dir_marked(path, below, None, false)
    }

    fn dir_marked(
        &mut self,
        path: &str,
        below: Option<&Path>,
        redirect: Option<String>,
        opaque: bool,
    ) -> Result<bool> {
        let root = path == "/";
        let slot = self.out.len();
        if !root {
            self.out.push((path.to_owned(), None));
        }
        let Entry::Dir(meta) = self.fs.lstat(path)? else {
            return Ok(false);
        };
        // The host directory by descriptor: its entries' stats without a path walk each.
        let below_fd = below
            .map(|b| {
                rfs::open(
                    b,
                    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    Mode::empty(),
                )
            })
            .transpose()?;
        let mut needed = root
            || redirect.is_some()
            || opaque
            || self.kept.contains(path)
            || !below
                .zip(below_fd.as_ref())
                .is_some_and(|(b, fd)| rfs::fstat(fd).is_ok_and(|st| same_meta(b, &st, meta)));
        // Host entries by name: whether each is a directory.
        let mut host: BTreeMap<OsString, bool> = BTreeMap::new();
        if let Some(fd) = &below_fd {
            let entries = rfs::Dir::read_from(fd)?;
            for e in entries {
                let e = e?;
                let name = e.file_name().to_bytes();
                if name == b"." || name == b".." {
                    continue;
                }
                let is_dir = match e.file_type() {
                    FileType::Directory => true,
                    FileType::Unknown => rfs::statat(fd, e.file_name(), AtFlags::SYMLINK_NOFOLLOW)
                        .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Directory),
                    _ => false,
                };
                host.insert(OsStr::from_bytes(name).to_owned(), is_dir);
            }
        }
        for (name, entry) in self.fs.read_dir(path)? {
            let child = child_path(path, name);
            let host_type = host.remove(OsStr::new(name));
            let host_child = below.filter(|_| host_type.is_some()).map(|b| b.join(name));
            match entry {
                Entry::Dir(_) => {
                    let host_dir = host_child.filter(|_| host_type == Some(true));
                    let origin = self.origin(&child)?;
                    let child_needed = match (host_dir, origin) {
                        // The context's directory, continued.
                        (Some(h), o)
                            if h.starts_with(self.context)
                                && o.as_ref().is_none_or(|o| *o == h) =>
                        {
                            self.dir(&child, Some(&h))?
                        }
                        (h, Some(o)) => match self.redirect_to(&o) {
                            Some(r) => self.dir_marked(&child, Some(&o), Some(r), false)?,
                            None => self.dir_marked(&child, None, None, h.is_some())?,
                        },
                        (h, None) => self.dir_marked(&child, None, None, h.is_some())?,
                    };
                    needed |= child_needed;
                }
                Entry::File { file, link: None }
                    if !self.kept.contains(&child)
                        && below.is_some_and(|b| {
                            host_type.is_some()
                                && self.shown.contains(&(std::ptr::from_ref(file) as usize))
                                && file.content.host_file().is_some_and(|h| {
                                    h.parent() == Some(b) && h.file_name() == Some(OsStr::new(name))
                                })
                        }) =>
                {
                    self.shown_bytes += file.content.len();
                }
                other => {
                    if let Entry::File { file, .. } = &other
                        && file.content.host_file().is_some()
                    {
                        self.written += file.content.len();
                    }
                    self.out.push((child, Some(Lower::Node(other))));
                    needed = true;
                }
            }
        }
        for name in host.into_keys() {
            let Some(name) = name.to_str() else {
                // A whiteout's path is a string; so is every path of the tree.
                return Ok(false);
            };
            let child = child_path(path, name);
            if !self.kept.contains(&child) {
                self.out.push((child, Some(Lower::Whiteout)));
                needed = true;
            }
        }
        if needed && !root {
            self.out[slot].1 = Some(Lower::Marked {
                meta,
                redirect,
                opaque,
            });
        }
        Ok(needed)
    }

    /// The context directory the image directory `path` was copied from: that of its
    /// first file that is a context file of the same name, else the parent of its first
    /// subdirectory's origin when that has the subdirectory's name.
    fn origin(&self, path: &str) -> Result<Option<PathBuf>> {
        let entries = self.fs.read_dir(path)?;
        for (name, entry) in &entries {
            if let Entry::File { file, link: None } = entry
                && let Some(h) = file.content.host_file()
                && h.file_name().is_some_and(|n| n == *name)
                && let Some(dir) = h.parent()
                && dir.starts_with(self.context)
            {
                return Ok(Some(dir.to_owned()));
            }
        }
        for (name, entry) in &entries {
            if let Entry::Dir(_) = entry
                && let Some(sub) = self.origin(&child_path(path, name))?
            {
                let Some(dir) = sub.parent().filter(|p| {
                    sub.file_name().is_some_and(|n| n == *name) && p.starts_with(self.context)
                }) else {
                    return Ok(None);
                };
                // Only a directory mostly like this one (`/usr` is not the context because
                // `/usr/bin` is its `bin/`): else each subdirectory finds its own.
                let mut host = 0_usize;
                let mut shared = 0_usize;
                for e in fs::read_dir(dir)? {
                    let e = e?;
                    host += 1;
                    shared += usize::from(
                        e.file_name()
                            .to_str()
                            .is_some_and(|n| entries.iter().any(|(name, _)| *name == n)),
                    );
                }
                return Ok((shared * 2 >= host).then(|| dir.to_owned()));
            }
        }
        Ok(None)
    }

    /// The redirect to the context directory `dir`: its absolute path in the layer below.
    fn redirect_to(&self, dir: &Path) -> Option<String> {
        let rel = dir.strip_prefix(self.parent).ok()?.to_str()?;
        let r = format!("/{rel}");
        (r.len() <= REDIRECT_MAX).then_some(r)
    }
}

/// The image's context files whose bytes the layer below shows as they are (see
/// [`shows`]), by address; checked on every core, each host directory opened once.
fn shown_files(fs: &Fs, context: &Path) -> HashSet<usize> {
    type Group<'a> = (&'a Path, Vec<(&'a stowage_vfs::File, &'a Path)>);
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (_, entry) in fs.walk() {
        if let Entry::File { file, link: None } = entry
            && let Some(h) = file.content.host_file()
            && let Some(dir) = h.parent().filter(|d| d.starts_with(context))
        {
            match groups.last_mut() {
                Some((d, files)) if *d == dir => files.push((file, h)),
                _ => groups.push((dir, vec![(file, h)])),
            }
        }
    }
    let shown = Mutex::new(HashSet::new());
    stowage_store::on_every_core(&groups, 8, |(dir, files)| {
        let Ok(fd) = rfs::open(
            *dir,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        ) else {
            return;
        };
        let mine: Vec<usize> = files
            .iter()
            .filter(|(file, h)| h.file_name().is_some_and(|n| shows(file, h, &fd, n)))
            .map(|(file, _)| std::ptr::from_ref(*file) as usize)
            .collect();
        shown
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(mine);
    });
    shown
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether the host file `h` (`name` in the directory open as `fd`) is the image's `file`,
/// as the layer below shows it.
fn shows(file: &stowage_vfs::File, h: &Path, fd: &OwnedFd, name: &OsStr) -> bool {
    let Ok(st) = rfs::statat(fd, name, AtFlags::SYMLINK_NOFOLLOW) else {
        return false;
    };
    FileType::from_raw_mode(st.st_mode) == FileType::RegularFile
        && st.st_nlink == 1
        && u64::try_from(st.st_size).is_ok_and(|n| n == file.content.len())
        && file.content.host_identity() == Some(identity(&st))
        && same_meta(h, &st, &file.meta)
}
