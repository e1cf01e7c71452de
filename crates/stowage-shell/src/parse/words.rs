//! Word analysis: quote removal, expansion detection, nested command substitutions.

use brush_parser::word::WordPiece;

use crate::source::MappedText;

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
        return info;
    }
    let options = brush_parser::ParserOptions::default();
    if let Ok(pieces) = brush_parser::word::parse(raw, &options) {
        for p in &pieces {
            piece(raw, &p.piece, p.start_index, p.end_index, map, &mut info);
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

fn piece(
    raw: &str,
    piece_: &WordPiece,
    start: usize,
    end: usize,
    map: &MappedText,
    info: &mut WordInfo,
) {
    let slice = raw.get(start..end).unwrap_or("");
    let (s, e) = (start as u32, end as u32);
    match piece_ {
        WordPiece::Text(t) => {
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
            if raw.get(start + open..end.saturating_sub(1)) == Some(t.as_str()) {
                info.literal.push((s + open as u32, e - 1));
            }
        }
        WordPiece::EscapeSequence(t) => {
            info.quoted = true;
            let escaped = t.strip_prefix('\\').unwrap_or(t);
            // A backslash-newline is a line continuation: it vanishes.
            if escaped != "\n" {
                info.text.push_str(escaped);
                info.literal.push((e - escaped.len() as u32, e));
            }
        }
        WordPiece::DoubleQuotedSequence(inner) | WordPiece::GettextDoubleQuotedSequence(inner) => {
            info.quoted = true;
            for p in inner {
                piece(raw, &p.piece, p.start_index, p.end_index, map, info);
            }
        }
        WordPiece::CommandSubstitution(_) | WordPiece::BackquotedCommandSubstitution(_) => {
            info.expansion = true;
            info.text.push_str(slice);
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
        }
    }
}
