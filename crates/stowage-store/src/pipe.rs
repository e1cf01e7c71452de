//! [`pipelined`]: a stream written to a file and hashed by other threads while the calling
//! thread produces it. Tarring a layer is reading the files and formatting the tar on one
//! side, SHA-256 and the file write on the other: each half is about half the cost, so on
//! two cores a 200 MB `COPY` takes half the time.
//!
//! The hashing thread also hashes each context file in the stream on its own (see
//! [`begin_file`]): a COPY that runs before its files are hashed takes their checksums from
//! its layer, and the thread that reads them need not hash them too.
//!
//! The file is written with `O_DIRECT` where the filesystem takes it, by a third thread that
//! mostly waits for the disk: the blob goes from the chunk buffers (a few MiB, reused) to the
//! device instead of through 200 MB of fresh page cache, which costs more than the write
//! itself where memory is handed back to a hypervisor as soon as it is free (and the store
//! `fsync`s every blob anyway). The last, partial chunk is written through the page cache.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::sync::{Arc, OnceLock};

use stowage_oci::Sha256Writer;

use crate::store::Writeback;

/// Bytes handed over at a time.
const CHUNK: usize = 1 << 20;
/// Chunks in flight: enough to ride out a slow write, little memory.
const IN_FLIGHT: usize = 4;
/// What `O_DIRECT` needs buffers, lengths and offsets to be multiples of (the largest
/// logical block size in use).
const DIRECT_ALIGN: usize = 4096;

/// What the writing threads did.
pub(crate) struct Piped {
    /// The hash of every byte written, and their count.
    pub(crate) hash: Sha256Writer,
    /// Whether a write failed because the disk is full.
    pub(crate) disk_full: bool,
}

/// Where a file's bytes begin or end in the stream.
enum Mark {
    /// `len` bytes from here are a file whose checksum goes into `sum`.
    Begin {
        sum: Arc<OnceLock<[u8; 32]>>,
        len: u64,
    },
    End,
}

thread_local! {
    /// The marks made since the producer's last write; `None` when this thread is not
    /// producing a pipelined stream.
    static MARKS: RefCell<Option<Vec<Mark>>> = const { RefCell::new(None) };
}

/// Says that the next `len` bytes written to the stream this thread produces are a file
/// whose checksum (`stowage_vfs::Content::checksum`, BLAKE3) is wanted in `sum`: the
/// hashing thread will set it (once it saw them all).
/// `false`, and nothing happens, when no stream is being produced here.
pub(crate) fn begin_file(sum: &Arc<OnceLock<[u8; 32]>>, len: u64) -> bool {
    MARKS.with_borrow_mut(|marks| {
        marks.as_mut().is_some_and(|m| {
            m.push(Mark::Begin {
                sum: Arc::clone(sum),
                len,
            });
            true
        })
    })
}

/// Ends the file [`begin_file`] began.
pub(crate) fn end_file() {
    MARKS.with_borrow_mut(|marks| {
        if let Some(m) = marks.as_mut() {
            m.push(Mark::End);
        }
    });
}

/// Marks this thread as producing a stream until dropped.
struct Producing;

impl Producing {
    fn start() -> Self {
        MARKS.set(Some(Vec::new()));
        Self
    }
}

impl Drop for Producing {
    fn drop(&mut self) {
        MARKS.set(None);
    }
}

/// The file being hashed on its own, across chunks.
struct FileHash {
    hasher: blake3::Hasher,
    sum: Arc<OnceLock<[u8; 32]>>,
    left: u64,
}

impl FileHash {
    fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.left = self.left.wrapping_sub(bytes.len() as u64);
    }

    fn finish(self) {
        // Exactly the bytes announced, or nothing is remembered.
        if self.left == 0 {
            let _ = self.sum.set(*self.hasher.finalize().as_bytes());
        }
    }
}

/// Hashes the marked files' bytes of `chunk`, carrying the file in progress in `current`.
fn hash_files(chunk: &Chunk, current: &mut Option<FileHash>) {
    let bytes = chunk.bytes();
    let mut at = 0;
    for (offset, mark) in &chunk.marks {
        if let Some(f) = current.as_mut() {
            f.update(&bytes[at..*offset]);
        }
        at = *offset;
        // A file still open at a new mark ends here (finished only by its own end).
        if let Some(f) = current.take()
            && matches!(mark, Mark::End)
        {
            f.finish();
            continue;
        }
        if let Mark::Begin { sum, len } = mark {
            *current = Some(FileHash {
                hasher: blake3::Hasher::new(),
                sum: Arc::clone(sum),
                left: *len,
            });
        }
    }
    if let Some(f) = current.as_mut() {
        f.update(&bytes[at..]);
    }
}

/// A chunk buffer whose bytes start at an address `O_DIRECT` accepts: allocated once with
/// room to spare, the bytes begin at the first aligned address (it never reallocates: at
/// most [`CHUNK`] bytes go in). `marks` are the file boundaries in it, by offset.
struct Chunk {
    buf: Vec<u8>,
    start: usize,
    marks: Vec<(usize, Mark)>,
}

impl Chunk {
    fn new() -> Self {
        let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + DIRECT_ALIGN);
        let start = buf.as_ptr().align_offset(DIRECT_ALIGN).min(DIRECT_ALIGN);
        buf.resize(start, 0);
        Self {
            buf,
            start,
            marks: Vec::new(),
        }
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    fn clear(&mut self) {
        self.buf.truncate(self.start);
        self.marks.clear();
    }

    /// Places the marks made since the last write here, at the current end.
    fn take_marks(&mut self) {
        let at = self.len();
        MARKS.with_borrow_mut(|marks| {
            if let Some(m) = marks.as_mut() {
                self.marks.extend(m.drain(..).map(|mark| (at, mark)));
            }
        });
    }
}

/// The producer's side: fills chunks and passes them on.
struct ChunkWriter {
    chunk: Chunk,
    to_hasher: Option<SyncSender<Chunk>>,
    recycled: Receiver<Chunk>,
}

impl ChunkWriter {
    fn send(&mut self) -> io::Result<()> {
        self.chunk.take_marks();
        if self.chunk.len() == 0 && self.chunk.marks.is_empty() {
            return Ok(());
        }
        let fresh = self.recycled.try_recv().map_or_else(
            |_| Chunk::new(),
            |mut used| {
                used.clear();
                used
            },
        );
        let full = std::mem::replace(&mut self.chunk, fresh);
        let stopped = || io::Error::new(io::ErrorKind::BrokenPipe, "the writing thread stopped");
        self.to_hasher
            .as_ref()
            .ok_or_else(stopped)?
            .send(full)
            .map_err(|_| stopped())
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.chunk.take_marks();
        let room = CHUNK - self.chunk.len();
        let n = buf.len().min(room);
        self.chunk.buf.extend_from_slice(&buf[..n]);
        if self.chunk.len() == CHUNK {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// Appends chunks to the file: with `O_DIRECT` while every chunk so far was whole blocks
/// and the filesystem took it, through the page cache from then on.
struct DirectWriter<'a> {
    file: &'a File,
    direct: bool,
    writeback: Writeback,
    disk_full: bool,
}

impl<'a> DirectWriter<'a> {
    fn new(file: &'a File) -> Self {
        let direct = rustix::fs::fcntl_getfl(file)
            .and_then(|flags| rustix::fs::fcntl_setfl(file, flags | rustix::fs::OFlags::DIRECT))
            .is_ok();
        Self {
            file,
            direct,
            writeback: Writeback::new(),
            disk_full: false,
        }
    }

    fn buffered(&mut self) {
        if std::mem::take(&mut self.direct)
            && let Ok(flags) = rustix::fs::fcntl_getfl(self.file)
        {
            let _ = rustix::fs::fcntl_setfl(self.file, flags - rustix::fs::OFlags::DIRECT);
        }
    }

    fn write_chunk(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.direct && !bytes.len().is_multiple_of(DIRECT_ALIGN) {
            self.buffered();
        }
        let mut file = self.file;
        let mut done = 0;
        while done < bytes.len() {
            match file.write(&bytes[done..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A filesystem that takes the flag but not the write (or a short direct
                // write left the rest unaligned): the rest goes through the page cache.
                Err(e) if self.direct && e.kind() == io::ErrorKind::InvalidInput => {
                    self.buffered();
                }
                Err(e) => {
                    self.disk_full |= e.kind() == io::ErrorKind::StorageFull;
                    return Err(e);
                }
            }
        }
        self.writeback.wrote(self.file, bytes.len());
        Ok(())
    }
}

/// Runs `produce` with a writer whose bytes a second thread hashes and a third appends to
/// `file`; returns `produce`'s result (or a writing thread's error, which comes first) and
/// what the writing threads did. `produce` must write straight to it (no buffer between):
/// [`begin_file`]'s marks go where its writes have reached.
pub(crate) fn pipelined<T>(
    file: &mut File,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> (io::Result<T>, Piped) {
    let (to_hasher, chunks) = sync_channel::<Chunk>(IN_FLIGHT);
    let (to_disk, hashed) = sync_channel::<Chunk>(IN_FLIGHT);
    let (give_back, recycled) = channel::<Chunk>();
    let file: &File = file;
    std::thread::scope(|scope| {
        let hasher = scope.spawn(move || {
            let mut hash = Sha256Writer::new();
            let mut file = None;
            for chunk in chunks {
                hash.update(chunk.bytes());
                hash_files(&chunk, &mut file);
                // The disk thread hung up on an error: dropping `chunks` stops the producer.
                if to_disk.send(chunk).is_err() {
                    break;
                }
            }
            hash
        });
        let disk = scope.spawn(move || {
            let mut out = DirectWriter::new(file);
            let mut failed = None;
            for chunk in hashed {
                if let Err(e) = out.write_chunk(chunk.bytes()) {
                    failed = Some(e);
                    break;
                }
                let _ = give_back.send(chunk);
            }
            (failed, out.disk_full)
            // Dropping `out` waits for the flush in flight.
        });
        let mut out = ChunkWriter {
            chunk: Chunk::new(),
            to_hasher: Some(to_hasher),
            recycled,
        };
        let producing = Producing::start();
        let produced = produce(&mut out).and_then(|v| out.flush().map(|()| v));
        drop(producing);
        // Hanging up tells the writing threads the stream is complete.
        out.to_hasher = None;
        let hashed = hasher.join();
        let (mut failed, disk_full) = disk
            .join()
            .unwrap_or_else(|_| (Some(io::Error::other("the writing thread panicked")), false));
        let hash = hashed.unwrap_or_else(|_| {
            failed.get_or_insert_with(|| io::Error::other("the hashing thread panicked"));
            Sha256Writer::new()
        });
        let piped = Piped { hash, disk_full };
        match failed {
            Some(e) => (Err(e), piped),
            None => (produced, piped),
        }
    })
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Seek as _};

    use super::*;

    #[test]
    fn the_file_gets_every_byte_and_the_hash_matches_them() {
        let mut file = tempfile::tempfile().expect("tempfile");
        // Writes of odd sizes across chunk boundaries.
        let bytes: Vec<u8> = (0..(3 * CHUNK + 12_345)).map(|i| (i % 251) as u8).collect();
        let (result, piped) = pipelined(&mut file, |out| {
            for part in bytes.chunks(70_001) {
                out.write_all(part)?;
            }
            Ok(7)
        });
        assert_eq!(result.expect("written"), 7);
        assert!(!piped.disk_full);
        assert_eq!(piped.hash.len(), bytes.len() as u64);
        assert_eq!(piped.hash.finish(), stowage_oci::Digest::sha256(&bytes));
        let mut back = Vec::new();
        file.rewind().expect("rewind");
        file.read_to_end(&mut back).expect("read");
        assert_eq!(back, bytes);
    }

    #[test]
    fn direct_writes_fall_back_to_the_page_cache_for_unaligned_chunks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = File::create(dir.path().join("blob")).expect("create");
        let mut out = DirectWriter::new(&file);
        let whole = Chunk::new();
        assert_eq!(
            whole.buf.as_ptr().wrapping_add(whole.start) as usize % DIRECT_ALIGN,
            0
        );
        let mut expected = Vec::new();
        for part in [
            vec![1_u8; 2 * DIRECT_ALIGN],
            vec![2; 100],
            vec![3; DIRECT_ALIGN],
        ] {
            let mut chunk = Chunk::new();
            chunk.buf.extend_from_slice(&part);
            out.write_chunk(chunk.bytes()).expect("write");
            expected.extend_from_slice(&part);
        }
        assert!(!out.direct, "buffered from the unaligned chunk on");
        drop(out);
        assert_eq!(
            std::fs::read(dir.path().join("blob")).expect("read"),
            expected
        );
    }

    #[test]
    fn a_full_disk_stops_the_producer_and_is_reported() {
        let mut file = File::options()
            .write(true)
            .open("/dev/full")
            .expect("open /dev/full");
        let mut produced = 0_usize;
        let block = vec![1_u8; 64 << 10];
        let (result, piped) = pipelined(&mut file, |out| {
            for _ in 0..10_000 {
                out.write_all(&block)?;
                produced += 1;
            }
            Ok(())
        });
        let err = result.expect_err("/dev/full is full");
        assert_eq!(err.kind(), io::ErrorKind::StorageFull, "{err}");
        assert!(piped.disk_full);
        assert!(produced < 10_000, "the producer stopped early ({produced})");
    }

    #[test]
    fn the_producers_own_error_is_returned() {
        let mut file = tempfile::tempfile().expect("tempfile");
        let (result, piped) = pipelined(&mut file, |out| -> io::Result<()> {
            out.write_all(b"partial")?;
            Err(io::Error::other("a context file vanished"))
        });
        assert_eq!(
            result.expect_err("failed").to_string(),
            "a context file vanished"
        );
        assert!(!piped.disk_full);
    }
}
