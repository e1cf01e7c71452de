use super::*;

fn env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("VER", "1.2.3-rc1"),
        ("EMPTY", ""),
        ("URL", "http://example.com/a/b/c.tar.gz"),
        ("SPACE", "a  b c "),
    ]
}

#[track_caller]
fn word(input: &str, expected: &str) {
    let got = Lexer::default()
        .process_word(input, env().as_slice())
        .unwrap();
    assert_eq!(got, expected, "expanding {input:?}");
}

#[test]
fn operators() {
    word("${VER%.*}", "1.2");
    word("${VER%%.*}", "1");
    word("${VER#*.}", "2.3-rc1");
    word("${VER##*.}", "3-rc1");
    word("${URL##*/}", "c.tar.gz");
    word("${VER/./_}", "1_2.3-rc1");
    word("${VER//./_}", "1_2_3-rc1");
    word("${EMPTY:-d}", "d");
    word("${EMPTY-d}", "");
    word("${EMPTY:+a}", "");
    word("${EMPTY+a}", "a");
    word("${UNSET:-$VER}", "1.2.3-rc1");
    word("'$VER'", "$VER");
    word("\"a\\b\"", "a\\b");
    word("a\\ b", "a b");
    word("$(echo)", "$(echo)");
}

#[test]
fn errors() {
    let lex = Lexer::default();
    for bad in [
        "${EMPTY:?}",
        "${UNSET?msg}",
        "${X:0:2}",
        "${}",
        "\"open",
        "${X",
        "${#X}",
        "${X:#a}",
    ] {
        assert!(
            lex.process_word(bad, env().as_slice()).is_err(),
            "{bad:?} should fail"
        );
    }
    let err = lex
        .process_word("${UNSET?custom message}", env().as_slice())
        .unwrap_err();
    assert_eq!(err.reason, "UNSET: custom message");
}

#[test]
fn splitting_happens_after_expansion() {
    let lex = Lexer::default();
    assert_eq!(
        lex.process_words("x${SPACE}y", env().as_slice()).unwrap(),
        ["xa", "b", "c", "y"]
    );
    assert_eq!(
        lex.process_words("\"$SPACE\"", env().as_slice()).unwrap(),
        ["a  b c "]
    );
    assert_eq!(
        lex.process_words("''", env().as_slice()).unwrap(),
        Vec::<String>::new()
    );
}

#[test]
fn matches_are_reported() {
    let out = Lexer::default()
        .process_word_with_matches("$VER-${NOPE:-x}", env().as_slice())
        .unwrap();
    assert_eq!(out.result, "1.2.3-rc1-x");
    assert_eq!(out.matched.into_iter().collect::<Vec<_>>(), ["VER"]);
    assert_eq!(out.unmatched.into_iter().collect::<Vec<_>>(), ["NOPE"]);
}

#[test]
fn replace_all_with_empty_pattern_and_templates() {
    // `$0` is expanded by the lexer first (a special parameter: empty), as in BuildKit.
    word("${VER//1/<$0>}", "<>.2.3-rc<>");
    let mut out = String::new();
    expand_template(&mut out, "[$0|${0}|$$|$1|$x|$]", "m");
    assert_eq!(out, "[m|m|$|||$]");
    let lex = Lexer::default();
    assert_eq!(
        lex.process_word("${X///-}", [("X", "ab")].as_slice())
            .unwrap(),
        "-a-b-"
    );
    assert_eq!(
        lex.process_word("${X//*/r}", [("X", "abc")].as_slice())
            .unwrap(),
        "r"
    );
}

#[test]
fn pathological_patterns_stay_fast() {
    let long = "a".repeat(2000);
    let pattern = "${X##*a*a*a*a*a*b}";
    let got = Lexer::default()
        .process_word(pattern, [("X", long.as_str())].as_slice())
        .unwrap();
    assert_eq!(got, long);
}
