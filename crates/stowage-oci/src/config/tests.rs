use super::buildkit::{self, go_quote, plain_list, quoted_list};
use super::*;
use crate::json;

#[test]
fn config_json_matches_buildkit_key_order() {
    let mut config = ImageConfig::new("linux", "amd64");
    config.created = Some(rfc3339(0));
    config.config.set_env("PATH", "/usr/bin");
    config.config.set_env("A", "1");
    config.config.set_env("PATH", "/bin");
    config.config.cmd = vec!["/bin/sh".into(), "-c".into(), "echo <hi> & bye".into()];
    config
        .config
        .exposed_ports
        .insert("8080/tcp".into(), Empty {});
    config.config.labels.insert("b".into(), "2".into());
    config.config.labels.insert("a".into(), "1".into());
    config.config.working_dir = "/app".into();
    config.config.healthcheck = Some(Healthcheck {
        test: vec!["CMD-SHELL".into(), "true".into()],
        interval: 30_000_000_000,
        ..Healthcheck::default()
    });
    config.config.on_build = vec!["RUN make".into()];
    config.rootfs.diff_ids = vec![crate::Digest::sha256(b"")];
    config.history = vec![buildkit::metadata(Some("1970-01-01T00:00:00Z"), "ENV A=1")];
    let json = String::from_utf8(json::to_vec(&config).unwrap()).unwrap();
    assert_eq!(
        json,
        r#"{"architecture":"amd64","config":{"ExposedPorts":{"8080/tcp":{}},"Env":["PATH=/bin","A=1"],"Cmd":["/bin/sh","-c","echo \u003chi\u003e \u0026 bye"],"WorkingDir":"/app","Labels":{"a":"1","b":"2"},"Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":30000000000},"OnBuild":["RUN make"]},"created":"1970-01-01T00:00:00Z","history":[{"created":"1970-01-01T00:00:00Z","created_by":"ENV A=1","comment":"buildkit.dockerfile.v0","empty_layer":true}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]}}"#
    );
    let back: ImageConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, config);
    assert_eq!(back.config.env_var("PATH"), Some("/bin"));
    assert!(!back.history_matches_layers());
}

#[test]
fn reads_docker_configs_with_extra_fields() {
    let json = r#"{"architecture":"arm64","os":"linux","variant":"v8","docker_version":"24.0",
        "container_config":{"Hostname":"x"},"config":{"Hostname":"","Env":["A=b"],"Volumes":{"/data":{}}},
        "rootfs":{"type":"layers","diff_ids":[]},
        "history":[{"created_by":"/bin/sh -c #(nop) ADD file:abc in / "}]}"#;
    let config: ImageConfig = serde_json::from_str(json).unwrap();
    assert_eq!(config.variant.as_deref(), Some("v8"));
    assert!(config.config.volumes.contains_key("/data"));
    assert_eq!(config.history_layers(), [Some(0)]);
}

#[test]
fn buildkit_history_strings() {
    let created = Some("2024-01-01T00:00:00Z");
    let run = buildkit::run(
        created,
        &[("A", "1"), ("B", "2"), ("A", "3")],
        &["/bin/sh", "-c", "make"],
    );
    assert_eq!(
        run.created_by.as_deref(),
        Some("RUN |2 A=3 B=2 /bin/sh -c make # buildkit")
    );
    assert_eq!(run.comment.as_deref(), Some("buildkit.dockerfile.v0"));
    assert!(!run.empty_layer);
    let exec = buildkit::run(None, &[], &["echo", "hi"]);
    assert_eq!(exec.created_by.as_deref(), Some("RUN echo hi # buildkit"));
    let copy = buildkit::step(None, "COPY --chown=1:1 app.py /app/");
    assert_eq!(
        copy.created_by.as_deref(),
        Some("COPY --chown=1:1 app.py /app/ # buildkit")
    );
    assert!(!buildkit::workdir(None, "/app").empty_layer);
    assert!(buildkit::workdir(None, "/").empty_layer);
    let cmd = buildkit::metadata(
        None,
        &format!("CMD {}", quoted_list(&["/bin/sh", "-c", "echo \"x\""])),
    );
    assert_eq!(
        cmd.created_by.as_deref(),
        Some(r#"CMD ["/bin/sh" "-c" "echo \"x\""]"#)
    );
    assert!(cmd.empty_layer);
    assert_eq!(plain_list(&["8080/tcp", "53/udp"]), "[8080/tcp 53/udp]");
    assert_eq!(go_quote("a\tb\u{1}é"), r#""a\tb\x01é""#);
}

#[test]
fn rfc3339_formats_utc() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
}
