//! A full disk: the build stops with a message that says so (and what to do), and the store
//! keeps nothing half-written. The store sits on a 2 MiB tmpfs, so this needs root to mount
//! it; slow: runs when `STOWAGE_SLOW_TESTS` is set or under `CI=true`.
#![expect(clippy::print_stdout, reason = "the test says when it skips")]

use std::process::Command;

use crate::build::{nix_is_root, ok, run_in, slow_enabled, tempdir, write};

/// Unmounts the tmpfs when the test ends, however it ends.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_stops_the_build_with_a_clear_message_and_leaves_the_store_sound() {
    if !slow_enabled() || !nix_is_root() {
        println!(
            "skipped: full disk (set STOWAGE_SLOW_TESTS=1 or CI=true; needs root to mount a tmpfs)"
        );
        return;
    }
    let tmp = tempdir();
    let disk = tmp.path().join("disk");
    std::fs::create_dir_all(&disk).expect("mkdir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&disk)
        .status()
        .expect("mount");
    assert!(mounted.success(), "mount a 2 MiB tmpfs");
    let _unmount = Mounted(disk.clone());
    let root = disk.join("store");

    let ctx = tmp.path().join("ctx");
    write(
        &ctx,
        &[
            ("Dockerfile", "FROM scratch\nCOPY small.txt big.bin /\n"),
            ("small.txt", "fits\n"),
        ],
    );
    // Incompressible and bigger than the disk.
    let big: Vec<u8> = (0..4_000_000_u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(ctx.join("big.bin"), big).expect("write big.bin");

    let full = run_in(&root, &ctx, &["build", "-t", "full:1", "."]);
    assert_ne!(
        full.code, 0,
        "a build that cannot fit fails\n{}",
        full.stderr
    );
    assert!(
        full.stderr
            .contains("no space left on device while writing")
            && full.stderr.contains("stowage builder prune"),
        "the message names the cause and the way out:\n{}",
        full.stderr
    );
    assert!(
        !full.stderr.contains("malformed"),
        "not blamed on the layer:\n{}",
        full.stderr
    );

    // Nothing half-written: the check passes, no image, no temporary file left.
    let check = ok(run_in(&root, &ctx, &["system", "check"]));
    assert!(check.stdout.contains("no problems"), "{}", check.stdout);
    let images = ok(run_in(&root, &ctx, &["images", "-q"]));
    assert_eq!(images.stdout.trim(), "", "no image was tagged");
    let leftovers: Vec<_> = std::fs::read_dir(root.join("tmp"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // Once it fits, the same store builds.
    std::fs::write(ctx.join("big.bin"), b"small now\n").expect("shrink big.bin");
    ok(run_in(&root, &ctx, &["build", "-t", "full:1", "."]));
    ok(run_in(&root, &ctx, &["system", "check"]));
}
