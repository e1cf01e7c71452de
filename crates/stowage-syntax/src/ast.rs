//! The typed instruction layer: what BuildKit's `instructions` package builds from nodes.
//!
//! Values are kept as written (unexpanded); [`crate::resolve`] expands them with build
//! arguments. Every value carries its span.

use compact_str::CompactString;
use serde::Serialize;
use stowage_diagnostics::Span;

use crate::node::{Heredoc, Keyword};

/// A piece of source text with its location.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Word {
    /// The text.
    pub text: CompactString,
    /// Where it is.
    pub span: Span,
}

impl Word {
    /// A word.
    pub fn new(text: impl Into<CompactString>, span: Span) -> Self {
        Self {
            text: text.into(),
            span,
        }
    }
}

/// One instruction, typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instruction {
    /// The whole instruction, heredoc bodies included.
    pub span: Span,
    /// The keyword.
    pub keyword_span: Span,
    /// 1-based first line.
    pub start_line: u32,
    /// 1-based last line.
    pub end_line: u32,
    /// Index of the raw node in [`crate::Parse::nodes`].
    pub node: usize,
    /// What it says.
    pub kind: InstructionKind,
}

impl Instruction {
    /// The keyword.
    pub fn keyword(&self) -> Keyword {
        self.kind.keyword()
    }
}

/// The instruction and its typed arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "instruction", content = "args", rename_all = "UPPERCASE")]
pub enum InstructionKind {
    /// `FROM [--platform=p] image [AS name]`
    From(From),
    /// `RUN [--mount ...] [--network ...] [--security ...] command`
    Run(Run),
    /// `CMD command`
    Cmd(CommandLine),
    /// `ENTRYPOINT command`
    Entrypoint(CommandLine),
    /// `SHELL ["executable", "parameters"]`
    Shell(Vec<Word>),
    /// `LABEL k=v ...`
    Label(Vec<KeyValue>),
    /// `ENV k=v ...` or `ENV k v`
    Env(Vec<KeyValue>),
    /// `MAINTAINER name` (deprecated)
    Maintainer(Word),
    /// `EXPOSE port[/proto] ...`
    Expose(Vec<Word>),
    /// `ADD [flags] src... dest`
    Add(Add),
    /// `COPY [flags] src... dest`
    Copy(Copy),
    /// `VOLUME path...`
    Volume(Vec<Word>),
    /// `USER user[:group]`
    User(Word),
    /// `WORKDIR path`
    Workdir(Word),
    /// `ARG name[=default] ...`
    Arg(Vec<ArgDecl>),
    /// `ONBUILD instruction`
    Onbuild(Onbuild),
    /// `STOPSIGNAL signal`
    Stopsignal(Word),
    /// `HEALTHCHECK ...`
    Healthcheck(Healthcheck),
    /// An instruction BuildKit does not know (reported as an error).
    Unknown(Word),
}

impl InstructionKind {
    /// The keyword of this instruction.
    pub fn keyword(&self) -> Keyword {
        match self {
            InstructionKind::From(_) => Keyword::From,
            InstructionKind::Run(_) => Keyword::Run,
            InstructionKind::Cmd(_) => Keyword::Cmd,
            InstructionKind::Entrypoint(_) => Keyword::Entrypoint,
            InstructionKind::Shell(_) => Keyword::Shell,
            InstructionKind::Label(_) => Keyword::Label,
            InstructionKind::Env(_) => Keyword::Env,
            InstructionKind::Maintainer(_) => Keyword::Maintainer,
            InstructionKind::Expose(_) => Keyword::Expose,
            InstructionKind::Add(_) => Keyword::Add,
            InstructionKind::Copy(_) => Keyword::Copy,
            InstructionKind::Volume(_) => Keyword::Volume,
            InstructionKind::User(_) => Keyword::User,
            InstructionKind::Workdir(_) => Keyword::Workdir,
            InstructionKind::Arg(_) => Keyword::Arg,
            InstructionKind::Onbuild(_) => Keyword::Onbuild,
            InstructionKind::Stopsignal(_) => Keyword::Stopsignal,
            InstructionKind::Healthcheck(_) => Keyword::Healthcheck,
            InstructionKind::Unknown(_) => Keyword::Unknown,
        }
    }
}

/// `FROM`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct From {
    /// The base: an image reference, an earlier stage's name, or `scratch` (unexpanded).
    pub image: Word,
    /// `--platform` value (unexpanded).
    pub platform: Option<Word>,
    /// `AS name`, as written (BuildKit lower-cases it: see [`From::stage_name`]).
    pub name: Option<Word>,
    /// The `AS` keyword as written (for casing checks).
    pub as_keyword: Option<Word>,
}

impl From {
    /// The stage name as BuildKit stores it: lower-cased.
    pub fn stage_name(&self) -> Option<String> {
        self.name.as_ref().map(|n| n.text.as_str().to_lowercase())
    }
}

/// A command in exec (JSON) or shell form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "form", content = "args", rename_all = "lowercase")]
pub enum CommandLine {
    /// `["executable", "arg"]`: run directly.
    Exec(Vec<Word>),
    /// `command text`: run with the stage's SHELL.
    Shell(Word),
}

impl CommandLine {
    /// Whether this is the exec form.
    pub fn is_exec(&self) -> bool {
        matches!(self, CommandLine::Exec(_))
    }
}

/// `RUN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    /// The command; `None` for a bare `RUN` (BuildKit accepts it).
    pub command: Option<CommandLine>,
    /// `--mount` specs, in order.
    pub mounts: Vec<Mount>,
    /// `--network`.
    pub network: Option<NetworkMode>,
    /// `--security`.
    pub security: Option<SecurityMode>,
    /// `--device` values (labs).
    pub devices: Vec<Word>,
    /// Heredocs (script bodies or files for the command).
    pub heredocs: Vec<Heredoc>,
}

/// `RUN --network` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkMode {
    /// The default network.
    Default,
    /// No network.
    None,
    /// The host's network.
    Host,
}

/// `RUN --security` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SecurityMode {
    /// The default sandbox.
    Sandbox,
    /// Privileged.
    Insecure,
}

/// `RUN --mount=type=...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    /// The flag in the source.
    pub span: Span,
    /// The mount type (default `bind`).
    pub kind: MountType,
    /// `target`/`dst`/`destination`.
    pub target: Option<String>,
    /// `source`/`src`.
    pub source: Option<String>,
    /// `from`: a stage, image or named context.
    pub from: Option<String>,
    /// `readonly`/`ro` or `readwrite`/`rw`; `None` means the type's default.
    pub readonly: Option<bool>,
    /// `id` (cache, secret, ssh).
    pub id: Option<String>,
    /// `sharing` (cache).
    pub sharing: Option<CacheSharing>,
    /// `required` (secret, ssh).
    pub required: Option<bool>,
    /// `size` in bytes (tmpfs).
    pub size: Option<u64>,
    /// `mode` (octal).
    pub mode: Option<u32>,
    /// `uid`.
    pub uid: Option<u32>,
    /// `gid`.
    pub gid: Option<u32>,
    /// `env` (secret): expose the secret as this variable.
    pub env: Option<String>,
}

impl Mount {
    /// Whether the mount is read-only, applying the type's default.
    pub fn is_readonly(&self) -> bool {
        self.readonly.unwrap_or(matches!(
            self.kind,
            MountType::Bind | MountType::Secret | MountType::Ssh
        ))
    }
}

/// `RUN --mount` types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MountType {
    /// A directory from the context, a stage or an image.
    Bind,
    /// A persistent cache directory.
    Cache,
    /// A memory-backed directory.
    Tmpfs,
    /// A secret file.
    Secret,
    /// An SSH agent socket.
    Ssh,
}

impl MountType {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            MountType::Bind => "bind",
            MountType::Cache => "cache",
            MountType::Tmpfs => "tmpfs",
            MountType::Secret => "secret",
            MountType::Ssh => "ssh",
        }
    }
}

/// `sharing=` for cache mounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheSharing {
    /// Concurrent writers share it.
    Shared,
    /// Each writer gets its own.
    Private,
    /// Writers wait for each other.
    Locked,
}

/// A key/value pair of ENV or LABEL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    /// The key, as written.
    pub key: Word,
    /// The value, as written (quotes and escapes still in place).
    pub value: Word,
    /// The legacy `KEY value` form (no `=`).
    pub legacy: bool,
}

/// One `name[=default]` of an ARG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArgDecl {
    /// The name.
    pub name: Word,
    /// The default value, as written.
    pub default: Option<Word>,
    /// A `# NAME description` comment above the ARG.
    pub description: Option<String>,
}

/// Sources and destination of COPY and ADD.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SourcesAndDest {
    /// Source paths (or URLs for ADD), unexpanded.
    pub sources: Vec<Word>,
    /// Inline files from heredocs (`COPY <<EOF /dst`), in order.
    pub inline: Vec<InlineSource>,
    /// The destination.
    pub dest: Word,
}

/// A heredoc used as a COPY/ADD source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InlineSource {
    /// The file name (the heredoc's delimiter).
    pub name: String,
    /// The content, tabs chomped for `<<-`.
    pub content: String,
    /// Whether `$` expansion applies to the content.
    pub expand: bool,
    /// The `<<NAME` word.
    pub span: Span,
}

/// `COPY`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Copy {
    /// What to copy where.
    pub paths: SourcesAndDest,
    /// `--from`.
    pub from: Option<Word>,
    /// `--chown`.
    pub chown: Option<Word>,
    /// `--chmod`.
    pub chmod: Option<Word>,
    /// `--link`.
    pub link: Option<bool>,
    /// `--parents`.
    pub parents: Option<bool>,
    /// `--exclude` patterns.
    pub exclude: Vec<Word>,
}

/// `ADD`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Add {
    /// What to add where.
    pub paths: SourcesAndDest,
    /// `--chown`.
    pub chown: Option<Word>,
    /// `--chmod`.
    pub chmod: Option<Word>,
    /// `--checksum`.
    pub checksum: Option<Word>,
    /// `--link`.
    pub link: Option<bool>,
    /// `--keep-git-dir` (unset, true or false).
    pub keep_git_dir: Option<bool>,
    /// `--unpack` (unset, true or false).
    pub unpack: Option<bool>,
    /// `--exclude` patterns.
    pub exclude: Vec<Word>,
}

/// `ONBUILD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Onbuild {
    /// The trigger as BuildKit stores it: the text after `ONBUILD`, heredocs put back.
    pub expression: String,
    /// The trigger, typed (checked now; BuildKit checks it when a child image builds).
    pub trigger: Option<Box<Instruction>>,
}

/// `HEALTHCHECK`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "UPPERCASE")]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`: disable the base image's check.
    None,
    /// `HEALTHCHECK [options] CMD command`.
    Cmd {
        /// The test command.
        command: CommandLine,
        /// `--interval` in nanoseconds.
        interval: Option<u64>,
        /// `--timeout` in nanoseconds.
        timeout: Option<u64>,
        /// `--start-period` in nanoseconds.
        start_period: Option<u64>,
        /// `--start-interval` in nanoseconds.
        start_interval: Option<u64>,
        /// `--retries`.
        retries: Option<u32>,
    },
}

/// A build stage: a FROM and the instructions after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// 0-based index (usable as `COPY --from=<index>`).
    pub index: usize,
    /// Lower-cased `AS` name.
    pub name: Option<String>,
    /// Index of the FROM in [`crate::Dockerfile::instructions`].
    pub from: usize,
    /// Indices of the stage's other instructions.
    pub instructions: Vec<usize>,
}
