//! Parser throughput: a ~10 MB realistic Dockerfile, and many small real-world-shaped files.
//!
//! Targets (native): >= 150 MB/s on the big file, <= 10 µs per typical 1.6 KB file. For scale,
//! BuildKit's Go parser does about 7 MB/s (about 220 µs per small file) on this kind of machine.
//!
//! "drop excluded" times the parse alone (criterion's `iter_with_large_drop`): freeing a 10 MB
//! file's tree is the caller's cost, and glibc may hand the memory back to the kernel between
//! iterations, so the next parse pays page faults again.
//!
//! Run: `cargo bench -p stowage-syntax --bench parse`.

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// One realistic stage: ARGs, `FROM --platform ... AS`, multi-line LABEL/ENV, an apt-get RUN
/// with continuations, cache mounts, a RUN heredoc, a COPY heredoc, JSON forms.
fn stage(i: usize) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"# syntax=docker/dockerfile:1
ARG BASE_IMAGE=debian:bookworm-slim
ARG VERSION_{i}=1.{i}.0
FROM --platform=$BUILDPLATFORM ${{BASE_IMAGE}} AS build{i}
LABEL org.opencontainers.image.title="service-{i}" \
      org.opencontainers.image.version="${{VERSION_{i}}}" \
      maintainer="team-{i}@example.com"
ENV DEBIAN_FRONTEND=noninteractive \
    PATH=/opt/app/bin:$PATH \
    LANG=C.UTF-8
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       ca-certificates curl git build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked \
    --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \
    pip install --no-cache-dir -r /tmp/requirements.txt
RUN <<EOF
set -eux
echo "building {i}"
make -j"$(nproc)" all
EOF
COPY <<-'CONF' /etc/app/app.conf
	listen = 0.0.0.0:80{i:02}
	workers = 4
CONF
WORKDIR /src
COPY --chown=app:app --chmod=0644 . .
RUN ["/bin/sh", "-c", "make install PREFIX=/opt/app"]
FROM gcr.io/distroless/base-debian12
COPY --from=build{i} /opt/app /opt/app
EXPOSE 8080/tcp 9090
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=3s CMD ["/opt/app/bin/health"]
ENTRYPOINT ["/opt/app/bin/service"]
CMD ["--config", "/etc/app/app.conf"]

"#
    );
    s
}

fn big_file(target: usize) -> String {
    let mut out = String::with_capacity(target + 4096);
    let mut i = 0;
    while out.len() < target {
        out.push_str(&stage(i));
        i += 1;
    }
    out
}

/// A typical small Dockerfile (about 1.6 KB): one stage plus a few lines of the next.
fn small_file(i: usize) -> String {
    let two = format!("{}{}", stage(i), stage(i + 1));
    let cut = two[..1600].rfind('\n').unwrap_or(two.len() - 1);
    two[..=cut].to_owned()
}

fn bench(c: &mut Criterion) {
    let big = big_file(10 * 1024 * 1024);
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(big.len() as u64));
    group.sample_size(20);
    group.bench_function("raw nodes, 10 MB", |b| {
        b.iter(|| black_box(stowage_syntax::parse(black_box(&big))));
    });
    group.bench_function("raw nodes, 10 MB, drop excluded", |b| {
        b.iter_with_large_drop(|| stowage_syntax::parse(black_box(&big)));
    });
    group.bench_function("nodes + instructions, 10 MB", |b| {
        b.iter(|| black_box(stowage_syntax::Dockerfile::parse(black_box(&big))));
    });
    group.finish();

    let smalls: Vec<String> = (0..100).map(small_file).collect();
    let bytes: usize = smalls.iter().map(String::len).sum();
    let mut group = c.benchmark_group("small files");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(
        format!("100 files of ~{} B, raw nodes", bytes / smalls.len()),
        |b| {
            b.iter(|| {
                for s in &smalls {
                    black_box(stowage_syntax::parse(black_box(s)));
                }
            });
        },
    );
    group.bench_function("100 files, nodes + instructions", |b| {
        b.iter(|| {
            for s in &smalls {
                black_box(stowage_syntax::Dockerfile::parse(black_box(s)));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
