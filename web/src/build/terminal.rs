//! The playground's `docker` console: a command line in, docker's output back. It runs in the
//! build worker over the same [`Builder`] the Build button uses, so images built, tagged or
//! removed here are the ones the page sees, and the other way round. `push` and `pull` talk to
//! an in-memory registry at `localhost:5000` that lives as long as the worker.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use stowage_build::{
    ExecRequest, Executor, ImageResolver, ImageStore, RunCommand, SimulatedExecutor, StoredImage,
    human_size, normalize_tag,
};
use stowage_oci::{Descriptor, Digest, Manifest, MediaType, json};

use super::{BuildAsk, Builder, ContextFile, NOW};

/// The registry `push` and `pull` reach.
pub const REGISTRY: &str = "localhost:5000";

/// A command line typed in the terminal, with what `docker build` needs from the page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalAsk {
    /// The line as typed (`docker images`, `docker build -t app .`).
    pub line: String,
    /// The editor's Dockerfile (what `docker build` builds unless `-f` names a context file).
    pub dockerfile: String,
    /// The build context.
    pub context: Vec<ContextFile>,
}

/// What the command printed and its exit status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalReply {
    /// The output, one string per line (stdout and stderr interleaved as docker prints them).
    pub output: Vec<String>,
    /// The exit status (0 = success).
    pub status: i32,
    /// A file for the browser to save (`docker save -o NAME`): its name and bytes.
    pub download: Option<(String, Vec<u8>)>,
}

impl TerminalReply {
    fn ok(text: impl AsRef<str>) -> Self {
        Self {
            output: text.as_ref().lines().map(str::to_owned).collect(),
            status: 0,
            download: None,
        }
    }

    fn fail(text: impl AsRef<str>, status: i32) -> Self {
        Self {
            status,
            ..Self::ok(text)
        }
    }
}

/// An image in the registry: the image and the digest of its manifest.
#[derive(Debug, Clone)]
struct Pushed {
    image: StoredImage,
    digest: Digest,
}

/// The console's own state: the in-memory `localhost:5000` registry.
#[derive(Debug, Default)]
pub struct Terminal {
    /// `localhost:5000/name:tag` → image.
    tags: BTreeMap<String, Pushed>,
    /// Layer diff IDs the registry holds (`Layer already exists` on a second push).
    blobs: BTreeSet<Digest>,
}

/// The commands `help` lists.
const HELP: &str = "\
Usage:  docker COMMAND

A docker-style console over the playground's in-browser engine.

Commands:
  build -t NAME [-f FILE] [--build-arg K=V] [--target STAGE] [--no-cache] [-q] .
                 Build the editor's Dockerfile with the build context
  images [-q]    List images
  history [--no-trunc] IMAGE
                 Show the history of an image
  inspect IMAGE  Display detailed information on an image
  tag SOURCE TARGET
                 Create a tag TARGET that refers to SOURCE
  rmi [-f] IMAGE...
                 Remove one or more images
  image prune [-a] [-f]
                 Remove unused images
  run IMAGE [COMMAND...]
                 Run a command in a new container (ls, cat, sh -c ..., simulated)
  save -o FILE IMAGE
                 Download an image as an archive (an OCI layout, as docker save writes)
  push NAME[:TAG]
                 Push an image to the registry at localhost:5000
  pull NAME[:TAG]
                 Pull an image from localhost:5000 or the simulated base images
  ps             List containers
  clear          Clear the terminal
  help           This text

Arrow keys ↑/↓ walk the command history; Tab completes a command.";

/// Splits a command line into words: whitespace separates, single and double quotes group,
/// a backslash escapes the next character (outside single quotes).
pub(crate) fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unexpected EOF while looking for matching `''".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => {
                            if let Some(c) = chars.next() {
                                word.push(c);
                            }
                        }
                        Some(c) => word.push(c),
                        None => return Err("unexpected EOF while looking for matching `\"'".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Options of one command: `-t x`, `--tag=x`, `-q`, positionals. `with_value` lists the flags
/// that take a value (short and long names).
struct Args {
    flags: Vec<(String, Option<String>)>,
    positional: Vec<String>,
}

impl Args {
    fn parse(words: &[String], with_value: &[&str], command: &str) -> Result<Self, String> {
        let mut flags = Vec::new();
        let mut positional = Vec::new();
        let mut it = words.iter();
        while let Some(w) = it.next() {
            if !positional.is_empty() && command == "run" {
                // `docker run IMAGE ARGS...`: everything after the image is the command.
                positional.push(w.clone());
                continue;
            }
            if w == "--" {
                positional.extend(it.by_ref().cloned());
                break;
            }
            if let Some(name) = w.strip_prefix("--").filter(|n| !n.is_empty()) {
                let (name, inline) = match name.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_owned())),
                    None => (name, None),
                };
                let flag = format!("--{name}");
                if with_value.contains(&flag.as_str()) {
                    let value = match inline {
                        Some(v) => v,
                        None => it.next().cloned().ok_or_else(|| {
                            format!(
                                "flag needs an argument: --{name}\nSee 'docker {command} --help'."
                            )
                        })?,
                    };
                    flags.push((flag, Some(value)));
                } else {
                    flags.push((flag, inline));
                }
            } else if let Some(shorts) = w.strip_prefix('-').filter(|s| !s.is_empty()) {
                let chars: Vec<char> = shorts.chars().collect();
                for (i, c) in chars.iter().enumerate() {
                    let flag = format!("-{c}");
                    if with_value.contains(&flag.as_str()) {
                        let rest: String = chars[i + 1..].iter().collect();
                        let value = if rest.is_empty() {
                            it.next().cloned().ok_or_else(|| {
                                format!("flag needs an argument: '{c}' in -{c}\nSee 'docker {command} --help'.")
                            })?
                        } else {
                            rest
                        };
                        flags.push((flag, Some(value)));
                        break;
                    }
                    flags.push((flag, None));
                }
            } else {
                positional.push(w.clone());
            }
        }
        Ok(Self { flags, positional })
    }

    fn has(&self, names: &[&str]) -> bool {
        self.flags.iter().any(|(f, _)| names.contains(&f.as_str()))
    }

    fn values(&self, names: &[&str]) -> Vec<String> {
        self.flags
            .iter()
            .filter(|(f, _)| names.contains(&f.as_str()))
            .filter_map(|(_, v)| v.clone())
            .collect()
    }

    fn value(&self, names: &[&str]) -> Option<String> {
        self.values(names).pop()
    }

    /// Docker's answer to a flag the command does not know.
    fn unknown(&self, known: &[&str], command: &str) -> Option<String> {
        self.flags
            .iter()
            .find(|(f, _)| !known.contains(&f.as_str()))
            .map(|(f, _)| {
                let shown = f.trim_start_matches('-');
                if f.starts_with("--") {
                    format!("unknown flag: --{shown}\nSee 'docker {command} --help'.")
                } else {
                    format!(
                        "unknown shorthand flag: '{shown}' in {f}\nSee 'docker {command} --help'."
                    )
                }
            })
    }
}

/// `docker: 'x' is not a docker command.`
fn not_a_command(name: &str) -> TerminalReply {
    TerminalReply::fail(
        format!("docker: '{name}' is not a docker command.\nSee 'docker --help'"),
        1,
    )
}

/// `"docker <command>" requires exactly N argument(s).`
fn needs(command: &str, what: &str, usage: &str) -> TerminalReply {
    TerminalReply::fail(
        format!(
            "\"docker {command}\" requires {what}.\nSee 'docker {command} --help'.\n\nUsage:  docker {command} {usage}"
        ),
        1,
    )
}

impl Terminal {
    /// Runs one command line against `builder`.
    pub fn run(&mut self, builder: &mut Builder, ask: &TerminalAsk) -> TerminalReply {
        let words = match split_words(&ask.line) {
            Ok(words) => words,
            Err(err) => return TerminalReply::fail(format!("sh: syntax error: {err}"), 2),
        };
        let Some(first) = words.first() else {
            return TerminalReply::default();
        };
        let rest: &[String] = if first == "docker" {
            &words[1..]
        } else {
            &words[..]
        };
        let Some(command) = rest.first() else {
            return TerminalReply::ok(HELP);
        };
        let args = &rest[1..];
        match command.as_str() {
            "help" | "--help" | "-h" => TerminalReply::ok(HELP),
            "build" => Self::build(builder, ask, args),
            "images" => Self::images(builder, args, "images"),
            "history" => Self::history(builder, args, "history"),
            "inspect" => Self::inspect(builder, args, "inspect"),
            "tag" => Self::tag(builder, args, "tag"),
            "rmi" => Self::rmi(builder, args, "rmi"),
            "run" => Self::run_container(builder, args),
            "push" => self.push(builder, args),
            "save" => Self::save(builder, args, "save"),
            "pull" => self.pull(builder, args),
            "ps" => TerminalReply::ok(
                "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES",
            ),
            "image" => match args.first().map(String::as_str) {
                Some("ls" | "list") => Self::images(builder, &args[1..], "image ls"),
                Some("history") => Self::history(builder, &args[1..], "image history"),
                Some("inspect") => Self::inspect(builder, &args[1..], "image inspect"),
                Some("tag") => Self::tag(builder, &args[1..], "image tag"),
                Some("rm" | "remove") => Self::rmi(builder, &args[1..], "image rm"),
                Some("prune") => Self::prune(builder, &args[1..]),
                Some("build") => Self::build(builder, ask, &args[1..]),
                Some("push") => self.push(builder, &args[1..]),
                Some("pull") => self.pull(builder, &args[1..]),
                Some("save") => Self::save(builder, &args[1..], "image save"),
                Some(other) => TerminalReply::fail(
                    format!(
                        "docker: unknown command: docker image {other}\n\nRun 'docker image --help' for more information"
                    ),
                    1,
                ),
                None => TerminalReply::ok(
                    "Usage:  docker image COMMAND\n\nManage images\n\nCommands:\n  build, history, inspect, ls, prune, pull, push, rm, tag",
                ),
            },
            other if first != "docker" => TerminalReply::fail(
                format!("sh: {other}: not found (this terminal runs docker commands; try 'help')"),
                127,
            ),
            other => not_a_command(other),
        }
    }

    fn build(builder: &mut Builder, ask: &TerminalAsk, args: &[String]) -> TerminalReply {
        let valued = ["-t", "--tag", "-f", "--file", "--build-arg", "--target"];
        let args = match Args::parse(args, &valued, "build") {
            Ok(args) => args,
            Err(err) => return TerminalReply::fail(err, 1),
        };
        let known = [
            &valued[..],
            &["--no-cache", "-q", "--quiet", "--progress"][..],
        ]
        .concat();
        if let Some(err) = args.unknown(&known, "build") {
            return TerminalReply::fail(err, 1);
        }
        let [path] = args.positional.as_slice() else {
            return needs("build", "exactly 1 argument", "[OPTIONS] PATH | URL | -");
        };
        if !matches!(path.as_str(), "." | "./") {
            return TerminalReply::fail(
                format!(
                    "ERROR: unable to prepare context: path \"{path}\" not found (the playground's build context is \".\")"
                ),
                1,
            );
        }
        let dockerfile = match args.value(&["-f", "--file"]) {
            None => ask.dockerfile.clone(),
            Some(file) if file == "Dockerfile" || file == "./Dockerfile" => ask.dockerfile.clone(),
            Some(file) => {
                let rel = file.trim_start_matches("./");
                match ask.context.iter().find(|f| f.path == rel) {
                    Some(f) => f.text.clone(),
                    None => {
                        return TerminalReply::fail(
                            format!(
                                "ERROR: failed to solve: failed to read dockerfile: open {rel}: no such file or directory"
                            ),
                            1,
                        );
                    }
                }
            }
        };
        let mut build_args = BTreeMap::new();
        for arg in args.values(&["--build-arg"]) {
            let (k, v) = arg.split_once('=').unwrap_or((&arg, ""));
            build_args.insert(k.to_owned(), v.to_owned());
        }
        let tags: Vec<String> = args.values(&["-t", "--tag"]);
        for tag in &tags {
            if tag.contains(char::is_uppercase) || tag.is_empty() {
                return TerminalReply::fail(
                    format!("ERROR: invalid tag \"{tag}\": repository name must be lowercase"),
                    1,
                );
            }
        }
        let quiet = args.has(&["-q", "--quiet"]);
        let outcome = builder.build(&BuildAsk {
            build: 0,
            dockerfile,
            context: ask.context.clone(),
            no_cache: args.has(&["--no-cache"]),
            build_args,
            target: args.value(&["--target"]),
            tags,
        });
        let mut reply = TerminalReply::default();
        match &outcome.image {
            Some(id) if quiet => reply.output.push(id.clone()),
            Some(_) => reply.output.clone_from(&outcome.log),
            None => {
                if !quiet {
                    reply.output.clone_from(&outcome.log);
                }
                for err in &outcome.errors {
                    reply.output.push(format!("ERROR: failed to solve: {err}"));
                }
                if outcome.errors.is_empty() {
                    reply
                        .output
                        .push("ERROR: failed to solve: the build failed".to_owned());
                }
                reply.status = 1;
            }
        }
        reply
    }

    fn images(builder: &Builder, args: &[String], command: &str) -> TerminalReply {
        let args = match Args::parse(args, &["--format", "--filter"], command) {
            Ok(args) => args,
            Err(err) => return TerminalReply::fail(err, 1),
        };
        if let Some(err) = args.unknown(&["-q", "--quiet", "-a", "--all"], command) {
            return TerminalReply::fail(err, 1);
        }
        if args.has(&["-q", "--quiet"]) {
            let mut seen = BTreeSet::new();
            let ids: Vec<String> = builder
                .engine
                .image_rows()
                .into_iter()
                .map(|r| r.id.trim_start_matches("sha256:")[..12].to_owned())
                .filter(|id| seen.insert(id.clone()))
                .collect();
            return TerminalReply::ok(ids.join("\n"));
        }
        TerminalReply::ok(builder.engine.images_table(NOW))
    }

    fn history(builder: &Builder, args: &[String], command: &str) -> TerminalReply {
        let args = match Args::parse(args, &["--format"], command) {
            Ok(args) => args,
            Err(err) => return TerminalReply::fail(err, 1),
        };
        if let Some(err) = args.unknown(&["--no-trunc", "-H", "--human", "-q", "--quiet"], command)
        {
            return TerminalReply::fail(err, 1);
        }
        let [image] = args.positional.as_slice() else {
            return needs(command, "exactly 1 argument", "[OPTIONS] IMAGE");
        };
        match builder
            .engine
            .history_table(image, NOW, args.has(&["--no-trunc"]))
        {
            Ok(table) => TerminalReply::ok(table),
            Err(err) => TerminalReply::fail(err.to_string(), 1),
        }
    }

    fn inspect(builder: &Builder, args: &[String], command: &str) -> TerminalReply {
        let args = match Args::parse(args, &["--format", "-f", "--type"], command) {
            Ok(args) => args,
            Err(err) => return TerminalReply::fail(err, 1),
        };
        if args.positional.is_empty() {
            return needs(
                command,
                "at least 1 argument",
                "[OPTIONS] NAME|ID [NAME|ID...]",
            );
        }
        let mut all = Vec::new();
        let mut errors = Vec::new();
        for image in &args.positional {
            match builder.engine.inspect(image) {
                Ok(serde_json::Value::Array(items)) => all.extend(items),
                Ok(other) => all.push(other),
                Err(_) => errors.push(format!("Error: No such object: {image}")),
            }
        }
        let mut out = pretty(&serde_json::Value::Array(all));
        for err in &errors {
            out.push('\n');
            out.push_str(err);
        }
        if errors.is_empty() {
            TerminalReply::ok(out)
        } else {
            TerminalReply::fail(out, 1)
        }
    }

    fn tag(builder: &mut Builder, args: &[String], command: &str) -> TerminalReply {
        let [source, target] = args else {
            return needs(
                command,
                "exactly 2 arguments",
                "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
            );
        };
        match builder.engine.tag(source, target) {
            Ok(()) => TerminalReply::default(),
            Err(err) => TerminalReply::fail(err.to_string(), 1),
        }
    }

    fn rmi(builder: &mut Builder, args: &[String], command: &str) -> TerminalReply {
        let args = match Args::parse(args, &[], command) {
            Ok(args) => args,
            Err(err) => return TerminalReply::fail(err, 1),
        };
        if let Some(err) = args.unknown(&["-f", "--force", "--no-prune"], command) {
            return TerminalReply::fail(err, 1);
        }
        if args.positional.is_empty() {
            return needs(command, "at least 1 argument", "[OPTIONS] IMAGE [IMAGE...]");
        }
        let force = args.has(&["-f", "--force"]);
        let mut reply = TerminalReply::default();
        for image in &args.positional {
            match builder.engine.rmi(image, force) {
                Ok(lines) => reply.output.extend(lines),
                Err(err) => {
                    reply.output.push(err.to_string());
                    reply.status = 1;
                }
            }
        }
        reply
    }

    fn prune(builder: &mut Builder, args: &[String]) -> TerminalReply {
        let args = match Args::parse(args, &["--filter"], "image prune") {
            Ok(args) => args,
            Err(err) => return TerminalReply::fail(err, 1),
        };
        if let Some(err) = args.unknown(&["-a", "--all", "-f", "--force"], "image prune") {
            return TerminalReply::fail(err, 1);
        }
        let all = args.has(&["-a", "--all"]);
        let mut out = String::new();
        if !args.has(&["-f", "--force"]) {
            // No prompt here: the console answers for the learner and says so.
            out.push_str(if all {
                "WARNING! This will remove all images without at least one container associated to them.\n"
            } else {
                "WARNING! This will remove all dangling images.\n"
            });
            out.push_str("Are you sure you want to continue? [y/N] y\n");
        }
        out.push_str(&builder.engine.prune(all));
        TerminalReply::ok(out)
    }

    /// `docker run IMAGE [COMMAND...]`: the simulated shell over a copy of the image's root
    /// filesystem (thrown away afterwards, as with `--rm`).
    fn run_container(builder: &mut Builder, args: &[String]) -> TerminalReply {
        let valued = [
            "-e",
            "--env",
            "-w",
            "--workdir",
            "-u",
            "--user",
            "--entrypoint",
            "--name",
        ];
        let args = match Args::parse(args, &valued, "run") {
            Ok(args) => args,
            Err(err) => return TerminalReply::fail(err, 1),
        };
        let known = [
            &valued[..],
            &["--rm", "-i", "-t", "-d", "--interactive", "--tty"][..],
        ]
        .concat();
        if let Some(err) = args.unknown(&known, "run") {
            return TerminalReply::fail(err, 125);
        }
        let Some((image, command)) = args.positional.split_first() else {
            return needs(
                "run",
                "at least 1 argument",
                "[OPTIONS] IMAGE [COMMAND] [ARG...]",
            );
        };
        let Ok(id) = builder.engine.find(image) else {
            return TerminalReply::fail(
                format!(
                    "Unable to find image '{}' locally\ndocker: Error response from daemon: pull access denied for {image}, repository does not exist (try 'docker pull' or 'docker build -t {image} .').",
                    normalize_tag(image)
                ),
                125,
            );
        };
        let Some(config) = builder
            .engine
            .images
            .get(&id)
            .map(|img| img.config.config.clone())
        else {
            return TerminalReply::fail(
                format!("Error response from daemon: No such image: {image}"),
                125,
            );
        };
        let mut fs = match builder.engine.rootfs(image) {
            Ok(fs) => fs,
            Err(err) => return TerminalReply::fail(err.to_string(), 125),
        };
        let entrypoint = match args.value(&["--entrypoint"]) {
            Some(e) if e.is_empty() => Vec::new(),
            Some(e) => vec![e],
            None => config.entrypoint.clone(),
        };
        let cmd = if command.is_empty() && args.value(&["--entrypoint"]).is_none() {
            config.cmd.clone()
        } else {
            command.to_vec()
        };
        let argv: Vec<String> = entrypoint.into_iter().chain(cmd).collect();
        if argv.is_empty() {
            return TerminalReply::fail(
                "docker: Error response from daemon: no command specified.",
                125,
            );
        }
        let mut env: Vec<(String, String)> = config
            .env
            .iter()
            .filter_map(|e| e.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect();
        if !env.iter().any(|(k, _)| k == "PATH") {
            env.insert(
                0,
                (
                    "PATH".to_owned(),
                    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_owned(),
                ),
            );
        }
        for e in args.values(&["-e", "--env"]) {
            let (k, v) = e.split_once('=').unwrap_or((&e, ""));
            env.push((k.to_owned(), v.to_owned()));
        }
        let cwd = args
            .value(&["-w", "--workdir"])
            .unwrap_or_else(|| config.working_dir.clone());
        let request = ExecRequest {
            command: RunCommand::Exec(argv),
            env,
            cwd: if cwd.is_empty() { "/".to_owned() } else { cwd },
            user: args
                .value(&["-u", "--user"])
                .unwrap_or_else(|| config.user.clone()),
            network_disabled: false,
            mtime: NOW,
            mounts: Vec::new(),
        };
        let result = SimulatedExecutor.run(&mut fs, &request);
        let mut reply = TerminalReply {
            output: result.log.iter().map(|l| l.text.clone()).collect(),
            status: result.status,
            download: None,
        };
        for note in &result.notes {
            reply.output.push(format!("note: {note}"));
        }
        reply
    }

    /// `docker save -o FILE IMAGE`: the archive goes to the browser as a download (a
    /// terminal cannot print a tar).
    fn save(builder: &Builder, args: &[String], command: &str) -> TerminalReply {
        let args = match Args::parse(args, &["-o", "--output", "--platform"], command) {
            Ok(args) => args,
            Err(err) => return TerminalReply::fail(err, 1),
        };
        if let Some(err) = args.unknown(&["-o", "--output", "--platform"], command) {
            return TerminalReply::fail(err, 1);
        }
        let [image] = args.positional.as_slice() else {
            return needs(command, "at least 1 argument", "[OPTIONS] IMAGE [IMAGE...]");
        };
        let Some(file) = args.value(&["-o", "--output"]) else {
            return TerminalReply::fail(
                "cowardly refusing to save to a terminal. Use the -o flag or redirect",
                1,
            );
        };
        let name = file.rsplit('/').next().unwrap_or(&file).to_owned();
        match builder.export(image) {
            Ok(bytes) => TerminalReply {
                output: vec![format!(
                    "{name}: {} (your browser saves it as a download)",
                    human_size(bytes.len() as u64)
                )],
                status: 0,
                download: Some((name, bytes)),
            },
            Err(err) => TerminalReply::fail(err, 1),
        }
    }

    fn push(&mut self, builder: &Builder, args: &[String]) -> TerminalReply {
        let [name] = args else {
            return needs("push", "exactly 1 argument", "[OPTIONS] NAME[:TAG]");
        };
        let reference = normalize_tag(name);
        let Some(repo) = reference.strip_prefix(&format!("{REGISTRY}/")) else {
            let (repo, _) = stowage_oci::archive::split_tag(&reference);
            return TerminalReply::fail(
                format!(
                    "The push refers to repository [{}]\nthe playground has no network: push to the in-memory registry instead, e.g. docker tag {name} {REGISTRY}/{repo} && docker push {REGISTRY}/{repo}",
                    stowage_oci::archive::qualify(repo)
                ),
                1,
            );
        };
        let (repo_name, tag) = stowage_oci::archive::split_tag(repo);
        let Ok(id) = builder.engine.find(&reference) else {
            return TerminalReply::fail(
                format!(
                    "The push refers to repository [{REGISTRY}/{repo_name}]\nAn image does not exist locally with the tag: {REGISTRY}/{repo_name}"
                ),
                1,
            );
        };
        let Some(image) = builder.engine.images.get(&id).cloned() else {
            return TerminalReply::fail(
                format!("Error response from daemon: No such image: {name}"),
                1,
            );
        };
        let mut out = vec![format!(
            "The push refers to repository [{REGISTRY}/{repo_name}]"
        )];
        // docker lists the layers top first.
        for layer in image.layers.iter().rev() {
            let short = &layer.diff_id.encoded()[..12];
            if self.blobs.insert(layer.diff_id.clone()) {
                out.push(format!("{short}: Pushed"));
            } else {
                out.push(format!("{short}: Layer already exists"));
            }
        }
        let (digest, size) = manifest_digest(&image);
        out.push(format!("{tag}: digest: {digest} size: {size}"));
        self.tags.insert(reference, Pushed { image, digest });
        TerminalReply {
            output: out,
            status: 0,
            download: None,
        }
    }

    fn pull(&mut self, builder: &mut Builder, args: &[String]) -> TerminalReply {
        let [name] = args else {
            return needs("pull", "exactly 1 argument", "[OPTIONS] NAME[:TAG|@DIGEST]");
        };
        let reference = normalize_tag(name);
        if let Some(repo) = reference.strip_prefix(&format!("{REGISTRY}/")) {
            let (repo_name, tag) = stowage_oci::archive::split_tag(repo);
            let Some(pushed) = self.tags.get(&reference).cloned() else {
                return TerminalReply::fail(
                    format!(
                        "Error response from daemon: manifest for {reference} not found: manifest unknown: manifest unknown"
                    ),
                    1,
                );
            };
            let mut out = vec![format!("{tag}: Pulling from {repo_name}")];
            let local: BTreeSet<Digest> = builder
                .engine
                .images
                .ids()
                .iter()
                .filter_map(|id| builder.engine.images.get(id))
                .flat_map(|img| img.layers.iter().map(|l| l.diff_id.clone()))
                .collect();
            for layer in &pushed.image.layers {
                let short = &layer.diff_id.encoded()[..12];
                if local.contains(&layer.diff_id) {
                    out.push(format!("{short}: Already exists"));
                } else {
                    out.push(format!("{short}: Pull complete"));
                }
            }
            out.push(format!("Digest: {}", pushed.digest));
            let had = builder.engine.find(&reference).ok();
            let id = pushed.image.id.clone();
            if builder.engine.images.get(&id).is_none() {
                builder.engine.images.put(pushed.image);
            }
            builder.engine.images.set_tag(&reference, id.clone());
            if had.as_ref() == Some(&id) {
                out.push(format!("Status: Image is up to date for {reference}"));
            } else {
                out.push(format!("Status: Downloaded newer image for {reference}"));
            }
            out.push(reference);
            return TerminalReply {
                output: out,
                status: 0,
                download: None,
            };
        }
        // Anything else comes from the simulated base images (what FROM uses).
        let platform = stowage_syntax::resolve::Platform::linux_amd64();
        match builder.images.resolve(&reference, &platform) {
            Ok(base) => {
                let (repo, tag) = stowage_oci::archive::split_tag(&reference);
                let had = builder.engine.find(&reference).is_ok();
                builder.engine.store_base(&base);
                let mut out = vec![format!("{tag}: Pulling from library/{repo}")];
                for layer in &base.layers {
                    out.push(format!("{}: Pull complete", &layer.diff_id.encoded()[..12]));
                }
                out.push(format!("Digest: {}", base.digest));
                out.push(if had {
                    format!("Status: Image is up to date for {reference}")
                } else {
                    format!("Status: Downloaded newer image for {reference}")
                });
                out.push(format!("docker.io/library/{reference}"));
                out.push(format!(
                    "note: {reference} is one of the playground's simulated base images ({})",
                    human_size(base.layers.iter().map(|l| l.size).sum())
                ));
                TerminalReply {
                    output: out,
                    status: 0,
                    download: None,
                }
            }
            Err(err) => TerminalReply::fail(
                format!(
                    "Error response from daemon: pull access denied for {reference}, repository does not exist or may require 'docker login' ({err})"
                ),
                1,
            ),
        }
    }
}

/// The digest and size of the image's manifest as the registry stores it (uncompressed tar
/// layers named by their diff IDs).
fn manifest_digest(image: &StoredImage) -> (Digest, u64) {
    let config = json::to_vec(&image.config).unwrap_or_default();
    let layers = image
        .layers
        .iter()
        .map(|l| Descriptor::new(MediaType::Layer, l.diff_id.clone(), l.size))
        .collect();
    let manifest = Manifest::new(Descriptor::of(MediaType::ImageConfig, &config), layers);
    let bytes = json::to_vec(&manifest).unwrap_or_default();
    (Digest::sha256(&bytes), bytes.len() as u64)
}

/// JSON with docker's four-space indentation.
fn pretty(value: &serde_json::Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    if value.serialize(&mut ser).is_err() {
        return String::new();
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests;
