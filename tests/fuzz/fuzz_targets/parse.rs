//! `cargo +nightly fuzz run parse` (from tests/fuzz): the parser and the instruction layer must
//! never panic, and parsing must be deterministic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    let first = stowage_syntax::Dockerfile::parse(&source);
    let again = stowage_syntax::Dockerfile::parse(&source);
    assert_eq!(first, again);
    let dump = stowage_syntax::dump(&first.parse.nodes);
    // The dump is itself text the parser must survive.
    let _ = stowage_syntax::parse(&dump);
    for word in source.split_whitespace().take(16) {
        let _ = stowage_syntax::Lexer::default().process_word(word, &stowage_syntax::EmptyEnv);
    }
});
