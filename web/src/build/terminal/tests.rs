use super::*;
use crate::state::{example_context, python_dockerfile};

/// A terminal and a builder, with the Python example as the editor's content.
struct Console {
    terminal: Terminal,
    builder: Builder,
}

impl Console {
    fn new() -> Self {
        Self {
            terminal: Terminal::default(),
            builder: Builder::default(),
        }
    }

    fn run(&mut self, line: &str) -> TerminalReply {
        self.terminal.run(
            &mut self.builder,
            &TerminalAsk {
                line: line.to_owned(),
                dockerfile: python_dockerfile().to_owned(),
                context: example_context(),
            },
        )
    }

    fn ok(&mut self, line: &str) -> String {
        let reply = self.run(line);
        assert_eq!(reply.status, 0, "{line}: {:?}", reply.output);
        reply.output.join("\n")
    }

    fn fails(&mut self, line: &str) -> String {
        let reply = self.run(line);
        assert_ne!(reply.status, 0, "{line} should fail: {:?}", reply.output);
        reply.output.join("\n")
    }
}

#[test]
fn words_split_like_a_shell() {
    assert_eq!(
        split_words(r#"docker run app sh -c 'echo "hi there"' a\ b "x\"y""#).expect("valid"),
        [
            "docker",
            "run",
            "app",
            "sh",
            "-c",
            "echo \"hi there\"",
            "a b",
            "x\"y"
        ]
    );
    assert_eq!(split_words("  ").expect("valid"), Vec::<String>::new());
    assert_eq!(split_words("''").expect("valid"), [""]);
    assert!(split_words("echo 'open").is_err());
}

#[test]
fn build_then_images_history_and_inspect() {
    let mut c = Console::new();
    let log = c.ok("docker build -t app .");
    assert!(log.contains("[1/6] FROM python:3.12-slim"), "{log}");
    assert!(
        log.contains("naming to docker.io/library/app:latest"),
        "{log}"
    );
    let images = c.ok("docker images");
    let header = images.lines().next().expect("a header");
    assert!(header.starts_with("REPOSITORY   TAG"), "{images}");
    assert!(
        header.contains("IMAGE ID") && header.ends_with("SIZE"),
        "{images}"
    );
    assert!(
        images
            .lines()
            .any(|l| l.starts_with("app ") && l.contains("latest")),
        "{images}"
    );
    assert!(
        images.lines().any(|l| l.starts_with("python ")),
        "the base is listed: {images}"
    );
    let history = c.ok("history app");
    assert!(history.starts_with("IMAGE"), "{history}");
    assert!(
        history.contains("CMD [\"python\" \"app.py\"]") || history.contains("CMD [\"python\""),
        "{history}"
    );
    let inspect = c.ok("docker inspect app");
    let json: serde_json::Value = serde_json::from_str(&inspect).expect("inspect prints JSON");
    assert_eq!(json[0]["RepoTags"][0], "app:latest");
    assert!(
        inspect.starts_with("[\n    {\n        \""),
        "docker's four-space indent: {inspect}"
    );
    assert_eq!(
        c.ok("docker build -q -t app ."),
        json[0]["Id"].as_str().expect("an ID"),
        "-q prints the ID; the rebuild is the same image"
    );
}

#[test]
fn build_options_reach_the_engine() {
    let mut c = Console::new();
    c.ok("docker build -t app .");
    let again = c.ok("docker build --no-cache -t app .");
    assert!(
        !again.contains("CACHED") || again.matches("CACHED").count() == 1,
        "only FROM is cached: {again}"
    );
    let err = c.fails("docker build -t app ./elsewhere");
    assert!(err.contains("unable to prepare context"), "{err}");
    let err = c.fails("docker build -t App .");
    assert!(err.contains("must be lowercase"), "{err}");
    let err = c.fails("docker build -f nope.Dockerfile -t app .");
    assert!(err.contains("nope.Dockerfile: no such file"), "{err}");
    let err = c.fails("docker build --frobnicate .");
    assert!(err.starts_with("unknown flag: --frobnicate"), "{err}");
    let err = c.fails("docker build -t app");
    assert!(
        err.starts_with("\"docker build\" requires exactly 1 argument."),
        "{err}"
    );
}

#[test]
fn tag_rmi_and_prune() {
    let mut c = Console::new();
    c.ok("docker build -t app .");
    assert_eq!(c.ok("docker tag app app:v1"), "");
    let images = c.ok("docker images");
    assert!(
        images
            .lines()
            .any(|l| l.starts_with("app ") && l.contains(" v1 ")),
        "{images}"
    );
    assert_eq!(c.ok("docker rmi app:v1"), "Untagged: app:v1");
    let removed = c.ok("docker rmi app");
    assert!(
        removed.starts_with("Untagged: app:latest\nDeleted: sha256:"),
        "{removed}"
    );
    let err = c.fails("docker rmi app");
    assert_eq!(err, "Error response from daemon: No such image: app");
    let pruned = c.ok("docker image prune -a -f");
    assert!(
        pruned.contains("Deleted Images:") && pruned.contains("untagged: python:3.12-slim"),
        "{pruned}"
    );
    assert!(
        pruned.ends_with("Total reclaimed space: ") || pruned.contains("Total reclaimed space: ")
    );
    assert_eq!(c.ok("docker images -q"), "");
    let prompt = c.ok("docker image prune");
    assert!(
        prompt.starts_with("WARNING! This will remove all dangling images."),
        "{prompt}"
    );
}

#[test]
fn run_reads_the_image_filesystem() {
    let mut c = Console::new();
    c.ok("docker build -t app .");
    let ls = c.ok("docker run --rm app ls /app");
    assert_eq!(
        ls.lines().collect::<Vec<_>>(),
        ["app.py", "requirements.txt"],
        "{ls}"
    );
    let cat = c.ok("docker run app cat requirements.txt");
    assert_eq!(cat, "flask==3.0.3", "the image's WORKDIR is the cwd");
    let echo = c.ok("docker run app sh -c 'echo $((6 * 7)) > /tmp/x && cat /tmp/x'");
    assert_eq!(echo, "42");
    let missing = c.run("docker run app cat /nope");
    assert_ne!(missing.status, 0);
    let err = c.fails("docker run nosuchimage ls");
    assert!(
        err.starts_with("Unable to find image 'nosuchimage:latest' locally"),
        "{err}"
    );
}

#[test]
fn push_and_pull_through_the_local_registry() {
    let mut c = Console::new();
    c.ok("docker build -t app .");
    let err = c.fails("docker push app");
    assert!(err.contains("docker push localhost:5000/app"), "{err}");
    let err = c.fails("docker push localhost:5000/app");
    assert!(
        err.contains("An image does not exist locally with the tag: localhost:5000/app"),
        "{err}"
    );
    c.ok("docker tag app localhost:5000/app:1.0");
    let pushed = c.ok("docker push localhost:5000/app:1.0");
    let lines: Vec<&str> = pushed.lines().collect();
    assert_eq!(
        lines[0],
        "The push refers to repository [localhost:5000/app]"
    );
    assert!(
        lines[1..lines.len() - 1]
            .iter()
            .all(|l| l.ends_with(": Pushed")),
        "{pushed}"
    );
    assert!(
        lines[lines.len() - 1].starts_with("1.0: digest: sha256:"),
        "{pushed}"
    );
    let again = c.ok("docker push localhost:5000/app:1.0");
    assert!(again.contains(": Layer already exists"), "{again}");
    // Remove it locally, then pull it back.
    c.ok("docker rmi localhost:5000/app:1.0");
    c.ok("docker rmi app");
    let pulled = c.ok("docker pull localhost:5000/app:1.0");
    assert!(pulled.starts_with("1.0: Pulling from app\n"), "{pulled}");
    assert!(
        pulled.contains("Status: Downloaded newer image for localhost:5000/app:1.0"),
        "{pulled}"
    );
    assert!(
        pulled.contains(": Already exists"),
        "the base's layers are still local: {pulled}"
    );
    let ls = c.ok("docker run localhost:5000/app:1.0 ls");
    assert!(ls.contains("app.py"), "{ls}");
    let up_to_date = c.ok("docker pull localhost:5000/app:1.0");
    assert!(
        up_to_date.contains("Status: Image is up to date"),
        "{up_to_date}"
    );
    let err = c.fails("docker pull localhost:5000/other");
    assert!(
        err.contains("manifest for localhost:5000/other:latest not found"),
        "{err}"
    );
    let base = c.ok("docker pull alpine:3.20");
    assert!(
        base.contains("Downloaded newer image for alpine:3.20"),
        "{base}"
    );
}

#[test]
fn unknown_commands_are_answered_like_docker() {
    let mut c = Console::new();
    assert_eq!(
        c.fails("docker frobnicate"),
        "docker: 'frobnicate' is not a docker command.\nSee 'docker --help'"
    );
    assert!(c.fails("ls -l").starts_with("sh: ls: not found"));
    assert!(c.ok("help").contains("push NAME[:TAG]"));
    assert!(c.ok("docker").starts_with("Usage:  docker COMMAND"));
    assert_eq!(c.run("").output, Vec::<String>::new());
    let err = c.fails("docker history");
    assert!(
        err.starts_with("\"docker history\" requires exactly 1 argument."),
        "{err}"
    );
    assert!(c.ok("docker ps").starts_with("CONTAINER ID"));
}

#[test]
fn save_hands_an_archive_to_the_browser() {
    let mut c = Console::new();
    c.ok("docker build -t app .");
    let reply = c.run("docker save -o out/app.tar app");
    assert_eq!(reply.status, 0, "{:?}", reply.output);
    let (name, bytes) = reply.download.expect("a download");
    assert_eq!(name, "app.tar");
    assert!(
        reply.output[0].starts_with("app.tar: "),
        "{:?}",
        reply.output
    );
    // A tar whose first entry is an OCI layout file or a blob directory.
    assert!(
        bytes.len() > 1024 && bytes.len() % 512 == 0,
        "{}",
        bytes.len()
    );
    assert!(
        c.fails("docker save app")
            .starts_with("cowardly refusing to save to a terminal"),
        "without -o"
    );
    assert!(
        c.fails("docker save -o x.tar nosuch")
            .contains("No such image: nosuch")
    );
}

#[test]
fn build_args_target_and_a_dockerfile_from_the_context() {
    let mut terminal = Terminal::default();
    let mut builder = Builder::default();
    let mut context = example_context();
    context.push(ContextFile {
        path: "ci/multi.Dockerfile".to_owned(),
        text: "ARG BASE=alpine:3.20\nFROM ${BASE} AS base\nARG GREETING=hi\nRUN echo \"$GREETING\" > /greeting\n\nFROM base AS extra\nRUN touch /extra\n".to_owned(),
        mtime: 1,
    });
    let mut run = |line: &str| {
        terminal.run(
            &mut builder,
            &TerminalAsk {
                line: line.to_owned(),
                dockerfile: python_dockerfile().to_owned(),
                context: context.clone(),
            },
        )
    };
    let built = run(
        "docker build -f ci/multi.Dockerfile --build-arg GREETING=hello --target base -t multi .",
    );
    assert_eq!(built.status, 0, "{:?}", built.output);
    let log = built.output.join("\n");
    assert!(log.contains("[base 1/3] FROM alpine:3.20"), "{log}");
    assert!(
        !log.contains("touch /extra"),
        "the target stops at base: {log}"
    );
    let greeting = run("docker run multi cat /greeting");
    assert_eq!(greeting.output, ["hello"], "the build arg reached the RUN");
    let extra = run("docker build -f ./ci/multi.Dockerfile --build-arg BASE=busybox -t extra .");
    assert_eq!(extra.status, 0, "{:?}", extra.output);
    assert!(
        extra.output.join("\n").contains("FROM busybox"),
        "{:?}",
        extra.output
    );
    let both = run("docker run extra sh -c 'test -f /extra && cat /greeting'");
    assert_eq!(
        both.output,
        ["hi"],
        "the last stage, with the default argument"
    );
}
