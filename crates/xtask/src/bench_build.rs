//! `cargo xtask bench-build`: the real-build speed benchmark of issue 5.
//!
//! Generates a deterministic context (20,000 files, 200 MiB: mostly small source-like text
//! files in nested directories, some mid-sized data files and a few large ones), then times:
//!
//! 1. the floor, `tar -cf - . | openssl dgst -sha256` over the context;
//! 2. `stowage build` of `FROM <busybox base>` + `COPY . /app` + a `RUN`, first build into a
//!    store that holds only the base image;
//! 3. the unchanged rebuild (every step CACHED);
//! 4. `buildah bud --isolation chroot --layers` of the same Dockerfile (fresh buildah
//!    storage holding only the base), and its rebuild.
//!
//! Each run is timed with `/usr/bin/time`, which also gives the peak RSS. The busybox base
//! is built offline from Debian's `busybox-static` (as the CLI's real-build tests do) and
//! handed to buildah as an OCI archive that `stowage save` wrote. Needs root (RUN runs in
//! namespaces), `busybox-static`, `buildah` and `openssl`. Work files go to
//! `target/bench-build/`; the context is generated once and reused.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::{cargo, output, run};

/// Options from the command line.
#[derive(Debug)]
struct Options {
    files: usize,
    mib: u64,
    runs: usize,
    buildah: bool,
    /// A `stowage` binary to use instead of building `--release`.
    stowage: Option<PathBuf>,
}

fn parse_options(args: &[String]) -> Result<Options> {
    let mut o = Options {
        files: 20_000,
        mib: 200,
        runs: 3,
        buildah: true,
        stowage: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .with_context(|| format!("{name} needs a value"))
                .cloned()
        };
        match a.as_str() {
            "--files" => o.files = value("--files")?.parse()?,
            "--mib" => o.mib = value("--mib")?.parse()?,
            "--runs" => o.runs = value("--runs")?.parse()?,
            "--no-buildah" => o.buildah = false,
            "--stowage" => o.stowage = Some(PathBuf::from(value("--stowage")?)),
            other => bail!(
                "bench-build: unknown option {other} (--files N, --mib N, --runs N, --no-buildah, --stowage BIN)"
            ),
        }
    }
    if o.files == 0 || o.runs == 0 {
        bail!("bench-build: --files and --runs must be positive");
    }
    Ok(o)
}

/// One timed command: wall seconds and peak RSS in KiB.
#[derive(Clone, Copy, Debug)]
struct Sample {
    seconds: f64,
    max_rss_kib: u64,
}

/// Runs `cmd` under `/usr/bin/time`; fails when it fails (its output is shown then).
fn timed(work: &Path, label: &str, cmd: &[&str], cwd: &Path) -> Result<Sample> {
    let report = work.join("time.txt");
    let log = work.join(format!("{}.log", label.replace([' ', '/'], "-")));
    let out = std::fs::File::create(&log)?;
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(&report)
        .args(cmd)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .status()
        .context("starting /usr/bin/time (apt-get install time)")?;
    if !status.success() {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!("{label}: `{}` failed:\n{}", cmd.join(" "), tail.join("\n"));
    }
    let text = std::fs::read_to_string(&report)?;
    let line = text
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let mut parts = line.split_whitespace();
    let seconds = parts.next().and_then(|s| s.parse().ok());
    let rss = parts.next().and_then(|s| s.parse().ok());
    match (seconds, rss) {
        (Some(seconds), Some(max_rss_kib)) => Ok(Sample {
            seconds,
            max_rss_kib,
        }),
        _ => bail!("{label}: unexpected /usr/bin/time output {text:?}"),
    }
}

#[expect(clippy::cast_precision_loss, reason = "a size shown with one decimal")]
fn mib_of(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

/// A splitmix64 stream: deterministic content and sizes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "fn", "let", "mut", "impl", "struct", "return", "match", "self", "pub", "use", "crate",
    "String", "Vec", "Option", "Result", "value", "index", "config", "layer", "build", "=", "{",
    "}", "(", ")", ";", "->", "&", "::", "0", "1", "42", "if", "else", "for", "in", "while",
];

/// The relative path and size of file `i`, and whether it is text.
fn file_plan(i: usize, rng: &mut Rng) -> (String, u64, bool) {
    const TOPS: &[(&str, &str)] = &[
        ("src", "rs"),
        ("lib", "js"),
        ("tests", "py"),
        ("docs", "md"),
        ("assets", "bin"),
        ("vendor", "c"),
    ];
    let (top, ext) = TOPS[i % TOPS.len()];
    // About 40 files per leaf directory, two levels below the top.
    let leaf = i / 40;
    let path = format!(
        "{top}/pkg{:03}/mod{:02}/file{i:05}.{ext}",
        leaf / 10,
        leaf % 10
    );
    // Sizes: 80 % small (0.2–8 KiB), 18 % medium (8–64 KiB), 2 % large (0.25–4 MiB);
    // rescaled to the requested total afterwards.
    let roll = rng.below(100);
    let size = match roll {
        0..80 => 200 + rng.below(8 * 1024),
        80..98 => 8 * 1024 + rng.below(56 * 1024),
        _ => 256 * 1024 + rng.below(3840 * 1024),
    };
    (path, size, top != "assets")
}

fn fill(rng: &mut Rng, text: bool, size: usize, buf: &mut Vec<u8>) {
    buf.clear();
    if text {
        while buf.len() < size {
            let w = WORDS[rng.below(WORDS.len() as u64) as usize];
            buf.extend_from_slice(w.as_bytes());
            buf.push(if rng.below(9) == 0 { b'\n' } else { b' ' });
        }
        buf.truncate(size);
    } else {
        while buf.len() < size {
            buf.extend_from_slice(&rng.next().to_le_bytes());
        }
        buf.truncate(size);
    }
}

/// Writes the context unless a marker says it is there with these parameters.
fn generate_context(dir: &Path, files: usize, mib: u64) -> Result<()> {
    let marker = dir.join(".bench-context");
    let params = format!("files={files} mib={mib} v1\n");
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == params) {
        return Ok(());
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let mut rng = Rng(0x5709_A6E5);
    let plans: Vec<(String, u64, bool)> = (0..files).map(|i| file_plan(i, &mut rng)).collect();
    let raw: u64 = plans.iter().map(|p| p.1).sum();
    let want = mib << 20;
    let mut buf = Vec::new();
    let mut total = 0u64;
    for (n, (path, size, text)) in plans.iter().enumerate() {
        // Rescale to the total; the last file takes the rounding.
        let size = if n + 1 == plans.len() {
            want.saturating_sub(total)
        } else {
            u64::try_from(u128::from(*size) * u128::from(want) / u128::from(raw.max(1)))?
        };
        total += size;
        let p = dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        fill(&mut rng, *text, usize::try_from(size)?, &mut buf);
        std::fs::write(&p, &buf)?;
    }
    std::fs::write(dir.join(".dockerignore"), "*.tmp\n.bench-context\n")?;
    std::fs::write(&marker, params)?;
    println!(
        "bench-build: generated {files} files, {:.1} MiB in {}",
        mib_of(total),
        dir.display()
    );
    Ok(())
}

const BASE_DOCKERFILE: &str = "FROM scratch\nCOPY busybox /bin/busybox\n\
RUN [\"/bin/busybox\", \"mkdir\", \"-p\", \"/usr/bin\", \"/usr/sbin\", \"/sbin\", \"/tmp\", \"/root\", \"/etc\"]\n\
RUN [\"/bin/busybox\", \"--install\", \"-s\"]\n\
RUN printf 'root:x:0:0:root:/root:/bin/sh\\n' > /etc/passwd && printf 'root:x:0:\\n' > /etc/group && chmod 1777 /tmp\n\
CMD [\"/bin/sh\"]\n";

/// The benchmark's Dockerfile over base `from`.
fn app_dockerfile(from: &str) -> String {
    format!("FROM {from}\nCOPY . /app\nRUN ls /app > /app-listing.txt && du -s /app\n")
}

fn stowage_base(stowage: &Path, work: &Path) -> Result<PathBuf> {
    let base_dir = work.join("base");
    std::fs::create_dir_all(&base_dir)?;
    std::fs::copy("/bin/busybox", base_dir.join("busybox"))
        .context("/bin/busybox: install busybox-static (cargo xtask setup)")?;
    std::fs::write(base_dir.join("Dockerfile"), BASE_DOCKERFILE)?;
    let store = work.join("store-base");
    discard(work, &store)?;
    let s = |a: &[&str]| {
        run(Command::new(stowage)
            .arg("--root")
            .arg(&store)
            .args(a)
            .stdout(Stdio::null())
            .stderr(Stdio::null()))
    };
    s(&[
        "build",
        "-t",
        "busybox:static",
        "--progress",
        "plain",
        base_dir.to_str().context("utf-8 path")?,
    ])?;
    let archive = work.join("base.oci.tar");
    s(&[
        "save",
        "--format",
        "oci",
        "-o",
        archive.to_str().context("utf-8 path")?,
        "busybox:static",
    ])?;
    Ok(store)
}

/// Moves `dir` aside into `work/trash` (emptied at the end): ext4 allocates inodes slowly
/// for a while after mass deletions, which would land in the next timed build.
fn discard(work: &Path, dir: &Path) -> Result<()> {
    if dir.exists() {
        let trash = work.join("trash");
        std::fs::create_dir_all(&trash)?;
        let n = std::fs::read_dir(&trash)?.count();
        std::fs::rename(dir, trash.join(n.to_string()))?;
    }
    Ok(())
}

fn copy_dir(work: &Path, from: &Path, to: &Path) -> Result<()> {
    discard(work, to)?;
    run(Command::new("cp").arg("-a").arg(from).arg(to))
}

fn median(mut xs: Vec<Sample>) -> Sample {
    xs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    xs[xs.len() / 2]
}

/// `cargo xtask bench-build [--files N] [--mib N] [--runs N] [--no-buildah] [--stowage BIN]`.
pub(crate) fn bench_build(root: &Path, args: &[String]) -> Result<()> {
    let o = parse_options(args)?;
    let stowage = if let Some(bin) = &o.stowage {
        bin.canonicalize()
            .with_context(|| format!("--stowage {}", bin.display()))?
    } else {
        run(cargo().args(["build", "--release", "-p", "stowage-cli"]))?;
        root.join("target/release/stowage")
    };
    let work = root.join("target/bench-build");
    std::fs::create_dir_all(&work)?;
    let ctx = work.join("context");
    generate_context(&ctx, o.files, o.mib)?;
    let ctx_s = ctx.to_str().context("utf-8 path")?;
    let stowage_s = stowage.to_str().context("utf-8 path")?;

    let floor: Vec<Sample> = (0..o.runs)
        .map(|_| {
            timed(
                &work,
                "floor",
                &["sh", "-c", "tar -cf - . | openssl dgst -sha256 >/dev/null"],
                &ctx,
            )
        })
        .collect::<Result<_>>()?;
    let floor = median(floor);

    let base_store = stowage_base(&stowage, &work)?;
    let dockerfile = work.join("Dockerfile");
    std::fs::write(&dockerfile, app_dockerfile("busybox:static"))?;
    let df = dockerfile.to_str().context("utf-8 path")?;
    let store = work.join("store");
    let store_s = store.to_str().context("utf-8 path")?;
    let build = [
        stowage_s,
        "--root",
        store_s,
        "build",
        "--progress",
        "plain",
        "-t",
        "bench:latest",
        "-f",
        df,
        ctx_s,
    ];
    // The same without the RUN: what the context costs (the RUN writes the whole stage,
    // 20,000 files, to a scratch root filesystem first).
    let copy_only = work.join("Dockerfile.copy");
    std::fs::write(&copy_only, "FROM busybox:static\nCOPY . /app\n")?;
    let copy_only = copy_only.to_str().context("utf-8 path")?;
    let mut build_copy = build;
    build_copy[9] = copy_only;
    let mut firsts = Vec::new();
    let mut rebuilds = Vec::new();
    let mut copies = Vec::new();
    for _ in 0..o.runs {
        copy_dir(&work, &base_store, &store)?;
        sync();
        firsts.push(timed(&work, "stowage first", &build, &work)?);
        rebuilds.push(timed(&work, "stowage rebuild", &build, &work)?);
        copy_dir(&work, &base_store, &store)?;
        sync();
        copies.push(timed(&work, "stowage copy-only", &build_copy, &work)?);
    }
    let log = std::fs::read_to_string(work.join("stowage-rebuild.log")).unwrap_or_default();
    if log.matches("CACHED").count() < 2 {
        bail!("the stowage rebuild was not all CACHED:\n{log}");
    }
    let mut report = String::new();
    let line = |r: &mut String, name: &str, s: Sample, note: &str| {
        let _ = writeln!(
            r,
            "{name:<34} {:>8.2} s {:>9.1} MiB peak RSS  {note}",
            s.seconds,
            mib_of(s.max_rss_kib << 10)
        );
    };
    let _ = writeln!(
        report,
        "context: {} files, {} MiB (median of {} runs)",
        o.files, o.mib, o.runs
    );
    line(&mut report, "floor: tar | openssl dgst -sha256", floor, "");
    let first = median(firsts);
    let rebuild = median(rebuilds);
    line(
        &mut report,
        "stowage build (first, fresh store)",
        first,
        &format!("{:.2}× floor (target ≤ 2×)", first.seconds / floor.seconds),
    );
    line(
        &mut report,
        "stowage build (unchanged rebuild)",
        rebuild,
        "(target ≤ 0.3 s)",
    );
    let copy = median(copies);
    line(
        &mut report,
        "stowage build, COPY only (first)",
        copy,
        &format!("{:.2}× floor", copy.seconds / floor.seconds),
    );

    if o.buildah {
        if output("buildah", &["--version"]).is_none() {
            bail!("buildah is not installed (cargo xtask setup, or --no-buildah)");
        }
        let bdir = work.join("buildah");
        let archive = work.join("base.oci.tar");
        let mut firsts = Vec::new();
        let mut rebuilds = Vec::new();
        let bdf = work.join("Dockerfile.buildah");
        std::fs::write(&bdf, app_dockerfile("localhost/bench-base:latest"))?;
        let bdf_s = bdf.to_str().context("utf-8 path")?;
        for _ in 0..o.runs {
            if bdir.exists() {
                // Layers of the vfs/overlay driver may be mounted; buildah cleans up itself.
                let _ = buildah(&bdir, &["rm", "--all"]);
                let _ = buildah(&bdir, &["rmi", "--all", "--force"]);
                let _ = Command::new("umount")
                    .arg("-R")
                    .arg(bdir.join("root"))
                    .stderr(Stdio::null())
                    .status();
                discard(&work, &bdir)?;
            }
            std::fs::create_dir_all(&bdir)?;
            buildah(
                &bdir,
                &[
                    "pull",
                    "--quiet",
                    &format!("oci-archive:{}", archive.display()),
                ],
            )?;
            let images = buildah(&bdir, &["images", "--quiet"])?;
            let id = images.lines().next().context("the base in buildah")?.trim();
            buildah(&bdir, &["tag", id, "localhost/bench-base:latest"])?;
            sync();
            let root_s = bdir.join("root");
            let runroot = bdir.join("runroot");
            let cmd = [
                "buildah",
                "--root",
                root_s.to_str().context("utf-8")?,
                "--runroot",
                runroot.to_str().context("utf-8")?,
                "bud",
                "--isolation",
                "chroot",
                "--layers",
                "-t",
                "bench:latest",
                "-f",
                bdf_s,
                ctx_s,
            ];
            firsts.push(timed(&work, "buildah first", &cmd, &work)?);
            rebuilds.push(timed(&work, "buildah rebuild", &cmd, &work)?);
        }
        let bfirst = median(firsts);
        let brebuild = median(rebuilds);
        line(
            &mut report,
            "buildah bud --layers (first)",
            bfirst,
            &format!("stowage is {:.1}× faster", bfirst.seconds / first.seconds),
        );
        line(&mut report, "buildah bud --layers (rebuild)", brebuild, "");
        let driver =
            buildah(&bdir, &["info", "--format", "{{.store.GraphDriverName}}"]).unwrap_or_default();
        let _ = writeln!(report, "buildah storage driver: {}", driver.trim());
        let _ = buildah(&bdir, &["rm", "--all"]);
        let _ = buildah(&bdir, &["rmi", "--all", "--force"]);
    }
    let trash = work.join("trash");
    if trash.exists() {
        std::fs::remove_dir_all(&trash)?;
    }
    print!("{report}");
    std::io::stdout().flush()?;
    std::fs::write(work.join("report.txt"), report)?;
    Ok(())
}

fn buildah(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("buildah")
        .arg("--root")
        .arg(dir.join("root"))
        .arg("--runroot")
        .arg(dir.join("runroot"))
        .args(args)
        .output()
        .context("starting buildah")?;
    if !out.status.success() {
        bail!(
            "buildah {args:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Flushes dirty pages so one run's writeback does not land in the next one's time.
fn sync() {
    let _ = Command::new("sync").status();
}
