//! The playground's state as a link: the Dockerfile and the build context, as JSON, deflated
//! (`flate2` with its pure-Rust backend, already linked for gzip layers) and written in
//! base64url without padding. The page keeps the result in the URL fragment (`#s=…`) and in
//! local storage. Encoding runs in the build worker, so the page links no compressor.

use std::io::{Read as _, Write as _};

use serde::{Deserialize, Serialize};

/// What a link holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shared {
    pub dockerfile: String,
    /// `(relative path, text)`, in the context's order.
    pub files: Vec<(String, String)>,
}

/// The fragment's key: `#s=<payload>`.
pub const FRAGMENT_KEY: &str = "s=";

/// The format's version, first byte of the deflated payload: a later format can still read
/// old links.
const VERSION: u8 = 1;

/// The most a link may inflate to (a hostile link cannot exhaust memory).
const MAX_INFLATED: u64 = 8 << 20;

/// Why a link could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    #[error("the link is not base64url")]
    Base64,
    #[error("the link's data is damaged ({0})")]
    Inflate(String),
    #[error("the link was made by a newer version of the playground (format {0})")]
    Version(u8),
    #[error("the link's contents are not a playground state ({0})")]
    Json(String),
}

/// `state` as the payload of a link (no `#s=`).
pub fn encode(state: &Shared) -> String {
    let json = serde_json::to_vec(state).unwrap_or_default();
    let mut deflate =
        flate2::write::DeflateEncoder::new(vec![VERSION], flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = deflate.write_all(&json);
    let bytes = deflate.finish().unwrap_or_default();
    base64url(&bytes)
}

/// Reads a link's payload back.
pub fn decode(payload: &str) -> Result<Shared, ShareError> {
    let bytes = from_base64url(payload.trim()).ok_or(ShareError::Base64)?;
    let (&version, rest) = bytes.split_first().ok_or(ShareError::Base64)?;
    if version != VERSION {
        return Err(ShareError::Version(version));
    }
    let mut json = Vec::new();
    flate2::read::DeflateDecoder::new(rest)
        .take(MAX_INFLATED)
        .read_to_end(&mut json)
        .map_err(|e| ShareError::Inflate(e.to_string()))?;
    serde_json::from_slice(&json).map_err(|e| ShareError::Json(e.to_string()))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 §5 base64url, without padding.
fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

/// The inverse of [`base64url`] (padding tolerated); `None` for any other character or a
/// length no encoder produces.
fn from_base64url(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)?;
        acc = (acc << 6) | u32::try_from(v).ok()?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    // A lone 6-bit group cannot end a valid encoding.
    (bits < 6).then_some(out)
}

#[cfg(test)]
mod tests;
