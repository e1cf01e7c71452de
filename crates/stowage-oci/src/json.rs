//! JSON bytes as Go's `encoding/json` writes them: compact, struct field order, sorted map
//! keys, `<`, `>`, `&`, U+2028 and U+2029 escaped, no trailing newline.

use serde::Serialize;

/// Serialises `value` the way Go's `json.Marshal` would.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let compact = serde_json::to_vec(value)?;
    // These bytes only occur inside JSON strings, so a byte-level rewrite is exact.
    let mut out = Vec::with_capacity(compact.len());
    let mut i = 0;
    while i < compact.len() {
        match compact[i] {
            b'<' => out.extend_from_slice(b"\\u003c"),
            b'>' => out.extend_from_slice(b"\\u003e"),
            b'&' => out.extend_from_slice(b"\\u0026"),
            0xE2 if compact.get(i + 1) == Some(&0x80)
                && matches!(compact.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                out.extend_from_slice(if compact[i + 2] == 0xA8 {
                    b"\\u2028"
                } else {
                    b"\\u2029"
                });
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_go() {
        let v = serde_json::json!({"b": "<a&b>\u{2028}é", "a": 1});
        assert_eq!(
            String::from_utf8(to_vec(&v).unwrap()).unwrap(),
            r#"{"a":1,"b":"\u003ca\u0026b\u003e\u2028é"}"#
        );
    }
}
