//! Go's `strconv.Quote`, which BuildKit's `Dump` format uses for every value.

use std::fmt::Write;

use unicode_general_category::{GeneralCategory as C, get_general_category};

/// Quotes `s` exactly like Go's `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    go_quote_into(&mut out, s);
    out
}

/// Appends the Go-quoted form of `s` to `out`.
pub(crate) fn go_quote_into(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_print(c) => out.push(c),
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !matches!(
        get_general_category(c),
        C::Control
            | C::Format
            | C::Surrogate
            | C::PrivateUse
            | C::Unassigned
            | C::SpaceSeparator
            | C::LineSeparator
            | C::ParagraphSeparator
    )
}

#[cfg(test)]
mod tests {
    use super::go_quote;

    #[test]
    fn matches_go() {
        assert_eq!(go_quote("a \"b\" \\c"), r#""a \"b\" \\c""#);
        assert_eq!(go_quote("\0\u{1}\u{7f}\t\n"), r#""\x00\x01\x7f\t\n""#);
        assert_eq!(go_quote("♥ ☃ 한국어"), "\"♥ ☃ 한국어\"");
        assert_eq!(
            go_quote("\u{a0}\u{200b}\u{e000}\u{10ffff}"),
            r#""\u00a0\u200b\ue000\U0010ffff""#
        );
    }
}
