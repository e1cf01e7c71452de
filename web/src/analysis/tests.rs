use super::*;

#[test]
fn rows_for_a_valid_file() {
    let analysis = analyze("FROM alpine\n# a comment\nRUN apk add \\\n    curl\ncmd [\"sh\"]\n");
    let rows: Vec<_> = analysis
        .instructions
        .iter()
        .map(|row| (row.keyword.as_str(), row.lines_label(), row.detail.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("FROM", "line 1".to_owned(), "alpine"),
            ("RUN", "lines 3–4".to_owned(), "apk add     curl"),
            // Keywords are shown canonically, whatever their case in the source.
            ("CMD", "line 5".to_owned(), "[\"sh\"]"),
        ]
    );
    assert_eq!(analysis.diagnostics, []);
}

#[test]
fn diagnostics_carry_line_and_column() {
    let analysis = analyze("FROM alpine\nRUN echo hi\nCMD [\"a\", 1]\n");
    assert_eq!(analysis.instructions.len(), 3);
    let found: Vec<_> = analysis
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.code, d.line))
        .collect();
    assert_eq!(found, [(Severity::Error, "json-not-strings", 3)]);
    assert!(analysis.diagnostics[0].column >= 1);
}

#[test]
fn unknown_keywords_keep_their_spelling() {
    let analysis = analyze("FROM a\nfrobnicate x\n");
    assert_eq!(analysis.instructions[1].keyword, "frobnicate");
}

#[test]
fn empty_source_has_no_rows_but_says_so() {
    let analysis = analyze("");
    assert_eq!(analysis.instructions, []);
    assert_eq!(
        analysis
            .diagnostics
            .iter()
            .map(|d| d.code)
            .collect::<Vec<_>>(),
        ["no-instructions"]
    );
}

#[test]
fn instruction_layer_problems_are_shown_too() {
    let analysis = analyze("FROM alpine\nCOPY --frm=build /a /b\nFROOM x\n");
    let found: Vec<_> = analysis
        .diagnostics
        .iter()
        .map(|d| (d.code, d.line, d.column))
        .collect();
    assert_eq!(
        found,
        [("unknown-flag", 2, 6), ("unknown-instruction", 3, 1)]
    );
    assert_eq!(
        analysis.diagnostics[0].help.as_deref(),
        Some("did you mean `--from`?")
    );
}
