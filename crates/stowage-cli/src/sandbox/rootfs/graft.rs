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
//!
//! The host is seen as the context scan saw it ([`HostTree`]): planning makes no system
//! call for a directory the scan listed, so it costs little beside the COPY's tar.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use stowage_vfs::{Entry, Fs};

use super::Lower;
use crate::host_tree::{HostDir, HostKind, HostStat, HostTree};

/// overlayfs's default `redirect_max`.
const REDIRECT_MAX: usize = 256;

/// Context bytes that may be copied into the tree before grafting is not worth it (unless
/// the layer below shows at least as many).
const WRITTEN_WHOLE_MAX: u64 = 16 << 20;

/// The nodes of the tree to write over the context's parent, parents first; `None` when the
/// context cannot be a layer (it is `/`, its path is not UTF-8) or most of its bytes
/// would be written anyway (the image's owners are not the files' owners). `kept`: paths
/// that must be in the tree as the image has them (mount points, and their parents).
/// `host`: the directories the scan listed (any other is listed now).
pub(super) fn plan<'a>(
    fs: &'a Fs,
    context: &'a Path,
    host: &HostTree,
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
        host,
        kept: kept_paths,
        out: Vec::new(),
        shown_bytes: 0,
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

struct Planner<'a, 'h> {
    fs: &'a Fs,
    context: &'a Path,
    parent: &'a Path,
    host: &'h HostTree,
    kept: BTreeSet<String>,
    /// The tree, in order; a directory's slot stays `None` when it need not be written.
    out: Vec<(String, Option<Lower<'a>>)>,
    /// Bytes of context files the layer below shows.
    shown_bytes: u64,
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

/// Whether the host file `h`, the entry `e` of the directory `dir` that the layer below
/// shows, is the image's `file` as it is there: the file the COPY took (same identity and
/// size), one link, with the image's owner, mode and mtime and no extended attributes.
fn shows(file: &stowage_vfs::File, h: &Path, dir: &Path, name: &str, e: &HostStat) -> bool {
    // `dir/name` compared as bytes (a `Path` compares component by component).
    let (h, d) = (h.as_os_str().as_bytes(), dir.as_os_str().as_bytes());
    h.len() == d.len() + 1 + name.len()
        && h.starts_with(d)
        && h[d.len()] == b'/'
        && h.ends_with(name.as_bytes())
        && e.kind == HostKind::File
        && e.nlink == 1
        && e.size == file.content.len()
        && file.content.host_identity() == Some(e.identity)
        && e.same_meta(&file.meta)
}

impl<'h> Planner<'_, 'h> {
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
        let host: &'h HostTree = self.host;
        let listing: Option<Cow<'h, HostDir>> = match below {
            None => None,
            Some(b) => match host.get(b) {
                Some(d) => Some(Cow::Borrowed(d)),
                None => match HostDir::list(b)? {
                    Some(d) => Some(Cow::Owned(d)),
                    // A name no whiteout can hold (a whiteout's path is a string).
                    None => return Ok(false),
                },
            },
        };
        let mut needed = root
            || redirect.is_some()
            || opaque
            || self.kept.contains(path)
            || !listing.as_ref().is_some_and(|d| d.own.same_meta(meta));
        // Host entries an image entry of the same name hides.
        let mut matched = vec![false; listing.as_ref().map_or(0, |d| d.entries.len())];
        for (name, entry) in self.fs.read_dir(path)? {
            let child = child_path(path, name);
            let host_entry = listing.as_ref().and_then(|d| {
                let i = d.find(name)?;
                matched[i] = true;
                Some(&d.entries[i].1)
            });
            match entry {
                Entry::Dir(_) => {
                    let host_dir = below
                        .filter(|_| host_entry.is_some_and(|e| e.kind == HostKind::Dir))
                        .map(|b| b.join(name));
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
                        && below.zip(host_entry).is_some_and(|(b, e)| {
                            file.content
                                .host_file()
                                .is_some_and(|h| shows(file, h, b, name, e))
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
        let unmatched = listing.iter().flat_map(|d| {
            d.entries
                .iter()
                .zip(&matched)
                .filter(|(_, m)| !**m)
                .map(|((name, _), _)| name)
        });
        for name in unmatched {
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
