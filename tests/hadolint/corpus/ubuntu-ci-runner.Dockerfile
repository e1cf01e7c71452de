FROM ubuntu:22.04
ARG DEBIAN_FRONTEND=noninteractive
ARG RUNNER_VERSION=2.317.0
RUN apt-get update && apt-get -y install --no-install-recommends curl jq sudo git unzip \
    && rm -rf /var/lib/apt/lists/*
RUN apt install -y python3
RUN useradd -m runner && echo "runner ALL=(ALL) NOPASSWD:ALL" >> /etc/sudoers
WORKDIR /home/runner
RUN curl -o runner.tar.gz -L https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/actions-runner-linux-x64-${RUNNER_VERSION}.tar.gz \
    && tar xzf runner.tar.gz && rm runner.tar.gz
RUN cd /home/runner && ./bin/installdependencies.sh
COPY start.sh start.sh
RUN chmod +x start.sh
USER runner
ENTRYPOINT ["./start.sh"]
