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
use stowage_vfs::{Content, Fs, HostIdentity, Layer};

use crate::binfmt::{Reader, Writer};
use crate::store::{PendingLayer, Store};
use crate::{Result, StoreError, hex, io_err};

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

/// The step records' file in a project directory, in [`crate::binfmt`] (`v2`; the JSON
/// `records.json` of earlier versions is ignored).
const RECORDS: &str = "records-v2.bin";

/// The first bytes of [`RECORDS`].
const RECORDS_MAGIC: &[u8] = b"stowage records 2\n";

fn put_digest(w: &mut Writer, d: Option<&Digest>) {
    match d {
        Some(d) => {
            w.u8(1);
            w.str(&d.to_string());
        }
        None => w.u8(0),
    }
}

#[expect(
    clippy::option_option,
    reason = "None: not a valid field; Some(None): no digest"
)]
fn get_digest(r: &mut Reader<'_>) -> Option<Option<Digest>> {
    match r.u8()? {
        0 => Some(None),
        1 => r.str()?.parse().ok().map(Some),
        _ => None,
    }
}

/// The records as bytes, by slot in order: instruction, parent key, inputs, file
/// checksums, key.
fn encode_records(records: &BTreeMap<String, StepRecord>) -> Vec<u8> {
    let mut w = Writer::new(RECORDS_MAGIC);
    w.u64(records.len() as u64);
    for (slot, r) in records {
        w.str(slot);
        w.str(&r.instruction);
        put_digest(&mut w, r.parent.as_ref());
        w.u64(r.inputs.len() as u64);
        for (k, v) in &r.inputs {
            w.str(k);
            w.str(v);
        }
        w.u64(r.files.len() as u64);
        for (path, sum) in r.files.iter() {
            w.str(path);
            w.0.extend_from_slice(sum);
        }
        put_digest(&mut w, r.key.as_ref());
    }
    w.0
}

/// The records from [`encode_records`]' bytes; `None` when they are not such a file.
fn decode_records(bytes: &[u8]) -> Option<BTreeMap<String, StepRecord>> {
    let mut r = Reader::new(bytes, RECORDS_MAGIC)?;
    let mut records = BTreeMap::new();
    for _ in 0..r.u64()? {
        let slot = r.str()?.to_owned();
        let instruction = r.str()?.to_owned();
        let parent = get_digest(&mut r)?;
        let mut inputs = BTreeMap::new();
        for _ in 0..r.u64()? {
            inputs.insert(r.str()?.to_owned(), r.str()?.to_owned());
        }
        let mut files = BTreeMap::new();
        for _ in 0..r.u64()? {
            files.insert(r.str()?.to_owned(), r.sum()?);
        }
        let key = get_digest(&mut r)?;
        records.insert(
            slot,
            StepRecord {
                instruction,
                parent,
                inputs,
                files: Arc::new(files),
                key,
            },
        );
    }
    r.is_empty().then_some(records)
}

/// The memo's file in a project directory, in [`crate::binfmt`] (`v4`: BLAKE3 checksums;
/// the files of earlier versions, whose sums were SHA-256, are ignored and removed).
const CHECKSUMS: &str = "checksums-v4.bin";

/// The first bytes of [`CHECKSUMS`].
const CHECKSUMS_MAGIC: &[u8] = b"stowage checksums 4\n";

/// The memo as bytes: per path in order, the stamp (mode, uid, gid, size, mtime, and the
/// host identity `dev, inode, mtime ns, ctime ns` after a 1, or a 0) and the checksum.
fn encode_checksums(memo: &HashMap<String, (FileStamp, [u8; 32])>) -> Vec<u8> {
    let mut rows: Vec<&(FileStamp, [u8; 32])> = memo.values().collect();
    rows.sort_unstable_by(|a, b| a.0.path.cmp(&b.0.path));
    let mut w = Writer::new(CHECKSUMS_MAGIC);
    w.u64(rows.len() as u64);
    for (s, sum) in rows {
        w.str(&s.path);
        w.u32(s.mode);
        w.u32(s.uid);
        w.u32(s.gid);
        w.u64(s.size);
        w.i64(s.mtime);
        match s.host {
            Some(h) => {
                w.u8(1);
                w.u64(h.dev);
                w.u64(h.inode);
                w.i64(h.mtime_nanos);
                w.i64(h.ctime_nanos);
            }
            None => w.u8(0),
        }
        w.0.extend_from_slice(sum);
    }
    w.0
}

/// The memo from [`encode_checksums`]' bytes; `None` when they are not such a file.
fn decode_checksums(bytes: &[u8]) -> Option<HashMap<String, (FileStamp, [u8; 32])>> {
    let mut r = Reader::new(bytes, CHECKSUMS_MAGIC)?;
    let n = r.u64()?;
    // Each row takes more than 64 bytes: a bogus count cannot reserve much.
    let mut memo = HashMap::with_capacity(usize::try_from(n.min(bytes.len() as u64 / 64)).ok()?);
    for _ in 0..n {
        let path = r.str()?.to_owned();
        let (mode, uid, gid, size, mtime) = (r.u32()?, r.u32()?, r.u32()?, r.u64()?, r.i64()?);
        let host = match r.u8()? {
            0 => None,
            1 => Some(HostIdentity {
                dev: r.u64()?,
                inode: r.u64()?,
                mtime_nanos: r.i64()?,
                ctime_nanos: r.i64()?,
            }),
            _ => return None,
        };
        let sum = r.sum()?;
        let stamp = FileStamp {
            path: path.clone(),
            mode,
            uid,
            gid,
            size,
            mtime,
            host,
        };
        memo.insert(path, (stamp, sum));
    }
    r.is_empty().then_some(memo)
}

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
    /// The layer being tarred on another thread ([`CacheStore::begin_diff_id`]).
    tarring: Option<PendingLayer>,
}

/// How many loaded filesystems [`DiskCacheStore`] keeps for stacking (O(1) clones).
const FS_MEMO: usize = 8;

impl DiskCacheStore {
    /// Opens the cache for `project` (any stable string naming the build, such as the
    /// context path and Dockerfile path). `now` is the build's start in seconds.
    pub fn open(store: Rc<Store>, project: &str, now: i64) -> Result<Self> {
        let id = hex(&Sha256::digest(project.as_bytes()))[..32].to_owned();
        let project_dir = store.root().join("cache/projects").join(id);
        let records = Store::read_bytes(&project_dir.join(RECORDS))?
            .and_then(|b| decode_records(&b))
            .unwrap_or_default();
        let checksums = Store::read_bytes(&project_dir.join(CHECKSUMS))?
            .and_then(|b| decode_checksums(&b))
            .unwrap_or_default();
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
            tarring: None,
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
            let bytes = encode_records(&self.records);
            self.store
                .write_bytes(&self.project_dir.join(RECORDS), &bytes, false)?;
            self.records_dirty = false;
        }
        if self.checksums_dirty {
            let bytes = encode_checksums(&self.checksums);
            self.store
                .write_bytes(&self.project_dir.join(CHECKSUMS), &bytes, false)?;
            self.checksums_dirty = false;
            // What earlier versions wrote is never read again.
            for old in [
                "checksums.json",
                "checksums-v2.json",
                "checksums-v3.bin",
                "records.json",
            ] {
                let _ = fs::remove_file(self.project_dir.join(old));
            }
        }
        Ok(())
    }

    fn entry_path(&self, key: &Digest) -> PathBuf {
        self.store
            .root()
            .join("cache/entries")
            .join(format!("{}.json", key.encoded()))
    }

    /// The mark of a stored result's definition ([`CacheStore::note_definition`]): empty,
    /// written before the result, so a result never lacks its mark (a mark without a result
    /// only makes the next build hash its files first).
    fn definition_path(&self, definition: &Digest) -> PathBuf {
        self.store
            .root()
            .join("cache/definitions")
            .join(definition.encoded())
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

impl Drop for DiskCacheStore {
    fn drop(&mut self) {
        // A tar nobody asked for (a failed build): waited for, its temporary file removed.
        if let Some(p) = self.tarring.take() {
            p.abandon();
        }
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

    fn hash_ahead(&mut self, contents: &[Content]) {
        hash_in_parallel(contents);
    }

    fn may_hold(&self, definition: &Digest) -> bool {
        self.definition_path(definition).exists()
    }

    fn note_definition(&mut self, definition: Digest) {
        let path = self.definition_path(&definition);
        if !path.exists()
            && let Err(e) = self.store.write_bytes(&path, &[], false)
        {
            self.errors.borrow_mut().push(e);
        }
    }

    fn diff_id(&mut self, layer: &Layer, opts: &TarOptions) -> std::result::Result<Digest, String> {
        let stored = match self.tarring.take() {
            Some(p) if std::ptr::eq(Arc::as_ptr(p.layer()), layer) => self.store.finish_layer(p),
            other => {
                // Another layer's tar (never asked for) is waited for and dropped.
                if let Some(p) = other {
                    p.abandon();
                }
                self.store.store_layer(layer, opts)
            }
        };
        stored.map(|(digest, _)| digest).map_err(|e| e.to_string())
    }

    fn begin_diff_id(&mut self, layer: &Arc<Layer>, opts: &TarOptions) {
        if let Some(p) = self.tarring.take() {
            p.abandon();
        }
        self.tarring = Some(self.store.begin_layer(Arc::clone(layer), *opts));
    }

    fn clear(&mut self) -> usize {
        let mut n = 0;
        let root = self.store.root().to_owned();
        for dir in ["cache/entries", "cache/mounts", "cache/definitions"] {
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

/// Hashes `contents` on every core (the handles remember the sums): a cold 200 MB context
/// is bound by SHA-256, which one core does at about 1.5 GB/s. Small batches stay on this
/// thread.
fn hash_in_parallel(contents: &[Content]) {
    let bytes: u64 = contents.iter().map(Content::len).sum();
    if contents.len() < 2 || bytes < 4 << 20 {
        return;
    }
    crate::on_every_core(contents, 8, |c| {
        // An unreadable file hashes again (and fails) when the tar is written.
        let _ = c.checksum();
    });
}

#[cfg(test)]
mod tests {
    use stowage_vfs::{Content, HostIdentity};

    use crate::FileRange;

    #[test]
    fn a_batch_hashed_ahead_leaves_every_handle_knowing_its_sum() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Over the 4 MiB below which a batch stays on the calling thread.
        let contents: Vec<(Content, Vec<u8>)> = (0..24_u8)
            .map(|i| {
                let bytes = vec![i; 200 << 10];
                let path = dir.path().join(format!("f{i}"));
                std::fs::write(&path, &bytes).expect("write");
                let identity = HostIdentity {
                    inode: u64::from(i),
                    ..HostIdentity::default()
                };
                (FileRange::file(path, bytes.len() as u64, identity), bytes)
            })
            .collect();
        let batch: Vec<Content> = contents.iter().map(|(c, _)| c.clone()).collect();
        super::hash_in_parallel(&batch);
        for (content, bytes) in &contents {
            let Content::External(handle) = content else {
                panic!("external content");
            };
            let sum = handle.known_checksum().expect("hashed ahead");
            assert_eq!(sum, Content::bytes(bytes.clone()).checksum());
        }
    }
}
