//! Layer indexes: `cache/layer-index/<diff id hex>.bin` beside each layer blob the store
//! writes, listing the layer's entries with their metadata and, for regular files, where
//! their bytes start in the blob.
//!
//! A cached build step is a stack of layers; with the index, loading one costs reading a
//! few kilobytes per thousand files, and the files' bytes stay in the blob as
//! [`FileRange`]s, streamed only if a later step needs them. An unchanged rebuild of a
//! 200 MB `COPY` therefore reads no layer blob at all. The index is written after its blob
//! is durable; a missing or unreadable index just means decoding the blob as before.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use stowage_vfs::{Content, File, Layer, LayerEntry, Metadata, Symlink};

use crate::binfmt::{Reader, Writer};
use crate::external::FileRange;

#[derive(Debug)]
pub(crate) struct LayerIndex {
    /// Size of the blob the offsets point into.
    tar_size: u64,
    entries: Vec<Row>,
    opaque: BTreeSet<String>,
}

const DIR: u8 = 0;
const FILE: u8 = 1;
const SYMLINK: u8 = 2;
const HARDLINK: u8 = 3;
const WHITEOUT: u8 = 4;

/// One entry.
#[derive(Debug)]
struct Row {
    p: String,
    k: u8,
    m: u32,
    u: u32,
    g: u32,
    t: i64,
    /// Symlink target or hard-link target path.
    l: String,
    /// Offset of a file's bytes in the blob, and their length.
    o: u64,
    n: u64,
    x: BTreeMap<String, Vec<u8>>,
}

impl Row {
    fn new(p: &str, k: u8, meta: Option<&Metadata>) -> Self {
        let d = Metadata::default();
        let meta = meta.unwrap_or(&d);
        Self {
            p: p.to_owned(),
            k,
            m: meta.mode,
            u: meta.uid,
            g: meta.gid,
            t: meta.mtime,
            l: String::new(),
            o: 0,
            n: 0,
            x: meta.xattrs.clone(),
        }
    }

    fn meta(&self) -> Metadata {
        Metadata {
            mode: self.m,
            uid: self.u,
            gid: self.g,
            mtime: self.t,
            xattrs: self.x.clone(),
        }
    }
}

/// The first bytes of an index file in [`crate::binfmt`] (`v2`; the JSON indexes of
/// earlier versions are not read: their layers are decoded from the blob).
const MAGIC: &[u8] = b"stowage layer index 2\n";

impl LayerIndex {
    /// The index as bytes: the blob size, the rows (path, kind, mode, uid, gid, mtime, link,
    /// offset, length, xattrs) and the opaque directories.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(MAGIC);
        w.u64(self.tar_size);
        w.u64(self.entries.len() as u64);
        for r in &self.entries {
            w.str(&r.p);
            w.u8(r.k);
            w.u32(r.m);
            w.u32(r.u);
            w.u32(r.g);
            w.i64(r.t);
            w.str(&r.l);
            w.u64(r.o);
            w.u64(r.n);
            w.u64(r.x.len() as u64);
            for (k, v) in &r.x {
                w.str(k);
                w.bytes(v);
            }
        }
        w.u64(self.opaque.len() as u64);
        for p in &self.opaque {
            w.str(p);
        }
        w.0
    }

    /// The index from [`LayerIndex::encode`]'s bytes; `None` when they are not one.
    #[expect(clippy::many_single_char_names, reason = "the rows' field names")]
    pub(crate) fn decode(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader::new(bytes, MAGIC)?;
        let tar_size = r.u64()?;
        let n = r.u64()?;
        // A row takes at least 41 bytes: a bogus count cannot reserve much.
        let mut entries = Vec::with_capacity(usize::try_from(n.min(bytes.len() as u64 / 41)).ok()?);
        for _ in 0..n {
            let p = r.str()?.to_owned();
            let (k, m, u, g, t) = (r.u8()?, r.u32()?, r.u32()?, r.u32()?, r.i64()?);
            let l = r.str()?.to_owned();
            let (o, n) = (r.u64()?, r.u64()?);
            let mut x = BTreeMap::new();
            for _ in 0..r.u64()? {
                x.insert(r.str()?.to_owned(), r.bytes()?.to_vec());
            }
            entries.push(Row {
                p,
                k,
                m,
                u,
                g,
                t,
                l,
                o,
                n,
                x,
            });
        }
        let mut opaque = BTreeSet::new();
        for _ in 0..r.u64()? {
            opaque.insert(r.str()?.to_owned());
        }
        r.is_empty().then_some(Self {
            tar_size,
            entries,
            opaque,
        })
    }

    /// The index of `layer` written as a tar of `tar_size` bytes, whose files' bytes start
    /// at `offsets` (canonical path → offset). `None` when a file with bytes has no offset.
    pub(crate) fn new(
        layer: &Layer,
        tar_size: u64,
        offsets: &HashMap<String, u64>,
    ) -> Option<Self> {
        let mut entries = Vec::with_capacity(layer.entries.len());
        for (path, entry) in &layer.entries {
            entries.push(match entry {
                LayerEntry::Dir(meta) => Row::new(path, DIR, Some(meta)),
                LayerEntry::File(f) => {
                    let mut row = Row::new(path, FILE, Some(&f.meta));
                    row.n = f.content.len();
                    if row.n > 0 {
                        row.o = *offsets.get(path)?;
                    }
                    row
                }
                LayerEntry::Symlink(s) => {
                    let mut row = Row::new(path, SYMLINK, Some(&s.meta));
                    row.l.clone_from(&s.target);
                    row
                }
                LayerEntry::Hardlink(target) => {
                    let mut row = Row::new(path, HARDLINK, None);
                    row.l.clone_from(target);
                    row
                }
                LayerEntry::Whiteout => Row::new(path, WHITEOUT, None),
            });
        }
        Some(Self {
            tar_size,
            entries,
            opaque: layer.opaque.clone(),
        })
    }

    /// The layer, its files' bytes read from `blob` on demand; `None` when the blob is not
    /// the size the index was made for, or a row is invalid.
    pub(crate) fn to_layer(&self, blob: &Path, blob_size: u64) -> Option<Layer> {
        if blob_size != self.tar_size {
            return None;
        }
        let mut layer = Layer::new();
        for row in &self.entries {
            let entry = match row.k {
                DIR => LayerEntry::Dir(row.meta()),
                FILE => {
                    if row.o.checked_add(row.n)? > self.tar_size {
                        return None;
                    }
                    let content = if row.n == 0 {
                        Content::empty()
                    } else {
                        FileRange::range(blob, row.o, row.n)
                    };
                    LayerEntry::File(File {
                        meta: row.meta(),
                        content,
                    })
                }
                SYMLINK => LayerEntry::Symlink(Symlink {
                    meta: row.meta(),
                    target: row.l.clone(),
                }),
                HARDLINK => LayerEntry::Hardlink(row.l.clone()),
                WHITEOUT => LayerEntry::Whiteout,
                _ => return None,
            };
            layer.entries.insert(row.p.clone(), entry);
        }
        layer.opaque.clone_from(&self.opaque);
        Some(layer)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use stowage_vfs::{Fs, Layer, LayerEntry, Metadata};

    use super::LayerIndex;

    #[test]
    fn an_index_round_trips_through_its_bytes() {
        let mut fs = Fs::new();
        let mut meta = Metadata::file().with_mtime(7);
        meta.xattrs.insert("user.k".into(), vec![0, 1, 255]);
        fs.create_dir_all("/a/b", &Metadata::dir()).expect("dir");
        fs.write_file("/a/b/empty", "", meta).expect("file");
        fs.symlink("/a/link", "b/empty", Metadata::file())
            .expect("symlink");
        let mut layer = Layer::full(&fs);
        layer.entries.insert("a/gone".into(), LayerEntry::Whiteout);
        layer
            .entries
            .insert("a/hard".into(), LayerEntry::Hardlink("a/b/empty".into()));
        layer.opaque.insert("a/b".into());
        let index = LayerIndex::new(&layer, 10_240, &HashMap::new()).expect("index");
        let bytes = index.encode();
        let back = LayerIndex::decode(&bytes).expect("decodes");
        assert_eq!(back.encode(), bytes);
        let again = back
            .to_layer(std::path::Path::new("/nonexistent"), 10_240)
            .expect("layer");
        assert_eq!(again.entries.len(), layer.entries.len());
        assert_eq!(again.opaque, layer.opaque);
        assert!(LayerIndex::decode(&bytes[..bytes.len() - 1]).is_none());
        assert!(LayerIndex::decode(b"[]").is_none(), "the JSON of v1");
    }
}
