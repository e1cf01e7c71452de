ARG GO_VERSION=1.22
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
COPY . .
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/tool .

FROM --platform=linux/amd64 debian:12-slim AS amd64-helper
RUN apt-get update && apt-get install -y --no-install-recommends file=1:5.44-3 && rm -rf /var/lib/apt/lists/*

FROM --platform=$TARGETPLATFORM alpine:3.20
COPY --from=build /out/tool /usr/local/bin/tool
COPY --from=amd64-helper /usr/bin/file /usr/bin/file
ENV API_TOKEN=""
ARG DB_PASSWORD
USER nobody
ENTRYPOINT ["tool"]
