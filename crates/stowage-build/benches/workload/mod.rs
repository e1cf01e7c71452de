//! The benchmark workload, shared by the native bench (`benches/build.rs`) and the browser one
//! (`tests/wasm.rs`): a 20-step Dockerfile over a 10,000-file / 50 MB context.

use stowage_build::{
    BuildRequest, BuildResult, Engine, FixedClock, Host, NoEvents, NoFetcher, SimulatedExecutor,
    SimulatedImages,
};
use stowage_vfs::{Fs, Metadata};

pub(crate) const DOCKERFILE: &str = r#"FROM alpine:3.20
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
pub(crate) fn context() -> Fs {
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

pub(crate) fn build(engine: &mut Engine, images: &mut SimulatedImages, ctx: &Fs) -> BuildResult {
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
    engine.build(&req, &mut host)
}
