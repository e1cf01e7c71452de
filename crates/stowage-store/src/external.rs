//! [`FileRange`]: bytes of a file on disk as `stowage_vfs` external content, read when the
//! core streams them (a build-context file, a file inside a stored layer blob).

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use stowage_vfs::{Content, ExternalContent, HostIdentity};

/// `len` bytes of the file at `path` from `offset`.
#[derive(Debug)]
pub struct FileRange {
    path: PathBuf,
    offset: u64,
    len: u64,
    identity: Option<HostIdentity>,
    /// The bytes' [`Content::checksum`], once known; shared with the layer pipeline's
    /// hashing thread ([`crate::pipe::begin_file`]).
    checksum: Arc<OnceLock<[u8; 32]>>,
}

impl FileRange {
    /// A whole file as `stat` described it: `identity` lets checksum memos recognise it
    /// unchanged without reading it.
    pub fn file(path: PathBuf, len: u64, identity: HostIdentity) -> Content {
        Content::external(Arc::new(Self {
            path,
            offset: 0,
            len,
            identity: Some(identity),
            checksum: Arc::default(),
        }))
    }

    /// A range of a file the store owns and never changes (a layer blob).
    pub(crate) fn range(path: &Path, offset: u64, len: u64) -> Content {
        Content::external(Arc::new(Self {
            path: path.to_owned(),
            offset,
            len,
            identity: None,
            checksum: Arc::default(),
        }))
    }
}

thread_local! {
    /// The layer blob read last: a RUN's root filesystem reads thousands of ranges of the
    /// same blob in a row, and opening it for each cost as much as copying the bytes.
    static LAST_BLOB: RefCell<Option<(PathBuf, Rc<File>)>> = const { RefCell::new(None) };
    /// The directory of the file read last: a layer's tar reads a directory's files one
    /// after the other, and each opened by its name there costs a one-name lookup instead
    /// of a walk of the whole path.
    static LAST_DIR: RefCell<Option<(PathBuf, std::os::fd::OwnedFd)>> =
        const { RefCell::new(None) };
}

/// Opens the whole file `path` for reading, by name in its directory when that was the
/// last one's.
fn open_in_dir(path: &Path) -> io::Result<File> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return File::open(path);
    };
    LAST_DIR.with_borrow_mut(|last| {
        let fd = match last {
            Some((d, fd)) if d == dir => fd,
            _ => {
                let fd = rustix::fs::open(
                    dir,
                    rustix::fs::OFlags::PATH
                        | rustix::fs::OFlags::DIRECTORY
                        | rustix::fs::OFlags::CLOEXEC,
                    rustix::fs::Mode::empty(),
                )?;
                &last.insert((dir.to_owned(), fd)).1
            }
        };
        let f = rustix::fs::openat(
            fd,
            name,
            rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC,
            rustix::fs::Mode::empty(),
        )?;
        Ok(File::from(f))
    })
}

impl FileRange {
    /// Copies a range of a store-owned blob (immutable, so an open descriptor stays good).
    fn write_blob_range(&self, out: &mut dyn io::Write) -> io::Result<()> {
        let cached = LAST_BLOB.with_borrow(|last| {
            last.as_ref()
                .filter(|(p, _)| *p == self.path)
                .map(|(_, f)| Rc::clone(f))
        });
        let file = if let Some(f) = cached {
            f
        } else {
            let f = Rc::new(File::open(&self.path)?);
            LAST_BLOB.set(Some((self.path.clone(), Rc::clone(&f))));
            f
        };
        let cap = usize::try_from(self.len.clamp(1, 128 << 10)).unwrap_or(128 << 10);
        let mut buf = vec![0_u8; cap];
        let (mut at, end) = (self.offset, self.offset.saturating_add(self.len));
        while at < end {
            let want = usize::try_from(end - at).map_or(cap, |n| n.min(cap));
            let n = file.read_at(&mut buf[..want], at)?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "{} bytes where {} were expected (the blob is truncated)",
                        at - self.offset,
                        self.len
                    ),
                ));
            }
            out.write_all(&buf[..n])?;
            at += n as u64;
        }
        Ok(())
    }
}

impl ExternalContent for FileRange {
    fn len(&self) -> u64 {
        self.len
    }

    fn write_to(&self, out: &mut dyn io::Write) -> io::Result<()> {
        let with_path =
            |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", self.path.display()));
        if self.identity.is_none() {
            return self.write_blob_range(out).map_err(with_path);
        }
        let mut f = open_in_dir(&self.path).map_err(with_path)?;
        if self.offset > 0 {
            f.seek(SeekFrom::Start(self.offset)).map_err(with_path)?;
        }
        // One read per 128 KiB rather than io::copy's 8 KiB. When a layer's tar reads the
        // file before anything hashed it, the tar's hashing thread hashes it too (a COPY that
        // ran before its files were hashed takes their checksums from its layer).
        let cap = usize::try_from(self.len.clamp(1, 128 << 10)).unwrap_or(128 << 10);
        let mut reader = io::BufReader::with_capacity(cap, f.take(self.len));
        let marked =
            self.checksum.get().is_none() && crate::pipe::begin_file(&self.checksum, self.len);
        let copied = io::copy(&mut reader, out);
        if marked {
            crate::pipe::end_file();
        }
        let copied = copied.map_err(with_path)?;
        if copied != self.len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "{}: {copied} bytes where {} were expected (the file changed during the build)",
                    self.path.display(),
                    self.len
                ),
            ));
        }
        Ok(())
    }

    fn known_checksum(&self) -> Option<[u8; 32]> {
        self.checksum.get().copied()
    }

    fn remember_checksum(&self, checksum: [u8; 32]) {
        let _ = self.checksum.set(checksum);
    }

    fn host_identity(&self) -> Option<HostIdentity> {
        self.identity
    }

    fn host_file(&self) -> Option<&Path> {
        // Only whole files carry an identity (ranges are of blobs).
        self.identity.map(|_| self.path.as_path())
    }
}
