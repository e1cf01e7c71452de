//! Layer indexes: `cache/layer-index/<diff id hex>.json` beside each layer blob the store
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

use serde::{Deserialize, Serialize};
use stowage_vfs::{Content, File, Layer, LayerEntry, Metadata, Symlink};

use crate::external::FileRange;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct LayerIndex {
    /// Size of the blob the offsets point into.
    tar_size: u64,
    entries: Vec<Row>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    opaque: BTreeSet<String>,
}

const DIR: u8 = 0;
const FILE: u8 = 1;
const SYMLINK: u8 = 2;
const HARDLINK: u8 = 3;
const WHITEOUT: u8 = 4;

fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// One entry; short names keep a 20,000-file index near a megabyte.
#[derive(Debug, Serialize, Deserialize)]
struct Row {
    p: String,
    k: u8,
    #[serde(default, skip_serializing_if = "is_zero")]
    m: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    u: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    g: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    t: i64,
    /// Symlink target or hard-link target path.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    l: String,
    /// Offset of a file's bytes in the blob, and their length.
    #[serde(default, skip_serializing_if = "is_zero")]
    o: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    n: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
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

impl LayerIndex {
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
