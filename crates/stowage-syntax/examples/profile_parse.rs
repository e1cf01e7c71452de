use std::fmt::Write;
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

fn main() {
    let big = big_file(2 * 1024 * 1024);
    for _ in 0..3 {
        std::hint::black_box(stowage_syntax::parse(&big));
    }
}
