//! Validation with the real tools (Debian's `umoci` and `skopeo`, installed by
//! `cargo xtask setup`). Slow and host-dependent: runs when `STOWAGE_SLOW_TESTS` is set or
//! under `CI=true`, where the tools must be present; otherwise it says it skipped.
#![expect(clippy::print_stdout, reason = "the test says when it skips")]

use std::collections::BTreeMap;
use std::io;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail, ensure};
use stowage_oci::archive::{
    ArchiveFormat, ArchiveImage, read_docker_archive, write_docker_archive,
};
use stowage_oci::image::Image;
use stowage_oci::layer::{Compression, ReadOptions};
use stowage_oci::layout::{FileSink, FileSource, read_oci_layout, write_oci_layout};
use stowage_oci::{Digest, MemoryBlobStore};
use stowage_vfs::{Entry, Fs};

use crate::images::demo_image;

struct Dir(PathBuf);

impl FileSink for Dir {
    fn write_file(&mut self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let full = self.0.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(full, bytes)
    }
}

impl FileSource for Dir {
    fn read_file(&self, path: &str) -> io::Result<Option<Arc<[u8]>>> {
        match std::fs::read(self.0.join(path)) {
            Ok(bytes) => Ok(Some(bytes.into())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn enabled() -> bool {
    std::env::var_os("STOWAGE_SLOW_TESTS").is_some() || std::env::var("CI").as_deref() == Ok("true")
}

fn tool(program: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running {program} (install it with `cargo xtask setup`)"))?;
    if !out.status.success() {
        bail!(
            "{program} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `path kind mode uid:gid detail` for every node of a VFS tree.
fn expected_listing(fs: &Fs) -> BTreeMap<String, String> {
    fs.walk()
        .map(|(path, entry)| {
            let m = entry.meta();
            let detail = match entry {
                Entry::File { file, .. } => format!(
                    "file {}",
                    Digest::sha256(&file.content.to_vec(u64::MAX).unwrap_or_default())
                ),
                Entry::Dir(_) => "dir".to_owned(),
                Entry::Symlink(s) => format!("symlink {}", s.target),
            };
            let mode = if entry.kind() == stowage_vfs::Kind::Symlink {
                0o777
            } else {
                m.mode
            };
            (path, format!("{mode:o} {}:{} {detail}", m.uid, m.gid))
        })
        .collect()
}

/// The same listing for a directory on disk.
fn disk_listing(root: &Path) -> Result<BTreeMap<String, String>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path)?;
            let rel = format!("/{}", path.strip_prefix(root)?.display());
            let detail = if meta.is_symlink() {
                format!("symlink {}", std::fs::read_link(&path)?.display())
            } else if meta.is_dir() {
                walk(root, &path, out)?;
                "dir".to_owned()
            } else {
                format!("file {}", Digest::sha256(&std::fs::read(&path)?))
            };
            let mode = meta.permissions().mode() & 0o7777;
            out.insert(
                rel,
                format!("{mode:o} {}:{} {detail}", meta.uid(), meta.gid()),
            );
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out)?;
    Ok(out)
}

fn same_inode(a: &Path, b: &Path) -> Result<bool> {
    Ok(std::fs::metadata(a)?.ino() == std::fs::metadata(b)?.ino())
}

fn rootfs_from_layout(dir: &Path, tag: &str) -> Result<Fs> {
    let mut store = MemoryBlobStore::new();
    let index = read_oci_layout(&Dir(dir.to_owned()), &mut store)?;
    let desc = index
        .manifests
        .iter()
        .find(|d| d.ref_name() == Some(tag))
        .context("tag not in index.json")?;
    let image = Image::load(&store, desc)?;
    Ok(image.rootfs(&store, &ReadOptions::default())?)
}

#[test]
fn umoci_and_skopeo_accept_our_images() -> Result<()> {
    if !enabled() {
        println!(
            "skipped: umoci/skopeo validation (set STOWAGE_SLOW_TESTS=1 or CI=true to run it)"
        );
        return Ok(());
    }
    let work = std::env::temp_dir().join(format!("stowage-oci-it-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let result = run(&work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn run(work: &Path) -> Result<()> {
    let mut store = MemoryBlobStore::new();
    let (image, fs) = demo_image(&mut store, Compression::Gzip);
    let layout = work.join("layout");
    write_oci_layout(&store, &[image.tagged("demo")], &mut Dir(layout.clone()))?;
    let reference = format!("oci:{}:demo", layout.display());

    // umoci checks every diff ID while unpacking.
    let bundle = work.join("bundle");
    let mut args = vec!["unpack", "--image"];
    let image_arg = format!("{}:demo", layout.display());
    args.push(&image_arg);
    let is_root = tool("id", &["-u"])?.trim() == "0";
    if !is_root {
        args.push("--rootless");
    }
    let bundle_arg = bundle.display().to_string();
    args.push(&bundle_arg);
    tool("umoci", &args)?;
    let rootfs = bundle.join("rootfs");
    let mut want = expected_listing(&fs);
    let mut got = disk_listing(&rootfs)?;
    if !is_root {
        // Rootless unpacking owns everything itself.
        for v in want.values_mut().chain(got.values_mut()) {
            let mut parts: Vec<&str> = v.splitn(3, ' ').collect();
            parts[1] = "-";
            *v = parts.join(" ");
        }
    }
    ensure!(
        want == got,
        "unpacked rootfs differs:\nwant {want:#?}\ngot {got:#?}"
    );
    ensure!(
        same_inode(
            &rootfs.join("usr/bin/tool"),
            &rootfs.join("usr/bin/tool-link")
        )?,
        "the hard link was not kept"
    );
    ensure!(
        !rootfs.join("var/cache/junk").exists(),
        "the whiteout was not applied"
    );

    // skopeo reads the manifest and config.
    let inspect: serde_json::Value =
        serde_json::from_str(&tool("skopeo", &["inspect", &reference])?)?;
    ensure!(
        inspect["Digest"] == image.digest().to_string(),
        "skopeo digest: {inspect}"
    );
    let layers: Vec<String> = image
        .manifest
        .layers
        .iter()
        .map(|l| l.digest.to_string())
        .collect();
    ensure!(
        inspect["Layers"] == serde_json::json!(layers),
        "skopeo layers: {inspect}"
    );
    let config: serde_json::Value =
        serde_json::from_str(&tool("skopeo", &["inspect", "--config", &reference])?)?;
    ensure!(
        config["rootfs"]["diff_ids"] == serde_json::to_value(&image.config.rootfs.diff_ids)?,
        "skopeo config: {config}"
    );

    // skopeo copies it to another layout and to a docker-archive; we read both back.
    let copy = work.join("copy");
    tool(
        "skopeo",
        &["copy", &reference, &format!("oci:{}:copy", copy.display())],
    )?;
    ensure!(
        rootfs_from_layout(&copy, "copy")? == fs,
        "skopeo's layout copy differs"
    );
    let skopeo_archive = work.join("skopeo.tar");
    tool(
        "skopeo",
        &[
            "copy",
            &reference,
            &format!("docker-archive:{}:demo:latest", skopeo_archive.display()),
        ],
    )?;
    let mut archive_store = MemoryBlobStore::new();
    let loaded = read_docker_archive(
        &std::fs::read(&skopeo_archive)?,
        &mut archive_store,
        &ReadOptions::default(),
    )?;
    ensure!(
        loaded.len() == 1,
        "skopeo's archive holds {} images",
        loaded.len()
    );
    ensure!(
        loaded[0]
            .image
            .rootfs(&archive_store, &ReadOptions::default())?
            == fs,
        "skopeo's docker-archive differs"
    );

    // Our docker-archives, both shapes, are accepted by skopeo.
    for (format, name) in [
        (ArchiveFormat::Oci, "v25.tar"),
        (ArchiveFormat::Legacy, "legacy.tar"),
    ] {
        let path = work.join(name);
        let mut bytes = Vec::new();
        let images = [ArchiveImage {
            image: &image,
            repo_tags: vec!["demo:latest".into()],
        }];
        write_docker_archive(&store, &images, format, &mut bytes)?;
        std::fs::write(&path, bytes)?;
        let archive_ref = format!("docker-archive:{}", path.display());
        let inspect: serde_json::Value =
            serde_json::from_str(&tool("skopeo", &["inspect", &archive_ref])?)?;
        ensure!(
            inspect["Layers"].as_array().map(Vec::len) == Some(3),
            "{format:?}: {inspect}"
        );
        let out = work.join(format!("from-{name}"));
        tool(
            "skopeo",
            &["copy", &archive_ref, &format!("oci:{}:x", out.display())],
        )?;
        ensure!(
            rootfs_from_layout(&out, "x")? == fs,
            "{format:?} archive via skopeo differs"
        );
    }
    Ok(())
}
