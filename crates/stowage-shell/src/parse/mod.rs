//! Shell text → [`Script`]: brush-parser's AST walked into the flat command model, with every
//! position mapped back into the Dockerfile.

mod words;

#[cfg(test)]
mod tests;

use brush_parser::ast;
use stowage_diagnostics::{Diagnostic, Span};

use crate::model::{
    Assignment, Command, Connective, Context, Flag, ForLoop, Nesting, Redirect, Script, Word,
    WordPart,
};
use crate::source::MappedText;
use words::{WordInfo, analyze_word};

/// Diagnostic codes of the shell parser.
pub mod codes {
    /// The script is not valid shell syntax.
    pub const SHELL_SYNTAX: &str = "shell-syntax";
}

/// How deep `$(...)` and `sh -c` may nest before the walker stops descending.
const MAX_DEPTH: usize = 16;

/// Parses `text` (already joined as the shell sees it) into a [`Script`].
pub(crate) fn parse_mapped(text: &MappedText) -> Script {
    let mut script = Script::default();
    parse_into(text, &[], 0, &mut script);
    script
}

fn parse_into(text: &MappedText, nesting: &[Nesting], depth: usize, out: &mut Script) {
    if text.text.trim().is_empty() {
        return;
    }
    let options = brush_parser::ParserOptions::default();
    let result = brush_parser::Parser::new(text.text.as_bytes(), &options).parse_program();
    let mut walker = Walker {
        map: text,
        chars: CharIndex::new(&text.text),
        out,
        depth,
    };
    match result {
        Ok(program) => {
            for list in &program.complete_commands {
                walker.compound_list(list, nesting);
            }
        }
        Err(err) => walker.error(&err),
    }
}

/// Char index → byte offset for non-ASCII scripts (brush-parser counts chars).
struct CharIndex {
    bytes: Option<Vec<u32>>,
    len: u32,
}

impl CharIndex {
    fn new(text: &str) -> Self {
        let bytes = (!text.is_ascii()).then(|| {
            let mut v: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
            v.push(text.len() as u32);
            v
        });
        Self {
            bytes,
            len: text.len() as u32,
        }
    }

    fn byte(&self, char_index: usize) -> u32 {
        match &self.bytes {
            Some(v) => v.get(char_index).copied().unwrap_or(self.len),
            None => (char_index as u32).min(self.len),
        }
    }
}

struct Walker<'a> {
    map: &'a MappedText,
    chars: CharIndex,
    out: &'a mut Script,
    depth: usize,
}

fn with(nesting: &[Nesting], kind: Nesting) -> Vec<Nesting> {
    let mut v = nesting.to_vec();
    v.push(kind);
    v
}

impl Walker<'_> {
    fn error(&mut self, err: &brush_parser::ParseError) {
        let end = self.map.text.len() as u32;
        let (offset, message) = match err {
            brush_parser::ParseError::ParsingNear(pos) => {
                (self.chars.byte(pos.index), "shell syntax error".to_owned())
            }
            brush_parser::ParseError::ParsingAtEndOfInput => (
                end,
                "shell syntax error: unexpected end of script".to_owned(),
            ),
            brush_parser::ParseError::Tokenizing { inner, position } => {
                use brush_parser::TokenizerError as T;
                // Point at the opening quote when the tokenizer says where it was.
                let opened = match inner {
                    T::UnterminatedSingleQuote(p)
                    | T::UnterminatedAnsiCQuote(p)
                    | T::UnterminatedDoubleQuote(p)
                    | T::UnterminatedBackquote(p)
                    | T::UnterminatedExtendedGlob(p) => Some(p),
                    _ => position.as_ref(),
                };
                let at = opened.map_or(end, |p| self.chars.byte(p.index));
                let text = inner.to_string();
                // Drop brush-parser's script-relative " at 1,6" suffix: spans say where.
                let text = match text
                    .rsplit_once(" at ")
                    .or_else(|| text.rsplit_once(" near "))
                {
                    Some((head, tail)) if tail.chars().all(|c| c.is_ascii_digit() || c == ',') => {
                        head.to_owned()
                    }
                    _ => text,
                };
                (
                    at,
                    format!("shell syntax error: {}", lowercase_first(&text)),
                )
            }
        };
        let at = self.map.source_offset(offset.min(end));
        let span = if offset < end {
            self.map
                .source_span(offset, next_char(&self.map.text, offset))
        } else {
            Span::empty(at)
        };
        self.out.diagnostics.push(
            Diagnostic::error(codes::SHELL_SYNTAX, message, span)
                .with_note("the shell would refuse this script, so the RUN fails"),
        );
    }

    fn compound_list(&mut self, list: &ast::CompoundList, nesting: &[Nesting]) {
        let mut connective = Connective::Start;
        for item in &list.0 {
            self.and_or(&item.0, connective, nesting);
            connective = match item.1 {
                ast::SeparatorOperator::Async => Connective::Async,
                ast::SeparatorOperator::Sequence => Connective::Sequence,
            };
        }
    }

    fn and_or(&mut self, list: &ast::AndOrList, first: Connective, nesting: &[Nesting]) {
        self.pipeline(&list.first, first, nesting);
        for next in &list.additional {
            match next {
                ast::AndOr::And(p) => self.pipeline(p, Connective::And, nesting),
                ast::AndOr::Or(p) => self.pipeline(p, Connective::Or, nesting),
            }
        }
    }

    fn pipeline(&mut self, pipeline: &ast::Pipeline, first: Connective, nesting: &[Nesting]) {
        let multi = pipeline.seq.len() > 1;
        for (i, command) in pipeline.seq.iter().enumerate() {
            let connective = if i == 0 { first } else { Connective::Pipe };
            self.command(command, connective, multi, nesting);
        }
    }

    fn command(
        &mut self,
        command: &ast::Command,
        connective: Connective,
        in_pipeline: bool,
        nesting: &[Nesting],
    ) {
        match command {
            ast::Command::Simple(simple) => self.simple(simple, connective, in_pipeline, nesting),
            ast::Command::Compound(compound, redirects) => {
                self.compound(compound, nesting);
                if let Some(list) = redirects {
                    for r in &list.0 {
                        self.redirect(r, nesting);
                    }
                }
            }
            ast::Command::Function(def) => {
                self.compound(&def.body.0, &with(nesting, Nesting::Function));
            }
            ast::Command::ExtendedTest(..) => {}
        }
    }

    fn compound(&mut self, compound: &ast::CompoundCommand, nesting: &[Nesting]) {
        match compound {
            ast::CompoundCommand::BraceGroup(g) => {
                self.compound_list(&g.list, &with(nesting, Nesting::BraceGroup));
            }
            ast::CompoundCommand::Subshell(s) => {
                self.compound_list(&s.list, &with(nesting, Nesting::Subshell));
            }
            ast::CompoundCommand::ForClause(f) => {
                let inner = with(nesting, Nesting::For);
                let values = f
                    .values
                    .as_ref()
                    .map(|ws| ws.iter().map(|w| self.word(w, &inner).0).collect());
                self.out.loops.push(ForLoop {
                    variable: f.variable_name.clone(),
                    values,
                    nesting: nesting.to_vec(),
                });
                self.compound_list(&f.body.list, &inner);
            }
            ast::CompoundCommand::ArithmeticForClause(f) => {
                self.compound_list(&f.body.list, &with(nesting, Nesting::For));
            }
            ast::CompoundCommand::CaseClause(c) => {
                let inner = with(nesting, Nesting::Case);
                let _ = self.word(&c.value, &inner);
                for item in &c.cases {
                    if let Some(list) = &item.cmd {
                        self.compound_list(list, &inner);
                    }
                }
            }
            ast::CompoundCommand::IfClause(i) => {
                let inner = with(nesting, Nesting::If);
                self.compound_list(&i.condition, &inner);
                self.compound_list(&i.then, &inner);
                for e in i.elses.iter().flatten() {
                    if let Some(c) = &e.condition {
                        self.compound_list(c, &inner);
                    }
                    self.compound_list(&e.body, &inner);
                }
            }
            ast::CompoundCommand::WhileClause(w) | ast::CompoundCommand::UntilClause(w) => {
                let inner = with(nesting, Nesting::While);
                self.compound_list(&w.0, &inner);
                self.compound_list(&w.1.list, &inner);
            }
            ast::CompoundCommand::Coprocess(c) => {
                self.command(&c.body, Connective::Start, false, nesting);
            }
            ast::CompoundCommand::Arithmetic(_) => {}
        }
    }

    fn simple(
        &mut self,
        simple: &ast::SimpleCommand,
        connective: Connective,
        in_pipeline: bool,
        nesting: &[Nesting],
    ) {
        let mut name = None;
        let mut args = Vec::new();
        let mut assignments = Vec::new();
        let mut redirects = Vec::new();
        let mut pending = Vec::new();
        let mut arg_infos = Vec::new();
        for item in simple.prefix.iter().flat_map(|p| &p.0) {
            match item {
                ast::CommandPrefixOrSuffixItem::AssignmentWord(a, w) => {
                    let (word, info) = self.word(w, nesting);
                    let value = match (self.word_range(w), w.value.find('=')) {
                        (Some((start, _)), Some(eq)) => {
                            let text = &w.value[eq + 1..];
                            let at = start + eq as u32 + 1;
                            self.word_at(text, Some((at, at + text.len() as u32))).0
                        }
                        _ => word.clone(),
                    };
                    pending.push(info);
                    assignments.push(Assignment {
                        name: a.name.to_string(),
                        value,
                        span: word.span,
                    });
                }
                ast::CommandPrefixOrSuffixItem::Word(w) => {
                    let (word, info) = self.word(w, nesting);
                    arg_infos.push(info);
                    args.push(word);
                }
                ast::CommandPrefixOrSuffixItem::IoRedirect(r) => {
                    redirects.push(self.redirect(r, nesting));
                }
                ast::CommandPrefixOrSuffixItem::ProcessSubstitution(_, s) => {
                    self.compound_list(&s.list, &with(nesting, Nesting::ProcessSubstitution));
                }
            }
        }
        if let Some(w) = &simple.word_or_name {
            let (word, info) = self.word(w, nesting);
            pending.push(info);
            name = Some(word);
        }
        for item in simple.suffix.iter().flat_map(|s| &s.0) {
            match item {
                ast::CommandPrefixOrSuffixItem::Word(w)
                | ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => {
                    let (word, info) = self.word(w, nesting);
                    arg_infos.push(info);
                    args.push(word);
                }
                ast::CommandPrefixOrSuffixItem::IoRedirect(r) => {
                    redirects.push(self.redirect(r, nesting));
                }
                ast::CommandPrefixOrSuffixItem::ProcessSubstitution(_, s) => {
                    self.compound_list(&s.list, &with(nesting, Nesting::ProcessSubstitution));
                }
            }
        }
        let span = assignments
            .iter()
            .map(|a| a.span)
            .chain(name.iter().map(|w| w.span))
            .chain(args.iter().map(|w| w.span))
            .chain(
                redirects
                    .iter()
                    .filter_map(|r| r.target.as_ref().map(|w| w.span)),
            )
            .reduce(Span::cover)
            .unwrap_or_default();
        let flags = read_flags(&args);
        let command = Command {
            name,
            args,
            flags,
            assignments,
            redirects,
            span,
            context: Context {
                connective,
                in_pipeline,
                nesting: nesting.to_vec(),
            },
        };
        let shell_c = self.shell_c_script(&command, &arg_infos);
        self.out.commands.push(command);
        // Nested scripts come after the command that holds them.
        if self.depth < MAX_DEPTH {
            let inner = with(nesting, Nesting::CommandSubstitution);
            for info in pending.iter().chain(&arg_infos) {
                for sub in &info.substitutions {
                    parse_into(sub, &inner, self.depth + 1, self.out);
                }
            }
            if let Some(script) = shell_c {
                parse_into(
                    &script,
                    &with(nesting, Nesting::ShellC),
                    self.depth + 1,
                    self.out,
                );
            }
        }
    }

    /// The literal script of `sh -c '...'`, mapped back into the source.
    fn shell_c_script(&self, command: &Command, infos: &[WordInfo]) -> Option<MappedText> {
        let name = command.name()?;
        let base = name.rsplit('/').next().unwrap_or(name);
        if !matches!(
            base,
            "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh"
        ) {
            return None;
        }
        let c_index = command.args.iter().position(|w| {
            w.text
                .strip_prefix('-')
                .is_some_and(|f| !f.starts_with('-') && f.contains('c'))
        })?;
        let script_index = c_index + 1;
        let word = command.args.get(script_index)?;
        word.value.as_ref()?;
        let info = infos.get(script_index)?;
        info.literal_text(self.map)
    }

    fn redirect(&mut self, r: &ast::IoRedirect, nesting: &[Nesting]) -> Redirect {
        let (fd, op, target) = match r {
            ast::IoRedirect::File(fd, kind, target) => {
                let word = match target {
                    ast::IoFileRedirectTarget::Filename(w)
                    | ast::IoFileRedirectTarget::Duplicate(w) => Some(self.word(w, nesting).0),
                    ast::IoFileRedirectTarget::Fd(_) => None,
                    ast::IoFileRedirectTarget::ProcessSubstitution(_, s) => {
                        self.compound_list(&s.list, &with(nesting, Nesting::ProcessSubstitution));
                        None
                    }
                };
                (*fd, kind.to_string(), word)
            }
            ast::IoRedirect::HereDocument(fd, doc) => {
                let op = if doc.remove_tabs { "<<-" } else { "<<" };
                (*fd, op.to_owned(), Some(self.plain_word(&doc.here_end)))
            }
            ast::IoRedirect::HereString(fd, w) => {
                (*fd, "<<<".to_owned(), Some(self.word(w, nesting).0))
            }
            ast::IoRedirect::OutputAndError(w, append) => {
                let op = if *append { "&>>" } else { "&>" };
                (None, op.to_owned(), Some(self.word(w, nesting).0))
            }
        };
        Redirect { op, fd, target }
    }

    /// The script range of a brush word, if its location is consistent with its text.
    fn word_range(&self, w: &ast::Word) -> Option<(u32, u32)> {
        let loc = w.loc.as_ref()?;
        let start = self.chars.byte(loc.start.index);
        let end = self.chars.byte(loc.end.index);
        if self.map.text.get(start as usize..end as usize) == Some(w.value.as_str()) {
            return Some((start, end));
        }
        // After a heredoc, brush-parser starts tokens at the previous token's end (leading
        // blanks included); the end stays right.
        let len = w.value.len() as u32;
        let start = end.checked_sub(len)?;
        (self.map.text.get(start as usize..end as usize) == Some(w.value.as_str()))
            .then_some((start, end))
    }

    /// A word without analysing its expansions (heredoc delimiters).
    fn plain_word(&self, w: &ast::Word) -> Word {
        let span = self
            .word_range(w)
            .map_or_else(Span::default, |(s, e)| self.map.source_span(s, e));
        Word {
            raw: w.value.clone(),
            text: w.value.clone(),
            value: Some(w.value.clone()),
            quoted: false,
            expansion: false,
            span,
            parts: Vec::new(),
        }
    }

    /// Analyses a word; nested scripts are returned in the info for the caller to parse.
    fn word(&self, w: &ast::Word, _nesting: &[Nesting]) -> (Word, WordInfo) {
        self.word_at(&w.value, self.word_range(w))
    }

    fn word_at(&self, raw: &str, range: Option<(u32, u32)>) -> (Word, WordInfo) {
        let base = range.map(|r| r.0);
        let info = analyze_word(raw, base, self.map);
        let span = range.map_or_else(
            || Span::empty(self.map.source_offset(self.map.text.len() as u32)),
            |(s, e)| self.map.source_span(s, e),
        );
        let parts = info
            .parts
            .iter()
            .map(|p| WordPart {
                kind: p.kind.clone(),
                quoting: p.quoting,
                raw: p.raw.clone(),
                span: match range {
                    Some((s, _)) if p.start <= p.end => {
                        self.map.source_span(s + p.start, s + p.end)
                    }
                    _ => span,
                },
            })
            .collect();
        let word = Word {
            raw: raw.to_owned(),
            text: info.text.clone(),
            value: info.value.clone(),
            quoted: info.quoted,
            expansion: info.expansion,
            span,
            parts,
        };
        (word, info)
    }
}

/// Reads flags leniently from arguments, stopping at `--`.
pub(crate) fn read_flags(args: &[Word]) -> Vec<Flag> {
    let mut flags = Vec::new();
    for (i, w) in args.iter().enumerate() {
        let t = w.text.as_str();
        if t == "--" {
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (long, None),
            };
            flags.push(Flag {
                name: name.to_owned(),
                value,
                word: i,
            });
        } else if let Some(short) = t.strip_prefix('-') {
            let (letters, value) = match short.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (short, None),
            };
            let count = letters.chars().count();
            for (k, c) in letters.chars().enumerate() {
                flags.push(Flag {
                    name: c.to_string(),
                    value: if k + 1 == count { value.clone() } else { None },
                    word: i,
                });
            }
        }
    }
    flags
}

fn next_char(text: &str, offset: u32) -> u32 {
    text.get(offset as usize..)
        .and_then(|s| s.chars().next())
        .map_or(offset, |c| offset + c.len_utf8() as u32)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_lowercase().chain(chars).collect::<String>()
    })
}
