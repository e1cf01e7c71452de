//! The exec-form check: is the rest of the line a JSON array of strings?
//!
//! BuildKit hands the text to Go's `encoding/json`: a valid array of strings is the exec form,
//! a valid array holding anything else is an error, and anything that is not valid JSON falls
//! back to the shell form. This validator follows Go's grammar (whitespace is only
//! space/tab/CR/LF, lone surrogates decode to U+FFFD, nesting deeper than 10000 is invalid).

/// What the text after the flags turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JsonArray {
    /// A valid array of strings (handed to the caller one by one).
    Strings,
    /// Valid JSON, an array, but with a non-string element: a hard error in BuildKit.
    NotStrings,
    /// Not valid JSON (or not an array): the caller falls back to the shell form.
    Invalid,
}

use compact_str::CompactString;

const MAX_DEPTH: usize = 10_000;

/// Parses `text` (already left-trimmed) as a JSON array of strings, handing each decoded
/// string and its token's byte range to `item`. What was handed over counts only when the
/// result is [`JsonArray::Strings`].
pub(crate) fn parse_json_array(
    text: &str,
    mut item: impl FnMut(CompactString, usize, usize),
) -> JsonArray {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'[') {
        return JsonArray::Invalid;
    }
    let mut p = Parser {
        text,
        bytes,
        pos: 1,
    };
    let mut all_strings = true;
    p.skip_ws();
    if p.peek() == Some(b']') {
        p.pos += 1;
    } else {
        loop {
            p.skip_ws();
            if p.peek() == Some(b'"') {
                let start = p.pos;
                let Some(s) = p.string() else {
                    return JsonArray::Invalid;
                };
                if all_strings {
                    item(s, start, p.pos);
                }
            } else {
                all_strings = false;
                if !p.value() {
                    return JsonArray::Invalid;
                }
            }
            p.skip_ws();
            match p.peek() {
                Some(b',') => p.pos += 1,
                Some(b']') => {
                    p.pos += 1;
                    break;
                }
                _ => return JsonArray::Invalid,
            }
        }
    }
    p.skip_ws();
    if p.pos != bytes.len() {
        return JsonArray::Invalid;
    }
    if all_strings {
        JsonArray::Strings
    } else {
        JsonArray::NotStrings
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Validates any JSON value without building it; iterative so depth cannot overflow the stack.
    fn value(&mut self) -> bool {
        // Each entry: true for an object, false for an array.
        let mut stack: Vec<bool> = Vec::new();
        loop {
            self.skip_ws();
            // Parse one value start.
            match self.peek() {
                Some(b'"') => {
                    if self.string().is_none() {
                        return false;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        stack.push(false);
                        if stack.len() >= MAX_DEPTH {
                            return false;
                        }
                        continue;
                    }
                }
                Some(b'{') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                    } else {
                        stack.push(true);
                        if stack.len() >= MAX_DEPTH || !self.object_key() {
                            return false;
                        }
                        continue;
                    }
                }
                Some(b't') => {
                    if !self.literal(b"true") {
                        return false;
                    }
                }
                Some(b'f') => {
                    if !self.literal(b"false") {
                        return false;
                    }
                }
                Some(b'n') => {
                    if !self.literal(b"null") {
                        return false;
                    }
                }
                Some(b'-' | b'0'..=b'9') => {
                    if !self.number() {
                        return false;
                    }
                }
                _ => return false,
            }
            // After a complete value: close containers or move to the next element.
            loop {
                let Some(&is_object) = stack.last() else {
                    return true;
                };
                self.skip_ws();
                match (self.peek(), is_object) {
                    (Some(b','), false) => {
                        self.pos += 1;
                        break;
                    }
                    (Some(b','), true) => {
                        self.pos += 1;
                        self.skip_ws();
                        if !self.object_key() {
                            return false;
                        }
                        break;
                    }
                    (Some(b']'), false) | (Some(b'}'), true) => {
                        self.pos += 1;
                        stack.pop();
                    }
                    _ => return false,
                }
            }
        }
    }

    /// `"key" :` inside an object.
    fn object_key(&mut self) -> bool {
        if self.peek() != Some(b'"') || self.string().is_none() {
            return false;
        }
        self.skip_ws();
        if self.peek() != Some(b':') {
            return false;
        }
        self.pos += 1;
        true
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> bool {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return false,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return false;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return false;
            }
        }
        true
    }

    fn hex4(&mut self) -> Option<u32> {
        let hex = self.bytes.get(self.pos..self.pos + 4)?;
        let text = std::str::from_utf8(hex).ok()?;
        let value = u32::from_str_radix(text, 16).ok()?;
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        self.pos += 4;
        Some(value)
    }

    /// Decodes a string token starting at `"`; `None` if it is not valid JSON.
    fn string(&mut self) -> Option<CompactString> {
        self.pos += 1;
        let mut out = CompactString::default();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // We stop only at ASCII bytes, so both ends are char boundaries.
            out.push_str(self.text.get(start..self.pos)?);
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let esc = self.peek()?;
                    self.pos += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let first = self.hex4()?;
                            out.push(self.surrogate_aware(first));
                        }
                        _ => return None,
                    }
                }
                // A raw control character inside a string is invalid JSON.
                _ => return None,
            }
        }
    }

    /// Combines a UTF-16 surrogate pair like Go does; lone halves become U+FFFD.
    fn surrogate_aware(&mut self, first: u32) -> char {
        if (0xD800..0xDC00).contains(&first) {
            let save = self.pos;
            if self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
                self.pos += 2;
                if let Some(second) = self.hex4()
                    && (0xDC00..0xE000).contains(&second)
                {
                    let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    return char::from_u32(c).unwrap_or('\u{fffd}');
                }
            }
            // Not a pair: Go emits U+FFFD and reads the next escape on its own.
            self.pos = save;
            return '\u{fffd}';
        }
        char::from_u32(first).unwrap_or('\u{fffd}')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(text: &str) -> Vec<CompactString> {
        let mut items = Vec::new();
        match parse_json_array(text, |s, _, _| items.push(s)) {
            JsonArray::Strings => items,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    #[test]
    fn arrays_of_strings() {
        assert_eq!(strings(r#"["a", "b c"]"#), ["a", "b c"]);
        assert_eq!(strings("[]"), Vec::<String>::new());
        assert_eq!(
            strings(r#"[ "\u0000", "\ud83d\ude00", "\ud800x" ] "#),
            ["\0", "😀", "\u{fffd}x"]
        );
    }

    #[test]
    fn non_strings_and_invalid() {
        assert_eq!(
            parse_json_array(r#"["a", ["b"]]"#, |_, _, _| {}),
            JsonArray::NotStrings
        );
        assert_eq!(
            parse_json_array(r#"["a", {"k": [1, 2.5e3, null]}]"#, |_, _, _| {}),
            JsonArray::NotStrings
        );
        for bad in [
            "['a']",
            r#"["a""#,
            r#"["a"] x"#,
            "[1,]",
            r#""a""#,
            "[01]",
            "[\"a\tb\"]",
            "[-]",
        ] {
            assert_eq!(
                parse_json_array(bad, |_, _, _| {}),
                JsonArray::Invalid,
                "{bad}"
            );
        }
        let deep = "[".repeat(20_000);
        assert_eq!(parse_json_array(&deep, |_, _, _| {}), JsonArray::Invalid);
    }
}
