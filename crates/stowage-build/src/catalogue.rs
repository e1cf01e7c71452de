//! Simulated base images: `scratch`, `busybox`, `alpine`, `debian` (and `-slim`), `ubuntu`,
//! `node`, `python`, `golang` and `nginx`, with realistic trees made of synthetic files and
//! their usual configs.
//!
//! **These are simulations.** File lists are plausible (the right directories, the programs
//! and libraries a learner expects to see, `/etc/os-release`, package databases), file bytes
//! are synthetic, and sizes approximate what `docker images` shows for the real images
//! (mid-2024 tags, linux/amd64):
//!
//! | image | approx. size |
//! |---|---|
//! | `busybox` | 4.3 MB |
//! | `alpine:3.20` | 7.8 MB |
//! | `debian:bookworm` / `-slim` | 117 MB / 75 MB |
//! | `ubuntu:24.04` | 78 MB |
//! | `node:20` / `-slim` / `-alpine` | 1.1 GB / 200 MB / 135 MB |
//! | `python:3.12` / `-slim` / `-alpine` | 1.0 GB / 130 MB / 57 MB |
//! | `golang:1.22` / `-alpine` | 810 MB / 230 MB |
//! | `nginx:1.27` / `-alpine` | 188 MB / 43 MB |
//!
//! Every image carries the label `org.stowage.simulated=true`.
//!
//! # Diff IDs without hashing a gigabyte
//!
//! A layer's diff ID is the SHA-256 of its tar, and the tars of these images are large
//! (`golang:1.22` is 810 MB of synthetic bytes): hashing them on every first `FROM` would take
//! seconds in the browser. The synthetic bytes are a fixed function of `(size, seed)`, so a
//! layer is identified by its [`layer_fingerprint`] — a SHA-256 of its entries (paths,
//! metadata, link targets, real bytes) with `(size, seed)` for each synthetic body — and `diff_ids.txt` (next to this file)
//! maps fingerprints to real diff IDs for the layers of the images in [`TABLED`] and for the
//! layers the web playground's examples build at its clock, [`PLAYGROUND_NOW`] (an
//! `apt-get update`'s 20 MB of package lists, a `pip install`…). [`simulated_image`] and the
//! default [`CacheStore::diff_id`](crate::CacheStore::diff_id) look layers up there. A layer
//! whose fingerprint is not in the table (another tag, another time, a changed recipe) is
//! hashed in full, so the table can make a build slow but never wrong; the test
//! `catalogue_diff_ids_match_the_tars` recomputes every entry and fails when the file is
//! stale (`STOWAGE_BLESS=1` rewrites it). The tar itself is only written when its bytes are
//! needed (export, push).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use stowage_oci::config::buildkit;
use stowage_oci::layer::{TarOptions, write_tar};
use stowage_oci::{Digest, History, ImageConfig, Sha256Writer, json};
use stowage_syntax::resolve::Platform;
use stowage_vfs::{Content, Fs, Layer, LayerEntry, Metadata};

use crate::engine::layer_ref;
use crate::host::{BaseImage, ImageResolver, LayerRef, ResolveError};

/// Image creation time of the simulated images (2024-07-01).
const CREATED: i64 = 1_719_792_000;

/// Names the catalogue knows.
pub const IMAGES: &[&str] = &[
    "scratch", "busybox", "alpine", "debian", "ubuntu", "node", "python", "golang", "nginx",
];

/// The references whose layers `diff_ids.txt` covers (tags that give the same layers share
/// entries: `node:18` and `node:20` differ only in their configs).
pub const TABLED: &[&str] = &[
    "alpine:3.20",
    "alpine:3.19",
    "busybox:latest",
    "debian:bookworm",
    "debian:bookworm-slim",
    "debian:bullseye",
    "debian:bullseye-slim",
    "ubuntu:24.04",
    "ubuntu:22.04",
    "node:20",
    "node:20-slim",
    "node:20-alpine",
    "python:3.12",
    "python:3.12-slim",
    "python:3.12-alpine",
    "python:3.11-slim",
    "golang:1.22",
    "golang:1.22-alpine",
    "nginx:1.27",
    "nginx:1.27-alpine",
];

/// The time the web playground's builds happen at (2025-01-01, after the simulated images
/// were made, so a stage's clock never goes back): the layers its examples build at this
/// time are in the table.
pub const PLAYGROUND_NOW: i64 = 1_735_689_600;

/// Fingerprint → diff ID of the layers of [`TABLED`] and of the playground's examples, one
/// `fingerprint diff-id origin…` line each (see the module docs).
pub const DIFF_IDS: &str = include_str!("catalogue/diff_ids.txt");

/// Identifies a layer holding synthetic files without generating their bytes: the SHA-256
/// of every entry in path order — path, kind, full metadata (its `Debug` form, so a field
/// added later is covered), link target, and the content as `(size, seed)` for synthetic
/// bytes or the bytes themselves — plus the opaque directories and the diff ID of a fixed
/// canary layer that exercises the tar writer (a change in how tars are written changes every
/// fingerprint). `None` when the layer has no synthetic file (hashing it is as cheap as
/// fingerprinting it) or holds bytes only the host can read.
pub fn layer_fingerprint(layer: &Layer) -> Option<Digest> {
    let synthetic = |f: &stowage_vfs::File| matches!(f.content, Content::Synthetic { .. });
    if !layer
        .entries
        .values()
        .any(|e| matches!(e, LayerEntry::File(f) if synthetic(f)))
    {
        return None;
    }
    let mut w = Sha256Writer::new();
    w.update(canary().as_bytes());
    let mut line = String::new();
    for (path, entry) in &layer.entries {
        line.clear();
        let _ = match entry {
            LayerEntry::Dir(meta) => write!(line, "{path}\0dir {meta:?}"),
            LayerEntry::Symlink(link) => write!(line, "{path}\0symlink {link:?}"),
            LayerEntry::Hardlink(target) => write!(line, "{path}\0hardlink {target:?}"),
            LayerEntry::Whiteout => write!(line, "{path}\0whiteout"),
            LayerEntry::File(file) => match &file.content {
                Content::Synthetic { size, seed } => {
                    write!(line, "{path}\0synthetic {size} {seed} {:?}", file.meta)
                }
                Content::Bytes(bytes) => {
                    write!(line, "{path}\0bytes {} {:?}", bytes.len(), file.meta)
                }
                Content::Summary { .. } | Content::External(_) => return None,
            },
        };
        w.update(&(line.len() as u64).to_le_bytes());
        w.update(line.as_bytes());
        if let LayerEntry::File(file) = entry
            && let Content::Bytes(bytes) = &file.content
        {
            w.update(bytes);
        }
    }
    line.clear();
    let _ = write!(line, "opaque {:?}", layer.opaque);
    w.update(line.as_bytes());
    Some(w.finish())
}

/// The diff ID of a small fixed layer with every kind of entry, a long path, an xattr and an
/// opaque directory: it changes when the tar writer does.
fn canary() -> &'static str {
    static CANARY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CANARY.get_or_init(|| {
        let mut fs = Fs::new();
        let mut meta = Metadata::dir().with_mtime(CREATED);
        meta.xattrs
            .insert("user.stowage".to_owned(), b"canary".to_vec());
        let long = format!("/srv/{}/file", "deep".repeat(40));
        let _ = fs.create_dir_all(stowage_vfs::path::parent(&long), &meta);
        let _ = fs.write_file(&long, "canary\n", Metadata::file().with_mtime(CREATED));
        let _ = fs.write_file(
            "/srv/synthetic",
            Content::synthetic(70_000, 7),
            Metadata::new(0o755).with_mtime(CREATED),
        );
        let _ = fs.hard_link("/srv/synthetic", "/srv/hard");
        let _ = fs.symlink("/srv/link", "synthetic", Metadata::symlink());
        let mut layer = Layer::diff(&Fs::new(), &fs);
        layer
            .entries
            .insert("/srv/gone".to_owned(), LayerEntry::Whiteout);
        layer.opaque.insert("/srv".to_owned());
        let mut w = Sha256Writer::new();
        match write_tar(&layer, &TarOptions::default(), &mut w) {
            Ok(_) => w.finish().to_string(),
            Err(e) => e.to_string(),
        }
    })
}

/// The diff ID `diff_ids.txt` records for a fingerprint.
fn tabled_diff_id(fingerprint: &Digest) -> Option<Digest> {
    let key = fingerprint.to_string();
    DIFF_IDS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let mut fields = l.split_whitespace();
            (fields.next() == Some(key.as_str()))
                .then(|| fields.next()?.parse().ok())
                .flatten()
        })
}

/// The diff ID of `layer` tarred with `opts` when the table has it.
pub(crate) fn known_diff_id(layer: &Layer, opts: &TarOptions) -> Option<Digest> {
    if *opts != TarOptions::default() {
        return None;
    }
    tabled_diff_id(&layer_fingerprint(layer)?)
}

/// The simulated image resolver. Images are built on first use and memoised.
#[derive(Debug, Default)]
pub struct SimulatedImages {
    memo: BTreeMap<String, BaseImage>,
}

impl SimulatedImages {
    /// An empty catalogue.
    pub fn new() -> Self {
        Self::default()
    }
}

fn seed(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Builds trees of synthetic files.
struct Tree {
    fs: Fs,
    /// The directory the last [`Tree::dir`] made with mode `0o755`: the files of a `spread`
    /// share their parent, and making it again would change nothing.
    made: Option<String>,
}

impl Tree {
    fn new(fs: Fs) -> Self {
        Self { fs, made: None }
    }

    fn dir(&mut self, path: &str, mode: u32) {
        if mode == 0o755 && self.made.as_deref() == Some(path) {
            return;
        }
        self.made = (mode == 0o755).then(|| path.to_owned());
        let _ = self
            .fs
            .create_dir_all(path, &Metadata::dir().with_mtime(CREATED));
        let _ = self.fs.update_metadata(path, |m| m.mode = mode);
    }

    fn text(&mut self, path: &str, text: &str) {
        self.dir(stowage_vfs::path::parent(path), 0o755);
        let _ = self
            .fs
            .write_file(path, text, Metadata::file().with_mtime(CREATED));
    }

    fn file(&mut self, path: &str, size: u64, mode: u32) {
        self.dir(stowage_vfs::path::parent(path), 0o755);
        let _ = self.fs.write_file(
            path,
            Content::synthetic(size, seed(path)),
            Metadata::new(mode).with_mtime(CREATED),
        );
    }

    fn link(&mut self, path: &str, target: &str) {
        self.dir(stowage_vfs::path::parent(path), 0o755);
        let _ = self.fs.remove(path);
        // The removed path may have been (or held) the directory made last.
        self.made = None;
        let _ = self
            .fs
            .symlink(path, target, Metadata::symlink().with_mtime(CREATED));
    }

    /// `count` files under `dir` named `{prefix}{i}{suffix}` sharing `total` bytes.
    fn spread(&mut self, dir: &str, prefix: &str, suffix: &str, count: u64, total: u64, mode: u32) {
        for i in 0..count {
            // Vary sizes around the mean so listings look real.
            let mean = total / count.max(1);
            let size = mean / 2 + (seed(&format!("{dir}{i}")) % mean.max(1));
            self.file(&format!("{dir}/{prefix}{i}{suffix}"), size, mode);
        }
    }

    /// Fills up to `target` bytes in total with files in `dir`.
    fn pad_to(&mut self, dir: &str, target: u64) {
        let have = self.fs.total_size();
        if target > have {
            let rest = target - have;
            let count = (rest / (400 * 1024)).clamp(1, 400);
            let per = rest / count;
            for i in 0..count {
                self.file(&format!("{dir}/blob{i:03}.bin"), per, 0o644);
            }
        }
    }
}

fn skeleton(t: &mut Tree) {
    for d in [
        "/bin",
        "/dev",
        "/etc",
        "/home",
        "/lib",
        "/media",
        "/mnt",
        "/opt",
        "/proc",
        "/run",
        "/sbin",
        "/srv",
        "/sys",
        "/usr/bin",
        "/usr/lib",
        "/usr/local/bin",
        "/usr/local/lib",
        "/usr/sbin",
        "/usr/share",
        "/var/cache",
        "/var/lib",
        "/var/log",
    ] {
        t.dir(d, 0o755);
    }
    t.dir("/root", 0o700);
    t.dir("/tmp", 0o1777);
    t.dir("/var/tmp", 0o1777);
}

fn alpine_tree(version: &str) -> Fs {
    let mut t = Tree::new(Fs::new());
    skeleton(&mut t);
    t.file("/bin/busybox", 808_712, 0o755);
    for applet in [
        "sh", "ash", "ls", "cat", "cp", "mv", "rm", "mkdir", "chmod", "chown", "ln", "echo",
        "grep", "sed", "tar", "gzip", "vi", "ps", "sleep", "touch", "env", "id", "wget",
    ] {
        t.link(&format!("/bin/{applet}"), "/bin/busybox");
    }
    t.file("/lib/ld-musl-x86_64.so.1", 657_336, 0o755);
    t.link("/lib/libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1");
    t.file("/lib/libcrypto.so.3", 4_463_512, 0o755);
    t.file("/lib/libssl.so.3", 691_920, 0o755);
    t.file("/lib/libz.so.1.3.1", 99_920, 0o755);
    t.file("/sbin/apk", 67_464, 0o755);
    t.file("/usr/lib/libapk.so.2.14.0", 211_872, 0o755);
    t.file("/etc/ssl/certs/ca-certificates.crt", 219_342, 0o644);
    t.file("/usr/bin/scanelf", 67_400, 0o755);
    t.file("/usr/bin/ssl_client", 14_304, 0o755);
    t.text(
        "/etc/os-release",
        &format!("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID={version}.2\nPRETTY_NAME=\"Alpine Linux v{version}\"\n"),
    );
    t.text("/etc/alpine-release", &format!("{version}.2\n"));
    t.text(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\nbin:x:1:1:bin:/bin:/sbin/nologin\ndaemon:x:2:2:daemon:/sbin:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n",
    );
    t.text("/etc/group", "root:x:0:root\nbin:x:1:root,bin,daemon\ndaemon:x:2:root,bin,daemon\nnogroup:x:65533:\nnobody:x:65534:\n");
    t.text("/etc/shadow", "root:*::0:::::\nnobody:!::0:::::\n");
    t.text(
        "/etc/apk/world",
        "alpine-baselayout\nalpine-keys\napk-tools\nbusybox\nca-certificates-bundle\nlibc-utils\n",
    );
    t.text(
        "/etc/apk/repositories",
        &format!("https://dl-cdn.alpinelinux.org/alpine/v{version}/main\nhttps://dl-cdn.alpinelinux.org/alpine/v{version}/community\n"),
    );
    t.text("/lib/apk/db/installed", "P:busybox\nV:1.36.1-r29\nR:bin/busybox\n\nP:musl\nV:1.2.5-r0\nR:lib/ld-musl-x86_64.so.1\n\n");
    t.dir("/var/cache/apk", 0o755);
    t.pad_to("/usr/share/apk/keys", 7_800_000);
    t.fs
}

fn busybox_tree() -> Fs {
    let mut t = Tree::new(Fs::new());
    for d in [
        "/bin",
        "/dev",
        "/etc",
        "/home",
        "/lib",
        "/usr/sbin",
        "/var/spool/mail",
        "/var/www",
    ] {
        t.dir(d, 0o755);
    }
    t.dir("/root", 0o700);
    t.dir("/tmp", 0o1777);
    t.file("/bin/busybox", 1_131_168, 0o755);
    for applet in [
        "sh", "ls", "cat", "cp", "mv", "rm", "mkdir", "chmod", "chown", "ln", "echo", "grep",
        "sed", "tar", "vi", "sleep", "touch", "env", "id", "wget", "true", "false",
    ] {
        let _ = t.fs.hard_link("/bin/busybox", &format!("/bin/{applet}"));
    }
    t.text(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n",
    );
    t.text("/etc/group", "root:x:0:\nnogroup:x:65534:\n");
    t.pad_to("/lib", 4_260_000);
    t.fs
}

fn debian_tree(codename: &str, slim: bool, ubuntu: bool) -> Fs {
    let mut t = Tree::new(Fs::new());
    skeleton(&mut t);
    t.link("/bin", "usr/bin");
    t.link("/lib", "usr/lib");
    t.link("/sbin", "usr/sbin");
    t.link("/lib64", "usr/lib64");
    for b in [
        "bash", "cat", "chmod", "chown", "cp", "date", "dd", "df", "echo", "grep", "gzip", "ln",
        "ls", "mkdir", "mv", "rm", "sed", "sh", "sleep", "tar", "touch", "uname", "find", "xargs",
        "sort", "head", "tail", "id", "env", "apt", "apt-get", "dpkg", "perl", "tr",
    ] {
        let size = 30_000 + seed(b) % 150_000;
        t.file(
            &format!("/usr/bin/{b}"),
            if b == "bash" { 1_265_648 } else { size },
            0o755,
        );
    }
    t.link("/usr/bin/sh", "dash");
    t.file("/usr/bin/dash", 125_640, 0o755);
    t.file("/usr/lib/x86_64-linux-gnu/libc.so.6", 1_922_136, 0o755);
    t.file(
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30",
        2_190_440,
        0o644,
    );
    t.file("/usr/lib/x86_64-linux-gnu/libcrypto.so.3", 4_709_656, 0o644);
    t.file(
        "/usr/lib/x86_64-linux-gnu/libsystemd.so.0.35.0",
        904_176,
        0o644,
    );
    t.file(
        "/usr/lib/x86_64-linux-gnu/libapt-pkg.so.6.0.0",
        1_941_336,
        0o644,
    );
    t.file("/usr/lib64/ld-linux-x86-64.so.2", 210_968, 0o755);
    t.spread(
        "/usr/lib/x86_64-linux-gnu",
        "libsim",
        ".so.1",
        60,
        14_000_000,
        0o644,
    );
    t.spread(
        "/usr/lib/x86_64-linux-gnu/perl-base",
        "module",
        ".pm",
        40,
        6_000_000,
        0o644,
    );
    let (id, name) = if ubuntu {
        ("ubuntu", "Ubuntu")
    } else {
        ("debian", "Debian GNU/Linux")
    };
    t.text(
        "/etc/os-release",
        &format!("PRETTY_NAME=\"{name}\"\nNAME=\"{name}\"\nID={id}\nVERSION_CODENAME={codename}\n"),
    );
    t.text(
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
    );
    t.text(
        "/etc/group",
        "root:x:0:\ndaemon:x:1:\nbin:x:2:\nwww-data:x:33:\nstaff:x:50:\nnogroup:x:65534:\n",
    );
    t.text("/etc/shadow", "root:*:19000:0:99999:7:::\n");
    t.text(
        "/etc/apt/apt.conf.d/docker-clean",
        "DPkg::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true\"; };\nDir::Cache::pkgcache \"\";\nDir::Cache::srcpkgcache \"\";\n",
    );
    t.dir("/var/lib/apt/lists/partial", 0o700);
    t.dir("/var/cache/apt/archives/partial", 0o700);
    let mut status = String::new();
    for p in [
        "base-files",
        "bash",
        "coreutils",
        "dash",
        "dpkg",
        "apt",
        "libc6",
        "perl-base",
        "tar",
    ] {
        let _ = write!(status, "Package: {p}\nStatus: install ok installed\n\n");
    }
    t.text("/var/lib/dpkg/status", &status);
    t.spread("/var/lib/dpkg/info", "pkg", ".list", 90, 400_000, 0o644);
    let target = match (ubuntu, slim) {
        (true, _) => 78_100_000,
        (false, true) => 74_800_000,
        (false, false) => 117_000_000,
    };
    if !slim && !ubuntu {
        t.spread("/usr/share/doc", "doc", ".gz", 120, 9_000_000, 0o644);
        t.spread(
            "/usr/share/locale",
            "messages",
            ".mo",
            80,
            12_000_000,
            0o644,
        );
        t.spread("/usr/share/man/man1", "page", ".1.gz", 80, 2_500_000, 0o644);
    }
    t.pad_to("/usr/share/zoneinfo-sim", target);
    t.fs
}

/// A layer on top of `base`: `f` adds files; returns the new tree.
fn add_layer(base: &Fs, f: impl FnOnce(&mut Tree)) -> Fs {
    let mut t = Tree::new(base.clone());
    f(&mut t);
    t.fs
}

fn config(env: &[(&str, &str)], cmd: &[&str]) -> ImageConfig {
    let mut c = ImageConfig::new("linux", "amd64");
    c.config
        .env
        .push("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_owned());
    for (k, v) in env {
        c.config.set_env(k, v);
    }
    c.config.cmd = cmd.iter().map(|s| (*s).to_owned()).collect();
    c.config
        .labels
        .insert("org.stowage.simulated".to_owned(), "true".to_owned());
    c.created = Some(stowage_oci::config::rfc3339(CREATED));
    c
}

fn created() -> Option<String> {
    CREATED_RFC
        .get_or_init(|| stowage_oci::config::rfc3339(CREATED))
        .clone()
        .into()
}

static CREATED_RFC: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn parse_ref(reference: &str) -> (String, String) {
    let r = reference.split('@').next().unwrap_or(reference);
    let r = r
        .trim_start_matches("docker.io/")
        .trim_start_matches("library/");
    let (name, tag) = match r.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t),
        _ => (r, "latest"),
    };
    (name.to_lowercase(), tag.to_owned())
}

/// What to build for a reference: steps of (tree, history entries).
struct Recipe {
    steps: Vec<(Fs, Vec<History>)>,
    config: ImageConfig,
}

fn version_of(tag: &str, default: &str) -> String {
    let v: String = tag
        .split('-')
        .next()
        .unwrap_or("")
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    if v.is_empty() { default.to_owned() } else { v }
}

fn recipe(name: &str, tag: &str) -> Option<Recipe> {
    let alpine = tag.contains("alpine");
    let slim = tag.contains("slim");
    let c = created();
    let base_history = |what: &str| {
        vec![History {
            created: c.clone(),
            created_by: Some(format!(
                "/bin/sh -c #(nop) ADD file:{} in / ",
                &Digest::sha256(what.as_bytes()).encoded()[..16]
            )),
            ..History::default()
        }]
    };
    let cmd_history = |cmd: &[&str]| {
        buildkit::metadata(c.as_deref(), &format!("CMD {}", buildkit::quoted_list(cmd)))
    };
    let os_base = |alpine: bool, slim: bool| -> (Fs, Vec<History>) {
        if alpine {
            (alpine_tree("3.20"), base_history("alpine"))
        } else {
            (
                debian_tree("bookworm", slim, false),
                base_history(if slim { "bookworm-slim" } else { "bookworm" }),
            )
        }
    };
    Some(match name {
        "busybox" => Recipe {
            steps: vec![(busybox_tree(), base_history("busybox"))],
            config: config(&[], &["sh"]),
        },
        "alpine" => {
            let v = version_of(tag, "3.20");
            let mut h = base_history("alpine");
            h.push(cmd_history(&["/bin/sh"]));
            Recipe {
                steps: vec![(alpine_tree(&v), h)],
                config: config(&[], &["/bin/sh"]),
            }
        }
        "debian" => {
            let codename = match tag.split('-').next().unwrap_or("") {
                "11" | "bullseye" => "bullseye",
                _ => "bookworm",
            };
            let mut h = base_history(tag);
            h.push(cmd_history(&["bash"]));
            Recipe {
                steps: vec![(debian_tree(codename, slim, false), h)],
                config: config(&[], &["bash"]),
            }
        }
        "ubuntu" => {
            let codename = match tag {
                "22.04" | "jammy" => "jammy",
                "20.04" | "focal" => "focal",
                _ => "noble",
            };
            let mut h = base_history(tag);
            h.push(cmd_history(&["/bin/bash"]));
            Recipe {
                steps: vec![(debian_tree(codename, true, true), h)],
                config: config(&[], &["/bin/bash"]),
            }
        }
        "node" => {
            let v = version_of(tag, "20");
            let full = format!("{v}.15.1");
            let (base, bh) = os_base(alpine, slim || alpine);
            let target: u64 = if alpine {
                135_000_000
            } else if slim {
                200_000_000
            } else {
                1_100_000_000
            };
            let mut steps = vec![(base.clone(), bh)];
            let mut h = vec![buildkit::metadata(
                c.as_deref(),
                &format!("ENV NODE_VERSION={full}"),
            )];
            h.push(buildkit::run(c.as_deref(), &[], &["/bin/sh", "-c", "set -ex; curl -fsSLO https://nodejs.org/dist/...; tar -xJf node.tar.xz -C /usr/local"]));
            let node = add_layer(&base, |t| {
                t.file("/usr/local/bin/node", 96_000_000, 0o755);
                t.link(
                    "/usr/local/bin/npm",
                    "../lib/node_modules/npm/bin/npm-cli.js",
                );
                t.link(
                    "/usr/local/bin/npx",
                    "../lib/node_modules/npm/bin/npx-cli.js",
                );
                t.spread(
                    "/usr/local/lib/node_modules/npm/lib",
                    "npm",
                    ".js",
                    120,
                    9_000_000,
                    0o644,
                );
                t.text(
                    "/usr/local/lib/node_modules/npm/bin/npm-cli.js",
                    "#!/usr/bin/env node\n",
                );
                t.text(
                    "/usr/local/bin/docker-entrypoint.sh",
                    "#!/bin/sh\nset -e\nexec \"$@\"\n",
                );
                let _ =
                    t.fs.update_metadata("/usr/local/bin/docker-entrypoint.sh", |m| m.mode = 0o755);
                if !alpine && !slim {
                    t.spread(
                        "/usr/lib/gcc/x86_64-linux-gnu/12",
                        "cc1-part",
                        ".o",
                        40,
                        180_000_000,
                        0o755,
                    );
                    t.spread("/usr/include", "header", ".h", 200, 40_000_000, 0o644);
                    t.file("/usr/bin/git", 4_200_000, 0o755);
                    t.file("/usr/bin/gcc", 1_200_000, 0o755);
                    t.file("/usr/bin/make", 260_000, 0o755);
                }
                t.pad_to("/usr/local/share/sim-node", target);
            });
            h.push(buildkit::metadata(
                c.as_deref(),
                "ENTRYPOINT [\"docker-entrypoint.sh\"]",
            ));
            h.push(cmd_history(&["node"]));
            steps.push((node, h));
            let mut cfg = config(
                &[("NODE_VERSION", &full), ("YARN_VERSION", "1.22.22")],
                &["node"],
            );
            cfg.config.entrypoint = vec!["docker-entrypoint.sh".to_owned()];
            Recipe { steps, config: cfg }
        }
        "python" => {
            let v = version_of(tag, "3.12");
            let mm: String = v.split('.').take(2).collect::<Vec<_>>().join(".");
            let full = format!("{mm}.4");
            let (base, bh) = os_base(alpine, slim || alpine);
            let target: u64 = if alpine {
                57_000_000
            } else if slim {
                130_000_000
            } else {
                1_020_000_000
            };
            let mut steps = vec![(base.clone(), bh)];
            let mut h = vec![
                buildkit::metadata(
                    c.as_deref(),
                    "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                ),
                buildkit::metadata(c.as_deref(), "ENV LANG=C.UTF-8"),
                buildkit::metadata(c.as_deref(), &format!("ENV PYTHON_VERSION={full}")),
            ];
            h.push(buildkit::run(
                c.as_deref(),
                &[],
                &[
                    "/bin/sh",
                    "-c",
                    "set -eux; wget -O python.tar.xz ...; ./configure; make -j; make install",
                ],
            ));
            let py = add_layer(&base, |t| {
                t.file(&format!("/usr/local/bin/python{mm}"), 17_000, 0o755);
                t.link("/usr/local/bin/python3", &format!("python{mm}"));
                t.link("/usr/local/bin/python", "python3");
                t.text(
                    "/usr/local/bin/pip",
                    "#!/usr/local/bin/python\nimport pip\n",
                );
                let _ =
                    t.fs.update_metadata("/usr/local/bin/pip", |m| m.mode = 0o755);
                t.link("/usr/local/bin/pip3", "pip");
                t.file(
                    &format!("/usr/local/lib/libpython{mm}.so.1.0"),
                    if alpine || slim {
                        9_000_000
                    } else {
                        25_000_000
                    },
                    0o755,
                );
                t.spread(
                    &format!("/usr/local/lib/python{mm}"),
                    "stdlib",
                    ".py",
                    150,
                    if alpine || slim {
                        22_000_000
                    } else {
                        30_000_000
                    },
                    0o644,
                );
                t.spread(
                    &format!("/usr/local/lib/python{mm}/site-packages/pip"),
                    "pip",
                    ".py",
                    40,
                    if alpine { 6_000_000 } else { 11_000_000 },
                    0o644,
                );
                if !alpine && !slim {
                    t.spread(
                        "/usr/lib/gcc/x86_64-linux-gnu/12",
                        "cc1-part",
                        ".o",
                        40,
                        180_000_000,
                        0o755,
                    );
                    t.spread("/usr/include", "header", ".h", 200, 40_000_000, 0o644);
                    t.file("/usr/bin/git", 4_200_000, 0o755);
                    t.file("/usr/bin/gcc", 1_200_000, 0o755);
                }
                t.pad_to("/usr/local/share/sim-python", target);
            });
            h.push(cmd_history(&["python3"]));
            steps.push((py, h));
            let cfg = config(
                &[
                    ("LANG", "C.UTF-8"),
                    ("PYTHON_VERSION", &full),
                    (
                        "PATH",
                        "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
                    ),
                ],
                &["python3"],
            );
            Recipe { steps, config: cfg }
        }
        "golang" => {
            let v = version_of(tag, "1.22");
            let full = format!("{v}.5");
            let (base, bh) = os_base(alpine, alpine);
            let target: u64 = if alpine { 230_000_000 } else { 810_000_000 };
            let mut steps = vec![(base.clone(), bh)];
            let mut h = vec![buildkit::metadata(
                c.as_deref(),
                &format!("ENV GOLANG_VERSION={full}"),
            )];
            h.push(buildkit::run(
                c.as_deref(),
                &[],
                &[
                    "/bin/sh",
                    "-c",
                    "set -eux; wget -O go.tgz ...; tar -C /usr/local -xzf go.tgz",
                ],
            ));
            let go = add_layer(&base, |t| {
                t.file("/usr/local/go/bin/go", 14_500_000, 0o755);
                t.file("/usr/local/go/bin/gofmt", 3_400_000, 0o755);
                t.spread(
                    "/usr/local/go/pkg/tool/linux_amd64",
                    "tool",
                    "",
                    20,
                    60_000_000,
                    0o755,
                );
                t.spread("/usr/local/go/src", "pkg", ".go", 300, 80_000_000, 0o644);
                t.dir("/go/bin", 0o777);
                t.dir("/go/src", 0o777);
                if !alpine {
                    t.spread(
                        "/usr/lib/gcc/x86_64-linux-gnu/12",
                        "cc1-part",
                        ".o",
                        40,
                        180_000_000,
                        0o755,
                    );
                    t.file("/usr/bin/git", 4_200_000, 0o755);
                    t.file("/usr/bin/gcc", 1_200_000, 0o755);
                }
                t.pad_to("/usr/local/go/pkg/sim", target);
            });
            h.push(buildkit::metadata(c.as_deref(), "ENV GOPATH=/go"));
            h.push(buildkit::metadata(c.as_deref(), "WORKDIR /go"));
            steps.push((go, h));
            let mut cfg = config(
                &[
                    ("GOLANG_VERSION", &full),
                    ("GOTOOLCHAIN", "local"),
                    ("GOPATH", "/go"),
                    (
                        "PATH",
                        "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    ),
                ],
                &[],
            );
            "/go".clone_into(&mut cfg.config.working_dir);
            Recipe { steps, config: cfg }
        }
        "nginx" => {
            let (base, bh) = os_base(alpine, true);
            let target: u64 = if alpine { 43_000_000 } else { 188_000_000 };
            let mut steps = vec![(base.clone(), bh)];
            let mut h = vec![buildkit::metadata(c.as_deref(), "ENV NGINX_VERSION=1.27.0")];
            h.push(buildkit::run(
                c.as_deref(),
                &[],
                &[
                    "/bin/sh",
                    "-c",
                    "set -x && apt-get update && apt-get install nginx ...",
                ],
            ));
            let ngx = add_layer(&base, |t| {
                t.file("/usr/sbin/nginx", 1_500_000, 0o755);
                t.text("/etc/nginx/nginx.conf", "user nginx;\nworker_processes auto;\nevents { worker_connections 1024; }\nhttp { include /etc/nginx/conf.d/*.conf; }\n");
                t.text("/etc/nginx/conf.d/default.conf", "server {\n    listen 80;\n    location / { root /usr/share/nginx/html; index index.html; }\n}\n");
                t.text(
                    "/usr/share/nginx/html/index.html",
                    "<!DOCTYPE html>\n<title>Welcome to nginx!</title>\n",
                );
                t.text("/docker-entrypoint.sh", "#!/bin/sh\nset -e\nexec \"$@\"\n");
                let _ =
                    t.fs.update_metadata("/docker-entrypoint.sh", |m| m.mode = 0o755);
                t.dir("/var/cache/nginx", 0o755);
                t.link("/var/log/nginx/access.log", "/dev/stdout");
                t.link("/var/log/nginx/error.log", "/dev/stderr");
                t.pad_to("/usr/lib/nginx/modules", target);
            });
            h.push(buildkit::metadata(
                c.as_deref(),
                "ENTRYPOINT [\"/docker-entrypoint.sh\"]",
            ));
            h.push(buildkit::metadata(c.as_deref(), "EXPOSE map[80/tcp:{}]"));
            h.push(buildkit::metadata(c.as_deref(), "STOPSIGNAL SIGQUIT"));
            h.push(cmd_history(&["nginx", "-g", "daemon off;"]));
            steps.push((ngx, h));
            let mut cfg = config(
                &[("NGINX_VERSION", "1.27.0")],
                &["nginx", "-g", "daemon off;"],
            );
            cfg.config.entrypoint = vec!["/docker-entrypoint.sh".to_owned()];
            cfg.config
                .exposed_ports
                .insert("80/tcp".to_owned(), stowage_oci::config::Empty {});
            "SIGQUIT".clone_into(&mut cfg.config.stop_signal);
            Recipe { steps, config: cfg }
        }
        _ => return None,
    })
}

/// Builds a simulated image for `name:tag`.
pub fn simulated_image(reference: &str) -> Option<BaseImage> {
    let (name, tag) = parse_ref(reference);
    let recipe = recipe(&name, &tag)?;
    let mut layers: Vec<LayerRef> = Vec::new();
    let mut prev = Fs::new();
    let mut history = Vec::new();
    for (tree, h) in recipe.steps {
        let layer = Layer::diff(&prev, &tree);
        let lref = layer_ref(layer, &TarOptions::default()).ok()?;
        layers.push(lref);
        history.extend(h);
        prev = tree;
    }
    let mut config = recipe.config;
    config.history = history;
    config.rootfs.diff_ids = layers.iter().map(|l| l.diff_id.clone()).collect();
    // Keep the spec rule: as many non-empty history entries as layers.
    let non_empty = config.history.iter().filter(|h| !h.empty_layer).count();
    if non_empty != layers.len() {
        config.history.retain(|h| h.empty_layer);
        for _ in 0..layers.len() {
            config.history.insert(
                0,
                History {
                    created: created(),
                    created_by: Some("/bin/sh -c #(nop) ADD file:simulated in / ".to_owned()),
                    ..History::default()
                },
            );
        }
    }
    let bytes = json::to_vec(&config).ok()?;
    Some(BaseImage {
        reference: format!("{name}:{tag}"),
        digest: Digest::sha256(&bytes),
        config,
        layers,
        rootfs: prev,
        simulated: true,
    })
}

impl ImageResolver for SimulatedImages {
    fn resolve(
        &mut self,
        reference: &str,
        _platform: &Platform,
    ) -> Result<BaseImage, ResolveError> {
        let (name, tag) = parse_ref(reference);
        let key = format!("{name}:{tag}");
        if let Some(img) = self.memo.get(&key) {
            return Ok(img.clone());
        }
        let img = simulated_image(reference).ok_or_else(|| ResolveError::NotFound {
            reference: reference.to_owned(),
            hint: format!(
                "pull access denied, repository does not exist or may require 'docker login' (the simulator has {})",
                IMAGES[1..].join(", ")
            ),
        })?;
        self.memo.insert(key, img.clone());
        Ok(img)
    }
}
