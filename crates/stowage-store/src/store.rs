//! The store root: directories, blobs, layers, locks and garbage collection.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use stowage_oci::layer::{ReadOptions, TarOptions, read_layer, write_tar_indexed};
use stowage_oci::layout::OCI_LAYOUT;
use stowage_oci::{Digest, Index, Manifest, Sha256Writer};
use stowage_vfs::Layer;

use crate::atomic::{self, TempFile};
use crate::layer_index::LayerIndex;
use crate::pipe::pipelined;
use crate::{Result, StoreError, io_err};

/// The store directory: `$STOWAGE_ROOT`, else `$XDG_DATA_HOME/stowage`, else
/// `~/.local/share/stowage`.
pub fn default_root() -> Result<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(r) = var("STOWAGE_ROOT") {
        return Ok(PathBuf::from(r));
    }
    if let Some(x) = var("XDG_DATA_HOME") {
        return Ok(PathBuf::from(x).join("stowage"));
    }
    var("HOME")
        .map(|h| PathBuf::from(h).join(".local/share/stowage"))
        .ok_or(StoreError::NoRoot)
}

/// What [`Store::gc`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Blobs deleted.
    pub blobs: usize,
    /// Bytes freed.
    pub bytes: u64,
    /// Temporary files and directories removed.
    pub temps: usize,
    /// Set when another process was using the store, so no blob was deleted.
    pub skipped_busy: bool,
}

/// An open store. One per process; share it through `Rc`.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    /// Held shared for the life of the process (see the crate docs); `None` after
    /// [`Store::gc`] upgraded it.
    gc_lock: RefCell<Option<File>>,
    /// Layers loaded or written by this process, by diff ID, with whether their blob's
    /// digest was checked (layers loaded from an index for a cache hit are not, until an
    /// image read needs them).
    layers: RefCell<HashMap<Digest, (Arc<Layer>, bool)>>,
    tar_options: Cell<TarOptions>,
}

/// The exclusive lock on the index; released when dropped.
#[derive(Debug)]
pub struct IndexLock(#[expect(dead_code, reason = "held for its lock")] File);

impl Store {
    /// Opens (creating when needed) the store at `root`.
    pub fn open(root: &Path) -> Result<Rc<Self>> {
        for dir in [
            "blobs/sha256",
            "tmp",
            "cache/entries",
            "cache/mounts",
            "cache/projects",
        ] {
            let p = root.join(dir);
            fs::create_dir_all(&p).map_err(io_err("creating", &p))?;
        }
        let gc_path = root.join("gc.lock");
        let gc = open_lock(&gc_path)?;
        gc.lock_shared().map_err(io_err("locking", &gc_path))?;
        let store = Self {
            root: root.to_owned(),
            gc_lock: RefCell::new(Some(gc)),
            layers: RefCell::new(HashMap::new()),
            tar_options: Cell::new(TarOptions::default()),
        };
        let marker = root.join("oci-layout");
        if !marker.exists() {
            atomic::write(&store.tmp(), &marker, OCI_LAYOUT.as_bytes(), true)?;
        }
        let index = root.join("index.json");
        if !index.exists() {
            let _lock = store.lock_index()?;
            if !index.exists() {
                let bytes = stowage_oci::json::to_vec(&Index::new(Vec::new())).map_err(|e| {
                    StoreError::Invalid {
                        what: "index.json".into(),
                        reason: e.to_string(),
                    }
                })?;
                atomic::write(&store.tmp(), &index, &bytes, true)?;
            }
        }
        Ok(Rc::new(store))
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where temporary files go (same filesystem as the blobs, so renames are atomic).
    pub fn tmp(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// A new empty directory under `tmp/` (the caller removes it).
    pub fn temp_dir(&self, prefix: &str) -> Result<PathBuf> {
        let p = atomic::temp_path(&self.tmp(), prefix);
        fs::create_dir(&p).map_err(io_err("creating", &p))?;
        Ok(p)
    }

    /// The options layers are tarred with (`SOURCE_DATE_EPOCH` clamps file times): must be
    /// those the build computed diff IDs with.
    pub fn set_tar_options(&self, opts: TarOptions) {
        self.tar_options.set(opts);
    }

    /// Takes the exclusive index lock (blocks while another process holds it).
    pub fn lock_index(&self) -> Result<IndexLock> {
        let path = self.root.join("lock");
        let f = open_lock(&path)?;
        f.lock().map_err(io_err("locking", &path))?;
        Ok(IndexLock(f))
    }

    /// The path of a blob.
    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.root.join(digest.blob_path())
    }

    /// Whether the blob is present (not verified).
    pub fn has_blob(&self, digest: &Digest) -> bool {
        self.blob_path(digest).is_file()
    }

    /// Reads a blob, checking its digest.
    pub fn read_blob(&self, digest: &Digest) -> Result<Vec<u8>> {
        let path = self.blob_path(digest);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::MissingBlob(digest.to_string()));
            }
            Err(e) => return Err(io_err("reading", &path)(e)),
        };
        if !digest.verify(&bytes) {
            return Err(StoreError::Corrupt {
                digest: digest.to_string(),
                reason: format!("its bytes hash to {}", Digest::sha256(&bytes)),
            });
        }
        Ok(bytes)
    }

    /// Writes a blob (atomically, durably); returns its digest.
    pub fn write_blob(&self, bytes: &[u8]) -> Result<Digest> {
        let digest = Digest::sha256(bytes);
        let dest = self.blob_path(&digest);
        if !dest.is_file() {
            let mut t = TempFile::new(&self.tmp(), "blob")?;
            t.writer()
                .write_all(bytes)
                .map_err(io_err("writing", &t.path))?;
            t.commit(&dest, true)?;
        }
        Ok(digest)
    }

    /// Streams a blob from `reader` into the store, hashing it on the way: committed only
    /// when its bytes hash to `expected` (otherwise [`StoreError::Corrupt`] and nothing is
    /// left behind). Returns its size. Used by pulls, whose blobs come from the network.
    pub fn write_blob_from(&self, reader: &mut dyn Read, expected: &Digest) -> Result<u64> {
        let mut t = TempFile::new(&self.tmp(), "pull")?;
        let mut hash = Sha256Writer::new();
        let tpath = t.path.clone();
        {
            let mut out =
                std::io::BufWriter::new(Tee(t.writer(), &mut hash, Writeback::new(), false));
            std::io::copy(reader, &mut out).map_err(io_err("downloading into", &tpath))?;
            out.flush().map_err(io_err("writing", &tpath))?;
        }
        let size = hash.len();
        let got = hash.finish();
        if &got != expected {
            return Err(StoreError::Corrupt {
                digest: expected.to_string(),
                reason: format!("its bytes hash to {got}"),
            });
        }
        t.commit(&self.blob_path(expected), true)?;
        Ok(size)
    }

    /// Writes `layer` as an uncompressed tar blob that must hash to `diff_id` (skipped when
    /// that blob exists). Returns the tar's size.
    pub fn write_layer(&self, layer: &Layer, diff_id: &Digest) -> Result<u64> {
        let dest = self.blob_path(diff_id);
        if let Ok(m) = fs::metadata(&dest) {
            return Ok(m.len());
        }
        let tarred = self.tar_layer(layer, &self.tar_options.get(), Some(diff_id))?;
        if &tarred.digest != diff_id {
            return Err(StoreError::Corrupt {
                digest: diff_id.to_string(),
                reason: format!(
                    "the layer's tar hashes to {} (built with other tar options?)",
                    tarred.digest
                ),
            });
        }
        self.commit_layer(layer, tarred)
    }

    /// Tars `layer` with `opts` into the store and returns its diff ID and size: the
    /// build's one pass over the layer's bytes (hashing and storing at once), after which
    /// [`Store::write_layer`] of the same layer finds the blob there.
    pub fn store_layer(&self, layer: &Layer, opts: &TarOptions) -> Result<(Digest, u64)> {
        let tarred = self.tar_layer(layer, opts, None)?;
        self.store_tarred(layer, tarred)
    }

    /// Starts [`Store::store_layer`] of `layer` on another thread: the tar is written and
    /// hashed there while this one goes on; [`Store::finish_layer`] waits for it and
    /// stores the blob.
    pub fn begin_layer(&self, layer: Arc<Layer>, opts: TarOptions) -> PendingLayer {
        let tmp = self.tmp();
        let tarring = Arc::clone(&layer);
        let job = std::thread::Builder::new()
            .name("stowage-tar".into())
            .spawn(move || tar_layer_in(&tmp, &tarring, &opts, None))
            .ok();
        PendingLayer { layer, opts, job }
    }

    /// Ends what [`Store::begin_layer`] began: the layer's diff ID and blob size.
    pub fn finish_layer(&self, pending: PendingLayer) -> Result<(Digest, u64)> {
        let tarred = match pending.job {
            Some(job) => job.join().unwrap_or_else(|_| {
                Err(StoreError::Layer {
                    digest: "being written".to_owned(),
                    reason: "the tar thread panicked".to_owned(),
                })
            })?,
            // No thread to spare: written here.
            None => self.tar_layer(&pending.layer, &pending.opts, None)?,
        };
        self.store_tarred(&pending.layer, tarred)
    }

    fn store_tarred(&self, layer: &Layer, tarred: Tarred) -> Result<(Digest, u64)> {
        let digest = tarred.digest.clone();
        if let Ok(m) = fs::metadata(self.blob_path(&digest)) {
            return Ok((digest, m.len()));
        }
        let size = self.commit_layer(layer, tarred)?;
        Ok((digest, size))
    }

    /// Writes the tar of `layer` to a temporary file while hashing it.
    /// `diff_id` names the layer in errors when it is known beforehand.
    fn tar_layer(
        &self,
        layer: &Layer,
        opts: &TarOptions,
        diff_id: Option<&Digest>,
    ) -> Result<Tarred> {
        tar_layer_in(&self.tmp(), layer, opts, diff_id)
    }

    /// Renames a tarred layer into `blobs/`, writes its index and remembers it.
    fn commit_layer(&self, layer: &Layer, tarred: Tarred) -> Result<u64> {
        let Tarred {
            temp,
            digest,
            size,
            offsets,
        } = tarred;
        let dest = self.blob_path(&digest);
        temp.commit(&dest, true)?;
        // From now on the layer's bytes are read from its blob (a context file may change).
        let indexed = LayerIndex::new(layer, size, &offsets).and_then(|index| {
            self.write_bytes(&self.layer_index_path(&digest), &index.encode(), false)
                .ok()?;
            index.to_layer(&dest, size)
        });
        self.layers
            .borrow_mut()
            .entry(digest)
            .or_insert_with(|| (Arc::new(indexed.unwrap_or_else(|| layer.clone())), true));
        Ok(size)
    }

    fn layer_index_path(&self, diff_id: &Digest) -> PathBuf {
        self.root
            .join("cache/layer-index")
            .join(format!("{}.bin", diff_id.encoded()))
    }

    /// The layer of an uncompressed blob from its index, its files' bytes left in the blob
    /// (`None` without a usable index). The blob was verified when it was written; the
    /// bytes read through the index are not hashed again.
    fn indexed_layer(&self, diff_id: &Digest) -> Option<Layer> {
        let bytes = Self::read_bytes(&self.layer_index_path(diff_id)).ok()??;
        let index = LayerIndex::decode(&bytes)?;
        let blob = self.blob_path(diff_id);
        let size = fs::metadata(&blob).ok()?.len();
        index.to_layer(&blob, size)
    }

    /// The layer of a build-cache result: from its index when the store wrote it (no blob
    /// read; the files' bytes stay in the blob and are not hashed again: the blob was
    /// verified when written), else decoded and verified like [`Store::load_layer`].
    pub fn load_cached_layer(&self, diff_id: &Digest) -> Result<Arc<Layer>> {
        if let Some((l, _)) = self.layers.borrow().get(diff_id) {
            return Ok(Arc::clone(l));
        }
        if let Some(layer) = self.indexed_layer(diff_id) {
            let layer = Arc::new(layer);
            self.layers
                .borrow_mut()
                .insert(diff_id.clone(), (Arc::clone(&layer), false));
            return Ok(layer);
        }
        self.load_layer(diff_id, diff_id)
    }

    /// Streams a blob through SHA-256 and checks it against its digest.
    fn verify_blob(&self, digest: &Digest) -> Result<()> {
        let path = self.blob_path(digest);
        let mut f = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::MissingBlob(digest.to_string()));
            }
            Err(e) => return Err(io_err("reading", &path)(e)),
        };
        let mut hash = Sha256Writer::new();
        std::io::copy(&mut f, &mut hash).map_err(io_err("reading", &path))?;
        let got = hash.finish();
        if &got != digest {
            return Err(StoreError::Corrupt {
                digest: digest.to_string(),
                reason: format!("its bytes hash to {got}"),
            });
        }
        Ok(())
    }

    /// Reads and decodes the layer blob `digest` (any compression), verifying the blob's
    /// digest and that its tar hashes to `diff_id`. Decoded layers are shared per process.
    pub fn load_layer(&self, digest: &Digest, diff_id: &Digest) -> Result<Arc<Layer>> {
        let memo = self.layers.borrow().get(diff_id).cloned();
        if let Some((l, verified)) = memo {
            if !verified {
                // Loaded from its index for a cache hit: check the blob once now.
                self.verify_blob(diff_id)?;
                if let Some(entry) = self.layers.borrow_mut().get_mut(diff_id) {
                    entry.1 = true;
                }
            }
            return Ok(l);
        }
        let bytes = self.read_blob(digest)?;
        let decoded =
            read_layer(&bytes, &ReadOptions::default()).map_err(|e| StoreError::Layer {
                digest: diff_id.to_string(),
                reason: e.to_string(),
            })?;
        if &decoded.diff_id != diff_id {
            return Err(StoreError::Corrupt {
                digest: diff_id.to_string(),
                reason: format!("the layer's tar hashes to {}", decoded.diff_id),
            });
        }
        let layer = Arc::new(decoded.layer);
        self.layers
            .borrow_mut()
            .insert(diff_id.clone(), (Arc::clone(&layer), true));
        Ok(layer)
    }

    /// Reads `index.json`.
    pub fn read_index(&self) -> Result<Index> {
        let path = self.root.join("index.json");
        let bytes = fs::read(&path).map_err(io_err("reading", &path))?;
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Invalid {
            what: "index.json".into(),
            reason: e.to_string(),
        })
    }

    /// Replaces `index.json` (hold [`Store::lock_index`]); syncs the blob directory first
    /// so that everything the new index references is durable.
    pub fn write_index(&self, index: &Index) -> Result<()> {
        atomic::sync_dir(&self.root.join("blobs/sha256"))?;
        let bytes = stowage_oci::json::to_vec(index).map_err(|e| StoreError::Invalid {
            what: "index.json".into(),
            reason: e.to_string(),
        })?;
        atomic::write(&self.tmp(), &self.root.join("index.json"), &bytes, true)
    }

    /// Every blob an index entry reaches (manifests, configs, layers).
    pub fn index_blobs(&self) -> Result<BTreeSet<Digest>> {
        let mut live = BTreeSet::new();
        for desc in self.read_index()?.manifests {
            live.insert(desc.digest.clone());
            if let Ok(bytes) = self.read_blob(&desc.digest)
                && let Ok(m) = serde_json::from_slice::<Manifest>(&bytes)
            {
                live.insert(m.config.digest);
                live.extend(m.layers.into_iter().map(|l| l.digest));
            }
        }
        Ok(live)
    }

    /// Deletes every blob that neither `index.json` nor `also_live` (the build cache)
    /// references, and leftover temporary files — but only when no other process has the
    /// store open (it may have written blobs it has not referenced yet).
    pub fn gc(&self, also_live: &BTreeSet<Digest>) -> Result<GcReport> {
        let mut report = GcReport::default();
        let gc_path = self.root.join("gc.lock");
        // Give up our shared lock and try for an exclusive one.
        let exclusive = open_lock(&gc_path)?;
        self.gc_lock.borrow_mut().take();
        let got = exclusive.try_lock().is_ok();
        if !got {
            exclusive
                .lock_shared()
                .map_err(io_err("locking", &gc_path))?;
            *self.gc_lock.borrow_mut() = Some(exclusive);
            report.skipped_busy = true;
            return Ok(report);
        }
        let _index = self.lock_index()?;
        let mut live = self.index_blobs()?;
        live.extend(also_live.iter().cloned());
        let dir = self.root.join("blobs/sha256");
        for entry in fs::read_dir(&dir).map_err(io_err("reading", &dir))? {
            let entry = entry.map_err(io_err("reading", &dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let keep = format!("sha256:{name}")
                .parse::<Digest>()
                .is_ok_and(|d| live.contains(&d));
            if !keep {
                report.bytes += entry.metadata().map_or(0, |m| m.len());
                fs::remove_file(entry.path()).map_err(io_err("removing", entry.path()))?;
                if let Ok(d) = format!("sha256:{name}").parse::<Digest>() {
                    let _ = fs::remove_file(self.layer_index_path(&d));
                    // An index an earlier version wrote.
                    let _ = fs::remove_file(self.layer_index_path(&d).with_extension("json"));
                }
                report.blobs += 1;
            }
        }
        let tmp = self.tmp();
        for entry in fs::read_dir(&tmp).map_err(io_err("reading", &tmp))? {
            let entry = entry.map_err(io_err("reading", &tmp))?;
            let p = entry.path();
            let _ = if p.is_dir() {
                fs::remove_dir_all(&p)
            } else {
                fs::remove_file(&p)
            };
            report.temps += 1;
        }
        // Back to shared for the rest of the process.
        exclusive
            .lock_shared()
            .map_err(io_err("locking", &gc_path))?;
        *self.gc_lock.borrow_mut() = Some(exclusive);
        self.layers.borrow_mut().clear();
        Ok(report)
    }

    /// Reads a small JSON document of the store, `None` when absent.
    #[expect(clippy::unused_self, reason = "reads belong to the store, like writes")]
    pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &Path,
    ) -> Result<Option<T>> {
        let Some(bytes) = Self::read_bytes(path)? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Invalid {
                what: path.display().to_string(),
                reason: e.to_string(),
            })
    }

    /// The bytes of `path`, `None` when it does not exist.
    pub(crate) fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>> {
        match fs::read(path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err("reading", path)(e)),
        }
    }

    /// Writes `bytes` to `path` atomically (and durably when `durable`).
    pub(crate) fn write_bytes(&self, path: &Path, bytes: &[u8], durable: bool) -> Result<()> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err("creating", parent))?;
        }
        atomic::write(&self.tmp(), path, bytes, durable)
    }

    /// Writes a JSON document of the store atomically.
    pub(crate) fn write_json<T: serde::Serialize>(
        &self,
        path: &Path,
        value: &T,
        durable: bool,
    ) -> Result<()> {
        let bytes = serde_json::to_vec(value).map_err(|e| StoreError::Invalid {
            what: path.display().to_string(),
            reason: e.to_string(),
        })?;
        self.write_bytes(path, &bytes, durable)
    }
}

fn open_lock(path: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io_err("opening", path))
}

/// [`Store::tar_layer`] into the store's temporary directory `tmp` (no `Store`: it may run
/// on another thread).
fn tar_layer_in(
    tmp: &Path,
    layer: &Layer,
    opts: &TarOptions,
    diff_id: Option<&Digest>,
) -> Result<Tarred> {
    let mut t = TempFile::new(tmp, "layer")?;
    let tpath = t.path.clone();
    let mut offsets = HashMap::new();
    let (written, piped) = pipelined(t.writer(), |out| {
        // Unbuffered: the pipe gathers the small writes, and a file's bytes must reach it
        // when the file says they begin (see `pipe::begin_file`).
        write_tar_indexed(layer, opts, out, &mut |p, o| {
            offsets.insert(p.to_owned(), o);
        })
        .map_err(std::io::Error::other)?;
        out.flush()
    });
    written.map_err(|e| {
        if piped.disk_full {
            StoreError::NoSpace {
                path: tpath.clone(),
            }
        } else {
            StoreError::Layer {
                digest: diff_id.map_or_else(|| "being written".to_owned(), Digest::to_string),
                reason: e.to_string(),
            }
        }
    })?;
    let size = piped.hash.len();
    Ok(Tarred {
        temp: t,
        digest: piped.hash.finish(),
        size,
        offsets,
    })
}

/// A layer [`Store::begin_layer`] is tarring.
#[derive(Debug)]
pub struct PendingLayer {
    layer: Arc<Layer>,
    opts: TarOptions,
    job: Option<std::thread::JoinHandle<Result<Tarred>>>,
}

impl PendingLayer {
    /// The layer being tarred.
    pub fn layer(&self) -> &Arc<Layer> {
        &self.layer
    }

    /// Waits for the tar and drops it.
    pub fn abandon(self) {
        if let Some(job) = self.job {
            let _ = job.join();
        }
    }
}

/// A layer tarred into a temporary file.
struct Tarred {
    temp: TempFile,
    digest: Digest,
    size: u64,
    offsets: HashMap<String, u64>,
}

/// Writes to a file and a hasher at once.
/// The last field says whether the disk filled up (the tar writer's own error loses that).
pub(crate) struct Tee<'a>(
    pub(crate) &'a mut File,
    pub(crate) &'a mut Sha256Writer,
    pub(crate) Writeback,
    pub(crate) bool,
);

/// Flushes a large blob to disk while it is being written: every [`Writeback::EVERY`]
/// bytes, a thread `fdatasync`s what is written so far (one at a time), so the `fsync`
/// that makes the blob durable at its commit has little left to wait for (a 200 MB `COPY`
/// spent a quarter of a second there).
pub(crate) struct Writeback {
    written: u64,
    next: u64,
    running: Option<std::thread::JoinHandle<()>>,
}

impl Writeback {
    const EVERY: u64 = 32 << 20;

    pub(crate) fn new() -> Self {
        Self {
            written: 0,
            next: Self::EVERY,
            running: None,
        }
    }

    pub(crate) fn wrote(&mut self, file: &File, n: usize) {
        self.written += n as u64;
        if self.written < self.next || self.running.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        self.next = self.written + Self::EVERY;
        if let Some(h) = self.running.take() {
            let _ = h.join();
        }
        if let Ok(f) = file.try_clone() {
            self.running = std::thread::Builder::new()
                .name("stowage-writeback".into())
                .spawn(move || {
                    let _ = f.sync_data();
                })
                .ok();
        }
    }
}

impl Drop for Writeback {
    /// Waits for the flush in flight.
    fn drop(&mut self) {
        if let Some(h) = self.running.take() {
            let _ = h.join();
        }
    }
}

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.0.write(buf).inspect_err(|e| {
            self.3 |= e.kind() == std::io::ErrorKind::StorageFull;
        })?;
        self.1.update(&buf[..n]);
        self.2.wrote(self.0, n);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/dev/full` answers every write with ENOSPC, like a full disk.
    #[test]
    fn a_full_disk_is_reported_as_such_not_as_a_bad_layer() {
        let mut file = File::options()
            .write(true)
            .open("/dev/full")
            .expect("open /dev/full");
        let mut hash = Sha256Writer::new();
        let mut tee = Tee(&mut file, &mut hash, Writeback::new(), false);
        let err = tee.write_all(&[0; 4096]).expect_err("/dev/full is full");
        assert!(tee.3, "the tee remembers the disk filled up");
        let mapped = io_err("writing", "/store/tmp/layer-1")(err);
        assert!(
            matches!(&mapped, StoreError::NoSpace { path } if path == Path::new("/store/tmp/layer-1")),
            "{mapped:?}"
        );
        let message = mapped.to_string();
        assert!(message.starts_with("no space left on device while writing /store/tmp/layer-1"));
        assert!(message.contains("stowage builder prune"), "{message}");

        let other =
            io_err("writing", "/x")(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        assert!(
            matches!(other, StoreError::Io { .. }),
            "other errors stay I/O errors"
        );
    }
}
