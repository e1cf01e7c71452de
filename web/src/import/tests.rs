use std::path::PathBuf;

use super::*;
use crate::build::{BuildAsk, Builder, ContextFile};

/// The archive the browser test imports (`tests/e2e/specs/views.mjs`).
fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/fixtures/tiny-image.oci.tar")
}

/// A tiny image (two COPY layers on `scratch`, the second overwriting a file of the first),
/// saved as `docker save` does in Docker ≥ 25: the e2e fixture, made here so it stays current.
fn tiny_archive() -> Vec<u8> {
    let file = |path: &str, text: &str| ContextFile {
        path: path.to_owned(),
        text: text.to_owned(),
        mtime: 1_700_000_000,
    };
    let mut builder = Builder::default();
    let outcome = builder.build(&BuildAsk {
        build: 1,
        dockerfile: "FROM scratch\nCOPY site/ /srv/site/\nCOPY index.html /srv/site/index.html\n"
            .to_owned(),
        context: vec![
            file("index.html", "<h1>Hello from the second layer</h1>\n"),
            file("site/index.html", &"<p>first version</p>\n".repeat(40)),
            file("site/style.css", "body { font-family: sans-serif; }\n"),
        ],
        ..BuildAsk::default()
    });
    let image = outcome.image.expect("the tiny image builds");
    builder.export(&image).expect("the tiny image saves")
}

#[test]
fn the_e2e_fixture_is_current() {
    let bytes = tiny_archive();
    let path = fixture_path();
    if std::env::var_os("STOWAGE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("fixtures dir");
        std::fs::write(&path, &bytes).expect("writes the fixture");
    }
    let committed = std::fs::read(&path).expect("the fixture exists (STOWAGE_BLESS=1 writes it)");
    assert!(
        committed == bytes,
        "{} is stale: run `STOWAGE_BLESS=1 cargo test -p stowage-web import` and commit it",
        path.display()
    );
}

#[test]
fn an_archive_reads_back_into_layers_with_history() {
    let image = read_archive(&tiny_archive()).expect("reads");
    assert!(image.id.starts_with("sha256:"));
    assert_eq!(image.layers.len(), 2);
    assert!(
        image.layers[0].created_by.starts_with("COPY site/"),
        "{:?}",
        image.layers[0]
    );
    assert!(
        image.layers[0]
            .layer
            .entries
            .contains_key("/srv/site/style.css")
    );
    assert_eq!(
        image.layers[1].size, 37,
        "the second layer holds the new index.html"
    );
}

#[test]
fn the_explorer_shows_an_import_with_the_overwritten_file_as_waste() {
    let outcome = Builder::default().import(7, "tiny.tar", &tiny_archive());
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_eq!(outcome.build, 7);
    assert_eq!(outcome.imported.as_deref(), Some("tiny.tar"));
    assert_eq!(outcome.layers.len(), 2);
    let efficiency = outcome.efficiency.expect("analysed");
    assert_eq!(
        efficiency.files.first().map(|f| (f.path.as_str(), f.count)),
        Some(("/srv/site/index.html", 2)),
        "{efficiency:?}"
    );
    assert!(efficiency.score < 10_000);
}

#[test]
fn broken_archives_are_errors_not_panics() {
    let bytes = tiny_archive();
    let mut builder = Builder::default();
    for broken in [
        &b""[..],
        b"not a tar at all",
        &bytes[..bytes.len() / 2],
        &bytes[1..],
    ] {
        let outcome = builder.import(1, "broken.tar", broken);
        assert!(outcome.layers.is_empty());
        assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
        assert!(
            outcome.errors[0].starts_with("broken.tar: "),
            "{:?}",
            outcome.errors
        );
    }
}

#[test]
fn a_gzipped_archive_reads_the_same() {
    use std::io::Write as _;
    let tar = tiny_archive();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).expect("gzips");
    let gz = gz.finish().expect("gzips");
    let (plain, zipped) = (
        read_archive(&tar).expect("tar"),
        read_archive(&gz).expect("tar.gz"),
    );
    assert_eq!(plain.id, zipped.id);
    assert_eq!(
        plain.layers.iter().map(|l| &l.diff_id).collect::<Vec<_>>(),
        zipped.layers.iter().map(|l| &l.diff_id).collect::<Vec<_>>()
    );
}
