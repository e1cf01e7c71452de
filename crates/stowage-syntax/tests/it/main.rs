//! Property tests: the parser never panics, and what it returns is well-formed.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use stowage_syntax::{Dockerfile, Lexer, parse};

/// Dockerfile-shaped text: keywords, flags, quotes, escapes, heredocs, JSON, continuations.
fn dockerfile_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("FROM ".to_owned()),
        Just("RUN ".to_owned()),
        Just("COPY ".to_owned()),
        Just("ENV ".to_owned()),
        Just("ONBUILD ".to_owned()),
        Just("HEALTHCHECK ".to_owned()),
        Just("ARG ".to_owned()),
        Just("--mount=type=cache,target=/x ".to_owned()),
        Just("--from=".to_owned()),
        Just("<<EOF".to_owned()),
        Just("<<-'EOF'".to_owned()),
        Just("EOF".to_owned()),
        Just("[\"a\", \"b\"]".to_owned()),
        Just("[1, [".to_owned()),
        Just("\\".to_owned()),
        Just("`".to_owned()),
        Just("# escape=`".to_owned()),
        Just("#".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just(" ".to_owned()),
        Just("\t".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("${A:-b}".to_owned()),
        Just("=".to_owned()),
        Just("\u{feff}".to_owned()),
        "[a-zA-Z0-9/._:-]{1,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

fn check_well_formed(source: &str) -> Result<(), TestCaseError> {
    let df = Dockerfile::parse(source);
    let len = source.len() as u32;
    let mut previous_end = 0;
    for node in &df.parse.nodes {
        prop_assert!(
            node.span.end <= len,
            "node span {:?} past the end {len}",
            node.span
        );
        prop_assert!(
            node.span.start >= previous_end,
            "nodes overlap: {:?} starts before {previous_end}",
            node.span
        );
        prop_assert!(node.start_line >= 1 && node.start_line <= node.end_line);
        prop_assert!(node.span.contains(node.keyword_span) || node.keyword_span.is_empty());
        for arg in &node.args {
            prop_assert!(arg.span.end <= len);
        }
        for flag in &node.flags {
            prop_assert!(flag.span.end <= len && node.span.contains(flag.span));
        }
        previous_end = node.span.end;
    }
    for d in df.all_diagnostics() {
        prop_assert!(
            d.span.start <= d.span.end && d.span.end <= len,
            "diagnostic span {:?} outside 0..{len}",
            d.span
        );
        prop_assert!(
            source.is_char_boundary(d.span.start as usize)
                && source.is_char_boundary(d.span.end as usize)
        );
    }
    // Every diagnostic locates and every tree dumps.
    let index = stowage_syntax::LineIndex::new(source);
    for d in df.all_diagnostics() {
        prop_assert!(index.line_col(d.span.start, source).line <= index.line_count());
    }
    let _ = stowage_syntax::dump(&df.parse.nodes);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_well_formed(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn dockerfile_shaped_text_is_well_formed(source in dockerfile_like()) {
        check_well_formed(&source)?;
    }

    #[test]
    fn parsing_is_deterministic(source in dockerfile_like()) {
        prop_assert_eq!(parse(&source), parse(&source));
    }

    #[test]
    fn expansion_never_panics(word in "[a-z$'\"\\\\{}:#%/?*+-]{0,30}") {
        let env = vec![("a", "xyz"), ("b", "")];
        let lexer = Lexer::default();
        let _ = lexer.process_word(&word, env.as_slice());
        let _ = lexer.process_words(&word, env.as_slice());
    }
}
