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

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use stowage_vfs::{Entry, Fs, Metadata};

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
        shown: 0,
        written: 0,
    };
    if !planner.dir("/", Some(parent))? {
        return Ok(None);
    }
    let worth_it = planner.shown > 0
        && (planner.written <= WRITTEN_WHOLE_MAX || planner.written <= planner.shown);
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
    shown: u64,
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

/// Whether `m` (of a node on the host) has the image's `meta` (owner, mode, mtime; no
/// extended attributes on either).
fn same_meta(p: &Path, m: &fs::Metadata, meta: &Metadata) -> bool {
    m.uid() == meta.uid
        && m.gid() == meta.gid
        && m.mode() & 0o7777 == meta.mode
        && m.mtime() == meta.mtime
        && meta.xattrs.is_empty()
        && !has_xattrs(p)
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
        let mut needed = root
            || below.is_none()
            || redirect.is_some()
            || opaque
            || self.kept.contains(path)
            || !below
                .is_some_and(|b| fs::symlink_metadata(b).is_ok_and(|m| same_meta(b, &m, meta)));
        let mut host: BTreeMap<OsString, fs::FileType> = BTreeMap::new();
        if let Some(b) = below {
            for e in fs::read_dir(b)? {
                let e = e?;
                host.insert(e.file_name(), e.file_type()?);
            }
        }
        for (name, entry) in self.fs.read_dir(path)? {
            let child = child_path(path, name);
            let host_type = host.remove(std::ffi::OsStr::new(name));
            let host_child = below.filter(|_| host_type.is_some()).map(|b| b.join(name));
            match entry {
                Entry::Dir(_) => {
                    let host_dir = host_child.filter(|_| host_type.is_some_and(|t| t.is_dir()));
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
                        && host_child.as_deref().is_some_and(|h| shows(file, h)) =>
                {
                    self.shown += file.content.len();
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

/// Whether the host file `h` is the image's `file`, as the layer below shows it.
fn shows(file: &stowage_vfs::File, h: &Path) -> bool {
    if file.content.host_file() != Some(h) {
        return false;
    }
    let Ok(m) = fs::symlink_metadata(h) else {
        return false;
    };
    m.is_file()
        && m.nlink() == 1
        && m.len() == file.content.len()
        && file.content.host_identity() == Some(crate::build_cmd::identity_of(&m))
        && same_meta(h, &m, &file.meta)
}
