//! Every rule's `## Example` must be flagged by it and its `## Use instead` must not.

use stowage_lint::{Config, HostData, RULES};

use crate::{config_enabling, findings_of};

/// The first fenced `dockerfile` block after `heading`.
pub(crate) fn block_after(docs: &str, heading: &str) -> Option<String> {
    let at = docs.find(&format!("\n{heading}\n"))?;
    let rest = &docs[at + heading.len() + 2..];
    let start = rest.find("```dockerfile\n")? + "```dockerfile\n".len();
    let end = rest[start..].find("```")?;
    Some(rest[start..start + end].to_owned())
}

/// Rules whose examples need configuration or host data.
fn setup(code: &str) -> (Config, Option<&'static str>) {
    let mut config = Config::default();
    match code {
        "DL3026" => config.trusted_registries.0 = vec!["docker.io".into()],
        "DL3049" | "DL3050" | "DL3051" => {
            config
                .label_schema
                .insert("maintainer".into(), stowage_lint::LabelType::Text);
            config.strict_labels = true;
        }
        "DL3052" => {
            config
                .label_schema
                .insert("website".into(), stowage_lint::LabelType::Url);
        }
        "DL3053" => {
            config
                .label_schema
                .insert("created".into(), stowage_lint::LabelType::Rfc3339);
        }
        "DL3054" => {
            config
                .label_schema
                .insert("license".into(), stowage_lint::LabelType::Spdx);
        }
        "DL3055" => {
            config
                .label_schema
                .insert("revision".into(), stowage_lint::LabelType::Hash);
        }
        "DL3056" => {
            config
                .label_schema
                .insert("version".into(), stowage_lint::LabelType::Semver);
        }
        "DL3058" => {
            config
                .label_schema
                .insert("contact".into(), stowage_lint::LabelType::Email);
        }
        _ => {}
    }
    let ignore = (code == "SW208").then_some("secret.txt\n");
    (config, ignore)
}

#[test]
fn examples_hit_and_alternatives_are_clean() {
    let mut failures = Vec::new();
    for rule in RULES {
        let meta = rule.meta();
        let docs = meta.docs();
        let (base, dockerignore) = setup(meta.code);
        let config = config_enabling(meta, base);
        let host = HostData { dockerignore };
        let example = block_after(&docs, "## Example").unwrap_or_default();
        if findings_of(meta, &example, &config, &host).is_empty() {
            failures.push(format!(
                "{}: `## Example` is not flagged:\n{example}",
                meta.code
            ));
        }
        let good = block_after(&docs, "## Use instead").unwrap_or_default();
        let found = findings_of(meta, &good, &config, &host);
        if !found.is_empty() {
            failures.push(format!(
                "{}: `## Use instead` is flagged: {:?}",
                meta.code,
                found
                    .iter()
                    .map(|f| &f.diagnostic.message)
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
