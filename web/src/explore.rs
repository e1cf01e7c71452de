//! The layer explorer's rows, made in the build worker from a stack of layers (a build's image
//! or an imported archive): each layer's added, modified and deleted files with sizes (dive's
//! view, `stowage_oci::analysis`), the image's efficiency, the files that waste space with the
//! lesson in words, and one directory of the union filesystem at a layer. Payloads stay
//! bounded: a layer lists at most [`FILES_PER_LAYER`] paths and says how many more it has.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use stowage_build::human_size;
use stowage_oci::analysis::{self, FileChange};
use stowage_vfs::{ChangeKind, Entry, Fs, Kind, Layer};

/// How many changed paths one layer row lists; the rest are counted.
pub const FILES_PER_LAYER: usize = 150;
/// How many entries one directory of the union view lists.
pub const ENTRIES_PER_DIR: usize = 300;
/// How many wasted files the efficiency figure names.
const WASTED_LISTED: usize = 10;

/// What happened to a path in a layer (or, in the union view, that it is there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Added,
    Modified,
    Deleted,
    /// In the union view: present.
    Present,
}

impl Change {
    /// `added`, `modified`, `deleted`, `present` (the CSS class and `data-change`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Modified => "modified",
            Self::Deleted => "deleted",
            Self::Present => "present",
        }
    }
}

/// One path in a layer or in a directory listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRow {
    /// Canonical path (`/app/app.py`).
    pub path: String,
    pub change: Change,
    /// A file's length, a directory's total file bytes.
    pub size: u64,
    pub dir: bool,
}

impl FileRow {
    /// Depth below the root (`/app` is 0, `/app/x` is 1): the tree's indentation.
    pub fn depth(&self) -> usize {
        self.path.matches('/').count().saturating_sub(1)
    }

    /// The last component (`app.py`).
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// One layer's changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerFiles {
    /// The first [`FILES_PER_LAYER`] changes, in walk order (a directory before its contents).
    pub files: Vec<FileRow>,
    /// Changes not listed.
    pub more: usize,
    pub added: usize,
    pub modified: usize,
    pub deleted: usize,
}

/// A path stored in more than one layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WastedFile {
    pub path: String,
    /// Layers it appears in.
    pub count: usize,
    /// Its bytes summed over those layers.
    pub size: u64,
}

/// dive's figures for the whole image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Efficiency {
    /// Efficiency in hundredths of a percent (10000 = nothing wasted).
    pub score: u32,
    /// Bytes of the paths stored more than once.
    pub wasted: u64,
    /// All layers but the base's first.
    pub user_size: u64,
    /// The largest wasters.
    pub files: Vec<WastedFile>,
    /// What they teach, in words.
    pub lessons: Vec<String>,
}

impl Efficiency {
    /// `97.25 %`.
    pub fn percent_text(&self) -> String {
        format!("{}.{:02} %", self.score / 100, self.score % 100)
    }
}

/// Everything the explorer shows about a stack of layers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explored {
    /// Per layer, base first.
    pub layers: Vec<LayerFiles>,
    pub efficiency: Efficiency,
}

fn row(change: &FileChange) -> FileRow {
    FileRow {
        path: change.path.clone(),
        change: match change.kind {
            ChangeKind::Added => Change::Added,
            ChangeKind::Modified(_) => Change::Modified,
            ChangeKind::Deleted => Change::Deleted,
        },
        size: change.size,
        dir: change.node == Kind::Dir,
    }
}

/// Analyses `layers` (base first). `None` when the stack does not apply (a broken archive).
pub fn explore(layers: &[&Layer]) -> Option<Explored> {
    let report = analysis::analyze(layers.iter().copied()).ok()?;
    let rows = report
        .layers
        .iter()
        .map(|layer| {
            let (added, modified, deleted) = layer.counts();
            LayerFiles {
                files: layer
                    .changes
                    .iter()
                    .take(FILES_PER_LAYER)
                    .map(row)
                    .collect(),
                more: layer.changes.len().saturating_sub(FILES_PER_LAYER),
                added,
                modified,
                deleted,
            }
        })
        .collect();
    let lessons = lessons(&report);
    let score = (report.efficiency.clamp(0.0, 1.0) * 10_000.0).round();
    Some(Explored {
        layers: rows,
        efficiency: Efficiency {
            // In 0..=10000 after the clamp.
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "clamped to 0..=10000 above"
            )]
            score: score as u32,
            wasted: report.wasted_bytes,
            user_size: report.user_size,
            files: report
                .inefficient_files
                .iter()
                .take(WASTED_LISTED)
                .map(|f| WastedFile {
                    path: f.path.clone(),
                    count: f.count,
                    size: f.cumulative_size,
                })
                .collect(),
            lessons,
        },
    })
}

/// Whether `path` is `top` or below it.
fn within(path: &str, top: &str) -> bool {
    path == top
        || path
            .strip_prefix(top)
            .is_some_and(|rest| rest.starts_with('/') || top == "/")
}

/// The lessons: each deletion of something an earlier layer added ("added in layer 3 and
/// deleted in layer 4: 38 MB still shipped"; deletions of several entries of one directory,
/// as `rm -rf dir/*` makes, are told as the directory), largest first, then paths written
/// again in a later layer.
fn lessons(report: &analysis::Analysis) -> Vec<String> {
    // (path told, added in layer, deleted in layer) → bytes still shipped.
    let mut shipped: BTreeMap<(String, usize, usize), (u64, usize)> = BTreeMap::new();
    for (j, layer) in report.layers.iter().enumerate() {
        let deleted: Vec<&FileChange> = layer
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Deleted)
            .collect();
        for change in &deleted {
            let Some(i) = report.layers[..j].iter().position(|lower| {
                lower
                    .changes
                    .iter()
                    .any(|c| c.kind == ChangeKind::Added && within(&c.path, &change.path))
            }) else {
                continue;
            };
            let bytes: u64 = report.layers[i..j]
                .iter()
                .flat_map(|lower| &lower.changes)
                .filter(|c| c.node == Kind::File && within(&c.path, &change.path))
                .map(|c| c.size)
                .sum();
            let parent = change
                .path
                .rsplit_once('/')
                .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
            let siblings = deleted
                .iter()
                .filter(|c| {
                    c.path.rsplit_once('/').map(|(p, _)| p)
                        == change.path.rsplit_once('/').map(|(p, _)| p)
                })
                .count();
            let told = if siblings > 1 {
                parent.to_owned()
            } else {
                change.path.clone()
            };
            let entry = shipped.entry((told, i, j)).or_default();
            entry.0 += bytes;
            entry.1 += 1;
        }
    }
    let mut told: Vec<_> = shipped
        .into_iter()
        .filter(|(_, (bytes, _))| *bytes > 0)
        .collect();
    told.sort_by_key(|(_, (bytes, _))| std::cmp::Reverse(*bytes));
    let mut out: Vec<String> = told
        .iter()
        .take(5)
        .map(|((path, i, j), (bytes, _))| {
            format!(
                "{path} was added in layer {} and deleted in layer {}: {} still shipped (delete it in the same RUN that creates it)",
                i + 1,
                j + 1,
                human_size(*bytes)
            )
        })
        .collect();
    for file in report
        .inefficient_files
        .iter()
        .filter(|f| !told.iter().any(|((top, _, _), _)| within(&f.path, top)))
        .take(3)
    {
        out.push(format!(
            "{} is stored in {} layers: {} in all, only the top copy is visible",
            file.path,
            file.count,
            human_size(file.cumulative_size)
        ));
    }
    out
}

/// One directory of the union filesystem after `layers` (base first): its entries, sorted, at
/// most [`ENTRIES_PER_DIR`], and how many more. Empty when `dir` is not a directory there.
pub fn union_dir(layers: &[&Layer], dir: &str) -> (Vec<FileRow>, usize) {
    let Ok(fs) = Fs::from_layers(layers.iter().copied()) else {
        return (Vec::new(), 0);
    };
    let Ok(entries) = fs.read_dir(dir) else {
        return (Vec::new(), 0);
    };
    let base = dir.trim_end_matches('/');
    let total = entries.len();
    let rows = entries
        .into_iter()
        .take(ENTRIES_PER_DIR)
        .map(|(name, entry)| {
            let path = format!("{base}/{name}");
            let (size, is_dir) = match entry {
                Entry::File { file, .. } => (file.content.len(), false),
                Entry::Dir(_) => (dir_size(&fs, &path), true),
                Entry::Symlink(_) => (0, false),
            };
            FileRow {
                path,
                change: Change::Present,
                size,
                dir: is_dir,
            }
        })
        .collect();
    (rows, total.saturating_sub(ENTRIES_PER_DIR))
}

/// The bytes of every file below `path`.
fn dir_size(fs: &Fs, path: &str) -> u64 {
    fs.walk_from(path).map_or(0, |walk| {
        walk.map(|(_, entry)| match entry {
            Entry::File { file, .. } => file.content.len(),
            _ => 0,
        })
        .sum()
    })
}

#[cfg(test)]
mod tests;
