//! The shell model: simple commands with their words, flags and context, as plain data.

use serde::Serialize;
use stowage_diagnostics::{Diagnostic, Span};

/// A parsed RUN script (or any shell text): every simple command in source order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Script {
    /// Simple commands, in the order they appear (nested ones included, after their parent).
    pub commands: Vec<Command>,
    /// Shell syntax errors, with Dockerfile spans.
    pub diagnostics: Vec<Diagnostic>,
    /// The interpreter named by a `#!` line of a heredoc script (`RUN <<EOF` + `#!/usr/bin/env
    /// python3`): the body is then not shell and has no commands.
    pub shebang: Option<String>,
    /// `for NAME in WORDS` loops, in source order.
    pub loops: Vec<ForLoop>,
}

/// A `for NAME [in WORDS]` loop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForLoop {
    /// The loop variable.
    pub variable: String,
    /// The words after `in` (`None` without `in`: the positional parameters).
    pub values: Option<Vec<Word>>,
    /// The constructs the loop is inside, outermost first.
    pub nesting: Vec<Nesting>,
}

impl Script {
    /// Whether any pipeline joins two or more commands with `|` (or `|&`).
    pub fn has_pipe(&self) -> bool {
        self.commands.iter().any(|c| c.context.in_pipeline)
    }

    /// Commands called `name` (compared to the command word's literal value).
    pub fn commands_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Command> + 'a {
        self.commands.iter().filter(move |c| c.is(name))
    }

    /// Whether any command is called `name`.
    pub fn uses(&self, name: &str) -> bool {
        self.commands.iter().any(|c| c.is(name))
    }

    /// Whether the script could be parsed.
    pub fn is_valid(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

/// One simple command: `[assignments] name args [redirections]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Command {
    /// The command word; `None` for assignment-only or redirection-only commands.
    pub name: Option<Word>,
    /// The words after the name, redirections excluded.
    pub args: Vec<Word>,
    /// Flags read leniently from `args` (see [`Flag`]); `--` ends them.
    pub flags: Vec<Flag>,
    /// `NAME=value` words before the name.
    pub assignments: Vec<Assignment>,
    /// Redirections anywhere in the command.
    pub redirects: Vec<Redirect>,
    /// From the first to the last word, in the Dockerfile.
    pub span: Span,
    /// How the command is connected to what runs before it and what it is nested in.
    pub context: Context,
}

impl Command {
    /// The literal command name, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_ref().and_then(|w| w.value.as_deref())
    }

    /// Whether the command is called `name`.
    pub fn is(&self, name: &str) -> bool {
        self.name() == Some(name)
    }

    /// Whether any argument's text is `value` (e.g. a subcommand such as `install`).
    pub fn has_arg(&self, value: &str) -> bool {
        self.args.iter().any(|w| w.text == value)
    }

    /// Whether the first operand (the first argument that is not a flag) is one of `subs`.
    pub fn subcommand_is(&self, subs: &[&str]) -> bool {
        self.operands(&[])
            .next()
            .is_some_and(|w| subs.contains(&w.text.as_str()))
    }

    /// Whether a flag called `name` (`y`, `no-install-recommends`) is present.
    pub fn has_flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f.name == name)
    }

    /// Whether any of the flags is present.
    pub fn has_any_flag(&self, names: &[&str]) -> bool {
        self.flags.iter().any(|f| names.contains(&f.name.as_str()))
    }

    /// How many times a flag is given (`-qq` counts two).
    pub fn flag_count(&self, name: &str) -> usize {
        self.flags.iter().filter(|f| f.name == name).count()
    }

    /// The value of the first flag called `name`: `--name=value`, or the next word for
    /// `--name value` / `-n value`.
    pub fn flag_value(&self, name: &str) -> Option<&str> {
        let flag = self.flags.iter().find(|f| f.name == name)?;
        if let Some(v) = &flag.value {
            return Some(v);
        }
        let word = self.args.get(flag.word)?;
        // Only the last letter of a short cluster can take the next word as its value.
        let last = word.text.chars().last();
        if word.text.starts_with("--") || last.is_some_and(|c| c.to_string() == name) {
            self.args.get(flag.word + 1).map(|w| w.text.as_str())
        } else {
            None
        }
    }

    /// The arguments that are not flags. Flags named in `takes_value` consume the next word
    /// unless they carry `=value`; everything after `--` is an operand.
    pub fn operands<'a>(&'a self, takes_value: &'a [&'a str]) -> impl Iterator<Item = &'a Word> {
        let mut skip_next = false;
        let mut ended = false;
        self.args.iter().filter(move |w| {
            if skip_next {
                skip_next = false;
                return false;
            }
            if ended {
                return true;
            }
            let t = w.text.as_str();
            if t == "--" {
                ended = true;
                return false;
            }
            if let Some(long) = t.strip_prefix("--") {
                skip_next = !long.contains('=') && takes_value.contains(&long);
                return false;
            }
            if let Some(short) = t.strip_prefix('-')
                && !short.is_empty()
            {
                if !short.contains('=') {
                    let last = short.chars().last().map(String::from).unwrap_or_default();
                    skip_next = takes_value.contains(&last.as_str());
                }
                return false;
            }
            true
        })
    }

    /// The arguments as text (quotes removed where literal).
    pub fn arg_texts(&self) -> impl Iterator<Item = &str> {
        self.args.iter().map(|w| w.text.as_str())
    }
}

/// How a command is connected and nested.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    /// The operator before this command in its list (`Start` for the first).
    pub connective: Connective,
    /// Whether the command is part of a pipeline of two or more commands.
    pub in_pipeline: bool,
    /// The constructs the command is inside, outermost first.
    pub nesting: Vec<Nesting>,
}

impl Context {
    /// Whether the command sits inside `kind` at any depth.
    pub fn is_inside(&self, kind: Nesting) -> bool {
        self.nesting.contains(&kind)
    }
}

/// The operator that connects a command to the one before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Connective {
    /// First command of its list.
    #[default]
    Start,
    /// After `&&`.
    And,
    /// After `||`.
    Or,
    /// After `;` or a newline.
    Sequence,
    /// After `&` (the previous command runs in the background).
    Async,
    /// After `|` in a pipeline.
    Pipe,
}

/// A construct a command can be nested in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nesting {
    /// `( ... )`
    Subshell,
    /// `{ ...; }`
    BraceGroup,
    /// `if` condition or branches.
    If,
    /// `for` body.
    For,
    /// `while` / `until` condition or body.
    While,
    /// A `case` branch.
    Case,
    /// A function body.
    Function,
    /// `$( ... )` or backquotes.
    CommandSubstitution,
    /// `<( ... )` / `>( ... )`.
    ProcessSubstitution,
    /// The literal script of `sh -c '...'` / `bash -c "..."`.
    ShellC,
}

/// A shell word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Word {
    /// The word as written.
    pub raw: String,
    /// The word with quotes removed and escapes applied; expansions stay as written.
    pub text: String,
    /// The value when the word is fully literal (no expansion of any kind).
    pub value: Option<String>,
    /// Whether any part is quoted or escaped.
    pub quoted: bool,
    /// Whether the word holds a parameter, command, arithmetic or tilde expansion.
    pub expansion: bool,
    /// Where the word is in the Dockerfile.
    pub span: Span,
    /// The pieces of the word with their quoting, in order.
    pub parts: Vec<WordPart>,
}

impl Word {
    /// Whether any part is an unquoted expansion (`$x`, `$(cmd)`, `$((n))`).
    pub fn has_unquoted_expansion(&self) -> bool {
        self.parts
            .iter()
            .any(|p| p.quoting == Quoting::Unquoted && p.kind.is_expansion())
    }
}

/// A piece of a word: literal text or one expansion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordPart {
    /// What the piece is.
    pub kind: PartKind,
    /// How it is quoted.
    pub quoting: Quoting,
    /// The piece as written (for a quoted literal: without its quotes).
    pub raw: String,
    /// Where it is in the Dockerfile (the whole word when it cannot be placed exactly).
    pub span: Span,
}

/// The kind of a [`WordPart`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum PartKind {
    /// Literal text (quotes removed, escapes applied).
    Literal {
        /// The text.
        text: String,
    },
    /// `$name`, `${name}`, `${name:-x}`, `${#name}`, `$1`, `$@`.
    Parameter {
        /// The parameter name (`x`, `1`, `@`, `?`).
        name: String,
        /// Whether an operator follows the name (`${x:-d}`, `${x#p}`, `${x/a/b}`).
        operator: Option<String>,
        /// `${#name}`: the length.
        length: bool,
    },
    /// `$(...)` or backquotes.
    CommandSubstitution,
    /// `$((...))`.
    Arithmetic,
    /// `~` or `~user`.
    Tilde,
}

impl PartKind {
    /// Whether the part expands to something computed.
    pub fn is_expansion(&self) -> bool {
        !matches!(self, PartKind::Literal { .. })
    }
}

/// How a [`WordPart`] is quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Quoting {
    /// Not quoted.
    Unquoted,
    /// Inside `'...'`.
    Single,
    /// Inside `"..."`.
    Double,
    /// Inside `$'...'`.
    AnsiC,
    /// A backslash escape (`\x`).
    Escaped,
}

/// A flag read from an argument.
///
/// Reading is lenient, as hadolint does it: `-abc` gives `a`, `b` and `c`; `--name=value` gives
/// `name` with a value; `-q=2` gives `q` with value `2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// The name without dashes.
    pub name: String,
    /// An inline `=value`.
    pub value: Option<String>,
    /// Index of the argument in [`Command::args`].
    pub word: usize,
}

/// `NAME=value` before a command name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The variable name.
    pub name: String,
    /// The value.
    pub value: Word,
    /// Where the assignment is.
    pub span: Span,
}

/// A redirection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    /// The operator (`>`, `>>`, `<`, `2>&1` is `>&`, `<<`, `<<<`, `&>`).
    pub op: String,
    /// The file descriptor written before the operator.
    pub fd: Option<i32>,
    /// The target word (file name, fd, or heredoc delimiter).
    pub target: Option<Word>,
}
