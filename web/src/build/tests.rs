use super::*;
use crate::state::{example_context, python_dockerfile};

fn ask(build: u64, context: Vec<ContextFile>) -> BuildAsk {
    BuildAsk {
        build,
        dockerfile: python_dockerfile().to_owned(),
        context,
        no_cache: false,
        ..BuildAsk::default()
    }
}

fn statuses(outcome: &BuildOutcome) -> Vec<&str> {
    outcome.steps.iter().map(|s| s.status.as_str()).collect()
}

#[test]
fn first_build_misses_and_rebuild_hits() {
    let mut builder = Builder::default();
    let first = builder.build(&ask(1, example_context()));
    assert_eq!(first.build, 1);
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert!(first.image.is_some());
    assert_eq!(
        statuses(&first),
        ["MISS", "MISS", "MISS", "MISS", "MISS", "CONFIG"]
    );
    assert_eq!(first.steps[0].header, "[1/6] FROM python:3.12-slim");
    let second = builder.build(&ask(2, example_context()));
    assert_eq!(
        statuses(&second),
        ["HIT", "HIT", "HIT", "HIT", "HIT", "CONFIG"]
    );
    assert_eq!(second.image, first.image, "same inputs, same image");
    assert_eq!(second.layers, first.layers);
    // The base's layers and the four made here (WORKDIR, two COPYs, RUN).
    let own: Vec<_> = first
        .layers
        .iter()
        .filter(|l| l.created_by.contains("# buildkit"))
        .collect();
    assert_eq!(own.len(), 4, "{:?}", first.layers);
    assert_eq!(
        first.total_size,
        first.layers.iter().map(|l| l.size).sum::<u64>()
    );
}

#[test]
fn editing_app_py_misses_from_the_copy_that_takes_it() {
    let mut builder = Builder::default();
    builder.build(&ask(1, example_context()));
    let mut context = example_context();
    let app = context
        .iter_mut()
        .find(|f| f.path == "app.py")
        .expect("app.py is in the example");
    app.text.push_str("# changed\n");
    app.mtime += 1;
    let rebuilt = builder.build(&ask(2, context));
    assert_eq!(
        statuses(&rebuilt),
        ["HIT", "HIT", "HIT", "HIT", "MISS", "CONFIG"]
    );
    assert!(
        rebuilt.steps[4].reason.contains("app.py"),
        "{}",
        rebuilt.steps[4].reason
    );
}

#[test]
fn the_worker_codec_round_trips_an_outcome() {
    let outcome = Builder::default().build(&ask(7, example_context()));
    let bytes =
        bincode::serde::encode_to_vec(&outcome, bincode::config::standard()).expect("encodes");
    let (back, _): (BuildOutcome, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).expect("decodes");
    assert_eq!(back, outcome);
}

#[test]
fn a_broken_dockerfile_reports_errors_and_no_image() {
    let outcome = Builder::default().build(&BuildAsk {
        build: 1,
        dockerfile: "FROM python:3.12-slim\nCOPY missing.txt /\n".to_owned(),
        context: example_context(),
        no_cache: false,
        ..BuildAsk::default()
    });
    assert!(outcome.image.is_none());
    assert!(outcome.layers.is_empty());
    assert!(
        outcome.errors.iter().any(|e| e.contains("missing.txt")),
        "{outcome:?}"
    );
}

#[test]
fn no_cache_runs_every_step_and_the_cache_still_fills() {
    let mut builder = Builder::default();
    builder.build(&ask(1, example_context()));
    let forced = builder.build(&BuildAsk {
        no_cache: true,
        ..ask(2, example_context())
    });
    // The base image is resolved, not run: only the steps after FROM run again.
    assert_eq!(
        statuses(&forced),
        ["HIT", "MISS", "MISS", "MISS", "MISS", "CONFIG"]
    );
    assert!(forced.steps[1].reason.contains("--no-cache"), "{forced:?}");
    let after = builder.build(&ask(3, example_context()));
    assert_eq!(
        statuses(&after),
        ["HIT", "HIT", "HIT", "HIT", "HIT", "CONFIG"]
    );
}

#[test]
fn layers_point_at_their_instruction_lines() {
    let outcome = Builder::default().build(&BuildAsk {
        build: 1,
        dockerfile:
            "FROM alpine:3.20\n\nRUN echo one > /a \\\n    && echo two > /b\nCOPY app.py /app/\n"
                .to_owned(),
        context: example_context(),
        no_cache: false,
        ..BuildAsk::default()
    });
    let lines: Vec<_> = outcome.layers.iter().filter_map(|l| l.lines).collect();
    assert_eq!(lines, [(3, 4), (5, 5)], "{:?}", outcome.layers);
    assert!(
        outcome.layers.first().is_some_and(|l| l.lines.is_none()),
        "the base's layer"
    );
}

/// Four stages: `test` builds on `base`, `unused` on nothing, the last copies from `base`.
const STAGES: &str = "\
FROM alpine:3.20 AS base
ARG GREETING=hello
RUN echo \"greeting: $GREETING\"

FROM base AS test
RUN echo testing > /test.txt

FROM alpine:3.20 AS unused
RUN echo never > /never.txt

FROM scratch
COPY --from=base /etc/alpine-release /release
";

fn stages_ask(build: u64) -> BuildAsk {
    BuildAsk {
        build,
        dockerfile: STAGES.to_owned(),
        ..BuildAsk::default()
    }
}

#[test]
fn the_log_reads_like_buildkit_and_streams_a_step_at_a_time() {
    let mut builder = Builder::default();
    let mut chunks: Vec<Vec<String>> = Vec::new();
    let first = builder.build_streaming(&stages_ask(1), &mut |lines| chunks.push(lines.to_vec()));
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert!(chunks.len() >= 3, "one chunk per finished step: {chunks:?}");
    assert_eq!(
        chunks.concat(),
        first.log,
        "the chunks add up to the whole log (no notes here)"
    );
    let log = first.log.join("\n");
    assert!(log.contains("#1 [internal] load build context"), "{log}");
    assert!(log.contains("#2 [base 1/3] FROM alpine:3.20"), "{log}");
    assert!(
        log.contains(" greeting: hello"),
        "the RUN's output is in the log: {log}"
    );
    assert!(log.contains(" DONE "), "{log}");
    assert!(log.contains("exporting to image"), "{log}");
    assert!(
        !log.contains("testing"),
        "stages the target does not need do not run: {log}"
    );
    assert_eq!(first.stages_skipped, [1, 2]);
    let again = builder.build(&stages_ask(2));
    assert!(
        again.log.iter().any(|l| l.ends_with(" CACHED")),
        "{:?}",
        again.log
    );
}

#[test]
fn build_args_and_the_target_reach_the_engine() {
    let mut builder = Builder::default();
    let ask = BuildAsk {
        build_args: [("GREETING".to_owned(), "bonjour".to_owned())].into(),
        target: Some("test".to_owned()),
        ..stages_ask(1)
    };
    let outcome = builder.build(&ask);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let log = outcome.log.join("\n");
    assert!(log.contains(" greeting: bonjour"), "{log}");
    assert!(
        outcome
            .steps
            .iter()
            .any(|s| s.header.starts_with("[test 2/2] RUN echo testing")),
        "{:?}",
        outcome.steps.iter().map(|s| &s.header).collect::<Vec<_>>()
    );
    assert_eq!(outcome.stages_skipped, [2, 3]);
    assert!(outcome.steps.iter().all(|s| !s.header.contains("never")));
}

#[test]
fn layers_carry_their_files_digest_and_the_image_efficiency() {
    let outcome = Builder::default().build(&ask(1, example_context()));
    let copy = outcome
        .layers
        .iter()
        .find(|l| l.created_by.starts_with("COPY . ."))
        .expect("the COPY . . layer");
    assert_eq!(copy.digest.len(), 12);
    let app = copy
        .files
        .files
        .iter()
        .find(|f| f.path == "/app/app.py")
        .expect("app.py is added by COPY . .");
    assert_eq!(app.change, crate::explore::Change::Added);
    assert_eq!(
        app.size,
        example_context()
            .iter()
            .find(|f| f.path == "app.py")
            .map(|f| f.text.len() as u64)
            .expect("app.py")
    );
    let efficiency = outcome
        .efficiency
        .as_ref()
        .expect("a built image is analysed");
    assert!(
        efficiency.score > 0 && efficiency.score <= 10_000,
        "{efficiency:?}"
    );
    let steps_with_digest = outcome.steps.iter().filter(|s| s.digest.is_some()).count();
    assert_eq!(steps_with_digest, 4, "the four layers made here");
}

#[test]
fn the_union_view_lists_the_image_at_a_layer() {
    let mut builder = Builder::default();
    let outcome = builder.build(&ask(1, example_context()));
    let last = outcome.layers.len() - 1;
    let (root, _) = builder.union(last, "/");
    assert!(root.iter().any(|e| e.path == "/app" && e.dir), "{root:?}");
    let (app, more) = builder.union(last, "/app");
    assert_eq!(more, 0);
    assert!(app.iter().any(|e| e.path == "/app/app.py"), "{app:?}");
    let (base_only, _) = builder.union(0, "/app");
    assert!(
        base_only.is_empty(),
        "the base image has no /app: {base_only:?}"
    );
}
