use std::fmt::Write;

use crate::{Diagnostic, LineIndex};

/// Renders diagnostics like a compiler, without colour:
///
/// ```text
/// error[unknown-flag]: unknown flag: --frm
///  --> Dockerfile:3:6
///   |
/// 3 | COPY --frm=build /a /b
///   |      ^^^^^^^^^^^ did you mean `--from`?
/// ```
pub fn render(file_name: &str, source: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(source);
    let mut out = String::new();
    for diagnostic in diagnostics {
        render_one(&mut out, file_name, source, &index, diagnostic);
    }
    out
}

fn render_one(out: &mut String, file_name: &str, source: &str, index: &LineIndex, d: &Diagnostic) {
    let start = index.line_col(d.span.start, source);
    let _ = writeln!(out, "{}[{}]: {}", d.severity.as_str(), d.code, d.message);
    let gutter = " ".repeat(start.line.to_string().len());
    let _ = writeln!(
        out,
        "{gutter}--> {file_name}:{}:{}",
        start.line, start.column
    );
    let _ = writeln!(out, "{gutter} |");
    write_snippet(out, &gutter, source, index, d.span, "");
    for label in &d.labels {
        write_snippet(out, &gutter, source, index, label.span, &label.message);
    }
    for note in &d.notes {
        let _ = writeln!(out, "{gutter} = note: {note}");
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{gutter} = help: {help}");
    }
    out.push('\n');
}

/// Prints the first line of `span` with carets under the part the span covers on that line.
fn write_snippet(
    out: &mut String,
    gutter: &str,
    source: &str,
    index: &LineIndex,
    span: crate::Span,
    message: &str,
) {
    let start = index.line_col(span.start, source);
    let line_span = index.line_span(start.line, source);
    let text = line_span.text(source).replace('\t', "    ");
    let _ = writeln!(out, "{:>width$} | {text}", start.line, width = gutter.len());
    let before = source
        .get(line_span.start as usize..span.start.clamp(line_span.start, line_span.end) as usize)
        .unwrap_or("");
    let pad: usize = before.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum();
    let end = span
        .end
        .min(line_span.end)
        .max(span.start.min(line_span.end));
    let covered = source
        .get(span.start.min(line_span.end) as usize..end as usize)
        .unwrap_or("");
    let carets = covered
        .chars()
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum::<usize>()
        .max(1);
    let tail = if message.is_empty() {
        String::new()
    } else {
        format!(" {message}")
    };
    let _ = writeln!(
        out,
        "{gutter} | {}{}{tail}",
        " ".repeat(pad),
        "^".repeat(carets)
    );
}

#[cfg(test)]
mod tests {
    use crate::{Diagnostic, Span, render};

    #[test]
    fn renders_like_a_compiler() {
        let src = "FROM alpine\nCOPY --frm=build /a /b\n";
        let d = Diagnostic::error("unknown-flag", "unknown flag: --frm", Span::new(17, 28))
            .with_help("did you mean `--from`?");
        let text = render("Dockerfile", src, &[d]);
        assert_eq!(
            text,
            "error[unknown-flag]: unknown flag: --frm\n --> Dockerfile:2:6\n  |\n2 | COPY --frm=build /a /b\n  |      ^^^^^^^^^^^\n  = help: did you mean `--from`?\n\n"
        );
    }

    #[test]
    fn empty_span_at_end_of_file_gets_one_caret() {
        let src = "RUN <<EOF\nabc";
        let d = Diagnostic::error(
            "unterminated-heredoc",
            "unterminated heredoc",
            Span::empty(src.len() as u32),
        );
        let text = render("Dockerfile", src, &[d]);
        assert!(text.contains("2 | abc\n  |    ^\n"), "{text}");
    }
}
