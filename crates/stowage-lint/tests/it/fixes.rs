//! Every fix: the text before and after, that the result parses, and that the finding is gone.

use stowage_diagnostics::{Applicability, apply_fixes};
use stowage_lint::{Config, FixKind, HostData, RULES, lint};
use stowage_syntax::Dockerfile;

/// The default configuration without `code`'s twins, whose findings would absorb its own.
fn alone(code: &str) -> Config {
    let mut config = Config::default();
    config
        .ignored
        .extend(stowage_lint::twins_of(code).map(str::to_owned));
    config
}

/// Applies the fixes `code` offers on `before` (unsafe ones too when `unsafe_ok`).
fn fixed(code: &str, before: &str, unsafe_ok: bool) -> (String, usize) {
    let findings = lint(before, &alone(code), &HostData::default());
    let fixes = findings
        .iter()
        .filter(|f| f.diagnostic.code == code)
        .filter_map(|f| f.diagnostic.fix.as_ref())
        .filter(|fix| unsafe_ok || fix.applicability == Applicability::Safe);
    apply_fixes(before, fixes)
}

#[track_caller]
fn check(code: &str, before: &str, after: &str) {
    let unsafe_ok = true;
    let (out, applied) = fixed(code, before, unsafe_ok);
    assert!(applied > 0, "{code}: no fix offered for {before:?}");
    assert_eq!(out, after, "{code}");
    let reparsed = Dockerfile::parse(&out);
    assert!(
        !reparsed.has_errors(),
        "{code}: the fixed file does not parse: {out}"
    );
    let again = lint(&out, &alone(code), &HostData::default());
    assert!(
        !again.iter().any(|f| f.diagnostic.code == code),
        "{code}: still reported after the fix: {out}"
    );
}

#[track_caller]
fn no_fix(code: &str, before: &str) {
    let findings = lint(before, &alone(code), &HostData::default());
    let hit = findings
        .iter()
        .filter(|f| f.diagnostic.code == code)
        .count();
    assert!(hit > 0, "{code}: expected a finding in {before:?}");
    assert_eq!(
        fixed(code, before, true).1,
        0,
        "{code}: no fix expected for {before:?}"
    );
}

#[test]
fn as_takes_the_casing_of_from() {
    check(
        "SW702",
        "FROM alpine:3.20 as build\n",
        "FROM alpine:3.20 AS build\n",
    );
    check(
        "SW702",
        "from alpine:3.20 AS build\n",
        "from alpine:3.20 as build\n",
    );
}

#[test]
fn legacy_env_and_label_become_key_value() {
    check(
        "SW704",
        "FROM a:1\nENV PORT 8080\n",
        "FROM a:1\nENV PORT=8080\n",
    );
    check(
        "SW704",
        "FROM a:1\nLABEL title My  App\n",
        "FROM a:1\nLABEL title=\"My  App\"\n",
    );
    check(
        "SW704",
        "FROM a:1\nENV P $HOME/bin\n",
        "FROM a:1\nENV P=$HOME/bin\n",
    );
    no_fix("SW704", "FROM a:1\nENV MSG \"hi\" there\n");
    no_fix("SW704", "FROM a:1\nENV MSG a\\ b\n");
}

#[test]
fn maintainer_becomes_the_authors_label() {
    let after =
        "FROM a:1\nLABEL org.opencontainers.image.authors=\"Jo \\\"J\\\" Doe <jo@example.com>\"\n";
    check(
        "DL4000",
        "FROM a:1\nMAINTAINER Jo \"J\" Doe <jo@example.com>\n",
        after,
    );
    check(
        "SW801",
        "FROM a:1\nMAINTAINER jo@example.com\n",
        "FROM a:1\nLABEL org.opencontainers.image.authors=\"jo@example.com\"\n",
    );
    check(
        "SW801",
        "from a:1\nmaintainer jo\n",
        "from a:1\nlabel org.opencontainers.image.authors=\"jo\"\n",
    );
    no_fix("DL4000", "FROM a:1\nMAINTAINER $AUTHOR\n");
}

#[test]
fn both_maintainer_rules_fix_once() {
    let source = "FROM a:1\nMAINTAINER jo\n";
    let findings = lint(source, &Config::default(), &HostData::default());
    let (out, applied) = apply_fixes(
        source,
        findings.iter().filter_map(|f| f.diagnostic.fix.as_ref()),
    );
    assert_eq!(applied, 1);
    assert_eq!(
        out,
        "FROM a:1\nLABEL org.opencontainers.image.authors=\"jo\"\n"
    );
}

#[test]
fn plain_shell_form_commands_become_json() {
    check(
        "SW304",
        "FROM a:1\nCMD node server.js --port 80\n",
        "FROM a:1\nCMD [\"node\", \"server.js\", \"--port\", \"80\"]\n",
    );
    check(
        "DL3025",
        "FROM a:1\nENTRYPOINT /usr/bin/app\n",
        "FROM a:1\nENTRYPOINT [\"/usr/bin/app\"]\n",
    );
    for shell_needed in [
        "CMD node app.js > /var/log/app",
        "CMD node $APP",
        "CMD node app.js && echo done",
        "CMD \"node\" app.js",
        "CMD ls *.js",
        "CMD PORT=80 node app.js",
    ] {
        no_fix("DL3025", &format!("FROM a:1\n{shell_needed}\n"));
    }
}

#[test]
fn apk_add_gets_no_cache() {
    check(
        "DL3019",
        "FROM alpine:3.20\nRUN apk add curl=8.9.1-r0 && echo ok\n",
        "FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r0 && echo ok\n",
    );
    no_fix(
        "DL3019",
        "FROM alpine:3.20\nRUN sh -c 'apk add curl=8.9.1-r0'\n",
    );
}

#[test]
fn no_install_recommends_is_an_unsafe_fix() {
    let before =
        "FROM debian:12\nRUN apt-get install -y curl=8.0 \\\n && rm -rf /var/lib/apt/lists/*\n";
    assert_eq!(
        fixed("DL3015", before, false).1,
        0,
        "not applied without unsafe fixes"
    );
    check(
        "DL3015",
        before,
        "FROM debian:12\nRUN apt-get install --no-install-recommends -y curl=8.0 \\\n && rm -rf /var/lib/apt/lists/*\n",
    );
}

#[test]
fn fixable_rules_document_their_fix() {
    for rule in RULES {
        let meta = rule.meta();
        let documented = meta.raw_docs.contains("## Fix");
        let fixable = meta.fix != FixKind::None;
        assert_eq!(
            documented, fixable,
            "{}: `fix` and a `## Fix` section go together",
            meta.code
        );
    }
}
