//! `.dockerignore` with Docker's exact semantics (moby `patternmatcher` + `ignorefile`).
//!
//! Reading ([`DockerIgnore::parse`]): a UTF-8 BOM on the first line is dropped; a line is a
//! comment only when `#` is its **first byte** (`  # x` is a pattern); lines are trimmed and
//! empty ones skipped; a leading `!` makes an exception (re-inclusion) and the rest is trimmed
//! again; the pattern is cleaned like Go's `filepath.Clean` and one leading `/` is dropped.
//!
//! Matching ([`DockerIgnore::is_excluded`]): patterns are applied in order and the **last match
//! wins**; a pattern matches a path when it matches the path **or any of its parent
//! directories**. `*` is any run of non-`/` characters, `?` one non-`/` character, `**` any
//! number of directories (`**/` may match none; a trailing `**` matches everything below),
//! `[...]` a character class (`^` negates; `!` is an ordinary character), `\` escapes.
//! Like Go, a pattern without wildcards is compared literally, `foo/**` is a prefix test and
//! `**/foo` a suffix test (so `**foo` also matches `barfoo`).
//!
//! Invalid patterns (an unterminated class, a trailing `\`, a lone `!`) are reported as
//! diagnostics; BuildKit refuses the whole file for them. They never match.
//!
//! Known difference: Go hands `\d`, `\w`, `\s` (and their upper-case forms) to its regexp
//! engine as classes; here an escaped character is always itself.

use stowage_diagnostics::{Diagnostic, Span};

#[cfg(test)]
mod tests;

/// Diagnostic codes of the `.dockerignore` reader.
pub mod codes {
    /// A pattern BuildKit refuses (the build fails before it starts).
    pub const INVALID_PATTERN: &str = "dockerignore-invalid-pattern";
}

/// A parsed `.dockerignore`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerIgnore {
    /// The valid patterns, in file order.
    pub patterns: Vec<Pattern>,
    /// Problems, with spans in the `.dockerignore` text.
    pub diagnostics: Vec<Diagnostic>,
}

/// One line of a `.dockerignore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The cleaned pattern, without `!` (what Docker matches with).
    pub text: String,
    /// `!pattern`: re-includes what it matches.
    pub exception: bool,
    /// The line's text (trimmed) in the `.dockerignore`.
    pub span: Span,
    /// 1-based line number.
    pub line: u32,
    matcher: Matcher,
}

/// What a pattern compiled to (Go's `matchType`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Matcher {
    /// No wildcard: the path equals the pattern.
    Exact,
    /// `foo/**`: the path starts with the pattern minus `**`.
    Prefix,
    /// `**/foo`: the path ends with the pattern minus `**`.
    Suffix,
    /// Anything else: the translated regular expression.
    Regex(Vec<Token>),
}

/// A piece of the translated regular expression.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// One literal character.
    Lit(char),
    /// `?` → `[^/]`.
    AnyButSlash,
    /// `*` → `[^/]*`.
    StarButSlash,
    /// `**` before more pattern → `(.*/)?`.
    Dirs,
    /// Trailing `**` after wildcards → `.*`.
    Rest,
    /// `[...]` (ranges are inclusive).
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    /// An unescaped `^`: in Go's regexp, the start of the text.
    Start,
}

/// Which patterns matched a directory, to reuse for its children while walking a tree
/// (moby's `MatchInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParentMatches {
    matched: Vec<bool>,
}

impl DockerIgnore {
    /// Reads a `.dockerignore` (never fails; invalid patterns become diagnostics).
    pub fn parse(text: &str) -> DockerIgnore {
        let mut out = DockerIgnore::default();
        let mut offset = 0usize;
        for (n, raw_line) in text.split_inclusive('\n').enumerate() {
            let line_start = offset;
            offset += raw_line.len();
            let mut line = raw_line.strip_suffix('\n').unwrap_or(raw_line);
            line = line.strip_suffix('\r').unwrap_or(line);
            let mut start = line_start;
            if n == 0
                && let Some(rest) = line.strip_prefix('\u{feff}')
            {
                start += 3;
                line = rest;
            }
            if line.starts_with('#') {
                continue;
            }
            let trimmed = line.trim();
            if trimmed.is_empty() {
                continue;
            }
            let lead = line.len() - line.trim_start().len();
            let span = Span::new((start + lead) as u32, (start + lead + trimmed.len()) as u32);
            let line_no = n as u32 + 1;
            let (exception, body) = match trimmed.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, trimmed),
            };
            // `ignorefile.ReadAll`: clean, drop one leading `/`.
            let mut cleaned = if body.is_empty() {
                String::new()
            } else {
                let c = clean(body);
                match c.strip_prefix('/') {
                    Some(rest) if c.len() > 1 => rest.to_owned(),
                    _ => c,
                }
            };
            // `patternmatcher.New` cleans again (with the `!` still on).
            if exception {
                let again = clean(&format!("!{cleaned}"));
                again
                    .strip_prefix('!')
                    .unwrap_or(&again)
                    .clone_into(&mut cleaned);
                if cleaned.is_empty() {
                    out.diagnostics
                        .push(invalid(span, "illegal exclusion pattern `!`"));
                    continue;
                }
            } else {
                cleaned = clean(&cleaned);
            }
            if let Err(why) = validate(&cleaned) {
                out.diagnostics.push(invalid(
                    span,
                    format!("invalid .dockerignore pattern `{trimmed}`: {why}"),
                ));
                continue;
            }
            let matcher = compile(&cleaned);
            out.patterns.push(Pattern {
                text: cleaned,
                exception,
                span,
                line: line_no,
                matcher,
            });
        }
        out
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether any pattern is an exception (`!`) (moby's `Exclusions()`).
    pub fn has_exceptions(&self) -> bool {
        self.patterns.iter().any(|p| p.exception)
    }

    /// Whether `path` (relative to the context, `/`-separated) is left out of the build
    /// context: the last pattern that matches it or one of its parents decides.
    pub fn is_excluded(&self, path: &str) -> bool {
        self.deciding_pattern(path).is_some_and(|p| !p.exception)
    }

    /// The pattern that decides `path`: the last one matching it or a parent (`None`: no
    /// pattern matches, so the path is included).
    pub fn deciding_pattern(&self, path: &str) -> Option<&Pattern> {
        let path = normalize_path(path);
        if path == "." {
            return None;
        }
        let parents = parent_prefixes(&path);
        let mut excluded = false;
        let mut decided = None;
        for p in &self.patterns {
            // Like Go: an exception is only tried once something is excluded, and an
            // exclusion only while nothing is.
            if p.exception != excluded {
                continue;
            }
            if p.matches(&path) || parents.iter().any(|d| p.matches(d)) {
                excluded = !p.exception;
                decided = Some(p);
            }
        }
        decided
    }

    /// Whether `path` itself (no parent directories considered) is excluded.
    pub fn is_excluded_exact(&self, path: &str) -> bool {
        let path = normalize_path(path);
        let mut excluded = false;
        for p in &self.patterns {
            if p.exception != excluded {
                continue;
            }
            if p.matches(&path) {
                excluded = !p.exception;
            }
        }
        excluded
    }

    /// Tree-walking form (moby's `MatchesUsingParentResults`): pass the result of the
    /// parent directory (or `None` at the top) and keep the returned [`ParentMatches`] for
    /// the children of `path` when it is a directory.
    pub fn check(&self, path: &str, parent: Option<&ParentMatches>) -> (bool, ParentMatches) {
        let path = normalize_path(path);
        let parent = parent.filter(|p| p.matched.len() == self.patterns.len());
        let mut info = ParentMatches {
            matched: vec![false; self.patterns.len()],
        };
        let mut excluded = false;
        if path == "." {
            return (false, info);
        }
        for (i, p) in self.patterns.iter().enumerate() {
            let mut hit = parent.is_some_and(|m| m.matched[i]);
            if !hit {
                if p.exception != excluded {
                    continue;
                }
                hit = p.matches(&path);
                if !hit && parent.is_none() {
                    hit = parent_prefixes(&path).iter().any(|d| p.matches(d));
                }
            }
            info.matched[i] = hit;
            if hit {
                excluded = !p.exception;
            }
        }
        (excluded, info)
    }

    /// Whether an exception (`!`) pattern could re-include something below directory `dir`.
    /// Conservative: `true` unless no exception can match any path under `dir`.
    pub fn may_reinclude_below(&self, dir: &str) -> bool {
        let dir = normalize_path(dir);
        let dir_parts: Vec<&str> = if dir == "." {
            Vec::new()
        } else {
            dir.split('/').collect()
        };
        self.patterns
            .iter()
            .filter(|p| p.exception)
            .any(|p| could_match_below(&p.text, &dir_parts))
    }

    /// Whether a walker may skip directory `dir` and everything below it: it is excluded and
    /// no exception can bring anything back.
    pub fn can_skip_dir(&self, dir: &str) -> bool {
        self.is_excluded(dir) && !self.may_reinclude_below(dir)
    }
}

impl Pattern {
    /// Whether the pattern matches `path` itself (a cleaned, relative, `/`-separated path).
    pub fn matches(&self, path: &str) -> bool {
        match &self.matcher {
            Matcher::Exact => path == self.text,
            Matcher::Prefix => path.starts_with(&self.text[..self.text.len() - 2]),
            Matcher::Suffix => {
                let suffix = &self.text[2..];
                path.ends_with(suffix) || suffix.strip_prefix('/').is_some_and(|rest| path == rest)
            }
            Matcher::Regex(tokens) => regex_match(tokens, path),
        }
    }
}

fn invalid(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(codes::INVALID_PATTERN, message, span)
        .with_note("BuildKit refuses a .dockerignore with an invalid pattern")
}

/// A path as the matcher sees it: cleaned, `./` and leading `/` removed.
fn normalize_path(path: &str) -> String {
    let c = clean(path);
    match c.strip_prefix('/') {
        Some("") => ".".to_owned(),
        Some(rest) => rest.to_owned(),
        None => c,
    }
}

/// `a`, `a/b` for `a/b/c` (Go: the components of `filepath.Dir`, joined step by step).
fn parent_prefixes(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let Some(last) = path.rfind('/') else {
        return out;
    };
    let parent = &path[..last];
    for (i, b) in parent.bytes().enumerate() {
        if b == b'/' {
            out.push(&parent[..i]);
        }
    }
    out.push(parent);
    out
}

/// Go's `path.Clean`: `.` and empty elements removed, `..` resolved lexically.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// Go's `filepath.Match(pattern, ".")` syntax check.
fn validate(pattern: &str) -> Result<(), &'static str> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if i + 1 >= chars.len() {
                    return Err("trailing backslash");
                }
                i += 2;
            }
            '[' => {
                i += 1;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                let mut ranges = 0;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated character class"),
                        Some(']') if ranges > 0 => {
                            i += 1;
                            break;
                        }
                        _ => {}
                    }
                    let (lo, next) = class_char(&chars, i)?;
                    i = next;
                    let mut hi = lo;
                    if chars.get(i) == Some(&'-') {
                        let (h, next) = class_char(&chars, i + 1)?;
                        hi = h;
                        i = next;
                    }
                    if lo > hi {
                        return Err("character class range out of order");
                    }
                    ranges += 1;
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// One (possibly escaped) character of a class (Go's `getEsc`).
fn class_char(chars: &[char], i: usize) -> Result<(char, usize), &'static str> {
    match chars.get(i) {
        None | Some('-' | ']') => Err("invalid character class"),
        Some('\\') => match chars.get(i + 1) {
            None => Err("trailing backslash"),
            Some(&c) if i + 2 < chars.len() => Ok((c, i + 2)),
            Some(_) => Err("unterminated character class"),
        },
        Some(&c) if i + 1 < chars.len() => Ok((c, i + 1)),
        Some(_) => Err("unterminated character class"),
    }
}

/// moby's `Pattern.compile`, producing a matcher instead of a regexp string.
fn compile(pattern: &str) -> Matcher {
    #[derive(PartialEq)]
    enum Kind {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut kind = Kind::Exact;
    let mut i = 0;
    let mut step = 0;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        match ch {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        tokens.push(Token::Rest);
                        kind = Kind::Regex;
                    }
                } else {
                    tokens.push(Token::Dirs);
                    kind = Kind::Regex;
                }
                if step == 0 {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                tokens.push(Token::StarButSlash);
                kind = Kind::Regex;
            }
            '?' => {
                tokens.push(Token::AnyButSlash);
                kind = Kind::Regex;
            }
            '\\' => {
                if let Some(&next) = chars.get(i) {
                    i += 1;
                    tokens.push(Token::Lit(next));
                    kind = Kind::Regex;
                } else {
                    tokens.push(Token::Lit('\\'));
                }
            }
            '[' => {
                kind = Kind::Regex;
                let (tok, next) = class_token(&chars, i);
                tokens.push(tok);
                i = next;
            }
            '^' => tokens.push(Token::Start),
            c => tokens.push(Token::Lit(c)),
        }
        step += 1;
    }
    match kind {
        Kind::Exact => Matcher::Exact,
        Kind::Prefix => Matcher::Prefix,
        Kind::Suffix => Matcher::Suffix,
        Kind::Regex => Matcher::Regex(tokens),
    }
}

/// Reads a class after `[` (already validated); returns the token and the index after `]`.
fn class_token(chars: &[char], mut i: usize) -> (Token, usize) {
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let read = |i: usize| -> (char, usize) {
        match chars.get(i) {
            Some('\\') => (chars.get(i + 1).copied().unwrap_or('\\'), i + 2),
            Some(&c) => (c, i + 1),
            None => ('\0', i + 1),
        }
    };
    while i < chars.len() && (chars[i] != ']' || ranges.is_empty()) {
        let (lo, next) = read(i);
        i = next;
        let mut hi = lo;
        if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|c| *c != ']') {
            let (h, next) = read(i + 1);
            hi = h;
            i = next;
        }
        ranges.push((lo, hi));
    }
    (Token::Class { negated, ranges }, i + 1)
}

/// Full-string match of the token list (Go's `^...$`), with memoised backtracking.
fn regex_match(tokens: &[Token], path: &str) -> bool {
    // A full match ends with the pattern's literal tail (`*.tmp`): most paths fail that
    // without the allocations below.
    let mut tail = path.chars().rev();
    for t in tokens.iter().rev() {
        let Token::Lit(c) = t else { break };
        if tail.next() != Some(*c) {
            return false;
        }
    }
    let chars: Vec<char> = path.chars().collect();
    let width = chars.len() + 1;
    let mut failed = vec![false; (tokens.len() + 1) * width];
    match_at(tokens, &chars, 0, 0, &mut failed, width)
}

fn match_at(
    tokens: &[Token],
    chars: &[char],
    t: usize,
    p: usize,
    failed: &mut [bool],
    width: usize,
) -> bool {
    if failed[t * width + p] {
        return false;
    }
    let ok = match tokens.get(t) {
        None => p == chars.len(),
        Some(Token::Lit(c)) => {
            chars.get(p) == Some(c) && match_at(tokens, chars, t + 1, p + 1, failed, width)
        }
        Some(Token::AnyButSlash) => {
            chars.get(p).is_some_and(|c| *c != '/')
                && match_at(tokens, chars, t + 1, p + 1, failed, width)
        }
        Some(Token::Class { negated, ranges }) => {
            chars
                .get(p)
                .is_some_and(|c| ranges.iter().any(|(lo, hi)| (lo..=hi).contains(&c)) != *negated)
                && match_at(tokens, chars, t + 1, p + 1, failed, width)
        }
        Some(Token::Start) => p == 0 && match_at(tokens, chars, t + 1, p, failed, width),
        Some(Token::StarButSlash) => {
            let mut q = p;
            loop {
                if match_at(tokens, chars, t + 1, q, failed, width) {
                    break true;
                }
                if q < chars.len() && chars[q] != '/' {
                    q += 1;
                } else {
                    break false;
                }
            }
        }
        Some(Token::Rest) => {
            // `.*`: Go's `.` does not match a newline.
            let mut q = p;
            loop {
                if match_at(tokens, chars, t + 1, q, failed, width) {
                    break true;
                }
                if q < chars.len() && chars[q] != '\n' {
                    q += 1;
                } else {
                    break false;
                }
            }
        }
        Some(Token::Dirs) => {
            // `(.*/)?`: nothing, or anything (no newline) up to and including a `/`.
            match_at(tokens, chars, t + 1, p, failed, width)
                || (p..chars.len()).take_while(|&q| chars[q] != '\n').any(|q| {
                    chars[q] == '/' && match_at(tokens, chars, t + 1, q + 1, failed, width)
                })
        }
    };
    if !ok {
        failed[t * width + p] = true;
    }
    ok
}

/// Whether a pattern could match some path strictly below the directory `dir` (or the
/// directory itself, which re-includes everything under it).
fn could_match_below(pattern: &str, dir: &[&str]) -> bool {
    let parts: Vec<&str> = pattern.split('/').collect();
    for (i, d) in dir.iter().enumerate() {
        let Some(p) = parts.get(i) else {
            // The pattern ends above `dir`: it can only match an ancestor, which a later
            // exclusion already overrides for `dir`.
            return false;
        };
        if p.contains("**") {
            return true;
        }
        let single = compile(p);
        let hit = match &single {
            Matcher::Exact => p == d,
            Matcher::Regex(tokens) => regex_match(tokens, d),
            Matcher::Prefix | Matcher::Suffix => true,
        };
        if !hit {
            return false;
        }
    }
    true
}
