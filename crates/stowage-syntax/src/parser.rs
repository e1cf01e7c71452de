//! Bytes → raw nodes, following BuildKit's `parser.Parse` line by line, with byte spans and
//! error recovery added: problems become diagnostics and parsing goes on.

use compact_str::CompactString;
use serde::Serialize;
use smallvec::SmallVec;
use stowage_diagnostics::{Diagnostic, Span};

use crate::json::{JsonArray, parse_json_array};
use crate::node::{Arg, Comment, Directive, Flag, Heredoc, Keyword, Node, Original};

/// Longest physical line BuildKit's scanner accepts (Go `bufio.MaxScanTokenSize - 1`).
pub const MAX_LINE_LEN: usize = 65_535;

/// The parser's output: every instruction, directive and comment, plus diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parse {
    /// One node per instruction, in source order.
    pub nodes: Vec<Node>,
    /// Parser directives at the top of the file.
    pub directives: Vec<Directive>,
    /// Every comment line (directives excluded).
    pub comments: Vec<Comment>,
    /// The escape character in effect (`\` or `` ` ``).
    pub escape: char,
    /// Parser-level problems: errors where BuildKit's parser would fail, warnings where it warns.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parse {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The value of a directive, by lower-case name.
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }
}

/// Diagnostic codes of the parser layer.
pub mod codes {
    /// The file has no instruction.
    pub const NO_INSTRUCTIONS: &str = "no-instructions";
    /// A directive appears twice.
    pub const DUPLICATE_DIRECTIVE: &str = "duplicate-directive";
    /// `# escape=` with something other than `\` or `` ` ``.
    pub const INVALID_ESCAPE: &str = "invalid-escape";
    /// A physical line longer than BuildKit accepts.
    pub const LINE_TOO_LONG: &str = "line-too-long";
    /// A blank line inside a continuation (BuildKit's `NoEmptyContinuation`).
    pub const EMPTY_CONTINUATION: &str = "empty-continuation";
    /// ENV/LABEL without a value, or a word without `=`.
    pub const KEY_VALUE_SYNTAX: &str = "key-value-syntax";
    /// A JSON array holding something other than strings.
    pub const JSON_NOT_STRINGS: &str = "json-not-strings";
    /// End of file inside a heredoc body.
    pub const UNTERMINATED_HEREDOC: &str = "unterminated-heredoc";
    /// A heredoc delimiter that cannot be lexed.
    pub const INVALID_HEREDOC: &str = "invalid-heredoc";
}

/// Parses a Dockerfile. Never fails: problems are in [`Parse::diagnostics`].
pub fn parse(source: &str) -> Parse {
    // Spans are u32: refuse to index past 4 GiB rather than wrap.
    let source = if source.len() > u32::MAX as usize {
        let mut end = u32::MAX as usize;
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        &source[..end]
    } else {
        source
    };
    let mut parser = Parser {
        src: source,
        pos: 0,
        escape: b'\\',
        directives_done: false,
        seen_directives: Vec::new(),
        line_no: 0,
        pending_comments: Vec::new(),
        joined: Joined::default(),
        word_buf: Vec::new(),
        out: Parse {
            nodes: Vec::with_capacity(source.len() / 80 + 1),
            directives: Vec::new(),
            comments: Vec::new(),
            escape: '\\',
            diagnostics: Vec::new(),
        },
    };
    parser.run();
    parser.out.escape = char::from(parser.escape);
    parser.out
}

/// One physical line: `start..content_end` is its text without trailing CR/LF characters.
#[derive(Debug, Clone, Copy)]
struct PhysLine {
    start: usize,
    content_end: usize,
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    escape: u8,
    directives_done: bool,
    seen_directives: Vec<String>,
    line_no: u32,
    pending_comments: Vec<String>,
    /// Reused for every instruction to avoid allocating per line.
    joined: Joined,
    word_buf: Vec<(usize, usize)>,
    out: Parse,
}

/// Go's `unicode.IsSpace` on a whole char.
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

const BLANK: u8 = 1;
const QUOTE: u8 = 2;
const BACKSLASH: u8 = 4;
const BACKTICK: u8 = 8;
const NON_ASCII: u8 = 16;

/// What each byte is to the word scanner: Go's ASCII blanks (`unicode.IsSpace`), quotes, the
/// two possible escape tokens, and the start or middle of a non-ASCII char.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' => BLANK,
            b'\'' | b'"' => QUOTE,
            b'\\' => BACKSLASH,
            b'`' => BACKTICK,
            0x80..=0xff => NON_ASCII,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// BuildKit's `[\t\v\f\r ]` class (the instruction/argument separator).
fn is_sep_byte(b: u8) -> bool {
    matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Go's ASCII `unicode.IsSpace` set.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

fn trim_start_offset(s: &str) -> usize {
    // Nearly all text is ASCII: skip bytes, and fall back to chars only at a non-ASCII one.
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b >= 0x80 {
            return i + (s.len() - i - s[i..].trim_start_matches(is_space).len());
        }
        if !is_ascii_space(b) {
            return i;
        }
        i += 1;
    }
    i
}

fn trim_end_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = bytes.len();
    while i > 0 {
        let b = bytes[i - 1];
        if b >= 0x80 {
            return s[..i].trim_end_matches(is_space).len();
        }
        if !is_ascii_space(b) {
            return i;
        }
        i -= 1;
    }
    0
}

fn is_comment(s: &str) -> bool {
    s.as_bytes().get(trim_start_offset(s)) == Some(&b'#')
}

impl Parser<'_> {
    fn next_line(&mut self) -> Option<PhysLine> {
        if self.pos >= self.src.len() {
            return None;
        }
        let mut start = self.pos;
        if start == 0 && self.src.starts_with('\u{feff}') {
            start = 3;
        }
        let bytes = self.src.as_bytes();
        let end = memchr_newline(bytes, self.pos).map_or(bytes.len(), |i| i + 1);
        let mut content_end = end;
        while content_end > start && matches!(bytes[content_end - 1], b'\n' | b'\r') {
            content_end -= 1;
        }
        let physical_start = self.pos;
        self.pos = end;
        // The BOM counts towards the scanner's limit; the newline does not.
        let line_len = end - physical_start - usize::from(bytes[end - 1] == b'\n');
        if line_len > MAX_LINE_LEN {
            let span = Span::new(start as u32, content_end as u32);
            self.out.diagnostics.push(Diagnostic::error(
                codes::LINE_TOO_LONG,
                format!("dockerfile line greater than max allowed size of {MAX_LINE_LEN}"),
                span,
            ));
        }
        Some(PhysLine { start, content_end })
    }

    fn text(&self, start: usize, end: usize) -> &str {
        &self.src[start..end]
    }

    fn push_diag(&mut self, d: Diagnostic) {
        self.out.diagnostics.push(d);
    }

    fn run(&mut self) {
        while let Some(line) = self.next_line() {
            let raw = self.text(line.start, line.content_end);
            let raw_is_comment = is_comment(raw);
            let lead = trim_start_offset(raw);
            if raw_is_comment {
                self.collect_comment(line);
            }
            let token_start = line.start + lead;
            let directive_ok = self.possible_directive(token_start, line.content_end);
            if directive_ok {
                self.pending_comments.pop();
                self.out.comments.pop();
            }
            self.line_no += 1;
            let start_line = self.line_no;
            let token_end = if is_comment(self.text(token_start, line.content_end)) {
                token_start
            } else {
                line.content_end
            };
            let (token_end_trimmed, end_of_line) = self.trim_continuation(token_start, token_end);
            if end_of_line && token_end_trimmed == token_start {
                continue;
            }
            let mut joined = std::mem::take(&mut self.joined);
            joined.clear();
            joined.push(self.text(token_start, token_end_trimmed), token_start);
            let mut end_of_line = end_of_line;
            let mut first_empty_continuation: Option<Span> = None;
            let mut last_end = line.content_end;
            while !end_of_line {
                let Some(next) = self.next_line() else { break };
                self.line_no += 1;
                last_end = next.content_end;
                let text = self.text(next.start, next.content_end);
                if is_comment(text) {
                    self.collect_inner_comment(next);
                    continue;
                }
                if trim_start_offset(text) == text.len() {
                    first_empty_continuation
                        .get_or_insert(Span::new(next.start as u32, next.content_end as u32));
                    continue;
                }
                let (trimmed_end, eol) = self.trim_continuation(next.start, next.content_end);
                end_of_line = eol;
                joined.push(self.text(next.start, trimmed_end), next.start);
            }
            self.finish_instruction(
                &joined,
                start_line,
                token_start,
                last_end,
                first_empty_continuation,
            );
            self.joined = joined;
        }
        if self.out.nodes.is_empty() {
            let end = self.src.len() as u32;
            self.push_diag(
                Diagnostic::error(
                    codes::NO_INSTRUCTIONS,
                    "file with no instructions",
                    Span::empty(end),
                )
                .with_help("a Dockerfile needs at least one instruction, usually `FROM`"),
            );
        }
    }

    /// A comment line before an instruction: goes to `prev_comment` (a lone `#` clears it).
    fn collect_comment(&mut self, line: PhysLine) {
        let raw = self.text(line.start, line.content_end);
        // BuildKit drops the line's first byte (usually the `#`) and trims the rest.
        let after_first = raw.char_indices().nth(1).map_or("", |(i, _)| &raw[i..]);
        let text = after_first.trim_matches(is_space).to_owned();
        if text.is_empty() {
            self.pending_comments.clear();
        } else {
            self.pending_comments.push(text);
        }
        self.collect_inner_comment(line);
    }

    /// Records a comment line for tools (pragmas, highlighting).
    fn collect_inner_comment(&mut self, line: PhysLine) {
        let raw = self.text(line.start, line.content_end);
        let hash = line.start + trim_start_offset(raw);
        let text = self
            .text(hash + 1, line.content_end)
            .trim_matches(is_space)
            .to_owned();
        self.out.comments.push(Comment {
            text,
            span: Span::new(hash as u32, line.content_end as u32),
        });
    }

    /// BuildKit's `DirectiveParser.ParseLine`: returns whether the line was a valid directive.
    fn possible_directive(&mut self, start: usize, end: usize) -> bool {
        if self.directives_done {
            return false;
        }
        let line = self.text(start, end);
        let Some(after_hash) = line.strip_prefix('#') else {
            self.directives_done = true;
            return false;
        };
        let body_off = start + 1 + trim_start_offset(after_hash);
        let body = self.text(body_off, end);
        let Some((name, value_off, value_end)) = match_directive(body) else {
            self.directives_done = true;
            return false;
        };
        let name = name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.directives_done = true;
            return false;
        }
        let span = Span::new(start as u32, end as u32);
        let value_span = Span::new((body_off + value_off) as u32, (body_off + value_end) as u32);
        let value = body[value_off..value_end].to_owned();
        if self.seen_directives.contains(&name) {
            self.push_diag(
                Diagnostic::error(
                    codes::DUPLICATE_DIRECTIVE,
                    format!("only one {name} parser directive can be used"),
                    span,
                )
                .with_note("the first occurrence is the one BuildKit would use"),
            );
            return false;
        }
        self.seen_directives.push(name.clone());
        if name == "escape" {
            match value.as_str() {
                "\\" => self.escape = b'\\',
                "`" => self.escape = b'`',
                _ => {
                    self.push_diag(
                        Diagnostic::error(
                            codes::INVALID_ESCAPE,
                            format!("invalid escape token '{value}' does not match ` or \\"),
                            value_span,
                        )
                        .with_help("use `# escape=\\` (the default) or `# escape=`` `"),
                    );
                    return false;
                }
            }
        }
        self.out.directives.push(Directive {
            name,
            value,
            span,
            value_span,
        });
        true
    }

    /// BuildKit's continuation regex `([^E])E[ \t]*$|^E[ \t]*$`: returns the new end of the text
    /// and whether the logical line ends here.
    fn trim_continuation(&self, start: usize, end: usize) -> (usize, bool) {
        let bytes = self.src.as_bytes();
        let mut e = end;
        while e > start && matches!(bytes[e - 1], b' ' | b'\t') {
            e -= 1;
        }
        if e > start
            && bytes[e - 1] == self.escape
            && (e - 1 == start || bytes[e - 2] != self.escape)
        {
            (e - 1, false)
        } else {
            (end, true)
        }
    }

    fn finish_instruction(
        &mut self,
        joined: &Joined,
        start_line: u32,
        first_start: usize,
        last_end: usize,
        empty_continuation: Option<Span>,
    ) {
        let comments = std::mem::take(&mut self.pending_comments);
        if let Some(empty_line) = empty_continuation {
            // BuildKit reports the instruction's last line; we point at the empty line and keep
            // the instruction as a label.
            let mut d = Diagnostic::warning(
                codes::EMPTY_CONTINUATION,
                format!("Empty continuation line found in: {}", joined.text),
                empty_line,
            )
            .with_label(
                Span::new(first_start as u32, last_end as u32),
                "in this instruction",
            );
            d.notes
                .push("empty continuation lines will become errors in a future release".into());
            d.help = Some("remove the empty line, or end the instruction before it".into());
            self.push_diag(d);
        }
        let mut builder = NodeBuilder {
            joined,
            escape: self.escape,
            diagnostics: Vec::new(),
            word_buf: std::mem::take(&mut self.word_buf),
        };
        let mut node = builder.node_from_line(0, joined.text.len());
        self.word_buf = builder.word_buf;
        let mut diags = builder.diagnostics;
        node.prev_comment = comments;
        let mut end = last_end;
        if can_contain_heredoc(&node) && joined.text.contains("<<") {
            let (heredocs, heredoc_diags) = heredocs_from_line(&joined.text);
            for mut d in heredoc_diags {
                d.span = Span::new(first_start as u32, last_end as u32);
                diags.push(d);
            }
            node.heredocs = heredocs;
            for heredoc in &mut node.heredocs {
                let body_start = self.pos;
                let mut terminated = false;
                while let Some(line) = self.next_line() {
                    self.line_no += 1;
                    let content = self.text(line.start, line.content_end);
                    let candidate = if heredoc.chomp {
                        content.trim_start_matches('\t')
                    } else {
                        content
                    };
                    if candidate == heredoc.name {
                        heredoc.body_span = Span::new(body_start as u32, line.start as u32);
                        heredoc.terminator_span =
                            Span::new(line.start as u32, line.content_end as u32);
                        end = line.content_end;
                        terminated = true;
                        break;
                    }
                    end = line.content_end;
                }
                // The body is every line with its line ending: one contiguous source range.
                let body_end = if terminated {
                    heredoc.body_span.end as usize
                } else {
                    self.src.len()
                };
                self.text(body_start.min(body_end), body_end)
                    .clone_into(&mut heredoc.content);
                if !terminated {
                    let eof = self.src.len() as u32;
                    heredoc.body_span = Span::new(body_start.min(self.src.len()) as u32, eof);
                    heredoc.terminator_span = Span::empty(eof);
                    diags.push(
                        Diagnostic::error(
                            codes::UNTERMINATED_HEREDOC,
                            "unterminated heredoc",
                            Span::empty(eof),
                        )
                        .with_label(
                            Span::new(first_start as u32, last_end as u32),
                            "the heredoc starts here",
                        )
                        .with_help(format!(
                            "end the body with a line holding only `{}`",
                            heredoc.name
                        )),
                    );
                }
            }
        }
        node.start_line = start_line;
        node.end_line = self.line_no;
        node.span = Span::new(first_start as u32, end as u32);
        self.out.diagnostics.extend(diags);
        self.out.nodes.push(node);
    }
}

fn memchr_newline(bytes: &[u8], from: usize) -> Option<usize> {
    memchr::memchr(b'\n', &bytes[from..]).map(|i| i + from)
}

/// Matches `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` (Go's `\s` is `[\t\n\f\r ]`).
/// Returns the name and the value's byte range.
fn match_directive(body: &str) -> Option<(&str, usize, usize)> {
    let b = body.as_bytes();
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    let name_end = b
        .iter()
        .position(|c| !c.is_ascii_alphanumeric())
        .unwrap_or(b.len());
    let is_go_space = |c: u8| matches!(c, b'\t' | b'\n' | 0x0c | b'\r' | b' ');
    let mut i = name_end;
    while i < b.len() && is_go_space(b[i]) {
        i += 1;
    }
    if b.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while i < b.len() && is_go_space(b[i]) {
        i += 1;
    }
    let mut end = b.len();
    while end > i && is_go_space(b[end - 1]) {
        end -= 1;
    }
    if end <= i {
        return None;
    }
    Some((&body[..name_end], i, end))
}

/// The joined logical line and where each piece came from in the source.
#[derive(Debug, Default)]
pub(crate) struct Joined {
    pub(crate) text: String,
    /// (offset in `text`, offset in source) for each piece, in order.
    segments: Vec<(usize, usize)>,
    /// The segment of the last lookup.
    hint: std::cell::Cell<usize>,
}

impl Joined {
    fn clear(&mut self) {
        self.text.clear();
        self.segments.clear();
        self.hint.set(0);
    }

    fn push(&mut self, piece: &str, src_start: usize) {
        self.segments.push((self.text.len(), src_start));
        self.text.push_str(piece);
    }

    /// Index of the last segment starting at or before `off` (`strict`: before `off`).
    fn segment_of(&self, off: usize, strict: bool) -> usize {
        let in_segment = |i: usize| {
            let starts_before = |j: usize| if strict { j < off } else { j <= off };
            starts_before(self.segments[i].0)
                && self
                    .segments
                    .get(i + 1)
                    .is_none_or(|&(j, _)| !starts_before(j))
        };
        // Spans are asked for mostly left to right: try the last answer first.
        let hint = self.hint.get();
        if hint < self.segments.len() && in_segment(hint) {
            return hint;
        }
        let i = self
            .segments
            .partition_point(|(j, _)| if strict { *j < off } else { *j <= off })
            .saturating_sub(1);
        self.hint.set(i);
        i
    }

    /// Source offset of the character starting at `off`.
    fn src_start(&self, off: usize) -> u32 {
        if let [(j, s)] = self.segments[..] {
            return (s + (off - j)) as u32;
        }
        let i = self.segment_of(off, false);
        let (j, s) = self.segments.get(i).copied().unwrap_or((0, 0));
        (s + (off - j)) as u32
    }

    /// Source offset just past the character ending at `off`.
    fn src_end(&self, off: usize) -> u32 {
        if off == 0 {
            return self.src_start(0);
        }
        if let [(j, s)] = self.segments[..] {
            return (s + (off - j)) as u32;
        }
        let i = self.segment_of(off, true);
        let (j, s) = self.segments.get(i).copied().unwrap_or((0, 0));
        (s + (off - j)) as u32
    }

    /// `text[lo..hi]` as a node's [`Original`]: a source span when it is one piece.
    fn original(&self, lo: usize, hi: usize) -> Original {
        let first = self.segments.partition_point(|(j, _)| *j <= lo);
        let last = self.segments.partition_point(|(j, _)| *j < hi);
        if first == last || hi <= lo {
            let start = self.src_start(lo);
            Original::Source(Span::new(start, start + (hi - lo) as u32))
        } else {
            Original::Joined(CompactString::from(&self.text[lo..hi]))
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        if start >= end {
            let at = self.src_start(start);
            return Span::empty(at);
        }
        Span::new(self.src_start(start), self.src_end(end))
    }
}

struct NodeBuilder<'j> {
    joined: &'j Joined,
    escape: u8,
    diagnostics: Vec<Diagnostic>,
    /// Scratch for word boundaries, reused across instructions.
    word_buf: Vec<(usize, usize)>,
}

fn trim_range(text: &str, mut lo: usize, mut hi: usize) -> (usize, usize) {
    let s = &text[lo..hi];
    lo += trim_start_offset(s);
    hi = lo + trim_end_len(&text[lo..hi]);
    (lo, hi)
}

impl NodeBuilder<'_> {
    fn text(&self) -> &str {
        &self.joined.text
    }

    fn arg(&self, start: usize, end: usize) -> Arg {
        Arg {
            value: CompactString::from(&self.text()[start..end]),
            span: self.joined.span(start, end),
        }
    }

    /// BuildKit's `newNodeFromLine` on `text[lo..hi]`.
    fn node_from_line(&mut self, lo: usize, hi: usize) -> Node {
        let (lo_t, hi_t) = trim_range(self.text(), lo, hi);
        let bytes = self.text().as_bytes();
        let cmd_end = (lo_t..hi_t)
            .find(|&i| is_sep_byte(bytes[i]))
            .unwrap_or(hi_t);
        let mut rest_start = cmd_end;
        while rest_start < hi_t && is_sep_byte(bytes[rest_start]) {
            rest_start += 1;
        }
        let keyword = CompactString::from(&self.text()[lo_t..cmd_end]);
        let kind = Keyword::from_name(&keyword);
        let keyword_span = self.joined.span(lo_t, cmd_end);
        let (args_start, flags) = if cmd_end < hi_t {
            self.extract_flags(rest_start, hi_t)
        } else {
            (hi_t, SmallVec::new())
        };
        let (rest_lo, rest_hi) = trim_range(self.text(), args_start, hi_t);
        let mut node = Node {
            keyword,
            kind,
            keyword_span,
            flags,
            args: SmallVec::new(),
            json: false,
            sub: None,
            heredocs: Vec::new(),
            original: self.joined.original(lo, hi),
            span: self.joined.span(lo_t, hi_t),
            start_line: 0,
            end_line: 0,
            prev_comment: Vec::new(),
        };
        match kind {
            Keyword::Add | Keyword::Copy | Keyword::Volume => {
                if let Some(args) = self.json_args(rest_lo, rest_hi) {
                    node.json = true;
                    node.args = args;
                } else {
                    self.whitespace_split(&mut node, rest_lo, rest_hi);
                }
            }
            Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Shell => {
                self.json_or_string(&mut node, rest_lo, rest_hi);
            }
            Keyword::From | Keyword::Expose => self.whitespace_split(&mut node, rest_lo, rest_hi),
            Keyword::Env | Keyword::Label => self.name_value(&mut node, rest_lo, rest_hi),
            Keyword::Arg => {
                let mut words = std::mem::take(&mut self.word_buf);
                self.words(rest_lo, rest_hi, &mut words);
                node.args.extend(words.iter().map(|&(s, e)| self.arg(s, e)));
                self.word_buf = words;
            }
            Keyword::Maintainer | Keyword::User | Keyword::Workdir | Keyword::Stopsignal => {
                if rest_lo < rest_hi {
                    node.args.push(self.arg(rest_lo, rest_hi));
                }
            }
            Keyword::Healthcheck => self.health(&mut node, rest_lo, rest_hi),
            Keyword::Onbuild => {
                if rest_lo < rest_hi {
                    let sub = self.node_from_line(rest_lo, rest_hi);
                    node.sub = Some(Box::new(sub));
                }
            }
            Keyword::Unknown => {
                node.args.push(Arg {
                    value: CompactString::default(),
                    span: self.joined.span(rest_lo, rest_lo),
                });
            }
        }
        node
    }

    /// BuildKit's `extractBuilderFlags`: leading `--` words, quotes removed, `\` escapes.
    /// Returns where the arguments start and the flags.
    fn extract_flags(&mut self, start: usize, end: usize) -> (usize, SmallVec<[Flag; 1]>) {
        let text = &self.joined.text[..end];
        let mut flags = SmallVec::new();
        let mut pos = start;
        loop {
            while let Some(c) = text[pos..].chars().next().filter(|c| is_space(*c)) {
                pos += c.len_utf8();
            }
            if !text[pos..].starts_with("--") {
                return (pos, flags);
            }
            let word_start = pos;
            // Fast path: a flag without quotes or escapes is its own text.
            let plain_end = text[pos..]
                .bytes()
                .position(|b| {
                    matches!(
                        b,
                        b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b'\'' | b'"' | b'\\'
                    ) || b >= 0x80
                })
                .map_or(end, |i| pos + i);
            if plain_end == end
                || is_sep_byte(text.as_bytes()[plain_end])
                || text.as_bytes()[plain_end] == b'\n'
            {
                pos = plain_end;
                let word = &text[word_start..plain_end];
                if word == "--" {
                    return (pos, flags);
                }
                flags.push(Flag {
                    text: CompactString::from(word),
                    span: self.joined.span(word_start, plain_end),
                });
                if pos >= end {
                    return (end, flags);
                }
                continue;
            }
            let mut word = CompactString::default();
            let mut blank_ok = false;
            let mut quote: Option<char> = None;
            let mut chars = text[pos..].char_indices().peekable();
            let mut word_end = end;
            while let Some((i, c)) = chars.next() {
                match quote {
                    None => {
                        if is_space(c) {
                            word_end = pos + i;
                            break;
                        }
                        if c == '\'' || c == '"' {
                            quote = Some(c);
                            blank_ok = true;
                        } else if c == '\\' {
                            if let Some((_, n)) = chars.next() {
                                word.push(n);
                            }
                        } else {
                            word.push(c);
                        }
                    }
                    Some(q) => {
                        if c == q {
                            quote = None;
                        } else if c == '\\' {
                            match chars.next() {
                                Some((_, n)) => word.push(n),
                                None => quote = None,
                            }
                        } else {
                            word.push(c);
                        }
                    }
                }
            }
            pos = word_end;
            if word == "--" {
                // A bare `--` ends the flags and is dropped.
                return (pos, flags);
            }
            if blank_ok || !word.is_empty() {
                flags.push(Flag {
                    text: word,
                    span: self.joined.span(word_start, word_end),
                });
            }
            if pos >= end {
                return (end, flags);
            }
        }
    }

    /// Tries the exec form: `Some(args)` for a JSON array (an array with non-strings is
    /// reported and gives no args), `None` when the text is not valid JSON (shell form).
    fn json_args(&mut self, lo: usize, hi: usize) -> Option<SmallVec<[Arg; 1]>> {
        let text = &self.joined.text[lo..hi];
        if !text.starts_with('[') {
            return None;
        }
        let joined = self.joined;
        let mut args = SmallVec::new();
        let shape = parse_json_array(text, |value, s, e| {
            args.push(Arg {
                value,
                span: joined.span(lo + s, lo + e),
            });
        });
        match shape {
            JsonArray::Strings => Some(args),
            JsonArray::NotStrings => {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::JSON_NOT_STRINGS,
                        "when using JSON array syntax, arrays must be comprised of strings only",
                        self.joined.span(lo, hi),
                    )
                    .with_help("quote every element, e.g. `[\"echo\", \"1\"]`"),
                );
                Some(SmallVec::new())
            }
            JsonArray::Invalid => None,
        }
    }

    /// JSON array or one string (RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK's command).
    fn json_or_string(&mut self, node: &mut Node, lo: usize, hi: usize) {
        if lo == hi {
            return;
        }
        if let Some(args) = self.json_args(lo, hi) {
            node.json = true;
            if node.args.is_empty() {
                node.args = args;
            } else {
                node.args.extend(args);
            }
        } else {
            node.args.push(self.arg(lo, hi));
        }
    }

    /// Splits on runs of `[\t\v\f\r ]` (quotes are not special).
    fn whitespace_split(&self, node: &mut Node, lo: usize, hi: usize) {
        let bytes = self.joined.text.as_bytes();
        let mut i = lo;
        while i < hi {
            let s = i;
            while i < hi && !is_sep_byte(bytes[i]) {
                i += 1;
            }
            node.args.push(self.arg(s, i));
            while i < hi && is_sep_byte(bytes[i]) {
                i += 1;
            }
        }
    }

    /// BuildKit's `parseWords`: quote-aware words with quotes and escapes kept.
    fn words(&self, lo: usize, hi: usize, words: &mut Vec<(usize, usize)>) {
        words.clear();
        let text = &self.joined.text[..hi];
        let bytes = text.as_bytes();
        let escape_class = if self.escape == b'`' {
            BACKTICK
        } else {
            BACKSLASH
        };
        // Byte classes do the scanning; a non-ASCII char is decoded only outside quotes (to
        // test it for a Unicode blank) and after an escape (to skip it whole).
        let char_at = |i: usize| text[i..].chars().next().unwrap_or(' ');
        let skip_char = |i: usize| {
            if bytes[i] < 0x80 {
                i + 1
            } else {
                i + char_at(i).len_utf8()
            }
        };
        let unquoted_stop = BLANK | QUOTE | NON_ASCII | escape_class;
        let mut i = lo;
        loop {
            while i < hi {
                let class = BYTE_CLASS[usize::from(bytes[i])];
                if class & BLANK != 0 {
                    i += 1;
                } else if class & NON_ASCII != 0 && is_space(char_at(i)) {
                    i += char_at(i).len_utf8();
                } else {
                    break;
                }
            }
            if i >= hi {
                return;
            }
            let start = i;
            let mut quote = 0u8;
            while i < hi {
                let b = bytes[i];
                if quote == 0 {
                    let class = BYTE_CLASS[usize::from(b)];
                    if class & unquoted_stop == 0 {
                        i += 1;
                    } else if class & QUOTE != 0 {
                        quote = b;
                        i += 1;
                    } else if class & escape_class != 0 {
                        i += 1;
                        if i < hi {
                            i = skip_char(i);
                        }
                    } else if class & BLANK != 0 {
                        break;
                    } else {
                        let c = char_at(i);
                        if is_space(c) {
                            break;
                        }
                        i += c.len_utf8();
                    }
                } else if b == quote {
                    quote = 0;
                    i += 1;
                } else if b == self.escape && quote != b'\'' {
                    i += 1;
                    if i < hi {
                        i = skip_char(i);
                    }
                } else {
                    // Inside quotes nothing but the quote and the escape is special, and UTF-8
                    // continuation bytes never look like either.
                    i += 1;
                }
            }
            words.push((start, i.min(hi)));
        }
    }

    fn name_value(&mut self, node: &mut Node, lo: usize, hi: usize) {
        let mut words = std::mem::take(&mut self.word_buf);
        self.words(lo, hi, &mut words);
        self.name_value_words(node, lo, hi, &words);
        self.word_buf = words;
    }

    fn name_value_words(
        &mut self,
        node: &mut Node,
        lo: usize,
        hi: usize,
        words: &[(usize, usize)],
    ) {
        let Some(&(first_s, first_e)) = words.first() else {
            return;
        };
        let text = &self.joined.text;
        let key_name = node.kind.as_str();
        if !text[first_s..first_e].contains('=') {
            // Legacy `KEY value...`: the key is the first blank-separated token, the value the
            // whole rest as written.
            let bytes = text.as_bytes();
            let key_end = (lo..hi).find(|&i| is_sep_byte(bytes[i])).unwrap_or(hi);
            let mut value_start = key_end;
            while value_start < hi && is_sep_byte(bytes[value_start]) {
                value_start += 1;
            }
            node.args.push(self.arg(lo, key_end));
            if key_end == hi {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::KEY_VALUE_SYNTAX,
                        format!("{key_name} must have two arguments"),
                        self.joined.span(lo, hi),
                    )
                    .with_help(format!("write `{key_name} {}=<value>`", &text[lo..key_end])),
                );
                node.args.push(Arg {
                    value: CompactString::default(),
                    span: self.joined.span(hi, hi),
                });
            } else {
                node.args.push(self.arg(value_start, hi));
            }
            node.args.push(Arg {
                value: CompactString::default(),
                span: self.joined.span(key_end, key_end),
            });
            return;
        }
        node.args.reserve_exact(words.len() * 3);
        for &(s, e) in words {
            let word = &text[s..e];
            if let Some(eq) = word.find('=') {
                node.args.push(self.arg(s, s + eq));
                node.args.push(self.arg(s + eq + 1, e));
                node.args.push(Arg {
                    value: "=".into(),
                    span: self.joined.span(s + eq, s + eq + 1),
                });
            } else {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::KEY_VALUE_SYNTAX,
                        format!(
                            "Syntax error - can't find = in {}. Must be of the form: name=value",
                            crate::quote::go_quote(word)
                        ),
                        self.joined.span(s, e),
                    )
                    .with_help(format!("write `{word}=<value>`")),
                );
                node.args.push(self.arg(s, e));
                node.args.push(Arg {
                    value: CompactString::default(),
                    span: self.joined.span(e, e),
                });
                node.args.push(Arg {
                    value: "=".into(),
                    span: self.joined.span(e, e),
                });
            }
        }
    }

    /// `HEALTHCHECK TYPE rest`: the type word, then the rest like CMD.
    fn health(&mut self, node: &mut Node, lo: usize, hi: usize) {
        let text = &self.joined.text;
        let sep = text[lo..hi].find(is_space).map_or(hi, |i| lo + i);
        if sep == lo {
            return;
        }
        let next = sep + trim_start_offset(&text[sep..hi]);
        node.args.push(self.arg(lo, sep));
        self.json_or_string(node, next, hi);
    }
}

fn can_contain_heredoc(node: &Node) -> bool {
    let node = match (&node.kind, &node.sub) {
        (Keyword::Onbuild, Some(sub)) => sub,
        _ => node,
    };
    matches!(node.kind, Keyword::Run | Keyword::Copy | Keyword::Add) && !node.json
}

/// Finds `<<NAME` words on an instruction line (BuildKit's `heredocsFromLine`).
fn heredocs_from_line(line: &str) -> (Vec<Heredoc>, Vec<Diagnostic>) {
    use crate::expand::{EmptyEnv, Lexer};
    // Without escapes or variables the lexer (quotes kept) only splits on blanks outside
    // quotes: skip it.
    let words = split_quoted_words(line).unwrap_or_else(|| {
        let mut lexer = Lexer::new('\\');
        lexer.raw_quotes = true;
        lexer.raw_escapes = true;
        lexer.skip_unset_env = true;
        lexer.process_words(line, &EmptyEnv).unwrap_or_default()
    });
    let mut docs = Vec::new();
    let mut diags = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        // Since Dockerfile 1.16 the delimiter may follow `<<` after blanks (`<< EOF`); the lexer
        // splits that into two words. (`<<- EOF` stays two words and is no heredoc.)
        let is_bare_operator = word
            .strip_suffix("<<")
            .is_some_and(|fd| fd.bytes().all(|b| b.is_ascii_digit()));
        if is_bare_operator
            && i < words.len()
            && let Ok(Some(doc)) = parse_heredoc_word(&format!("{word} {}", words[i]))
        {
            docs.push(doc);
            i += 1;
            continue;
        }
        match parse_heredoc_word(word) {
            Ok(Some(doc)) => docs.push(doc),
            Ok(None) => {}
            Err(message) => diags.push(Diagnostic::error(
                codes::INVALID_HEREDOC,
                message,
                Span::default(),
            )),
        }
    }
    (docs, diags)
}

/// What the heredoc lexer in raw-quotes mode gives for `text` when `text` has no escape, no
/// `$` and no unterminated quote (`None` otherwise): the words split at blanks outside quotes,
/// quotes kept.
fn split_quoted_words(text: &str) -> Option<Vec<String>> {
    if text.starts_with('\u{feff}') || memchr::memchr2(b'\\', b'$', text.as_bytes()).is_some() {
        return None;
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                word.push(c);
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                word.push(c);
            }
            None if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            None => word.push(c),
        }
    }
    if quote.is_some() {
        return None;
    }
    if !word.is_empty() {
        words.push(word);
    }
    Some(words)
}

/// `'NAME'` or `"NAME"` with no other quote, escape, `$` or blank: the name.
fn simple_quoted(text: &str) -> Option<&str> {
    let quote = *text.as_bytes().first()?;
    if quote != b'\'' && quote != b'"' || text.len() < 2 || !text.ends_with(char::from(quote)) {
        return None;
    }
    let inner = &text[1..text.len() - 1];
    (!inner.is_empty() && !has_lexer_specials(inner) && !inner.contains(char::is_whitespace))
        .then_some(inner)
}

/// Whether the heredoc lexer (escape `\`) would treat anything in `text` specially.
fn has_lexer_specials(text: &str) -> bool {
    text.starts_with('\u{feff}')
        || memchr::memchr3(b'\'', b'"', b'\\', text.as_bytes()).is_some()
        || memchr::memchr(b'$', text.as_bytes()).is_some()
}

/// Tests one word against `^(\d*)<<(-?)\s*([^<]*)$` and lexes the delimiter.
pub(crate) fn parse_heredoc_word(word: &str) -> Result<Option<Heredoc>, String> {
    use crate::expand::{EmptyEnv, Lexer};
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let Some(after) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, rest) = match after.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, after),
    };
    let rest = rest.trim_start_matches(['\t', '\n', '\x0c', '\r', ' ']);
    if rest.contains('<') || rest.is_empty() {
        return Ok(None);
    }
    let fd = word[..digits].parse::<u32>().unwrap_or(0);
    if let Some(name) = simple_quoted(rest) {
        return Ok(Some(Heredoc {
            name: name.to_owned(),
            fd,
            expand: false,
            chomp,
            content: String::new(),
            body_span: Span::default(),
            terminator_span: Span::default(),
        }));
    }
    if !has_lexer_specials(rest) {
        let mut words = rest.split_whitespace();
        return Ok(match (words.next(), words.next()) {
            (Some(name), None) => Some(Heredoc {
                name: name.to_owned(),
                fd,
                expand: true,
                chomp,
                content: String::new(),
                body_span: Span::default(),
                terminator_span: Span::default(),
            }),
            _ => None,
        });
    }
    let mut lexer = Lexer::new('\\');
    lexer.skip_unset_env = true;
    let words = lexer
        .process_words(rest, &EmptyEnv)
        .map_err(|e| e.to_string())?;
    if words.len() != 1 {
        return Ok(None);
    }
    lexer.raw_quotes = true;
    let raw_words = lexer
        .process_words(rest, &EmptyEnv)
        .map_err(|e| e.to_string())?;
    if raw_words.len() != words.len() {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let count_quotes = |s: &str| s.chars().filter(|c| *c == '\'' || *c == '"').count();
    let name = words.into_iter().next().unwrap_or_default();
    let expand = count_quotes(&name) == count_quotes(&raw_words[0]);
    Ok(Some(Heredoc {
        name,
        fd,
        expand,
        chomp,
        content: String::new(),
        body_span: Span::default(),
        terminator_span: Span::default(),
    }))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod fast_path_tests {
    use proptest::prelude::*;

    use super::{parse_heredoc_word, simple_quoted, split_quoted_words};
    use crate::expand::{EmptyEnv, Lexer};

    /// What the fast paths stand in for: BuildKit's lexer.
    fn lexer_words(line: &str) -> Option<Vec<String>> {
        let mut lexer = Lexer::new('\\');
        lexer.raw_quotes = true;
        lexer.raw_escapes = true;
        lexer.skip_unset_env = true;
        lexer.process_words(line, &EmptyEnv).ok()
    }

    fn heredoc_via_lexer(word: &str) -> Option<(String, bool)> {
        let digits = word.bytes().take_while(u8::is_ascii_digit).count();
        let rest = word[digits..].strip_prefix("<<")?;
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        let rest = rest.trim_start_matches(['\t', '\n', '\x0c', '\r', ' ']);
        let mut lexer = Lexer::new('\\');
        lexer.skip_unset_env = true;
        let words = lexer.process_words(rest, &EmptyEnv).ok()?;
        lexer.raw_quotes = true;
        let raw = lexer.process_words(rest, &EmptyEnv).ok()?;
        let quotes = |s: &str| s.chars().filter(|c| *c == '\'' || *c == '"').count();
        match (words.as_slice(), raw.as_slice()) {
            ([name], [raw_name]) if !rest.contains('<') && !rest.is_empty() => {
                Some((name.clone(), quotes(name) == quotes(raw_name)))
            }
            _ => None,
        }
    }

    proptest! {
        #[test]
        fn quoted_split_agrees_with_the_lexer(line in "[a-c '\"<\\-\t]{0,24}") {
            if let Some(words) = split_quoted_words(&line) {
                prop_assert_eq!(Some(words), lexer_words(&line));
            }
        }

        #[test]
        fn plain_heredoc_words_agree_with_the_lexer(word in "[0-9]?<<-?[ \t]?['\"]?[A-Z_ a-z]{0,6}['\"]?") {
            let fast = parse_heredoc_word(&word).ok().flatten().map(|h| (h.name, h.expand));
            prop_assert_eq!(fast, heredoc_via_lexer(&word));
        }
    }

    #[test]
    fn simple_quoted_needs_matching_quotes() {
        assert_eq!(simple_quoted("'EOF'"), Some("EOF"));
        assert_eq!(simple_quoted("\"EOF\""), Some("EOF"));
        assert_eq!(simple_quoted("'EOF\""), None);
        assert_eq!(simple_quoted("'E F'"), None);
        assert_eq!(simple_quoted("''"), None);
    }
}
