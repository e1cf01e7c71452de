//! Where a RUN's root filesystem is written.
//!
//! A tmpfs (`/dev/shm`) when the tree fits comfortably: writing a stage means creating one
//! inode per file, and ext4 allocates inodes slowly for tens of seconds after mass deletions
//! (its `recently_deleted` scan; cargo's target directories and earlier runs cause them), so
//! a 20,000-file RUN took 2–25 s on disk and takes a fraction of a second in memory. Larger
//! trees, or machines without `/dev/shm`, use the store's `tmp/`. The directory is private
//! (0700) and removed after the run; ones left by a killed build are removed by the next
//! build once their process is gone.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Result;
use stowage_store::Store;
use stowage_vfs::Fs;

const SHM: &str = "/dev/shm";
const PREFIX: &str = "stowage-run-";
/// Trees up to this size may go to the tmpfs, and only while it has four times the room.
const MAX_IN_MEMORY: u64 = 2 << 30;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A new empty directory for the root filesystem of `fs`.
pub(crate) fn run_dir(store: &Store, fs: &Fs) -> Result<PathBuf> {
    let shm = Path::new(SHM);
    let size = fs.total_size();
    if size <= MAX_IN_MEMORY
        && let Ok(st) = nix::sys::statvfs::statvfs(shm)
        && size.saturating_mul(4) <= st.blocks_available().saturating_mul(st.fragment_size())
    {
        sweep(shm);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = shm.join(format!("{PREFIX}{}-{n}", std::process::id()));
        if std::fs::create_dir(&dir).is_ok() {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
            return Ok(dir);
        }
    }
    Ok(store.temp_dir("run")?)
}

/// Removes run directories whose process is gone (a killed build).
fn sweep(shm: &Path) {
    let Ok(entries) = std::fs::read_dir(shm) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Removes the tree at `dir` on every core: removing 20,000 files is kernel work (about
/// 10 µs each) that one thread would do alone. The directories four levels down are
/// shared out (`dir/lower/app/src/pkg1`: a root filesystem two levels down); what is left
/// is removed last.
pub(crate) fn remove_tree(dir: &Path) {
    let mut frontier = vec![dir.to_owned()];
    for _ in 0..4 {
        let mut next = Vec::new();
        for d in frontier {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    next.push(e.path());
                }
            }
        }
        frontier = next;
    }
    stowage_store::on_every_core(&frontier, 4, |item| {
        let _ = std::fs::remove_dir_all(item);
    });
    let _ = std::fs::remove_dir_all(dir);
}
