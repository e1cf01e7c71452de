use super::*;

fn sample() -> Shared {
    Shared {
        dockerfile: "FROM alpine:3.20\nRUN echo 'héllo ✓' > /x\n".to_owned(),
        files: vec![
            (".dockerignore".to_owned(), "*.log\n".to_owned()),
            ("src/app.py".to_owned(), "print(\"hi\")\n".repeat(50)),
            ("empty".to_owned(), String::new()),
        ],
    }
}

#[test]
fn a_link_restores_the_state_exactly() {
    let state = sample();
    let payload = encode(&state);
    assert!(
        payload
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "URL-safe: {payload}"
    );
    assert_eq!(decode(&payload), Ok(state));
    assert_eq!(decode(&encode(&Shared::default())), Ok(Shared::default()));
}

#[test]
fn repeated_text_is_compressed() {
    let state = sample();
    let json = serde_json::to_vec(&state).expect("serialisable");
    assert!(
        encode(&state).len() * 2 < json.len(),
        "{} vs {}",
        encode(&state).len(),
        json.len()
    );
}

#[test]
fn base64url_round_trips_every_length() {
    for len in 0..40u8 {
        let bytes: Vec<u8> = (0..len)
            .map(|i| i.wrapping_mul(37).wrapping_add(200))
            .collect();
        let text = base64url(&bytes);
        assert_eq!(text.len(), (usize::from(len) * 4).div_ceil(3));
        assert_eq!(from_base64url(&text), Some(bytes));
    }
    assert_eq!(base64url(b"\xfb\xff"), "-_8");
    assert_eq!(from_base64url("TWFu"), Some(b"Man".to_vec()));
    assert_eq!(from_base64url("TWE="), Some(b"Ma".to_vec()));
}

#[test]
fn damaged_links_are_errors_not_panics() {
    assert_eq!(decode("not base64!"), Err(ShareError::Base64));
    assert_eq!(decode(""), Err(ShareError::Base64));
    assert_eq!(decode("A"), Err(ShareError::Base64));
    assert_eq!(decode(&base64url(&[9, 1, 2])), Err(ShareError::Version(9)));
    assert!(matches!(
        decode(&base64url(&[VERSION, 0xff, 0xff, 0x00])),
        Err(ShareError::Inflate(_))
    ));
    let mut deflate =
        flate2::write::DeflateEncoder::new(vec![VERSION], flate2::Compression::fast());
    deflate.write_all(b"{\"nope\":1}").expect("in memory");
    let not_state = base64url(&deflate.finish().expect("in memory"));
    assert!(matches!(decode(&not_state), Err(ShareError::Json(_))));
}
