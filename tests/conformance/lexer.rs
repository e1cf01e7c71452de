//! The word-expansion vectors: `shell/envVarTest`, `shell/wordsTest`, `generated/lexer-extra.jsonl`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use stowage_syntax::Lexer;

use crate::{Group, read};

pub(crate) fn env_var_test(dir: &Path, group: &mut Group) {
    let text = read(&dir.join("shell/envVarTest"));
    let env: Vec<(&str, &str)> = vec![
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ];
    let lexer = Lexer::default();
    for (number, raw) in text.lines().enumerate() {
        if raw.starts_with('#') || raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.trim().split('|').collect();
        assert_eq!(
            fields.len(),
            3,
            "envVarTest line {} has {} fields",
            number + 1,
            fields.len()
        );
        let (platform, input, expected) = (fields[0].trim(), fields[1].trim(), fields[2].trim());
        if platform == "W" {
            continue; // Windows-only: variable names are case-insensitive there.
        }
        let got = lexer.process_word(input, env.as_slice());
        let case = format!("line {}: {input:?}", number + 1);
        group.check(
            &case,
            match (expected, got) {
                ("error", Err(_)) => Ok(()),
                ("error", Ok(v)) => Err(format!("expected an error, got {v:?}")),
                (want, Ok(v)) if v == want => Ok(()),
                (want, got) => Err(format!("got {got:?}, expected {want:?}")),
            },
        );
    }
}

pub(crate) fn words_test(dir: &Path, group: &mut Group) {
    let text = read(&dir.join("shell/wordsTest"));
    let mut env: Vec<(String, String)> = Vec::new();
    let lexer = Lexer::default();
    for (number, raw) in text.lines().enumerate() {
        if raw.starts_with('#') {
            continue;
        }
        if let Some(entry) = raw.strip_prefix("ENV ") {
            let (name, value) = entry.trim_start().split_once('=').expect("ENV line has =");
            env.retain(|(k, _)| k != name);
            env.push((name.to_owned(), value.to_owned()));
            continue;
        }
        let fields: Vec<&str> = raw.split('|').collect();
        assert_eq!(fields.len(), 2, "wordsTest line {}", number + 1);
        let input = fields[0].trim();
        let expected: Vec<&str> = fields[1].trim_start_matches(' ').split(',').collect();
        let got = lexer
            .process_words(input, env.as_slice())
            .unwrap_or_else(|_| vec!["error".to_owned()]);
        group.check(
            &format!("line {}: {input:?}", number + 1),
            if got == expected {
                Ok(())
            } else {
                Err(format!("got {got:?}, expected {expected:?}"))
            },
        );
    }
}

pub(crate) fn lexer_extra(dir: &Path, group: &mut Group) {
    let text = read(&dir.join("generated/lexer-extra.jsonl"));
    for (number, line) in text.lines().enumerate() {
        let case: Value = serde_json::from_str(line).expect("lexer-extra line is JSON");
        let input = case["input"].as_str().unwrap_or_default();
        let mode = case["mode"].as_str().unwrap_or_default();
        let escape = case["escape"]
            .as_str()
            .and_then(|s| s.chars().next())
            .unwrap_or('\\');
        let env: BTreeMap<String, String> = case["env"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let mut lexer = Lexer::new(escape);
        let words_mode = match mode {
            "word" | "word+backtick" => false,
            "words" => true,
            "words-raw-skipunset" => {
                lexer.raw_quotes = true;
                lexer.skip_unset_env = true;
                true
            }
            "word-raw-skipunset" => {
                lexer.raw_quotes = true;
                lexer.skip_unset_env = true;
                false
            }
            "word-skipquotes" => {
                lexer.skip_process_quotes = true;
                false
            }
            other => panic!("unknown lexer mode {other}"),
        };
        let name = format!("line {} [{mode}] {input:?}", number + 1);
        let expect_error = case.get("error").is_some();
        let result = if words_mode {
            match lexer.process_words(input, &env) {
                Err(e) if expect_error => {
                    let _: () = drop(e);
                    Ok(())
                }
                Err(e) => Err(format!("unexpected error {e}")),
                Ok(w) if expect_error => Err(format!("expected an error, got {w:?}")),
                Ok(w) => {
                    let want: Vec<String> = crate::strings(&case["words"]);
                    if w == want {
                        Ok(())
                    } else {
                        Err(format!("got {w:?}, expected {want:?}"))
                    }
                }
            }
        } else {
            match lexer.process_word_with_matches(input, &env) {
                Err(e) if expect_error => {
                    let _: () = drop(e);
                    Ok(())
                }
                Err(e) => Err(format!("unexpected error {e}")),
                Ok(out) if expect_error => Err(format!("expected an error, got {:?}", out.result)),
                Ok(out) => {
                    let want = case["result"].as_str().unwrap_or_default();
                    let matched: Vec<String> = out.matched.into_iter().collect();
                    let unmatched: Vec<String> = out.unmatched.into_iter().collect();
                    if out.result != want {
                        Err(format!("got {:?}, expected {want:?}", out.result))
                    } else if mode == "word"
                        && (matched != crate::strings(&case["matched"])
                            || unmatched != crate::strings(&case["unmatched"]))
                    {
                        Err(format!(
                            "matched {matched:?} unmatched {unmatched:?}, expected {} {}",
                            case["matched"], case["unmatched"]
                        ))
                    } else {
                        Ok(())
                    }
                }
            }
        };
        group.check(&name, result);
    }
}
