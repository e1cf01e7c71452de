//! The deterministic layer tar writer.
//!
//! Headers are encoded the way Go's `archive/tar` encodes them when the format is left to it
//! (what buildah and most Go writers produce): USTAR when every field fits (long names split
//! into prefix and name), a PAX header only for what does not fit (long or non-ASCII names and
//! link targets, sizes ≥ 8 GiB, large ids, negative times) and always for xattrs
//! (`SCHILY.xattr.<name>`); mode with its file-type bits; uid/gid numeric with empty
//! uname/gname; devmajor/devminor `0000000\0`; checksum `%06o\0 `; the archive ends with two
//! zero blocks. Entries come in walk order (a directory right before its contents), so the
//! same [`Layer`] always gives the same bytes and the same diff ID.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

use flate2::write::GzEncoder;
use stowage_vfs::path::walk_order;
use stowage_vfs::{Content, Layer, LayerEntry, Metadata};

use super::{Compression, LayerError};
use crate::{Descriptor, Digest, MediaType, Sha256Writer};

/// Options for [`write_tar`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TarOptions {
    /// `SOURCE_DATE_EPOCH`: file times later than this are clamped to it (BuildKit's
    /// `rewrite-timestamp`). The host passes it in; the core never reads the environment.
    pub source_date_epoch: Option<i64>,
}

/// A layer encoded as a blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedLayer {
    /// The blob as stored (compressed or not).
    pub blob: Arc<[u8]>,
    /// Digest of the blob (what manifests reference).
    pub digest: Digest,
    /// Digest of the uncompressed tar (what the config's `rootfs.diff_ids` lists).
    pub diff_id: Digest,
    /// Size of the uncompressed tar.
    pub tar_size: u64,
    /// The compression used.
    pub compression: Compression,
}

impl EncodedLayer {
    /// The manifest descriptor of this layer.
    pub fn descriptor(&self) -> Descriptor {
        Descriptor::new(
            self.compression.media_type(),
            self.digest.clone(),
            self.blob.len() as u64,
        )
    }

    /// The media type of the blob.
    pub fn media_type(&self) -> MediaType {
        self.compression.media_type()
    }
}

const BLOCK: usize = 512;
const TYPE_REG: u8 = b'0';
const TYPE_LINK: u8 = b'1';
const TYPE_SYMLINK: u8 = b'2';
const TYPE_DIR: u8 = b'5';
const TYPE_PAX: u8 = b'x';
const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFLNK: u32 = 0o120_000;
/// Largest value of an 11-digit octal field (8 GiB − 1).
const MAX_OCTAL_11: u64 = 0o777_7777_7777;
/// Largest value of a 7-digit octal field.
const MAX_OCTAL_7: u64 = 0o777_7777;

/// One tar member to write.
struct Member<'a> {
    name: String,
    typeflag: u8,
    mode: u32,
    uid: u32,
    gid: u32,
    mtime: i64,
    linkname: String,
    xattrs: Option<&'a BTreeMap<String, Vec<u8>>>,
    content: Option<&'a Content>,
}

/// Writes `layer` as an uncompressed tar into `out` and returns the number of bytes written.
pub fn write_tar(layer: &Layer, opts: &TarOptions, out: &mut dyn Write) -> Result<u64, LayerError> {
    write_tar_indexed(layer, opts, out, &mut |_, _| {})
}

/// [`write_tar`], also telling `file_at` where each regular file's bytes start in the tar
/// (its canonical path and byte offset): a host that keeps the tar can then read one file
/// back without decoding the whole layer.
pub fn write_tar_indexed(
    layer: &Layer,
    opts: &TarOptions,
    out: &mut dyn Write,
    file_at: &mut dyn FnMut(&str, u64),
) -> Result<u64, LayerError> {
    let mut members = members(layer, opts);
    members.sort_by(|a, b| walk_order(a.name.trim_end_matches('/'), b.name.trim_end_matches('/')));
    let mut out = Counting { inner: out, n: 0 };
    for m in &members {
        write_member(&mut out, m, file_at)?;
    }
    out.write_all(&[0; 2 * BLOCK])?;
    Ok(out.n)
}

static DEFAULT_FILE: std::sync::LazyLock<Metadata> = std::sync::LazyLock::new(Metadata::file);

fn members<'a>(layer: &'a Layer, opts: &TarOptions) -> Vec<Member<'a>> {
    let clamp = |t: i64| opts.source_date_epoch.map_or(t, |e| t.min(e));
    let rel = |p: &str| p.trim_start_matches('/').to_owned();
    let mut out = Vec::with_capacity(layer.entries.len() + layer.opaque.len());
    let meta_member = |name: String, typeflag: u8, bits: u32, meta: &'a Metadata| Member {
        name,
        typeflag,
        mode: bits | (meta.mode & 0o7777),
        uid: meta.uid,
        gid: meta.gid,
        mtime: clamp(meta.mtime),
        linkname: String::new(),
        xattrs: Some(&meta.xattrs),
        content: None,
    };
    for (path, entry) in &layer.entries {
        if path == "/" {
            // The root's own header is not part of a changeset.
            continue;
        }
        out.push(match entry {
            LayerEntry::Dir(meta) => {
                meta_member(format!("{}/", rel(path)), TYPE_DIR, S_IFDIR, meta)
            }
            LayerEntry::File(file) => Member {
                content: Some(&file.content),
                ..meta_member(rel(path), TYPE_REG, S_IFREG, &file.meta)
            },
            LayerEntry::Symlink(link) => Member {
                linkname: link.target.clone(),
                ..meta_member(rel(path), TYPE_SYMLINK, S_IFLNK, &link.meta)
            },
            LayerEntry::Hardlink(target) => {
                let meta = match layer.entries.get(target) {
                    Some(LayerEntry::File(f)) => &f.meta,
                    _ => &DEFAULT_FILE,
                };
                Member {
                    linkname: rel(target),
                    ..meta_member(rel(path), TYPE_LINK, S_IFREG, meta)
                }
            }
            LayerEntry::Whiteout => {
                // containerd: an empty regular file, mode 0, time 1970.
                let (dir, name) = split(path);
                Member {
                    name: format!("{dir}.wh.{name}"),
                    typeflag: TYPE_REG,
                    mode: 0,
                    uid: 0,
                    gid: 0,
                    mtime: 0,
                    linkname: String::new(),
                    xattrs: None,
                    content: None,
                }
            }
        });
    }
    for dir in &layer.opaque {
        // buildah: `.wh..wh..opq`, mode 0755, time 1970.
        let prefix = rel(dir);
        out.push(Member {
            name: if prefix.is_empty() {
                ".wh..wh..opq".to_owned()
            } else {
                format!("{prefix}/.wh..wh..opq")
            },
            typeflag: TYPE_REG,
            mode: S_IFREG | 0o755,
            uid: 0,
            gid: 0,
            mtime: 0,
            linkname: String::new(),
            xattrs: None,
            content: None,
        });
    }
    out
}

/// `("a/b/", "c")` for `/a/b/c`; `("", "c")` for `/c`.
fn split(path: &str) -> (String, &str) {
    let rel = path.trim_start_matches('/');
    match rel.rfind('/') {
        Some(i) => (format!("{}/", &rel[..i]), &rel[i + 1..]),
        None => (String::new(), rel),
    }
}

struct Counting<'a> {
    inner: &'a mut dyn Write,
    n: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.n += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn write_member(
    out: &mut Counting<'_>,
    m: &Member<'_>,
    file_at: &mut dyn FnMut(&str, u64),
) -> Result<(), LayerError> {
    let size = m.content.map_or(0, Content::len);
    if m.content.is_some_and(|c| !c.is_readable()) {
        return Err(LayerError::ContentNotKept(m.name.clone()));
    }
    let mut pax: Vec<(String, Vec<u8>)> = Vec::new();
    let split = split_ustar(&m.name);
    if split.is_none() {
        pax.push(("path".into(), m.name.clone().into_bytes()));
    }
    if !m.linkname.is_ascii() || m.linkname.len() > 100 {
        pax.push(("linkpath".into(), m.linkname.clone().into_bytes()));
    }
    if size > MAX_OCTAL_11 {
        pax.push(("size".into(), size.to_string().into_bytes()));
    }
    if u64::from(m.uid) > MAX_OCTAL_7 {
        pax.push(("uid".into(), m.uid.to_string().into_bytes()));
    }
    if u64::from(m.gid) > MAX_OCTAL_7 {
        pax.push(("gid".into(), m.gid.to_string().into_bytes()));
    }
    let mtime_fits = u64::try_from(m.mtime).is_ok_and(|t| t <= MAX_OCTAL_11);
    if !mtime_fits {
        pax.push(("mtime".into(), m.mtime.to_string().into_bytes()));
    }
    for (name, value) in m.xattrs.into_iter().flatten() {
        pax.push((format!("SCHILY.xattr.{name}"), value.clone()));
    }
    if !pax.is_empty() {
        pax.sort();
        let mut body = Vec::new();
        for (k, v) in &pax {
            body.extend_from_slice(&pax_record(k, v));
        }
        let trimmed = m.name.trim_end_matches('/');
        let (dir, file) = trimmed.rsplit_once('/').unwrap_or(("", trimmed));
        let pax_name = if dir.is_empty() {
            format!("PaxHeaders.0/{file}")
        } else {
            format!("{dir}/PaxHeaders.0/{file}")
        };
        let mut block = [0u8; BLOCK];
        put_str(
            &mut block[0..100],
            to_ascii(&pax_name).trim_end_matches('/'),
        );
        put_octal(&mut block[100..108], 0);
        put_octal(&mut block[108..116], 0);
        put_octal(&mut block[116..124], 0);
        put_octal(&mut block[124..136], body.len() as u64);
        put_octal(&mut block[136..148], 0);
        block[156] = TYPE_PAX;
        block[257..263].copy_from_slice(b"ustar\0");
        block[263..265].copy_from_slice(b"00");
        finish_checksum(&mut block);
        out.write_all(&block)?;
        out.write_all(&body)?;
        pad(out, body.len() as u64)?;
    }

    let mut block = [0u8; BLOCK];
    match &split {
        Some((prefix, name)) => {
            put_str(&mut block[0..100], name);
            put_str(&mut block[345..500], prefix);
        }
        None => put_str(&mut block[0..100], &to_ascii(&m.name)),
    }
    put_octal(&mut block[100..108], u64::from(m.mode));
    put_octal(&mut block[108..116], u64::from(m.uid).min(MAX_OCTAL_7));
    put_octal(&mut block[116..124], u64::from(m.gid).min(MAX_OCTAL_7));
    put_octal(
        &mut block[124..136],
        if size > MAX_OCTAL_11 { 0 } else { size },
    );
    put_octal(
        &mut block[136..148],
        if mtime_fits {
            m.mtime.unsigned_abs()
        } else {
            0
        },
    );
    block[156] = m.typeflag;
    put_str(&mut block[157..257], &to_ascii(&m.linkname));
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    put_octal(&mut block[329..337], 0);
    put_octal(&mut block[337..345], 0);
    finish_checksum(&mut block);
    out.write_all(&block)?;
    if let Some(content) = m.content {
        file_at(&format!("/{}", m.name), out.n);
        content.write_to(out)?;
        pad(out, size)?;
    }
    Ok(())
}

/// Go's `splitUSTARPath`: `(prefix, name)` when the path fits the USTAR fields.
fn split_ustar(name: &str) -> Option<(&str, &str)> {
    if !name.is_ascii() {
        return None;
    }
    if name.len() <= 100 {
        return Some(("", name));
    }
    let mut length = name.len();
    if length > 156 {
        length = 156;
    } else if name.as_bytes()[length - 1] == b'/' {
        length -= 1;
    }
    let i = name[..length].rfind('/')?;
    let (nlen, plen) = (name.len() - i - 1, i);
    if i == 0 || nlen > 100 || nlen == 0 || plen > 155 {
        return None;
    }
    Some((&name[..i], &name[i + 1..]))
}

/// Go's `toASCII`: non-ASCII characters dropped (used only for best-effort USTAR fields whose
/// real value is in a PAX record).
fn to_ascii(s: &str) -> String {
    s.chars().filter(char::is_ascii).collect()
}

fn put_str(field: &mut [u8], s: &str) {
    let n = s.len().min(field.len());
    field[..n].copy_from_slice(&s.as_bytes()[..n]);
}

/// Zero-padded octal with a trailing NUL (Go's `formatOctal`).
fn put_octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let s = format!("{value:0digits$o}");
    let s = &s[s.len().saturating_sub(digits)..];
    field[..digits].copy_from_slice(s.as_bytes());
    field[digits] = 0;
}

fn finish_checksum(block: &mut [u8; BLOCK]) {
    block[148..156].fill(b' ');
    let sum: u32 = block.iter().map(|b| u32::from(*b)).sum();
    let s = format!("{sum:06o}");
    block[148..154].copy_from_slice(&s.as_bytes()[s.len() - 6..]);
    block[154] = 0;
    block[155] = b' ';
}

fn pad(out: &mut dyn Write, size: u64) -> io::Result<()> {
    let rem = (size % BLOCK as u64) as usize;
    if rem != 0 {
        out.write_all(&[0; BLOCK][..BLOCK - rem])?;
    }
    Ok(())
}

/// One PAX record: `"<len> <key>=<value>\n"`, where `<len>` counts the whole record.
fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let base = key.len() + value.len() + 3;
    let mut len = base + base.to_string().len();
    if len.to_string().len() != base.to_string().len() {
        len = base + len.to_string().len();
    }
    let mut rec = format!("{len} {key}=").into_bytes();
    rec.extend_from_slice(value);
    rec.push(b'\n');
    rec
}

/// Writes the tar of `layer`, compresses it and computes both digests in one pass.
///
/// gzip uses flate2's pure-Rust backend at the default level with a zero mtime in the gzip
/// header; zstd uses ruzstd's fastest level. Compressed digests depend on the compressor, so
/// only the diff ID is comparable with other builders (see the image reference notes).
pub fn encode_layer(
    layer: &Layer,
    opts: &TarOptions,
    compression: Compression,
) -> Result<EncodedLayer, LayerError> {
    let mut diff = Sha256Writer::new();
    let blob: Vec<u8> = match compression {
        Compression::None => {
            let mut tar = Vec::new();
            write_tar(layer, opts, &mut Tee(&mut tar, &mut diff))?;
            tar
        }
        Compression::Gzip => {
            let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
            write_tar(layer, opts, &mut Tee(&mut gz, &mut diff))?;
            gz.finish()?
        }
        Compression::Zstd => {
            let mut tar = Vec::new();
            write_tar(layer, opts, &mut Tee(&mut tar, &mut diff))?;
            ruzstd::encoding::compress_to_vec(
                tar.as_slice(),
                ruzstd::encoding::CompressionLevel::Fastest,
            )
        }
    };
    let tar_size = diff.len();
    Ok(EncodedLayer {
        digest: Digest::sha256(&blob),
        blob: blob.into(),
        diff_id: diff.finish(),
        tar_size,
        compression,
    })
}

/// Writes to a sink and a hasher at once.
struct Tee<'a>(&'a mut dyn Write, &'a mut Sha256Writer);

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}
