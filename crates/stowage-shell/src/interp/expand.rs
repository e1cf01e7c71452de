//! Word expansion: tilde, parameters (`$x`, `${x:-y}`, `${#x}`, `${x%pat}`, …), command
//! substitution, arithmetic, quote removal, field splitting and pathname expansion.

use super::glob::{fnmatch, glob_fs, has_meta};
use super::{Flow, Shell};

/// One piece of an expanded word.
struct Seg {
    text: String,
    /// From quotes or escapes: no splitting, no globbing.
    quoted: bool,
    /// From an unquoted expansion: subject to field splitting.
    split: bool,
}

/// Marks a field break inside `"$@"`.
const FIELD_BREAK: char = '\u{0}';

impl Shell<'_> {
    /// Expands a word into fields (split and globbed).
    pub(crate) fn expand_word(&mut self, raw: &str, depth: usize) -> Result<Vec<String>, Flow> {
        let segs = self.segments(raw, depth)?;
        // Field splitting.
        let mut fields: Vec<(String, String, bool)> = Vec::new(); // text, pattern, has glob
        let mut cur: Option<(String, String, bool)> = None;
        for seg in segs {
            if seg.split {
                for (i, part) in seg.text.split([' ', '\t', '\n']).enumerate() {
                    if i > 0
                        && let Some(f) = cur.take()
                    {
                        fields.push(f);
                    }
                    if !part.is_empty() {
                        let f = cur.get_or_insert_with(Default::default);
                        f.0.push_str(part);
                        f.1.push_str(part);
                        f.2 |= has_meta(part);
                    }
                }
                continue;
            }
            for (i, part) in seg.text.split(FIELD_BREAK).enumerate() {
                if i > 0
                    && let Some(f) = cur.take()
                {
                    fields.push(f);
                }
                let f = cur.get_or_insert_with(Default::default);
                f.0.push_str(part);
                if seg.quoted {
                    f.1.push_str(&escape_pattern(part));
                } else {
                    f.1.push_str(part);
                    f.2 |= has_meta(part);
                }
            }
        }
        fields.extend(cur);
        let mut out = Vec::with_capacity(fields.len());
        for (text, pattern, glob) in fields {
            if glob {
                let matches = glob_fs(self, &pattern);
                if matches.is_empty() {
                    out.push(text);
                } else {
                    out.extend(matches);
                }
            } else {
                out.push(text);
            }
        }
        Ok(out)
    }

    /// Expands a word into one string (no splitting, no globbing).
    pub(crate) fn expand_one(&mut self, raw: &str, depth: usize) -> Result<String, Flow> {
        let segs = self.segments(raw, depth)?;
        Ok(segs
            .into_iter()
            .map(|s| s.text.replace(FIELD_BREAK, " "))
            .collect())
    }

    /// Expands a word into a glob pattern (quoted characters escaped).
    pub(crate) fn expand_pattern(&mut self, raw: &str, depth: usize) -> Result<String, Flow> {
        let segs = self.segments(raw, depth)?;
        Ok(segs
            .into_iter()
            .map(|s| {
                if s.quoted {
                    escape_pattern(&s.text)
                } else {
                    s.text
                }
            })
            .collect())
    }

    fn segments(&mut self, raw: &str, depth: usize) -> Result<Vec<Seg>, Flow> {
        let chars: Vec<char> = raw.chars().collect();
        let mut segs: Vec<Seg> = Vec::new();
        let mut lit = String::new();
        let mut i = 0;
        // Tilde at the start of a word.
        if chars.first() == Some(&'~') {
            let end = chars.iter().position(|c| *c == '/').unwrap_or(chars.len());
            if end == 1 {
                let home = self.get_var("HOME").unwrap_or_else(|| "/root".to_owned());
                segs.push(Seg {
                    text: home,
                    quoted: true,
                    split: false,
                });
                i = 1;
            }
        }
        let flush = |lit: &mut String, segs: &mut Vec<Seg>| {
            if !lit.is_empty() {
                segs.push(Seg {
                    text: std::mem::take(lit),
                    quoted: false,
                    split: false,
                });
            }
        };
        while i < chars.len() {
            let c = chars[i];
            match c {
                '\\' => {
                    flush(&mut lit, &mut segs);
                    if let Some(&n) = chars.get(i + 1) {
                        if n != '\n' {
                            segs.push(quoted(n.to_string()));
                        }
                        i += 2;
                    } else {
                        segs.push(quoted("\\".to_owned()));
                        i += 1;
                    }
                }
                '\'' => {
                    flush(&mut lit, &mut segs);
                    let end = find(&chars, i + 1, '\'');
                    segs.push(quoted(chars[i + 1..end].iter().collect()));
                    i = end + 1;
                }
                '"' => {
                    flush(&mut lit, &mut segs);
                    let (text, end) = self.double_quoted(&chars, i + 1, depth)?;
                    segs.push(quoted(text));
                    i = end + 1;
                }
                '$' | '`' => {
                    let (value, end) = self.dollar(&chars, i, depth, false)?;
                    match value {
                        Some(v) => {
                            flush(&mut lit, &mut segs);
                            segs.push(Seg {
                                text: v,
                                quoted: false,
                                split: true,
                            });
                        }
                        None => lit.push('$'),
                    }
                    i = end;
                }
                _ => {
                    lit.push(c);
                    i += 1;
                }
            }
        }
        flush(&mut lit, &mut segs);
        Ok(segs)
    }

    /// The inside of `"..."` from `start`; returns the text and the index of the closing quote.
    fn double_quoted(
        &mut self,
        chars: &[char],
        start: usize,
        depth: usize,
    ) -> Result<(String, usize), Flow> {
        let mut out = String::new();
        let mut i = start;
        while i < chars.len() {
            match chars[i] {
                '"' => return Ok((out, i)),
                '\\' => match chars.get(i + 1) {
                    Some(&n @ ('$' | '`' | '"' | '\\')) => {
                        out.push(n);
                        i += 2;
                    }
                    Some('\n') => i += 2,
                    _ => {
                        out.push('\\');
                        i += 1;
                    }
                },
                '$' | '`' => {
                    let (value, end) = self.dollar(chars, i, depth, true)?;
                    match value {
                        Some(v) => out.push_str(&v),
                        None => out.push('$'),
                    }
                    i = end;
                }
                c => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        Ok((out, chars.len()))
    }

    /// An expansion starting at `chars[i]` (`$` or a backquote). Returns its value (`None`
    /// for a lone `$`) and the index after it.
    fn dollar(
        &mut self,
        chars: &[char],
        i: usize,
        depth: usize,
        in_quotes: bool,
    ) -> Result<(Option<String>, usize), Flow> {
        if chars[i] == '`' {
            let mut end = i + 1;
            let mut body = String::new();
            while end < chars.len() && chars[end] != '`' {
                if chars[end] == '\\' && end + 1 < chars.len() {
                    body.push(chars[end + 1]);
                    end += 2;
                    continue;
                }
                body.push(chars[end]);
                end += 1;
            }
            let v = self.command_substitution(&body, depth);
            return Ok((Some(v), end + 1));
        }
        match chars.get(i + 1) {
            Some('(') if chars.get(i + 2) == Some(&'(') => {
                let end = matching(chars, i + 1, '(', ')');
                // `$((expr))`: the inner text sits between the double parentheses.
                let inner: String = chars[i + 3..end.saturating_sub(1).max(i + 3)]
                    .iter()
                    .collect();
                let v = arith(self, &inner, depth)?;
                Ok((Some(v.to_string()), end + 1))
            }
            Some('(') => {
                let end = matching(chars, i + 1, '(', ')');
                let body: String = chars[i + 2..end.min(chars.len())].iter().collect();
                let v = self.command_substitution(&body, depth);
                Ok((Some(v), end + 1))
            }
            Some('{') => {
                let end = matching(chars, i + 1, '{', '}');
                let body: String = chars[i + 2..end.min(chars.len())].iter().collect();
                let v = self.parameter(&body, depth)?;
                Ok((Some(v), end + 1))
            }
            Some(&c) if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = i + 1;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_')
                {
                    end += 1;
                }
                let name: String = chars[i + 1..end].iter().collect();
                let v = self.lookup(&name)?;
                Ok((Some(v), end))
            }
            Some(&c) if c.is_ascii_digit() || "?$#*-!".contains(c) => {
                let v = self.lookup(&c.to_string())?;
                Ok((Some(v), i + 2))
            }
            Some('@') => {
                let v = if in_quotes {
                    self.positional.join(&FIELD_BREAK.to_string())
                } else {
                    self.positional.join(" ")
                };
                Ok((Some(v), i + 2))
            }
            _ => Ok((None, i + 1)),
        }
    }

    fn lookup(&mut self, name: &str) -> Result<String, Flow> {
        match self.get_var(name) {
            Some(v) => Ok(v),
            None if self.nounset && name != "@" && name != "*" => {
                self.errln(&format!("/bin/sh: {name}: parameter not set"));
                Err(Flow::Exit(2))
            }
            None => Ok(String::new()),
        }
    }

    fn command_substitution(&mut self, body: &str, depth: usize) -> String {
        let saved = std::mem::take(&mut self.out);
        self.capture += 1;
        let status = self
            .subshell(|sh| Ok(sh.run_text(body, depth + 1)))
            .unwrap_or(1);
        self.capture -= 1;
        self.last_status = status;
        let out = std::mem::replace(&mut self.out, saved);
        let mut text = String::from_utf8_lossy(&out).into_owned();
        while text.ends_with('\n') {
            text.pop();
        }
        text
    }

    /// `${...}` with the POSIX operators and bash's `/` and `:offset:length`.
    fn parameter(&mut self, body: &str, depth: usize) -> Result<String, Flow> {
        if let Some(name) = body.strip_prefix('#')
            && !name.is_empty()
        {
            let v = self.get_var(name).unwrap_or_default();
            return Ok(v.chars().count().to_string());
        }
        let name_len = if body.starts_with(|c: char| c.is_ascii_digit() || "?$#*@-!".contains(c)) {
            1
        } else {
            body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(body.len())
        };
        let (name, rest) = body.split_at(name_len);
        let value = self.get_var(name);
        if rest.is_empty() {
            return self.lookup(name);
        }
        let set = value.is_some();
        let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
        let value_str = value.unwrap_or_default();
        let ops: [(&str, bool); 8] = [
            (":-", true),
            (":=", true),
            (":+", true),
            (":?", true),
            ("-", false),
            ("=", false),
            ("+", false),
            ("?", false),
        ];
        for (op, colon) in ops {
            if let Some(word) = rest.strip_prefix(op) {
                let present = if colon { non_empty } else { set };
                let kind = op.trim_start_matches(':');
                return match kind {
                    "-" => {
                        if present {
                            Ok(value_str)
                        } else {
                            self.expand_one(word, depth)
                        }
                    }
                    "=" => {
                        if present {
                            Ok(value_str)
                        } else {
                            let v = self.expand_one(word, depth)?;
                            self.set_var(name, v.clone());
                            Ok(v)
                        }
                    }
                    "+" => {
                        if present {
                            self.expand_one(word, depth)
                        } else {
                            Ok(String::new())
                        }
                    }
                    _ => {
                        if present {
                            Ok(value_str)
                        } else {
                            let msg = self.expand_one(word, depth)?;
                            let msg = if msg.is_empty() {
                                "parameter not set".to_owned()
                            } else {
                                msg
                            };
                            self.errln(&format!("/bin/sh: {name}: {msg}"));
                            Err(Flow::Exit(2))
                        }
                    }
                };
            }
        }
        for (op, longest, prefix) in [
            ("##", true, true),
            ("#", false, true),
            ("%%", true, false),
            ("%", false, false),
        ] {
            if let Some(pat) = rest.strip_prefix(op) {
                let pat = self.expand_pattern(pat, depth)?;
                return Ok(strip_pattern(&value_str, &pat, longest, prefix));
            }
        }
        if let Some(spec) = rest.strip_prefix('/') {
            let (all, spec) = match spec.strip_prefix('/') {
                Some(s) => (true, s),
                None => (false, spec),
            };
            let (pat, rep) = spec.split_once('/').unwrap_or((spec, ""));
            let pat = self.expand_pattern(pat, depth)?;
            let rep = self.expand_one(rep, depth)?;
            return Ok(replace_pattern(&value_str, &pat, &rep, all));
        }
        if let Some(spec) = rest.strip_prefix(':') {
            let (off, len) = spec.split_once(':').unwrap_or((spec, ""));
            let chars: Vec<char> = value_str.chars().collect();
            let n = i64::try_from(chars.len()).unwrap_or(i64::MAX);
            let off = arith(self, off, depth)?;
            let off = if off < 0 {
                (n + off).max(0)
            } else {
                off.min(n)
            };
            let len = if len.is_empty() {
                n - off
            } else {
                arith(self, len, depth)?
            };
            let end = if len < 0 { n + len } else { (off + len).min(n) };
            let (off, end) = (
                usize::try_from(off).unwrap_or(0),
                usize::try_from(end.max(off)).unwrap_or(0),
            );
            return Ok(chars[off..end].iter().collect());
        }
        self.errln(&format!("/bin/sh: ${{{body}}}: bad substitution"));
        Err(Flow::Exit(2))
    }
}

fn quoted(text: String) -> Seg {
    Seg {
        text,
        quoted: true,
        split: false,
    }
}

/// Index of the next `c` from `start` (or the end).
fn find(chars: &[char], start: usize, c: char) -> usize {
    chars[start.min(chars.len())..]
        .iter()
        .position(|x| *x == c)
        .map_or(chars.len(), |p| start + p)
}

/// Index of the bracket closing the one at `open` (nesting and quotes respected).
#[expect(clippy::many_single_char_names, reason = "a small bracket scanner")]
fn matching(chars: &[char], open: usize, l: char, r: char) -> usize {
    let mut level = 0usize;
    let mut i = open;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == '\\' && q == '"' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if c == '\\' {
                    i += 1;
                } else if c == '\'' || c == '"' {
                    quote = Some(c);
                } else if c == l {
                    level += 1;
                } else if c == r {
                    level -= 1;
                    if level == 0 {
                        return i;
                    }
                }
            }
        }
        i += 1;
    }
    chars.len()
}

/// Escapes glob characters so a quoted text matches literally.
pub(crate) fn escape_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn strip_pattern(value: &str, pat: &str, longest: bool, prefix: bool) -> String {
    let idx: Vec<usize> = value
        .char_indices()
        .map(|(i, _)| i)
        .chain([value.len()])
        .collect();
    let candidates: Box<dyn Iterator<Item = &usize>> = match (prefix, longest) {
        (true, false) | (false, true) => Box::new(idx.iter()),
        (true, true) | (false, false) => Box::new(idx.iter().rev()),
    };
    for &i in candidates {
        if prefix {
            if fnmatch(pat, &value[..i]) {
                return value[i..].to_owned();
            }
        } else if fnmatch(pat, &value[i..]) {
            return value[..i].to_owned();
        }
    }
    value.to_owned()
}

fn replace_pattern(value: &str, pat: &str, rep: &str, all: bool) -> String {
    let mut out = String::new();
    let mut i = 0;
    let mut replaced = false;
    while i < value.len() {
        if !replaced || all {
            // The longest match starting at i.
            let mut ends: Vec<usize> = value[i..]
                .char_indices()
                .map(|(k, c)| i + k + c.len_utf8())
                .collect();
            ends.reverse();
            if let Some(end) = ends.into_iter().find(|&e| fnmatch(pat, &value[i..e])) {
                out.push_str(rep);
                i = end;
                replaced = true;
                continue;
            }
        }
        let c = value[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Expands `$` and backquotes in an unquoted heredoc body.
pub(crate) fn expand_heredoc(sh: &mut Shell<'_>, body: &str, depth: usize) -> Result<String, Flow> {
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => match chars.get(i + 1) {
                Some(&n @ ('$' | '`' | '\\')) => {
                    out.push(n);
                    i += 2;
                }
                Some('\n') => i += 2,
                _ => {
                    out.push('\\');
                    i += 1;
                }
            },
            '$' | '`' => {
                let (v, end) = sh.dollar(&chars, i, depth, true)?;
                match v {
                    Some(v) => out.push_str(&v),
                    None => out.push('$'),
                }
                i = end;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Evaluates shell arithmetic (integers; `+ - * / %`, comparisons, `&& ||`, `!`, parentheses,
/// variables by name).
pub(crate) fn arith(sh: &mut Shell<'_>, expr: &str, depth: usize) -> Result<i64, Flow> {
    let text = sh.expand_one(expr, depth)?;
    let tokens = tokenize(&text);
    let mut p = Arith { sh, tokens, pos: 0 };
    let v = p.or();
    Ok(v)
}

fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["&&", "||", "==", "!=", "<=", ">="].contains(&two.as_str()) {
                out.push(two);
                i += 2;
            } else {
                out.push(c.to_string());
                i += 1;
            }
        }
    }
    out
}

struct Arith<'s, 'a> {
    sh: &'s mut Shell<'a>,
    tokens: Vec<String>,
    pos: usize,
}

impl Arith<'_, '_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }

    fn eat(&mut self, t: &str) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> i64 {
        let mut v = self.and();
        while self.eat("||") {
            let r = self.and();
            v = i64::from(v != 0 || r != 0);
        }
        v
    }

    fn and(&mut self) -> i64 {
        let mut v = self.cmp();
        while self.eat("&&") {
            let r = self.cmp();
            v = i64::from(v != 0 && r != 0);
        }
        v
    }

    fn cmp(&mut self) -> i64 {
        let mut v = self.add();
        loop {
            let op = match self.peek() {
                Some(op @ ("==" | "!=" | "<" | ">" | "<=" | ">=")) => op.to_owned(),
                _ => return v,
            };
            self.pos += 1;
            let r = self.add();
            v = i64::from(match op.as_str() {
                "==" => v == r,
                "!=" => v != r,
                "<" => v < r,
                ">" => v > r,
                "<=" => v <= r,
                _ => v >= r,
            });
        }
    }

    fn add(&mut self) -> i64 {
        let mut v = self.mul();
        loop {
            if self.eat("+") {
                v = v.wrapping_add(self.mul());
            } else if self.eat("-") {
                v = v.wrapping_sub(self.mul());
            } else {
                return v;
            }
        }
    }

    fn mul(&mut self) -> i64 {
        let mut v = self.unary();
        loop {
            if self.eat("*") {
                v = v.wrapping_mul(self.unary());
            } else if self.eat("/") {
                let r = self.unary();
                v = if r == 0 { 0 } else { v.wrapping_div(r) };
            } else if self.eat("%") {
                let r = self.unary();
                v = if r == 0 { 0 } else { v.wrapping_rem(r) };
            } else {
                return v;
            }
        }
    }

    fn unary(&mut self) -> i64 {
        if self.eat("-") {
            return self.unary().wrapping_neg();
        }
        if self.eat("+") {
            return self.unary();
        }
        if self.eat("!") {
            return i64::from(self.unary() == 0);
        }
        if self.eat("(") {
            let v = self.or();
            self.eat(")");
            return v;
        }
        let Some(tok) = self.peek().map(str::to_owned) else {
            return 0;
        };
        self.pos += 1;
        if let Ok(n) = tok.parse::<i64>() {
            return n;
        }
        self.sh
            .get_var(&tok)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    }
}
