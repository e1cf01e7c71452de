use super::*;
use crate::state::{PYTHON_EXAMPLE, example_context};

fn ask(build: u64, context: Vec<ContextFile>) -> BuildAsk {
    BuildAsk {
        build,
        dockerfile: PYTHON_EXAMPLE.to_owned(),
        context,
        no_cache: false,
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
    });
    let lines: Vec<_> = outcome.layers.iter().filter_map(|l| l.lines).collect();
    assert_eq!(lines, [(3, 4), (5, 5)], "{:?}", outcome.layers);
    assert!(
        outcome.layers.first().is_some_and(|l| l.lines.is_none()),
        "the base's layer"
    );
}
