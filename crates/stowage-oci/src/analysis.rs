//! Layer analysis the way dive does it (`dive/filetree/efficiency.go`, `dive/image/analysis.go`,
//! `cmd/dive/cli/internal/command/ci`).
//!
//! - **Layer size**: the sum of the tar header sizes of a layer, i.e. its regular files (hard
//!   links, directories and symlinks count 0).
//! - **Efficiency**: every *leaf* of every layer's tree (an entry with no other entry below it
//!   in the same layer) is a visit of its path. A path's cumulative size is the sum of its
//!   sizes over all visits, its minimum the smallest. A whiteout's size is that of the
//!   directory tree it deletes in the stacked lower layers, and 0 for a deleted file (dive only
//!   sizes deleted directories). Score = Σ minimum / Σ cumulative, 1 when nothing was seen.
//! - **Inefficient files**: paths visited in two or more layers; **wasted bytes** is the sum
//!   of their cumulative sizes (the first copy included).
//! - **User size**: all layers but the first; **user wasted percent** = wasted / user size
//!   (a ratio, 0–1).
//!
//! Two deliberate differences: a whiteout of a path the lower layers do not have counts 0
//! (dive logs an error and stops visiting that layer), and opaque-directory markers are not
//! visited (dive does not interpret them).

use std::collections::BTreeMap;
use std::fmt;

use stowage_vfs::{ChangeKind, Entry, Fs, Kind, Layer, LayerEntry, VfsError, diff};

/// What happened to a path in one layer, relative to the layers below it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    /// Canonical path.
    pub path: String,
    /// Added, modified (with reasons) or deleted.
    pub kind: ChangeKind,
    /// The node's kind (after the change; before it for deletions).
    pub node: Kind,
    /// Its size: a file's length, a directory's total file bytes.
    pub size: u64,
}

/// One layer's part of the analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerReport {
    /// Position, base first.
    pub index: usize,
    /// dive's layer size (regular file bytes in the tar).
    pub size: u64,
    /// Every change in walk order.
    pub changes: Vec<FileChange>,
}

impl LayerReport {
    /// Number of added, modified and deleted paths.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for change in &self.changes {
            match change.kind {
                ChangeKind::Added => c.0 += 1,
                ChangeKind::Modified(_) => c.1 += 1,
                ChangeKind::Deleted => c.2 += 1,
            }
        }
        c
    }
}

/// A path stored more than once across layers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InefficientFile {
    /// Canonical path.
    pub path: String,
    /// How many layers it appears in.
    pub count: usize,
    /// Its cumulative size over those layers.
    pub cumulative_size: u64,
}

/// The analysis of an image.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// Per layer.
    pub layers: Vec<LayerReport>,
    /// Image efficiency, 0–1.
    pub efficiency: f64,
    /// Sum of layer sizes.
    pub size: u64,
    /// Sum of layer sizes without the first layer.
    pub user_size: u64,
    /// Sum of the cumulative sizes of the inefficient files.
    pub wasted_bytes: u64,
    /// `wasted_bytes / user_size` (0 when both are 0, infinite when only the user size is).
    pub user_wasted_percent: f64,
    /// Inefficient files, largest cumulative size first (as dive's CI report lists them).
    pub inefficient_files: Vec<InefficientFile>,
}

#[derive(Default)]
struct Seen {
    count: usize,
    cumulative: u64,
    min: u64,
}

/// Analyses a stack of layers, base first.
#[expect(
    clippy::cast_precision_loss,
    reason = "ratios of byte counts, computed in float64 by dive too"
)]
pub fn analyze<'a>(layers: impl IntoIterator<Item = &'a Layer>) -> Result<Analysis, VfsError> {
    let mut fs = Fs::new();
    // dive's stacked tree: the size each path had where it was last written, and whether it
    // is a directory.
    let mut stacked: BTreeMap<String, (u64, bool)> = BTreeMap::new();
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    let mut reports = Vec::new();
    for (index, layer) in layers.into_iter().enumerate() {
        for (path, entry) in &layer.entries {
            if has_children(layer, path) {
                continue;
            }
            let size = match entry {
                LayerEntry::File(f) => f.content.len(),
                LayerEntry::Whiteout => match stacked.get(path) {
                    Some((_, true)) => subtree(&stacked, path).map(|(_, (s, _))| *s).sum(),
                    _ => 0,
                },
                LayerEntry::Dir(_) | LayerEntry::Symlink(_) | LayerEntry::Hardlink(_) => 0,
            };
            let s = seen.entry(path.clone()).or_default();
            s.min = if s.count == 0 { size } else { s.min.min(size) };
            s.count += 1;
            s.cumulative += size;
        }
        for dir in &layer.opaque {
            let below: Vec<String> = subtree(&stacked, dir)
                .filter(|(p, _)| *p != dir)
                .map(|(p, _)| p.clone())
                .collect();
            for p in below {
                stacked.remove(&p);
            }
        }
        for (path, entry) in &layer.entries {
            if matches!(entry, LayerEntry::Whiteout) {
                let gone: Vec<String> = subtree(&stacked, path).map(|(p, _)| p.clone()).collect();
                for p in gone {
                    stacked.remove(&p);
                }
            }
        }
        for (path, entry) in &layer.entries {
            let value = match entry {
                LayerEntry::Whiteout => continue,
                LayerEntry::File(f) => (f.content.len(), false),
                LayerEntry::Dir(_) => (0, true),
                LayerEntry::Symlink(_) | LayerEntry::Hardlink(_) => (0, false),
            };
            stacked.insert(path.clone(), value);
        }

        let before = fs.snapshot();
        fs.apply(layer)?;
        let changes = diff(&before, &fs)
            .into_iter()
            .map(|c| {
                let tree = if c.kind == ChangeKind::Deleted {
                    &before
                } else {
                    &fs
                };
                let (node, size) = node_size(tree, &c.path);
                FileChange {
                    path: c.path,
                    kind: c.kind,
                    node,
                    size,
                }
            })
            .collect();
        reports.push(LayerReport {
            index,
            size: layer.size(),
            changes,
        });
    }

    let (min, cumulative) = seen
        .values()
        .fold((0u64, 0u64), |(m, c), s| (m + s.min, c + s.cumulative));
    let efficiency = if cumulative == 0 {
        1.0
    } else {
        min as f64 / cumulative as f64
    };
    let mut inefficient_files: Vec<InefficientFile> = seen
        .into_iter()
        .filter(|(_, s)| s.count >= 2)
        .map(|(path, s)| InefficientFile {
            path,
            count: s.count,
            cumulative_size: s.cumulative,
        })
        .collect();
    inefficient_files.sort_by(|a, b| {
        b.cumulative_size
            .cmp(&a.cumulative_size)
            .then_with(|| a.path.cmp(&b.path))
    });
    let wasted_bytes = inefficient_files.iter().map(|f| f.cumulative_size).sum();
    let size = reports.iter().map(|r| r.size).sum();
    let user_size = reports.iter().skip(1).map(|r| r.size).sum();
    let user_wasted_percent = match (wasted_bytes, user_size) {
        (0, 0) => 0.0,
        (_, 0) => f64::INFINITY,
        (w, u) => w as f64 / u as f64,
    };
    Ok(Analysis {
        layers: reports,
        efficiency,
        size,
        user_size,
        wasted_bytes,
        user_wasted_percent,
        inefficient_files,
    })
}

fn has_children(layer: &Layer, path: &str) -> bool {
    let prefix = if path == "/" {
        "/".to_owned()
    } else {
        format!("{path}/")
    };
    layer
        .entries
        .range(prefix.clone()..)
        .next()
        .is_some_and(|(p, _)| p.starts_with(&prefix))
        || layer.opaque.iter().any(|d| d.starts_with(&prefix))
}

/// `path` and everything below it in a path-keyed map.
fn subtree<'m, V>(
    map: &'m BTreeMap<String, V>,
    path: &str,
) -> impl Iterator<Item = (&'m String, &'m V)> {
    let prefix = format!("{}/", path.trim_end_matches('/'));
    let own = map.get_key_value(path);
    own.into_iter().chain(
        map.range(prefix.clone()..)
            .take_while(move |(p, _)| p.starts_with(&prefix)),
    )
}

fn node_size(fs: &Fs, path: &str) -> (Kind, u64) {
    match fs.lstat(path) {
        Ok(Entry::Dir(_)) => (
            Kind::Dir,
            fs.walk_from(path)
                .map_or(0, |w| w.map(|(_, e)| e.size()).sum()),
        ),
        Ok(e) => (e.kind(), e.size()),
        Err(_) => (Kind::File, 0),
    }
}

/// Why a CI rule value is invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CiRuleError {
    /// Not a number, or not a byte size.
    #[error("invalid {key} config value, given {value:?}")]
    Invalid {
        /// The rule.
        key: &'static str,
        /// The value.
        value: String,
    },
    /// A ratio outside 0–1.
    #[error("{key} config value is outside allowed range (0-1), given {value:?}")]
    OutOfRange {
        /// The rule.
        key: &'static str,
        /// The value.
        value: String,
    },
}

/// dive's CI rules; `None` disables a rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CiRules {
    /// `lowestEfficiency`: fail if the efficiency is below this (default 0.9).
    pub lowest_efficiency: Option<f64>,
    /// `highestWastedBytes`: fail if more bytes are wasted (default disabled).
    pub highest_wasted_bytes: Option<u64>,
    /// `highestUserWastedPercent`: fail if the wasted/user ratio is above this (default 0.1).
    pub highest_user_wasted_percent: Option<f64>,
}

impl Default for CiRules {
    fn default() -> Self {
        Self {
            lowest_efficiency: Some(0.9),
            highest_wasted_bytes: None,
            highest_user_wasted_percent: Some(0.1),
        }
    }
}

/// The three rule keys, in dive's spelling.
pub const LOWEST_EFFICIENCY: &str = "lowestEfficiency";
/// See [`LOWEST_EFFICIENCY`].
pub const HIGHEST_WASTED_BYTES: &str = "highestWastedBytes";
/// See [`LOWEST_EFFICIENCY`].
pub const HIGHEST_USER_WASTED_PERCENT: &str = "highestUserWastedPercent";

fn disabled(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "disabled" | "off" | "false"
    )
}

fn ratio(key: &'static str, value: &str) -> Result<Option<f64>, CiRuleError> {
    if disabled(value) {
        return Ok(None);
    }
    let v: f64 = value.trim().parse().map_err(|_| CiRuleError::Invalid {
        key,
        value: value.to_owned(),
    })?;
    if !(0.0..=1.0).contains(&v) {
        return Err(CiRuleError::OutOfRange {
            key,
            value: value.to_owned(),
        });
    }
    Ok(Some(v))
}

/// Parses a byte size like go-humanize's `ParseBytes`: `20MB` (10^6), `20MiB` (2^20), `1.5 GB`,
/// `512`, case-insensitive.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the value is checked to be in u64's range first"
)]
pub fn parse_bytes(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(s.len());
    let number: f64 = s[..split].replace(',', "").parse().ok()?;
    let unit = s[split..].trim().to_ascii_lowercase();
    let multiplier: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "ki" | "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mi" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gi" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" => 1e12,
        "ti" | "tib" => 1024f64.powi(4),
        "p" | "pb" => 1e15,
        "pi" | "pib" => 1024f64.powi(5),
        _ => return None,
    };
    let bytes = number * multiplier;
    (0.0..1.8e19).contains(&bytes).then_some(bytes as u64)
}

/// Formats bytes like go-humanize's `Bytes`: `83 MB`, `1.2 kB`, `512 B`.
#[expect(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    reason = "go-humanize's float formula on a display value; the exponent is at most 6"
)]
pub fn format_bytes(n: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    if n < 10 {
        return format!("{n} B");
    }
    let e = ((n as f64).ln() / 1000f64.ln()).floor() as usize;
    let e = e.min(UNITS.len() - 1);
    let value = ((n as f64) / 1000f64.powi(e as i32) * 10.0 + 0.5).floor() / 10.0;
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[e])
    } else {
        format!("{value:.0} {}", UNITS[e])
    }
}

impl CiRules {
    /// Rules from their three string values as dive takes them (`disabled`, `off`, `false` or
    /// empty disable a rule).
    pub fn parse(
        lowest_efficiency: &str,
        highest_wasted_bytes: &str,
        highest_user_wasted_percent: &str,
    ) -> Result<Self, CiRuleError> {
        Ok(Self {
            lowest_efficiency: ratio(LOWEST_EFFICIENCY, lowest_efficiency)?,
            highest_wasted_bytes: if disabled(highest_wasted_bytes) {
                None
            } else {
                Some(
                    parse_bytes(highest_wasted_bytes).ok_or_else(|| CiRuleError::Invalid {
                        key: HIGHEST_WASTED_BYTES,
                        value: highest_wasted_bytes.to_owned(),
                    })?,
                )
            },
            highest_user_wasted_percent: ratio(
                HIGHEST_USER_WASTED_PERCENT,
                highest_user_wasted_percent,
            )?,
        })
    }

    /// Rules from a `.dive-ci` file (`rules:` with the three keys; missing keys keep their
    /// defaults).
    pub fn from_dive_ci(text: &str) -> Result<Self, CiRuleError> {
        let mut values: BTreeMap<&str, String> = BTreeMap::new();
        for line in text.lines() {
            let line = line.split(" #").next().unwrap_or("").trim();
            if let Some((key, value)) = line.split_once(':') {
                let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
                values.insert(key.trim(), value.to_owned());
            }
        }
        let get = |key: &str, default: &str| values.get(key).cloned().unwrap_or(default.into());
        Self::parse(
            &get(LOWEST_EFFICIENCY, "0.9"),
            &get(HIGHEST_WASTED_BYTES, "disabled"),
            &get(HIGHEST_USER_WASTED_PERCENT, "0.1"),
        )
    }

    /// Evaluates the rules.
    pub fn evaluate<'a>(&self, analysis: &'a Analysis) -> CiReport<'a> {
        let mut results = Vec::new();
        let result = |key, status, message: String| RuleResult {
            key,
            status,
            message,
        };
        results.push(match self.highest_user_wasted_percent {
            None => result(HIGHEST_USER_WASTED_PERCENT, RuleStatus::Skip, "disabled".into()),
            Some(t) if analysis.user_wasted_percent > t => result(
                HIGHEST_USER_WASTED_PERCENT,
                RuleStatus::Fail,
                format!(
                    "too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes={:.2} > threshold={t})",
                    analysis.user_wasted_percent
                ),
            ),
            Some(t) => result(HIGHEST_USER_WASTED_PERCENT, RuleStatus::Pass, t.to_string()),
        });
        results.push(match self.highest_wasted_bytes {
            None => result(HIGHEST_WASTED_BYTES, RuleStatus::Skip, "disabled".into()),
            Some(t) if analysis.wasted_bytes > t => result(
                HIGHEST_WASTED_BYTES,
                RuleStatus::Fail,
                format!(
                    "too many bytes wasted (wasted-bytes={} > threshold={t})",
                    analysis.wasted_bytes
                ),
            ),
            Some(t) => result(HIGHEST_WASTED_BYTES, RuleStatus::Pass, t.to_string()),
        });
        results.push(match self.lowest_efficiency {
            None => result(LOWEST_EFFICIENCY, RuleStatus::Skip, "disabled".into()),
            Some(t) if t > analysis.efficiency => result(
                LOWEST_EFFICIENCY,
                RuleStatus::Fail,
                format!(
                    "image efficiency is too low (efficiency={:.2} < threshold={t})",
                    analysis.efficiency
                ),
            ),
            Some(t) => result(LOWEST_EFFICIENCY, RuleStatus::Pass, t.to_string()),
        });
        CiReport { analysis, results }
    }
}

/// PASS, FAIL or SKIP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleStatus {
    /// Within the threshold.
    Pass,
    /// Beyond it.
    Fail,
    /// Disabled.
    Skip,
}

impl RuleStatus {
    /// `PASS`, `FAIL` or `SKIP`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Skip => "SKIP",
        }
    }
}

/// One rule's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleResult {
    /// The rule key.
    pub key: &'static str,
    /// Its status.
    pub status: RuleStatus,
    /// dive's message (the configured value when it passed).
    pub message: String,
}

/// The outcome of [`CiRules::evaluate`]; `Display` renders dive's report (without colour).
#[derive(Clone, Debug)]
pub struct CiReport<'a> {
    analysis: &'a Analysis,
    /// One result per rule, sorted by key.
    pub results: Vec<RuleResult>,
}

impl CiReport<'_> {
    /// Whether no rule failed.
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.status != RuleStatus::Fail)
    }
}

impl fmt::Display for CiReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.analysis;
        let (wasted, percent) = if a.wasted_bytes > 0 {
            (
                format!("({})", format_bytes(a.wasted_bytes)),
                format!("{:.2} %", a.user_wasted_percent * 100.0),
            )
        } else {
            (String::new(), "0 %".to_owned())
        };
        writeln!(f, "Analysis:")?;
        writeln!(f, "  {:<18} {:.2} %", "efficiency:", a.efficiency * 100.0)?;
        writeln!(
            f,
            "  {:<18} {} bytes {wasted}",
            "wastedBytes:", a.wasted_bytes
        )?;
        writeln!(f, "  {:<18} {percent}", "userWastedPercent:")?;
        writeln!(f)?;
        if a.inefficient_files.is_empty() {
            writeln!(f, "Inefficient Files: (None)")?;
        } else {
            writeln!(f, "Inefficient Files:")?;
            writeln!(f, "  {:<5}  {:<12}  File Path", "Count", "Wasted Space")?;
            for file in &a.inefficient_files {
                writeln!(
                    f,
                    "  {:<5}  {:<12}  {}",
                    file.count,
                    format_bytes(file.cumulative_size),
                    file.path
                )?;
            }
        }
        writeln!(f)?;
        writeln!(f, "Evaluation:")?;
        for r in &self.results {
            writeln!(f, "  {}  {} ({})", r.status.as_str(), r.key, r.message)?;
        }
        writeln!(f)?;
        let count = |s| self.results.iter().filter(|r| r.status == s).count();
        let tally: Vec<String> = [
            ("pass", count(RuleStatus::Pass)),
            ("fail", count(RuleStatus::Fail)),
            ("skip", count(RuleStatus::Skip)),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k}:{n}"))
        .collect();
        write!(
            f,
            "{} [{}]",
            if self.passed() { "PASS" } else { "FAIL" },
            tally.join(" ")
        )
    }
}

#[cfg(test)]
mod tests;
