FROM golang:1.22-bookworm AS tools
RUN go install github.com/golangci/golangci-lint/cmd/golangci-lint@v1.59.1
RUN go install github.com/swaggo/swag/cmd/swag@latest
RUN go get github.com/stretchr/testify
WORKDIR /src
COPY . .
RUN go build -trimpath -o /out/server ./cmd/server

FROM alpine:3.20
RUN apk add --no-cache ca-certificates=20240705-r0 tzdata
COPY --from=tools /out/server /usr/local/bin/server
COPY --from=tools /go/bin/swag /usr/local/bin/swag
RUN adduser -D -u 10001 app
USER app
HEALTHCHECK CMD wget -q -O- http://localhost:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/server"]
