//! Suppression pragmas, the `check` directive and configuration, end to end.

use stowage_lint::{Config, HostData, lint};

fn codes(source: &str, config: &Config) -> Vec<(u32, &'static str)> {
    lint(source, config, &HostData::default())
        .into_iter()
        .map(|f| (f.start.line, f.rule.code))
        .collect()
}

#[test]
fn parse_errors_do_not_stop_linting() {
    let found = codes(
        "FROM alpine\nCOPY --frm=x a b\nRUN apk add && && x\n",
        &Config::default(),
    );
    assert!(found.contains(&(2, "DL1000")), "{found:?}");
    assert!(found.contains(&(3, "SC1073")), "{found:?}");
}

#[test]
fn unknown_pragma_codes_are_reported() {
    let found = codes(
        "FROM alpine\n# hadolint ignore=DL9999\nRUN echo\n",
        &Config::default(),
    );
    assert!(found.contains(&(2, "SW301")), "{found:?}");
}

#[test]
fn check_directive_options() {
    let found = codes("# check=bogus=1\nFROM alpine\n", &Config::default());
    assert!(found.contains(&(1, "SW301")), "{found:?}");
}

#[test]
fn config_deserialises_hadolint_keys() {
    let config: Config = serde_json::from_str(
        r#"{"ignored":["DL3008"],"override":{"error":["DL3015"]},"trustedRegistries":"docker.io",
            "label-schema":{"maintainer":"text"},"strict-labels":true,"failure-threshold":"warning",
            "no-fail":true,"format":"json","disable-ignore-pragma":true}"#,
    )
    .unwrap();
    assert_eq!(config.trusted_registries.0, ["docker.io"]);
    assert_eq!(config.overrides.error, ["DL3015"]);
    assert!(config.strict_labels && config.no_fail && config.disable_ignore_pragma);
}
