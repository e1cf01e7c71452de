//! The raw node view: BuildKit's parser layer (`parser.Node`), with byte spans added.

use compact_str::CompactString;
use serde::Serialize;
use smallvec::SmallVec;
use stowage_diagnostics::Span;

/// A Dockerfile keyword, matched case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Keyword {
    /// `ADD`
    Add,
    /// `ARG`
    Arg,
    /// `CMD`
    Cmd,
    /// `COPY`
    Copy,
    /// `ENTRYPOINT`
    Entrypoint,
    /// `ENV`
    Env,
    /// `EXPOSE`
    Expose,
    /// `FROM`
    From,
    /// `HEALTHCHECK`
    Healthcheck,
    /// `LABEL`
    Label,
    /// `MAINTAINER`
    Maintainer,
    /// `ONBUILD`
    Onbuild,
    /// `RUN`
    Run,
    /// `SHELL`
    Shell,
    /// `STOPSIGNAL`
    Stopsignal,
    /// `USER`
    User,
    /// `VOLUME`
    Volume,
    /// `WORKDIR`
    Workdir,
    /// Anything else: the parser accepts it, the instruction layer reports it.
    Unknown,
}

impl Keyword {
    /// Every known keyword, in alphabetical order.
    pub const ALL: [Keyword; 18] = [
        Keyword::Add,
        Keyword::Arg,
        Keyword::Cmd,
        Keyword::Copy,
        Keyword::Entrypoint,
        Keyword::Env,
        Keyword::Expose,
        Keyword::From,
        Keyword::Healthcheck,
        Keyword::Label,
        Keyword::Maintainer,
        Keyword::Onbuild,
        Keyword::Run,
        Keyword::Shell,
        Keyword::Stopsignal,
        Keyword::User,
        Keyword::Volume,
        Keyword::Workdir,
    ];

    /// Looks a keyword up, ignoring case.
    pub fn from_name(name: &str) -> Keyword {
        // Keywords are ASCII and at most 11 bytes: compare without allocating.
        let bytes = name.as_bytes();
        if bytes.len() > 11 || bytes.len() < 3 {
            return Keyword::Unknown;
        }
        let mut buf = [0u8; 11];
        for (dst, src) in buf.iter_mut().zip(bytes) {
            *dst = src.to_ascii_uppercase();
        }
        match &buf[..bytes.len()] {
            b"ADD" => Keyword::Add,
            b"ARG" => Keyword::Arg,
            b"CMD" => Keyword::Cmd,
            b"COPY" => Keyword::Copy,
            b"ENTRYPOINT" => Keyword::Entrypoint,
            b"ENV" => Keyword::Env,
            b"EXPOSE" => Keyword::Expose,
            b"FROM" => Keyword::From,
            b"HEALTHCHECK" => Keyword::Healthcheck,
            b"LABEL" => Keyword::Label,
            b"MAINTAINER" => Keyword::Maintainer,
            b"ONBUILD" => Keyword::Onbuild,
            b"RUN" => Keyword::Run,
            b"SHELL" => Keyword::Shell,
            b"STOPSIGNAL" => Keyword::Stopsignal,
            b"USER" => Keyword::User,
            b"VOLUME" => Keyword::Volume,
            b"WORKDIR" => Keyword::Workdir,
            _ => Keyword::Unknown,
        }
    }

    /// The canonical upper-case spelling (`""` for unknown keywords).
    pub const fn as_str(self) -> &'static str {
        match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
            Keyword::Unknown => "",
        }
    }
}

/// One instruction as BuildKit's parser sees it, before any validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// The keyword as written (case kept), e.g. `run`.
    pub keyword: CompactString,
    /// Which keyword it is.
    pub kind: Keyword,
    /// Where the keyword is.
    pub keyword_span: Span,
    /// `--name=value` words after the keyword, quotes removed.
    pub flags: SmallVec<[Flag; 1]>,
    /// The arguments as BuildKit's line parsers split them (ENV and LABEL: key, value,
    /// separator triples).
    pub args: SmallVec<[Arg; 1]>,
    /// Exec (JSON array) form.
    pub json: bool,
    /// ONBUILD: the trigger instruction.
    pub sub: Option<Box<Node>>,
    /// Heredocs read after the instruction line, in order.
    pub heredocs: Vec<Heredoc>,
    /// The logical line after joining continuations (heredoc bodies excluded); read it with
    /// [`Node::original`].
    pub original: Original,
    /// From the keyword to the end of the last physical line used (heredoc bodies included).
    pub span: Span,
    /// 1-based line of the keyword.
    pub start_line: u32,
    /// 1-based last line used, counting skipped comment and blank lines and heredoc bodies.
    pub end_line: u32,
    /// Comment lines since the previous instruction (`#` removed, trimmed).
    pub prev_comment: Vec<String>,
}

/// Where a node's logical line is: a slice of the source when it is one physical line (no
/// copy needed), the joined text otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Original {
    /// The line is this part of the source, unchanged.
    Source(Span),
    /// The line after joining continuation lines.
    Joined(CompactString),
}

impl Node {
    /// The logical line after joining continuations (heredoc bodies excluded), as BuildKit's
    /// `Node.Original`. `source` must be the text this node was parsed from.
    pub fn original<'a>(&'a self, source: &'a str) -> &'a str {
        match &self.original {
            Original::Source(span) => source.get(span.range()).unwrap_or_default(),
            Original::Joined(text) => text,
        }
    }

    /// Looks up the first flag called `name` (without `--`) and returns its value, if any.
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name() == name)
    }

    /// The argument values.
    pub fn arg_values(&self) -> impl Iterator<Item = &str> {
        self.args.iter().map(|a| a.value.as_str())
    }
}

/// A `--name[=value]` flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// The flag as BuildKit keeps it: quotes removed, escapes applied (`--from=build`).
    pub text: CompactString,
    /// Where it is in the source.
    pub span: Span,
}

impl Flag {
    /// The name without the leading `--` (`from`).
    pub fn name(&self) -> &str {
        let body = self.text.strip_prefix("--").unwrap_or(&self.text);
        body.split_once('=').map_or(body, |(name, _)| name)
    }

    /// The value after `=`, if there is one.
    pub fn value(&self) -> Option<&str> {
        self.text
            .strip_prefix("--")
            .unwrap_or(&self.text)
            .split_once('=')
            .map(|(_, value)| value)
    }
}

/// One argument value with its location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arg {
    /// The text BuildKit's dump quotes.
    pub value: CompactString,
    /// Where it is in the source (for a JSON string: the whole string token). Separator
    /// entries of ENV/LABEL triples have an empty span at the `=`.
    pub span: Span,
}

/// A heredoc (`<<EOF` ... `EOF`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The delimiter with quotes removed.
    pub name: String,
    /// The file descriptor written before `<<` (`3<<EOF`), 0 if none.
    pub fd: u32,
    /// False when any part of the delimiter was quoted: the body is then not expanded.
    pub expand: bool,
    /// `<<-`: leading tabs are to be removed from the body (not done here; see
    /// [`Heredoc::chomped`]).
    pub chomp: bool,
    /// The raw body: every line with its line ending, terminator excluded.
    pub content: String,
    /// The body's bytes in the source.
    pub body_span: Span,
    /// The terminator line (empty at end of file when unterminated).
    pub terminator_span: Span,
}

impl Heredoc {
    /// The body with leading tabs removed from every line when `chomp` is set.
    pub fn chomped(&self) -> std::borrow::Cow<'_, str> {
        if !self.chomp {
            return std::borrow::Cow::Borrowed(&self.content);
        }
        let mut out = String::with_capacity(self.content.len());
        for line in self.content.split_inclusive('\n') {
            out.push_str(line.trim_start_matches('\t'));
        }
        std::borrow::Cow::Owned(out)
    }
}

/// A parser directive (`# syntax=...`, `# escape=...`, `# check=...`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Lower-cased name.
    pub name: String,
    /// The value, trimmed.
    pub value: String,
    /// The whole comment line.
    pub span: Span,
    /// The value only.
    pub value_span: Span,
}

/// A comment line outside instructions, or inside a continuation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// Text after `#`, trimmed.
    pub text: String,
    /// The comment from `#` to the end of the line.
    pub span: Span,
}
