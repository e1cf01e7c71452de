//! `tests/fixtures/<code>_<name>.Dockerfile`: `# expect: <code>` lines stand before the
//! instructions that must be flagged; every other instruction must be clean for that rule.
//! `# lint-config: {json}` sets configuration, `# dockerignore: a,b` the `.dockerignore`.

use std::path::Path;

use stowage_lint::{Config, HostData};
use stowage_syntax::Dockerfile;

use crate::{config_enabling, findings_of};

struct Fixture {
    source: String,
    expected: Vec<u32>,
    config: Config,
    dockerignore: Option<String>,
}

/// Blanks the harness's own comment lines (keeping line numbers) and reads what they say.
fn read_fixture(text: &str) -> Fixture {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut expect_at = Vec::new();
    let mut config = Config::default();
    let mut dockerignore = None;
    for (i, line) in lines.iter_mut().enumerate() {
        let t = line.trim();
        if t.starts_with("# expect:") {
            expect_at.push(i);
            line.clear();
        } else if let Some(json) = t.strip_prefix("# lint-config:") {
            config = serde_json::from_str(json).expect("valid lint-config json");
            line.clear();
        } else if let Some(list) = t.strip_prefix("# dockerignore:") {
            dockerignore = Some(
                list.split(',')
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            line.clear();
        }
    }
    let slot = |from: usize| -> u32 {
        let next = lines[from + 1..]
            .iter()
            .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .map_or(lines.len(), |p| from + 1 + p);
        next as u32 + 1
    };
    let expected = expect_at.iter().map(|&i| slot(i)).collect();
    let mut source = lines.join("\n");
    source.push('\n');
    Fixture {
        source,
        expected,
        config,
        dockerignore,
    }
}

/// The line of the first instruction at or after `line`, or `line` itself.
fn slot_of(df: &Dockerfile, offset: u32, line: u32) -> u32 {
    df.instructions
        .iter()
        .find(|i| i.span.start <= offset && offset <= i.span.end)
        .map(|i| i.start_line)
        .or_else(|| {
            df.instructions
                .iter()
                .map(|i| i.start_line)
                .find(|&l| l >= line)
        })
        .unwrap_or(line)
}

pub(crate) fn check_fixture(path: &Path) -> String {
    let name = path
        .file_stem()
        .expect("fixture file name")
        .to_string_lossy()
        .into_owned();
    let (code, rule_name) = name.split_once('_').expect("<code>_<name>.Dockerfile");
    let rule = stowage_lint::find(code).unwrap_or_else(|| panic!("no rule {code}"));
    let meta = rule.meta();
    assert_eq!(
        meta.name, rule_name,
        "fixture {name} is named after the rule"
    );
    let fixture = read_fixture(&std::fs::read_to_string(path).expect("readable fixture"));
    assert!(!fixture.expected.is_empty(), "{name}: no `# expect:` line");
    let config = config_enabling(meta, fixture.config.clone());
    let host = HostData {
        dockerignore: fixture.dockerignore.as_deref(),
    };
    let findings = findings_of(meta, &fixture.source, &config, &host);
    let df = Dockerfile::parse(&fixture.source);
    let mut actual: Vec<u32> = findings
        .iter()
        .map(|f| slot_of(&df, f.diagnostic.span.start, f.start.line))
        .collect();
    actual.sort_unstable();
    let mut expected = fixture.expected.clone();
    expected.sort_unstable();
    let diags: Vec<_> = findings.iter().map(|f| f.diagnostic.clone()).collect();
    let rendered =
        stowage_diagnostics::render(&format!("{name}.Dockerfile"), &fixture.source, &diags);
    assert_eq!(actual, expected, "{name}: flagged lines differ\n{rendered}");
    rendered
}

#[test]
fn rule_fixtures() {
    insta::glob!("../fixtures", "*.Dockerfile", |path| {
        insta::assert_snapshot!(check_fixture(path));
    });
}
