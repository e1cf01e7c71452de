//! `RUN --mount` for real: cache directories kept between builds, tmpfs, bind mounts from
//! the context and from another stage, secrets. Root and the real tools are needed, so
//! these run when `STOWAGE_SLOW_TESTS` is set or under `CI=true`.
#![expect(clippy::print_stdout, reason = "the tests say when they skip")]

use std::path::{Path, PathBuf};

use crate::build::{
    Run, busybox_base, nix_is_root, ok, run_in, slow_enabled, tempdir, tool, write,
};

/// The rootfs of `tag`, unpacked from the store by umoci (which checks every diff ID).
fn unpack(root: &Path, tag: &str, dest: &Path) -> PathBuf {
    tool(
        "umoci",
        &[
            "unpack",
            "--image",
            &format!("{}:{tag}", root.display()),
            dest.to_str().expect("utf-8"),
        ],
    );
    dest.join("rootfs")
}

fn build(root: &Path, cwd: &Path, args: &[&str]) -> Run {
    let mut all = vec!["build", "--progress", "plain"];
    all.extend_from_slice(args);
    run_in(root, cwd, &all)
}

/// Whether `needle` occurs in any file under `dir`.
fn found_under(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            let m = std::fs::symlink_metadata(&p).expect("stat");
            if m.is_dir() {
                stack.push(p);
            } else if m.is_file()
                && std::fs::read(&p)
                    .expect("read")
                    .windows(needle.len())
                    .any(|w| w == needle)
            {
                hits.push(p);
            }
        }
    }
    hits
}

fn skip() -> bool {
    if !slow_enabled() {
        println!(
            "skipped: real RUN mounts (set STOWAGE_SLOW_TESTS=1 or CI=true; needs root, umoci)"
        );
        return true;
    }
    assert!(nix_is_root(), "real RUN tests run as root here (CI=true)");
    false
}

#[test]
fn a_cache_mount_keeps_its_contents_between_builds_and_stays_out_of_the_layer() {
    if skip() {
        return;
    }
    let tmp = tempdir();
    let root = tmp.path().join("store");
    busybox_base(&root, tmp.path());
    let ctx = tmp.path().join("ctx");
    write(
        &ctx,
        &[(
            "Dockerfile",
            "FROM busybox:static\nARG N=1\n\
             RUN --mount=type=cache,id=demo,target=/var/cache/demo,sharing=locked \
             echo \"run$N\" >> /var/cache/demo/log && cat /var/cache/demo/log && echo ran > /ran.txt\n\
             RUN --mount=type=cache,target=/owned,uid=1000,gid=1000,mode=0700 \
             stat -c 'owned %u:%g %a' /owned\n",
        )],
    );
    let first = ok(build(
        &root,
        tmp.path(),
        &["-t", "c:1", "--build-arg", "N=1", "ctx"],
    ));
    assert!(first.stderr.contains(" run1\n"), "{}", first.stderr);
    assert!(
        first.stderr.contains(" owned 1000:1000 700\n"),
        "{}",
        first.stderr
    );
    // A new ARG value runs the step again; the cache directory still has the first line.
    let second = ok(build(
        &root,
        tmp.path(),
        &["-t", "c:2", "--build-arg", "N=2", "ctx"],
    ));
    let lines: Vec<&str> = second
        .stderr
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|w| w.starts_with("run"))
        .collect();
    assert_eq!(lines, ["run1", "run2"], "{}", second.stderr);

    let rootfs = unpack(&root, "c:2", &tmp.path().join("unpacked"));
    assert_eq!(
        std::fs::read_to_string(rootfs.join("ran.txt")).expect("ran.txt"),
        "ran\n"
    );
    // BuildKit removes the mount points it had to create (and their created parents).
    for gone in ["var/cache/demo", "var", "owned"] {
        assert!(!rootfs.join(gone).exists(), "{gone} leaked into the image");
    }

    // `builder prune` empties the cache mounts too.
    let pruned = ok(run_in(&root, tmp.path(), &["builder", "prune", "-f"]));
    assert!(!pruned.stdout.contains("objects: 0\n"), "{}", pruned.stdout);
    let third = ok(build(&root, tmp.path(), &["--build-arg", "N=3", "ctx"]));
    assert!(third.stderr.contains(" run3\n"), "{}", third.stderr);
    assert!(!third.stderr.contains(" run1\n"), "{}", third.stderr);
}

#[test]
fn tmpfs_and_bind_mounts_leave_nothing_in_the_layer() {
    if skip() {
        return;
    }
    let tmp = tempdir();
    let root = tmp.path().join("store");
    busybox_base(&root, tmp.path());
    let ctx = tmp.path().join("ctx");
    write(
        &ctx,
        &[
            (
                "Dockerfile",
                "FROM busybox:static AS gen\nARG GEN=generated\nRUN mkdir /out && echo $GEN > /out/g.txt\n\
                 FROM busybox:static\nRUN mkdir /data && echo keep > /data/keep\n\
                 RUN --mount=type=tmpfs,target=/data,size=1048576 \
                 echo scratch > /data/tmp.txt && ls /data && grep -q ' /data tmpfs' /proc/mounts && echo on-tmpfs\n\
                 RUN --mount=type=bind,from=gen,source=/out,target=/mnt/gen \
                 cp /mnt/gen/g.txt /copied.txt && (touch /mnt/gen/x 2>/dev/null && echo writable || echo read-only)\n\
                 RUN --mount=type=bind,source=src,target=/ctx,rw \
                 echo changed > /ctx/main.txt && cat /ctx/main.txt\n\
                 RUN --mount=type=bind,source=src/main.txt,target=/etc/one.txt cat /etc/one.txt\n",
            ),
            ("src/main.txt", "original\n"),
        ],
    );
    let out = ok(build(&root, tmp.path(), &["-t", "m:1", "ctx"]));
    for line in [
        " tmp.txt\n",
        " on-tmpfs\n",
        " read-only\n",
        " changed\n",
        " original\n",
    ] {
        assert!(out.stderr.contains(line), "{line:?} in {}", out.stderr);
    }
    assert!(
        !out.stderr.contains(" keep\n"),
        "the tmpfs hides /data: {}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(ctx.join("src/main.txt")).expect("context"),
        "original\n",
        "a rw bind mount writes to a copy"
    );
    let rootfs = unpack(&root, "m:1", &tmp.path().join("unpacked"));
    assert_eq!(
        std::fs::read_to_string(rootfs.join("data/keep")).expect("keep"),
        "keep\n"
    );
    assert!(
        !rootfs.join("data/tmp.txt").exists(),
        "tmpfs contents leaked"
    );
    assert_eq!(
        std::fs::read_to_string(rootfs.join("copied.txt")).expect("copied"),
        "generated\n"
    );
    for gone in ["mnt", "ctx", "etc/one.txt", "out"] {
        assert!(!rootfs.join(gone).exists(), "{gone} leaked into the image");
    }
    // What a bind mount shows is part of the step's key: a changed stage runs it again.
    let again = ok(build(&root, tmp.path(), &["-t", "m:1", "ctx"]));
    assert!(!again.stderr.contains(" read-only\n"), "{}", again.stderr);
    let changed = ok(build(
        &root,
        tmp.path(),
        &["-t", "m:1", "--build-arg", "GEN=regenerated", "ctx"],
    ));
    assert!(
        changed.stderr.contains(" read-only\n"),
        "{}",
        changed.stderr
    );
}

#[test]
fn secrets_are_readable_in_run_and_nowhere_else() {
    if skip() {
        return;
    }
    let tmp = tempdir();
    let root = tmp.path().join("store");
    busybox_base(&root, tmp.path());
    let value = "s3cr3t-Value-4711";
    let ctx = tmp.path().join("ctx");
    write(
        &ctx,
        &[(
            "Dockerfile",
            "FROM busybox:static\n\
             RUN --mount=type=secret,id=token \
             echo \"token $(wc -c < /run/secrets/token) bytes $(stat -c %a /run/secrets/token)\" && \
             md5sum /run/secrets/token | cut -c1-32 > /token.md5\n\
             RUN --mount=type=secret,id=token,env=API_KEY,target=/etc/api.key,mode=0440 \
             echo \"env ${#API_KEY} file $(wc -c < /etc/api.key)\"\n\
             RUN --mount=type=secret,id=absent ls /run/secrets/absent 2>/dev/null || echo no-absent\n",
        )],
    );
    let secret_file = tmp.path().join("token.txt");
    std::fs::write(&secret_file, value).expect("secret");
    let secret = format!("id=token,src={}", secret_file.display());
    let out = ok(build(
        &root,
        tmp.path(),
        &["-t", "s:1", "--secret", &secret, "ctx"],
    ));
    for line in [" token 17 bytes 400\n", " env 17 file 17\n", " no-absent\n"] {
        assert!(out.stderr.contains(line), "{line:?} in {}", out.stderr);
    }
    assert!(!out.stderr.contains(value), "{}", out.stderr);

    let rootfs = unpack(&root, "s:1", &tmp.path().join("unpacked"));
    let md5 = tool("md5sum", &[secret_file.to_str().expect("utf-8")]);
    assert_eq!(
        std::fs::read_to_string(rootfs.join("token.md5")).expect("md5"),
        format!("{}\n", &md5[..32]),
        "the RUN read the secret's bytes"
    );
    for gone in ["run", "etc/api.key"] {
        assert!(!rootfs.join(gone).exists(), "{gone} leaked into the image");
    }
    // Not in any blob, cache entry or temporary file of the store, nor in history/inspect.
    let hits = found_under(&root, value.as_bytes());
    assert!(hits.is_empty(), "the secret is stored in {hits:?}");
    for args in [
        &["history", "--no-trunc", "s:1"][..],
        &["inspect", "s:1"][..],
    ] {
        let r = ok(run_in(&root, tmp.path(), args));
        assert!(!r.stdout.contains(value), "{args:?}: {}", r.stdout);
    }

    // Unchanged: cached, with or without the secret's value changing.
    std::fs::write(&secret_file, "another-value").expect("secret");
    let again = ok(build(
        &root,
        tmp.path(),
        &["-t", "s:1", "--secret", &secret, "ctx"],
    ));
    assert_eq!(
        again.stderr.matches("CACHED").count(),
        3,
        "{}",
        again.stderr
    );
}

#[test]
fn missing_required_secrets_and_ssh_mounts_fail_clearly() {
    if skip() {
        return;
    }
    let tmp = tempdir();
    let root = tmp.path().join("store");
    busybox_base(&root, tmp.path());
    for (name, line, message) in [
        (
            "secret",
            "RUN --mount=type=secret,id=npmrc,required=true cat /run/secrets/npmrc",
            "secret npmrc is required but was not provided: pass `--secret id=npmrc,src=FILE`",
        ),
        (
            "ssh",
            "RUN --mount=type=ssh ssh-add -l",
            "RUN --mount=type=ssh is not supported by stowage",
        ),
    ] {
        let ctx = tmp.path().join(name);
        write(
            &ctx,
            &[("Dockerfile", &format!("FROM busybox:static\n{line}\n"))],
        );
        let r = build(&root, tmp.path(), &[name]);
        assert_ne!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.contains(message), "{}", r.stderr);
        assert!(r.stderr.contains("ERROR: failed to solve"), "{}", r.stderr);
    }
    // A --secret that cannot be read is refused before anything runs.
    let r = build(
        &root,
        tmp.path(),
        &["--secret", "id=x,src=/nonexistent/file", "secret"],
    );
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("--secret id=x: reading /nonexistent/file"),
        "{}",
        r.stderr
    );
}
