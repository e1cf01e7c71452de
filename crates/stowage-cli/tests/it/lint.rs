//! `stowage lint` and `stowage rules`: discovery, configuration, pragmas, formats, exit status.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A project directory with files, and a `stowage` run inside it that sees no user config.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(files: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        Project { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run_with(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_stowage"));
        command
            .args(args)
            .current_dir(self.path())
            .env("HOME", self.path().join("home"))
            .env("XDG_CONFIG_HOME", self.path().join("xdg"))
            .env("NO_COLOR", "1");
        for (key, _) in std::env::vars() {
            if key.starts_with("HADOLINT_") {
                command.env_remove(key);
            }
        }
        command.envs(env.iter().copied());
        crate::run_with_stdin(&mut command, stdin)
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, "", &[])
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8")
}

fn codes(output: &Output) -> Vec<String> {
    let json: Value = serde_json::from_str(&stdout(output)).expect("JSON output");
    json.as_array()
        .expect("array")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_owned())
        .collect()
}

const UNTAGGED: &str = "FROM ubuntu\nRUN echo hi\n";
const CLEAN: &str = "FROM alpine:3.20\nRUN echo hi\n";

#[test]
fn findings_fail_the_run_and_clean_files_pass() {
    let p = Project::new(&[("Dockerfile", UNTAGGED), ("ok/Dockerfile", CLEAN)]);
    let dirty = p.run(&["lint", "Dockerfile"]);
    assert_eq!(dirty.status.code(), Some(1), "{}", stdout(&dirty));
    let text = stdout(&dirty);
    assert!(text.contains("warning[DL3006]"), "{text}");
    assert!(text.contains("--> Dockerfile:1:6"), "{text}");
    let clean = p.run(&["lint", "ok/Dockerfile"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    assert_eq!(stdout(&clean), "");
}

#[test]
fn failure_threshold_and_no_fail() {
    let p = Project::new(&[("Dockerfile", UNTAGGED)]);
    assert_eq!(p.run(&["lint", "-t", "error"]).status.code(), Some(0));
    assert_eq!(p.run(&["lint", "-t", "warning"]).status.code(), Some(1));
    assert_eq!(p.run(&["lint", "--no-fail"]).status.code(), Some(0));
    let env = p.run_with(&["lint"], "", &[("HADOLINT_NOFAIL", "1")]);
    assert_eq!(env.status.code(), Some(0));
}

#[test]
fn parse_errors_fail_even_with_threshold_none_and_linting_goes_on() {
    let p = Project::new(&[("Dockerfile", "FROM ubuntu\nCOPY --frm=a b c\n")]);
    let out = p.run(&["lint", "-t", "none", "-f", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let found = codes(&out);
    assert!(found.contains(&"DL1000".to_owned()), "{found:?}");
    // hadolint stops at a parse error; the rest of the file is still linted here.
    assert!(found.contains(&"DL3006".to_owned()), "{found:?}");
}

#[test]
fn directories_are_searched_for_dockerfiles() {
    let p = Project::new(&[
        ("Dockerfile", UNTAGGED),
        ("svc/api.Dockerfile", UNTAGGED),
        ("svc/Dockerfile.dev", UNTAGGED),
        ("svc/Containerfile", UNTAGGED),
        ("svc/README.md", UNTAGGED),
        ("svc/Dockerfile.dockerignore", "*.md\n"),
        (".git/Dockerfile", UNTAGGED),
        ("node_modules/x/Dockerfile", UNTAGGED),
    ]);
    let out = p.run(&["lint", "-f", "json"]);
    let json: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let mut files: Vec<&str> = json
        .as_array()
        .expect("array")
        .iter()
        .map(|f| f["file"].as_str().expect("file"))
        .collect();
    files.dedup();
    assert_eq!(
        files,
        [
            "Dockerfile",
            "svc/Containerfile",
            "svc/Dockerfile.dev",
            "svc/api.Dockerfile"
        ]
    );
}

#[test]
fn stdin_with_a_report_name() {
    let p = Project::new(&[]);
    let out = p.run_with(
        &[
            "lint",
            "-f",
            "json",
            "--file-path-in-report",
            "web/Dockerfile",
            "-",
        ],
        UNTAGGED,
        &[],
    );
    let json: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json[0]["file"], "web/Dockerfile");
    assert_eq!(json[0]["line"], 1);
    assert_eq!(json[0]["column"], 6);
    assert_eq!(json[0]["endColumn"], 12);
    assert_eq!(json[0]["level"], "warning");
}

#[test]
fn hadolint_config_file_is_found_and_applied() {
    let config = "ignored:\n  - DL3006\noverride:\n  error:\n    - SW702\n";
    let p = Project::new(&[
        (".hadolint.yaml", config),
        ("Dockerfile", "FROM ubuntu as build\nRUN echo hi\n"),
    ]);
    let out = p.run(&["lint", "-f", "json"]);
    let json: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let found: Vec<(&str, &str)> = json
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("code"),
                f["level"].as_str().expect("level"),
            )
        })
        .collect();
    assert_eq!(found, [("SW702", "error")], "{}", stderr(&out));
    // `--ignore` on the command line replaces the file's list.
    let replaced = codes(&p.run(&["lint", "-f", "json", "--ignore", "SW702"]));
    assert!(replaced.contains(&"DL3006".to_owned()), "{replaced:?}");
    assert!(!replaced.contains(&"SW702".to_owned()), "{replaced:?}");
}

#[test]
fn config_from_xdg_and_explicit_path() {
    let p = Project::new(&[
        ("xdg/hadolint.yml", "ignored: [DL3006]\n"),
        ("strict.yaml", "failure-threshold: error\n"),
        ("Dockerfile", UNTAGGED),
    ]);
    assert!(codes(&p.run(&["lint", "-f", "json"])).is_empty());
    // An explicit file replaces the search.
    let explicit = p.run(&["lint", "-c", "strict.yaml", "-f", "json"]);
    assert_eq!(codes(&explicit), ["DL3006"]);
    assert_eq!(
        explicit.status.code(),
        Some(0),
        "the threshold comes from the file"
    );
}

#[test]
fn invalid_found_config_warns_and_uses_defaults_but_explicit_one_is_an_error() {
    let p = Project::new(&[
        (".hadolint.yaml", "ignored: [DL3006]\nnot-a-key: 1\n"),
        ("Dockerfile", UNTAGGED),
    ]);
    let out = p.run(&["lint", "-f", "json"]);
    assert!(
        stderr(&out).contains("ignoring invalid config file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(codes(&out), ["DL3006"]);
    let explicit = p.run(&["lint", "-c", ".hadolint.yaml"]);
    assert_eq!(explicit.status.code(), Some(2));
}

#[test]
fn environment_variables_like_hadolint() {
    let p = Project::new(&[("Dockerfile", "FROM ubuntu as build\n")]);
    let out = p.run_with(
        &["lint", "-f", "json"],
        "",
        &[("HADOLINT_IGNORE", "DL3006, SW702")],
    );
    assert!(codes(&out).is_empty(), "{}", stdout(&out));
    let out = p.run_with(
        &["lint", "-f", "json"],
        "",
        &[("HADOLINT_OVERRIDE_STYLE", "DL3006")],
    );
    let json: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json[0]["level"], "style");
}

#[test]
fn unknown_rule_in_config_is_reported() {
    let p = Project::new(&[("Dockerfile", CLEAN)]);
    let out = p.run(&["lint", "--ignore", "DL9999"]);
    assert!(
        stderr(&out).contains("no rule is called `DL9999`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn pragmas_are_honoured() {
    let p = Project::new(&[(
        "Dockerfile",
        "# hadolint ignore=DL3006\nFROM ubuntu\nFROM debian\n",
    )]);
    let out = p.run(&["lint", "-f", "json"]);
    let json: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let lines: Vec<i64> = json
        .as_array()
        .expect("array")
        .iter()
        .filter(|f| f["code"] == "DL3006")
        .map(|f| f["line"].as_i64().expect("line"))
        .collect();
    assert_eq!(lines, [3]);
    let disabled = p.run(&["lint", "-f", "json", "--disable-ignore-pragma"]);
    let count = codes(&disabled).iter().filter(|c| *c == "DL3006").count();
    assert_eq!(count, 2);
}

/// The OASIS SARIF 2.1.0 schema, as shipped in the `serde-sarif` crate.
fn sarif_schema() -> Value {
    let metadata = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata");
    let metadata: Value = serde_json::from_slice(&metadata.stdout).expect("metadata JSON");
    let manifest = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif is a dev-dependency");
    let path = PathBuf::from(manifest).with_file_name("src/schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("schema JSON")
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let p = Project::new(&[
        (
            "Dockerfile",
            "FROM ubuntu\nMAINTAINER me\nRUN apt-get install curl\n",
        ),
        ("dir with space/Dockerfile", UNTAGGED),
    ]);
    let out = p.run(&["lint", "-f", "sarif"]);
    let log: Value = serde_json::from_str(&stdout(&out)).expect("SARIF is JSON");
    let validator = jsonschema::draft7::new(&sarif_schema()).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() >= 4);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    for result in results {
        let index = usize::try_from(result["ruleIndex"].as_u64().expect("index")).expect("usize");
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startColumn"].as_u64().expect("column") >= 1);
    }
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
        })
        .collect();
    assert!(uris.contains(&"dir%20with%20space/Dockerfile"), "{uris:?}");
}

/// Parses XML fully, failing on any syntax error.
fn well_formed_xml(text: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut elements = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => return elements,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                elements.push(String::from_utf8(e.name().as_ref().to_vec()).expect("name"));
            }
            _ => {}
        }
    }
}

#[test]
fn checkstyle_and_junit_are_well_formed_xml() {
    let p = Project::new(&[
        ("Dockerfile", "FROM ubuntu as build\nRUN echo \"<&>\"\n"),
        ("ok/Dockerfile", CLEAN),
    ]);
    let checkstyle = stdout(&p.run(&["lint", "-f", "checkstyle"]));
    let elements = well_formed_xml(&checkstyle);
    assert_eq!(elements.iter().filter(|e| *e == "file").count(), 2);
    assert!(elements.iter().filter(|e| *e == "error").count() >= 2);
    assert!(
        checkstyle.contains("&apos;"),
        "quotes in messages are escaped"
    );
    let junit = stdout(&p.run(&["lint", "-f", "junit"]));
    let elements = well_formed_xml(&junit);
    assert_eq!(elements.iter().filter(|e| *e == "testsuite").count(), 2);
    assert!(elements.iter().any(|e| e == "failure"));
}

#[test]
fn gnu_codeclimate_and_gitlab_formats() {
    let p = Project::new(&[("Dockerfile", UNTAGGED)]);
    let gnu = stdout(&p.run(&["lint", "-f", "gnu"]));
    assert_eq!(
        gnu.lines().next(),
        Some(
            "Dockerfile:1.6-1.12: warning: DL3006 always tag the version of an image explicitly: `ubuntu`"
        )
    );
    let climate = p.run(&["lint", "-f", "codeclimate"]);
    assert_eq!(
        climate.status.code(),
        Some(0),
        "codeclimate never fails, as in hadolint"
    );
    let text = stdout(&climate);
    let issues: Vec<Value> = text
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(|s| serde_json::from_str(s).expect("issue JSON"))
        .collect();
    assert_eq!(issues[0]["type"], "issue");
    assert_eq!(issues[0]["location"]["positions"]["begin"]["line"], 1);
    let gitlab: Value =
        serde_json::from_str(&stdout(&p.run(&["lint", "-f", "gitlab_codeclimate"]))).expect("JSON");
    let first = &gitlab[0];
    assert_eq!(first["location"]["path"], "Dockerfile");
    assert_eq!(
        first["fingerprint"].as_str().expect("fingerprint").len(),
        32
    );
    // Fingerprints are stable across runs.
    let again: Value =
        serde_json::from_str(&stdout(&p.run(&["lint", "-f", "gitlab_codeclimate"]))).expect("JSON");
    assert_eq!(first["fingerprint"], again[0]["fingerprint"]);
}

#[test]
fn format_from_config_and_output_file() {
    let p = Project::new(&[
        (".hadolint.yaml", "format: json\n"),
        ("Dockerfile", UNTAGGED),
    ]);
    assert_eq!(codes(&p.run(&["lint"])), ["DL3006"]);
    let out = p.run(&["lint", "-o", "report.json"]);
    assert_eq!(stdout(&out), "");
    let written = std::fs::read_to_string(p.path().join("report.json")).expect("report");
    assert!(written.contains("DL3006"));
}

#[test]
fn rules_lists_every_rule_and_prints_one_page() {
    let p = Project::new(&[]);
    let list: Value =
        serde_json::from_str(&stdout(&p.run(&["rules", "-f", "json"]))).expect("JSON");
    let codes: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["code"].as_str().expect("code"))
        .collect();
    assert!(
        codes.contains(&"DL3008") && codes.contains(&"DL1000"),
        "{codes:?}"
    );
    assert_eq!(codes.len(), stowage_rule_count(&p));
    let page = stdout(&p.run(&["rules", "DL3008"]));
    assert!(page.starts_with("# DL3008"), "{page}");
    assert!(page.contains("## What it does"), "{page}");
    let twin = stdout(&p.run(&["rules", "DL4000"]));
    assert!(twin.contains("twin: SW801"), "{twin}");
    let by_check_name = stdout(&p.run(&["rules", "StageNameCasing"]));
    assert!(
        by_check_name.contains("BuildKit StageNameCasing"),
        "{by_check_name}"
    );
    assert_eq!(p.run(&["rules", "nope"]).status.code(), Some(2));
}

/// The text table has one row per rule under its header.
fn stowage_rule_count(p: &Project) -> usize {
    stdout(&p.run(&["rules"])).lines().count() - 1
}

#[test]
fn pre_commit_hook_runs_stowage_lint_on_dockerfiles() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.pre-commit-hooks.yaml");
    let hooks: Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("hooks file")).expect("YAML");
    let hook = &hooks[0];
    assert_eq!(hook["id"], "stowage-lint");
    assert_eq!(hook["types"][0], "dockerfile");
    let entry: Vec<&str> = hook["entry"].as_str().expect("entry").split(' ').collect();
    assert_eq!(entry[0], "stowage");
    // pre-commit appends the staged file names to the entry.
    let p = Project::new(&[("Dockerfile", UNTAGGED), ("b.Dockerfile", CLEAN)]);
    let mut args: Vec<&str> = entry[1..].to_vec();
    args.extend(["Dockerfile", "b.Dockerfile"]);
    assert_eq!(p.run(&args).status.code(), Some(1));
}

#[test]
fn fix_rewrites_files_and_reports_what_is_left() {
    let before = "FROM alpine:3.20 as build\nMAINTAINER jo\nENV PORT 80\nRUN apk add curl\nCMD ./server --port 80\n";
    let p = Project::new(&[("Dockerfile", before)]);
    let out = p.run(&["lint", "--fix", "-f", "json"]);
    let after = std::fs::read_to_string(p.path().join("Dockerfile")).expect("file");
    assert_eq!(
        after,
        "FROM alpine:3.20 AS build\nLABEL org.opencontainers.image.authors=\"jo\"\nENV PORT=80\nRUN apk add --no-cache curl\nCMD [\"./server\", \"--port\", \"80\"]\n"
    );
    assert!(
        stderr(&out).contains("fixed 5 problems in Dockerfile"),
        "{}",
        stderr(&out)
    );
    // What no fix can settle is still reported.
    assert_eq!(codes(&out), ["DL3018"]);
    assert_eq!(out.status.code(), Some(1));
    // A second run has nothing left to fix.
    let again = p.run(&["lint", "--fix", "-f", "json"]);
    assert!(!stderr(&again).contains("fixed"), "{}", stderr(&again));
}

#[test]
fn fix_on_stdin_prints_the_fixed_file_and_reports_on_stderr() {
    let p = Project::new(&[]);
    let out = p.run_with(
        &["lint", "--fix", "--unsafe-fixes", "-"],
        "FROM debian:12 as b\nRUN apt-get install -y curl=8 && rm -rf /var/lib/apt/lists/*\n",
        &[],
    );
    assert_eq!(
        stdout(&out),
        "FROM debian:12 AS b\nRUN apt-get install --no-install-recommends -y curl=8 && rm -rf /var/lib/apt/lists/*\n"
    );
    assert!(!stderr(&out).contains("SW702"), "{}", stderr(&out));
    assert_eq!(
        p.run(&["lint", "--unsafe-fixes", "-"]).status.code(),
        Some(2),
        "needs --fix"
    );
}
