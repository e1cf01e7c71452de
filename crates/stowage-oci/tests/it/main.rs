//! Integration tests: hostile archives, round-trip properties, image layouts and archives in
//! memory, and (gated) validation with the real tools umoci and skopeo.
#![cfg(not(target_arch = "wasm32"))]

mod hostile;
mod images;
mod real_tools;
mod roundtrip;
mod util;
