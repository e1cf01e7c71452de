//! The image configuration (image-spec `config.md` plus Docker's `Healthcheck`, `OnBuild` and
//! `Shell`) and the history entries BuildKit writes.
//!
//! Top-level keys are declared in alphabetical order because BuildKit's exporter re-marshals
//! the config through a Go map (`patchImageConfig`), which sorts them; the inner `config`
//! object keeps the Go struct order (`User`, `ExposedPorts`, `Env`, …).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Digest;

/// An empty JSON object: the value type of `ExposedPorts` and `Volumes`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

/// `skip_serializing_if` for flags (generic: serde passes a reference).
fn is_false<T: Default + PartialEq>(b: &T) -> bool {
    *b == T::default()
}

/// `skip_serializing_if` for numbers (generic: serde passes a reference).
fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// An image configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// REQUIRED: CPU architecture.
    pub architecture: String,
    /// OPTIONAL: who created the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// OPTIONAL: the execution parameters for containers.
    #[serde(default)]
    pub config: Config,
    /// OPTIONAL: creation time, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// OPTIONAL: one entry per build step, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<History>,
    /// REQUIRED: operating system.
    pub os: String,
    /// OPTIONAL: OS features.
    #[serde(rename = "os.features", default, skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    /// OPTIONAL: OS version.
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
    /// REQUIRED: the layers' uncompressed digests.
    pub rootfs: RootFs,
    /// OPTIONAL: CPU variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// Execution parameters (`config` in the image config).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Config {
    /// `USER`: user (and group) to run as.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// `EXPOSE`: ports as `port/proto`.
    #[expect(
        clippy::zero_sized_map_values,
        reason = "Go's map[string]struct{}: the JSON is an object of empty objects"
    )]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub exposed_ports: BTreeMap<String, Empty>,
    /// `ENV`/`ARG`-visible environment, `KEY=value`, in declaration order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// `ENTRYPOINT`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
    /// `CMD`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cmd: Vec<String>,
    /// `VOLUME`.
    #[expect(
        clippy::zero_sized_map_values,
        reason = "Go's map[string]struct{}: the JSON is an object of empty objects"
    )]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub volumes: BTreeMap<String, Empty>,
    /// `WORKDIR`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub working_dir: String,
    /// `LABEL`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// `STOPSIGNAL`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stop_signal: String,
    /// Windows only: the command line is already escaped.
    #[serde(default, skip_serializing_if = "is_false")]
    pub args_escaped: bool,
    /// `HEALTHCHECK` (Docker extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    /// `ONBUILD` triggers (Docker extension), as written.
    #[serde(default, rename = "OnBuild", skip_serializing_if = "Vec::is_empty")]
    pub on_build: Vec<String>,
    /// `SHELL` (Docker extension).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shell: Vec<String>,
}

impl Config {
    /// The value of `key` in `Env` (the last assignment wins).
    pub fn env_var(&self, key: &str) -> Option<&str> {
        self.env.iter().rev().find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k == key).then_some(v)
        })
    }

    /// Sets `key=value` in `Env`, replacing an earlier assignment in place (as Docker does).
    pub fn set_env(&mut self, key: &str, value: &str) {
        let entry = format!("{key}={value}");
        match self
            .env
            .iter_mut()
            .find(|kv| kv.split_once('=').map_or(kv.as_str(), |(k, _)| k) == key)
        {
            Some(slot) => *slot = entry,
            None => self.env.push(entry),
        }
    }
}

/// `HEALTHCHECK` settings; durations in nanoseconds (Go's `time.Duration`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// `["NONE"]`, `["CMD", args…]` or `["CMD-SHELL", command]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test: Vec<String>,
    /// Time between checks.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub interval: i64,
    /// Time before a check is considered hung.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timeout: i64,
    /// Start period for the container to initialise.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_period: i64,
    /// Time between checks during the start period.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_interval: i64,
    /// Consecutive failures needed to report unhealthy.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: i64,
}

/// The layers of the image by uncompressed digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFs {
    /// REQUIRED: `layers`.
    #[serde(rename = "type")]
    pub kind: String,
    /// REQUIRED: the diff IDs, base first.
    #[serde(default)]
    pub diff_ids: Vec<Digest>,
}

impl Default for RootFs {
    fn default() -> Self {
        Self {
            kind: "layers".to_owned(),
            diff_ids: Vec::new(),
        }
    }
}

/// One build step. The entries with `empty_layer` false match `rootfs.diff_ids` in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// OPTIONAL: when, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// OPTIONAL: the step (`RUN /bin/sh -c make # buildkit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// OPTIONAL: author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// OPTIONAL: comment (`buildkit.dockerfile.v0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// OPTIONAL: the step made no layer.
    #[serde(default, skip_serializing_if = "is_false")]
    pub empty_layer: bool,
}

impl ImageConfig {
    /// A config for `os`/`architecture` with no layers.
    pub fn new(os: &str, architecture: &str) -> Self {
        Self {
            os: os.to_owned(),
            architecture: architecture.to_owned(),
            ..Self::default()
        }
    }

    /// Checks the spec rule that the history entries with `empty_layer` false are exactly as
    /// many as the diff IDs (when there is any history at all).
    pub fn history_matches_layers(&self) -> bool {
        self.history.is_empty()
            || self.history.iter().filter(|h| !h.empty_layer).count() == self.rootfs.diff_ids.len()
    }

    /// For each history entry, the index of its layer (`None` for empty-layer entries).
    pub fn history_layers(&self) -> Vec<Option<usize>> {
        let mut next = 0;
        self.history
            .iter()
            .map(|h| {
                if h.empty_layer {
                    None
                } else {
                    next += 1;
                    Some(next - 1)
                }
            })
            .collect()
    }
}

/// History strings as BuildKit's Dockerfile frontend writes them (`dockerfile2llb`
/// `commitToHistory`, `runCommandString`).
pub mod buildkit {
    use std::fmt::Write as _;

    use super::History;

    /// The `comment` of every BuildKit history entry.
    pub const COMMENT: &str = "buildkit.dockerfile.v0";

    fn entry(created: Option<&str>, created_by: String, empty_layer: bool) -> History {
        History {
            created: created.map(str::to_owned),
            created_by: Some(created_by),
            author: None,
            comment: Some(COMMENT.to_owned()),
            empty_layer,
        }
    }

    /// A step that runs an LLB operation and makes a layer (`COPY …`, `ADD …`): `text` +
    /// `" # buildkit"`. BuildKit leaves `--from` and `--link` out of `text`.
    pub fn step(created: Option<&str>, text: &str) -> History {
        entry(created, format!("{text} # buildkit"), false)
    }

    /// `RUN`: the build args in scope (deduplicated, first position kept, last value wins)
    /// as `|N K=V …`, then the command words (`/bin/sh -c cmd` for the shell form).
    pub fn run(created: Option<&str>, build_args: &[(&str, &str)], argv: &[&str]) -> History {
        let mut args: Vec<(&str, &str)> = Vec::new();
        for (k, v) in build_args {
            match args.iter_mut().find(|(key, _)| key == k) {
                Some(slot) => slot.1 = v,
                None => args.push((k, v)),
            }
        }
        let mut words: Vec<String> = Vec::new();
        if !args.is_empty() {
            words.push(format!("|{}", args.len()));
            words.extend(args.iter().map(|(k, v)| format!("{k}={v}")));
        }
        words.extend(argv.iter().map(|w| (*w).to_owned()));
        step(created, &format!("RUN {}", words.join(" ")))
    }

    /// `WORKDIR path`: a real layer (BuildKit makes the directory) unless the path is `/`;
    /// no `# buildkit` suffix.
    pub fn workdir(created: Option<&str>, path: &str) -> History {
        entry(created, format!("WORKDIR {path}"), path == "/")
    }

    /// A metadata-only step (`ENV A=b`, `LABEL k=v`, `USER app`, `ARG NAME=value`,
    /// `EXPOSE [8080/tcp]`, `CMD ["/bin/sh" "-c" "x"]`, …): `empty_layer` true, no suffix.
    pub fn metadata(created: Option<&str>, text: &str) -> History {
        entry(created, text.to_owned(), true)
    }

    /// Go's `%q` of a `[]string`: `["a" "b c"]` (quoted, space-separated, no commas), as in
    /// `CMD`, `ENTRYPOINT` and `SHELL` history entries.
    pub fn quoted_list(items: &[&str]) -> String {
        let quoted: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
        format!("[{}]", quoted.join(" "))
    }

    /// Go's `%v` of a `[]string`: `[8080/tcp 53/udp]`, as in `EXPOSE` and `VOLUME` entries.
    pub fn plain_list(items: &[&str]) -> String {
        format!("[{}]", items.join(" "))
    }

    /// Go's `strconv.Quote`.
    pub fn go_quote(s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{7}' => out.push_str("\\a"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{b}' => out.push_str("\\v"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                    if (c as u32) < 0x10000 {
                        let _ = write!(out, "\\u{:04x}", c as u32);
                    } else {
                        let _ = write!(out, "\\U{:08x}", c as u32);
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }
}

/// Formats seconds since the epoch as RFC 3339 in UTC (`2024-01-02T03:04:05Z`), as Go's
/// `time.Time` marshals a whole-second UTC time.
pub fn rfc3339(epoch_seconds: i64) -> String {
    let days = epoch_seconds.div_euclid(86_400);
    let secs = epoch_seconds.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests;
