//! Differences between two filesystems (typically a snapshot and its later state).

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use crate::fs::{DirNode, Fs, Node, kind_of};
use crate::path::join;
use crate::{File, Metadata};

/// One difference between two filesystems.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Canonical path (`/a/b`).
    pub path: String,
    /// What happened to it.
    pub kind: ChangeKind,
}

/// What happened to a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// It is new (every node under a new directory is reported too).
    Added,
    /// It is gone (only the top of a deleted subtree is reported).
    Deleted,
    /// It is still there but differs, for these reasons (at least one, sorted).
    Modified(Vec<Reason>),
}

/// Why a path counts as modified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// It changed kind (a file became a directory, …).
    Type,
    /// A file's bytes changed.
    Content,
    /// A symlink's target changed.
    Target,
    /// Permission bits changed.
    Mode,
    /// Owner or group changed.
    Owner,
    /// Modification time changed.
    Mtime,
    /// Extended attributes changed.
    Xattrs,
    /// The file's set of hard-link names changed.
    Links,
}

impl Reason {
    /// A lowercase word: `content`, `mode`, `owner`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Type => "type",
            Self::Content => "content",
            Self::Target => "target",
            Self::Mode => "mode",
            Self::Owner => "owner",
            Self::Mtime => "mtime",
            Self::Xattrs => "xattrs",
            Self::Links => "links",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Change {
    /// `A /path`, `D /path`, `M /path (content, mode)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ChangeKind::Added => write!(f, "A {}", self.path),
            ChangeKind::Deleted => write!(f, "D {}", self.path),
            ChangeKind::Modified(reasons) => {
                write!(f, "M {} (", self.path)?;
                for (i, r) in reasons.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(r.as_str())?;
                }
                f.write_str(")")
            }
        }
    }
}

/// The changes that turn `old` into `new`, in walk order (a directory before its contents).
///
/// Subtrees the two filesystems still share (one is a snapshot of the other) are skipped
/// without being visited, so diffing a snapshot against a few changes costs time proportional
/// to the changed directories, not to the tree. The root directory's own metadata is not
/// compared (image layers do not carry it).
pub fn diff(old: &Fs, new: &Fs) -> Vec<Change> {
    diff_nodes(old, new).into_iter().map(|(c, _)| c).collect()
}

/// [`diff`], each change with the node `new` has at its path (`None` for a deletion).
pub(crate) fn diff_nodes<'a>(old: &'a Fs, new: &'a Fs) -> Vec<(Change, Option<&'a Node>)> {
    let mut out = Vec::new();
    let cx = Cx { old, new };
    cx.dirs("/", &old.root, &new.root, &mut out);
    out
}

type Out<'a> = Vec<(Change, Option<&'a Node>)>;

struct Cx<'a> {
    old: &'a Fs,
    new: &'a Fs,
}

impl<'a> Cx<'a> {
    fn dirs(&self, at: &str, a: &'a DirNode, b: &'a DirNode, out: &mut Out<'a>) {
        let mut xs = a.children.iter().peekable();
        let mut ys = b.children.iter().peekable();
        loop {
            match (xs.peek(), ys.peek()) {
                (None, None) => break,
                (Some((xn, _)), Some((yn, _))) if xn == yn => {
                    let (name, x) = xs.next().expect("peeked");
                    let (_, y) = ys.next().expect("peeked");
                    self.nodes(&join(at, name), x, y, out);
                }
                (Some((xn, _)), Some((yn, _))) if xn < yn => {
                    let (name, _) = xs.next().expect("peeked");
                    deleted(join(at, name), out);
                }
                (Some(_), None) => {
                    let (name, _) = xs.next().expect("peeked");
                    deleted(join(at, name), out);
                }
                _ => {
                    let (name, y) = ys.next().expect("peeked");
                    added(&join(at, name), y, out);
                }
            }
        }
    }

    fn nodes(&self, at: &str, x: &'a Node, y: &'a Node, out: &mut Out<'a>) {
        match (x, y) {
            (Node::Dir(a), Node::Dir(b)) => {
                if Arc::ptr_eq(a, b) {
                    return;
                }
                let reasons = meta_reasons(&a.meta, &b.meta);
                if !reasons.is_empty() {
                    out.push((modified(at, reasons), Some(y)));
                }
                self.dirs(at, a, b, out);
            }
            (Node::Symlink(a), Node::Symlink(b)) => {
                if Arc::ptr_eq(a, b) {
                    return;
                }
                let mut reasons = meta_reasons(&a.meta, &b.meta);
                if a.target != b.target {
                    reasons.push(Reason::Target);
                }
                if !reasons.is_empty() {
                    reasons.sort();
                    out.push((modified(at, reasons), Some(y)));
                }
            }
            (Node::File(_) | Node::Linked(_), Node::File(_) | Node::Linked(_)) => {
                let (Some((fa, la)), Some((fb, lb))) =
                    (file_of(self.old, x, at), file_of(self.new, y, at))
                else {
                    return;
                };
                let mut reasons = Vec::new();
                if !Arc::ptr_eq(fa, fb) {
                    reasons = meta_reasons(&fa.meta, &fb.meta);
                    if fa.content != fb.content {
                        reasons.push(Reason::Content);
                    }
                }
                if la != lb {
                    reasons.push(Reason::Links);
                }
                if !reasons.is_empty() {
                    reasons.sort();
                    out.push((modified(at, reasons), Some(y)));
                }
            }
            _ => {
                debug_assert_ne!(kind_of(x), kind_of(y));
                out.push((modified(at, vec![Reason::Type]), Some(y)));
                if let Node::Dir(d) = y {
                    for (name, child) in &d.children {
                        added(&join(at, name), child, out);
                    }
                }
            }
        }
    }
}

/// The file behind a node and the set of its names (just `at` when not hard-linked).
fn file_of<'a>(fs: &'a Fs, node: &'a Node, at: &str) -> Option<(&'a Arc<File>, BTreeSet<&'a str>)> {
    match node {
        Node::File(f) => Some((f, BTreeSet::new())),
        Node::Linked(ino) => {
            let inode = fs.inodes.get(ino)?;
            let names: BTreeSet<&str> = inode.paths.iter().map(String::as_str).collect();
            // A hard-link group of one is a plain file.
            if names.len() == 1 && names.contains(at) {
                Some((&inode.file, BTreeSet::new()))
            } else {
                Some((&inode.file, names))
            }
        }
        Node::Dir(_) | Node::Symlink(_) => None,
    }
}

fn meta_reasons(a: &Metadata, b: &Metadata) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if a.mode != b.mode {
        reasons.push(Reason::Mode);
    }
    if a.uid != b.uid || a.gid != b.gid {
        reasons.push(Reason::Owner);
    }
    if a.mtime != b.mtime {
        reasons.push(Reason::Mtime);
    }
    if a.xattrs != b.xattrs {
        reasons.push(Reason::Xattrs);
    }
    reasons
}

fn modified(at: &str, reasons: Vec<Reason>) -> Change {
    Change {
        path: at.to_owned(),
        kind: ChangeKind::Modified(reasons),
    }
}

fn deleted(path: String, out: &mut Out<'_>) {
    out.push((
        Change {
            path,
            kind: ChangeKind::Deleted,
        },
        None,
    ));
}

fn added<'a>(at: &str, node: &'a Node, out: &mut Out<'a>) {
    out.push((
        Change {
            path: at.to_owned(),
            kind: ChangeKind::Added,
        },
        Some(node),
    ));
    if let Node::Dir(d) = node {
        for (name, child) in &d.children {
            added(&join(at, name), child, out);
        }
    }
}
