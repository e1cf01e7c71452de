use stowage_syntax::Severity;

use super::segments;
use crate::analysis::Mark;

fn mark(start: u32, end: u32, severity: Severity, code: &'static str) -> Mark {
    Mark {
        start,
        end,
        severity,
        code,
    }
}

#[test]
fn pieces_cover_the_text_and_take_the_worst_mark() {
    let source = "FROM ubuntu AS x\n";
    let marks = [
        mark(5, 11, Severity::Warning, "DL3006"),
        mark(5, 16, Severity::Error, "E"),
        mark(12, 14, Severity::Style, "S"),
    ];
    let pieces: Vec<(&str, Option<&str>)> = segments(source, &marks)
        .into_iter()
        .map(|(text, m)| (text, m.map(|m| m.code)))
        .collect();
    assert_eq!(
        pieces,
        [
            ("FROM ", None),
            ("ubuntu", Some("E")),
            (" ", Some("E")),
            ("AS", Some("E")),
            (" x", Some("E")),
            ("\n", None),
        ]
    );
    let joined: String = pieces.iter().map(|(t, _)| *t).collect();
    assert_eq!(joined, source);
}

#[test]
fn marks_off_char_boundaries_or_out_of_range_are_ignored() {
    let source = "é x";
    let marks = [
        mark(1, 3, Severity::Error, "bad"),
        mark(2, 99, Severity::Error, "far"),
    ];
    let pieces = segments(source, &marks);
    assert_eq!(pieces.len(), 1);
    assert!(pieces[0].1.is_none());
}
