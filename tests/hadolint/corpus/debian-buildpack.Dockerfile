# syntax=docker/dockerfile:1
ARG DEBIAN_VERSION=bookworm
FROM debian:${DEBIAN_VERSION}-slim AS base
LABEL org.opencontainers.image.source="https://github.com/example/buildpack" \
      org.opencontainers.image.licenses="MIT"
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        ca-certificates \
        curl \
        git=1:2.39.5-0+deb12u1 \
        gnupg \
    && rm -rf /var/lib/apt/lists/*

FROM base AS tools
RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
RUN apt-get install -y nodejs
RUN wget -O /usr/local/bin/jq https://github.com/jqlang/jq/releases/download/jq-1.7.1/jq-linux-amd64 && chmod +x /usr/local/bin/jq

FROM base
COPY --from=tools /usr/bin/node /usr/bin/node
COPY --from=tools /usr/local/bin/jq /usr/local/bin/jq
RUN groupadd -r builder && useradd -r -g builder -u 1001 builder
USER builder
WORKDIR /workspace
ENTRYPOINT ["/bin/bash", "-c"]
CMD ["echo ready"]
