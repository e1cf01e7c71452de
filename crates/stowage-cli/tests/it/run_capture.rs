//! What a real RUN's snapshot captures, checked in the unpacked image: hard links made by
//! the command stay one inode; deletions, replaced directories and changed files come out
//! the same whether the changes are read from an overlay's upper directory (COPY'd files
//! shown where they are in the context, as a layer below) or by comparing the whole tree
//! (`STOWAGE_RUN_OVERLAY=0`), and so is what the RUN saw (a listing it writes). (Extended attributes are covered by the
//! sandbox's unit tests: busybox cannot set them.) Root needed: `STOWAGE_SLOW_TESTS` or
//! `CI=true`.
#![expect(clippy::print_stdout, reason = "the tests say when they skip")]

use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::process::Command;

use crate::build::{busybox_base, nix_is_root, ok, run_in, slow_enabled, tempdir, tool, write};

/// A temporary directory with a store named `name` in it holding the busybox base, or
/// `None` (said) when real RUN tests are not enabled.
fn busybox_store(name: &str) -> Option<(tempfile::TempDir, std::path::PathBuf)> {
    if !slow_enabled() {
        println!(
            "skipped: real RUN capture (set STOWAGE_SLOW_TESTS=1 or CI=true; needs root, umoci)"
        );
        return None;
    }
    assert!(nix_is_root(), "real RUN tests run as root here (CI=true)");
    let tmp = tempdir();
    let root = tmp.path().join(name);
    busybox_base(&root, tmp.path());
    Some((tmp, root))
}

#[test]
fn hard_links_made_by_run_stay_hard_links_in_the_image() {
    let Some((tmp, root)) = busybox_store("store") else {
        return;
    };
    write(
        &tmp.path().join("ctx"),
        &[(
            "Dockerfile",
            "FROM busybox:static\n\
             RUN mkdir -p /data/sub && echo one > /data/a && ln /data/a /data/sub/b \
             && ln /bin/busybox /bin/bb2 && chmod 0751 /data/sub && ln -s ../a /data/sub/s\n",
        )],
    );
    ok(run_in(&root, tmp.path(), &["build", "-t", "h:1", "ctx"]));
    let unpacked = tmp.path().join("unpacked");
    tool(
        "umoci",
        &[
            "unpack",
            "--image",
            &format!("{}:h:1", root.display()),
            unpacked.to_str().expect("utf-8"),
        ],
    );
    let rootfs = unpacked.join("rootfs");
    let stat = |p: &str| std::fs::symlink_metadata(rootfs.join(p)).expect(p);
    assert_eq!(stat("data/a").ino(), stat("data/sub/b").ino());
    assert_eq!(stat("data/a").nlink(), 2);
    // A new name for a file of the base image: both names, one inode.
    assert_eq!(stat("bin/busybox").ino(), stat("bin/bb2").ino());
    assert_eq!(stat("data/sub").mode() & 0o7777, 0o751);
    assert_eq!(
        std::fs::read_link(rootfs.join("data/sub/s")).expect("symlink"),
        std::path::Path::new("../a")
    );
}

/// `stowage build` with `SOURCE_DATE_EPOCH` (so that two builds can give one image ID) and
/// `STOWAGE_RUN_OVERLAY` set to `overlay`; returns the image ID.
fn build_with(root: &Path, cwd: &Path, overlay: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_stowage"))
        .arg("--root")
        .arg(root)
        .args(["build", "-q", "-t", "changes:1", "ctx"])
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("STOWAGE_RUN_OVERLAY", overlay)
        .env_remove("STOWAGE_ROOT")
        .output()
        .expect("stowage runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn deletions_and_replaced_directories_are_the_same_read_from_an_overlay_or_the_tree() {
    let Some((tmp, base)) = busybox_store("base-store") else {
        return;
    };
    write(
        &tmp.path().join("ctx"),
        &[
            (
                "Dockerfile",
                "FROM busybox:static
                 COPY tree /srv
                 RUN test ! -e /srv/ignored.txt \
                 && find /srv -type f -exec stat -c '%n %a %u %g %s %Y' {} + | sort > /files.txt \
                 && find /srv -type d -exec stat -c '%n %a %u %g %Y' {} + | sort > /dirs.txt
                 RUN rm /srv/gone.txt && rm -rf /srv/old && mkdir /srv/old \
                 && echo fresh > /srv/old/only.txt && echo changed > /srv/keep/edit.txt \
                 && chmod 0700 /srv/keep && rm /bin/vi && mkdir -p /opt/new/deep \
                 && mv /srv/moved /srv/renamed && touch /srv/keep/same.txt \
                 && echo more >> /srv/keep/append.txt && cp /srv/keep/same.txt /srv/copied.txt
",
            ),
            (".dockerignore", "tree/ignored.txt\n"),
            ("tree/ignored.txt", "not sent\n"),
            ("tree/gone.txt", "bye\n"),
            ("tree/old/a.txt", "a\n"),
            ("tree/old/sub/b.txt", "b\n"),
            ("tree/keep/edit.txt", "before\n"),
            ("tree/keep/same.txt", "same\n"),
            ("tree/moved/m.txt", "m\n"),
            ("tree/keep/append.txt", "first\n"),
        ],
    );
    // `touch` must change the whole-second mtime the tree keeps whenever the build runs.
    std::fs::File::options()
        .write(true)
        .open(tmp.path().join("ctx/tree/keep/same.txt"))
        .and_then(|f| {
            f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000))
        })
        .expect("set mtime");
    let mut ids = Vec::new();
    for overlay in ["1", "0"] {
        let root = tmp.path().join(format!("store-{overlay}"));
        let copied = Command::new("cp")
            .arg("-a")
            .arg(&base)
            .arg(&root)
            .status()
            .expect("cp runs");
        assert!(copied.success());
        ids.push(build_with(&root, tmp.path(), overlay));
    }
    assert_eq!(
        ids[0], ids[1],
        "one image whichever way the changes were read"
    );

    let unpacked = tmp.path().join("unpacked");
    tool(
        "umoci",
        &[
            "unpack",
            "--image",
            &format!("{}:changes:1", tmp.path().join("store-1").display()),
            unpacked.to_str().expect("utf-8"),
        ],
    );
    let rootfs = unpacked.join("rootfs");
    let exists = |p: &str| std::fs::symlink_metadata(rootfs.join(p)).is_ok();
    assert!(!exists("srv/gone.txt"));
    assert!(!exists("bin/vi"), "a file of the base image deleted");
    assert!(
        !exists("srv/old/a.txt") && !exists("srv/old/sub"),
        "the old directory's contents are gone"
    );
    assert_eq!(
        std::fs::read_to_string(rootfs.join("srv/old/only.txt")).expect("new file"),
        "fresh\n"
    );
    assert_eq!(
        std::fs::read_to_string(rootfs.join("srv/keep/edit.txt")).expect("edited"),
        "changed\n"
    );
    assert_eq!(
        std::fs::symlink_metadata(rootfs.join("srv/keep"))
            .expect("keep")
            .mode()
            & 0o7777,
        0o700
    );
    assert!(exists("srv/keep/same.txt") && exists("opt/new/deep"));
    assert!(exists("srv/renamed/m.txt") && !exists("srv/moved"));
    // COPY'd files seen where they are in the context: read, appended to.
    let read = |p: &str| std::fs::read_to_string(rootfs.join(p)).expect(p);
    // What the RUN saw (in the image, so also the same with and without an overlay).
    assert!(
        read("files.txt").contains("/srv/keep/same.txt 644 0 0 5 1000000000\n"),
        "{}",
        read("files.txt")
    );
    assert!(!read("files.txt").contains("ignored"));
    assert_eq!(read("dirs.txt").lines().count(), 5, "{}", read("dirs.txt"));
    assert_eq!(read("srv/copied.txt"), "same\n");
    assert_eq!(read("srv/keep/append.txt"), "first\nmore\n");
    assert_eq!(read("srv/keep/same.txt"), "same\n");
}
