use super::*;
use crate::ast::{CacheSharing, MountType};

fn errors(source: &str) -> Vec<String> {
    Dockerfile::parse(source)
        .all_diagnostics()
        .iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

#[test]
fn stages_and_meta_args() {
    let df = Dockerfile::parse(
        "ARG V=1\nFROM alpine:$V AS Build\nRUN make\nFROM scratch\nCOPY --from=build /out /\n",
    );
    assert!(!df.has_errors(), "{:?}", df.all_diagnostics());
    assert_eq!(df.meta_args, [0]);
    assert_eq!(df.stages.len(), 2);
    assert_eq!(df.stages[0].name.as_deref(), Some("build"));
    assert_eq!(df.stages[0].instructions, [2]);
    assert_eq!(df.find_stage("BUILD").map(|s| s.index), Some(0));
    assert_eq!(df.find_stage("1").map(|s| s.index), Some(1));
    let InstructionKind::Copy(copy) = &df.instructions[4].kind else {
        panic!("not a COPY")
    };
    assert_eq!(copy.from.as_ref().map(|w| w.text.as_str()), Some("build"));
    assert_eq!(copy.paths.dest.text, "/");
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let got = errors(
        "RUN early\nFROM a b\nCOPY --frm=x a b\nFROOM x\nWORKDIR\nHEALTHCHECK --interval=5 CMD true\n",
    );
    assert_eq!(
        got,
        [
            "no-build-stage: no build stage in current context",
            "argument-count: FROM requires either one or three arguments",
            "unknown-flag: unknown flag: frm",
            "unknown-instruction: unknown instruction: FROOM",
            "argument-count: WORKDIR requires exactly one argument",
            "invalid-value: time: invalid duration \"5\"",
        ]
    );
}

#[test]
fn flags_are_checked_like_buildkit() {
    assert_eq!(
        errors("FROM a\nCOPY --link=maybe a b\n"),
        ["invalid-flag-value: expecting boolean value for flag link, not: maybe"]
    );
    assert_eq!(
        errors("FROM a\nCOPY --from a b\n"),
        ["invalid-flag-value: missing a value on flag: from"]
    );
    assert_eq!(
        errors("FROM a\nCOPY --from=x --from=y a b\n"),
        ["duplicate-flag: duplicate flag specified: from"]
    );
    assert_eq!(
        errors("FROM a\nENV --x=1 A=b\n"),
        ["unknown-flag: unknown flag: x"]
    );
    // BuildKit never parses STOPSIGNAL's flags.
    assert!(errors("FROM a\nSTOPSIGNAL --x SIGTERM\n").is_empty());
    assert_eq!(errors("FROM a\nCOPY --from=$X a b\n").len(), 1);
}

#[test]
fn run_mounts_network_security() {
    let df = Dockerfile::parse(
        "FROM a\nRUN --mount=type=cache,target=/c,sharing=locked --network=none --security=insecure make\nRUN --network=wifi x\n",
    );
    let InstructionKind::Run(run) = &df.instructions[1].kind else {
        panic!("not RUN")
    };
    assert_eq!(run.mounts[0].kind, MountType::Cache);
    assert_eq!(run.mounts[0].sharing, Some(CacheSharing::Locked));
    assert_eq!(run.network, Some(NetworkMode::None));
    assert_eq!(run.security, Some(SecurityMode::Insecure));
    let errs: Vec<&str> = df.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(errs, ["unsupported network mode \"wifi\""]);
}

#[test]
fn stage_names_and_from_forms() {
    assert_eq!(
        errors("FROM a AS 1st\n"),
        [
            "invalid-stage-name: invalid name for build stage: \"1st\", name can't start with a number or contain symbols"
        ]
    );
    assert!(errors("FROM --platform=$BUILDPLATFORM golang:1 as build-env.x_1\n").is_empty());
    assert_eq!(
        errors("FROM a IS b\n"),
        ["argument-count: FROM requires either one or three arguments"]
    );
}

#[test]
fn healthcheck_forms() {
    let df = Dockerfile::parse(
        "FROM a\nHEALTHCHECK --interval=30s --retries=3 CMD curl -f http://x/ || exit 1\nHEALTHCHECK NONE\n",
    );
    assert!(!df.has_errors(), "{:?}", df.all_diagnostics());
    let InstructionKind::Healthcheck(Healthcheck::Cmd {
        command,
        interval,
        retries,
        ..
    }) = &df.instructions[1].kind
    else {
        panic!("not a HEALTHCHECK CMD")
    };
    assert_eq!(*interval, Some(30_000_000_000));
    assert_eq!(*retries, Some(3));
    assert!(matches!(command, CommandLine::Shell(w) if w.text == "curl -f http://x/ || exit 1"));
    assert_eq!(
        errors("FROM a\nHEALTHCHECK\n"),
        ["argument-count: HEALTHCHECK requires at least one argument"]
    );
    assert_eq!(
        errors("FROM a\nHEALTHCHECK CMD\n"),
        ["argument-count: Missing command after HEALTHCHECK CMD"]
    );
    assert_eq!(
        errors("FROM a\nHEALTHCHECK FOO x\n"),
        ["invalid-value: Unknown type \"FOO\" in HEALTHCHECK (try CMD)"]
    );
    assert_eq!(
        errors("FROM a\nHEALTHCHECK --timeout=1us CMD x\n"),
        ["invalid-value: Interval \"timeout\" cannot be less than 1ms"]
    );
    assert_eq!(
        errors("FROM a\nHEALTHCHECK --retries=-1 CMD x\n"),
        ["invalid-value: --retries cannot be negative (-1)"]
    );
}

#[test]
fn go_durations() {
    assert_eq!(parse_go_duration("1m30s"), Some(90_000_000_000));
    assert_eq!(parse_go_duration("1.5h"), Some(5_400_000_000_000));
    assert_eq!(parse_go_duration("250ms"), Some(250_000_000));
    assert_eq!(parse_go_duration("0"), Some(0));
    assert_eq!(parse_go_duration("5"), None);
    assert_eq!(parse_go_duration("1d"), None);
}

#[test]
fn copy_heredoc_sources_and_destination() {
    let df = Dockerfile::parse("FROM a\nCOPY <<-EOF /etc/conf\n\tkey=value\nEOF\n");
    let InstructionKind::Copy(copy) = &df.instructions[1].kind else {
        panic!("not COPY")
    };
    assert_eq!(copy.paths.inline.len(), 1);
    assert_eq!(copy.paths.inline[0].content, "key=value\n");
    assert!(copy.paths.sources.is_empty());
    assert_eq!(
        errors("FROM a\nCOPY x <<EOF\nhi\nEOF\n"),
        ["invalid-value: COPY cannot accept a heredoc as a destination"]
    );
}

#[test]
fn shell_and_onbuild() {
    assert_eq!(
        errors("FROM a\nSHELL /bin/bash -c\n"),
        ["invalid-value: SHELL requires the arguments to be in JSON form"]
    );
    assert_eq!(
        errors("FROM a\nONBUILD ONBUILD RUN x\n"),
        ["invalid-onbuild-trigger: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"]
    );
    assert_eq!(
        errors("FROM a\nONBUILD FROM x\n"),
        ["invalid-onbuild-trigger: FROM isn't allowed as an ONBUILD trigger"]
    );
    let df = Dockerfile::parse("FROM a\nONBUILD RUN --bogus x\n");
    assert_eq!(df.all_diagnostics()[0].severity, Severity::Warning);
    let df = Dockerfile::parse("FROM a\nonbuild   RUN <<EOF\necho hi\nEOF\n");
    let InstructionKind::Onbuild(onbuild) = &df.instructions[1].kind else {
        panic!("not ONBUILD")
    };
    assert_eq!(onbuild.expression, "RUN <<EOF\necho hi\nEOF");
}

#[test]
fn arg_and_env_forms() {
    let df = Dockerfile::parse(
        "# VERSION the release\nARG VERSION=1.0 EMPTY= BARE\nFROM a\nENV A=1 B=\"two words\"\nENV LEGACY value with spaces\n",
    );
    assert!(!df.has_errors(), "{:?}", df.all_diagnostics());
    let InstructionKind::Arg(decls) = &df.instructions[0].kind else {
        panic!("not ARG")
    };
    assert_eq!(decls.len(), 3);
    assert_eq!(
        decls[0].default.as_ref().map(|w| w.text.as_str()),
        Some("1.0")
    );
    assert_eq!(decls[0].description.as_deref(), Some("the release"));
    assert_eq!(
        decls[0]
            .default
            .as_ref()
            .map(|w| df_source_text(&df, w.span))
            .as_deref(),
        Some("1.0")
    );
    assert_eq!(decls[2].default, None);
    let InstructionKind::Env(pairs) = &df.instructions[2].kind else {
        panic!("not ENV")
    };
    assert_eq!(pairs[1].value.text, "\"two words\"");
    let InstructionKind::Env(legacy) = &df.instructions[3].kind else {
        panic!("not ENV")
    };
    assert!(legacy[0].legacy);
    assert_eq!(legacy[0].value.text, "value with spaces");
}

fn df_source_text(_df: &Dockerfile, span: Span) -> String {
    "# VERSION the release\nARG VERSION=1.0 EMPTY= BARE\nFROM a\nENV A=1 B=\"two words\"\nENV LEGACY value with spaces\n"
        [span.start as usize..span.end as usize]
        .to_owned()
}
