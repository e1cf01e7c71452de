//! The build context from disk: the directory walked in sorted order, minus what
//! `.dockerignore` excludes (excluded directories that no `!` exception reaches are not even
//! opened), into the `stowage_vfs::Fs` the engine reads.
//!
//! Files are owned by root in the tree (COPY makes them root's unless `--chown`, and the
//! owner on the build machine must not change cache keys); modes, mtimes (whole seconds)
//! and symlink targets are kept. Sockets, FIFOs and devices are left out.
//!
//! Files are only `stat`ed here: their bytes stay on disk behind `stowage_store::FileRange`
//! handles (external content) that carry device, inode and nanosecond times, so the
//! engine's checksum memo recognises an unchanged file without reading it, and a COPY
//! streams the bytes into the layer tar instead of holding the context in memory.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use stowage_store::FileRange;
use stowage_syntax::dockerignore::{DockerIgnore, ParentMatches};
use stowage_vfs::{Fs, Metadata};

pub(crate) use crate::host_tree::identity_of;
use crate::host_tree::{HostDir, HostStat, HostTree};

/// What was read.
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) fs: Fs,
    /// The `.dockerignore` that applied (context-relative).
    ignore_file: Option<String>,
    /// Every directory listed, as the scan saw it.
    pub(crate) host: HostTree,
}

/// Reads `dir`; `ignore_files` are the context-relative `.dockerignore` candidates, the
/// first that exists wins (`<Dockerfile>.dockerignore`, then `.dockerignore`).
pub(crate) fn read_context(dir: &Path, ignore_files: &[String]) -> Result<Context> {
    let mut ctx = Context {
        fs: Fs::new(),
        ignore_file: None,
        host: HostTree::default(),
    };
    let mut ignore = DockerIgnore::parse("");
    for name in ignore_files {
        if let Ok(text) = fs::read_to_string(dir.join(name)) {
            ignore = DockerIgnore::parse(&text);
            // The engine reads the same file from the tree and applies it again.
            let meta = Metadata::file();
            if let Some(parent) = Path::new(name).parent().and_then(Path::to_str)
                && !parent.is_empty()
            {
                ctx.fs
                    .create_dir_all(&format!("/{parent}"), &Metadata::dir())?;
            }
            ctx.fs
                .write_file(&format!("/{name}"), text.as_str(), meta)?;
            ctx.ignore_file = Some(name.clone());
            break;
        }
    }
    // Two threads list and stat the directories (the kernel's half of the work), each
    // taking the root's entries one at a time, while this one builds the tree from each
    // entry's items in turn (walk order); items come in batches (a hand-over per item cost
    // as much as the stat). Extended attributes are asked later ([`HostTree::find_xattrs`]).
    let ignore_file = ctx.ignore_file.clone();
    let root_stat = HostStat::of(
        &fs::symlink_metadata(dir).with_context(|| format!("reading {}", dir.display()))?,
        false,
    );
    let scanner = Scanner {
        root: dir,
        ignore: &ignore,
        ignore_file: ignore_file.as_deref(),
    };
    let mut host = HostTree::default();
    let top = scanner.list("", root_stat, &mut host)?;
    let (senders, receivers): (Vec<_>, Vec<_>) =
        top.iter().map(|_| std::sync::mpsc::channel()).unzip();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let senders: Vec<std::sync::Mutex<Option<Sender>>> = senders
        .into_iter()
        .map(|tx| std::sync::Mutex::new(Some(tx)))
        .collect();
    let (listed, added) = std::thread::scope(|scope| {
        let walkers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let _close = CloseUnclaimed(&senders);
                    let mut w = Walker {
                        scan: &scanner,
                        tx: None,
                        batch: Vec::with_capacity(BATCH),
                        host: HostTree::default(),
                    };
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let (Some((name, m)), Some(tx)) = (top.get(i), senders.get(i)) else {
                            break;
                        };
                        w.tx = tx
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .take();
                        let mut made_parent = true;
                        if let Err(e) = w.entry(name, m, None, &mut made_parent) {
                            w.send(Item::Failed(e));
                        }
                        w.flush();
                        // Closes the entry's channel: the tree builder moves on to the next.
                        w.tx = None;
                    }
                    w.host
                })
            })
            .collect();
        // Dropping the receivers on an error stops the walkers at their next send.
        let added = receivers.into_iter().try_for_each(|rx| {
            rx.into_iter()
                .flatten()
                .try_for_each(|item| add(&mut ctx.fs, item))
        });
        let listed: Vec<_> = walkers
            .into_iter()
            .map(std::thread::ScopedJoinHandle::join)
            .collect();
        (listed, added)
    });
    added?;
    for l in listed {
        host.extend(l.map_err(|_| anyhow::anyhow!("the context scan panicked"))?);
    }
    ctx.host = host;
    Ok(ctx)
}

fn meta_of(m: &fs::Metadata) -> Metadata {
    Metadata::new(m.mode() & 0o7777).with_mtime(m.mtime())
}

/// What the scanner found, in walk order (a directory before its contents).
enum Item {
    /// A directory (`/src`) and whether `.dockerignore` excludes it (its contents may still
    /// come, through exceptions).
    Dir {
        vpath: String,
        meta: fs::Metadata,
        excluded: bool,
    },
    /// A non-directory that is included; `made_parent` is false when its directory was
    /// excluded (it is made for it then).
    Leaf {
        vpath: String,
        host: PathBuf,
        meta: fs::Metadata,
        target: Option<String>,
        made_parent: bool,
    },
    Failed(anyhow::Error),
}

/// Adds one scanned item to the tree.
fn add(fs: &mut Fs, item: Item) -> Result<()> {
    match item {
        Item::Dir {
            vpath,
            meta,
            excluded,
        } => {
            if !excluded {
                fs.create_dir_all(&vpath, &meta_of(&meta))?;
                fs.set_metadata(&vpath, meta_of(&meta))?;
            }
        }
        Item::Leaf {
            vpath,
            host,
            meta,
            target,
            made_parent,
        } => {
            if !made_parent {
                let parent_dir = stowage_vfs::path::parent(&vpath).to_owned();
                fs.create_dir_all(&parent_dir, &Metadata::dir())?;
            }
            let t = meta.file_type();
            if let Some(target) = target {
                fs.symlink(&vpath, &target, meta_of(&meta))?;
            } else if t.is_file() {
                let content = FileRange::file(host, meta.len(), identity_of(&meta));
                fs.write_file(&vpath, content, meta_of(&meta))?;
            }
        }
        Item::Failed(e) => return Err(e),
    }
    Ok(())
}

/// Items handed over at a time.
const BATCH: usize = 512;

type Sender = std::sync::mpsc::Sender<Vec<Item>>;

/// Closes the channels no walker took when one panics, so the tree builder is not left
/// waiting on them.
struct CloseUnclaimed<'a>(&'a [std::sync::Mutex<Option<Sender>>]);

impl Drop for CloseUnclaimed<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for tx in self.0 {
                tx.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
            }
        }
    }
}

/// What the context scan applies everywhere.
struct Scanner<'a> {
    root: &'a Path,
    ignore: &'a DockerIgnore,
    /// The ignore file, in the tree already.
    ignore_file: Option<&'a str>,
}

impl Scanner<'_> {
    /// The entries of `rel` (its `stat` is `own`), sorted by name; records its listing in
    /// `host`.
    fn list(
        &self,
        rel: &str,
        own: HostStat,
        host: &mut HostTree,
    ) -> Result<Vec<(String, fs::Metadata)>> {
        let dir = self.root.join(rel);
        // `DirEntry::metadata` stats relative to the open directory (no path walk per file).
        let mut names: Vec<(String, fs::Metadata)> = Vec::new();
        for e in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let e = e.with_context(|| format!("reading {}", dir.display()))?;
            let Ok(name) = e.file_name().into_string() else {
                anyhow::bail!("{}: a file name that is not UTF-8", e.path().display());
            };
            let m = e
                .metadata()
                .with_context(|| format!("reading {}", e.path().display()))?;
            names.push((name, m));
        }
        names.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let listing = HostDir {
            own,
            entries: names
                .iter()
                .map(|(n, m)| (n.clone().into_boxed_str(), HostStat::of(m, false)))
                .collect(),
        };
        host.insert(dir, listing);
        Ok(names)
    }
}

/// One scanning thread: lists the context for [`add`], one root entry at a time.
struct Walker<'s, 'a> {
    scan: &'s Scanner<'a>,
    /// The channel of the root entry being walked.
    tx: Option<Sender>,
    batch: Vec<Item>,
    /// Each directory's listing.
    host: HostTree,
}

impl Walker<'_, '_> {
    /// Queues `item`; `false` when the receiver is gone.
    fn send(&mut self, item: Item) -> bool {
        self.batch.push(item);
        self.batch.len() < BATCH || self.flush()
    }

    /// Hands the queued items over; `false` when the receiver is gone.
    fn flush(&mut self) -> bool {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        batch.is_empty() || self.tx.as_ref().is_some_and(|tx| tx.send(batch).is_ok())
    }

    /// Sends the contents of `rel` (excluded itself when `excluded`, `own` its `stat`) and
    /// records its listing; `false` when the receiver is gone.
    fn walk(
        &mut self,
        rel: &str,
        parent: Option<&ParentMatches>,
        excluded: bool,
        own: HostStat,
    ) -> Result<bool> {
        let scan = self.scan;
        let names = scan.list(rel, own, &mut self.host)?;
        // Whether this directory is in the tree (an excluded one is made only for a file an
        // exception brings back, or when it holds the ignore file).
        let made = rel.is_empty()
            || !excluded
            || scan
                .ignore_file
                .is_some_and(|f| f.starts_with(rel) && f.as_bytes().get(rel.len()) == Some(&b'/'));
        let mut made_parent = made;
        for (name, m) in names {
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if !self.entry(&path, &m, parent, &mut made_parent)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Sends the entry at `path` (`m` its `stat`) and its contents; `made_parent`: whether
    /// its directory is in the tree yet. `false` when the receiver is gone.
    fn entry(
        &mut self,
        path: &str,
        m: &fs::Metadata,
        parent: Option<&ParentMatches>,
        made_parent: &mut bool,
    ) -> Result<bool> {
        let scan = self.scan;
        let (excluded, info) = if scan.ignore.is_empty() {
            (false, ParentMatches::default())
        } else {
            scan.ignore.check(path, parent)
        };
        let vpath = format!("/{path}");
        let t = m.file_type();
        if t.is_dir() {
            if excluded && scan.ignore.can_skip_dir(path) {
                return Ok(true);
            }
            let own = HostStat::of(m, false);
            let item = Item::Dir {
                vpath,
                meta: m.clone(),
                excluded,
            };
            if !self.send(item) {
                return Ok(false);
            }
            return self.walk(path, Some(&info), excluded, own);
        }
        if excluded || scan.ignore_file == Some(path) {
            return Ok(true);
        }
        let host = scan.root.join(path);
        let target = if t.is_symlink() {
            let target = fs::read_link(&host)?;
            let Some(target) = target.to_str() else {
                anyhow::bail!("{}: a symlink target that is not UTF-8", host.display());
            };
            Some(target.to_owned())
        } else {
            None
        };
        let item = Item::Leaf {
            vpath,
            host,
            meta: m.clone(),
            target,
            made_parent: *made_parent,
        };
        *made_parent = true;
        Ok(self.send(item))
    }
}
#[cfg(test)]
mod tests {
    use std::fs;

    use super::read_context;

    #[test]
    fn the_tree_is_the_context_minus_what_dockerignore_excludes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for (path, text) in [
            ("a.txt", "a"),
            ("build/out.o", "o"),
            ("build/keep/kept.txt", "k"),
            ("node_modules/x/y.js", "y"),
            ("src/main.rs", "fn main() {}"),
            ("src/main.tmp", "t"),
            (
                "sub/.dockerignore",
                "*.tmp\nbuild/\n!build/keep/kept.txt\nnode_modules\n",
            ),
        ] {
            let p = root.join(path);
            fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
            fs::write(p, text).expect("write");
        }
        std::os::unix::fs::symlink("src/main.rs", root.join("link")).expect("symlink");
        let ctx = read_context(
            root,
            &[
                "sub/Dockerfile.dockerignore".to_owned(),
                "sub/.dockerignore".to_owned(),
            ],
        )
        .expect("context");
        let paths: Vec<String> = ctx.fs.walk().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            [
                "/a.txt",
                "/build",
                "/build/keep",
                "/build/keep/kept.txt",
                "/link",
                "/src",
                "/src/main.rs",
                // `*.tmp` is matched from the root only, as Docker does.
                "/src/main.tmp",
                "/sub",
                "/sub/.dockerignore",
            ]
        );
        assert_eq!(ctx.ignore_file.as_deref(), Some("sub/.dockerignore"));
        let missing = read_context(&root.join("absent"), &[]);
        assert!(missing.is_err());
    }

    #[test]
    fn the_scan_records_each_directory_as_listing_it_now_would() {
        use crate::host_tree::HostDir;
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for path in ["a/one", "a/b/two", "c/three", "top"] {
            let p = root.join(path);
            fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
            fs::write(p, path).expect("write");
        }
        let mut ctx = read_context(root, &[]).expect("context");
        ctx.host.find_xattrs();
        for d in ["", "a", "a/b", "c"] {
            let d = root.join(d);
            let scanned = ctx.host.get(&d).expect("listed");
            let now = HostDir::list(&d).expect("list").expect("UTF-8");
            assert_eq!(scanned.own, now.own, "{}", d.display());
            assert_eq!(scanned.entries, now.entries, "{}", d.display());
        }
        assert!(ctx.host.get(&root.join("a/one")).is_none());
    }

    #[test]
    fn a_bad_name_in_a_later_entry_fails_the_scan() {
        use std::os::unix::ffi::OsStrExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for d in ["a", "b", "z"] {
            fs::create_dir_all(root.join(d)).expect("dirs");
            fs::write(root.join(d).join("f"), d).expect("write");
        }
        let bad = root.join("z").join(std::ffi::OsStr::from_bytes(b"bad\xff"));
        fs::write(bad, "x").expect("write");
        let err = read_context(root, &[]).expect_err("not UTF-8");
        assert!(format!("{err:#}").contains("not UTF-8"), "{err:#}");
    }
}
