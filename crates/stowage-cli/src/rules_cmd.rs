//! `stowage rules [RULE]`: the rule list, or one rule's page (its doc comment, the same text the
//! web app shows).

use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::ValueEnum;
use serde::Serialize;
use stowage_lint::{Behaviour, RULES, RuleMeta, RuleSource};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RulesFormat {
    /// A table, or the rule's page as Markdown.
    Text,
    /// JSON objects with the metadata and the documentation.
    Json,
}

#[derive(Serialize)]
struct RuleJson<'a> {
    code: &'a str,
    name: &'a str,
    category: &'a str,
    level: stowage_lint::Level,
    fix: String,
    status: String,
    since: &'a str,
    sources: Vec<String>,
    summary: &'a str,
    docs: String,
}

fn source_text(source: &RuleSource) -> String {
    let how = |b: &Behaviour| match b {
        Behaviour::Same => "same",
        Behaviour::Different => "different",
    };
    match source {
        RuleSource::Hadolint(code, b) => format!("hadolint {code} ({})", how(b)),
        RuleSource::BuildKit(name, b) => format!("BuildKit {name} ({})", how(b)),
    }
}

fn to_json(meta: &RuleMeta) -> RuleJson<'_> {
    RuleJson {
        code: meta.code,
        name: meta.name,
        category: meta.category.name(),
        level: meta.level,
        fix: format!("{:?}", meta.fix).to_lowercase(),
        status: format!("{:?}", meta.status).to_lowercase(),
        since: meta.since,
        sources: meta.sources.iter().map(source_text).collect(),
        summary: meta.summary(),
        docs: meta.docs(),
    }
}

/// A rule's page: a metadata header, then its documentation.
pub(crate) fn rule_page(meta: &RuleMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} `{}`\n", meta.code, meta.name);
    let _ = writeln!(
        out,
        "category: {} · default level: {} · fix: {} · since {}",
        meta.category.name(),
        format!("{:?}", meta.level).to_lowercase(),
        format!("{:?}", meta.fix).to_lowercase(),
        meta.since
    );
    if !meta.sources.is_empty() {
        let sources: Vec<String> = meta.sources.iter().map(source_text).collect();
        let _ = writeln!(out, "implements: {}", sources.join(", "));
    }
    let twins: Vec<&str> = stowage_lint::twins_of(meta.code).collect();
    if !twins.is_empty() {
        let _ = writeln!(
            out,
            "twin: {} (the same check under the other tool's name; when both fire on an instruction, one finding is reported under the hadolint code)",
            twins.join(", ")
        );
    }
    out.push('\n');
    out.push_str(&meta.docs());
    out
}

pub(crate) fn rules_command(rule: Option<&str>, format: RulesFormat) -> Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match rule {
        Some(id) => {
            let Some(meta) = RULES.iter().map(|r| r.meta()).find(|m| m.answers_to(id)) else {
                bail!("no rule is called `{id}`; `stowage rules` lists them");
            };
            match format {
                RulesFormat::Text => stdout.write_all(rule_page(meta).as_bytes())?,
                RulesFormat::Json => {
                    serde_json::to_writer_pretty(&mut stdout, &to_json(meta))?;
                    stdout.write_all(b"\n")?;
                }
            }
        }
        None => match format {
            RulesFormat::Text => {
                let mut out = String::new();
                let _ = writeln!(
                    out,
                    "{:<8} {:<36} {:<16} {:<8} SUMMARY",
                    "CODE", "NAME", "CATEGORY", "LEVEL"
                );
                for meta in RULES.iter().map(|r| r.meta()) {
                    let _ = writeln!(
                        out,
                        "{:<8} {:<36} {:<16} {:<8} {}",
                        meta.code,
                        meta.name,
                        meta.category.name(),
                        format!("{:?}", meta.level).to_lowercase(),
                        meta.summary()
                    );
                }
                stdout.write_all(out.as_bytes())?;
            }
            RulesFormat::Json => {
                let all: Vec<RuleJson<'_>> = RULES.iter().map(|r| to_json(r.meta())).collect();
                serde_json::to_writer_pretty(&mut stdout, &all)?;
                stdout.write_all(b"\n")?;
            }
        },
    }
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
