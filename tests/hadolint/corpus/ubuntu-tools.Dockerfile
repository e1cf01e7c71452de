FROM ubuntu:22.04
RUN apt-get update
RUN apt-get install -y curl wget git vim sudo
RUN sudo apt-get install -y jq
RUN cd /opt && git clone https://example.com/tool.git
RUN wget https://example.com/file.tar.gz && tar xzf file.tar.gz
WORKDIR opt
RUN curl -sL https://example.com/install.sh | bash
