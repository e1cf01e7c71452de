//! The linter's data-driven tests: rule fixtures, the docs' examples, and tidiness.

mod examples;
mod fixes;
mod fixtures;
mod pragmas;
mod tidy;
mod twins;

use stowage_lint::{Config, Finding, HostData, Level, RuleMeta};

/// A config that turns `meta` on even when it is off by default, and turns its twins off so
/// that its own findings are not folded into theirs.
pub(crate) fn config_enabling(meta: &RuleMeta, base: Config) -> Config {
    let mut config = base;
    if meta.level == Level::Ignore {
        config.overrides.warning.push(meta.code.to_owned());
    }
    config
        .ignored
        .extend(stowage_lint::twins_of(meta.code).map(str::to_owned));
    config
}

/// Lints and keeps only `meta`'s findings.
pub(crate) fn findings_of(
    meta: &RuleMeta,
    source: &str,
    config: &Config,
    host: &HostData<'_>,
) -> Vec<Finding> {
    stowage_lint::lint(source, config, host)
        .into_iter()
        .filter(|f| f.rule.code == meta.code)
        .collect()
}
