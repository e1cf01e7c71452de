//! Configuration, mirroring `.hadolint.yaml`. The host reads the file (YAML) and hands the
//! parsed [`Config`] over; this crate never reads files.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use stowage_diagnostics::Severity;

/// A rule's level: a severity, or `ignore` (off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Fails the build.
    Error,
    /// Probably wrong.
    Warning,
    /// Worth knowing.
    Info,
    /// Style.
    Style,
    /// Off.
    Ignore,
}

impl Level {
    /// The severity findings get, or `None` when the rule is off.
    pub const fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Info => Some(Severity::Info),
            Level::Style => Some(Severity::Style),
            Level::Ignore => None,
        }
    }
}

/// `failure-threshold`: the lowest severity that makes the run fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Threshold {
    /// Only errors fail.
    Error,
    /// Warnings and errors fail.
    Warning,
    /// Info and above fail (hadolint's default).
    Info,
    /// Everything fails.
    Style,
    /// Everything fails (hadolint treats it like `style`).
    Ignore,
    /// Nothing fails.
    None,
}

impl Threshold {
    /// Whether a finding of `severity` reaches the threshold.
    pub fn fails(self, severity: Severity) -> bool {
        let rank = |s: Severity| match s {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
            Severity::Style => 3,
        };
        match self {
            Threshold::None => false,
            Threshold::Error => rank(severity) <= 0,
            Threshold::Warning => rank(severity) <= 1,
            Threshold::Info => rank(severity) <= 2,
            Threshold::Style | Threshold::Ignore => true,
        }
    }
}

/// The value types of `label-schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelType {
    /// Any non-empty text.
    Text,
    /// A URL.
    Url,
    /// A semantic version.
    Semver,
    /// A git hash (7 or 40 hex digits).
    Hash,
    /// An RFC 3339 timestamp.
    Rfc3339,
    /// An SPDX licence expression.
    Spdx,
    /// An e-mail address.
    Email,
}

/// `override`: per-rule severities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Overrides {
    /// Rules reported as errors.
    pub error: Vec<String>,
    /// Rules reported as warnings.
    pub warning: Vec<String>,
    /// Rules reported as info.
    pub info: Vec<String>,
    /// Rules reported as style.
    pub style: Vec<String>,
}

/// One string or a list of strings (`trustedRegistries: docker.io` or `[a, b]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "OneOrManyRepr", into = "Vec<String>")]
pub struct OneOrMany(pub Vec<String>);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrManyRepr {
    One(String),
    Many(Vec<String>),
}

impl From<OneOrManyRepr> for OneOrMany {
    fn from(r: OneOrManyRepr) -> Self {
        match r {
            OneOrManyRepr::One(s) => OneOrMany(vec![s]),
            OneOrManyRepr::Many(v) => OneOrMany(v),
        }
    }
}

impl From<OneOrMany> for Vec<String> {
    fn from(v: OneOrMany) -> Self {
        v.0
    }
}

/// The linter's configuration: the keys of `.hadolint.yaml`.
///
/// Rule identifiers may be codes (`DL3008`, `SW701`), names (`stage-name-casing`) or BuildKit
/// check names (`StageNameCasing`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct Config {
    /// Rules not to report.
    pub ignored: Vec<String>,
    /// Per-rule severities.
    #[serde(rename = "override")]
    pub overrides: Overrides,
    /// Registries FROM and `COPY --from` images may come from (DL3026; off when empty).
    #[serde(rename = "trustedRegistries")]
    pub trusted_registries: OneOrMany,
    /// Required labels and their value types (DL3049–DL3058).
    pub label_schema: BTreeMap<String, LabelType>,
    /// Report labels that are not in the schema (DL3050).
    pub strict_labels: bool,
    /// The lowest severity that fails the run (used by the host).
    pub failure_threshold: Option<Threshold>,
    /// Never fail the run (used by the host).
    pub no_fail: bool,
    /// No colour (used by the host).
    pub no_color: bool,
    /// Verbose output (used by the host).
    pub verbose: bool,
    /// Output format (used by the host).
    pub format: Option<String>,
    /// Output formats (hadolint 2.15; used by the host).
    pub formats: Vec<String>,
    /// Ignore inline `# hadolint ignore=` / `# stowage: ignore=` pragmas.
    pub disable_ignore_pragma: bool,
}

impl Config {
    /// The configured level for a rule, or `None` to use its default.
    pub fn level_override(&self, meta: &crate::rule::RuleMeta) -> Option<Level> {
        let o = &self.overrides;
        let hit = |list: &[String]| list.iter().any(|id| meta.answers_to(id));
        if hit(&o.error) {
            Some(Level::Error)
        } else if hit(&o.warning) {
            Some(Level::Warning)
        } else if hit(&o.info) {
            Some(Level::Info)
        } else if hit(&o.style) {
            Some(Level::Style)
        } else {
            None
        }
    }

    /// Whether the rule is in `ignored`.
    pub fn is_ignored(&self, meta: &crate::rule::RuleMeta) -> bool {
        self.ignored.iter().any(|id| meta.answers_to(id))
    }
}
