use super::*;

#[track_caller]
fn check(input: &str, registry: &str, repository: &str, tag: Option<&str>, local: Option<&str>) {
    let r = Reference::parse(input).expect("parses");
    assert_eq!(r.registry, registry, "{input}");
    assert_eq!(r.repository, repository, "{input}");
    assert_eq!(r.tag.as_deref(), tag, "{input}");
    assert_eq!(r.local_tag().as_deref(), local, "{input}");
}

#[test]
fn docker_hub_defaults() {
    check(
        "alpine",
        "docker.io",
        "library/alpine",
        Some("latest"),
        Some("alpine:latest"),
    );
    check(
        "alpine:3.20",
        "docker.io",
        "library/alpine",
        Some("3.20"),
        Some("alpine:3.20"),
    );
    check(
        "user/app:v1",
        "docker.io",
        "user/app",
        Some("v1"),
        Some("user/app:v1"),
    );
    check(
        "docker.io/library/alpine",
        "docker.io",
        "library/alpine",
        Some("latest"),
        Some("alpine:latest"),
    );
    // A first component that looks like a host keeps Docker Hub's name (found by proptest).
    check(
        "docker.io/0.0/a",
        "docker.io",
        "0.0/a",
        Some("latest"),
        Some("docker.io/0.0/a:latest"),
    );
    check(
        "index.docker.io/user/app",
        "docker.io",
        "user/app",
        Some("latest"),
        Some("user/app:latest"),
    );
}

#[test]
fn registries_with_hosts_and_ports() {
    check(
        "localhost/app",
        "localhost",
        "app",
        Some("latest"),
        Some("localhost/app:latest"),
    );
    check(
        "localhost:5000/app:1",
        "localhost:5000",
        "app",
        Some("1"),
        Some("localhost:5000/app:1"),
    );
    check(
        "127.0.0.1:5000/team/app",
        "127.0.0.1:5000",
        "team/app",
        Some("latest"),
        Some("127.0.0.1:5000/team/app:latest"),
    );
    check(
        "ghcr.io/o/r:t",
        "ghcr.io",
        "o/r",
        Some("t"),
        Some("ghcr.io/o/r:t"),
    );
    check(
        "[::1]:5000/app",
        "[::1]:5000",
        "app",
        Some("latest"),
        Some("[::1]:5000/app:latest"),
    );
}

#[test]
fn digests() {
    let d = "sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1";
    let r = Reference::parse(&format!("127.0.0.1:5000/app@{d}")).expect("parses");
    assert_eq!(r.tag, None);
    assert_eq!(
        r.digest.as_ref().map(ToString::to_string).as_deref(),
        Some(d)
    );
    assert_eq!(r.manifest_reference(), d);
    assert_eq!(r.local_tag(), None);
    let r = Reference::parse(&format!("app:1@{d}")).expect("parses");
    assert_eq!(r.tag.as_deref(), Some("1"));
    assert_eq!(r.manifest_reference(), d);
    assert_eq!(r.to_string(), format!("docker.io/library/app:1@{d}"));
}

#[test]
fn invalid_references_are_errors() {
    for bad in [
        "",
        "App",
        "a//b",
        "a:",
        "a:-x",
        "a@sha256:zz",
        "-a",
        "a/B",
        "host:port:x/a",
    ] {
        assert!(Reference::parse(bad).is_err(), "{bad:?} should not parse");
    }
}

#[test]
fn local_registries() {
    for r in [
        "localhost",
        "localhost:5000",
        "127.0.0.1:5000",
        "127.1.2.3",
        "[::1]:5000",
    ] {
        assert!(is_local(r), "{r}");
    }
    for r in [
        "docker.io",
        "ghcr.io",
        "10.0.0.1:5000",
        "localhost.example.com",
    ] {
        assert!(!is_local(r), "{r}");
    }
}

fn component() -> impl proptest::strategy::Strategy<Value = String> {
    proptest::string::string_regex("[a-z0-9]{1,6}([._-][a-z0-9]{1,6}){0,2}").expect("regex")
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    #[test]
    fn display_and_local_tag_parse_back(
        registry in proptest::sample::select(vec!["", "localhost/", "localhost:5000/", "127.0.0.1:5000/", "ghcr.io/", "docker.io/", "[::1]:5000/"]),
        path in proptest::collection::vec(component(), 1..4),
        tag in proptest::option::of(proptest::string::string_regex("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}").expect("regex")),
        digest in proptest::option::of(proptest::array::uniform32(0u8..)),
    ) {
        let mut text = format!("{registry}{}", path.join("/"));
        if let Some(t) = &tag {
            text.push(':');
            text.push_str(t);
        }
        if let Some(d) = digest {
            text.push('@');
            text.push_str(&stowage_oci::Digest::from_sha256(d).to_string());
        }
        let r = Reference::parse(&text).expect("a valid reference parses");
        proptest::prop_assert_eq!(&Reference::parse(&r.to_string()).expect("reparses"), &r);
        if let Some(local) = r.local_tag() {
            let back = Reference::parse(&local).expect("the local tag parses");
            proptest::prop_assert_eq!((&back.registry, &back.repository, &back.tag), (&r.registry, &r.repository, &r.tag));
        }
    }
}
