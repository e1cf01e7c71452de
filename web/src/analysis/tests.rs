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

#[test]
fn lint_findings_with_rules_and_marks() {
    let source = "FROM ubuntu\nRUN apt-get install -y curl\nCMD [\"a\", 1]\n";
    let analysis = analyze(source);
    let codes: Vec<_> = analysis
        .findings
        .iter()
        .map(|f| (f.rule.code, f.line))
        .collect();
    assert!(codes.contains(&("DL3006", 1)), "{codes:?}");
    assert!(codes.contains(&("DL3008", 2)), "{codes:?}");
    // Parse problems are listed once, as diagnostics, not again as DL1000.
    assert!(
        !codes.iter().any(|(code, _)| *code == "DL1000"),
        "{codes:?}"
    );
    assert_eq!(analysis.diagnostics.len(), 1);
    // Every diagnostic and finding is underlined, at its span.
    assert_eq!(
        analysis.marks.len(),
        analysis.findings.len() + analysis.diagnostics.len()
    );
    let untagged = analysis
        .marks
        .iter()
        .find(|m| m.code == "DL3006")
        .expect("mark");
    assert_eq!(
        &source[untagged.start as usize..untagged.end as usize],
        "ubuntu"
    );
    let curl = analysis
        .marks
        .iter()
        .find(|m| m.code == "DL3008")
        .expect("mark");
    assert_eq!(&source[curl.start as usize..curl.end as usize], "curl");
    assert!(
        analysis.marks.windows(2).all(|w| w[0].start <= w[1].start),
        "sorted"
    );
}

#[test]
fn empty_spans_mark_one_character() {
    let m = mark("ab", stowage_syntax::Span::empty(1), Severity::Error, "x");
    assert_eq!((m.start, m.end), (1, 2));
    let at_end = mark("ab", stowage_syntax::Span::empty(2), Severity::Error, "x");
    assert_eq!((at_end.start, at_end.end), (2, 2));
}
