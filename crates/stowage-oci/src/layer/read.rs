//! The layer reader: safe on hostile input.
//!
//! - Names are cleaned lexically; a `..` that climbs above the root is an error (as Docker's
//!   "breakout" check), a leading `/` is dropped (the entry stays inside the root).
//! - Hard-link targets are cleaned the same way; one that climbs out is an error. Symlink
//!   targets are kept as written: they are data, and [`stowage_vfs::Fs`] resolves them inside
//!   the root, so an entry written "through" a symlink lands inside the tree.
//! - Device nodes and FIFOs are skipped (and reported) or rejected.
//! - Memory is bounded: the decompressed stream, each file, the kept content, PAX and GNU
//!   long-name headers, names and the entry count all have limits, checked before anything is
//!   allocated. The tar is read in the `tar` crate's raw mode so extension headers never reach
//!   an unbounded buffer.
//! - Nothing panics: every malformed header, checksum, truncation or corrupt compressed stream
//!   is a [`LayerError`].

use std::io::{self, Read};

use flate2::read::MultiGzDecoder;
use ruzstd::decoding::{FrameDecoder, StreamingDecoder};
use stowage_vfs::{Content, File, Layer, LayerEntry, Metadata, Symlink};

use super::{BudgetExceeded, Compression, LayerError};
use crate::{Digest, Sha256Writer};

/// Limits that keep a hostile layer from exhausting memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest decompressed tar (default 8 GiB).
    pub max_tar_size: u64,
    /// Largest single file (default 2 GiB).
    pub max_file_size: u64,
    /// Most file bytes kept in memory for one layer with [`ContentMode::Keep`] (default 1 GiB).
    pub max_content: u64,
    /// Most entries (default 1,000,000).
    pub max_entries: usize,
    /// Longest entry name or link target in bytes (default 4096, Linux's `PATH_MAX`).
    pub max_path_len: usize,
    /// Longest path component in bytes (default 255, Linux's `NAME_MAX`).
    pub max_name_len: usize,
    /// Largest PAX extended header (default 1 MiB).
    pub max_pax_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_tar_size: 8 << 30,
            max_file_size: 2 << 30,
            max_content: 1 << 30,
            max_entries: 1_000_000,
            max_path_len: 4096,
            max_name_len: 255,
            max_pax_size: 1 << 20,
        }
    }
}

/// What to keep of each file's bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ContentMode {
    /// Keep the bytes ([`Content::Bytes`]).
    #[default]
    Keep,
    /// Keep only size and SHA-256 ([`Content::Summary`]): enough for diffs and analysis of
    /// large images in little memory.
    Summarize,
}

/// What to do with device nodes and FIFOs, which a VFS cannot hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SpecialFiles {
    /// Leave them out and list them in [`DecodedLayer::skipped`] (as rootless unpackers do).
    #[default]
    Skip,
    /// Fail with [`LayerError::SpecialFile`].
    Reject,
}

/// Options for [`read_layer`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Resource limits.
    pub limits: Limits,
    /// What to keep of file bytes.
    pub content: ContentMode,
    /// Device nodes and FIFOs.
    pub special: SpecialFiles,
}

/// An entry the reader left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Canonical path.
    pub path: String,
    /// Why (`character device`, `block device`, `FIFO`, `global PAX header`).
    pub reason: &'static str,
}

/// A layer read from a blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedLayer {
    /// The changeset.
    pub layer: Layer,
    /// SHA-256 of the blob as given.
    pub digest: Digest,
    /// SHA-256 of the decompressed tar.
    pub diff_id: Digest,
    /// Size of the decompressed tar.
    pub tar_size: u64,
    /// The compression found.
    pub compression: Compression,
    /// Entries left out.
    pub skipped: Vec<Skipped>,
}

/// Counts and hashes the decompressed stream, failing past the budget.
struct Budget<R> {
    inner: R,
    hash: Sha256Writer,
    limit: u64,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        if self.hash.len() > self.limit {
            return Err(io::Error::other(BudgetExceeded(self.limit)));
        }
        Ok(n)
    }
}

/// Decompresses zstd frames one after another (a stream may hold several).
struct Zstd<'a> {
    dec: Option<StreamingDecoder<&'a [u8], FrameDecoder>>,
}

impl<'a> Zstd<'a> {
    fn new(blob: &'a [u8]) -> io::Result<Self> {
        let dec = StreamingDecoder::new(blob).map_err(|e| io::Error::other(e.to_string()))?;
        Ok(Self { dec: Some(dec) })
    }
}

impl Read for Zstd<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(dec) = &mut self.dec else {
                return Ok(0);
            };
            let n = dec.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            let rest: &[u8] = dec.get_ref();
            if rest.is_empty() {
                self.dec = None;
                return Ok(0);
            }
            self.dec =
                Some(StreamingDecoder::new(rest).map_err(|e| io::Error::other(e.to_string()))?);
        }
    }
}

fn decoder<'a>(blob: &'a [u8], compression: Compression) -> Result<Box<dyn Read + 'a>, LayerError> {
    Ok(match compression {
        Compression::None => Box::new(blob),
        Compression::Gzip => Box::new(MultiGzDecoder::new(blob)),
        Compression::Zstd => Box::new(Zstd::new(blob)?),
    })
}

/// Decompresses a layer blob (compression detected) into its tar bytes, at most `limit`
/// bytes.
pub fn decompress(blob: &[u8], limit: u64) -> Result<Vec<u8>, LayerError> {
    let compression = Compression::detect(blob);
    let mut reader = Budget {
        inner: decoder(blob, compression)?,
        hash: Sha256Writer::new(),
        limit,
    };
    let mut out = Vec::new();
    reader.read_to_end(&mut out)?;
    Ok(out)
}

/// Reads a layer blob (plain tar, gzip or zstd, detected from its first bytes) into a
/// changeset.
pub fn read_layer(blob: &[u8], opts: &ReadOptions) -> Result<DecodedLayer, LayerError> {
    let compression = Compression::detect(blob);
    let mut reader = Budget {
        inner: decoder(blob, compression)?,
        hash: Sha256Writer::new(),
        limit: opts.limits.max_tar_size,
    };
    let mut state = State {
        opts,
        layer: Layer::new(),
        skipped: Vec::new(),
        kept: 0,
        entries: 0,
    };
    {
        let mut archive = tar::Archive::new(&mut reader);
        let mut pax: Option<Vec<u8>> = None;
        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link: Option<Vec<u8>> = None;
        for entry in archive.entries()?.raw(true) {
            let mut entry = entry?;
            let typeflag = entry.header().entry_type().as_byte();
            match typeflag {
                b'x' => {
                    pax = Some(read_extension(&mut entry, "PAX", opts.limits.max_pax_size)?);
                    continue;
                }
                b'g' => {
                    // Global headers carry nothing a layer needs; read and drop them.
                    read_extension(&mut entry, "PAX", opts.limits.max_pax_size)?;
                    continue;
                }
                b'L' => {
                    long_name = Some(read_extension(
                        &mut entry,
                        "GNU long name",
                        opts.limits.max_path_len as u64 + 1,
                    )?);
                    continue;
                }
                b'K' => {
                    long_link = Some(read_extension(
                        &mut entry,
                        "GNU long link",
                        opts.limits.max_path_len as u64 + 1,
                    )?);
                    continue;
                }
                _ => {}
            }
            let ext = Extensions::parse(pax.take().as_deref(), long_name.take(), long_link.take())?;
            state.entry(&mut entry, typeflag, &ext)?;
        }
    }
    // Whatever follows the end-of-archive blocks is still part of the blob's tar.
    io::copy(&mut reader, &mut io::sink())?;
    let tar_size = reader.hash.len();
    Ok(DecodedLayer {
        layer: state.layer,
        digest: Digest::sha256(blob),
        diff_id: reader.hash.finish(),
        tar_size,
        compression,
        skipped: state.skipped,
    })
}

fn read_extension(
    entry: &mut impl Read,
    kind: &'static str,
    limit: u64,
) -> Result<Vec<u8>, LayerError> {
    let mut buf = Vec::new();
    entry.take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(LayerError::ExtensionTooLarge {
            kind,
            size: buf.len() as u64,
        });
    }
    Ok(buf)
}

/// What PAX and GNU headers said about the next entry.
#[derive(Default)]
struct Extensions {
    path: Option<Vec<u8>>,
    linkpath: Option<Vec<u8>>,
    size: Option<u64>,
    uid: Option<u64>,
    gid: Option<u64>,
    mtime: Option<i64>,
    xattrs: Vec<(String, Vec<u8>)>,
}

impl Extensions {
    fn parse(
        pax: Option<&[u8]>,
        long_name: Option<Vec<u8>>,
        long_link: Option<Vec<u8>>,
    ) -> Result<Self, LayerError> {
        let trim_nul = |mut v: Vec<u8>| {
            while v.last() == Some(&0) {
                v.pop();
            }
            v
        };
        let mut ext = Self {
            path: long_name.map(trim_nul),
            linkpath: long_link.map(trim_nul),
            ..Self::default()
        };
        let Some(pax) = pax else {
            return Ok(ext);
        };
        let bad = |what: &str| LayerError::InvalidHeader {
            path: String::new(),
            reason: format!("malformed PAX record ({what})"),
        };
        for record in pax_records(pax) {
            let (key, value) = record.ok_or_else(|| bad("length"))?;
            let key = std::str::from_utf8(key).map_err(|_| bad("key"))?;
            let number = || {
                std::str::from_utf8(value)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .ok_or_else(|| bad(key))
            };
            match key {
                "path" => ext.path = Some(value.to_vec()),
                "linkpath" => ext.linkpath = Some(value.to_vec()),
                "size" => ext.size = Some(number()?),
                "uid" => ext.uid = Some(number()?),
                "gid" => ext.gid = Some(number()?),
                "mtime" => {
                    let s = std::str::from_utf8(value).map_err(|_| bad(key))?;
                    let whole = s.split('.').next().unwrap_or("");
                    ext.mtime = Some(whole.parse().map_err(|_| bad(key))?);
                }
                _ => {
                    if let Some(name) = key.strip_prefix("SCHILY.xattr.") {
                        ext.xattrs.push((name.to_owned(), value.to_vec()));
                    }
                }
            }
        }
        Ok(ext)
    }
}

/// Splits a PAX body into `(key, value)` records by their length prefixes (values may hold
/// any byte, newlines included, so the body cannot be split on `\n`). A malformed record
/// yields `None`.
fn pax_records(mut body: &[u8]) -> impl Iterator<Item = Option<(&[u8], &[u8])>> {
    std::iter::from_fn(move || {
        if body.is_empty() {
            return None;
        }
        let parsed = (|| {
            let space = body.iter().position(|b| *b == b' ')?;
            let len: usize = std::str::from_utf8(&body[..space]).ok()?.parse().ok()?;
            if len <= space + 1 || len > body.len() || body[len - 1] != b'\n' {
                return None;
            }
            let record = &body[space + 1..len - 1];
            let eq = record.iter().position(|b| *b == b'=')?;
            let out = (&record[..eq], &record[eq + 1..]);
            body = &body[len..];
            Some(out)
        })();
        if parsed.is_none() {
            body = &[];
        }
        Some(parsed)
    })
}

struct State<'o> {
    opts: &'o ReadOptions,
    layer: Layer,
    skipped: Vec<Skipped>,
    kept: u64,
    entries: usize,
}

impl State<'_> {
    fn entry<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        typeflag: u8,
        ext: &Extensions,
    ) -> Result<(), LayerError> {
        let limits = &self.opts.limits;
        self.entries += 1;
        if self.entries > limits.max_entries {
            return Err(LayerError::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        let raw_name = ext
            .path
            .clone()
            .unwrap_or_else(|| entry.path_bytes().into_owned());
        let comps = clean(&raw_name, limits)?;
        let path = format!("/{}", comps.join("/"));
        let header = entry.header();
        let invalid = |reason: &str| LayerError::InvalidHeader {
            path: path.clone(),
            reason: reason.to_owned(),
        };
        let header_size = header.entry_size().map_err(|_| invalid("size"))?;
        if ext.size.is_some_and(|s| s != header_size) {
            // The raw reader skips by the header's size; a PAX size that disagrees (only needed
            // past 8 GiB) would desynchronise it, so it is refused rather than guessed.
            return Err(LayerError::InvalidHeader {
                path,
                reason: format!(
                    "PAX size {} disagrees with the header size {header_size}",
                    ext.size.unwrap_or_default()
                ),
            });
        }
        let mode = header.mode().map_err(|_| invalid("mode"))? & 0o7777;
        let id = |v: u64, what: &str| u32::try_from(v).map_err(|_| invalid(what));
        let uid = id(
            ext.uid
                .map_or_else(|| header.uid().map_err(|_| invalid("uid")), Ok)?,
            "uid",
        )?;
        let gid = id(
            ext.gid
                .map_or_else(|| header.gid().map_err(|_| invalid("gid")), Ok)?,
            "gid",
        )?;
        let mtime = if let Some(t) = ext.mtime {
            t
        } else {
            let t = header.mtime().map_err(|_| invalid("mtime"))?;
            i64::try_from(t).map_err(|_| invalid("mtime"))?
        };
        let meta = Metadata {
            mode,
            uid,
            gid,
            mtime,
            xattrs: ext.xattrs.iter().cloned().collect(),
        };
        let link_name = || -> Result<String, LayerError> {
            let raw = ext
                .linkpath
                .clone()
                .or_else(|| entry.link_name_bytes().map(std::borrow::Cow::into_owned))
                .unwrap_or_default();
            if raw.len() > limits.max_path_len {
                return Err(too_long(&raw, limits.max_path_len));
            }
            match String::from_utf8(raw) {
                Ok(s) if !s.contains('\0') => Ok(s),
                Ok(s) => Err(LayerError::InvalidName(s)),
                Err(e) => Err(LayerError::InvalidName(
                    String::from_utf8_lossy(e.as_bytes()).into_owned(),
                )),
            }
        };

        // Whiteouts.
        if let Some(last) = comps.last() {
            if last == ".wh..wh..opq" {
                let dir = format!("/{}", comps[..comps.len() - 1].join("/"));
                self.layer.opaque.insert(dir);
                return Ok(());
            }
            if let Some(name) = last.strip_prefix(".wh.") {
                if name.is_empty() || name == "." || name == ".." {
                    return Err(LayerError::PathEscapes(path));
                }
                let mut target = comps[..comps.len() - 1].to_vec();
                target.push(name.to_owned());
                self.layer
                    .entries
                    .insert(format!("/{}", target.join("/")), LayerEntry::Whiteout);
                return Ok(());
            }
        }
        let is_root = comps.is_empty();
        let entry_kind = match typeflag {
            b'0' | b'\0' | b'7' => {
                if header_size > limits.max_file_size {
                    return Err(LayerError::FileTooLarge {
                        path,
                        size: header_size,
                        limit: limits.max_file_size,
                    });
                }
                let content = self.content(entry, header_size)?;
                LayerEntry::File(File { meta, content })
            }
            b'5' => LayerEntry::Dir(meta),
            b'2' => LayerEntry::Symlink(Symlink {
                meta,
                target: link_name()?,
            }),
            b'1' => {
                let target = link_name()?;
                let cleaned = clean(target.as_bytes(), limits).map_err(|e| match e {
                    LayerError::PathEscapes(_) => LayerError::HardlinkEscapes {
                        path: path.clone(),
                        target: target.clone(),
                    },
                    other => other,
                })?;
                if cleaned.is_empty() {
                    return Err(LayerError::HardlinkEscapes { path, target });
                }
                let target = format!("/{}", cleaned.join("/"));
                if target == path {
                    return Ok(());
                }
                LayerEntry::Hardlink(target)
            }
            b'3' | b'4' | b'6' => {
                let kind = match typeflag {
                    b'3' => "character device",
                    b'4' => "block device",
                    _ => "FIFO",
                };
                if self.opts.special == SpecialFiles::Reject {
                    return Err(LayerError::SpecialFile { path, kind });
                }
                self.skipped.push(Skipped { path, reason: kind });
                return Ok(());
            }
            other => {
                return Err(LayerError::UnsupportedEntry {
                    path,
                    typeflag: char::from(other),
                });
            }
        };
        if is_root {
            // The root's own header (`./`) is not part of a changeset.
            return Ok(());
        }
        self.layer.entries.insert(path, entry_kind);
        Ok(())
    }

    fn content(&mut self, entry: &mut impl Read, size: u64) -> Result<Content, LayerError> {
        match self.opts.content {
            ContentMode::Keep => {
                self.kept += size;
                if self.kept > self.opts.limits.max_content {
                    return Err(LayerError::TooMuchContent {
                        limit: self.opts.limits.max_content,
                    });
                }
                let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                entry.take(size).read_to_end(&mut buf)?;
                if buf.len() as u64 != size {
                    return Err(LayerError::Malformed("truncated file data".into()));
                }
                Ok(Content::from(buf))
            }
            ContentMode::Summarize => {
                let mut hash = Sha256Writer::new();
                io::copy(&mut entry.take(size), &mut hash)?;
                if hash.len() != size {
                    return Err(LayerError::Malformed("truncated file data".into()));
                }
                let sha256 = hash.finish_bytes();
                Ok(Content::Summary { size, sha256 })
            }
        }
    }
}

fn too_long(raw: &[u8], limit: usize) -> LayerError {
    LayerError::NameTooLong {
        start: String::from_utf8_lossy(&raw[..raw.len().min(64)]).into_owned(),
        len: raw.len(),
        limit,
    }
}

/// Cleans an entry name: UTF-8 without NUL, within the length limits, `.` and empty parts
/// dropped, a leading `/` ignored, `..` allowed only while it stays inside the root.
fn clean(raw: &[u8], limits: &Limits) -> Result<Vec<String>, LayerError> {
    if raw.len() > limits.max_path_len {
        return Err(too_long(raw, limits.max_path_len));
    }
    let name = std::str::from_utf8(raw)
        .map_err(|_| LayerError::InvalidName(String::from_utf8_lossy(raw).into_owned()))?;
    if name.contains('\0') {
        return Err(LayerError::InvalidName(name.to_owned()));
    }
    let mut out: Vec<String> = Vec::new();
    for c in name.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if out.pop().is_none() {
                    return Err(LayerError::PathEscapes(name.to_owned()));
                }
            }
            c if c.len() > limits.max_name_len => {
                return Err(too_long(c.as_bytes(), limits.max_name_len));
            }
            c => out.push(c.to_owned()),
        }
    }
    Ok(out)
}
