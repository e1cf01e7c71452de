//! The store end to end: builds through the core engine over the disk stores (the RUN
//! executor here is the core's simulated one: these tests are about persistence), reopened
//! as a later process would.

use std::collections::BTreeSet;
use std::path::Path;
use std::rc::Rc;

use stowage_build::{
    BuildRequest, BuildResult, CacheStore, Engine, FixedClock, Host, ImageStore, NoEvents,
    NoFetcher, SimulatedExecutor, SimulatedImages, StepStatus,
};
use stowage_oci::Digest;
use stowage_store::{DiskCacheStore, DiskImageStore, Store};
use stowage_vfs::{Fs, Metadata};

fn context() -> Fs {
    let mut fs = Fs::new();
    fs.create_dir_all("/src", &Metadata::dir()).expect("dir");
    fs.write_file("/src/app.txt", "hello\n", Metadata::file().with_mtime(1000))
        .expect("file");
    fs.write_file("/notes.md", "notes\n", Metadata::file().with_mtime(1000))
        .expect("file");
    fs
}

const DOCKERFILE: &str = "FROM scratch AS base\nCOPY src /app\nWORKDIR /app\n\
                          FROM base\nCOPY notes.md /\nENV A=1\n";

type DiskEngine = Engine<DiskImageStore, DiskCacheStore>;

fn open(root: &Path) -> DiskEngine {
    let store = Store::open(root).expect("store opens");
    let images = DiskImageStore::open(Rc::clone(&store)).expect("images");
    let cache = DiskCacheStore::open(store, "project", 10_000).expect("cache");
    Engine::with_stores(images, cache)
}

fn build(engine: &mut DiskEngine, ctx: &Fs, tag: &str, no_cache: bool) -> BuildResult {
    build_file(engine, DOCKERFILE, ctx, Some(tag), no_cache)
}

fn build_file(
    engine: &mut DiskEngine,
    dockerfile: &str,
    ctx: &Fs,
    tag: Option<&str>,
    no_cache: bool,
) -> BuildResult {
    let mut req = BuildRequest::new(dockerfile, ctx);
    req.tags = tag.map(str::to_owned).into_iter().collect();
    req.no_cache = no_cache;
    let mut host = Host {
        images: &mut SimulatedImages::new(),
        executor: &mut SimulatedExecutor,
        fetcher: &mut NoFetcher,
        clock: &mut FixedClock {
            unix_seconds: 5000,
            millis: 0,
        },
        events: &mut NoEvents,
    };
    let result = engine.build(&req, &mut host);
    engine.images.flush().expect("images flush");
    engine.cache.flush().expect("cache flush");
    result
}

fn statuses(r: &BuildResult) -> Vec<StepStatus> {
    r.steps.iter().map(|s| s.status).collect()
}

#[test]
fn a_second_process_sees_the_image_and_hits_the_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ctx = context();
    let first = {
        let mut engine = open(dir.path());
        let r = build(&mut engine, &ctx, "demo", false);
        assert!(r.success(), "{:?}", r.diagnostics);
        assert!(statuses(&r).contains(&StepStatus::Miss));
        r
    };
    let mut engine = open(dir.path());
    let id: Digest = first.image.clone().expect("image").parse().expect("digest");
    assert_eq!(engine.find("demo").expect("tagged"), id);
    let img = engine.images.get(&id).expect("loads");
    assert_eq!(img.layers.len(), 3, "COPY, WORKDIR, COPY");
    assert_eq!(
        engine
            .rootfs("demo")
            .expect("rootfs")
            .read("/app/app.txt")
            .expect("file")
            .to_vec(1 << 20),
        Some(b"hello\n".to_vec()),
        "read from the layer blob through its index"
    );
    let second = build(&mut engine, &ctx, "demo", false);
    assert_eq!(second.image, first.image, "same inputs, same image");
    for s in &second.steps {
        assert_ne!(s.status, StepStatus::Miss, "{} missed: {}", s.id, s.reason);
    }
    let forced = build(&mut engine, &ctx, "demo", true);
    assert!(statuses(&forced).contains(&StepStatus::Miss));
}

#[test]
fn a_changed_file_is_explained_after_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ctx = context();
    build(&mut open(dir.path()), &ctx, "demo", false);
    let mut changed = ctx;
    changed
        .write_file("/notes.md", "other\n", Metadata::file().with_mtime(1001))
        .expect("write");
    let r = build(&mut open(dir.path()), &changed, "demo", false);
    let copy = r
        .steps
        .iter()
        .find(|s| s.id.text == "COPY notes.md /")
        .expect("step");
    assert_eq!(copy.status, StepStatus::Miss);
    assert!(copy.reason.contains("notes.md changed"), "{}", copy.reason);
    let base_copy = r
        .steps
        .iter()
        .find(|s| s.id.text == "COPY src /app")
        .expect("step");
    assert_eq!(base_copy.status, StepStatus::Hit);
}

#[test]
fn the_index_is_an_oci_layout_with_one_entry_per_tag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut engine = open(dir.path());
    build(&mut engine, &context(), "demo:1", false);
    engine.tag("demo:1", "other/name:2").expect("tag");
    engine.images.flush().expect("flush");
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).expect("index"))
            .expect("json");
    let names: BTreeSet<&str> = index["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .filter_map(|m| m["annotations"]["org.opencontainers.image.ref.name"].as_str())
        .collect();
    assert_eq!(names, BTreeSet::from(["demo:1", "other/name:2"]));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("oci-layout")).expect("marker"),
        r#"{"imageLayoutVersion":"1.0.0"}"#
    );
    // Every blob is named by its digest.
    for e in std::fs::read_dir(dir.path().join("blobs/sha256")).expect("blobs") {
        let e = e.expect("entry");
        let name = format!("sha256:{}", e.file_name().to_string_lossy());
        let d: Digest = name.parse().expect("digest name");
        assert!(d.verify(&std::fs::read(e.path()).expect("blob")), "{name}");
    }
}

#[test]
fn concurrent_commands_do_not_lose_each_others_tags() {
    let dir = tempfile::tempdir().expect("tempdir");
    build(&mut open(dir.path()), &context(), "demo", false);
    let mut a = open(dir.path());
    let mut b = open(dir.path());
    a.tag("demo", "a:1").expect("tag a");
    b.tag("demo", "b:1").expect("tag b");
    b.rmi("demo", false).expect("untag demo");
    a.images.flush().expect("flush a");
    b.images.flush().expect("flush b");
    let c = open(dir.path());
    let tags: Vec<String> = c.images.tags().into_iter().map(|(t, _)| t).collect();
    assert_eq!(tags, ["a:1", "b:1"]);
}

#[test]
fn a_corrupt_blob_is_reported_not_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = build(&mut open(dir.path()), &context(), "demo", false);
    let engine = open(dir.path());
    let id: Digest = r.image.expect("image").parse().expect("digest");
    let layer = engine.images.config(&id).expect("config").rootfs.diff_ids[0].clone();
    let path = dir.path().join(layer.blob_path());
    let mut bytes = std::fs::read(&path).expect("blob");
    bytes[600] ^= 0xff;
    std::fs::write(&path, bytes).expect("corrupt it");
    assert!(engine.images.get(&id).is_none());
    let err = engine.images.take_error().expect("an error").to_string();
    assert!(
        err.contains("corrupt blob") || err.contains("hashes to"),
        "{err}"
    );
}

#[test]
fn gc_keeps_what_is_referenced_and_waits_for_other_users() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut engine = open(dir.path());
    build(&mut engine, &context(), "demo", false);
    let stray = engine.images.store().write_blob(b"stray").expect("blob");
    let other = Store::open(dir.path()).expect("a second user");
    let live = engine.cache.live_blobs().expect("live");
    let busy = engine.images.store().gc(&live).expect("gc");
    assert!(busy.skipped_busy);
    assert!(engine.images.store().has_blob(&stray));
    drop(other);
    let report = engine.images.store().gc(&live).expect("gc");
    assert!(!report.skipped_busy);
    assert_eq!(report.blobs, 1, "only the stray blob goes");
    assert!(!engine.images.store().has_blob(&stray));
    // Still complete: the image and the cache load.
    let mut again = open(dir.path());
    let r = build(&mut again, &context(), "demo", false);
    assert!(r.steps.iter().all(|s| s.status != StepStatus::Miss));
    assert!(!again.cache.is_empty());
    assert_eq!(again.cache.clear(), 3);
}

#[test]
fn an_all_hit_rebuild_reads_no_layer_blob_and_an_image_read_still_checks_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = build(&mut open(dir.path()), &context(), "demo", false);
    let id: Digest = first.image.expect("image").parse().expect("digest");
    // Damage the first layer's bytes (same size): the hit loads it from its index.
    let engine = open(dir.path());
    let layer = engine.images.config(&id).expect("config").rootfs.diff_ids[0].clone();
    let path = dir.path().join(layer.blob_path());
    let mut bytes = std::fs::read(&path).expect("blob");
    bytes[600] ^= 0xff;
    std::fs::write(&path, bytes).expect("damage it");
    drop(engine);
    let mut engine = open(dir.path());
    let again = build(&mut engine, &context(), "demo", false);
    assert!(
        again.steps.iter().all(|s| s.status != StepStatus::Miss),
        "{:?}",
        statuses(&again)
    );
    assert_eq!(again.image.as_deref(), Some(id.to_string().as_str()));
    // Reading the image (what save, push and run do) verifies the blob.
    let reopened = open(dir.path());
    assert!(reopened.images.get(&id).is_none());
    let err = reopened.images.take_error().expect("an error").to_string();
    assert!(err.contains("corrupt blob"), "{err}");
}

#[test]
fn the_checksum_memo_hits_only_for_the_same_host_file() {
    use stowage_build::FileStamp;
    use stowage_vfs::HostIdentity;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let stamp = |inode, ctime_nanos| FileStamp {
        path: "/src/app.txt".into(),
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: 6,
        mtime: 1000,
        host: Some(HostIdentity {
            dev: 1,
            inode,
            mtime_nanos: 1_000_000_000_123,
            ctime_nanos,
        }),
    };
    {
        let mut cache = DiskCacheStore::open(Rc::clone(&store), "p", 10_000).expect("cache");
        cache.set_checksum(stamp(7, 1_000_000_000_500), [1; 32]);
        // Changed within a second of the build's start: never memoised (racy).
        let mut racy = stamp(8, 9_999_500_000_000);
        racy.path = "/racy.txt".into();
        cache.set_checksum(racy, [2; 32]);
        cache.flush().expect("flush");
    }
    let cache = DiskCacheStore::open(store, "p", 20_000).expect("reopened");
    assert_eq!(cache.checksum(&stamp(7, 1_000_000_000_500)), Some([1; 32]));
    assert_eq!(
        cache.checksum(&stamp(9, 1_000_000_000_500)),
        None,
        "another inode"
    );
    assert_eq!(
        cache.checksum(&stamp(7, 1_000_000_000_501)),
        None,
        "ctime moved"
    );
    let mut racy = stamp(8, 9_999_500_000_000);
    racy.path = "/racy.txt".into();
    assert_eq!(cache.checksum(&racy), None);
}

#[test]
fn step_records_survive_a_reopen() {
    use std::collections::BTreeMap;
    use std::sync::Arc;
    use stowage_build::StepRecord;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let key = Digest::sha256(b"key");
    let record = StepRecord {
        instruction: "COPY . /app".into(),
        parent: Some(Digest::sha256(b"parent")),
        inputs: BTreeMap::from([("cwd".to_owned(), "/".to_owned())]),
        files: Arc::new(BTreeMap::from([("/a b\n.txt".to_owned(), [3; 32])])),
        key: Some(key),
    };
    let bare = StepRecord {
        instruction: "FROM scratch".into(),
        ..StepRecord::default()
    };
    {
        let mut cache = DiskCacheStore::open(Rc::clone(&store), "p", 10_000).expect("cache");
        cache.set_record("0/1".into(), record.clone());
        cache.set_record("0/0".into(), bare.clone());
        cache.flush().expect("flush");
    }
    let cache = DiskCacheStore::open(store, "p", 20_000).expect("reopened");
    assert_eq!(cache.record("0/1"), Some(record));
    assert_eq!(cache.record("0/0"), Some(bare));
    assert_eq!(cache.record("0/2"), None);
}

#[test]
fn definitions_of_stored_results_are_known_to_later_processes_until_the_cache_is_cleared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let noted = Digest::sha256(b"COPY . /app over the base");
    let other = Digest::sha256(b"COPY . /srv over the base");
    {
        let mut cache = DiskCacheStore::open(Rc::clone(&store), "p", 10_000).expect("cache");
        assert!(!cache.may_hold(&noted));
        cache.note_definition(noted.clone());
        assert!(cache.may_hold(&noted));
        cache.flush().expect("flush");
    }
    // Another project of the same store: results are shared, so are their definitions.
    let mut cache = DiskCacheStore::open(store, "q", 20_000).expect("reopened");
    assert!(cache.may_hold(&noted));
    assert!(!cache.may_hold(&other));
    cache.clear();
    assert!(!cache.may_hold(&noted));
}

/// A context of files on disk (`generation` in their identity: a new one is a stranger to
/// the checksum memo, so its files are hashed again).
fn disk_context(dir: &Path, generation: i64) -> Fs {
    use stowage_store::FileRange;
    use stowage_vfs::HostIdentity;
    let mut fs = Fs::new();
    fs.create_dir_all("/src", &Metadata::dir()).expect("dir");
    for i in 0..40_u64 {
        let path = dir.join(format!("f{i}"));
        // Sizes around and across the pipe's 1 MiB chunks.
        let len = if i % 10 == 3 {
            (1 << 20) + i * 977
        } else {
            i * 4099
        };
        let bytes: Vec<u8> = (0..len).map(|b| (b * 31 + i) as u8).collect();
        if generation == 0 {
            std::fs::write(&path, &bytes).expect("write");
        }
        let identity = HostIdentity {
            dev: 1,
            inode: i,
            mtime_nanos: 1_000_000_000_000,
            ctime_nanos: 1_000_000_000_000 + generation,
        };
        fs.write_file(
            &format!("/src/f{i}"),
            FileRange::file(path, len, identity),
            Metadata::file().with_mtime(1000),
        )
        .expect("file");
    }
    fs
}

#[test]
fn checksums_taken_from_a_layer_key_it_as_hashing_the_files_first_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = dir.path().join("files");
    std::fs::create_dir(&files).expect("mkdir");
    let root = dir.path().join("store");
    // The COPY's layer is tarred on another thread while the RUN runs (it misses anyway).
    let dockerfile = "FROM scratch\nCOPY src /app\nRUN echo done > /app/done\n";
    let run = |ctx: &Fs| {
        let r = build_file(&mut open(&root), dockerfile, ctx, None, false);
        assert!(r.success(), "{:?}", r.diagnostics);
        r.steps
            .iter()
            .skip(1)
            .map(|s| (s.status, s.cache_key.clone()))
            .collect::<Vec<_>>()
    };
    // A fresh store: the COPY runs first, its layer's threads hash the files.
    let first = run(&disk_context(&files, 0));
    assert_eq!(
        first.iter().map(|s| s.0).collect::<Vec<_>>(),
        [StepStatus::Miss, StepStatus::Miss]
    );
    // The same files, unknown to the memo: hashed before the step, and both keys are found.
    let again = run(&disk_context(&files, 1));
    assert_eq!(
        again,
        first
            .iter()
            .map(|(_, k)| (StepStatus::Hit, k.clone()))
            .collect::<Vec<_>>()
    );
}
