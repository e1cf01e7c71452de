//! A 20-step Dockerfile over a 10,000-file / 50 MB context: the first simulated build (empty
//! cache, base image already resolved) and a fully cached rebuild.
#![expect(clippy::unwrap_used, reason = "benchmark setup")]

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use stowage_build::{
    BuildRequest, Engine, FixedClock, Host, NoEvents, NoFetcher, SimulatedExecutor, SimulatedImages,
};
use stowage_vfs::{Fs, Metadata};

const DOCKERFILE: &str = r#"FROM alpine:3.20
ARG VERSION=1
ENV APP_HOME=/app
LABEL org.example.team=platform
WORKDIR /app
RUN apk add --no-cache curl tini
COPY requirements.txt .
RUN mkdir -p /app/data && echo ready > /app/data/ready
RUN adduser -D -u 1000 app
COPY src/module000 ./src/module000
COPY . .
RUN echo "$VERSION" > /app/version && ls /app > /app/listing
RUN chown -R app:app /app/data
ENV PORT=8000
EXPOSE 8000
USER app
HEALTHCHECK CMD wget -q -O- http://localhost:8000/ || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/sbin/tini", "--"]
CMD ["main.py"]
"#;

/// 100 directories × 100 files of about 5 KB (real bytes): 10,000 files, 50 MB.
fn context() -> Fs {
    let mut fs = Fs::new();
    fs.write_file("/requirements.txt", "flask\n", Metadata::file())
        .unwrap();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for d in 0..100 {
        let dir = format!("/src/module{d:03}");
        fs.create_dir_all(&dir, &Metadata::dir()).unwrap();
        for f in 0..100 {
            let size = 5_000 + (d * 100 + f) % 400;
            let bytes: Vec<u8> = (0..size)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state & 0xff) as u8
                })
                .collect();
            fs.write_file(
                &format!("{dir}/file{f:03}.py"),
                bytes,
                Metadata::file().with_mtime(1_700_000_000),
            )
            .unwrap();
        }
    }
    fs
}

fn build(engine: &mut Engine, images: &mut SimulatedImages, ctx: &Fs) -> bool {
    let mut req = BuildRequest::new(DOCKERFILE, ctx);
    req.source_date_epoch = Some(1_700_000_000);
    req.tags.push("bench:latest".into());
    let mut host = Host {
        images,
        executor: &mut SimulatedExecutor,
        fetcher: &mut NoFetcher,
        clock: &mut FixedClock::default(),
        events: &mut NoEvents,
    };
    engine.build(&req, &mut host).success()
}

fn bench(c: &mut Criterion) {
    let ctx = context();
    let mut images = SimulatedImages::new();
    // Resolve (simulate the pull of) the base image once.
    assert!(build(&mut Engine::new(), &mut images, &ctx));
    let mut group = c.benchmark_group("build-20-steps-10k-files-50MB");
    group.sample_size(10);
    group.bench_function("first build", |b| {
        b.iter_batched(
            Engine::new,
            |mut engine| assert!(build(&mut engine, &mut images, &ctx)),
            BatchSize::LargeInput,
        );
    });
    let mut engine = Engine::new();
    assert!(build(&mut engine, &mut images, &ctx));
    group.bench_function("cached rebuild", |b| {
        b.iter(|| assert!(build(&mut engine, &mut images, &ctx)));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
