//! The filesystem tree: persistent (copy-on-write) nodes, so a snapshot is a clone of a few
//! pointers and a diff skips every subtree the two versions still share.

use std::collections::{BTreeMap, BTreeSet, btree_map};
use std::sync::Arc;

use crate::path::{self, check_name, components, display, join};
use crate::{Content, Entry, File, Ino, Kind, Metadata, Symlink, VfsError};

/// How many symlinks one resolution may follow (Linux's `MAXSYMLINKS`).
pub const MAX_SYMLINK_HOPS: usize = 40;

#[derive(Clone, Debug)]
pub(crate) enum Node {
    File(Arc<File>),
    Dir(Arc<DirNode>),
    Symlink(Arc<Symlink>),
    /// A file with several names; its data lives in [`Fs::inodes`].
    Linked(Ino),
}

#[derive(Clone, Debug, Default)]
pub(crate) struct DirNode {
    pub(crate) meta: Metadata,
    pub(crate) children: BTreeMap<String, Node>,
}

#[derive(Clone, Debug)]
pub(crate) struct Inode {
    pub(crate) file: Arc<File>,
    /// Every canonical path naming this file.
    pub(crate) paths: BTreeSet<String>,
}

/// An in-memory filesystem.
///
/// Paths are `/`-separated and always taken from the root; `..` never climbs above it and
/// symlinks are resolved inside it, the way a container sees its root filesystem. Mutators act
/// on the last component itself (they do not follow a final symlink); their parent directories
/// are resolved through symlinks.
///
/// `clone()` is a snapshot: O(1) for the tree (plus the hard-link table), and later changes to
/// either copy only the directories on the changed path.
#[derive(Clone, Debug)]
pub struct Fs {
    pub(crate) root: Arc<DirNode>,
    pub(crate) inodes: BTreeMap<Ino, Inode>,
    next_ino: u64,
}

impl Default for Fs {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for Fs {
    /// Equal trees: same paths, kinds, metadata, contents, symlink targets and hard-link
    /// groups (inode numbers and the root's own metadata are not compared).
    fn eq(&self, other: &Self) -> bool {
        crate::diff(self, other).is_empty()
    }
}

impl Fs {
    /// An empty filesystem whose root is `0755 root:root`.
    pub fn new() -> Self {
        Self {
            root: Arc::new(DirNode {
                meta: Metadata::dir(),
                children: BTreeMap::new(),
            }),
            inodes: BTreeMap::new(),
            next_ino: 1,
        }
    }

    /// A snapshot: an independent copy that shares every node until one side changes it.
    #[must_use]
    pub fn snapshot(&self) -> Self {
        self.clone()
    }

    /// The root directory's metadata.
    pub fn root_meta(&self) -> &Metadata {
        &self.root.meta
    }

    /// Sets the root directory's metadata.
    pub fn set_root_meta(&mut self, meta: Metadata) {
        Arc::make_mut(&mut self.root).meta = meta;
    }

    // ---- lookups --------------------------------------------------------------------------

    fn node(&self, comps: &[String]) -> Option<&Node> {
        let (last, parents) = comps.split_last()?;
        let mut dir = &*self.root;
        for c in parents {
            match dir.children.get(c)? {
                Node::Dir(d) => dir = d,
                _ => return None,
            }
        }
        dir.children.get(last)
    }

    fn dir(&self, comps: &[String]) -> Option<&DirNode> {
        if comps.is_empty() {
            return Some(&self.root);
        }
        match self.node(comps)? {
            Node::Dir(d) => Some(d),
            _ => None,
        }
    }

    pub(crate) fn entry<'a>(&'a self, node: &'a Node) -> Option<Entry<'a>> {
        Some(match node {
            Node::File(file) => Entry::File { file, link: None },
            Node::Dir(d) => Entry::Dir(&d.meta),
            Node::Symlink(s) => Entry::Symlink(s),
            Node::Linked(ino) => Entry::File {
                file: &self.inodes.get(ino)?.file,
                link: Some(*ino),
            },
        })
    }

    /// Resolves `path` inside the root: symlinks are followed (absolute targets start again at
    /// the root, `..` stops at it). With `follow_last` false the final component is not
    /// followed. The final component may be missing; intermediate ones must be directories.
    fn resolve_comps(&self, path: &str, follow_last: bool) -> Result<Vec<String>, VfsError> {
        let mut done: Vec<String> = Vec::new();
        // The directory of each prefix of `done` (the root first): one step per component,
        // not a walk from the root each time.
        let mut dirs: Vec<&DirNode> = vec![&self.root];
        let mut todo: Vec<String> = components(path).rev().map(str::to_owned).collect();
        let mut hops = 0;
        while let Some(c) = todo.pop() {
            if c == ".." {
                if done.pop().is_some() {
                    dirs.pop();
                }
                continue;
            }
            check_name(path, &c)?;
            let is_last = todo.is_empty();
            if dirs.len() != done.len() + 1 {
                // The last component was not a directory: nothing can be below it.
                return Err(VfsError::NotADirectory(display(&done)));
            }
            let parent = dirs[done.len()];
            match parent.children.get(&c) {
                Some(Node::Symlink(link)) if !is_last || follow_last => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return Err(VfsError::SymlinkLoop(path.to_owned()));
                    }
                    if link.target.starts_with('/') {
                        done.clear();
                        dirs.truncate(1);
                    }
                    todo.extend(components(&link.target).rev().map(str::to_owned));
                }
                Some(node) if !is_last && !matches!(node, Node::Dir(_)) => {
                    done.push(c);
                    return Err(VfsError::NotADirectory(display(&done)));
                }
                None if !is_last => {
                    done.push(c);
                    return Err(VfsError::NotFound(display(&done)));
                }
                node => {
                    if let Some(Node::Dir(d)) = node {
                        dirs.push(d);
                    }
                    done.push(c);
                }
            }
        }
        Ok(done)
    }

    /// The canonical path `path` leads to, following every symlink inside the root. The final
    /// component need not exist.
    pub fn resolve(&self, path: &str) -> Result<String, VfsError> {
        self.resolve_comps(path, true).map(|c| display(&c))
    }

    /// Canonical parent directory and final name of `path` (the name itself not followed).
    fn split(&self, path: &str) -> Result<(Vec<String>, String), VfsError> {
        let mut comps = self.resolve_comps(path, false)?;
        let name = comps.pop().ok_or(VfsError::Root)?;
        Ok((comps, name))
    }

    /// The node at `path` without following a final symlink (like `lstat`).
    pub fn lstat(&self, path: &str) -> Result<Entry<'_>, VfsError> {
        let comps = self.resolve_comps(path, false)?;
        self.entry_at(&comps)
    }

    /// The node at `path`, following a final symlink (like `stat`).
    pub fn stat(&self, path: &str) -> Result<Entry<'_>, VfsError> {
        let comps = self.resolve_comps(path, true)?;
        self.entry_at(&comps)
    }

    fn entry_at(&self, comps: &[String]) -> Result<Entry<'_>, VfsError> {
        if comps.is_empty() {
            return Ok(Entry::Dir(&self.root.meta));
        }
        self.node(comps)
            .and_then(|n| self.entry(n))
            .ok_or_else(|| VfsError::NotFound(display(comps)))
    }

    /// The node at `path` (final symlink not followed), or `None`.
    pub fn get(&self, path: &str) -> Option<Entry<'_>> {
        self.lstat(path).ok()
    }

    /// Whether something exists at `path` (a dangling symlink exists).
    pub fn exists(&self, path: &str) -> bool {
        self.lstat(path).is_ok()
    }

    /// The content of the file at `path` (symlinks followed).
    pub fn read(&self, path: &str) -> Result<&Content, VfsError> {
        match self.stat(path)? {
            Entry::File { file, .. } => Ok(&file.content),
            Entry::Dir(_) => Err(VfsError::IsADirectory(self.resolve(path)?)),
            Entry::Symlink(_) => Err(VfsError::SymlinkLoop(path.to_owned())),
        }
    }

    /// The entries of the directory at `path` (symlinks followed), sorted by name.
    pub fn read_dir(&self, path: &str) -> Result<Vec<(&str, Entry<'_>)>, VfsError> {
        let comps = self.resolve_comps(path, true)?;
        let dir = if comps.is_empty() {
            &*self.root
        } else {
            match self.node(&comps) {
                Some(Node::Dir(d)) => &**d,
                Some(_) => return Err(VfsError::NotADirectory(display(&comps))),
                None => return Err(VfsError::NotFound(display(&comps))),
            }
        };
        Ok(dir
            .children
            .iter()
            .filter_map(|(name, node)| Some((name.as_str(), self.entry(node)?)))
            .collect())
    }

    /// Every node but the root, depth first with sorted children (a directory comes right
    /// before its contents), with its canonical path.
    pub fn walk(&self) -> Walk<'_> {
        Walk {
            fs: self,
            first: None,
            stack: vec![("/".to_owned(), self.root.children.iter())],
        }
    }

    /// Like [`Fs::walk`] for the subtree at `path` (symlinks followed): the node itself
    /// first (unless it is the root), then its contents.
    pub fn walk_from(&self, path: &str) -> Result<Walk<'_>, VfsError> {
        let comps = self.resolve_comps(path, true)?;
        if comps.is_empty() {
            return Ok(self.walk());
        }
        let node = self
            .node(&comps)
            .ok_or_else(|| VfsError::NotFound(display(&comps)))?;
        let at = display(&comps);
        let stack = match node {
            Node::Dir(d) => vec![(at.clone(), d.children.iter())],
            _ => Vec::new(),
        };
        Ok(Walk {
            fs: self,
            first: self.entry(node).map(|e| (at, e)),
            stack,
        })
    }

    /// Number of nodes, the root excluded.
    pub fn len(&self) -> usize {
        self.walk().count()
    }

    /// Whether only the root exists.
    pub fn is_empty(&self) -> bool {
        self.root.children.is_empty()
    }

    /// Sum of the sizes of regular files, each hard-linked file counted once.
    pub fn total_size(&self) -> u64 {
        let mut seen = BTreeSet::new();
        self.walk()
            .filter_map(|(_, e)| match e {
                Entry::File { file, link } => match link {
                    Some(ino) if !seen.insert(ino) => None,
                    _ => Some(file.content.len()),
                },
                _ => None,
            })
            .sum()
    }

    /// Every name of the hard-linked file `ino`, in walk order.
    pub fn link_paths(&self, ino: Ino) -> Vec<&str> {
        let mut paths: Vec<&str> = self
            .inodes
            .get(&ino)
            .map(|i| i.paths.iter().map(String::as_str).collect())
            .unwrap_or_default();
        paths.sort_by(|a, b| path::walk_order(a, b));
        paths
    }

    // ---- internal mutation ---------------------------------------------------------------

    fn dir_mut(&mut self, comps: &[String]) -> Option<&mut DirNode> {
        let mut dir = Arc::make_mut(&mut self.root);
        for c in comps {
            match dir.children.get_mut(c)? {
                Node::Dir(d) => dir = Arc::make_mut(d),
                _ => return None,
            }
        }
        Some(dir)
    }

    fn parent_mut(&mut self, parent: &[String]) -> Result<&mut DirNode, VfsError> {
        if self.dir(parent).is_none() {
            return Err(if self.node(parent).is_some() {
                VfsError::NotADirectory(display(parent))
            } else {
                VfsError::NotFound(display(parent))
            });
        }
        self.dir_mut(parent)
            .ok_or_else(|| VfsError::NotFound(display(parent)))
    }

    /// Puts `node` at `parent/name`, replacing whatever was there (a whole subtree).
    fn put(&mut self, parent: &[String], name: &str, node: Node) -> Result<(), VfsError> {
        let at = join(&display(parent), name);
        check_name(&at, name)?;
        let mut added = Vec::new();
        if !self.inodes.is_empty() || matches!(node, Node::Linked(_)) {
            linked_in(&node, &at, &mut added);
        }
        let old = self
            .parent_mut(parent)?
            .children
            .insert(name.to_owned(), node);
        if let Some(old) = old {
            self.forget_links(&old, &at);
        }
        for (p, ino) in added {
            if let Some(inode) = self.inodes.get_mut(&ino) {
                inode.paths.insert(p);
            }
        }
        Ok(())
    }

    /// Removes and returns the node at `parent/name`.
    fn take(&mut self, parent: &[String], name: &str) -> Option<Node> {
        let node = self.dir_mut(parent)?.children.remove(name)?;
        self.forget_links(&node, &join(&display(parent), name));
        Some(node)
    }

    fn forget_links(&mut self, node: &Node, at: &str) {
        forget_links_in(&mut self.inodes, node, at);
    }

    /// Like [`Fs::put`] for a subtree that keeps its inodes (a rename): the inode table is
    /// re-pointed rather than emptied in between.
    fn move_node(
        &mut self,
        from: (&[String], &str),
        to: (&[String], &str),
    ) -> Result<(), VfsError> {
        let from_path = join(&display(from.0), from.1);
        let to_path = join(&display(to.0), to.1);
        let node = self
            .dir_mut(from.0)
            .and_then(|d| d.children.remove(from.1))
            .ok_or_else(|| VfsError::NotFound(from_path.clone()))?;
        let mut moved = Vec::new();
        linked_in(&node, &from_path, &mut moved);
        let old = self
            .parent_mut(to.0)?
            .children
            .insert(to.1.to_owned(), node);
        // Forget what was replaced before re-pointing the moved names, so a name the two share
        // is kept.
        if let Some(old) = old {
            self.forget_links(&old, &to_path);
        }
        for (p, ino) in &moved {
            if let Some(inode) = self.inodes.get_mut(ino) {
                inode.paths.remove(p);
                inode
                    .paths
                    .insert(format!("{to_path}{}", &p[from_path.len()..]));
            }
        }
        Ok(())
    }

    // ---- public mutation -----------------------------------------------------------------

    /// Creates a directory. Fails if something exists at `path` or its parent is missing.
    pub fn create_dir(&mut self, path: &str, meta: Metadata) -> Result<(), VfsError> {
        let (parent, name) = self.split(path)?;
        if self.node(&join_comps(&parent, &name)).is_some() {
            return Err(VfsError::AlreadyExists(join(&display(&parent), &name)));
        }
        self.put(&parent, &name, new_dir(meta))
    }

    /// Creates a directory and any missing parents with `meta` (like `mkdir -p`). Existing
    /// directories (and symlinks to directories) are left as they are.
    pub fn create_dir_all(&mut self, path: &str, meta: &Metadata) -> Result<(), VfsError> {
        let comps: Vec<&str> = components(path).collect();
        for i in 1..=comps.len() {
            if comps[i - 1] == ".." {
                continue;
            }
            let prefix = comps[..i].join("/");
            let resolved = self.resolve_comps(&prefix, true)?;
            match self.node(&resolved) {
                _ if resolved.is_empty() => {}
                Some(Node::Dir(_)) => {}
                Some(_) => return Err(VfsError::NotADirectory(display(&resolved))),
                None => {
                    let (name, parent) = resolved.split_last().ok_or(VfsError::Root)?;
                    self.put(parent, name, new_dir(meta.clone()))?;
                }
            }
        }
        Ok(())
    }

    /// Creates or replaces the regular file at `path`. Writing to a hard-linked file changes
    /// every name of it; a directory at `path` is an error.
    pub fn write_file(
        &mut self,
        path: &str,
        content: impl Into<Content>,
        meta: Metadata,
    ) -> Result<(), VfsError> {
        let (parent, name) = self.split(path)?;
        let file = Arc::new(File {
            meta,
            content: content.into(),
        });
        match self.node(&join_comps(&parent, &name)) {
            Some(Node::Dir(_)) => Err(VfsError::IsADirectory(join(&display(&parent), &name))),
            Some(Node::Linked(ino)) => {
                let ino = *ino;
                if let Some(inode) = self.inodes.get_mut(&ino) {
                    inode.file = file;
                }
                Ok(())
            }
            _ => self.put(&parent, &name, Node::File(file)),
        }
    }

    /// Creates a symlink at `path` pointing to `target` (stored as given).
    pub fn symlink(&mut self, path: &str, target: &str, meta: Metadata) -> Result<(), VfsError> {
        let (parent, name) = self.split(path)?;
        if self.node(&join_comps(&parent, &name)).is_some() {
            return Err(VfsError::AlreadyExists(join(&display(&parent), &name)));
        }
        check_name(path, target.trim_start_matches('/'))?;
        self.put(
            &parent,
            &name,
            Node::Symlink(Arc::new(Symlink {
                meta,
                target: target.to_owned(),
            })),
        )
    }

    /// Gives the regular file at `existing` (a final symlink is not followed) the further name
    /// `new`, which must not exist.
    pub fn hard_link(&mut self, existing: &str, new: &str) -> Result<(), VfsError> {
        let (src_parent, src_name) = self.split(existing)?;
        let src = join_comps(&src_parent, &src_name);
        let (dst_parent, dst_name) = self.split(new)?;
        if self.node(&join_comps(&dst_parent, &dst_name)).is_some() {
            return Err(VfsError::AlreadyExists(join(
                &display(&dst_parent),
                &dst_name,
            )));
        }
        let ino = match self.node(&src) {
            Some(Node::Linked(ino)) => *ino,
            Some(Node::File(file)) => {
                let file = Arc::clone(file);
                let ino = Ino(self.next_ino);
                self.next_ino += 1;
                self.inodes.insert(
                    ino,
                    Inode {
                        file,
                        paths: BTreeSet::new(),
                    },
                );
                self.put(&src_parent, &src_name, Node::Linked(ino))?;
                ino
            }
            Some(_) => return Err(VfsError::NotAFile(display(&src))),
            None => return Err(VfsError::NotFound(display(&src))),
        };
        self.put(&dst_parent, &dst_name, Node::Linked(ino))
    }

    /// Removes a file, symlink or empty directory.
    pub fn remove(&mut self, path: &str) -> Result<(), VfsError> {
        let (parent, name) = self.split(path)?;
        match self.node(&join_comps(&parent, &name)) {
            None => Err(VfsError::NotFound(join(&display(&parent), &name))),
            Some(Node::Dir(d)) if !d.children.is_empty() => {
                Err(VfsError::NotEmpty(join(&display(&parent), &name)))
            }
            Some(_) => {
                self.take(&parent, &name);
                Ok(())
            }
        }
    }

    /// Removes whatever is at `path`, with its contents (like `rm -r`).
    pub fn remove_all(&mut self, path: &str) -> Result<(), VfsError> {
        let (parent, name) = self.split(path)?;
        self.take(&parent, &name)
            .map(drop)
            .ok_or_else(|| VfsError::NotFound(join(&display(&parent), &name)))
    }

    /// Moves `from` to `to` like `rename(2)`: `to` is replaced if it is a non-directory (and
    /// `from` is too) or an empty directory (and `from` is a directory).
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), VfsError> {
        let (fp, fname) = self.split(from)?;
        let (tp, tname) = self.split(to)?;
        let src = join_comps(&fp, &fname);
        let dst = join_comps(&tp, &tname);
        let src_node = self
            .node(&src)
            .ok_or_else(|| VfsError::NotFound(display(&src)))?;
        if src == dst {
            return Ok(());
        }
        // Two names of the same file: rename(2) does nothing.
        if let (Node::Linked(a), Some(Node::Linked(b))) = (src_node, self.node(&dst))
            && a == b
        {
            return Ok(());
        }
        let src_is_dir = matches!(src_node, Node::Dir(_));
        if src_is_dir && dst.starts_with(&src) {
            return Err(VfsError::IntoItself {
                from: display(&src),
                to: display(&dst),
            });
        }
        match self.node(&dst) {
            Some(Node::Dir(_)) if !src_is_dir => {
                return Err(VfsError::IsADirectory(display(&dst)));
            }
            Some(Node::Dir(d)) if !d.children.is_empty() => {
                return Err(VfsError::NotEmpty(display(&dst)));
            }
            Some(Node::File(_) | Node::Linked(_) | Node::Symlink(_)) if src_is_dir => {
                return Err(VfsError::NotADirectory(display(&dst)));
            }
            _ => {}
        }
        self.move_node((&fp, &fname), (&tp, &tname))
    }

    /// Copies the children of the directory `from` in `src` into the directory `to` here
    /// (resolved through symlinks), each node's metadata passed through `meta`, in one
    /// pass: the same as writing them one by one in walk order (a directory over a
    /// directory takes the new metadata and keeps its children; anything else replaces
    /// what is there, except that a file over a hard-linked file changes every name of
    /// it). Returns how many nodes were copied; `None`, having changed nothing, when
    /// `src` has hard links or `from` or `to` is not a directory (copy one by one then).
    pub fn copy_children(
        &mut self,
        to: &str,
        src: &Fs,
        from: &str,
        meta: &dyn Fn(&Metadata) -> Metadata,
    ) -> Option<usize> {
        if !src.inodes.is_empty() {
            return None;
        }
        let from = src.resolve_comps(from, true).ok()?;
        let from = src.dir(&from)?;
        let to_comps = self.resolve_comps(to, true).ok()?;
        self.dir(&to_comps)?;
        let at = display(&to_comps);
        let Self { root, inodes, .. } = self;
        let mut dir = Arc::make_mut(root);
        for c in &to_comps {
            match dir.children.get_mut(c)? {
                Node::Dir(d) => dir = Arc::make_mut(d),
                _ => return None,
            }
        }
        let mut count = 0;
        merge_children(dir, &at, from, meta, inodes, &mut count);
        Some(count)
    }

    /// Changes the metadata of the node at `path` (a final symlink itself, not its target).
    pub fn set_metadata(&mut self, path: &str, meta: Metadata) -> Result<(), VfsError> {
        self.update_metadata(path, |m| *m = meta)
    }

    /// Edits the metadata of the node at `path` (a final symlink itself, not its target).
    pub fn update_metadata(
        &mut self,
        path: &str,
        edit: impl FnOnce(&mut Metadata),
    ) -> Result<(), VfsError> {
        let comps = self.resolve_comps(path, false)?;
        let Some((name, parent)) = comps.split_last() else {
            edit(&mut Arc::make_mut(&mut self.root).meta);
            return Ok(());
        };
        if self.node(&comps).is_none() {
            return Err(VfsError::NotFound(display(&comps)));
        }
        let dir = self.parent_mut(parent)?;
        let Some(node) = dir.children.get_mut(name) else {
            return Err(VfsError::NotFound(display(&comps)));
        };
        match node {
            Node::File(f) => edit(&mut Arc::make_mut(f).meta),
            Node::Dir(d) => edit(&mut Arc::make_mut(d).meta),
            Node::Symlink(s) => edit(&mut Arc::make_mut(s).meta),
            Node::Linked(ino) => {
                let ino = *ino;
                if let Some(inode) = self.inodes.get_mut(&ino) {
                    edit(&mut Arc::make_mut(&mut inode.file).meta);
                }
            }
        }
        Ok(())
    }

    /// Replaces the node at `path` with `node` for layer application: parents are created
    /// (as `0755 root:root`), a directory over a directory keeps its children.
    ///
    /// `last_parent` is the previous entry's parent (its path and resolved components): a
    /// layer lists a directory's entries one after the other, and an entry
    /// never changes how its siblings' parent resolves, so the parent is made and resolved
    /// once per run of siblings rather than once per entry.
    pub(crate) fn apply_node_in(
        &mut self,
        path: &str,
        node: ApplyNode,
        last_parent: &mut Option<(String, Vec<String>)>,
    ) -> Result<(), VfsError> {
        let comps: Vec<&str> = components(path).collect();
        let Some((name, parents)) = comps.split_last() else {
            if let ApplyNode::Dir(meta) = node {
                self.set_root_meta(meta);
            }
            return Ok(());
        };
        if *name == ".." {
            return Err(VfsError::InvalidPath(
                path.to_owned(),
                "a layer entry cannot be named `..`",
            ));
        }
        let parent_path = parents.join("/");
        let parent = match last_parent {
            Some((p, resolved)) if *p == parent_path => resolved.clone(),
            _ => {
                self.create_dir_all(&parent_path, &Metadata::dir())?;
                let resolved = self.resolve_comps(&parent_path, true)?;
                *last_parent = Some((parent_path, resolved.clone()));
                resolved
            }
        };
        let here = join_comps(&parent, name);
        match node {
            ApplyNode::Dir(meta) => {
                if let Some(Node::Dir(_)) = self.node(&here) {
                    self.update_metadata(&display(&here), |m| *m = meta)
                } else {
                    self.put(&parent, name, new_dir(meta))
                }
            }
            ApplyNode::File(file) => self.put(&parent, name, Node::File(Arc::new(file))),
            ApplyNode::Symlink(link) => self.put(&parent, name, Node::Symlink(Arc::new(link))),
            ApplyNode::Hardlink(target) => {
                let target_comps = self.resolve_comps(&target, false)?;
                if target_comps == here {
                    return Ok(());
                }
                match self.node(&target_comps) {
                    Some(Node::File(_) | Node::Linked(_)) => {}
                    Some(_) => return Err(VfsError::NotAFile(display(&target_comps))),
                    None => return Err(VfsError::NotFound(display(&target_comps))),
                }
                self.take(&parent, name);
                self.hard_link(&display(&target_comps), &display(&here))
            }
        }
    }

    /// Removes everything inside the directory at `path` (an opaque directory hides its lower
    /// contents); nothing happens when it is not a directory.
    pub(crate) fn clear_dir(&mut self, path: &str) -> Result<(), VfsError> {
        let comps = match self.resolve_comps(path, true) {
            Ok(c) => c,
            Err(VfsError::NotFound(_) | VfsError::NotADirectory(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let names: Vec<String> = match self.dir(&comps) {
            Some(d) => d.children.keys().cloned().collect(),
            None => return Ok(()),
        };
        for name in names {
            self.take(&comps, &name);
        }
        Ok(())
    }

    /// Removes the node at `path` if there is one (a whiteout).
    pub(crate) fn whiteout(&mut self, path: &str) -> Result<(), VfsError> {
        match self.split(path) {
            Ok((parent, name)) => {
                self.take(&parent, &name);
                Ok(())
            }
            Err(VfsError::NotFound(_) | VfsError::NotADirectory(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// What a layer entry puts at a path.
pub(crate) enum ApplyNode {
    Dir(Metadata),
    File(File),
    Symlink(Symlink),
    Hardlink(String),
}

fn new_dir(meta: Metadata) -> Node {
    Node::Dir(Arc::new(DirNode {
        meta,
        children: BTreeMap::new(),
    }))
}

fn join_comps(parent: &[String], name: &str) -> Vec<String> {
    let mut v = parent.to_vec();
    v.push(name.to_owned());
    v
}

/// `src`'s node with its metadata through `meta`, and its subtree (which has no hard
/// links); unchanged nodes are shared.
fn copied(node: &Node, meta: &dyn Fn(&Metadata) -> Metadata, count: &mut usize) -> Node {
    *count += 1;
    match node {
        Node::File(f) => {
            let m = meta(&f.meta);
            if m == f.meta {
                Node::File(Arc::clone(f))
            } else {
                Node::File(Arc::new(File {
                    meta: m,
                    content: f.content.clone(),
                }))
            }
        }
        Node::Symlink(l) => {
            let m = meta(&l.meta);
            if m == l.meta {
                Node::Symlink(Arc::clone(l))
            } else {
                Node::Symlink(Arc::new(Symlink {
                    meta: m,
                    target: l.target.clone(),
                }))
            }
        }
        Node::Dir(d) => Node::Dir(Arc::new(DirNode {
            meta: meta(&d.meta),
            // From sorted entries: built in one pass.
            children: d
                .children
                .iter()
                .map(|(name, child)| (name.clone(), copied(child, meta, count)))
                .collect(),
        })),
        Node::Linked(ino) => Node::Linked(*ino),
    }
}

/// [`Fs::copy_children`] below the directory `dst` at `at`.
fn merge_children(
    dst: &mut DirNode,
    at: &str,
    src: &DirNode,
    meta: &dyn Fn(&Metadata) -> Metadata,
    inodes: &mut BTreeMap<Ino, Inode>,
    count: &mut usize,
) {
    for (name, node) in &src.children {
        let here = dst.children.get_mut(name);
        match (node, here) {
            (Node::Dir(s), Some(Node::Dir(d))) => {
                *count += 1;
                let d = Arc::make_mut(d);
                d.meta = meta(&s.meta);
                let path = join(at, name);
                merge_children(d, &path, s, meta, inodes, count);
            }
            (Node::File(f), Some(Node::Linked(ino))) => {
                *count += 1;
                if let Some(inode) = inodes.get_mut(ino) {
                    inode.file = Arc::new(File {
                        meta: meta(&f.meta),
                        content: f.content.clone(),
                    });
                }
            }
            (node, _) => {
                let new = copied(node, meta, count);
                if let Some(old) = dst.children.insert(name.clone(), new) {
                    forget_links_in(inodes, &old, &join(at, name));
                }
            }
        }
    }
}

/// Drops the names in the subtree `node` at `at` from the hard-link table.
fn forget_links_in(inodes: &mut BTreeMap<Ino, Inode>, node: &Node, at: &str) {
    if inodes.is_empty() {
        return;
    }
    let mut gone = Vec::new();
    linked_in(node, at, &mut gone);
    for (p, ino) in gone {
        if let Some(inode) = inodes.get_mut(&ino) {
            inode.paths.remove(&p);
            if inode.paths.is_empty() {
                inodes.remove(&ino);
            }
        }
    }
}

/// Collects `(path, ino)` for every hard-linked file in the subtree `node` at `at`.
fn linked_in(node: &Node, at: &str, out: &mut Vec<(String, Ino)>) {
    match node {
        Node::Linked(ino) => out.push((at.to_owned(), *ino)),
        Node::Dir(d) => {
            for (name, child) in &d.children {
                linked_in(child, &join(at, name), out);
            }
        }
        Node::File(_) | Node::Symlink(_) => {}
    }
}

/// A depth-first walk; see [`Fs::walk`].
#[derive(Debug)]
pub struct Walk<'a> {
    fs: &'a Fs,
    first: Option<(String, Entry<'a>)>,
    stack: Vec<(String, btree_map::Iter<'a, String, Node>)>,
}

impl<'a> Iterator for Walk<'a> {
    type Item = (String, Entry<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(first) = self.first.take() {
            return Some(first);
        }
        loop {
            let (prefix, iter) = self.stack.last_mut()?;
            let Some((name, node)) = iter.next() else {
                self.stack.pop();
                continue;
            };
            let path = join(prefix, name);
            if let Node::Dir(d) = node {
                self.stack.push((path.clone(), d.children.iter()));
            }
            if let Some(entry) = self.fs.entry(node) {
                return Some((path, entry));
            }
        }
    }
}

/// The kind of the node at `comps`, for diagnostics.
pub(crate) fn kind_of(node: &Node) -> Kind {
    match node {
        Node::File(_) | Node::Linked(_) => Kind::File,
        Node::Dir(_) => Kind::Dir,
        Node::Symlink(_) => Kind::Symlink,
    }
}
