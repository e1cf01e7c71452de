//! The linter's configuration, resolved like hadolint's: defaults, then `HADOLINT_*`
//! environment variables, then the config file (`-c`, or the first of `./.hadolint.yaml`,
//! `$XDG_CONFIG_HOME/hadolint.yaml`, `~/.hadolint/hadolint.yaml`, `~/.hadolint.yaml`, each
//! also as `.yml`), then the command line. Later sources win.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use stowage_lint::config::{LabelType, OneOrMany, Overrides, Threshold};
use stowage_lint::{Config, RULES};

use super::LintArgs;

/// The keys of `.hadolint.yaml`, each optional so that only the keys a file sets override.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    ignored: Option<Vec<String>>,
    #[serde(rename = "override")]
    overrides: Option<Overrides>,
    #[serde(rename = "trustedRegistries")]
    trusted_registries: Option<OneOrMany>,
    label_schema: Option<BTreeMap<String, LabelType>>,
    strict_labels: Option<bool>,
    failure_threshold: Option<Threshold>,
    no_fail: Option<bool>,
    no_color: Option<bool>,
    verbose: Option<bool>,
    format: Option<String>,
    formats: Option<Vec<String>>,
    disable_ignore_pragma: Option<bool>,
}

/// Where the config came from, for `--verbose` and error messages.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub(crate) config: Config,
    pub(crate) file: Option<PathBuf>,
    /// A config file that could not be read; hadolint warns and goes on with the defaults.
    pub(crate) problem: Option<String>,
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// hadolint's search order.
fn candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let with_ext = |base: PathBuf, out: &mut Vec<PathBuf>| {
        for ext in ["yaml", "yml"] {
            out.push(base.with_extension(ext));
        }
    };
    with_ext(PathBuf::from(".hadolint"), &mut out);
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".config")));
    if let Some(xdg) = xdg {
        with_ext(xdg.join("hadolint"), &mut out);
    }
    if let Some(home) = home() {
        with_ext(home.join(".hadolint").join("hadolint"), &mut out);
        with_ext(home.join(".hadolint").join("config"), &mut out);
        with_ext(home.join(".hadolint"), &mut out);
    }
    out
}

fn comma_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn env_bool(name: &str) -> Option<bool> {
    std::env::var(name).ok().map(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}

fn parse_threshold(text: &str) -> Result<Threshold> {
    Ok(match text.trim().to_ascii_lowercase().as_str() {
        "error" => Threshold::Error,
        "warning" => Threshold::Warning,
        "info" => Threshold::Info,
        "style" => Threshold::Style,
        "ignore" => Threshold::Ignore,
        "none" => Threshold::None,
        other => {
            bail!("invalid failure threshold `{other}` (error, warning, info, style, ignore, none)")
        }
    })
}

fn parse_label(spec: &str) -> Result<(String, LabelType)> {
    let (name, kind) = spec
        .split_once(':')
        .with_context(|| format!("`{spec}`: expected LABEL:TYPE"))?;
    let kind: LabelType = serde_json::from_value(serde_json::Value::String(kind.to_owned()))
        .with_context(|| {
            format!("`{kind}`: label types are text, url, semver, hash, rfc3339, spdx, email")
        })?;
    Ok((name.to_owned(), kind))
}

fn apply_env(config: &mut Config) -> Result<()> {
    if let Some(v) = env_bool("HADOLINT_NOFAIL") {
        config.no_fail = v;
    }
    if let Some(v) = env_bool("HADOLINT_VERBOSE") {
        config.verbose = v;
    }
    if let Ok(v) = std::env::var("HADOLINT_FORMAT") {
        config.format = Some(v);
    }
    if let Ok(v) = std::env::var("HADOLINT_FAILURE_THRESHOLD") {
        config.failure_threshold = Some(parse_threshold(&v)?);
    }
    let lists = [
        ("HADOLINT_OVERRIDE_ERROR", 0),
        ("HADOLINT_OVERRIDE_WARNING", 1),
        ("HADOLINT_OVERRIDE_INFO", 2),
        ("HADOLINT_OVERRIDE_STYLE", 3),
    ];
    for (name, which) in lists {
        if let Ok(v) = std::env::var(name) {
            let o = &mut config.overrides;
            let list = [&mut o.error, &mut o.warning, &mut o.info, &mut o.style];
            if let Some(target) = list.into_iter().nth(which) {
                *target = comma_list(&v);
            }
        }
    }
    if let Ok(v) = std::env::var("HADOLINT_IGNORE") {
        config.ignored = comma_list(&v);
    }
    if let Some(v) = env_bool("HADOLINT_STRICT_LABELS") {
        config.strict_labels = v;
    }
    if let Some(v) = env_bool("HADOLINT_DISABLE_IGNORE_PRAGMA") {
        config.disable_ignore_pragma = v;
    }
    if let Ok(v) = std::env::var("HADOLINT_TRUSTED_REGISTRIES") {
        config.trusted_registries = OneOrMany(comma_list(&v));
    }
    if let Ok(v) = std::env::var("HADOLINT_REQUIRE_LABELS") {
        for spec in comma_list(&v) {
            let (name, kind) = parse_label(&spec)?;
            config.label_schema.insert(name, kind);
        }
    }
    if std::env::var_os("NO_COLOR").is_some() {
        config.no_color = true;
    }
    Ok(())
}

fn apply_file(config: &mut Config, file: FileConfig) {
    let FileConfig {
        ignored,
        overrides,
        trusted_registries,
        label_schema,
        strict_labels,
        failure_threshold,
        no_fail,
        no_color,
        verbose,
        format,
        formats,
        disable_ignore_pragma,
    } = file;
    if let Some(v) = ignored {
        config.ignored = v;
    }
    if let Some(v) = overrides {
        config.overrides = v;
    }
    if let Some(v) = trusted_registries {
        config.trusted_registries = v;
    }
    if let Some(v) = label_schema {
        config.label_schema = v;
    }
    if let Some(v) = strict_labels {
        config.strict_labels = v;
    }
    if let Some(v) = failure_threshold {
        config.failure_threshold = Some(v);
    }
    if let Some(v) = no_fail {
        config.no_fail = v;
    }
    if let Some(v) = no_color {
        config.no_color = v;
    }
    if let Some(v) = verbose {
        config.verbose = v;
    }
    if let Some(v) = format {
        config.format = Some(v);
    }
    if let Some(v) = formats {
        config.formats = v;
    }
    if let Some(v) = disable_ignore_pragma {
        config.disable_ignore_pragma = v;
    }
}

fn apply_args(config: &mut Config, args: &LintArgs) -> Result<()> {
    // hadolint: `--ignore` on the command line replaces the file's list.
    if !args.ignore.is_empty() {
        config.ignored.clone_from(&args.ignore);
    }
    let o = &mut config.overrides;
    o.error.extend(args.error.iter().cloned());
    o.warning.extend(args.warning.iter().cloned());
    o.info.extend(args.info.iter().cloned());
    o.style.extend(args.style.iter().cloned());
    config
        .trusted_registries
        .0
        .extend(args.trusted_registry.iter().cloned());
    for spec in &args.require_label {
        let (name, kind) = parse_label(spec)?;
        config.label_schema.insert(name, kind);
    }
    if args.strict_labels {
        config.strict_labels = true;
    }
    if let Some(t) = &args.failure_threshold {
        config.failure_threshold = Some(parse_threshold(t)?);
    }
    if args.no_fail {
        config.no_fail = true;
    }
    if args.no_color {
        config.no_color = true;
    }
    if args.disable_ignore_pragma {
        config.disable_ignore_pragma = true;
    }
    if let Some(f) = args.format {
        config.format = Some(f.name().to_owned());
    }
    Ok(())
}

fn parse_file(text: &str) -> Result<FileConfig> {
    if text.trim().is_empty() {
        return Ok(FileConfig::default());
    }
    Ok(serde_yaml_ng::from_str(text)?)
}

/// Rule identifiers in the config that no rule answers to.
pub(crate) fn unknown_ids(config: &Config) -> Vec<String> {
    let o = &config.overrides;
    config
        .ignored
        .iter()
        .chain(&o.error)
        .chain(&o.warning)
        .chain(&o.info)
        .chain(&o.style)
        .filter(|id| {
            // ShellCheck codes are accepted as hadolint accepts them.
            !id.starts_with("SC") && !RULES.iter().any(|r| r.meta().answers_to(id))
        })
        .cloned()
        .collect()
}

/// Resolves the configuration for a run.
pub(crate) fn resolve(args: &LintArgs) -> Result<Resolved> {
    let mut config = Config::default();
    apply_env(&mut config)?;
    let mut problem = None;
    let file = match &args.config {
        Some(path) => Some(path.clone()),
        None => candidates().into_iter().find(|p| p.is_file()),
    };
    if let Some(path) = &file {
        let loaded = std::fs::read_to_string(path)
            .with_context(|| format!("reading {}", path.display()))
            .and_then(|text| parse_file(&text));
        match loaded {
            Ok(file_config) => apply_file(&mut config, file_config),
            // An explicitly named file must be right; a found one is reported and skipped,
            // as hadolint does.
            Err(e) if args.config.is_some() => {
                return Err(e.context(format!("invalid config file {}", path.display())));
            }
            Err(e) => {
                problem = Some(format!(
                    "ignoring invalid config file {}: {e:#}\n  (keys: ignored, override, trustedRegistries, label-schema, strict-labels, failure-threshold, no-fail, no-color, verbose, format, formats, disable-ignore-pragma)",
                    path.display()
                ));
            }
        }
    }
    apply_args(&mut config, args)?;
    Ok(Resolved {
        config,
        file,
        problem,
    })
}
