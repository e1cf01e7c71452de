//! Word analysis: quote removal, expansion detection, nested command substitutions.

use brush_parser::word::WordPiece;

use crate::model::{PartKind, Quoting};
use crate::source::MappedText;

/// A piece of a word with its byte range in the word's raw text.
#[derive(Debug)]
pub(super) struct RawPart {
    pub(super) kind: PartKind,
    pub(super) quoting: Quoting,
    pub(super) raw: String,
    pub(super) start: u32,
    pub(super) end: u32,
}

/// What a word holds.
#[derive(Debug, Default)]
pub(super) struct WordInfo {
    /// Quotes removed, escapes applied, expansions kept as written.
    pub(super) text: String,
    /// `text` when the word is fully literal.
    pub(super) value: Option<String>,
    pub(super) quoted: bool,
    pub(super) expansion: bool,
    /// `$(...)` and backquoted scripts, mapped into the source.
    pub(super) substitutions: Vec<MappedText>,
    /// Raw byte ranges of the literal pieces, in order (for `sh -c` scripts).
    literal: Vec<(u32, u32)>,
    /// Script offset of the word's first byte, when known.
    base: Option<u32>,
    /// The pieces, with quoting.
    pub(super) parts: Vec<RawPart>,
}

impl WordInfo {
    /// The literal value as mapped text (for `sh -c '...'`), if the word is literal and placed.
    pub(super) fn literal_text(&self, map: &MappedText) -> Option<MappedText> {
        self.value.as_ref()?;
        let base = self.base?;
        let mut out = MappedText::default();
        for &(s, e) in &self.literal {
            out.append_from(map, base + s, base + e);
        }
        (out.text == *self.value.as_ref()?).then_some(out)
    }
}

/// Characters that make a word more than plain text.
fn is_special(b: u8) -> bool {
    matches!(b, b'\'' | b'"' | b'\\' | b'$' | b'`' | b'~')
}

pub(super) fn analyze_word(raw: &str, base: Option<u32>, map: &MappedText) -> WordInfo {
    let mut info = WordInfo {
        base,
        ..WordInfo::default()
    };
    if !raw.bytes().any(is_special) {
        raw.clone_into(&mut info.text);
        info.value = Some(raw.to_owned());
        info.literal.push((0, raw.len() as u32));
        info.parts.push(RawPart {
            kind: PartKind::Literal {
                text: raw.to_owned(),
            },
            quoting: Quoting::Unquoted,
            raw: raw.to_owned(),
            start: 0,
            end: raw.len() as u32,
        });
        return info;
    }
    let options = brush_parser::ParserOptions::default();
    if let Ok(pieces) = brush_parser::word::parse(raw, &options) {
        for p in &pieces {
            piece(
                raw,
                &p.piece,
                p.start_index,
                p.end_index,
                map,
                Quoting::Unquoted,
                &mut info,
            );
        }
    } else {
        raw.clone_into(&mut info.text);
        info.expansion = raw.contains(['$', '`']);
        info.quoted = raw.contains(['\'', '"', '\\']);
    }
    if !info.expansion {
        info.value = Some(info.text.clone());
    }
    info
}

fn part(info: &mut WordInfo, kind: PartKind, quoting: Quoting, raw: &str, s: u32, e: u32) {
    info.parts.push(RawPart {
        kind,
        quoting,
        raw: raw.to_owned(),
        start: s,
        end: e,
    });
}

/// `$x`, `${x}`, `${#x}`, `${x:-d}`, `$1`, `$@` → (name, operator, length).
fn parameter(slice: &str) -> (String, Option<String>, bool) {
    let body = slice.strip_prefix('$').unwrap_or(slice);
    let (inner, braced) = match body.strip_prefix('{') {
        Some(b) => (b.strip_suffix('}').unwrap_or(b), true),
        None => (body, false),
    };
    let (inner, length) = match inner.strip_prefix('#') {
        Some(rest) if braced && !rest.is_empty() => (rest, true),
        _ => (inner, false),
    };
    let name_len = if inner.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(inner.len())
    } else if braced && inner.starts_with(|c: char| c.is_ascii_digit()) {
        inner
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(inner.len())
    } else {
        inner.chars().next().map_or(0, char::len_utf8)
    };
    let name = inner[..name_len].to_owned();
    let rest = &inner[name_len..];
    let operator = (braced && !rest.is_empty()).then(|| rest.to_owned());
    (name, operator, length)
}

#[expect(
    clippy::too_many_lines,
    reason = "one match over brush-parser's word pieces"
)]
fn piece(
    raw: &str,
    piece_: &WordPiece,
    start: usize,
    end: usize,
    map: &MappedText,
    quoting: Quoting,
    info: &mut WordInfo,
) {
    let slice = raw.get(start..end).unwrap_or("");
    let (s, e) = (start as u32, end as u32);
    match piece_ {
        WordPiece::Text(t) => {
            part(
                info,
                PartKind::Literal { text: t.clone() },
                quoting,
                slice,
                s,
                e,
            );
            info.text.push_str(t);
            if slice == t {
                info.literal.push((s, e));
            }
        }
        WordPiece::SingleQuotedText(t) | WordPiece::AnsiCQuotedText(t) => {
            info.quoted = true;
            info.text.push_str(t);
            let open = if matches!(piece_, WordPiece::AnsiCQuotedText(_)) {
                2
            } else {
                1
            };
            let q = if open == 2 {
                Quoting::AnsiC
            } else {
                Quoting::Single
            };
            let inner = raw.get(start + open..end.saturating_sub(1)).unwrap_or(t);
            part(
                info,
                PartKind::Literal { text: t.clone() },
                q,
                inner,
                s + open as u32,
                e.saturating_sub(1).max(s),
            );
            if raw.get(start + open..end.saturating_sub(1)) == Some(t.as_str()) {
                info.literal.push((s + open as u32, e - 1));
            }
        }
        WordPiece::EscapeSequence(t) => {
            info.quoted = true;
            let escaped = t.strip_prefix('\\').unwrap_or(t);
            // A backslash-newline is a line continuation: it vanishes.
            if escaped != "\n" {
                let q = if quoting == Quoting::Double {
                    Quoting::Double
                } else {
                    Quoting::Escaped
                };
                part(
                    info,
                    PartKind::Literal {
                        text: escaped.to_owned(),
                    },
                    q,
                    slice,
                    s,
                    e,
                );
                info.text.push_str(escaped);
                info.literal.push((e - escaped.len() as u32, e));
            }
        }
        WordPiece::DoubleQuotedSequence(inner) | WordPiece::GettextDoubleQuotedSequence(inner) => {
            info.quoted = true;
            for p in inner {
                piece(
                    raw,
                    &p.piece,
                    p.start_index,
                    p.end_index,
                    map,
                    Quoting::Double,
                    info,
                );
            }
        }
        WordPiece::CommandSubstitution(_) | WordPiece::BackquotedCommandSubstitution(_) => {
            info.expansion = true;
            info.text.push_str(slice);
            part(info, PartKind::CommandSubstitution, quoting, slice, s, e);
            let open = if matches!(piece_, WordPiece::CommandSubstitution(_)) {
                2
            } else {
                1
            };
            if let Some(base) = info.base
                && end > start + open
            {
                info.substitutions
                    .push(map.slice(base + s + open as u32, base + e - 1));
            }
        }
        WordPiece::TildeExpansion(_)
        | WordPiece::ParameterExpansion(_)
        | WordPiece::ArithmeticExpression(_) => {
            info.expansion = true;
            info.text.push_str(slice);
            let kind = match piece_ {
                WordPiece::TildeExpansion(_) => PartKind::Tilde,
                WordPiece::ArithmeticExpression(_) => PartKind::Arithmetic,
                _ => {
                    let (name, operator, length) = parameter(slice);
                    PartKind::Parameter {
                        name,
                        operator,
                        length,
                    }
                }
            };
            part(info, kind, quoting, slice, s, e);
        }
    }
}
