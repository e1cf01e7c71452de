use super::*;

#[test]
fn challenges() {
    assert_eq!(
        Challenge::parse(r#"Basic realm="test""#),
        Some(Challenge::Basic)
    );
    assert_eq!(
        Challenge::parse(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#
        ),
        Some(Challenge::Bearer {
            realm: "https://auth.docker.io/token".into(),
            service: Some("registry.docker.io".into()),
            scope: Some("repository:library/alpine:pull".into()),
        })
    );
    // Unquoted values, odd spacing, a comma inside quotes, escapes.
    assert_eq!(
        Challenge::parse(
            r#"bearer  realm=http://127.0.0.1:1/t , scope="repository:a:pull,push", service="x\"y""#
        ),
        Some(Challenge::Bearer {
            realm: "http://127.0.0.1:1/t".into(),
            service: Some("x\"y".into()),
            scope: Some("repository:a:pull,push".into()),
        })
    );
    assert_eq!(
        Challenge::parse("Bearer service=x"),
        None,
        "a realm is required"
    );
    assert_eq!(Challenge::parse("Negotiate abc"), None);
}

#[test]
fn token_answers() {
    let t: TokenResponse =
        serde_json::from_str(r#"{"token":"a","access_token":"b"}"#).expect("json");
    assert_eq!(t.into_token().as_deref(), Some("a"));
    let t: TokenResponse =
        serde_json::from_str(r#"{"access_token":"b","expires_in":60}"#).expect("json");
    assert_eq!(t.into_token().as_deref(), Some("b"));
    let t: TokenResponse = serde_json::from_str(r"{}").expect("json");
    assert_eq!(t.into_token(), None);
}

#[test]
fn credentials_round_trip_and_hide_the_password() {
    let c = Credentials {
        username: "alice".into(),
        password: "s3cr:et".into(),
    };
    assert_eq!(Credentials::decode(&c.encoded()), Some(c.clone()));
    assert_eq!(c.basic_header(), "Basic YWxpY2U6czNjcjpldA==");
    assert!(!format!("{c:?}").contains("s3cr"));
}

#[test]
fn config_file_keeps_other_keys() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sub/config.json");
    let mut cfg = DockerConfig::load(&path)?;
    assert_eq!(cfg.get("localhost:5000"), None);
    let c = Credentials {
        username: "u".into(),
        password: "p".into(),
    };
    cfg.set("localhost:5000", &c);
    cfg.set("docker.io", &c);
    cfg.save()?;
    let text = std::fs::read_to_string(&path)?;
    assert!(
        text.contains("\"localhost:5000\"") && text.contains(DOCKER_HUB_AUTH_KEY),
        "{text}"
    );
    std::fs::write(
        &path,
        text.replace("{\n", "{\n  \"credsStore\": \"none\",\n")
            .replacen("localhost:5000", "https://localhost:5000/v1/", 1),
    )?;
    let mut cfg = DockerConfig::load(&path)?;
    assert_eq!(cfg.get("localhost:5000"), Some(c.clone()), "found by host");
    assert!(cfg.remove("localhost:5000"));
    assert!(!cfg.remove("localhost:5000"));
    cfg.save()?;
    let cfg = DockerConfig::load(&path)?;
    assert_eq!(cfg.get("localhost:5000"), None);
    assert_eq!(cfg.get("docker.io"), Some(c));
    assert!(std::fs::read_to_string(&path)?.contains("credsStore"));
    Ok(())
}
