//! The same Dockerfile built by `stowage build` and by `buildah bud --isolation chroot`: the
//! unpacked root filesystems must agree (file list, types, modes, owners, symlink targets,
//! contents), and buildah must run the image stowage exported.
//!
//! Differences that are legitimate and left out of the comparison: mtimes (each builder
//! stamps its own build time), and the mount points buildah leaves in a RUN's layer —
//! `/dev`, `/proc`, `/sys`, `/run` (empty directories) and `/etc/hostname`, `/etc/hosts`,
//! `/etc/resolv.conf` (empty files). stowage drops those stubs, as BuildKit does.
//!
//! Needs root, `buildah`, `umoci` and `busybox-static` (`cargo xtask setup`); runs when
//! `STOWAGE_SLOW_TESTS` is set or under `CI=true`. buildah keeps its storage in the test's
//! temporary directory (`--root`/`--runroot`), so the machine's images are untouched.
#![expect(clippy::print_stdout, reason = "the test says when it skips")]

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;

use crate::build::{busybox_base, nix_is_root, ok, run_in, slow_enabled, tempdir, tool, write};

const DOCKERFILE: &str = "FROM busybox:static AS build\n\
WORKDIR /src\n\
COPY src/ ./\n\
RUN mkdir -p /out && cat main.txt > /out/app.txt && echo built >> /out/app.txt \
&& ln -s app.txt /out/link && chmod 0750 /out/app.txt\n\
FROM busybox:static\n\
ENV GREETING=hello\n\
RUN mkdir -p /home/app && chown app:app /home/app && rm /linuxrc\n\
USER app\n\
WORKDIR /home/app\n\
COPY --from=build /out/ ./out/\n\
COPY --chown=app:app data/ ./data/\n\
RUN echo \"$GREETING from $(id -un) in $(pwd)\" > greeting.txt\n\
CMD [\"cat\", \"/home/app/greeting.txt\"]\n";

/// Paths buildah leaves as mount points in a RUN's layer (see the module docs).
const BUILDAH_MOUNT_STUBS: &[&str] = &[
    "/dev",
    "/proc",
    "/sys",
    "/run",
    "/etc/hostname",
    "/etc/hosts",
    "/etc/resolv.conf",
];

/// What is compared of one node: type, permission bits, owner, symlink target or content.
type Node = (char, u32, u32, u32, String);

fn tree(root: &Path) -> BTreeMap<String, Node> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read_dir") {
            let p = e.expect("entry").path();
            let m = std::fs::symlink_metadata(&p).expect("lstat");
            let rel = format!("/{}", p.strip_prefix(root).expect("inside").display());
            let t = m.file_type();
            let (kind, detail) = if t.is_symlink() {
                let target = std::fs::read_link(&p).expect("readlink");
                ('l', target.display().to_string())
            } else if t.is_dir() {
                stack.push(p.clone());
                ('d', String::new())
            } else if t.is_file() {
                (
                    'f',
                    String::from_utf8_lossy(&std::fs::read(&p).expect("read")).into_owned(),
                )
            } else {
                ('?', String::new())
            };
            let mode = if t.is_symlink() {
                0
            } else {
                m.permissions().mode() & 0o7777
            };
            out.insert(rel, (kind, mode, m.uid(), m.gid(), detail));
        }
    }
    out
}

fn buildah(storage: &Path, args: &[&str]) -> String {
    let root = storage.join("root");
    let runroot = storage.join("runroot");
    let mut all = vec![
        "--root",
        root.to_str().expect("utf-8"),
        "--runroot",
        runroot.to_str().expect("utf-8"),
    ];
    all.extend_from_slice(args);
    tool("buildah", &all)
}

#[test]
fn stowage_and_buildah_build_the_same_rootfs_and_buildah_runs_stowages_image() {
    if !slow_enabled() {
        println!(
            "skipped: the buildah comparison (set STOWAGE_SLOW_TESTS=1 or CI=true; needs root, buildah, umoci, busybox-static)"
        );
        return;
    }
    assert!(nix_is_root(), "buildah and the RUN sandbox need root here");
    let tmp = tempdir();
    let dir = tmp.path();
    let root = dir.join("store");
    busybox_base(&root, dir);
    let app = dir.join("app");
    write(
        &app,
        &[
            ("Dockerfile", DOCKERFILE),
            ("src/main.txt", "print hi\n"),
            ("data/keep.txt", "kept\n"),
            ("data/skip.tmp", "ignored\n"),
            ("secret.key", "do not ship\n"),
            (".dockerignore", "secret.key\ndata/*.tmp\n"),
        ],
    );
    std::fs::set_permissions(
        app.join("data/keep.txt"),
        std::fs::Permissions::from_mode(0o600),
    )
    .expect("chmod");
    ok(run_in(&root, dir, &["build", "-t", "demo:1", "app"]));
    let s = |p: &Path| p.to_str().expect("utf-8").to_owned();

    // buildah gets the same base: stowage's export of it, under the name the Dockerfile uses.
    let base_tar = dir.join("base.tar");
    ok(run_in(
        &root,
        dir,
        &[
            "save",
            "--format",
            "oci",
            "-o",
            &s(&base_tar),
            "busybox:static",
        ],
    ));
    let storage = dir.join("buildah");
    buildah(
        &storage,
        &["pull", "-q", &format!("oci-archive:{}", s(&base_tar))],
    );
    let base_id = buildah(&storage, &["images", "-q"]);
    let base_id = base_id.lines().next().expect("the base in buildah");
    buildah(
        &storage,
        &["tag", base_id, "docker.io/library/busybox:static"],
    );
    buildah(
        &storage,
        &[
            "bud",
            "--isolation",
            "chroot",
            "--pull=never",
            "-t",
            "demo:1",
            &s(&app),
        ],
    );
    let layout = dir.join("buildah-oci");
    buildah(
        &storage,
        &[
            "push",
            "-q",
            "localhost/demo:1",
            &format!("oci:{}:demo", s(&layout)),
        ],
    );

    // umoci checks every diff ID while unpacking.
    let ours = dir.join("ours");
    let theirs = dir.join("theirs");
    tool(
        "umoci",
        &[
            "unpack",
            "--image",
            &format!("{}:demo:1", s(&root)),
            &s(&ours),
        ],
    );
    tool(
        "umoci",
        &[
            "unpack",
            "--image",
            &format!("{}:demo", s(&layout)),
            &s(&theirs),
        ],
    );
    let ours = tree(&ours.join("rootfs"));
    let mut theirs = tree(&theirs.join("rootfs"));
    for stub in BUILDAH_MOUNT_STUBS {
        if !ours.contains_key(*stub) {
            theirs.remove(*stub);
        }
    }
    let only = |a: &BTreeMap<String, Node>, b: &BTreeMap<String, Node>| -> Vec<String> {
        a.keys().filter(|k| !b.contains_key(*k)).cloned().collect()
    };
    assert_eq!(
        only(&ours, &theirs),
        Vec::<String>::new(),
        "only in stowage's"
    );
    assert_eq!(
        only(&theirs, &ours),
        Vec::<String>::new(),
        "only in buildah's"
    );
    let differing: Vec<(String, Node, Node)> = ours
        .iter()
        .filter_map(|(p, n)| {
            let t = &theirs[p];
            (n != t).then(|| (p.clone(), n.clone(), t.clone()))
        })
        .collect();
    assert_eq!(differing, Vec::new(), "(path, stowage's, buildah's)");
    // The checks above must have seen the interesting parts.
    assert_eq!(
        ours["/home/app/greeting.txt"],
        (
            'f',
            0o644,
            1000,
            1000,
            "hello from app in /home/app\n".into()
        )
    );
    assert_eq!(ours["/home/app/out/link"].4, "app.txt");
    assert_eq!(ours["/home/app/data/keep.txt"].1, 0o600);
    assert!(!ours.contains_key("/home/app/data/skip.tmp"));
    assert!(!ours.contains_key("/linuxrc"));

    // buildah runs what stowage exported, with its config (USER, WORKDIR, CMD).
    let archive = dir.join("demo.tar");
    ok(run_in(
        &root,
        dir,
        &["save", "--format", "oci", "-o", &s(&archive), "demo:1"],
    ));
    let ctr = buildah(
        &storage,
        &[
            "from",
            "-q",
            "--pull=never",
            &format!("oci-archive:{}", s(&archive)),
        ],
    );
    let ctr = ctr.trim();
    let inspect: serde_json::Value =
        serde_json::from_str(&buildah(&storage, &["inspect", ctr])).expect("inspect JSON");
    let cmd: Vec<String> =
        serde_json::from_value(inspect["OCIv1"]["config"]["Cmd"].clone()).expect("the CMD");
    let mut run = vec!["run", "--isolation", "chroot", ctr, "--"];
    run.extend(cmd.iter().map(String::as_str));
    assert_eq!(buildah(&storage, &run), "hello from app in /home/app\n");
    assert_eq!(
        buildah(
            &storage,
            &["run", "--isolation", "chroot", ctr, "--", "id", "-un"]
        ),
        "app\n"
    );
    buildah(&storage, &["rm", ctr]);
}
