//! Changesets (image layers in VFS terms) and their union, as overlayfs shows it.

use std::collections::{BTreeMap, BTreeSet};

use crate::diff::{ChangeKind, diff_nodes};
use crate::fs::ApplyNode;
use crate::path::{normalize, parent, walk_order};
use crate::{Entry, File, Fs, Metadata, Symlink, VfsError};

/// What a layer says about one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayerEntry {
    /// A directory with this metadata; applied over an existing directory it keeps the
    /// directory's contents.
    Dir(Metadata),
    /// A regular file (replaces whatever was at the path).
    File(File),
    /// A symbolic link.
    Symlink(Symlink),
    /// Another name for the regular file at this canonical path, written earlier in the same
    /// layer (or present in a lower one).
    Hardlink(String),
    /// The path is deleted from the lower layers (a `.wh.<name>` entry).
    Whiteout,
}

/// A changeset: entries keyed by canonical path (`/a/b`), plus opaque directories whose lower
/// contents are hidden (`<dir>/.wh..wh..opq`).
///
/// Applying a layer ([`Fs::apply`]) follows the image-spec rules: opaque directories are
/// cleared first, then whiteouts remove lower paths, then entries are written in walk order
/// (a directory before its contents), each replacing what was at its path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layer {
    /// Entries by canonical path.
    pub entries: BTreeMap<String, LayerEntry>,
    /// Opaque directories (canonical paths).
    pub opaque: BTreeSet<String>,
}

impl Layer {
    /// An empty layer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the layer changes nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.opaque.is_empty()
    }

    /// Adds (or replaces) the entry at `path` (normalised).
    pub fn insert(&mut self, path: &str, entry: LayerEntry) {
        self.entries.insert(normalize(path), entry);
    }

    /// The layer that turns `old` into `new`, as containerd and BuildKit write one: explicit
    /// whiteouts for deletions (never opaque directories), every added or modified node, the
    /// parent directories of every entry (with their metadata in `new`), and every name of a
    /// hard-linked file any of whose names changed (the first, in walk order, as the file and
    /// the others as hard links to it).
    pub fn diff(old: &Fs, new: &Fs) -> Self {
        let mut layer = Self::new();
        let mut groups = BTreeSet::new();
        // The diff hands each node over: no lookup of its path again.
        for (change, node) in diff_nodes(old, new) {
            if change.kind == ChangeKind::Deleted {
                layer.entries.insert(change.path, LayerEntry::Whiteout);
                continue;
            }
            match node.and_then(|n| new.entry(n)) {
                Some(Entry::File {
                    link: Some(ino), ..
                }) => {
                    groups.insert(ino);
                }
                Some(entry) => {
                    layer.entries.insert(change.path, entry_of(entry));
                }
                None => {}
            }
        }
        for ino in groups {
            let paths = new.link_paths(ino);
            let Some((first, rest)) = paths.split_first() else {
                continue;
            };
            if let Ok(entry) = new.lstat(first) {
                layer.entries.insert((*first).to_owned(), entry_of(entry));
            }
            for p in rest {
                layer
                    .entries
                    .insert((*p).to_owned(), LayerEntry::Hardlink((*first).to_owned()));
            }
        }
        layer.add_parents(new);
        layer
    }

    /// Every node of `fs` as one layer (a base layer).
    pub fn full(fs: &Fs) -> Self {
        Self::diff(&Fs::new(), fs)
    }

    /// Adds an entry for every missing parent directory of an entry, with its metadata in
    /// `fs` (missing there too: `0755 root:root`).
    pub fn add_parents(&mut self, fs: &Fs) {
        let mut missing = BTreeSet::new();
        for path in self.entries.keys().chain(&self.opaque) {
            let mut p = parent(path);
            while p != "/" && !self.entries.contains_key(p) && missing.insert(p.to_owned()) {
                p = parent(p);
            }
        }
        for p in missing {
            let meta = match fs.lstat(&p) {
                Ok(Entry::Dir(meta)) => meta.clone(),
                _ => Metadata::dir(),
            };
            self.entries.insert(p, LayerEntry::Dir(meta));
        }
    }

    /// The entries in walk order (a directory right before its contents).
    pub fn ordered(&self) -> Vec<(&str, &LayerEntry)> {
        let mut v: Vec<(&str, &LayerEntry)> =
            self.entries.iter().map(|(p, e)| (p.as_str(), e)).collect();
        v.sort_by(|a, b| walk_order(a.0, b.0));
        v
    }

    /// Sum of the sizes of the regular files in the layer (hard links count 0), as dive and
    /// the tar headers count a layer.
    pub fn size(&self) -> u64 {
        self.entries
            .values()
            .map(|e| match e {
                LayerEntry::File(f) => f.content.len(),
                _ => 0,
            })
            .sum()
    }
}

fn entry_of(entry: Entry<'_>) -> LayerEntry {
    match entry {
        Entry::File { file, .. } => LayerEntry::File(file.clone()),
        Entry::Dir(meta) => LayerEntry::Dir(meta.clone()),
        Entry::Symlink(link) => LayerEntry::Symlink(link.clone()),
    }
}

impl Fs {
    /// Applies a layer on top of this filesystem (see [`Layer`] for the order). Entry paths
    /// are resolved inside the root: an entry below a symlink lands where the symlink points
    /// within this filesystem, never outside it.
    pub fn apply(&mut self, layer: &Layer) -> Result<(), VfsError> {
        for dir in &layer.opaque {
            self.clear_dir(dir)?;
        }
        let ordered = layer.ordered();
        for (path, entry) in &ordered {
            if matches!(entry, LayerEntry::Whiteout) {
                self.whiteout(path)?;
            }
        }
        let mut last_parent = None;
        for (path, entry) in ordered {
            let node = match entry {
                LayerEntry::Whiteout => continue,
                LayerEntry::Dir(meta) => ApplyNode::Dir(meta.clone()),
                LayerEntry::File(file) => ApplyNode::File(file.clone()),
                LayerEntry::Symlink(link) => ApplyNode::Symlink(link.clone()),
                LayerEntry::Hardlink(target) => ApplyNode::Hardlink(target.clone()),
            };
            self.apply_node_in(path, node, &mut last_parent)?;
        }
        Ok(())
    }

    /// The union of `layers`, bottom first, as an overlay mount shows it.
    pub fn from_layers<'a>(layers: impl IntoIterator<Item = &'a Layer>) -> Result<Self, VfsError> {
        let mut fs = Self::new();
        for layer in layers {
            fs.apply(layer)?;
        }
        Ok(fs)
    }
}
