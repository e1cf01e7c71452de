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
        .map(|d| (d.severity, d.code.as_str(), d.line))
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
            .map(|d| d.code.as_str())
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
        .map(|d| (d.code.as_str(), d.line, d.column))
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

/// The source text an editor range covers (ASCII sources: UTF-16 units are bytes).
fn covered<'a>(source: &'a str, row: &ProblemRow) -> &'a str {
    &source[row.from as usize..row.to as usize]
}

#[test]
fn lint_findings_with_rules_and_editor_ranges() {
    let source = "FROM ubuntu\nRUN apt-get install -y curl\nCMD [\"a\", 1]\n";
    let analysis = analyze(source);
    let codes: Vec<_> = analysis
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.line))
        .collect();
    assert!(codes.contains(&("DL3006", 1)), "{codes:?}");
    assert!(codes.contains(&("DL3008", 2)), "{codes:?}");
    // Parse problems are listed once, as diagnostics, not again as DL1000.
    assert!(
        !codes.iter().any(|(code, _)| *code == "DL1000"),
        "{codes:?}"
    );
    assert_eq!(analysis.diagnostics.len(), 1);
    let find = |code: &str| {
        analysis
            .findings
            .iter()
            .find(|f| f.code == code)
            .expect("finding")
    };
    // Each finding knows where the editor underlines it, and its rule.
    assert_eq!(covered(source, find("DL3006")), "ubuntu");
    assert_eq!(covered(source, find("DL3008")), "curl");
    assert_eq!(find("DL3006").rule.as_deref(), Some("from-untagged"));
    assert_eq!(analysis.diagnostics[0].rule, None);
    // The pages of the rules that fired come with the answer, once each, sorted.
    let codes: Vec<&str> = analysis.rules.iter().map(|r| r.code.as_str()).collect();
    let mut fired: Vec<&str> = analysis.findings.iter().map(|f| f.code.as_str()).collect();
    fired.sort_unstable();
    fired.dedup();
    assert_eq!(codes, fired);
    let page = analysis
        .rule("from-untagged")
        .expect("DL3006's page by name");
    assert_eq!(page.code, "DL3006");
    assert!(page.docs.contains("## What it does"), "{}", page.docs);
    assert_eq!(covered(source, &analysis.diagnostics[0]), "[\"a\", 1]");
}

#[test]
fn fixes_carry_their_edits_and_applicability() {
    let source = "FROM alpine:3.20 as build\nMAINTAINER me\n";
    let analysis = analyze(source);
    let fix = |code: &str| {
        analysis
            .findings
            .iter()
            .find(|f| f.code == code)
            .and_then(|f| f.fix.clone())
            .unwrap_or_else(|| panic!("no fix for {code} in {:?}", analysis.findings))
    };
    let casing = fix("SW702");
    assert!(casing.safe);
    assert_eq!(
        casing.edits,
        [EditRow {
            from: 17,
            to: 19,
            insert: "AS".to_owned()
        }]
    );
    assert!(fix("DL4000").safe, "MAINTAINER → LABEL is safe");
    let unsafe_fix = analyze("FROM debian:12\nRUN apt-get install -y curl=1\n")
        .findings
        .into_iter()
        .find(|f| f.code == "DL3015")
        .and_then(|f| f.fix)
        .expect("DL3015 has a fix");
    assert!(
        !unsafe_fix.safe,
        "adding --no-install-recommends changes what is installed"
    );
}

#[test]
fn editor_ranges_count_utf16_units() {
    // `é` is two bytes and one UTF-16 unit; `𝄞` four bytes and two units.
    let source = "# é𝄞\nFROM ubuntu\n";
    let analysis = analyze(source);
    let untagged = analysis
        .findings
        .iter()
        .find(|f| f.code == "DL3006")
        .expect("DL3006");
    let utf16: Vec<u16> = source.encode_utf16().collect();
    let text = String::from_utf16_lossy(&utf16[untagged.from as usize..untagged.to as usize]);
    assert_eq!(text, "ubuntu");
}

#[test]
fn utf16_offsets() {
    let source = "aé𝄞b";
    let map = Utf16::new(source);
    let expected: Vec<(u32, u32)> = source
        .char_indices()
        .map(|(at, _)| (at as u32, source[..at].encode_utf16().count() as u32))
        .chain([(source.len() as u32, source.encode_utf16().count() as u32)])
        .collect();
    let got: Vec<(u32, u32)> = expected.iter().map(|&(b, _)| (b, map.offset(b))).collect();
    assert_eq!(got, expected);
    assert_eq!(Utf16::new("abc").offset(2), 2);
}

#[test]
fn empty_spans_cover_one_character() {
    assert_eq!(visible("ab", Span::empty(1)), (1, 2));
    assert_eq!(visible("ab", Span::empty(2)), (2, 2));
    assert_eq!(visible("aé", Span::empty(1)), (1, 3));
    assert_eq!(
        visible("ab", Span::new(5, 9)),
        (2, 2),
        "clamped to the source"
    );
}
