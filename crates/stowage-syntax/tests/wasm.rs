//! The parser as the playground runs it: compiled to `wasm32-unknown-unknown` and run in headless
//! Chromium by `wasm-bindgen-test-runner`. The native tests own the behaviour; these catch what
//! only the wasm build can break (32-bit `usize`, no OS underneath, panics that abort).
//!
//! ```text
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver \
//!     cargo test --target wasm32-unknown-unknown -p stowage-syntax --test wasm
//! ```
//!
//! `webdriver.json` beside this crate's manifest points chromedriver at the system Chromium.
#![cfg(target_arch = "wasm32")]

use stowage_syntax::{EmptyEnv, Keyword, Lexer, LineCol, LineIndex, Severity, dump, parse};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Each node as (keyword, first line, last line).
fn lines(source: &str) -> Vec<(Keyword, u32, u32)> {
    parse(source)
        .nodes
        .iter()
        .map(|node| (node.kind, node.start_line, node.end_line))
        .collect()
}

/// Each diagnostic as (code, severity, where it starts).
fn diagnostics(source: &str) -> Vec<(&'static str, Severity, LineCol)> {
    let index = LineIndex::new(source);
    parse(source)
        .diagnostics
        .iter()
        .map(|diagnostic| {
            (
                diagnostic.code,
                diagnostic.severity,
                index.line_col(diagnostic.span.start, source),
            )
        })
        .collect()
}

const fn at(line: u32, column: u32) -> LineCol {
    LineCol { line, column }
}

#[wasm_bindgen_test]
fn heredocs() {
    let source =
        "FROM alpine\nRUN <<EOF\necho hi\necho there\nEOF\nCOPY <<-EOT /x\n\thello\n\tEOT\n";
    let parsed = parse(source);
    assert_eq!(
        lines(source),
        [
            (Keyword::From, 1, 1),
            (Keyword::Run, 2, 5),
            (Keyword::Copy, 6, 8)
        ]
    );
    assert_eq!(parsed.diagnostics, []);
    assert_eq!(
        dump(&parsed.nodes),
        "(from \"alpine\")\n(run \"<<EOF\")\n(copy \"<<-EOT\" \"/x\")\n"
    );

    let run = &parsed.nodes[1].heredocs;
    assert_eq!(run.len(), 1);
    assert_eq!(
        (run[0].name.as_str(), run[0].content.as_str()),
        ("EOF", "echo hi\necho there\n")
    );
    assert!(run[0].expand && !run[0].chomp);
    let copy = &parsed.nodes[2].heredocs[0];
    assert!(copy.chomp);
    assert_eq!(copy.chomped(), "hello\n");
    assert_eq!(copy.body_span.text(source), "\thello\n");
}

#[wasm_bindgen_test]
fn continuations_comments_and_empty_lines() {
    let source = "FROM alpine\nRUN apk add \\\n    # a comment\n    curl \\\n\n    git\nCMD [\"sh\", \"-c\", \"echo hi\"]\n";
    let parsed = parse(source);
    // The comment and the blank line inside the RUN still count towards its line range.
    assert_eq!(
        lines(source),
        [
            (Keyword::From, 1, 1),
            (Keyword::Run, 2, 6),
            (Keyword::Cmd, 7, 7)
        ]
    );
    assert_eq!(
        dump(&parsed.nodes),
        "(from \"alpine\")\n(run \"apk add     curl     git\")\n(cmd \"sh\" \"-c\" \"echo hi\")\n"
    );
    assert_eq!(
        diagnostics(source),
        [("empty-continuation", Severity::Warning, at(5, 1))]
    );
    assert!(!parsed.has_errors());
}

#[wasm_bindgen_test]
fn exec_form_and_flags() {
    let source =
        "FROM a AS b\nENTRYPOINT [\"/bin/app\", \"--flag\"]\nCOPY --from=b --chmod=755 /a /b\n";
    let parsed = parse(source);
    assert_eq!(parsed.diagnostics, []);
    let entrypoint = &parsed.nodes[1];
    assert!(entrypoint.json);
    assert_eq!(
        entrypoint.arg_values().collect::<Vec<_>>(),
        ["/bin/app", "--flag"]
    );
    let copy = &parsed.nodes[2];
    assert!(!copy.json);
    assert_eq!(copy.flag("from").and_then(|flag| flag.value()), Some("b"));
    assert_eq!(
        dump(&parsed.nodes),
        "(from \"a\" \"AS\" \"b\")\n(entrypoint \"/bin/app\" \"--flag\")\n(copy [\"--from=b\" \"--chmod=755\"] \"/a\" \"/b\")\n"
    );
}

#[wasm_bindgen_test]
fn errors_become_diagnostics() {
    let source = "FROM a\nENV PATH\nLABEL x\nCMD [\"a\", 1]\n";
    let parsed = parse(source);
    assert!(parsed.has_errors());
    // Parsing goes on past every error: all four instructions are there.
    assert_eq!(parsed.nodes.len(), 4);
    assert_eq!(
        diagnostics(source),
        [
            ("key-value-syntax", Severity::Error, at(2, 5)),
            ("key-value-syntax", Severity::Error, at(3, 7)),
            ("json-not-strings", Severity::Error, at(4, 5)),
        ]
    );
    assert_eq!(parsed.diagnostics[0].message, "ENV must have two arguments");
    assert_eq!(
        dump(&parsed.nodes),
        "(from \"a\")\n(env \"PATH\" \"\" \"\")\n(label \"x\" \"\" \"\")\n(cmd)\n"
    );

    assert_eq!(
        diagnostics(""),
        [("no-instructions", Severity::Error, at(1, 1))]
    );
    assert_eq!(
        diagnostics("FROM a\nRUN <<EOF\nnever ends\n"),
        [("unterminated-heredoc", Severity::Error, at(4, 1))]
    );
}

#[wasm_bindgen_test]
fn crlf_reads_like_lf() {
    let lf = "FROM a\nRUN echo a \\\n  b\nENV A=1 B=\"two words\"\n";
    let crlf = lf.replace('\n', "\r\n");
    assert_eq!(lines(&crlf), lines(lf));
    assert_eq!(
        lines(&crlf),
        [
            (Keyword::From, 1, 1),
            (Keyword::Run, 2, 3),
            (Keyword::Env, 4, 4)
        ]
    );
    assert_eq!(dump(&parse(&crlf).nodes), dump(&parse(lf).nodes));
    assert_eq!(
        dump(&parse(&crlf).nodes),
        "(from \"a\")\n(run \"echo a   b\")\n(env \"A\" \"1\" \"=\" \"B\" \"\\\"two words\\\"\" \"=\")\n"
    );
    let env = &parse(&crlf).nodes[2];
    assert_eq!(
        LineIndex::new(&crlf).line_col(env.span.start, &crlf),
        at(4, 1)
    );
}

#[wasm_bindgen_test]
fn escape_directive() {
    let source = "# escape=`\nFROM windows\nRUN dir `\n  c:\\\n";
    let parsed = parse(source);
    assert_eq!(parsed.escape, '`');
    assert_eq!(lines(source), [(Keyword::From, 2, 2), (Keyword::Run, 3, 4)]);
    assert_eq!(
        dump(&parsed.nodes),
        "(from \"windows\")\n(run \"dir   c:\\\\\")\n"
    );
}

#[wasm_bindgen_test]
fn word_expansion() {
    let lexer = Lexer::default();
    let env = vec![("B", "1")];
    assert_eq!(lexer.process_word("${A:-x}", &env), Ok("x".to_owned()));
    assert_eq!(lexer.process_word("${B:-x}", &env), Ok("1".to_owned()));
    assert_eq!(
        lexer.process_words("$W x", &vec![("W", "a b")]),
        Ok(vec!["a".to_owned(), "b".to_owned(), "x".to_owned()])
    );
    let error = lexer
        .process_word("${A:?must be set}", &EmptyEnv)
        .expect_err("A is unset");
    assert_eq!(error.reason, "A: must be set");
}

#[wasm_bindgen_test]
fn large_input_keeps_spans_in_bounds() {
    // Big enough to exercise u32 offsets and line counts on a 32-bit target, small enough to be quick.
    let mut source = String::from("FROM scratch\n");
    for i in 0..5_000 {
        source.push_str("RUN echo ");
        source.push_str(&i.to_string());
        source.push_str(" \\\n  && true\n");
    }
    let parsed = parse(&source);
    assert_eq!(parsed.diagnostics, []);
    assert_eq!(parsed.nodes.len(), 5_001);
    let last = parsed.nodes.last().expect("nodes were parsed");
    assert_eq!((last.start_line, last.end_line), (10_000, 10_001));
    assert!(
        parsed
            .nodes
            .iter()
            .all(|node| node.span.end as usize <= source.len())
    );
}
