//! Word expansion with BuildKit's semantics (`shell.Lex`): `$v`, `${v}`, the `:-` `-` `:+` `+`
//! `:?` `?` `#` `##` `%` `%%` `/` `//` modifiers, quotes, escapes and word splitting.
//!
//! This is not a POSIX shell: command substitution is literal, `${#v}`, `${v:0:2}`, `:=` and
//! friends are errors, and patterns know only `*`, `?` and escapes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use thiserror::Error;

/// An expansion that cannot be done (`${X:?}` on an unset `X`, an unterminated quote, ...).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("failed to process \"{word}\": {reason}")]
pub struct ExpandError {
    /// The word being expanded.
    pub word: String,
    /// What went wrong, as BuildKit words it.
    pub reason: String,
}

/// Variables visible to an expansion. A variable set to `""` is *set*: that matters for
/// `${v-x}`, `${v+x}` and `${v?x}`.
pub trait Env {
    /// The value of `name`, or `None` when it is unset.
    fn get(&self, name: &str) -> Option<&str>;
}

impl<S: AsRef<str> + Ord + std::borrow::Borrow<str>, V: AsRef<str>> Env for BTreeMap<S, V> {
    fn get(&self, name: &str) -> Option<&str> {
        BTreeMap::get(self, name).map(AsRef::as_ref)
    }
}

impl<
    K: AsRef<str> + Eq + std::hash::Hash + std::borrow::Borrow<str>,
    V: AsRef<str>,
    H: std::hash::BuildHasher,
> Env for HashMap<K, V, H>
{
    fn get(&self, name: &str) -> Option<&str> {
        HashMap::get(self, name).map(AsRef::as_ref)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Env for [(K, V)] {
    fn get(&self, name: &str) -> Option<&str> {
        // Later entries win, like repeated ENV lines.
        self.iter()
            .rev()
            .find(|(k, _)| k.as_ref() == name)
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Env for Vec<(K, V)> {
    fn get(&self, name: &str) -> Option<&str> {
        Env::get(self.as_slice(), name)
    }
}

/// No variables at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyEnv;

impl Env for EmptyEnv {
    fn get(&self, _: &str) -> Option<&str> {
        None
    }
}

/// The result of [`Lexer::process_word_with_matches`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansion {
    /// The expanded text.
    pub result: String,
    /// Variables that were looked up and set.
    pub matched: BTreeSet<String>,
    /// Variables that were looked up and unset (what the `UndefinedVar` check reports).
    pub unmatched: BTreeSet<String>,
}

/// BuildKit's word lexer, with its mode switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    /// The escape character: `\` or `` ` `` (from the `escape` directive).
    pub escape: char,
    /// Keep quote characters in the output.
    pub raw_quotes: bool,
    /// Keep escape characters in the output.
    pub raw_escapes: bool,
    /// Quotes are ordinary characters (used for COPY heredoc bodies).
    pub skip_process_quotes: bool,
    /// Leave references to unset variables as written.
    pub skip_unset_env: bool,
}

impl Default for Lexer {
    fn default() -> Self {
        Self::new('\\')
    }
}

impl Lexer {
    /// A lexer with all switches off.
    pub const fn new(escape: char) -> Self {
        Self {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset_env: false,
        }
    }

    /// Expands one word: quotes removed, no splitting.
    pub fn process_word<E: Env + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<String, ExpandError> {
        self.run(word, env, false, false).map(|out| out.result)
    }

    /// Expands and splits into words. Only text that came from an unquoted `$` expansion is
    /// split; empty words are dropped.
    pub fn process_words<E: Env + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<Vec<String>, ExpandError> {
        self.run(word, env, true, false).map(|out| out.words)
    }

    /// Expands one word and reports which variables were looked up.
    pub fn process_word_with_matches<E: Env + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<Expansion, ExpandError> {
        self.run(word, env, false, true).map(|out| Expansion {
            result: out.result,
            matched: out.matched,
            unmatched: out.unmatched,
        })
    }

    fn run<E: Env + ?Sized>(
        self,
        word: &str,
        env: &E,
        want_words: bool,
        capture: bool,
    ) -> Result<Output, ExpandError> {
        // Go's text/scanner skips a byte-order mark at the start of its input.
        let src = word.strip_prefix('\u{feff}').unwrap_or(word);
        let mut state = State {
            lex: &self,
            src,
            pos: 0,
            env,
            raw_escapes: self.raw_escapes,
            capture,
            matched: BTreeSet::new(),
            unmatched: BTreeSet::new(),
        };
        match state.process_stop_on(None, self.raw_escapes, want_words) {
            Ok((result, words)) => Ok(Output {
                result,
                words,
                matched: state.matched,
                unmatched: state.unmatched,
            }),
            Err(reason) => Err(ExpandError {
                word: word.to_owned(),
                reason,
            }),
        }
    }
}

struct Output {
    result: String,
    words: Vec<String>,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
}

struct State<'a, E: Env + ?Sized> {
    lex: &'a Lexer,
    src: &'a str,
    pos: usize,
    env: &'a E,
    raw_escapes: bool,
    capture: bool,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
}

/// Collects words while expanding: whitespace splits only where the caller says so.
#[derive(Default)]
struct Words {
    buf: String,
    done: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, ch: char) {
        if ch.is_whitespace() {
            if self.in_word && !self.buf.is_empty() {
                self.done.push(std::mem::take(&mut self.buf));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(ch);
        }
    }

    fn add_raw_char(&mut self, ch: char) {
        self.buf.push(ch);
        self.in_word = true;
    }

    fn add_string(&mut self, s: &str) {
        for ch in s.chars() {
            self.add_char(ch);
        }
    }

    fn add_raw_string(&mut self, s: &str) {
        self.buf.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<String> {
        if !self.buf.is_empty() {
            self.done.push(self.buf);
        }
        self.done
    }
}

type Step<T> = Result<T, String>;

impl<E: Env + ?Sized> State<'_, E> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
        want_words: bool,
    ) -> Step<(String, Vec<String>)> {
        let saved_raw = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let out = self.process_stop_on_inner(stop, want_words);
        self.raw_escapes = saved_raw;
        out
    }

    fn process_stop_on_inner(
        &mut self,
        stop: Option<char>,
        want_words: bool,
    ) -> Step<(String, Vec<String>)> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.next();
                return Ok((
                    result,
                    if want_words {
                        words.finish()
                    } else {
                        Vec::new()
                    },
                ));
            }
            let special = match ch {
                '$' => Some(self.process_dollar()?),
                '\'' if !self.lex.skip_process_quotes => Some(self.process_single_quote()?),
                '"' if !self.lex.skip_process_quotes => Some(self.process_double_quote()?),
                _ => None,
            };
            if let Some(text) = special {
                result.push_str(&text);
                if want_words {
                    if ch == '$' {
                        words.add_string(&text);
                    } else {
                        words.add_raw_string(&text);
                    }
                }
                continue;
            }
            self.next();
            if ch == self.lex.escape {
                if self.raw_escapes {
                    words.add_raw_char(ch);
                    result.push(ch);
                }
                // The escape token escapes the next character; a lone one at the end is dropped.
                let Some(escaped) = self.next() else { break };
                words.add_raw_char(escaped);
                result.push(escaped);
            } else {
                if want_words {
                    words.add_char(ch);
                }
                result.push(ch);
            }
        }
        if let Some(stop) = stop {
            return Err(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        Ok((
            result,
            if want_words {
                words.finish()
            } else {
                Vec::new()
            },
        ))
    }

    fn process_single_quote(&mut self) -> Step<String> {
        let mut result = String::new();
        let open = self.next();
        if self.lex.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    );
                }
                Some('\'') => {
                    if self.lex.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(ch) => result.push(ch),
            }
        }
    }

    fn process_double_quote(&mut self) -> Step<String> {
        let mut result = String::new();
        let open = self.next();
        if self.lex.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    );
                }
                Some('"') => {
                    self.next();
                    if self.lex.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.process_dollar()?;
                    result.push_str(&value);
                }
                Some(_) => {
                    let mut ch = self.next().unwrap_or_default();
                    if ch == self.lex.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            // An escape at the very end is dropped.
                            None => continue,
                            // Only these can be escaped inside double quotes; other escapes stay.
                            Some(next) if next == '"' || next == '$' || next == self.lex.escape => {
                                ch = next;
                                self.next();
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        let value = self.env.get(name).map(str::to_owned);
        if self.capture {
            if value.is_some() {
                self.matched.insert(name.to_owned());
            } else {
                self.unmatched.insert(name.to_owned());
            }
        }
        value
    }

    fn process_dollar(&mut self) -> Step<String> {
        self.next(); // the '$'
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(match self.get_env(&name) {
                Some(value) => value,
                None if self.lex.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.next(); // the '{'
        match self.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            Some(_) => {}
        }
        let name = self.process_name();
        let ch = self.next();
        // Go renders a missing rune (EOF) as U+FFFD in this message.
        let mut modifier = String::from(ch.unwrap_or('\u{fffd}'));
        match ch {
            Some('}') => Ok(match self.get_env(&name) {
                Some(value) => value,
                None if self.lex.skip_unset_env => format!("${{{name}}}"),
                None => String::new(),
            }),
            Some(':' | '+' | '-' | '?' | '#' | '%') => {
                let mut op = ch.unwrap_or_default();
                let null_is_unset = op == ':';
                if null_is_unset {
                    let next = self.next();
                    modifier.push(next.unwrap_or('\u{fffd}'));
                    op = next.unwrap_or('\u{fffd}');
                }
                let raw_escapes = op == '#' || op == '%';
                if null_is_unset && raw_escapes {
                    return Err(format!("unsupported modifier ({modifier}) in substitution"));
                }
                let word = match self.process_stop_on(Some('}'), raw_escapes, false) {
                    Ok((word, _)) => word,
                    Err(_) if self.peek().is_none() => {
                        return Err("syntax error: missing '}'".into());
                    }
                    Err(e) => return Err(e),
                };
                let value = self.get_env(&name);
                if self.lex.skip_unset_env && value.is_none() {
                    return Ok(format!("${{{name}{modifier}{word}}}"));
                }
                let empty = value.as_deref().is_none_or(str::is_empty);
                match op {
                    '-' => Ok(if value.is_none() || (null_is_unset && empty) {
                        word
                    } else {
                        value.unwrap_or_default()
                    }),
                    '+' => Ok(if value.is_none() || (null_is_unset && empty) {
                        String::new()
                    } else {
                        word
                    }),
                    '?' => match value {
                        None => Err(format!(
                            "{name}: {}",
                            if word.is_empty() {
                                "is not allowed to be unset"
                            } else {
                                &word
                            }
                        )),
                        Some(v) if null_is_unset && v.is_empty() => Err(format!(
                            "{name}: {}",
                            if word.is_empty() {
                                "is not allowed to be empty"
                            } else {
                                &word
                            }
                        )),
                        Some(v) => Ok(v),
                    },
                    '%' | '#' => {
                        let (pattern, greedy) = match word.strip_prefix(op) {
                            Some(rest) => (rest, true),
                            None => (word.as_str(), false),
                        };
                        let value = value.unwrap_or_default();
                        if op == '%' {
                            trim_suffix(pattern, &value, greedy)
                        } else {
                            trim_prefix(pattern, &value, greedy)
                        }
                    }
                    _ => Err(format!("unsupported modifier ({modifier}) in substitution")),
                }
            }
            Some('/') => {
                let replace_all = self.peek() == Some('/');
                if replace_all {
                    self.next();
                }
                let pattern = match self.process_stop_on(Some('/'), true, false) {
                    Ok((p, _)) => p,
                    Err(_) if self.peek().is_none() => {
                        return Err("syntax error: missing '/' in ${}".into());
                    }
                    Err(e) => return Err(e),
                };
                let replacement = match self.process_stop_on(Some('}'), true, false) {
                    Ok((r, _)) => r,
                    Err(_) if self.peek().is_none() => {
                        return Err("syntax error: missing '}'".into());
                    }
                    Err(e) => return Err(e),
                };
                let value = self.get_env(&name);
                let Some(value) = value else {
                    if self.lex.skip_unset_env {
                        return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
                    }
                    return replace(&pattern, "", &replacement, replace_all);
                };
                replace(&pattern, &value, &replacement, replace_all)
            }
            _ => Err(format!("unsupported modifier ({modifier}) in substitution")),
        }
    }

    /// Reads a variable name: a run of digits (positional), one special parameter character,
    /// or letters, digits and `_`.
    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_digit(ch) {
                while let Some(d) = self.peek().filter(|c| is_digit(*c)) {
                    name.push(d);
                    self.next();
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return ch.into();
            }
            if !(is_letter(ch) || is_digit(ch) || ch == '_') {
                break;
            }
            name.push(ch);
            self.next();
        }
        name
    }
}

/// Go's `unicode.IsDigit`: category Nd.
fn is_digit(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_digit();
    }
    unicode_general_category::get_general_category(ch)
        == unicode_general_category::GeneralCategory::DecimalNumber
}

/// Go's `unicode.IsLetter`: categories Lu, Ll, Lt, Lm, Lo.
fn is_letter(ch: char) -> bool {
    use unicode_general_category::GeneralCategory as C;
    if ch.is_ascii() {
        return ch.is_ascii_alphabetic();
    }
    matches!(
        unicode_general_category::get_general_category(ch),
        C::UppercaseLetter
            | C::LowercaseLetter
            | C::TitlecaseLetter
            | C::ModifierLetter
            | C::OtherLetter
    )
}

// ---------------------------------------------------------------------------------------------
// Patterns: `*` and `?` wildcards, `\` escapes. BuildKit turns them into Go regular expressions
// (`*` → `.*` or `.*?`, `?` → `.`) and takes the leftmost-first match; this matcher explores the
// same alternatives in the same order, so it finds the same match.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Star,
    Any,
    Lit(char),
}

fn compile_pattern(pattern: &str) -> Step<Vec<Tok>> {
    let pattern = pattern.strip_prefix('\u{feff}').unwrap_or(pattern);
    let mut out = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '*' => out.push(Tok::Star),
            '?' => out.push(Tok::Any),
            '\\' => match chars.peek().copied() {
                // `}` and `/` are escaped only to get them past `${...}`.
                Some('}' | '/') => {}
                Some(next @ ('*' | '?' | '\\')) => {
                    chars.next();
                    out.push(Tok::Lit(next));
                }
                Some(next) => {
                    return Err(format!(
                        "invalid pattern ({pattern}) in substitution: invalid escape '\\{next}'"
                    ));
                }
                None => {
                    return Err(format!(
                        "invalid pattern ({pattern}) in substitution: invalid escape '\\'"
                    ));
                }
            },
            _ => out.push(Tok::Lit(ch)),
        }
    }
    Ok(out)
}

/// Leftmost-first match of `toks` anchored at `start` in `text`; returns the end (char index).
/// `.` in Go's regexps does not match a newline, so neither do `?` and `*`.
/// `failed` remembers (token, position) states that cannot match: a state that failed once
/// fails again, whatever the start, so callers share it across starts.
fn match_at(
    toks: &[Tok],
    text: &[char],
    start: usize,
    greedy: bool,
    failed: &mut [bool],
) -> Option<usize> {
    match_from(toks, 0, text, start, greedy, failed)
}

fn failure_memo(toks: &[Tok], text: &[char]) -> Vec<bool> {
    vec![false; (toks.len() + 1) * (text.len() + 1)]
}

fn match_from(
    toks: &[Tok],
    ti: usize,
    text: &[char],
    pos: usize,
    greedy: bool,
    failed: &mut [bool],
) -> Option<usize> {
    let key = ti * (text.len() + 1) + pos;
    if failed[key] {
        return None;
    }
    let result = match toks.get(ti) {
        None => Some(pos),
        Some(Tok::Lit(c)) => {
            if text.get(pos) == Some(c) {
                match_from(toks, ti + 1, text, pos + 1, greedy, failed)
            } else {
                None
            }
        }
        Some(Tok::Any) => {
            if text.get(pos).is_some_and(|c| *c != '\n') {
                match_from(toks, ti + 1, text, pos + 1, greedy, failed)
            } else {
                None
            }
        }
        Some(Tok::Star) => {
            // How far the star could reach: up to the next newline.
            let limit = text[pos..]
                .iter()
                .position(|c| *c == '\n')
                .map_or(text.len(), |n| pos + n);
            if greedy {
                (pos..=limit)
                    .rev()
                    .find_map(|end| match_from(toks, ti + 1, text, end, greedy, failed))
            } else {
                (pos..=limit).find_map(|end| match_from(toks, ti + 1, text, end, greedy, failed))
            }
        }
    };
    if result.is_none() {
        failed[key] = true;
    }
    result
}

fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Step<String> {
    let toks = compile_pattern(pattern)?;
    let text: Vec<char> = value.chars().collect();
    Ok(
        match match_at(&toks, &text, 0, greedy, &mut failure_memo(&toks, &text)) {
            Some(end) => text[end..].iter().collect(),
            None => value.to_owned(),
        },
    )
}

fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Step<String> {
    // The shortest or longest suffix: reverse both and trim a prefix, as BuildKit does.
    let toks = compile_pattern(pattern)?;
    let reversed_toks: Vec<Tok> = toks.into_iter().rev().collect();
    let text: Vec<char> = value.chars().rev().collect();
    Ok(
        match match_at(
            &reversed_toks,
            &text,
            0,
            greedy,
            &mut failure_memo(&reversed_toks, &text),
        ) {
            Some(end) => text[end..].iter().rev().collect(),
            None => value.to_owned(),
        },
    )
}

/// `${v/p/r}` and `${v//p/r}`: unanchored, greedy stars, Go's `ReplaceAllString` rules for `//`
/// (an empty match right after a match is skipped) and its `$` template syntax in `r`.
fn replace(pattern: &str, value: &str, replacement: &str, all: bool) -> Step<String> {
    let toks = compile_pattern(pattern)?;
    let text: Vec<char> = value.chars().collect();
    let mut out = String::new();
    let mut pos = 0;
    let mut copied = 0;
    let mut last_match_end: Option<usize> = None;
    let mut failed = failure_memo(&toks, &text);
    while pos <= text.len() {
        match match_at(&toks, &text, pos, true, &mut failed) {
            Some(end) if !(end == pos && last_match_end == Some(pos)) => {
                out.extend(&text[copied..pos]);
                let matched: String = text[pos..end].iter().collect();
                if all {
                    expand_template(&mut out, replacement, &matched);
                } else {
                    out.push_str(replacement);
                }
                copied = end;
                last_match_end = Some(end);
                if !all {
                    break;
                }
                pos = if end > pos { end } else { pos + 1 };
            }
            _ => pos += 1,
        }
    }
    out.extend(&text[copied.min(text.len())..]);
    Ok(out)
}

/// Go's `Regexp.Expand` for a pattern without groups: `$0`/`${0}` is the match, `$$` a dollar,
/// any other reference is empty, and a malformed one stays as written.
fn expand_template(out: &mut String, template: &str, matched: &str) {
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        let (name, after) = if let Some(braced) = rest.strip_prefix('{') {
            match braced.find('}') {
                Some(end)
                    if end > 0
                        && braced[..end]
                            .chars()
                            .all(|c| c == '_' || c.is_alphanumeric()) =>
                {
                    (&braced[..end], &braced[end + 1..])
                }
                _ => ("", rest),
            }
        } else {
            let end = rest
                .find(|c: char| !(c == '_' || c.is_alphanumeric()))
                .unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        };
        if name.is_empty() {
            out.push('$');
            continue;
        }
        if name.bytes().all(|b| b.is_ascii_digit()) && name.parse::<u32>() == Ok(0) {
            out.push_str(matched);
        }
        rest = after;
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests;
