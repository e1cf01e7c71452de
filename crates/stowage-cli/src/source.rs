//! Reading inputs and writing to the terminal.

use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::{Context, Result};
use stowage_diagnostics::Diagnostic;

/// Reads a file or stdin as text; invalid UTF-8 is replaced and reported, never dropped silently.
pub(crate) fn read_source(file: &Path) -> Result<(String, String, Option<Diagnostic>)> {
    let (name, bytes) = if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
        ("<stdin>".to_owned(), bytes)
    } else {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        (file.display().to_string(), bytes)
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok((name, text, None)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to() as u32;
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let d = Diagnostic::warning(
                "invalid-utf8",
                "the file is not valid UTF-8; invalid bytes were replaced with U+FFFD",
                stowage_diagnostics::Span::new(offset, offset + 1),
            );
            Ok((name, text, Some(d)))
        }
    }
}

/// Whether to colour output for this stream: only for people, never for pipes or `NO_COLOR`.
pub(crate) fn use_colour(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Colours the severity words of rendered diagnostics.
pub(crate) fn colorize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let painted = [
            ("error", "\x1b[1;31m"),
            ("warning", "\x1b[1;33m"),
            ("info", "\x1b[1;36m"),
            ("style", "\x1b[1;35m"),
        ]
        .iter()
        .find_map(|(word, colour)| {
            line.strip_prefix(word)
                .map(|rest| format!("{colour}{word}\x1b[0m{rest}"))
        });
        out.push_str(painted.as_deref().unwrap_or(line));
    }
    out
}
