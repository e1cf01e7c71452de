//! The store survives `kill -9` at any point: builds, `tag`, `rmi`, `image prune` and
//! `builder prune` are started and killed after a pseudo-random delay (fixed seed), and the
//! store is then checked with `stowage system check`, `images`, `inspect`, a follow-up
//! build and `umoci unpack` of every tag. COPY-only builds need no privileges; as root a
//! RUN step is added. Slow: runs when `STOWAGE_SLOW_TESTS` is set or under `CI=true`.
#![expect(clippy::print_stdout, reason = "the tests say when they skip")]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::build::{busybox_base, nix_is_root, ok, run_in, slow_enabled, tempdir, tool, write};

/// A small deterministic generator (64-bit LCG, Knuth's constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A context big enough that a build spends a while writing blobs.
fn project(ctx: &Path, with_run: bool, round: usize) {
    let mut dockerfile = String::from(if with_run {
        "FROM busybox:static\n"
    } else {
        "FROM scratch\n"
    });
    dockerfile.push_str("COPY data/ /data/\nCOPY round.txt /\n");
    if with_run {
        dockerfile.push_str("RUN cat /round.txt > /copy.txt && ls /data | wc -l > /count.txt\n");
    }
    write(
        ctx,
        &[
            ("Dockerfile", &dockerfile),
            ("round.txt", &format!("{round}\n")),
        ],
    );
    let dir = ctx.join("data");
    std::fs::create_dir_all(&dir).expect("mkdir");
    // 200 files of 16 KiB; a few change every round so the COPY misses too.
    for i in 0..200_usize {
        let p = dir.join(format!("f{i:03}.bin"));
        if i % 50 == 0 || !p.exists() {
            let byte = u8::try_from((i + round) % 251).expect("small");
            std::fs::write(&p, vec![byte; 16 * 1024]).expect("write");
        }
    }
}

/// `stowage system check`, `images` and `inspect` of every image all succeed.
#[track_caller]
fn check_store(root: &Path, cwd: &Path, when: &str) -> Vec<String> {
    let check = run_in(root, cwd, &["system", "check"]);
    assert_eq!(check.code, 0, "{when}: {}{}", check.stdout, check.stderr);
    let images = ok(run_in(root, cwd, &["images", "--format", "json"]));
    let mut tags = Vec::new();
    for line in images.stdout.lines() {
        let v: Value = serde_json::from_str(line).expect("images JSON");
        let (repo, tag) = (v["Repository"].as_str(), v["Tag"].as_str());
        let name = match (repo, tag) {
            (Some(r), Some(t)) if r != "<none>" && t != "<none>" => {
                let name = format!("{r}:{t}");
                tags.push(name.clone());
                name
            }
            _ => v["ID"].as_str().expect("ID").to_owned(),
        };
        let inspect = run_in(root, cwd, &["inspect", &name]);
        assert_eq!(
            inspect.code, 0,
            "{when}: inspect {name}: {}",
            inspect.stderr
        );
    }
    tags
}

const ROUNDS: usize = 40;

/// `stowage --root ROOT ARGS…` started in `cwd` with its output discarded.
fn spawn_quiet(root: &Path, cwd: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_stowage"))
        .arg("--root")
        .arg(root)
        .args(args)
        .current_dir(cwd)
        .env_remove("STOWAGE_ROOT")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("stowage starts")
}

#[test]
fn the_store_survives_kill_9_at_random_points() {
    if !slow_enabled() {
        println!("skipped: kill -9 test (set STOWAGE_SLOW_TESTS=1 or CI=true)");
        return;
    }
    let tmp = tempdir();
    let root = tmp.path().join("store");
    let ctx = tmp.path().join("ctx");
    let with_run = nix_is_root();
    if with_run {
        busybox_base(&root, tmp.path());
    }
    project(&ctx, with_run, 0);
    let started = Instant::now();
    ok(run_in(
        &root,
        tmp.path(),
        &["build", "-t", "kill:base", "ctx"],
    ));
    // Builds are killed within three quarters of a full build's time, the quick
    // commands within their first 40 ms.
    let span = u64::try_from(started.elapsed().as_millis()).expect("ms") * 3 / 4 + 10;

    let mut rng = Lcg(0x5eed_0f57);
    let mut killed = 0;
    for round in 1..=ROUNDS {
        project(&ctx, with_run, round);
        let tag = format!("kill:{}", rng.below(4));
        let other = format!("other:{}", rng.below(3));
        let (args, within): (Vec<&str>, u64) = match rng.below(10) {
            0..=5 => (
                vec!["build", "-t", &tag, "--progress", "plain", "ctx"],
                span,
            ),
            6 => (vec!["tag", "kill:base", &other], 40),
            7 => (vec!["rmi", &other], 40),
            8 => (vec!["image", "prune", "-a", "-f"], 40),
            _ => (vec!["builder", "prune", "-f"], 40),
        };
        let mut child = spawn_quiet(&root, tmp.path(), &args);
        std::thread::sleep(Duration::from_millis(rng.below(within)));
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("SIGKILL");
            killed += 1;
        }
        child.wait().expect("reaped");
        if round % 5 == 0 {
            check_store(
                &root,
                tmp.path(),
                &format!("after round {round} ({args:?})"),
            );
        }
    }
    assert!(
        killed >= ROUNDS / 4,
        "only {killed} of {ROUNDS} commands were killed mid-way"
    );

    println!("{killed} of {ROUNDS} commands killed mid-way");
    // A clean build still works (and the base image may have been pruned: rebuild it).
    if with_run && run_in(&root, tmp.path(), &["inspect", "busybox:static"]).code != 0 {
        busybox_base(&root, tmp.path());
    }
    project(&ctx, with_run, 99);
    ok(run_in(
        &root,
        tmp.path(),
        &["build", "-t", "kill:final", "ctx"],
    ));
    let tags = check_store(&root, tmp.path(), "at the end");
    assert!(tags.contains(&"kill:final".to_owned()), "{tags:?}");
    for (i, t) in tags.iter().enumerate() {
        let dest = tmp.path().join(format!("unpacked-{i}"));
        tool(
            "umoci",
            &[
                "unpack",
                "--image",
                &format!("{}:{t}", root.display()),
                dest.to_str().expect("utf-8"),
            ],
        );
    }
    let rootfs = tmp.path().join(format!(
        "unpacked-{}/rootfs",
        tags.iter().position(|t| t == "kill:final").expect("final")
    ));
    assert_eq!(
        std::fs::read_to_string(rootfs.join("round.txt")).expect("round.txt"),
        "99\n"
    );
}

#[test]
fn system_check_finds_missing_and_corrupt_blobs() {
    let tmp = tempdir();
    let root = tmp.path().join("store");
    let ctx = tmp.path().join("ctx");
    project(&ctx, false, 0);
    ok(run_in(&root, tmp.path(), &["build", "-t", "c:1", "ctx"]));
    let sound = ok(run_in(&root, tmp.path(), &["system", "check"]));
    assert!(
        sound.stdout.ends_with("; no problems\n"),
        "{}",
        sound.stdout
    );
    assert!(sound.stdout.starts_with("1 images, "), "{}", sound.stdout);

    let index: Value =
        serde_json::from_slice(&std::fs::read(root.join("index.json")).expect("index"))
            .expect("JSON");
    let manifest_digest = index["manifests"][0]["digest"].as_str().expect("digest");
    let blob = |d: &str| {
        root.join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(blob(manifest_digest)).expect("manifest"))
            .expect("JSON");
    let layers = manifest["layers"].as_array().expect("layers");
    let (first, second) = (
        layers[0]["digest"].as_str().expect("digest"),
        layers[1]["digest"].as_str().expect("digest"),
    );
    std::fs::write(blob(first), b"not the layer").expect("corrupt");
    std::fs::remove_file(blob(second)).expect("remove");
    let bad = run_in(&root, tmp.path(), &["system", "check"]);
    assert_eq!(bad.code, 1, "{}", bad.stdout);
    assert!(
        bad.stdout.contains(&format!(
            "problem: c:1: layer: corrupt blob {first}: its bytes hash to"
        )),
        "{}",
        bad.stdout
    );
    assert!(
        bad.stdout.contains(&format!(
            "problem: c:1: layer: blob {second} is missing from the store"
        )),
        "{}",
        bad.stdout
    );
}

/// Pids of processes whose command line is exactly `argv`.
fn processes(argv: &[&str]) -> Vec<String> {
    let want: Vec<u8> = argv
        .iter()
        .flat_map(|a| [a.as_bytes(), b"\0"].concat())
        .collect();
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(Result::ok)
        .filter(|e| std::fs::read(e.path().join("cmdline")).is_ok_and(|c| c == want))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Polls `cond` every 50 ms for up to `secs` seconds.
fn eventually(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cond()
}

#[test]
fn a_killed_build_takes_its_run_down_and_frees_the_cache_lock() {
    if !slow_enabled() {
        println!("skipped: kill -9 during RUN (set STOWAGE_SLOW_TESTS=1 or CI=true; needs root)");
        return;
    }
    assert!(nix_is_root(), "real RUN tests run as root here (CI=true)");
    let tmp = tempdir();
    let root = tmp.path().join("store");
    busybox_base(&root, tmp.path());
    let mount = "--mount=type=cache,id=held,target=/c,sharing=locked";
    write(
        &tmp.path().join("slow"),
        &[(
            "Dockerfile",
            &format!("FROM busybox:static\nRUN {mount} sleep 3017\n"),
        )],
    );
    write(
        &tmp.path().join("next"),
        &[(
            "Dockerfile",
            &format!("FROM busybox:static\nRUN {mount} echo next\n"),
        )],
    );
    let mut build = spawn_quiet(&root, tmp.path(), &["build", "--progress", "plain", "slow"]);
    let sleep = ["sleep", "3017"];
    assert!(
        eventually(20, || !processes(&sleep).is_empty()),
        "the RUN never started"
    );
    build.kill().expect("SIGKILL");
    build.wait().expect("reaped");
    assert!(
        eventually(10, || processes(&sleep).is_empty()),
        "the RUN outlived its build: {:?}",
        processes(&sleep)
    );
    // The cache mount's lock went with it: a build that needs it runs now.
    let mut next = spawn_quiet(&root, tmp.path(), &["build", "--progress", "plain", "next"]);
    let finished = eventually(30, || next.try_wait().expect("wait").is_some());
    if !finished {
        let _ = next.kill();
    }
    let status = next.wait().expect("reaped");
    assert!(finished && status.success(), "the next build: {status:?}");
    let check = run_in(&root, tmp.path(), &["system", "check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}
