use serde::Serialize;

/// A 1-based line and column. Columns count Unicode scalar values, as compilers print them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in chars.
    pub column: u32,
}

/// Maps byte offsets to lines and columns.
///
/// Lines end at `\n`; a `\r` before it belongs to the line's text, so CRLF sources report
/// the same lines as LF ones.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineIndex {
    /// Byte offset where each line starts; always begins with 0.
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    /// Indexes `source`.
    pub fn new(source: &str) -> Self {
        let mut line_starts = Vec::with_capacity(source.len() / 32 + 1);
        line_starts.push(0);
        for (i, b) in source.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        Self {
            line_starts,
            len: source.len() as u32,
        }
    }

    /// Number of lines (a trailing newline starts one more, empty line).
    pub fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    /// The 1-based line holding `offset` (offsets past the end clamp to the last line).
    pub fn line(&self, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i as u32 + 1,
            Err(i) => i as u32,
        }
    }

    /// Byte range of a 1-based line, without its `\n` (and without a `\r` before it).
    pub fn line_span(&self, line: u32, source: &str) -> crate::Span {
        let idx = (line.max(1) - 1) as usize;
        let start = self.line_starts.get(idx).copied().unwrap_or(self.len);
        let mut end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.len, |next| next - 1);
        if end > start && source.as_bytes().get(end as usize - 1) == Some(&b'\r') {
            end -= 1;
        }
        crate::Span::new(start, end)
    }

    /// The line and column of `offset` in `source`.
    pub fn line_col(&self, offset: u32, source: &str) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line(offset);
        let start = self.line_starts[(line - 1) as usize];
        let prefix = source.get(start as usize..offset as usize).map_or_else(
            // An offset inside a multi-byte char: count the whole chars before it.
            || {
                source.as_bytes()[start as usize..offset as usize]
                    .iter()
                    .filter(|b| !(0x80..0xC0).contains(*b))
                    .count()
            },
            |s| s.chars().count(),
        );
        LineCol {
            line,
            column: prefix as u32 + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let src = "FROM a\r\nRUN é x\n\nEND";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col(0, src), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(8, src), LineCol { line: 2, column: 1 });
        // "RUN é x": the x is after a two-byte char.
        let x = src.find(" x").unwrap() as u32 + 1;
        assert_eq!(idx.line_col(x, src), LineCol { line: 2, column: 7 });
        assert_eq!(idx.line_span(1, src).text(src), "FROM a");
        assert_eq!(idx.line_span(3, src).text(src), "");
        assert_eq!(idx.line_span(4, src).text(src), "END");
        assert_eq!(idx.line(src.len() as u32 + 10), 4);
    }

    proptest::proptest! {
        #[test]
        fn line_col_never_panics(src in ".{0,200}", offset in 0u32..300) {
            let idx = LineIndex::new(&src);
            let lc = idx.line_col(offset, &src);
            proptest::prop_assert!(lc.line >= 1 && lc.line <= idx.line_count());
        }
    }
}
