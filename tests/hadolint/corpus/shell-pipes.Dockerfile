FROM debian:12
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://example.com/key.gpg | gpg --dearmor -o /usr/share/keyrings/example.gpg
RUN ln -sf /bin/bash /bin/sh
RUN wget -qO- https://example.com/install.sh | sh
RUN cd /tmp && curl -LO https://example.com/tool.zip && unzip tool.zip
FROM alpine:3.20 AS second
RUN wget https://example.com/x | tee /tmp/x
RUN apk add curl=8.9.1-r0 && curl -sSf https://example.com/y > /tmp/y
USER root
