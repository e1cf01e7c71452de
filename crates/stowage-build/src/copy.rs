//! COPY and ADD: source selection (wildcards, `.dockerignore`, `--exclude`), destination
//! rules, `--parents`, `--chown`/`--chmod`, heredoc files and ADD's tar extraction.

use stowage_shell::interp::fnmatch;
use stowage_syntax::dockerignore::DockerIgnore;
use stowage_vfs::{Content, Entry, File, Fs, Kind, Metadata};

use crate::cache::KeyInputs;
use crate::context::{ContextView, node_checksum, stamp};
use crate::host::{CacheStore, FileStamp};

/// Where COPY reads from.
pub(crate) enum Source<'a> {
    /// The build context.
    Context(&'a ContextView<'a>),
    /// A stage's or an image's root filesystem (`--from`), with its name for messages.
    Tree(&'a Fs, String),
}

impl Source<'_> {
    fn fs(&self) -> &Fs {
        match self {
            Source::Context(c) => c.fs,
            Source::Tree(fs, _) => fs,
        }
    }

    fn visible(&self, path: &str) -> bool {
        match self {
            Source::Context(c) => c.contains(path),
            Source::Tree(..) => true,
        }
    }

    /// Whether every node is [`Source::visible`].
    fn hides_nothing(&self) -> bool {
        match self {
            Source::Context(c) => c.hides_nothing(),
            Source::Tree(..) => true,
        }
    }
}

/// A COPY/ADD to perform.
pub(crate) struct CopyOp<'a> {
    pub(crate) source: Source<'a>,
    pub(crate) sources: Vec<String>,
    /// Heredoc files: name, content.
    pub(crate) inline: Vec<(String, String)>,
    /// Absolute destination (a trailing `/` kept).
    pub(crate) dest: String,
    pub(crate) chown: Option<(u32, u32)>,
    pub(crate) chmod: Option<u32>,
    pub(crate) parents: bool,
    pub(crate) exclude: Vec<String>,
    /// ADD: extract local tar archives.
    pub(crate) unpack: bool,
    /// File times for created directories and heredoc files.
    pub(crate) mtime: i64,
}

/// One selected source: canonical path in the source tree and the path it lands at,
/// relative to the destination directory (for `--parents`), or `None` for the base name.
struct Selected {
    path: String,
    parents_rel: String,
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Expands one source pattern in the source tree.
fn expand_source(src: &Source<'_>, pattern: &str) -> Vec<Selected> {
    // `a/./b`: with --parents, the part after `./` is what is kept.
    let (pivot, pattern_norm) = match pattern.find("/./") {
        Some(i) => (
            Some(pattern[..i].trim_start_matches(['.', '/']).to_owned()),
            pattern.replacen("/./", "/", 1),
        ),
        None => (None, pattern.to_owned()),
    };
    let clean = stowage_vfs::path::normalize(&pattern_norm);
    let comps: Vec<&str> = clean.split('/').filter(|c| !c.is_empty()).collect();
    let mut current = vec!["/".to_owned()];
    for comp in &comps {
        let mut next = Vec::new();
        for dir in &current {
            let join = |n: &str| {
                if dir == "/" {
                    format!("/{n}")
                } else {
                    format!("{dir}/{n}")
                }
            };
            if has_wildcard(comp) {
                if let Ok(entries) = src.fs().read_dir(dir) {
                    for (name, _) in entries {
                        let p = join(name);
                        if fnmatch(comp, name) && src.visible(&p) {
                            next.push(p);
                        }
                    }
                }
            } else {
                let p = join(comp);
                if src.fs().lstat(&p).is_ok() && src.visible(&p) {
                    next.push(p);
                }
            }
        }
        current = next;
    }
    current
        .into_iter()
        .map(|path| {
            let rel = path.trim_start_matches('/');
            let parents_rel = match &pivot {
                Some(p) if !p.is_empty() => rel
                    .strip_prefix(p.as_str())
                    .unwrap_or(rel)
                    .trim_start_matches('/')
                    .to_owned(),
                _ => rel.to_owned(),
            };
            Selected { path, parents_rel }
        })
        .collect()
}

fn join(dir: &str, rel: &str) -> String {
    let dir = dir.trim_end_matches('/');
    if rel.is_empty() {
        if dir.is_empty() {
            "/".to_owned()
        } else {
            dir.to_owned()
        }
    } else {
        format!("{dir}/{rel}")
    }
}

/// Resolves `user[:group]` against the destination's `/etc/passwd` and `/etc/group`.
pub(crate) fn resolve_owner(fs: &Fs, spec: &str) -> Result<(u32, u32), String> {
    let (user, group) = spec.split_once(':').unwrap_or((spec, ""));
    let read = |p: &str| {
        fs.read(p)
            .ok()
            .and_then(|c| c.to_vec(4 << 20))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let lookup = |text: &str, name: &str, field: usize| -> Option<u32> {
        text.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.first() == Some(&name)).then(|| f.get(field)?.parse().ok())?
        })
    };
    let passwd = read("/etc/passwd");
    let (uid, user_gid) = if let Ok(u) = user.parse::<u32>() {
        (u, u)
    } else {
        let uid = lookup(&passwd, user, 2).ok_or_else(|| {
            format!("unable to find user {user}: no matching entries in passwd file")
        })?;
        (uid, lookup(&passwd, user, 3).unwrap_or(uid))
    };
    let gid = if group.is_empty() {
        if user.parse::<u32>().is_ok() {
            uid
        } else {
            user_gid
        }
    } else {
        match group.parse::<u32>() {
            Ok(g) => g,
            Err(_) => lookup(&read("/etc/group"), group, 2).ok_or_else(|| {
                format!("unable to find group {group}: no matching entries in group file")
            })?,
        }
    };
    Ok((uid, gid))
}

/// Parses `--chmod` (octal).
pub(crate) fn parse_chmod(spec: &str) -> Result<u32, String> {
    u32::from_str_radix(spec, 8)
        .ok()
        .filter(|m| *m <= 0o7777)
        .ok_or_else(|| format!("invalid chmod parameter {spec:?}: only octal modes are supported"))
}

/// Adds the cache inputs of a COPY: every selected file's checksum (mtime excluded).
pub(crate) fn checksum_inputs(
    op: &CopyOp<'_>,
    keys: &mut KeyInputs,
    cache: &mut dyn CacheStore,
) -> Result<usize, String> {
    Ok(select_inputs(op, cache)?.finish(keys, cache))
}

/// A selected node, owned: its checksum may be taken after the step ran.
enum Node {
    Dir(Metadata),
    File(File),
    Symlink(stowage_vfs::Symlink),
}

impl Node {
    fn of(entry: &Entry<'_>) -> Self {
        match entry {
            Entry::Dir(m) => Self::Dir((*m).clone()),
            Entry::File { file, .. } => Self::File((*file).clone()),
            Entry::Symlink(l) => Self::Symlink((*l).clone()),
        }
    }

    fn entry(&self) -> Entry<'_> {
        match self {
            Self::Dir(m) => Entry::Dir(m),
            Self::File(file) => Entry::File { file, link: None },
            Self::Symlink(l) => Entry::Symlink(l),
        }
    }
}

type Selection = (String, Node, Option<FileStamp>, Option<[u8; 32]>);

/// What a COPY selected, with the checksums the memo already knew: the rest are taken by
/// [`PendingChecksums::finish`], before the step (to look its key up) or, when no stored
/// result can have the step's other inputs, after it, from the bytes its layer read.
pub(crate) struct PendingChecksums {
    /// Label, node, memo stamp and the checksum the memo knew.
    nodes: Vec<Selection>,
    inline: Vec<(String, [u8; 32])>,
}

impl PendingChecksums {
    /// Whether taking the checksums would read file bytes (none memoised or known).
    pub(crate) fn would_read(&self) -> bool {
        self.nodes.iter().any(|(_, node, _, known)| {
            known.is_none()
                && matches!(node, Node::File(f)
                    if matches!(&f.content, Content::External(h) if h.known_checksum().is_none()))
        })
    }

    /// Adds every checksum to `keys`; returns how many.
    pub(crate) fn finish(self, keys: &mut KeyInputs, cache: &mut dyn CacheStore) -> usize {
        // The bytes nothing vouches for are hashed in one batch (a host may use every
        // core) before the checksums are taken one by one.
        let unknown: Vec<Content> = self
            .nodes
            .iter()
            .filter_map(|(_, node, _, known)| match node {
                Node::File(f) if known.is_none() && matches!(f.content, Content::External(_)) => {
                    Some(f.content.clone())
                }
                _ => None,
            })
            .collect();
        if !unknown.is_empty() {
            cache.hash_ahead(&unknown);
        }
        let count = self.nodes.len() + self.inline.len();
        for (label, node, st, known) in self.nodes {
            let sum = known.unwrap_or_else(|| node_checksum(&node.entry(), st, cache));
            keys.files.insert(label, sum);
        }
        keys.files.extend(self.inline);
        count
    }
}

/// Selects what `op` copies (failing as BuildKit does when a source is missing) and asks
/// the checksum memo about each node once.
pub(crate) fn select_inputs(
    op: &CopyOp<'_>,
    cache: &mut dyn CacheStore,
) -> Result<PendingChecksums, String> {
    let exclude = DockerIgnore::parse(&op.exclude.join("\n"));
    let mut nodes = Vec::new();
    for pattern in &op.sources {
        let selected = expand_source(&op.source, pattern);
        if selected.is_empty() {
            return Err(format!(
                "failed to calculate checksum of ref: \"/{}\": not found",
                pattern.trim_start_matches(['.', '/'])
            ));
        }
        for sel in selected {
            let walk = op
                .source
                .fs()
                .walk_from(&sel.path)
                .map_err(|e| e.to_string())?;
            for (path, entry) in walk {
                if !op.source.visible(&path) {
                    continue;
                }
                let rel_to_src = path[sel.path.len()..].trim_start_matches('/');
                if !rel_to_src.is_empty() && !exclude.is_empty() && exclude.is_excluded(rel_to_src)
                {
                    continue;
                }
                let (label, st) = match &op.source {
                    Source::Context(_) => (path[1..].to_owned(), Some(stamp(&path, &entry))),
                    Source::Tree(_, name) => (format!("{name}:{path}"), None),
                };
                let known = st.as_ref().and_then(|s| cache.checksum(s));
                nodes.push((label, Node::of(&entry), st, known));
            }
        }
    }
    let inline = op
        .inline
        .iter()
        .map(|(name, content)| {
            (
                format!("<<{name}"),
                Content::from(content.as_str()).checksum(),
            )
        })
        .collect();
    Ok(PendingChecksums { nodes, inline })
}

/// Performs the copy into `dst`. Returns the number of nodes written.
pub(crate) fn perform(op: &CopyOp<'_>, dst: &mut Fs) -> Result<usize, String> {
    let exclude = DockerIgnore::parse(&op.exclude.join("\n"));
    let mut selected = Vec::new();
    let mut wildcard = false;
    for pattern in &op.sources {
        wildcard |= has_wildcard(pattern);
        let s = expand_source(&op.source, pattern);
        if s.is_empty() {
            return Err(format!(
                "\"/{}\": not found",
                pattern.trim_start_matches(['.', '/'])
            ));
        }
        selected.extend(s);
    }
    let total = selected.len() + op.inline.len();
    let dest_is_dir = op.dest.ends_with('/')
        || total > 1
        || wildcard
        || dst.stat(&op.dest).is_ok_and(|e| e.kind() == Kind::Dir);
    let dest = stowage_vfs::path::normalize(&op.dest);
    let dir_meta = Metadata::dir().with_mtime(op.mtime);
    let mut written = 0;
    let owner = |m: &Metadata| -> Metadata {
        let mut m = m.clone();
        if let Some((u, g)) = op.chown {
            m.uid = u;
            m.gid = g;
        } else {
            m.uid = 0;
            m.gid = 0;
        }
        if let Some(mode) = op.chmod {
            m.mode = mode;
        }
        m
    };
    if dest_is_dir {
        dst.create_dir_all(&dest, &dir_meta)
            .map_err(|e| e.to_string())?;
    }
    for sel in &selected {
        let src_fs = op.source.fs();
        let root_entry = src_fs.lstat(&sel.path).map_err(|e| e.to_string())?;
        let base = stowage_vfs::path::file_name(&sel.path);
        let target_root = if op.parents {
            join(&dest, &sel.parents_rel)
        } else if root_entry.kind() == Kind::Dir {
            dest.clone()
        } else if dest_is_dir {
            join(&dest, base)
        } else {
            dest.clone()
        };
        // ADD of a local archive: extract it.
        if op.unpack
            && let Entry::File { file, .. } = root_entry
            && let Some(tree) = archive_tree(&file.content)
        {
            let into = dest.clone();
            dst.create_dir_all(&into, &dir_meta)
                .map_err(|e| e.to_string())?;
            written += graft(&tree, "/", dst, &into, &|m| m.clone())?;
            continue;
        }
        let parent = stowage_vfs::path::parent(&target_root).to_owned();
        dst.create_dir_all(&parent, &dir_meta)
            .map_err(|e| e.to_string())?;
        // The walk of the context's root (`COPY . /app`) does not yield the root itself:
        // a missing destination is made as `COPY . /app/` makes it.
        if sel.path == "/" && root_entry.kind() == Kind::Dir {
            dst.create_dir_all(&target_root, &dir_meta)
                .map_err(|e| format!("{target_root}: {e}"))?;
        }
        if root_entry.kind() == Kind::Dir && exclude.is_empty() && op.source.hides_nothing() {
            // The directory itself (as the walk yields it), then its whole subtree at once.
            if sel.path != "/" {
                write_node(dst, &target_root, &root_entry, &owner)
                    .map_err(|e| format!("{target_root}: {e}"))?;
                written += 1;
            }
            if let Some(n) = dst.copy_children(&target_root, src_fs, &sel.path, &owner) {
                written += n;
                continue;
            }
        }
        let walk: Vec<(String, Entry<'_>)> = src_fs
            .walk_from(&sel.path)
            .map_err(|e| e.to_string())?
            .collect();
        for (path, entry) in walk {
            if !op.source.visible(&path) {
                continue;
            }
            let rel = path[sel.path.len()..].trim_start_matches('/');
            if !rel.is_empty() && !exclude.is_empty() && exclude.is_excluded(rel) {
                continue;
            }
            let to = join(&target_root, rel);
            write_node(dst, &to, &entry, &owner).map_err(|e| format!("{to}: {e}"))?;
            written += 1;
        }
    }
    for (name, content) in &op.inline {
        let to = if dest_is_dir {
            join(&dest, name)
        } else {
            dest.clone()
        };
        let parent = stowage_vfs::path::parent(&to).to_owned();
        dst.create_dir_all(&parent, &dir_meta)
            .map_err(|e| e.to_string())?;
        let meta = owner(&Metadata::file().with_mtime(op.mtime));
        dst.write_file(&to, content.as_str(), meta)
            .map_err(|e| e.to_string())?;
        written += 1;
    }
    Ok(written)
}

fn write_node(
    dst: &mut Fs,
    to: &str,
    entry: &Entry<'_>,
    owner: &dyn Fn(&Metadata) -> Metadata,
) -> Result<(), stowage_vfs::VfsError> {
    let meta = owner(entry.meta());
    match entry {
        Entry::Dir(_) => match dst.lstat(to) {
            Ok(e) if e.kind() == Kind::Dir => dst.set_metadata(to, meta),
            Ok(_) => {
                dst.remove_all(to)?;
                dst.create_dir(to, meta)
            }
            Err(_) => dst.create_dir(to, meta),
        },
        Entry::File { file, .. } => {
            if dst.lstat(to).is_ok_and(|e| e.kind() != Kind::File) {
                dst.remove_all(to)?;
            }
            dst.write_file(to, file.content.clone(), meta)
        }
        Entry::Symlink(s) => {
            if dst.lstat(to).is_ok() {
                dst.remove_all(to)?;
            }
            dst.symlink(to, &s.target, meta)
        }
    }
}

/// Copies the subtree at `from` in `src` to `to` in `dst` (contents only when `from` is a
/// directory), applying `meta` to each node's metadata.
pub(crate) fn graft(
    src: &Fs,
    from: &str,
    dst: &mut Fs,
    to: &str,
    meta: &dyn Fn(&Metadata) -> Metadata,
) -> Result<usize, String> {
    let mut n = 0;
    let walk: Vec<(String, Entry<'_>)> = src.walk_from(from).map_err(|e| e.to_string())?.collect();
    for (path, entry) in walk {
        let rel = path[from.trim_end_matches('/').len()..].trim_start_matches('/');
        let target = join(to, rel);
        if target == "/" {
            continue;
        }
        write_node(dst, &target, &entry, meta).map_err(|e| e.to_string())?;
        n += 1;
    }
    Ok(n)
}

/// The tree inside a tar archive (plain, gzip or zstd), or `None` when the bytes are not one.
fn archive_tree(content: &Content) -> Option<Fs> {
    let bytes = content.to_vec(256 << 20)?;
    let is_tar = bytes.len() > 262 && &bytes[257..262] == b"ustar";
    let compressed =
        bytes.starts_with(&[0x1f, 0x8b]) || bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
    if !is_tar && !compressed {
        return None;
    }
    let decoded =
        stowage_oci::layer::read_layer(&bytes, &stowage_oci::layer::ReadOptions::default()).ok()?;
    // Whiteouts have no meaning in an ADDed archive; the reader keeps them as entries.
    let mut layer = decoded.layer;
    layer
        .entries
        .retain(|_, e| !matches!(e, stowage_vfs::LayerEntry::Whiteout));
    layer.opaque.clear();
    Fs::from_layers([&layer]).ok()
}

/// Writes one file (used for ADD of a fetched URL).
pub(crate) fn write_fetched(
    dst: &mut Fs,
    to: &str,
    content: Content,
    meta: Metadata,
) -> Result<(), String> {
    let parent = stowage_vfs::path::parent(to).to_owned();
    dst.create_dir_all(&parent, &Metadata::dir())
        .map_err(|e| e.to_string())?;
    let _ = File {
        meta: meta.clone(),
        content: content.clone(),
    };
    dst.write_file(to, content, meta).map_err(|e| e.to_string())
}
