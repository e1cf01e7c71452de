//! `stowage build` and the image commands over a real store in a temporary directory.
//!
//! The first tests need no privileges (COPY-only Dockerfiles, image commands, error
//! messages). `real_builds_*` execute RUN in namespaces and validate with Debian's `umoci`
//! and `skopeo` and the `busybox-static` binary (`cargo xtask setup` installs them): they
//! run when `STOWAGE_SLOW_TESTS` is set or under `CI=true` (where root and the tools must be
//! there), and otherwise say they skipped.
#![expect(clippy::print_stdout, reason = "the tests say when they skip")]

use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

pub(crate) fn run_in(root: &Path, cwd: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_stowage"))
        .arg("--root")
        .arg(root)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("STOWAGE_ROOT")
        .output()
        .expect("stowage runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[track_caller]
pub(crate) fn ok(r: Run) -> Run {
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    r
}

pub(crate) fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

/// A project using only COPY, WORKDIR and metadata: no RUN, so no privileges needed.
fn copy_project(dir: &Path) {
    write(
        dir,
        &[
            (
                "Dockerfile",
                "FROM scratch AS files\nCOPY src/ /src/\n\
                 FROM scratch\nWORKDIR /app\nCOPY --from=files /src/ ./\nCOPY extra.txt /\n\
                 ENV MODE=prod\nUSER 1000:1000\nCMD [\"/app/main.txt\"]\n",
            ),
            ("src/main.txt", "main\n"),
            ("src/debug.log", "noise\n"),
            ("extra.txt", "extra\n"),
            (".dockerignore", "**/*.log\n"),
        ],
    );
}

pub(crate) fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn a_copy_only_build_lands_in_the_store_and_the_second_is_all_cached() {
    let tmp = tempdir();
    let (root, ctx) = (tmp.path().join("store"), tmp.path().join("ctx"));
    copy_project(&ctx);
    let first = ok(run_in(
        &root,
        tmp.path(),
        &["build", "-q", "-t", "demo:1", "--progress", "plain", "ctx"],
    ));
    let id = first.stdout.trim().to_owned();
    assert!(id.starts_with("sha256:"), "{}", first.stdout);
    assert!(
        first.stderr.contains("#3 [files 2/2] COPY src/ /src/"),
        "{}",
        first.stderr
    );
    assert!(!first.stderr.contains("CACHED"), "{}", first.stderr);
    assert!(
        first
            .stderr
            .contains("naming to docker.io/library/demo:1 done")
    );

    let second = ok(run_in(
        &root,
        tmp.path(),
        &["build", "-t", "demo:1", "--progress", "plain", "ctx"],
    ));
    for step in ["COPY src/ /src/", "WORKDIR /app", "COPY extra.txt /"] {
        let n = second
            .stderr
            .lines()
            .find(|l| l.ends_with(step))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or_else(|| panic!("{step} in {}", second.stderr))
            .to_owned();
        assert!(
            second.stderr.contains(&format!("{n} CACHED")),
            "{step}: {}",
            second.stderr
        );
    }

    // A second later, an all-CACHED rebuild is the same image: the steps keep their times.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let same = ok(run_in(
        &root,
        tmp.path(),
        &["build", "-q", "-t", "demo:1", "ctx"],
    ));
    assert_eq!(same.stdout.trim(), id);
    // `-q` without `--progress`: the ID and nothing else, as docker prints.
    assert_eq!(same.stderr, "", "{}", same.stderr);
    // An ignored file changes nothing; a real change misses from there on.
    write(&ctx, &[("src/other.log", "more noise\n")]);
    let third = ok(run_in(
        &root,
        tmp.path(),
        &["build", "--progress", "plain", "ctx"],
    ));
    assert_eq!(
        third.stderr.matches("CACHED").count(),
        4,
        "{}",
        third.stderr
    );
    write(&ctx, &[("extra.txt", "changed\n")]);
    let fourth = ok(run_in(
        &root,
        tmp.path(),
        &["build", "--progress", "plain", "ctx"],
    ));
    assert_eq!(
        fourth.stderr.matches("CACHED").count(),
        3,
        "{}",
        fourth.stderr
    );

    let inspect: Value =
        serde_json::from_str(&ok(run_in(&root, tmp.path(), &["inspect", "demo:1"])).stdout)
            .expect("inspect JSON");
    assert_eq!(inspect[0]["Id"], id.as_str());
    assert_eq!(inspect[0]["Config"]["User"], "1000:1000");
    assert_eq!(inspect[0]["Config"]["WorkingDir"], "/app");
    assert_eq!(
        inspect[0]["RootFS"]["Layers"].as_array().map(Vec::len),
        Some(3)
    );
    let history = ok(run_in(
        &root,
        tmp.path(),
        &["history", "--no-trunc", "demo:1"],
    ))
    .stdout;
    assert!(history.contains("COPY /src/ ./ # buildkit"), "{history}");
    assert!(history.contains("CMD [\"/app/main.txt\"]"), "{history}");
}

#[test]
fn image_commands_work_on_the_store() {
    let tmp = tempdir();
    let (root, ctx) = (tmp.path().join("store"), tmp.path().join("ctx"));
    copy_project(&ctx);
    ok(run_in(&root, tmp.path(), &["build", "-t", "demo:1", "ctx"]));
    ok(run_in(
        &root,
        tmp.path(),
        &["tag", "demo:1", "registry.local/team/demo:2"],
    ));
    let table = ok(run_in(&root, tmp.path(), &["images"])).stdout;
    let header = table.lines().next().expect("header");
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"]
    );
    assert!(table.contains("registry.local/team/demo   2"), "{table}");
    let json: Vec<Value> = ok(run_in(&root, tmp.path(), &["images", "--format", "json"]))
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one object per line"))
        .collect();
    assert_eq!(json.len(), 2);
    assert!(
        json.iter()
            .all(|o| o["ID"].as_str().is_some_and(|s| s.len() == 12))
    );

    // A changed file makes a new image; the old one is left dangling.
    write(&ctx, &[("extra.txt", "v2\n")]);
    ok(run_in(&root, tmp.path(), &["build", "-t", "demo:1", "ctx"]));
    let dangling = ok(run_in(
        &root,
        tmp.path(),
        &["images", "-q", "--filter", "dangling=true"],
    ))
    .stdout;
    assert_eq!(
        dangling.lines().count(),
        0,
        "still tagged as registry.local/team/demo:2: {dangling}"
    );
    ok(run_in(
        &root,
        tmp.path(),
        &["rmi", "registry.local/team/demo:2"],
    ));
    let dangling = ok(run_in(
        &root,
        tmp.path(),
        &["images", "-q", "--filter", "dangling=true"],
    ))
    .stdout;
    assert_eq!(
        dangling.lines().count(),
        0,
        "rmi of its last tag deletes it: {dangling}"
    );

    // save → load into another store round-trips the image ID.
    let archive = tmp.path().join("demo.tar");
    ok(run_in(
        &root,
        tmp.path(),
        &["save", "-o", archive.to_str().expect("utf-8"), "demo:1"],
    ));
    let other = tmp.path().join("other");
    let loaded = ok(run_in(
        &other,
        tmp.path(),
        &["load", "-i", archive.to_str().expect("utf-8")],
    ));
    assert_eq!(loaded.stdout.trim(), "Loaded image: demo:1");
    let ids = |r: &Path| {
        ok(run_in(
            r,
            tmp.path(),
            &["images", "-q", "--no-trunc", "demo:1"],
        ))
        .stdout
    };
    assert_eq!(ids(&root), ids(&other));

    let rmi = run_in(&root, tmp.path(), &["rmi", "nope:1"]);
    assert_eq!(rmi.code, 1);
    assert!(
        rmi.stderr.contains("No such image: nope:1"),
        "{}",
        rmi.stderr
    );
    ok(run_in(&root, tmp.path(), &["rmi", "demo:1"]));
    let pruned = ok(run_in(&root, tmp.path(), &["image", "prune", "-a", "-f"])).stdout;
    assert!(pruned.contains("Total reclaimed space"), "{pruned}");
    let left = ok(run_in(&root, tmp.path(), &["images", "-q"])).stdout;
    assert_eq!(left, "");
    let cache = ok(run_in(&root, tmp.path(), &["builder", "prune", "-f"])).stdout;
    assert!(cache.contains("Deleted build cache objects"), "{cache}");
    let blobs = std::fs::read_dir(root.join("blobs/sha256"))
        .expect("blobs")
        .count();
    assert_eq!(blobs, 0, "nothing references any blob any more");
}

#[test]
fn user_errors_are_clear() {
    let tmp = tempdir();
    let (root, ctx) = (tmp.path().join("store"), tmp.path().join("ctx"));
    copy_project(&ctx);
    let cases: [(&[&str], &str, &str); 5] = [
        (
            &["build", "missing-dir"],
            "",
            "unable to prepare context: path \"missing-dir\" not found",
        ),
        (
            &["build", "ctx"],
            "FROM scratch\nCOPY nothere.txt /\n",
            "\"/nothere.txt\": not found",
        ),
        (
            &["build", "--target", "nope", "ctx"],
            "FROM scratch AS a\n",
            "target stage \"nope\" could not be found",
        ),
        (
            &["build", "ctx"],
            "FROM alpine:3.20\n",
            "alpine:3.20: not found: the base image is not in the local store",
        ),
        (
            &["build", "--platform", "linux/s390x", "ctx"],
            "FROM scratch\n",
            "only the host's platform",
        ),
    ];
    for (args, dockerfile, expected) in cases {
        if !dockerfile.is_empty() {
            write(&ctx, &[("Dockerfile", dockerfile)]);
        }
        let r = run_in(&root, tmp.path(), args);
        assert_ne!(r.code, 0, "{args:?}");
        assert!(r.stderr.contains(expected), "{args:?}: {}", r.stderr);
    }
    // COPY outside the context cannot reach the host: `..` stops at the context root.
    write(
        &ctx,
        &[("Dockerfile", "FROM scratch\nCOPY ../../etc/hostname /\n")],
    );
    let r = run_in(&root, tmp.path(), &["build", "ctx"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("\"/etc/hostname\": not found"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("--> "),
        "the step is pointed at: {}",
        r.stderr
    );
}

pub(crate) fn slow_enabled() -> bool {
    std::env::var_os("STOWAGE_SLOW_TESTS").is_some() || std::env::var("CI").as_deref() == Ok("true")
}

pub(crate) fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} ({e}): install it with `cargo xtask setup`"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A busybox base image built offline from Debian's `busybox-static`.
pub(crate) fn busybox_base(root: &Path, dir: &Path) {
    let base = dir.join("base");
    std::fs::create_dir_all(&base).expect("mkdir");
    std::fs::copy("/bin/busybox", base.join("busybox")).expect("busybox-static is installed");
    write(
        &base,
        &[(
            "Dockerfile",
            "FROM scratch\nCOPY busybox /bin/busybox\n\
             RUN [\"/bin/busybox\", \"mkdir\", \"-p\", \"/usr/bin\", \"/usr/sbin\", \"/sbin\", \"/tmp\", \"/root\", \"/etc\"]\n\
             RUN [\"/bin/busybox\", \"--install\", \"-s\"]\n\
             RUN printf 'root:x:0:0:root:/root:/bin/sh\\napp:x:1000:1000::/home/app:/bin/sh\\n' > /etc/passwd \
             && printf 'root:x:0:\\napp:x:1000:\\n' > /etc/group && chmod 1777 /tmp\n\
             CMD [\"/bin/sh\"]\n",
        )],
    );
    ok(run_in(
        root,
        dir,
        &["build", "-t", "busybox:static", "base"],
    ));
}

const APP: &str = "FROM busybox:static AS build\nARG VERSION=1\nWORKDIR /src\nCOPY src/ ./\n\
RUN echo \"built $VERSION\" > out.txt && cat main.txt >> out.txt && echo \"pid $$ on $(hostname)\"\n\
FROM busybox:static\nENV GREETING=hello\n\
RUN mkdir -p /home/app && chown app:app /home/app && rm /linuxrc\n\
USER app\nWORKDIR /home/app\nCOPY --from=build /src/out.txt ./\n\
RUN echo \"$GREETING from $(id -un) in $(pwd)\" > greeting.txt && cat greeting.txt\n\
CMD [\"cat\", \"/home/app/greeting.txt\"]\n";

#[test]
fn real_builds_run_commands_and_make_images_umoci_and_skopeo_accept() {
    if !slow_enabled() {
        println!(
            "skipped: real RUN builds (set STOWAGE_SLOW_TESTS=1 or CI=true; needs root, umoci, skopeo, busybox-static)"
        );
        return;
    }
    assert!(
        nix_is_root(),
        "real RUN tests run as root here (CI=true): the sandbox needs namespaces"
    );
    let tmp = tempdir();
    let root = tmp.path().join("store");
    busybox_base(&root, tmp.path());
    let ctx = tmp.path().join("app");
    write(
        &ctx,
        &[
            ("Dockerfile", APP),
            ("src/main.txt", "print hi\n"),
            ("secret.key", "do not ship\n"),
            (".dockerignore", "secret.key\n"),
        ],
    );
    let first = ok(run_in(
        &root,
        tmp.path(),
        &["build", "-t", "demo:1", "--progress", "plain", "app"],
    ));
    assert!(
        first.stderr.contains("pid 1 on buildkitsandbox"),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains("hello from app in /home/app"),
        "{}",
        first.stderr
    );

    // umoci unpacks it straight from the store (checking every diff ID).
    let unpacked = tmp.path().join("unpacked");
    let store_ref = format!("{}:demo:1", root.display());
    tool(
        "umoci",
        &[
            "unpack",
            "--image",
            &store_ref,
            unpacked.to_str().expect("utf-8"),
        ],
    );
    let rootfs = unpacked.join("rootfs");
    let read =
        |p: &str| std::fs::read_to_string(rootfs.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    assert_eq!(
        read("home/app/greeting.txt"),
        "hello from app in /home/app\n"
    );
    assert_eq!(read("home/app/out.txt"), "built 1\nprint hi\n");
    assert!(
        !rootfs.join("linuxrc").exists(),
        "deleted by a RUN: a whiteout"
    );
    assert!(!rootfs.join("src").exists(), "the build stage stays out");
    let owner = std::fs::metadata(rootfs.join("home/app/greeting.txt")).expect("stat");
    assert_eq!(
        (owner.uid(), owner.gid()),
        (1000, 1000),
        "written as USER app"
    );

    let config: Value = serde_json::from_str(&tool(
        "skopeo",
        &["inspect", "--config", &format!("oci:{store_ref}")],
    ))
    .expect("skopeo JSON");
    assert_eq!(config["config"]["User"], "app");
    assert_eq!(config["config"]["WorkingDir"], "/home/app");
    assert_eq!(
        config["config"]["Cmd"],
        serde_json::json!(["cat", "/home/app/greeting.txt"])
    );
    assert!(
        config["config"]["Env"]
            .as_array()
            .expect("env")
            .iter()
            .any(|e| e == "GREETING=hello")
    );

    // Unchanged: every layer step is CACHED and nothing runs.
    let second = ok(run_in(
        &root,
        tmp.path(),
        &["build", "-t", "demo:1", "--progress", "plain", "app"],
    ));
    assert!(
        !second.stderr.contains("hello from app"),
        "{}",
        second.stderr
    );
    let layer_steps = [
        "COPY src/ ./",
        "WORKDIR /src",
        "RUN echo \"built",
        "RUN mkdir",
        "RUN echo \"$GREETING",
    ];
    for step in layer_steps {
        let n = second
            .stderr
            .lines()
            .find(|l| l.contains(step))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or_else(|| panic!("{step}: {}", second.stderr));
        assert!(
            second.stderr.contains(&format!("{n} CACHED")),
            "{step}: {}",
            second.stderr
        );
    }
    // --no-cache runs everything again.
    let third = ok(run_in(
        &root,
        tmp.path(),
        &[
            "build",
            "--no-cache",
            "-t",
            "demo:1",
            "--progress",
            "plain",
            "app",
        ],
    ));
    assert!(!third.stderr.contains("CACHED"), "{}", third.stderr);
    assert!(
        third.stderr.contains("hello from app in /home/app"),
        "{}",
        third.stderr
    );

    // --output writes an archive skopeo reads as OCI and as docker.
    let archive = tmp.path().join("demo.tar");
    ok(run_in(
        &root,
        tmp.path(),
        &[
            "build",
            "-t",
            "demo:1",
            "--output",
            &format!("type=oci,dest={}", archive.display()),
            "app",
        ],
    ));
    for transport in ["docker-archive", "oci-archive"] {
        let raw: Value = serde_json::from_str(&tool(
            "skopeo",
            &[
                "inspect",
                "--config",
                &format!("{transport}:{}", archive.display()),
            ],
        ))
        .expect("skopeo JSON");
        assert_eq!(raw["config"]["User"], "app", "{transport}");
    }

    // A failing RUN: its exit code and output, a non-zero exit, and a store that still works.
    let bad = tmp.path().join("bad");
    write(
        &bad,
        &[(
            "Dockerfile",
            "FROM busybox:static\nRUN echo before && echo problem >&2 && exit 3\n",
        )],
    );
    let failed = run_in(
        &root,
        tmp.path(),
        &["build", "-t", "bad:1", "--progress", "plain", "bad"],
    );
    assert_eq!(failed.code, 1);
    assert!(failed.stderr.contains("problem"), "{}", failed.stderr);
    assert!(
        failed.stderr.contains(
            "process \"/bin/sh -c echo before && echo problem >&2 && exit 3\" did not complete successfully: exit code: 3"
        ),
        "{}",
        failed.stderr
    );
    let images = ok(run_in(&root, tmp.path(), &["images"])).stdout;
    assert!(
        !images.contains("bad "),
        "nothing from the failed build is tagged: {images}"
    );
    assert_eq!(
        std::fs::read_dir(root.join("tmp")).expect("tmp").count(),
        0,
        "no leftovers"
    );
    let again = tmp.path().join("again");
    tool(
        "umoci",
        &[
            "unpack",
            "--image",
            &store_ref,
            again.to_str().expect("utf-8"),
        ],
    );

    // --network=none: no interface but loopback.
    write(
        &bad,
        &[(
            "Dockerfile",
            "FROM busybox:static\nRUN --network=none ls /sys/class/net 2>/dev/null || cat /proc/net/dev\n",
        )],
    );
    let net = ok(run_in(
        &root,
        tmp.path(),
        &["build", "--progress", "plain", "bad"],
    ));
    assert!(!net.stderr.contains("eth0"), "{}", net.stderr);
}

pub(crate) fn nix_is_root() -> bool {
    // The tests do not link nix; `id -u` says the same.
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

#[test]
fn analyze_reports_a_file_overwritten_in_a_later_layer() {
    let tmp = tempdir();
    let (root, ctx) = (tmp.path().join("store"), tmp.path().join("ctx"));
    let big = "x".repeat(5000);
    let bigger = "y".repeat(6000);
    write(
        &ctx,
        &[
            (
                "Dockerfile",
                "FROM scratch\nCOPY small.txt /small.txt\nCOPY big.txt /data/blob\n\
                 COPY bigger.txt /data/blob\n",
            ),
            ("small.txt", "small\n"),
            ("big.txt", &big),
            ("bigger.txt", &bigger),
        ],
    );
    ok(run_in(
        &root,
        tmp.path(),
        &["build", "-q", "-t", "waste", "ctx"],
    ));

    let text = ok(run_in(&root, tmp.path(), &["analyze", "waste"])).stdout;
    assert!(
        text.contains("wastedBytes:       11000 bytes (11 kB)"),
        "{text}"
    );
    assert!(text.contains("  2      11 kB         /data/blob"), "{text}");
    assert!(!text.contains("Evaluation:"), "{text}");

    // dive's default rules fail: efficiency (5000+6)/(11000+6) and wasted/user bytes.
    let ci = run_in(&root, tmp.path(), &["analyze", "--ci", "waste"]);
    assert_eq!(ci.code, 1, "{}", ci.stdout);
    assert!(
        ci.stdout.contains("FAIL  lowestEfficiency"),
        "{}",
        ci.stdout
    );
    assert!(
        ci.stdout.trim_end().ends_with("FAIL [fail:2 skip:1]"),
        "{}",
        ci.stdout
    );
    let bytes = run_in(
        &root,
        tmp.path(),
        &[
            "analyze",
            "--ci",
            "--lowest-efficiency",
            "disabled",
            "--highest-user-wasted-percent",
            "disabled",
            "--highest-wasted-bytes",
            "10kB",
        ],
    );
    assert_eq!(bytes.code, 2, "the image is required: {}", bytes.stderr);
    let bytes = run_in(
        &root,
        tmp.path(),
        &[
            "analyze",
            "--ci",
            "--lowest-efficiency",
            "disabled",
            "--highest-user-wasted-percent",
            "disabled",
            "--highest-wasted-bytes",
            "10kB",
            "waste",
        ],
    );
    assert_eq!(bytes.code, 1, "{}", bytes.stdout);
    assert!(
        bytes.stdout.contains("FAIL  highestWastedBytes"),
        "{}",
        bytes.stdout
    );
    let loose = ok(run_in(
        &root,
        tmp.path(),
        &[
            "analyze",
            "--ci",
            "--lowest-efficiency",
            "0.4",
            "--highest-user-wasted-percent",
            "off",
            "waste",
        ],
    ));
    assert!(
        loose.stdout.trim_end().ends_with("PASS [pass:1 skip:2]"),
        "{}",
        loose.stdout
    );

    let json: Value = serde_json::from_str(
        &ok(run_in(
            &root,
            tmp.path(),
            &["analyze", "--format", "json", "waste"],
        ))
        .stdout,
    )
    .expect("analyze JSON");
    assert_eq!(json["wastedBytes"], 11000);
    assert_eq!(json["inefficientFiles"][0]["path"], "/data/blob");
    assert_eq!(json["inefficientFiles"][0]["count"], 2);
    assert_eq!(json["layers"].as_array().map(Vec::len), Some(3));
}

#[test]
fn system_df_counts_images_and_the_build_cache() {
    let tmp = tempdir();
    let (root, ctx) = (tmp.path().join("store"), tmp.path().join("ctx"));
    copy_project(&ctx);
    ok(run_in(
        &root,
        tmp.path(),
        &["build", "-q", "-t", "demo:1", "ctx"],
    ));
    // A changed file and the same tag: the first image is left dangling.
    write(&ctx, &[("extra.txt", "changed!\n")]);
    ok(run_in(
        &root,
        tmp.path(),
        &["build", "-q", "-t", "demo:1", "ctx"],
    ));
    let df = ok(run_in(&root, tmp.path(), &["system", "df"])).stdout;
    let rows: Vec<Vec<&str>> = df
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(
        rows[0],
        ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
        "{df}"
    );
    // Both images share main.txt (5B); extra.txt is 6B in the dangling one, 9B in the other.
    assert_eq!(rows[1], ["Images", "2", "1", "20B", "6B (30%)"], "{df}");
    assert_eq!(rows[2][0], "Build Cache", "{df}");
    assert!(rows[2][1].parse::<u32>().is_ok_and(|n| n >= 3), "{df}");
    assert_ne!(rows[2][3], "0B", "{df}");

    ok(run_in(&root, tmp.path(), &["builder", "prune", "-f"]));
    ok(run_in(&root, tmp.path(), &["image", "prune", "-f"]));
    let df = ok(run_in(&root, tmp.path(), &["system", "df"])).stdout;
    assert!(
        df.contains("Images        1         1         14B       0B (0%)"),
        "{df}"
    );
    assert!(
        df.contains("Build Cache   0         0         0B        0B"),
        "{df}"
    );
}
