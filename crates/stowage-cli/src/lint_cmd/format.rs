//! Output formats of `stowage lint`: one function per format over all files' findings.
//!
//! Field names follow hadolint where it has the format (`json`, `checkstyle`, `codeclimate`,
//! `gitlab_codeclimate`, `sarif`, `junit`, `gnu`), with real columns and end positions added.

use std::fmt::Write as _;

use clap::ValueEnum;
use serde_json::{Value, json};
use stowage_diagnostics::{Diagnostic, Severity, render};
use stowage_lint::{Finding, RuleMeta};

use crate::source::colorize;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Compiler-style: the source line and a caret under each finding, grouped by file.
    #[value(alias = "human")]
    Tty,
    /// A flat JSON array with hadolint's field names.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// Checkstyle XML.
    Checkstyle,
    /// `file:line.col-line.col: level: code message`, one per line.
    Gnu,
    /// Code Climate engine issues, NUL-separated.
    Codeclimate,
    /// GitLab's Code Quality report (a JSON array).
    #[value(name = "gitlab_codeclimate", alias = "gitlab-codeclimate")]
    GitlabCodeclimate,
    /// `JUnit` XML: one test suite per file.
    Junit,
}

impl Format {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Tty => "tty",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Checkstyle => "checkstyle",
            Format::Gnu => "gnu",
            Format::Codeclimate => "codeclimate",
            Format::GitlabCodeclimate => "gitlab_codeclimate",
            Format::Junit => "junit",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Format> {
        Format::value_variants()
            .iter()
            .copied()
            .find(|f| f.name() == name || (name == "human" && *f == Format::Tty))
    }
}

/// One linted file.
#[derive(Debug)]
pub(crate) struct FileReport {
    /// The name shown in reports.
    pub(crate) name: String,
    pub(crate) source: String,
    pub(crate) findings: Vec<Finding>,
    /// Problems reading the file itself (invalid UTF-8).
    pub(crate) read_problems: Vec<Diagnostic>,
}

pub(crate) fn level_name(severity: Severity) -> &'static str {
    severity.as_str()
}

/// Renders every report in `format`.
pub(crate) fn render_reports(format: Format, reports: &[FileReport], colour: bool) -> String {
    match format {
        Format::Tty => tty(reports, colour),
        Format::Json => json_format(reports),
        Format::Sarif => sarif(reports),
        Format::Checkstyle => checkstyle(reports),
        Format::Gnu => gnu(reports),
        Format::Codeclimate => codeclimate(reports),
        Format::GitlabCodeclimate => gitlab_codeclimate(reports),
        Format::Junit => junit(reports),
    }
}

fn tty(reports: &[FileReport], colour: bool) -> String {
    let mut out = String::new();
    let mut counts = [0usize; 4];
    for report in reports {
        let mut diagnostics = report.read_problems.clone();
        diagnostics.extend(report.findings.iter().map(|f| f.diagnostic.clone()));
        for d in &diagnostics {
            counts[severity_rank(d.severity)] += 1;
        }
        let text = render(&report.name, &report.source, &diagnostics);
        out.push_str(&if colour { colorize(&text) } else { text });
    }
    let total: usize = counts.iter().sum();
    if total > 0 {
        let parts: Vec<String> = ["error", "warning", "info", "style"]
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| {
                format!(
                    "{n} {name}{}",
                    if n == 1 || *name == "info" { "" } else { "s" }
                )
            })
            .collect();
        let files = reports.iter().filter(|r| !r.findings.is_empty()).count();
        let _ = writeln!(
            out,
            "{total} problem{} ({}) in {files} file{}",
            if total == 1 { "" } else { "s" },
            parts.join(", "),
            if files == 1 { "" } else { "s" }
        );
    }
    out
}

fn severity_rank(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
        Severity::Style => 3,
    }
}

/// All findings in report order, with their file.
fn all(reports: &[FileReport]) -> impl Iterator<Item = (&FileReport, &Finding)> {
    reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
}

fn json_format(reports: &[FileReport]) -> String {
    let items: Vec<Value> = all(reports)
        .map(|(r, f)| {
            json!({
                "file": r.name,
                "line": f.start.line,
                "column": f.start.column,
                "endLine": f.end.line,
                "endColumn": f.end.column,
                "level": level_name(f.diagnostic.severity),
                "code": f.diagnostic.code,
                "message": f.diagnostic.message,
            })
        })
        .collect();
    let mut out = serde_json::to_string(&items).unwrap_or_default();
    out.push('\n');
    out
}

/// A relative path as a URI reference: `/` separators, everything outside RFC 3986's
/// unreserved set and `/` percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out.trim_start_matches("./").to_owned()
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "note",
    }
}

fn sarif_rule(meta: &RuleMeta) -> Value {
    let docs = meta.docs();
    json!({
        "id": meta.code,
        "name": meta.name,
        "shortDescription": { "text": meta.summary() },
        "fullDescription": { "text": meta.summary() },
        "help": { "text": docs, "markdown": docs },
        "defaultConfiguration": {
            "level": meta.level.severity().map_or("none", sarif_level),
            "enabled": meta.level.severity().is_some(),
        },
        "properties": { "tags": [meta.category.name()] },
    })
}

fn sarif(reports: &[FileReport]) -> String {
    // Only the rules that fired, in code order, so `ruleIndex` is stable.
    let mut rules: Vec<&'static RuleMeta> = all(reports).map(|(_, f)| f.rule).collect();
    rules.sort_by_key(|m| m.code);
    rules.dedup_by_key(|m| m.code);
    let results: Vec<Value> = all(reports)
        .map(|(r, f)| {
            let index = rules
                .iter()
                .position(|m| m.code == f.rule.code)
                .unwrap_or(0);
            json!({
                "ruleId": f.rule.code,
                "ruleIndex": index,
                "level": sarif_level(f.diagnostic.severity),
                "message": { "text": f.diagnostic.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&r.name) },
                        "region": {
                            "startLine": f.start.line,
                            "startColumn": f.start.column,
                            "endLine": f.end.line,
                            "endColumn": f.end.column.max(1),
                        }
                    }
                }],
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "stowage",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/stowage/stowage",
                    "rules": rules.iter().map(|m| sarif_rule(m)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

/// Escapes text for XML attributes and content.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn checkstyle(reports: &[FileReport]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for report in reports {
        let _ = writeln!(out, "  <file name=\"{}\">", xml(&report.name));
        for f in &report.findings {
            let severity = match f.diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Style => "info",
            };
            let _ = writeln!(
                out,
                "    <error line=\"{}\" column=\"{}\" severity=\"{severity}\" message=\"{}\" source=\"{}\"/>",
                f.start.line,
                f.start.column,
                xml(&f.diagnostic.message),
                xml(f.diagnostic.code)
            );
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

fn gnu(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for (r, f) in all(reports) {
        let _ = writeln!(
            out,
            "{}:{}.{}-{}.{}: {}: {} {}",
            r.name,
            f.start.line,
            f.start.column,
            f.end.line,
            f.end.column,
            level_name(f.diagnostic.severity),
            f.diagnostic.code,
            f.diagnostic.message
        );
    }
    out
}

/// A stable fingerprint: FNV-1a over the file, code, line and message, 128 bits in hex.
fn fingerprint(r: &FileReport, f: &Finding) -> String {
    let text = format!(
        "{}\0{}\0{}\0{}",
        r.name, f.diagnostic.code, f.start.line, f.diagnostic.message
    );
    let fnv = |seed: u64| {
        text.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    format!(
        "{:016x}{:016x}",
        fnv(0xcbf2_9ce4_8422_2325),
        fnv(0x6c62_272e_07bb_0142)
    )
}

fn climate_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "minor",
        Severity::Style => "info",
    }
}

fn climate_issue(r: &FileReport, f: &Finding) -> Value {
    json!({
        "type": "issue",
        "check_name": f.diagnostic.code,
        "description": f.diagnostic.message,
        "categories": ["Style"],
        "severity": climate_severity(f.diagnostic.severity),
        "fingerprint": fingerprint(r, f),
        "location": {
            "path": r.name,
            "positions": {
                "begin": { "line": f.start.line, "column": f.start.column },
                "end": { "line": f.end.line, "column": f.end.column },
            }
        },
    })
}

fn codeclimate(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for (r, f) in all(reports) {
        out.push_str(&climate_issue(r, f).to_string());
        out.push('\0');
    }
    out
}

fn gitlab_codeclimate(reports: &[FileReport]) -> String {
    let items: Vec<Value> = all(reports)
        .map(|(r, f)| {
            json!({
                "description": format!("{}: {}", f.diagnostic.code, f.diagnostic.message),
                "check_name": f.diagnostic.code,
                "fingerprint": fingerprint(r, f),
                "severity": climate_severity(f.diagnostic.severity),
                "location": { "path": r.name, "lines": { "begin": f.start.line, "end": f.end.line } },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&items).unwrap_or_default();
    out.push('\n');
    out
}

fn junit(reports: &[FileReport]) -> String {
    let tests: usize = reports.iter().map(|r| r.findings.len().max(1)).sum();
    let failures: usize = reports.iter().map(|r| r.findings.len()).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"stowage lint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    for report in reports {
        let name = xml(&report.name);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
            report.findings.len().max(1),
            report.findings.len()
        );
        if report.findings.is_empty() {
            let _ = writeln!(out, "    <testcase name=\"lint\" classname=\"{name}\"/>");
        }
        for f in &report.findings {
            let _ = writeln!(
                out,
                "    <testcase name=\"{} line {}\" classname=\"{name}\">\n      <failure type=\"{}\" message=\"{}\">{}:{}:{} {} {}</failure>\n    </testcase>",
                xml(f.diagnostic.code),
                f.start.line,
                level_name(f.diagnostic.severity),
                xml(&f.diagnostic.message),
                name,
                f.start.line,
                f.start.column,
                xml(f.diagnostic.code),
                xml(&f.diagnostic.message)
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
