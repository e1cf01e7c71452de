//! [`DiskCacheStore`]: the core's `CacheStore`, persistent and content-addressed.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use stowage_build::{CacheEntry, CacheStore, FileStamp, LayerRef, StepRecord};
use stowage_oci::Digest;
use stowage_oci::layer::{TarOptions, write_tar};
use stowage_shell::interp::{LogLine, Stream};
use stowage_vfs::{Fs, HostIdentity, Layer};

use crate::store::Store;
use crate::{Result, StoreError, hex, io_err, unhex32};

/// A cached step result as stored: the layers whose union is the step's filesystem (their
/// blobs are in `blobs/sha256`), the step's own layer and its output.
#[derive(Debug, Serialize, Deserialize)]
struct EntryFile {
    layers: Vec<Digest>,
    layer: Option<Digest>,
    #[serde(default)]
    log: Vec<(String, String)>,
    /// When the step was first built (Unix seconds).
    #[serde(default)]
    created: i64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct RecordFile {
    instruction: String,
    parent: Option<Digest>,
    inputs: BTreeMap<String, String>,
    files: BTreeMap<String, String>,
    key: Option<Digest>,
}

/// One memoised checksum: path, mode, uid, gid, size, mtime, the host file's
/// `[dev, inode, mtime ns, ctime ns]` when known, SHA-256 (hex).
type ChecksumRow = (String, u32, u32, u32, u64, i64, Option<[i64; 4]>, String);

/// The memo's file in a project directory (`-v2`: rows carry the host identity).
const CHECKSUMS: &str = "checksums-v2.json";

/// The build cache on disk.
///
/// - Results (`cache/entries/<key>.json`) list layer diff IDs; the layers are blobs of the
///   store, so a result costs only the layers it adds. Written at [`CacheStore::put`],
///   atomically, after its blobs.
/// - Step records (which inputs made each step's key, to explain the next HIT or MISS) and
///   the file-checksum memo are per *project* (a context directory and Dockerfile), so two
///   projects do not explain each other's builds; written by [`DiskCacheStore::flush`].
/// - The checksum memo keeps one row per path: the `FileStamp` (mode, owner, size, mtime
///   and, for context files the CLI stats, device, inode and mtime/ctime in nanoseconds)
///   and the checksum; a lookup hits only when the whole stamp is equal, so an unchanged
///   context is never read again. Like git's racy-clean rule, a file modified within a
///   second of the build's start is never memoised, so an edit right after the stat is
///   not missed.
#[derive(Debug)]
pub struct DiskCacheStore {
    store: Rc<Store>,
    project_dir: PathBuf,
    records: BTreeMap<String, StepRecord>,
    records_dirty: bool,
    checksums: HashMap<String, (FileStamp, [u8; 32])>,
    checksums_dirty: bool,
    /// Files with an mtime at or after this are not memoised.
    racy_after: i64,
    errors: RefCell<Vec<StoreError>>,
    /// Filesystems of results loaded in this process, by their layer stack: the next
    /// result on top of one (the step after it) applies only its own layer.
    fs_memo: RefCell<Vec<(Vec<Digest>, Fs)>>,
}

/// How many loaded filesystems [`DiskCacheStore`] keeps for stacking (O(1) clones).
const FS_MEMO: usize = 8;

impl DiskCacheStore {
    /// Opens the cache for `project` (any stable string naming the build, such as the
    /// context path and Dockerfile path). `now` is the build's start in seconds.
    pub fn open(store: Rc<Store>, project: &str, now: i64) -> Result<Self> {
        let id = hex(&Sha256::digest(project.as_bytes()))[..32].to_owned();
        let project_dir = store.root().join("cache/projects").join(id);
        let records: BTreeMap<String, RecordFile> = store
            .read_json(&project_dir.join("records.json"))?
            .unwrap_or_default();
        let records = records
            .into_iter()
            .map(|(slot, r)| {
                let files = r
                    .files
                    .into_iter()
                    .filter_map(|(p, h)| Some((p, unhex32(&h)?)))
                    .collect();
                (
                    slot,
                    StepRecord {
                        instruction: r.instruction,
                        parent: r.parent,
                        inputs: r.inputs,
                        files: Arc::new(files),
                        key: r.key,
                    },
                )
            })
            .collect();
        let rows: Vec<ChecksumRow> = store
            .read_json(&project_dir.join(CHECKSUMS))?
            .unwrap_or_default();
        let checksums = rows
            .into_iter()
            .filter_map(|(path, mode, uid, gid, size, mtime, host, h)| {
                let stamp = FileStamp {
                    path: path.clone(),
                    mode,
                    uid,
                    gid,
                    size,
                    mtime,
                    host: host.map(|[dev, inode, m, c]| HostIdentity {
                        dev: dev.cast_unsigned(),
                        inode: inode.cast_unsigned(),
                        mtime_nanos: m,
                        ctime_nanos: c,
                    }),
                };
                Some((path, (stamp, unhex32(&h)?)))
            })
            .collect();
        Ok(Self {
            store,
            project_dir,
            records,
            records_dirty: false,
            checksums,
            checksums_dirty: false,
            racy_after: now - 1,
            errors: RefCell::new(Vec::new()),
            fs_memo: RefCell::new(Vec::new()),
        })
    }

    /// The first error met through the trait (whose methods cannot fail), if any.
    pub fn take_error(&self) -> Option<StoreError> {
        let mut errors = self.errors.borrow_mut();
        (!errors.is_empty()).then(|| errors.remove(0))
    }

    /// Writes the step records and the checksum memo.
    pub fn flush(&mut self) -> Result<()> {
        if let Some(e) = self.take_error() {
            return Err(e);
        }
        if self.records_dirty {
            let out: BTreeMap<&String, RecordFile> = self
                .records
                .iter()
                .map(|(slot, r)| {
                    (
                        slot,
                        RecordFile {
                            instruction: r.instruction.clone(),
                            parent: r.parent.clone(),
                            inputs: r.inputs.clone(),
                            files: r.files.iter().map(|(p, h)| (p.clone(), hex(h))).collect(),
                            key: r.key.clone(),
                        },
                    )
                })
                .collect();
            self.store
                .write_json(&self.project_dir.join("records.json"), &out, false)?;
            self.records_dirty = false;
        }
        if self.checksums_dirty {
            let mut rows: Vec<ChecksumRow> = self
                .checksums
                .values()
                .map(|(s, h)| {
                    (
                        s.path.clone(),
                        s.mode,
                        s.uid,
                        s.gid,
                        s.size,
                        s.mtime,
                        s.host.map(|h| {
                            [
                                h.dev.cast_signed(),
                                h.inode.cast_signed(),
                                h.mtime_nanos,
                                h.ctime_nanos,
                            ]
                        }),
                        hex(h),
                    )
                })
                .collect();
            rows.sort();
            self.store
                .write_json(&self.project_dir.join(CHECKSUMS), &rows, false)?;
            self.checksums_dirty = false;
        }
        Ok(())
    }

    fn entry_path(&self, key: &Digest) -> PathBuf {
        self.store
            .root()
            .join("cache/entries")
            .join(format!("{}.json", key.encoded()))
    }

    fn mount_path(&self, id: &str) -> PathBuf {
        self.store
            .root()
            .join("cache/mounts")
            .join(&hex(&Sha256::digest(id.as_bytes()))[..32])
    }

    fn load(&self, key: &Digest) -> Result<Option<CacheEntry>> {
        let Some(file) = self.store.read_json::<EntryFile>(&self.entry_path(key))? else {
            return Ok(None);
        };
        let mut layers = Vec::with_capacity(file.layers.len());
        for diff_id in &file.layers {
            let layer = self.store.load_cached_layer(diff_id)?;
            layers.push(LayerRef {
                size: layer.size(),
                layer,
                diff_id: diff_id.clone(),
            });
        }
        let fs = self
            .stacked_fs(&file.layers, &layers)
            .map_err(|e| StoreError::Invalid {
                what: format!("cache entry {key}"),
                reason: e.to_string(),
            })?;
        let layer = file
            .layer
            .as_ref()
            .and_then(|d| layers.iter().rev().find(|l| &l.diff_id == d).cloned());
        let log = file
            .log
            .into_iter()
            .map(|(stream, text)| LogLine {
                stream: if stream == "stderr" {
                    Stream::Stderr
                } else {
                    Stream::Stdout
                },
                text,
            })
            .collect();
        Ok(Some(CacheEntry {
            fs,
            layer,
            layers,
            log,
            created: file.created,
        }))
    }

    /// The union of `layers` (diff IDs `ids`), starting from the longest stack loaded
    /// before that they extend.
    fn stacked_fs(
        &self,
        ids: &[Digest],
        layers: &[LayerRef],
    ) -> std::result::Result<Fs, stowage_vfs::VfsError> {
        let mut memo = self.fs_memo.borrow_mut();
        let (mut fs, done) = memo
            .iter()
            .filter(|(stack, _)| ids.starts_with(stack))
            .max_by_key(|(stack, _)| stack.len())
            .map_or_else(|| (Fs::new(), 0), |(stack, fs)| (fs.clone(), stack.len()));
        for l in &layers[done..] {
            fs.apply(&l.layer)?;
        }
        if done < ids.len() {
            if memo.len() >= FS_MEMO {
                memo.remove(0);
            }
            memo.push((ids.to_vec(), fs.clone()));
        }
        Ok(fs)
    }

    fn save(&self, key: &Digest, entry: &CacheEntry) -> Result<()> {
        for l in &entry.layers {
            self.store.write_layer(&l.layer, &l.diff_id)?;
        }
        let file = EntryFile {
            layers: entry.layers.iter().map(|l| l.diff_id.clone()).collect(),
            layer: entry.layer.as_ref().map(|l| l.diff_id.clone()),
            log: entry
                .log
                .iter()
                .map(|l| {
                    let s = match l.stream {
                        Stream::Stdout => "stdout",
                        Stream::Stderr => "stderr",
                    };
                    (s.to_owned(), l.text.clone())
                })
                .collect(),
            created: entry.created,
        };
        self.store.write_json(&self.entry_path(key), &file, true)
    }

    /// Every blob the cache keeps alive (for [`Store::gc`]).
    pub fn live_blobs(&self) -> Result<BTreeSet<Digest>> {
        let mut live = BTreeSet::new();
        let root = self.store.root().to_owned();
        for dir in ["cache/entries", "cache/mounts"] {
            let dir = root.join(dir);
            for e in fs::read_dir(&dir).map_err(io_err("reading", &dir))? {
                let e = e.map_err(io_err("reading", &dir))?;
                if dir.ends_with("entries") {
                    if let Some(f) = self.store.read_json::<EntryFile>(&e.path())? {
                        live.extend(f.layers);
                    }
                } else if let Some(d) = self.store.read_json::<Digest>(&e.path())? {
                    live.insert(d);
                }
            }
        }
        Ok(live)
    }

    /// Number of cached results on disk.
    pub fn len(&self) -> usize {
        fs::read_dir(self.store.root().join("cache/entries")).map_or(0, Iterator::count)
    }

    /// Whether no result is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl CacheStore for DiskCacheStore {
    fn get(&self, key: &Digest) -> Option<CacheEntry> {
        match self.load(key) {
            Ok(e) => e,
            Err(e) => {
                // A damaged entry is a miss, and said once.
                self.errors.borrow_mut().push(e);
                None
            }
        }
    }

    fn put(&mut self, key: Digest, entry: CacheEntry) {
        if let Err(e) = self.save(&key, &entry) {
            self.errors.borrow_mut().push(e);
        }
    }

    fn record(&self, slot: &str) -> Option<StepRecord> {
        self.records.get(slot).cloned()
    }

    fn set_record(&mut self, slot: String, record: StepRecord) {
        if self.records.get(&slot) != Some(&record) {
            self.records.insert(slot, record);
            self.records_dirty = true;
        }
    }

    fn cache_mount(&self, id: &str) -> Option<Fs> {
        let digest: Digest = self.store.read_json(&self.mount_path(id)).ok()??;
        let layer = self.store.load_layer(&digest, &digest).ok()?;
        Fs::from_layers([&*layer]).ok()
    }

    fn set_cache_mount(&mut self, id: String, contents: Fs) {
        let layer = Layer::full(&contents);
        let mut tar = Vec::new();
        let result = write_tar(&layer, &TarOptions::default(), &mut tar)
            .map_err(|e| StoreError::Layer {
                digest: format!("cache mount {id}"),
                reason: e.to_string(),
            })
            .and_then(|_| self.store.write_blob(&tar))
            .and_then(|d| self.store.write_json(&self.mount_path(&id), &d, true));
        if let Err(e) = result {
            self.errors.borrow_mut().push(e);
        }
    }

    fn checksum(&self, stamp: &FileStamp) -> Option<[u8; 32]> {
        self.checksums
            .get(&stamp.path)
            .and_then(|(s, sum)| (s == stamp).then_some(*sum))
    }

    fn set_checksum(&mut self, stamp: FileStamp, sum: [u8; 32]) {
        let racy = stamp.mtime >= self.racy_after
            || stamp
                .host
                .is_some_and(|h| h.ctime_nanos.div_euclid(1_000_000_000) >= self.racy_after);
        if racy {
            // A superseded row would never hit again.
            self.checksums_dirty |= self.checksums.remove(&stamp.path).is_some();
        } else {
            self.checksums.insert(stamp.path.clone(), (stamp, sum));
            self.checksums_dirty = true;
        }
    }

    fn diff_id(&mut self, layer: &Layer, opts: &TarOptions) -> std::result::Result<Digest, String> {
        self.store
            .store_layer(layer, opts)
            .map(|(digest, _)| digest)
            .map_err(|e| e.to_string())
    }

    fn clear(&mut self) -> usize {
        let mut n = 0;
        let root = self.store.root().to_owned();
        for dir in ["cache/entries", "cache/mounts"] {
            let dir = root.join(dir);
            if let Ok(rd) = fs::read_dir(&dir) {
                for e in rd.flatten() {
                    if fs::remove_file(e.path()).is_ok() && dir.ends_with("entries") {
                        n += 1;
                    }
                }
            }
        }
        self.records.clear();
        self.records_dirty = true;
        n
    }
}
