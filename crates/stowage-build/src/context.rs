//! The build context as BuildKit receives it: the host's tree minus what `.dockerignore`
//! excludes, with file checksums memoised by path and metadata.

use stowage_syntax::dockerignore::{DockerIgnore, ParentMatches};
use stowage_vfs::{Entry, Fs, Kind};

use std::collections::HashSet;

use crate::host::{CacheStore, FileStamp};

/// The context after `.dockerignore`: the included paths, in walk order.
#[derive(Debug)]
pub(crate) struct ContextView<'a> {
    pub(crate) fs: &'a Fs,
    /// Canonical paths (`/src/app.py`) of every node `.dockerignore` leaves out (the CLI's
    /// scan left most out already: usually none, and asking costs no hashing).
    hidden: HashSet<String>,
    files: usize,
    bytes: u64,
}

impl<'a> ContextView<'a> {
    /// Reads `<dockerfile>.dockerignore` (next to the Dockerfile) or `.dockerignore`, then
    /// lists what the context sends.
    pub(crate) fn new(fs: &'a Fs, dockerfile_path: &str) -> Self {
        let specific = format!("/{}.dockerignore", dockerfile_path.trim_start_matches('/'));
        let text = [specific.as_str(), "/.dockerignore"]
            .iter()
            .find_map(|p| {
                let c = fs.read(p).ok()?;
                c.to_vec(1 << 20)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            })
            .unwrap_or_default();
        let ignore = DockerIgnore::parse(&text);
        let mut hidden = HashSet::new();
        let (mut files, mut bytes) = (0, 0);
        if ignore.is_empty() {
            for (_, e) in fs.walk() {
                if let Entry::File { file, .. } = e {
                    files += 1;
                    bytes += file.content.len();
                }
            }
            return Self {
                fs,
                hidden,
                files,
                bytes,
            };
        }
        {
            // Walk with the parents' match results, skipping excluded directories that no
            // exception can bring back.
            let mut stack: Vec<(String, ParentMatches)> = Vec::new();
            let mut skip_below: Option<String> = None;
            for (path, entry) in fs.walk() {
                if let Some(s) = &skip_below {
                    if path.starts_with(s.as_str()) && path.as_bytes().get(s.len()) == Some(&b'/') {
                        hidden.insert(path);
                        continue;
                    }
                    skip_below = None;
                }
                while let Some((top, _)) = stack.last() {
                    if path.starts_with(top.as_str())
                        && path.as_bytes().get(top.len()) == Some(&b'/')
                    {
                        break;
                    }
                    stack.pop();
                }
                let rel = &path[1..];
                let (excluded, info) = ignore.check(rel, stack.last().map(|(_, m)| m));
                if entry.kind() == Kind::Dir {
                    if excluded && ignore.can_skip_dir(rel) {
                        skip_below = Some(path.clone());
                        hidden.insert(path);
                        continue;
                    }
                    stack.push((path.clone(), info));
                }
                if excluded {
                    hidden.insert(path);
                    continue;
                }
                if let Entry::File { file, .. } = entry {
                    files += 1;
                    bytes += file.content.len();
                }
                // Its parents come with it even when excluded themselves (`build/` then
                // `!build/keep.txt`), as BuildKit sends the parents of every included path.
                // A parent that is not hidden has none hidden above it.
                let mut parent = path.as_str();
                while !hidden.is_empty()
                    && let Some((up, _)) = parent.rsplit_once('/')
                    && !up.is_empty()
                    && hidden.remove(up)
                {
                    parent = up;
                }
            }
        }
        Self {
            fs,
            hidden,
            files,
            bytes,
        }
    }

    /// Whether `path` (canonical) is sent to the builder.
    pub(crate) fn contains(&self, path: &str) -> bool {
        path == "/" || self.hidden.is_empty() || !self.hidden.contains(path)
    }

    /// Whether [`ContextView::contains`] says yes to every node.
    pub(crate) fn hides_nothing(&self) -> bool {
        self.hidden.is_empty()
    }

    /// Files and their total size.
    pub(crate) fn stats(&self) -> (usize, u64) {
        (self.files, self.bytes)
    }
}

/// The checksum of one node as BuildKit's content hash sees it: type, mode, owner, size,
/// link target and xattrs (never mtime), then the content. Memoised by path + metadata for
/// context files.
pub(crate) fn node_checksum(
    entry: &Entry<'_>,
    stamp: Option<FileStamp>,
    cache: &mut dyn CacheStore,
) -> [u8; 32] {
    if let Some(s) = &stamp
        && let Some(sum) = cache.checksum(s)
    {
        return sum;
    }
    let mut h = stowage_oci::Sha256Writer::new();
    let meta = entry.meta();
    h.update(entry.kind().as_str().as_bytes());
    h.update(&meta.mode.to_le_bytes());
    h.update(&meta.uid.to_le_bytes());
    h.update(&meta.gid.to_le_bytes());
    for (k, v) in &meta.xattrs {
        if k.starts_with("system.") || (k.starts_with("security.") && k != "security.capability") {
            continue;
        }
        h.update(k.as_bytes());
        h.update(v);
    }
    match entry {
        Entry::File { file, .. } => {
            h.update(&file.content.len().to_le_bytes());
            h.update(&content_id(&file.content));
        }
        Entry::Symlink(s) => h.update(s.target.as_bytes()),
        Entry::Dir(_) => {}
    }
    let sum = h.finish_bytes();
    if let Some(s) = stamp {
        cache.set_checksum(s, sum);
    }
    sum
}

/// A content identity: the checksum (BLAKE3) of real bytes; for synthetic content its `(size, seed)`
/// (generating the bytes only to hash them would cost as much as the whole simulation).
fn content_id(content: &stowage_vfs::Content) -> [u8; 32] {
    match content {
        stowage_vfs::Content::Synthetic { size, seed } => {
            let mut h = stowage_oci::Sha256Writer::new();
            h.update(b"synthetic");
            h.update(&size.to_le_bytes());
            h.update(&seed.to_le_bytes());
            h.finish_bytes()
        }
        other => other.checksum(),
    }
}

/// The stamp of a context node.
pub(crate) fn stamp(path: &str, entry: &Entry<'_>) -> FileStamp {
    let meta = entry.meta();
    FileStamp {
        path: path.to_owned(),
        mode: meta.mode | ((entry.kind() as u32) << 16),
        uid: meta.uid,
        gid: meta.gid,
        size: entry.size(),
        mtime: meta.mtime,
        host: match entry {
            Entry::File { file, .. } => file.content.host_identity(),
            _ => None,
        },
    }
}
