use std::fmt::Write as _;

use stowage_diagnostics::Severity;
use stowage_lint::{Config, HostData, lint};

use super::*;
use crate::build::{BuildAsk, Builder, size_text};

fn ask(example: &Example) -> BuildAsk {
    BuildAsk {
        build: 1,
        dockerfile: example.dockerfile.to_owned(),
        context: example.context(1_700_000_000),
        no_cache: false,
        ..BuildAsk::default()
    }
}

#[test]
fn every_folder_is_embedded_with_a_title_and_a_body() {
    let names: Vec<&str> = EXAMPLES.iter().map(|e| e.name).collect();
    assert_eq!(
        names,
        [
            "nginx-static",
            "python-app",
            "node-app",
            "go-multistage",
            "dockerignore",
            "apt-cleanup",
            "non-root-user"
        ]
    );
    for example in EXAMPLES {
        assert!(example.explanation.starts_with("# "), "{}", example.name);
        assert!(!example.title().is_empty() && !example.title().starts_with('#'));
        assert!(
            example.body().trim().len() > 80,
            "{} explains itself",
            example.name
        );
        assert!(
            example.files.windows(2).all(|w| w[0].0 < w[1].0),
            "{}: files sorted",
            example.name
        );
        assert_eq!(find(example.name), Some(example));
    }
    assert_eq!(find("no-such-example"), None);
}

#[test]
fn every_example_parses_and_lints_without_errors() {
    for example in EXAMPLES {
        let df = stowage_syntax::Dockerfile::parse(example.dockerfile);
        assert!(
            !df.has_errors(),
            "{}: {:?}",
            example.name,
            df.all_diagnostics()
        );
        let dockerignore = example
            .files
            .iter()
            .find(|(path, _)| *path == ".dockerignore")
            .map(|(_, text)| *text);
        let findings = lint(
            example.dockerfile,
            &Config::default(),
            &HostData { dockerignore },
        );
        let errors: Vec<_> = findings
            .iter()
            .filter(|f| f.diagnostic.severity == Severity::Error)
            .map(|f| (f.rule.code, f.diagnostic.message.clone()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", example.name);
    }
}

/// Every example builds with the simulated base images; the steps and the image's layers are
/// snapshotted (and a second build hits the cache everywhere).
#[test]
fn every_example_builds_with_the_expected_layers() {
    for example in EXAMPLES {
        let mut builder = Builder::default();
        let outcome = builder.build(&ask(example));
        assert!(
            outcome.errors.is_empty(),
            "{}: {:?}",
            example.name,
            outcome.errors
        );
        assert!(outcome.image.is_some(), "{}", example.name);
        assert!(
            outcome.steps.iter().all(|s| s.status != "FAILED"),
            "{}: {:?}",
            example.name,
            outcome.steps
        );
        let mut report = String::new();
        for step in &outcome.steps {
            let _ = writeln!(report, "{} {}", step.status, step.header);
            for note in &step.notes {
                let _ = writeln!(report, "    note: {note}");
            }
        }
        report.push_str("layers:\n");
        for layer in &outcome.layers {
            let _ = writeln!(report, "{:>9}  {}", size_text(layer.size), layer.created_by);
        }
        insta::assert_snapshot!(example.name, report);
        let again = builder.build(&BuildAsk {
            build: 2,
            ..ask(example)
        });
        assert!(
            again
                .steps
                .iter()
                .all(|s| s.status == "HIT" || s.status == "CONFIG"),
            "{}: rebuild {:?}",
            example.name,
            again.steps.iter().map(|s| &s.status).collect::<Vec<_>>()
        );
    }
}
