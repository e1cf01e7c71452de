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
use std::path::Path;

use anyhow::{Context as _, Result};
use stowage_store::FileRange;
use stowage_syntax::dockerignore::{DockerIgnore, ParentMatches};
use stowage_vfs::{Fs, HostIdentity, Metadata};

/// What was read.
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) fs: Fs,
    /// The `.dockerignore` that applied (context-relative).
    ignore_file: Option<String>,
}

/// Reads `dir`; `ignore_files` are the context-relative `.dockerignore` candidates, the
/// first that exists wins (`<Dockerfile>.dockerignore`, then `.dockerignore`).
pub(crate) fn read_context(dir: &Path, ignore_files: &[String]) -> Result<Context> {
    let mut ctx = Context {
        fs: Fs::new(),
        ignore_file: None,
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
    walk(dir, "", None, &ignore, &mut ctx)?;
    Ok(ctx)
}

fn identity_of(m: &fs::Metadata) -> HostIdentity {
    let nanos = |s: i64, ns: i64| s.saturating_mul(1_000_000_000).saturating_add(ns);
    HostIdentity {
        dev: m.dev(),
        inode: m.ino(),
        mtime_nanos: nanos(m.mtime(), m.mtime_nsec()),
        ctime_nanos: nanos(m.ctime(), m.ctime_nsec()),
    }
}

fn meta_of(m: &fs::Metadata) -> Metadata {
    Metadata::new(m.mode() & 0o7777).with_mtime(m.mtime())
}

fn walk(
    root: &Path,
    rel: &str,
    parent: Option<&ParentMatches>,
    ignore: &DockerIgnore,
    ctx: &mut Context,
) -> Result<()> {
    let dir = root.join(rel);
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
    names.sort_by(|a, b| a.0.cmp(&b.0));
    // Whether this directory is in the tree yet (an excluded one is made only for a file
    // an exception brings back).
    let mut made = rel.is_empty() || ctx.fs.lstat(&format!("/{rel}")).is_ok();
    for (name, m) in names {
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let host = root.join(&path);
        let (excluded, info) = if ignore.is_empty() {
            (false, ParentMatches::default())
        } else {
            ignore.check(&path, parent)
        };
        let vpath = format!("/{path}");
        let t = m.file_type();
        if t.is_dir() {
            if excluded && ignore.can_skip_dir(&path) {
                continue;
            }
            if !excluded {
                ctx.fs.create_dir_all(&vpath, &meta_of(&m))?;
                ctx.fs.set_metadata(&vpath, meta_of(&m))?;
            }
            walk(root, &path, Some(&info), ignore, ctx)?;
            continue;
        }
        // The ignore file is in the tree already.
        if excluded || ctx.ignore_file.as_deref() == Some(path.as_str()) {
            continue;
        }
        if !made {
            let parent_dir = stowage_vfs::path::parent(&vpath).to_owned();
            ctx.fs.create_dir_all(&parent_dir, &Metadata::dir())?;
            made = true;
        }
        if t.is_symlink() {
            let target = fs::read_link(&host)?;
            let Some(target) = target.to_str() else {
                anyhow::bail!("{}: a symlink target that is not UTF-8", host.display());
            };
            ctx.fs.symlink(&vpath, target, meta_of(&m))?;
        } else if t.is_file() {
            let content = FileRange::file(host, m.len(), identity_of(&m));
            ctx.fs.write_file(&vpath, content, meta_of(&m))?;
        }
    }
    Ok(())
}
