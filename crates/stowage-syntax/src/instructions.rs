//! Nodes → typed instructions and stages, with BuildKit's instruction-layer validation.
//!
//! BuildKit stops at the first error; here every instruction is checked and every problem is
//! reported, and an instruction with problems still gets its best-effort typed form.

use serde::Serialize;
use stowage_diagnostics::{Diagnostic, Severity, Span};

use crate::ast::{
    Add, ArgDecl, CommandLine, Copy, From, Healthcheck, InlineSource, Instruction, InstructionKind,
    KeyValue, NetworkMode, Onbuild, Run, SecurityMode, SourcesAndDest, Stage, Word,
};
use crate::flags::{FlagType, FlagValues, parse_flags};
use crate::node::{Arg, Keyword, Node};
use crate::parser::{Parse, parse, parse_heredoc_word};

/// Diagnostic codes of the instruction layer.
pub mod codes {
    /// An instruction BuildKit does not know.
    pub const UNKNOWN_INSTRUCTION: &str = "unknown-instruction";
    /// Too few or too many arguments.
    pub const ARGUMENT_COUNT: &str = "argument-count";
    /// A stage name that is not `^[a-z][a-z0-9-_.]*$`.
    pub const INVALID_STAGE_NAME: &str = "invalid-stage-name";
    /// An instruction other than ARG before the first FROM.
    pub const NO_STAGE: &str = "no-build-stage";
    /// A value BuildKit rejects (durations, network modes, SHELL not in JSON form, ...).
    pub const INVALID_VALUE: &str = "invalid-value";
    /// A problem in an ONBUILD trigger.
    pub const INVALID_TRIGGER: &str = "invalid-onbuild-trigger";
    /// Flag problems.
    pub use crate::flags::codes::{DUPLICATE_FLAG, FLAG_VALUE, UNKNOWN_FLAG};
    /// A bad `--mount` spec.
    pub const INVALID_MOUNT: &str = crate::mount::INVALID_MOUNT;
}

/// A parsed and checked Dockerfile: raw nodes, typed instructions, stages and all diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dockerfile {
    /// The raw layer (nodes, directives, comments, escape) with its diagnostics.
    pub parse: Parse,
    /// One typed instruction per node, same order.
    pub instructions: Vec<Instruction>,
    /// Indices of the ARG instructions before the first FROM ("meta" args).
    pub meta_args: Vec<usize>,
    /// The build stages.
    pub stages: Vec<Stage>,
    /// Instruction-layer diagnostics (the parser's are in `parse.diagnostics`).
    pub diagnostics: Vec<Diagnostic>,
}

impl Dockerfile {
    /// Parses and checks `source`. Never fails.
    pub fn parse(source: &str) -> Dockerfile {
        Self::from_parse(parse(source), source)
    }

    /// Builds the typed layer from an existing parse of `source`.
    pub fn from_parse(parse: Parse, source: &str) -> Dockerfile {
        let mut diagnostics = Vec::new();
        let mut instructions = Vec::with_capacity(parse.nodes.len());
        let mut meta_args = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        for (index, node) in parse.nodes.iter().enumerate() {
            let instruction = build_instruction(node, source, index, &mut diagnostics);
            match &instruction.kind {
                InstructionKind::From(from) => stages.push(Stage {
                    index: stages.len(),
                    name: from.stage_name(),
                    from: index,
                    instructions: Vec::new(),
                }),
                InstructionKind::Arg(_) if stages.is_empty() => meta_args.push(index),
                _ => match stages.last_mut() {
                    Some(stage) => stage.instructions.push(index),
                    None => diagnostics.push(
                        Diagnostic::error(codes::NO_STAGE, "no build stage in current context", instruction.keyword_span)
                            .with_help("start the stage with `FROM <image>`; only ARG may come before the first FROM"),
                    ),
                },
            }
            instructions.push(instruction);
        }
        Dockerfile {
            parse,
            instructions,
            meta_args,
            stages,
            diagnostics,
        }
    }

    /// Parser and instruction diagnostics together, in source order.
    pub fn all_diagnostics(&self) -> Vec<&Diagnostic> {
        let mut all: Vec<&Diagnostic> = self
            .parse
            .diagnostics
            .iter()
            .chain(&self.diagnostics)
            .collect();
        all.sort_by_key(|d| (d.span.start, d.span.end));
        all
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.parse.has_errors()
            || self
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
    }

    /// The FROM of a stage.
    pub fn stage_from(&self, stage: &Stage) -> Option<&From> {
        match &self.instructions.get(stage.from)?.kind {
            InstructionKind::From(from) => Some(from),
            _ => None,
        }
    }

    /// A stage by name (case-insensitive) or index.
    pub fn find_stage(&self, name_or_index: &str) -> Option<&Stage> {
        let lower = name_or_index.to_lowercase();
        self.stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .or_else(|| {
                name_or_index
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| self.stages.get(i))
            })
    }
}

struct Ctx<'a> {
    node: &'a Node,
    source: &'a str,
    diagnostics: &'a mut Vec<Diagnostic>,
    severity: Severity,
}

impl Ctx<'_> {
    fn error(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        span: Span,
    ) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::new(self.severity, code, message, span));
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn flags(&mut self, declared: &[(&'static str, FlagType)]) -> FlagValues {
        let mut diags = Vec::new();
        let values = parse_flags(
            &self.node.flags,
            declared,
            self.node.kind.as_str(),
            &mut diags,
        );
        for mut d in diags {
            d.severity = self.severity;
            self.diagnostics.push(d);
        }
        values
    }

    fn args_span(&self) -> Span {
        match (self.node.args.first(), self.node.args.last()) {
            (Some(first), Some(last)) => first.span.cover(last.span),
            _ => Span::empty(self.node.keyword_span.end),
        }
    }

    fn word(arg: &Arg) -> Word {
        Word::new(arg.value.clone(), arg.span)
    }

    fn command_line(&self) -> Option<CommandLine> {
        let args = &self.node.args;
        if self.node.json {
            Some(CommandLine::Exec(args.iter().map(Self::word).collect()))
        } else {
            args.first().map(|a| CommandLine::Shell(Self::word(a)))
        }
    }

    fn exactly_one(&mut self, name: &str) -> Word {
        if self.node.args.len() != 1 {
            let span = self.args_span();
            self.error(
                codes::ARGUMENT_COUNT,
                format!("{name} requires exactly one argument"),
                span,
            );
        }
        self.node.args.first().map(Self::word).unwrap_or_default()
    }

    fn at_least_one(&mut self, name: &str) {
        if self.node.args.is_empty() {
            let span = self.node.keyword_span;
            self.error(
                codes::ARGUMENT_COUNT,
                format!("{name} requires at least one argument"),
                span,
            );
        }
    }

    fn key_values(&mut self, name: &str) -> Vec<KeyValue> {
        self.at_least_one(name);
        let mut pairs = Vec::new();
        for triple in self.node.args.chunks(3) {
            let [key, value, sep] = triple else { continue };
            if key.value.is_empty() {
                self.error(
                    codes::ARGUMENT_COUNT,
                    format!("{name} names can not be blank"),
                    key.span.cover(value.span),
                );
            }
            pairs.push(KeyValue {
                key: Self::word(key),
                value: Self::word(value),
                legacy: sep.value.is_empty(),
            });
        }
        pairs
    }
}

fn build_instruction(
    node: &Node,
    source: &str,
    index: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Instruction {
    let mut ctx = Ctx {
        node,
        source,
        diagnostics,
        severity: Severity::Error,
    };
    let kind = build_kind(&mut ctx);
    Instruction {
        span: node.span,
        keyword_span: node.keyword_span,
        start_line: node.start_line,
        end_line: node.end_line,
        node: index,
        kind,
    }
}

fn build_kind(ctx: &mut Ctx<'_>) -> InstructionKind {
    let node = ctx.node;
    match node.kind {
        Keyword::From => InstructionKind::From(build_from(ctx)),
        Keyword::Run => InstructionKind::Run(build_run(ctx)),
        Keyword::Cmd => {
            ctx.flags(&[]);
            InstructionKind::Cmd(ctx.command_line().unwrap_or(CommandLine::Exec(Vec::new())))
        }
        Keyword::Entrypoint => {
            ctx.flags(&[]);
            InstructionKind::Entrypoint(ctx.command_line().unwrap_or(CommandLine::Exec(Vec::new())))
        }
        Keyword::Shell => {
            ctx.flags(&[]);
            if node.args.is_empty() {
                let span = ctx.node.keyword_span;
                ctx.error(
                    codes::ARGUMENT_COUNT,
                    "SHELL requires at least one argument",
                    span,
                );
            } else if !node.json {
                let span = ctx.args_span();
                ctx.error(
                    codes::INVALID_VALUE,
                    "SHELL requires the arguments to be in JSON form",
                    span,
                )
                .help =
                    Some("write it as a JSON array, e.g. `SHELL [\"/bin/bash\", \"-c\"]`".into());
            }
            InstructionKind::Shell(node.args.iter().map(Ctx::word).collect())
        }
        Keyword::Env => {
            ctx.flags(&[]);
            InstructionKind::Env(ctx.key_values("ENV"))
        }
        Keyword::Label => {
            ctx.flags(&[]);
            InstructionKind::Label(ctx.key_values("LABEL"))
        }
        Keyword::Maintainer => {
            let word = ctx.exactly_one("MAINTAINER");
            ctx.flags(&[]);
            InstructionKind::Maintainer(word)
        }
        Keyword::Expose => {
            ctx.at_least_one("EXPOSE");
            ctx.flags(&[]);
            InstructionKind::Expose(node.args.iter().map(Ctx::word).collect())
        }
        Keyword::User => {
            let word = ctx.exactly_one("USER");
            ctx.flags(&[]);
            InstructionKind::User(word)
        }
        Keyword::Workdir => {
            let word = ctx.exactly_one("WORKDIR");
            ctx.flags(&[]);
            InstructionKind::Workdir(word)
        }
        Keyword::Volume => {
            ctx.at_least_one("VOLUME");
            ctx.flags(&[]);
            for arg in &node.args {
                if arg.value.trim().is_empty() {
                    ctx.error(
                        codes::INVALID_VALUE,
                        "VOLUME specified can not be an empty string",
                        arg.span,
                    );
                }
            }
            InstructionKind::Volume(node.args.iter().map(Ctx::word).collect())
        }
        // BuildKit never parses STOPSIGNAL's flags, so none are reported.
        Keyword::Stopsignal => InstructionKind::Stopsignal(ctx.exactly_one("STOPSIGNAL")),
        Keyword::Arg => InstructionKind::Arg(build_arg(ctx)),
        Keyword::Copy => InstructionKind::Copy(build_copy(ctx)),
        Keyword::Add => InstructionKind::Add(build_add(ctx)),
        Keyword::Healthcheck => InstructionKind::Healthcheck(build_healthcheck(ctx)),
        Keyword::Onbuild => InstructionKind::Onbuild(build_onbuild(ctx)),
        Keyword::Unknown => {
            let names: Vec<&str> = Keyword::ALL.iter().map(|k| k.as_str()).collect();
            let suggestion = crate::suggest::did_you_mean(&node.keyword, &names);
            let span = node.keyword_span;
            let d = ctx.error(
                codes::UNKNOWN_INSTRUCTION,
                format!("unknown instruction: {}", node.keyword),
                span,
            );
            if let Some(s) = suggestion {
                d.help = Some(format!("did you mean `{s}`?"));
            }
            InstructionKind::Unknown(Word::new(node.keyword.clone(), node.keyword_span))
        }
    }
}

fn build_from(ctx: &mut Ctx<'_>) -> From {
    let args = &ctx.node.args;
    let mut from = From {
        image: args.first().map(Ctx::word).unwrap_or_default(),
        ..From::default()
    };
    match args.len() {
        1 => {}
        3 if args[1].value.eq_ignore_ascii_case("as") => {
            from.as_keyword = Some(Ctx::word(&args[1]));
            let name = Ctx::word(&args[2]);
            if !is_valid_stage_name(&name.text.to_lowercase()) {
                ctx.error(
                    codes::INVALID_STAGE_NAME,
                    format!(
                        "invalid name for build stage: {}, name can't start with a number or contain symbols",
                        crate::go_quote(&name.text)
                    ),
                    name.span,
                )
                .help = Some("stage names match `[a-z][a-z0-9-_.]*`".into());
            }
            from.name = Some(name);
        }
        _ => {
            let span = ctx.args_span();
            ctx.error(
                codes::ARGUMENT_COUNT,
                "FROM requires either one or three arguments",
                span,
            )
            .help = Some("write `FROM <image>` or `FROM <image> AS <name>`".into());
        }
    }
    let flags = ctx.flags(&[("platform", FlagType::String)]);
    from.platform = flags.string("platform");
    from
}

fn is_valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

fn build_run(ctx: &mut Ctx<'_>) -> Run {
    let flags = ctx.flags(&[
        ("mount", FlagType::Strings),
        ("network", FlagType::String),
        ("security", FlagType::String),
        ("device", FlagType::Strings),
    ]);
    let mut mounts = Vec::new();
    for spec in flags.strings("mount") {
        mounts.push(crate::mount::parse_mount(
            &spec.text,
            spec.span,
            ctx.diagnostics,
        ));
    }
    let network = flags.string("network").and_then(|w| match w.text.as_str() {
        "default" => Some(NetworkMode::Default),
        "none" => Some(NetworkMode::None),
        "host" => Some(NetworkMode::Host),
        other => {
            ctx.error(
                codes::INVALID_VALUE,
                format!("unsupported network mode \"{other}\""),
                w.span,
            )
            .help = Some("use `default`, `none` or `host`".into());
            None
        }
    });
    let security = flags
        .string("security")
        .and_then(|w| match w.text.as_str() {
            "sandbox" => Some(SecurityMode::Sandbox),
            "insecure" => Some(SecurityMode::Insecure),
            other => {
                ctx.error(
                    codes::INVALID_VALUE,
                    format!("unsupported security mode \"{other}\""),
                    w.span,
                )
                .help = Some("use `sandbox` or `insecure`".into());
                None
            }
        });
    Run {
        command: ctx.command_line(),
        mounts,
        network,
        security,
        devices: flags.strings("device"),
        heredocs: ctx.node.heredocs.clone(),
    }
}

fn build_arg(ctx: &mut Ctx<'_>) -> Vec<ArgDecl> {
    ctx.at_least_one("ARG");
    let mut decls = Vec::new();
    for arg in &ctx.node.args {
        let (name, default) = match arg.value.split_once('=') {
            Some((name, value)) => {
                let eq = arg.span.start + name.len() as u32;
                // Offsets line up because ARG words are raw source text.
                (
                    Word::new(name, Span::new(arg.span.start, eq)),
                    Some(Word::new(value, Span::new(eq + 1, arg.span.end))),
                )
            }
            None => (Ctx::word(arg), None),
        };
        if name.text.is_empty() {
            ctx.error(
                codes::ARGUMENT_COUNT,
                "ARG names can not be blank",
                arg.span,
            );
        }
        let description = description_for(&ctx.node.prev_comment, &name.text);
        decls.push(ArgDecl {
            name,
            default,
            description,
        });
    }
    decls
}

/// BuildKit's `getComment`: a comment line starting with `NAME ` describes NAME.
fn description_for(comments: &[String], name: &str) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    comments.iter().find_map(|line| {
        line.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(' '))
            .map(str::to_owned)
    })
}

fn sources_and_dest(ctx: &mut Ctx<'_>, name: &str) -> SourcesAndDest {
    let args = &ctx.node.args;
    if args.len() < 2 {
        let span = ctx.args_span();
        ctx.error(
            codes::ARGUMENT_COUNT,
            format!("{name} requires at least two arguments, but only one was provided. Destination could not be determined"),
            span,
        );
    }
    let Some((dest, sources)) = args.split_last() else {
        return SourcesAndDest::default();
    };
    if !ctx.node.json && parse_heredoc_word(&dest.value).ok().flatten().is_some() {
        ctx.error(
            codes::INVALID_VALUE,
            format!("{name} cannot accept a heredoc as a destination"),
            dest.span,
        );
    }
    let mut out = SourcesAndDest {
        dest: Ctx::word(dest),
        ..SourcesAndDest::default()
    };
    for src in sources {
        match (!ctx.node.json)
            .then(|| parse_heredoc_word(&src.value).ok().flatten())
            .flatten()
        {
            Some(doc) => {
                let body = ctx.node.heredocs.iter().find(|h| h.name == doc.name);
                let content = body.map(|h| {
                    if doc.chomp {
                        h.chomped().into_owned()
                    } else {
                        h.content.clone()
                    }
                });
                out.inline.push(InlineSource {
                    name: doc.name,
                    content: content.unwrap_or_default(),
                    expand: doc.expand,
                    span: src.span,
                });
            }
            None => out.sources.push(Ctx::word(src)),
        }
    }
    out
}

fn build_copy(ctx: &mut Ctx<'_>) -> Copy {
    let flags = ctx.flags(&[
        ("chown", FlagType::String),
        ("from", FlagType::String),
        ("chmod", FlagType::String),
        ("link", FlagType::Bool),
        ("parents", FlagType::Bool),
        ("exclude", FlagType::Strings),
    ]);
    let paths = sources_and_dest(ctx, "COPY");
    let from = flags.string("from");
    if let Some(from) = &from {
        // BuildKit refuses `--from` values that expansion would change.
        let expanded = crate::Lexer::default().process_word(&from.text, &crate::EmptyEnv);
        if expanded.as_deref() != Ok(from.text.as_str()) {
            ctx.error(
                codes::INVALID_VALUE,
                format!("variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround: {}", from.text),
                from.span,
            );
        }
    }
    Copy {
        paths,
        from,
        chown: flags.string("chown"),
        chmod: flags.string("chmod"),
        link: flags.boolean("link"),
        parents: flags.boolean("parents"),
        exclude: flags.strings("exclude"),
    }
}

fn build_add(ctx: &mut Ctx<'_>) -> Add {
    let flags = ctx.flags(&[
        ("chown", FlagType::String),
        ("chmod", FlagType::String),
        ("link", FlagType::Bool),
        ("keep-git-dir", FlagType::Bool),
        ("checksum", FlagType::String),
        ("unpack", FlagType::Bool),
        ("exclude", FlagType::Strings),
    ]);
    Add {
        paths: sources_and_dest(ctx, "ADD"),
        chown: flags.string("chown"),
        chmod: flags.string("chmod"),
        checksum: flags.string("checksum"),
        link: flags.boolean("link"),
        keep_git_dir: flags.boolean("keep-git-dir"),
        unpack: flags.boolean("unpack"),
        exclude: flags.strings("exclude"),
    }
}

fn build_healthcheck(ctx: &mut Ctx<'_>) -> Healthcheck {
    let node = ctx.node;
    let Some(typ) = node.args.first() else {
        let span = node.keyword_span;
        ctx.error(
            codes::ARGUMENT_COUNT,
            "HEALTHCHECK requires at least one argument",
            span,
        )
        .help = Some("write `HEALTHCHECK NONE` or `HEALTHCHECK [options] CMD <command>`".into());
        return Healthcheck::None;
    };
    let rest = &node.args[1..];
    if typ.value.eq_ignore_ascii_case("NONE") {
        if !rest.is_empty() {
            let span = rest[0].span.cover(rest[rest.len() - 1].span);
            ctx.error(
                codes::ARGUMENT_COUNT,
                "HEALTHCHECK NONE takes no arguments",
                span,
            );
        }
        return Healthcheck::None;
    }
    let flags = ctx.flags(&[
        ("interval", FlagType::String),
        ("timeout", FlagType::String),
        ("start-period", FlagType::String),
        ("start-interval", FlagType::String),
        ("retries", FlagType::String),
    ]);
    if !typ.value.eq_ignore_ascii_case("CMD") {
        ctx.error(
            codes::INVALID_VALUE,
            format!(
                "Unknown type {} in HEALTHCHECK (try CMD)",
                crate::go_quote(&typ.value.to_uppercase())
            ),
            typ.span,
        );
    }
    let command = if node.json {
        CommandLine::Exec(rest.iter().map(Ctx::word).collect())
    } else {
        rest.first().map_or(CommandLine::Exec(Vec::new()), |a| {
            CommandLine::Shell(Ctx::word(a))
        })
    };
    let empty = match &command {
        CommandLine::Exec(v) => v.is_empty(),
        CommandLine::Shell(w) => w.text.is_empty(),
    };
    if empty && typ.value.eq_ignore_ascii_case("CMD") {
        ctx.error(
            codes::ARGUMENT_COUNT,
            "Missing command after HEALTHCHECK CMD",
            typ.span,
        );
    }
    let mut duration = |name: &str| -> Option<u64> {
        let word = flags.string(name)?;
        match parse_go_duration(&word.text) {
            Some(0) => Some(0),
            Some(ns) if ns < 1_000_000 => {
                ctx.error(
                    codes::INVALID_VALUE,
                    format!("Interval \"{name}\" cannot be less than 1ms"),
                    word.span,
                );
                None
            }
            Some(ns) => Some(ns),
            None => {
                ctx.error(
                    codes::INVALID_VALUE,
                    format!("time: invalid duration \"{}\"", word.text),
                    word.span,
                )
                .help = Some("use a Go duration such as `30s`, `1m30s` or `500ms`".into());
                None
            }
        }
    };
    let interval = duration("interval");
    let timeout = duration("timeout");
    let start_period = duration("start-period");
    let start_interval = duration("start-interval");
    let retries = flags
        .string("retries")
        .and_then(|w| match w.text.parse::<i32>() {
            Ok(n) if n < 0 => {
                ctx.error(
                    codes::INVALID_VALUE,
                    format!("--retries cannot be negative ({n})"),
                    w.span,
                );
                None
            }
            Ok(n) => u32::try_from(n).ok(),
            Err(_) => {
                ctx.error(
                    codes::INVALID_VALUE,
                    format!("strconv.ParseInt: parsing \"{}\": invalid syntax", w.text),
                    w.span,
                );
                None
            }
        });
    Healthcheck::Cmd {
        command,
        interval,
        timeout,
        start_period,
        start_interval,
        retries,
    }
}

/// Go's `time.ParseDuration`, in nanoseconds (negative durations are rejected: `None`).
pub fn parse_go_duration(text: &str) -> Option<u64> {
    let mut s = text;
    let negative = s.starts_with('-');
    s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s == "0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !s.is_empty() {
        let num_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let number = &s[..num_end];
        if number.is_empty() || number == "." {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        s = &s[num_end..];
        let unit_end = s
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(s.len());
        let unit = match &s[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        s = &s[unit_end..];
        total += value * unit;
    }
    if negative && total > 0.0 {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "bounded to a finite non-negative value"
    )]
    (total.is_finite() && total < 9.3e18).then_some(total as u64)
}

fn build_onbuild(ctx: &mut Ctx<'_>) -> Onbuild {
    let node = ctx.node;
    ctx.flags(&[]);
    let Some(sub) = &node.sub else {
        let span = node.keyword_span;
        ctx.error(
            codes::ARGUMENT_COUNT,
            "ONBUILD requires at least one argument",
            span,
        );
        return Onbuild {
            expression: String::new(),
            trigger: None,
        };
    };
    match sub.kind {
        Keyword::Onbuild => {
            ctx.error(
                codes::INVALID_TRIGGER,
                "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                sub.keyword_span,
            );
        }
        Keyword::From | Keyword::Maintainer => {
            ctx.error(
                codes::INVALID_TRIGGER,
                format!(
                    "{} isn't allowed as an ONBUILD trigger",
                    sub.keyword.to_uppercase()
                ),
                sub.keyword_span,
            );
        }
        _ => {}
    }
    // The stored expression: the text after ONBUILD, heredocs put back.
    let trimmed = node.original(ctx.source).trim_start();
    let after_keyword = trimmed.get(node.keyword.len()..).unwrap_or("").trim_start();
    let mut expression = after_keyword.to_owned();
    for heredoc in &node.heredocs {
        expression.push('\n');
        expression.push_str(&heredoc.content);
        expression.push_str(&heredoc.name);
    }
    // BuildKit checks the trigger only when a child image builds; we check it now and report
    // its problems as warnings.
    let mut sub_node = (**sub).clone();
    sub_node.heredocs.clone_from(&node.heredocs);
    let mut sub_diags = Vec::new();
    let mut sub_ctx = Ctx {
        node: &sub_node,
        source: ctx.source,
        diagnostics: &mut sub_diags,
        severity: Severity::Warning,
    };
    let kind = build_kind(&mut sub_ctx);
    for mut d in sub_diags {
        d.code = codes::INVALID_TRIGGER;
        d.notes
            .push("BuildKit reports this only when an image is built FROM this one".into());
        ctx.diagnostics.push(d);
    }
    let trigger = Instruction {
        span: sub.span,
        keyword_span: sub.keyword_span,
        start_line: node.start_line,
        end_line: node.end_line,
        node: usize::MAX,
        kind,
    };
    Onbuild {
        expression,
        trigger: Some(Box::new(trigger)),
    }
}

#[cfg(test)]
mod tests;
