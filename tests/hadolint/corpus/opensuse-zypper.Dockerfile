FROM opensuse/leap:15.6
RUN zypper refresh && zypper install -y curl=8.6.0 tar gzip && zypper clean
RUN zypper --non-interactive install python311
RUN zypper in nodejs20
RUN zypper dup -y
RUN zypper -n rm vim
WORKDIR /srv
COPY . /srv
RUN useradd -u 100000000 bigid
CMD ["/srv/run.sh"]
