//! Where the shell's text comes from: the script the shell sees, built from the Dockerfile's
//! bytes, and a map from every script offset back to a Dockerfile offset.
//!
//! BuildKit joins continuation lines (escape + newline) and drops comment and blank lines
//! inside a continuation before the shell sees a RUN; heredoc bodies are passed on as they are.

use stowage_diagnostics::Span;

/// The script text and its offset map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappedText {
    /// The text the shell parses.
    pub text: String,
    /// `(script offset, source offset)` at the start of each contiguous piece, sorted.
    segments: Vec<(u32, u32)>,
}

impl MappedText {
    /// Text that maps one to one onto the source from `base` on.
    pub fn verbatim(text: &str, base: u32) -> Self {
        Self {
            text: text.to_owned(),
            segments: vec![(0, base)],
        }
    }

    /// Appends `piece`, which sits at `source_offset` in the source.
    pub fn push(&mut self, piece: &str, source_offset: u32) {
        if piece.is_empty() {
            return;
        }
        let at = self.text.len() as u32;
        match self.segments.last() {
            // Contiguous with the previous piece: no new segment needed.
            Some(&(s, o)) if o + (at - s) == source_offset => {}
            _ => self.segments.push((at, source_offset)),
        }
        self.text.push_str(piece);
    }

    /// Appends `other.text[start..end]`, keeping where each byte came from.
    pub fn append_from(&mut self, other: &MappedText, start: u32, end: u32) {
        let end = end.min(other.text.len() as u32);
        for (i, &(s, o)) in other.segments.iter().enumerate() {
            let next = other
                .segments
                .get(i + 1)
                .map_or(other.text.len() as u32, |&(n, _)| n);
            let a = start.max(s);
            let b = end.min(next);
            if a >= b {
                continue;
            }
            if let Some(piece) = other.text.get(a as usize..b as usize) {
                self.push(piece, o + (a - s));
            }
        }
    }

    /// `self.text[start..end]` as its own mapped text.
    #[must_use]
    pub fn slice(&self, start: u32, end: u32) -> MappedText {
        let mut out = MappedText::default();
        out.append_from(self, start, end);
        out
    }

    /// The source offset of script offset `offset` (the end maps past the last piece).
    pub fn source_offset(&self, offset: u32) -> u32 {
        let i = match self.segments.binary_search_by_key(&offset, |&(s, _)| s) {
            Ok(i) => i,
            Err(0) => return self.segments.first().map_or(offset, |&(_, o)| o),
            Err(i) => i - 1,
        };
        let (s, o) = self.segments[i];
        o + (offset - s)
    }

    /// The source span of a script range. An end at a piece boundary maps to the end of the
    /// earlier piece, so a word before a joined continuation does not swallow it.
    pub fn source_span(&self, start: u32, end: u32) -> Span {
        let s = self.source_offset(start);
        if end <= start {
            return Span::empty(s);
        }
        let e = self.source_offset(end - 1) + 1;
        Span::new(s, e.max(s))
    }
}

/// Joins the lines of `source[span]` as BuildKit does for an instruction's logical line:
/// a trailing `escape` (optionally followed by spaces/tabs) continues the line and is removed,
/// and comment and whitespace-only lines inside the continuation are skipped.
pub fn join_continuations(source: &str, span: Span, escape: char) -> MappedText {
    let mut out = MappedText::default();
    let end = (span.end as usize).min(source.len());
    let mut pos = (span.start as usize).min(end);
    let mut first = true;
    while pos < end {
        let line_end = source[pos..end].find('\n').map_or(end, |i| pos + i);
        let next = if line_end < end { line_end + 1 } else { end };
        let mut content_end = line_end;
        while content_end > pos && source.as_bytes()[content_end - 1] == b'\r' {
            content_end -= 1;
        }
        let line = &source[pos..content_end];
        let trimmed = line.trim_start_matches([' ', '\t']);
        if !first && (trimmed.starts_with('#') || trimmed.trim_end().is_empty()) {
            pos = next;
            continue;
        }
        first = false;
        if let Some(cut) = continuation_end(line, escape) {
            out.push(&line[..cut], pos as u32);
        } else {
            out.push(line, pos as u32);
            // The logical line ends here; anything after it is not part of the command.
            break;
        }
        pos = next;
    }
    out
}

/// BuildKit's `([^E])E[ \t]*$|^E[ \t]*$`: where the text before the escape ends.
fn continuation_end(line: &str, escape: char) -> Option<usize> {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let before = trimmed.strip_suffix(escape)?;
    if before.ends_with(escape) {
        return None;
    }
    Some(before.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_maps() {
        let src = "RUN a \\\n  # comment\n\n  b\\\n c";
        let start = 4;
        let m = join_continuations(src, Span::new(start, src.len() as u32), '\\');
        assert_eq!(m.text, "a   b c");
        let b = m.text.find('b').unwrap() as u32;
        assert_eq!(m.source_offset(b) as usize, src.find('b').unwrap());
        let c = m.text.find('c').unwrap() as u32;
        assert_eq!(m.source_span(c, c + 1).text(src), "c");
        // A span across the join keeps both ends in the source.
        assert_eq!(m.source_span(0, m.text.len() as u32).text(src), &src[4..]);
    }

    #[test]
    fn double_escape_ends_the_line() {
        let src = "a \\\\\nb";
        let m = join_continuations(src, Span::new(0, src.len() as u32), '\\');
        assert_eq!(m.text, "a \\\\");
    }

    #[test]
    fn backtick_escape() {
        let src = "a `\nb";
        let m = join_continuations(src, Span::new(0, src.len() as u32), '`');
        assert_eq!(m.text, "a b");
    }
}
