//! What a real RUN's snapshot captures, checked in the unpacked image: hard links made by
//! the command stay one inode. (Extended attributes are covered by the sandbox's unit
//! tests: busybox cannot set them.) Root needed: `STOWAGE_SLOW_TESTS` or `CI=true`.
#![expect(clippy::print_stdout, reason = "the tests say when they skip")]

use std::os::unix::fs::MetadataExt as _;

use crate::build::{busybox_base, nix_is_root, ok, run_in, slow_enabled, tempdir, tool, write};

#[test]
fn hard_links_made_by_run_stay_hard_links_in_the_image() {
    if !slow_enabled() {
        println!(
            "skipped: real RUN capture (set STOWAGE_SLOW_TESTS=1 or CI=true; needs root, umoci)"
        );
        return;
    }
    assert!(nix_is_root(), "real RUN tests run as root here (CI=true)");
    let tmp = tempdir();
    let root = tmp.path().join("store");
    busybox_base(&root, tmp.path());
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
