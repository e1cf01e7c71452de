//! Atomic file writes: a temporary file in the same filesystem, fsync, rename.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Result, io_err};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh name in `tmp` that no other process or thread uses.
pub(crate) fn temp_path(tmp: &Path, prefix: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    tmp.join(format!("{prefix}-{}-{n}-{nanos:08x}", std::process::id()))
}

/// A temporary file opened for writing; [`TempFile::commit`] makes it appear at its
/// destination in one step, dropping it removes it.
#[derive(Debug)]
pub(crate) struct TempFile {
    pub(crate) path: PathBuf,
    pub(crate) file: Option<File>,
}

impl TempFile {
    pub(crate) fn new(tmp: &Path, prefix: &str) -> Result<Self> {
        let path = temp_path(tmp, prefix);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io_err("creating", &path))?;
        Ok(Self {
            path,
            file: Some(file),
        })
    }

    pub(crate) fn writer(&mut self) -> &mut File {
        self.file.as_mut().expect("the file is open until commit")
    }

    /// Flushes the bytes to disk and renames the file to `dest`.
    pub(crate) fn commit(mut self, dest: &Path, durable: bool) -> Result<()> {
        if let Some(file) = self.file.take()
            && durable
        {
            file.sync_all().map_err(io_err("syncing", &self.path))?;
        }
        fs::rename(&self.path, dest).map_err(io_err("renaming into", dest))?;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes` to `dest` atomically (readers see the old file or the new one, never a
/// part), durably when `durable` (file and directory fsynced).
pub(crate) fn write(tmp: &Path, dest: &Path, bytes: &[u8], durable: bool) -> Result<()> {
    let mut t = TempFile::new(tmp, "write")?;
    t.writer()
        .write_all(bytes)
        .map_err(io_err("writing", &t.path))?;
    t.commit(dest, durable)?;
    if durable && let Some(dir) = dest.parent() {
        sync_dir(dir)?;
    }
    Ok(())
}

/// fsyncs a directory, so renames into it survive a crash.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("syncing", dir))
}
