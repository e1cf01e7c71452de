//! The docker-shaped API: images, history, inspect, tag, rmi, prune, commit, save/load.

use stowage_build::{BuildRequest, CommitOptions, EngineError, human_duration, human_size};
use stowage_oci::archive::ArchiveFormat;
use stowage_oci::layer::Compression;
use stowage_vfs::{Fs, Metadata};

use crate::util::{NOW, Sim};

const DOCKERFILE: &str = "FROM busybox\nRUN echo hi > /hello\nCMD [\"cat\", \"/hello\"]\n";

fn built() -> (Sim, String) {
    let mut sim = Sim::new();
    let ctx = Fs::new();
    let mut req = BuildRequest::new(DOCKERFILE, &ctx);
    req.tags.push("demo:1".into());
    let r = sim.build(&req);
    let id = r.image.expect("image");
    (sim, id)
}

#[test]
fn images_and_history_use_dockers_columns() {
    let (sim, id) = built();
    let images = sim.engine.images_table(NOW + 3600 * 3);
    let lines: Vec<&str> = images.lines().collect();
    assert_eq!(
        lines[0],
        "REPOSITORY   TAG       IMAGE ID       CREATED       SIZE"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("demo         1         ") && l.contains("3 hours ago"))
    );
    assert!(lines.iter().any(|l| l.starts_with("busybox      latest")));
    let history = sim.engine.history_table("demo:1", NOW + 60, false).unwrap();
    let rows: Vec<&str> = history.lines().collect();
    assert_eq!(
        rows[0],
        "IMAGE          CREATED              CREATED BY                                      SIZE      COMMENT"
    );
    assert!(rows[1].starts_with(&id[7..19]));
    assert!(rows[1].contains("CMD [\"cat\" \"/hello\"]"));
    assert!(
        rows[2].starts_with("<missing>")
            && rows[2].contains("RUN /bin/sh -c echo hi > /hello # buildkit")
            && rows[2].contains("3B")
    );
    let inspect = sim.engine.inspect(&id[7..19]).unwrap();
    assert_eq!(inspect[0]["Id"], id);
    assert_eq!(inspect[0]["RootFS"]["Layers"].as_array().unwrap().len(), 2);
    assert_eq!(inspect[0]["Config"]["Cmd"][1], "/hello");
}

#[test]
fn rmi_untags_refuses_and_deletes() {
    let (mut sim, id) = built();
    sim.engine.tag("demo:1", "demo:2").unwrap();
    // Two tags: deleting by ID must be forced.
    let err = sim.engine.rmi(&id[7..19], false).unwrap_err();
    assert!(
        matches!(
            err,
            EngineError::Conflict {
                force: "must be forced",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        sim.engine.rmi("demo:2", false).unwrap(),
        vec!["Untagged: demo:2".to_owned()]
    );
    // The base image has a child: it cannot be removed.
    let err = sim.engine.rmi("busybox", true).unwrap_err();
    assert!(
        err.to_string().contains("image has dependent child images"),
        "{err}"
    );
    // In use by a container: must be forced.
    let parsed = sim.engine.find("demo:1").unwrap();
    sim.engine.in_use.insert(parsed);
    assert!(sim.engine.rmi("demo:1", false).is_err());
    let out = sim.engine.rmi("demo:1", true).unwrap();
    assert_eq!(
        out,
        vec!["Untagged: demo:1".to_owned(), format!("Deleted: {id}")]
    );
    assert!(matches!(
        sim.engine.find("demo:1"),
        Err(EngineError::NoSuchImage(_))
    ));
}

#[test]
fn prune_removes_dangling_then_all() {
    let (mut sim, first) = built();
    // A rebuild with a change moves the tag: the old image dangles.
    let ctx = Fs::new();
    let other = DOCKERFILE.replace("hi", "hello");
    let mut req = BuildRequest::new(&other, &ctx);
    req.tags.push("demo:1".into());
    sim.build(&req);
    let table = sim.engine.images_table(NOW);
    assert!(table.contains("<none>       <none>"), "{table}");
    let out = sim.engine.prune(false);
    assert!(out.contains(&format!("deleted: {first}")), "{out}");
    assert!(out.contains("Total reclaimed space:"));
    assert!(!sim.engine.images_table(NOW).contains("<none>"));
    let out = sim.engine.prune(true);
    assert!(
        out.contains("untagged: demo:1") && out.contains("untagged: busybox:latest"),
        "{out}"
    );
    assert_eq!(sim.engine.images_table(NOW).lines().count(), 1);
}

#[test]
fn unchanged_rebuild_keeps_the_image_id_and_times() {
    let (mut sim, first) = built();
    let first_history = sim.engine.history_rows("demo:1").unwrap();
    // An hour later, nothing changed: every step hits and the image is the same one.
    sim.now = NOW + 3600;
    let ctx = Fs::new();
    let mut req = BuildRequest::new(DOCKERFILE, &ctx);
    req.tags.push("demo:1".into());
    let again = sim.build(&req);
    assert_eq!(again.image.as_deref(), Some(first.as_str()));
    assert_eq!(sim.engine.history_rows("demo:1").unwrap(), first_history);
    assert!(!sim.engine.images_table(NOW).contains("<none>"));
    let inspect = sim.engine.inspect("demo:1").unwrap();
    assert_eq!(inspect[0]["Created"], "2024-07-03T09:46:40Z");
    // A changed CMD keeps the RUN's time; a changed RUN moves it and everything after it.
    sim.now = NOW + 7200;
    let cmd = DOCKERFILE.replace("[\"cat\", \"/hello\"]", "[\"cat\"]");
    let r = sim.build(&BuildRequest::new(&cmd, &ctx));
    let id = r.image.expect("image");
    assert_ne!(id, first);
    let rows = sim.engine.history_rows(&id).unwrap();
    assert_eq!(rows[1].created, first_history[1].created);
    let run = DOCKERFILE.replace("hi", "hello");
    let r = sim.build(&BuildRequest::new(&run, &ctx));
    let id = r.image.expect("image");
    let rows = sim.engine.history_rows(&id).unwrap();
    let later = stowage_oci::config::rfc3339(NOW + 7200);
    assert_eq!(rows[0].created.as_deref(), Some(later.as_str()));
    assert_eq!(rows[1].created.as_deref(), Some(later.as_str()));
    assert_eq!(sim.engine.inspect(&id).unwrap()[0]["Created"], later);
}

#[test]
fn commit_save_and_load_round_trip() {
    let (mut sim, _) = built();
    let mut fs = sim.engine.rootfs("demo:1").unwrap();
    fs.write_file("/note.txt", "changed in a container\n", Metadata::file())
        .unwrap();
    let opts = CommitOptions {
        message: "add a note".into(),
        tag: Some("demo:committed".into()),
        container_command: "/bin/sh".into(),
        ..CommitOptions::default()
    };
    let id = sim.engine.commit("demo:1", &fs, &opts, NOW).unwrap();
    let rows = sim.engine.history_rows("demo:committed").unwrap();
    assert_eq!(rows[0].comment, "add a note");
    assert_eq!(rows[0].size, 23);
    for format in [ArchiveFormat::Oci, ArchiveFormat::Legacy] {
        let tar = sim
            .engine
            .save(&["demo:committed"], format, Compression::Gzip)
            .unwrap();
        let mut fresh = Sim::new();
        let out = fresh.engine.load(&tar, NOW).unwrap();
        assert_eq!(out, vec!["Loaded image: demo:committed".to_owned()]);
        assert_eq!(fresh.engine.find("demo:committed").unwrap(), id);
        let loaded = fresh.engine.rootfs("demo:committed").unwrap();
        assert_eq!(
            loaded.read("/note.txt").unwrap(),
            fs.read("/note.txt").unwrap()
        );
        assert_eq!(loaded.read("/hello").unwrap(), fs.read("/hello").unwrap());
    }
}

#[test]
fn human_units_match_docker() {
    for (n, want) in [
        (0, "0B"),
        (999, "999B"),
        (1_000, "1kB"),
        (7_800_000, "7.8MB"),
        (117_000_000, "117MB"),
        (1_234_000_000, "1.23GB"),
        (3_093_026, "3.09MB"),
    ] {
        assert_eq!(human_size(n), want);
    }
    for (s, want) in [
        (0, "Less than a second"),
        (59, "59 seconds"),
        (90, "About a minute"),
        (3_600, "About an hour"),
        (7_200, "2 hours"),
        (86_400 * 3, "3 days"),
        (86_400 * 20, "2 weeks"),
        (86_400 * 90, "3 months"),
        (86_400 * 800, "2 years"),
    ] {
        assert_eq!(human_duration(s), want);
    }
}

#[test]
fn a_clock_behind_the_base_image_keeps_an_all_hit_rebuild_on_the_same_id() {
    // 1970: older than the `created` of every simulated base image.
    let mut sim = Sim::new();
    sim.now = 1_000;
    let ctx = Fs::new();
    let df = "FROM busybox\nRUN echo hi > /hello\nENV A=b\nCMD [\"cat\", \"/hello\"]\n";
    let first = sim.build(&BuildRequest::new(df, &ctx));
    let id = first.image.expect("image");
    let first_history = sim.engine.history_rows(&id).unwrap();
    sim.now = 2_000;
    let again = sim.build(&BuildRequest::new(df, &ctx));
    assert!(
        again
            .steps
            .iter()
            .all(|s| s.status != stowage_build::StepStatus::Miss),
        "every step hits"
    );
    assert_eq!(again.image.as_deref(), Some(id.as_str()));
    assert_eq!(sim.engine.history_rows(&id).unwrap(), first_history);
    // Newest first: CMD, ENV, RUN, then the base's entries. The RUN is dated no earlier
    // than the base it builds on.
    assert!(first_history[2].created_by.starts_with("RUN"));
    assert!(
        first_history[2].created >= first_history[3].created,
        "{first_history:?}"
    );
}
