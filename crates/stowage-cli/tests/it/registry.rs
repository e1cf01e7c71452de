//! `push`, `pull`, `login`, `logout` and base-image pulls against a real registry: Debian's
//! `docker-registry` (distribution 2.8), started by each test on 127.0.0.1 with an ephemeral
//! port and filesystem storage in a temporary directory, and stopped when the test ends.
//! The pushed images are checked with `skopeo inspect`. The tests run when
//! `/usr/bin/docker-registry` is installed (`cargo xtask setup`) and must run under `CI=true`.
#![expect(clippy::print_stdout, reason = "the tests say when they skip")]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::build::{Run, ok, tempdir, tool, write};

const REGISTRY: &str = "/usr/bin/docker-registry";

/// A running `docker-registry`; killed on drop.
struct Registry {
    child: Child,
    /// `127.0.0.1:PORT`.
    addr: String,
    /// The storage root (`docker/registry/v2/...`).
    data: PathBuf,
    /// Its log (access lines included).
    log: Arc<Mutex<String>>,
}

impl Registry {
    /// Starts a registry in `dir` with an `auth:` section (YAML, may be empty).
    fn start(dir: &Path, auth: &str) -> Self {
        Self::start_env(dir, auth, &[])
    }

    /// [`Registry::start`] with `REGISTRY_*` settings in the environment.
    fn start_env(dir: &Path, auth: &str, env: &[(&str, &str)]) -> Self {
        let data = dir.join("data");
        std::fs::create_dir_all(dir).expect("registry dir");
        let config = dir.join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\n\
                 storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
                 http:\n  addr: 127.0.0.1:0\n  secret: stowage-test\n{auth}",
                data.display()
            ),
        )
        .expect("write config");
        let mut child = Command::new(REGISTRY)
            .arg("serve")
            .arg(&config)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("docker-registry starts");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(i) = line.find("listening on ")
                    && let Some(tx) = tx.take()
                {
                    let addr: String = line[i + 13..]
                        .chars()
                        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                        .collect();
                    let _ = tx.send(addr);
                }
                let mut log = sink.lock().expect("log lock");
                log.push_str(&line);
                log.push('\n');
            }
        });
        let addr = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                panic!(
                    "docker-registry did not start: {}",
                    log.lock().expect("log")
                );
            });
        Self {
            child,
            addr,
            data,
            log,
        }
    }

    fn log(&self) -> String {
        self.log.lock().expect("log lock").clone()
    }

    /// The registry's file for a blob.
    fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.data
            .join("docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the registry tests can run (they must under `CI=true`).
fn registry_available(what: &str) -> bool {
    if Path::new(REGISTRY).exists() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{REGISTRY} must be installed under CI=true (cargo xtask setup)"
    );
    println!("skipped: {what} ({REGISTRY} is not installed; cargo xtask setup)");
    false
}

/// `stowage` with a store and a docker config directory of the test's own.
fn stowage(
    root: &Path,
    docker_config: &Path,
    cwd: &Path,
    args: &[&str],
    envs: &[(&str, &str)],
) -> Run {
    stowage_stdin(root, docker_config, cwd, args, envs, "")
}

fn stowage_stdin(
    root: &Path,
    docker_config: &Path,
    cwd: &Path,
    args: &[&str],
    envs: &[(&str, &str)],
    stdin: &str,
) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stowage"));
    cmd.arg("--root")
        .arg(root)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("DOCKER_CONFIG", docker_config)
        .env_remove("STOWAGE_ROOT")
        .env_remove("STOWAGE_UPLOAD_CHUNK_SIZE");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = crate::run_with_stdin(&mut cmd, stdin);
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A small project without RUN: two layers, one of them 40 kB (chunked with a 16 kB chunk
/// size).
fn project(dir: &Path) {
    write(
        dir,
        &[
            (
                "Dockerfile",
                "FROM scratch\nCOPY small.txt /small.txt\nCOPY big.bin /data/big.bin\n\
                 ENV MODE=registry\nCMD [\"/small.txt\"]\n",
            ),
            ("small.txt", "hello registry\n"),
        ],
    );
    // 64 kB that gzip cannot shrink (xorshift), so its layer stays above the chunk size.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let big: Vec<u8> = (0..65_536)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect();
    std::fs::write(dir.join("big.bin"), big).expect("write");
}

fn inspect(root: &Path, cfg: &Path, cwd: &Path, image: &str) -> Value {
    let r = ok(stowage(root, cfg, cwd, &["inspect", image], &[]));
    let v: Value = serde_json::from_str(&r.stdout).expect("inspect JSON");
    v[0].clone()
}

fn digest_line(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.split_once(": digest: "))
        .map(|(_, rest)| rest.split(' ').next().unwrap_or("").to_owned())
        .expect("a digest line")
}

#[test]
fn push_pull_round_trip_mount_chunked_upload_and_digest_checks() {
    if !registry_available("registry push/pull") {
        return;
    }
    let tmp = tempdir();
    let reg = Registry::start(&tmp.path().join("registry"), "");
    let (root, cfg, ctx) = (
        tmp.path().join("store"),
        tmp.path().join("docker"),
        tmp.path().join("ctx"),
    );
    project(&ctx);
    let cwd = tmp.path();
    let demo = format!("{}/team/demo:1", reg.addr);
    ok(stowage(
        &root,
        &cfg,
        cwd,
        &["build", "-q", "-t", &demo, "ctx"],
        &[],
    ));
    let before = inspect(&root, &cfg, cwd, &demo);
    let id = before["Id"].as_str().expect("Id").to_owned();

    // Push with a 16 kB chunk size: the 64 kB layer goes in PATCH chunks, the rest in one PUT.
    let r = ok(stowage(
        &root,
        &cfg,
        cwd,
        &["push", &demo],
        &[("STOWAGE_UPLOAD_CHUNK_SIZE", "16384")],
    ));
    assert!(
        r.stdout.starts_with(&format!(
            "The push refers to repository [{}/team/demo]\n",
            reg.addr
        )),
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.matches(": Pushed").count(), 2, "{}", r.stdout);
    let digest = digest_line(&r.stdout);
    assert!(
        r.stdout.contains(&format!("1: digest: {digest} size: ")),
        "{}",
        r.stdout
    );
    let log = reg.log();
    assert!(
        log.contains("http.request.method=PATCH"),
        "the big layer was uploaded in chunks:\n{log}"
    );

    // skopeo sees the manifest, config and layers we have.
    let remote = format!("docker://{demo}");
    let info: Value =
        serde_json::from_str(&tool("skopeo", &["inspect", "--tls-verify=false", &remote]))
            .expect("skopeo JSON");
    assert_eq!(info["Digest"].as_str(), Some(digest.as_str()));
    assert_eq!(info["Layers"].as_array().map(Vec::len), Some(2), "{info:#}");
    assert!(
        info["Env"].to_string().contains("MODE=registry"),
        "{info:#}"
    );
    let config: Value = serde_json::from_str(&tool(
        "skopeo",
        &["inspect", "--tls-verify=false", "--config", &remote],
    ))
    .expect("config JSON");
    assert_eq!(
        config["rootfs"]["diff_ids"], before["RootFS"]["Layers"],
        "the registry has our config"
    );

    // Pushing again uploads nothing.
    let r = ok(stowage(&root, &cfg, cwd, &["push", &demo], &[]));
    assert_eq!(
        r.stdout.matches(": Layer already exists").count(),
        2,
        "{}",
        r.stdout
    );
    assert_eq!(digest_line(&r.stdout), digest);
    // Layers were gzipped for the registry (as docker pushes them).
    let raw: Value = serde_json::from_str(&tool(
        "skopeo",
        &["inspect", "--tls-verify=false", "--raw", &remote],
    ))
    .expect("manifest JSON");
    assert!(
        raw["layers"]
            .as_array()
            .expect("layers")
            .iter()
            .all(|l| l["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"),
        "{raw:#}"
    );
    // --uncompressed pushes the local manifest as it is: its layer digests are the diff IDs.
    let plain = format!("{}/plain/demo:1", reg.addr);
    ok(stowage(&root, &cfg, cwd, &["tag", &demo, &plain], &[]));
    ok(stowage(
        &root,
        &cfg,
        cwd,
        &["push", "--uncompressed", &plain],
        &[],
    ));
    let plain_info: Value = serde_json::from_str(&tool(
        "skopeo",
        &[
            "inspect",
            "--tls-verify=false",
            &format!("docker://{plain}"),
        ],
    ))
    .expect("skopeo JSON");
    assert_eq!(plain_info["Layers"], before["RootFS"]["Layers"]);
    ok(stowage(&root, &cfg, cwd, &["rmi", &plain], &[]));

    // Another repository of the same registry: blobs are mounted.
    let other = format!("{}/other/app:v2", reg.addr);
    ok(stowage(&root, &cfg, cwd, &["tag", &demo, &other], &[]));
    let r = ok(stowage(&root, &cfg, cwd, &["push", &other], &[]));
    assert_eq!(
        r.stdout.matches(": Mounted from team/demo").count(),
        2,
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("v2: digest: {digest} size: ")),
        "{}",
        r.stdout
    );

    // Remove it locally; pull it back into a fresh store (the first one keeps the layers for
    // its build cache): same image, same digests.
    ok(stowage(&root, &cfg, cwd, &["rmi", &demo, &other], &[]));
    let r = stowage(&root, &cfg, cwd, &["inspect", &demo], &[]);
    assert_ne!(r.code, 0, "the image is gone");
    ok(stowage(&root, &cfg, cwd, &["pull", &demo], &[]));
    assert_eq!(
        inspect(&root, &cfg, cwd, &demo)["Id"].as_str(),
        Some(id.as_str())
    );
    let root = tmp.path().join("store2");
    let r = ok(stowage(&root, &cfg, cwd, &["pull", &demo], &[]));
    assert!(
        r.stdout.starts_with("1: Pulling from team/demo\n"),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stdout.matches(": Pull complete").count(),
        2,
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("Digest: {digest}\n")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("Status: Downloaded newer image for {demo}\n")),
        "{}",
        r.stdout
    );
    let after = inspect(&root, &cfg, cwd, &demo);
    assert_eq!(after["Id"].as_str(), Some(id.as_str()));
    assert_eq!(after["RootFS"], before["RootFS"]);
    assert_eq!(after["Config"], before["Config"]);
    let r = ok(stowage(&root, &cfg, cwd, &["pull", &demo], &[]));
    assert!(
        r.stdout
            .contains(&format!("Status: Image is up to date for {demo}\n")),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stdout.matches(": Already exists").count(),
        2,
        "{}",
        r.stdout
    );
    // By digest, quietly: only the reference is printed.
    let by_digest = format!("{}/other/app@{digest}", reg.addr);
    let r = ok(stowage(&root, &cfg, cwd, &["pull", "-q", &by_digest], &[]));
    assert_eq!(r.stdout, format!("{by_digest}\n"));

    // A pull whose blob does not hash to its digest is refused and commits nothing.
    ok(stowage(&root, &cfg, cwd, &["rmi", &demo], &[]));
    let layers = info["Layers"].as_array().expect("layers").clone();
    let big = layers[1].as_str().expect("digest");
    let file = reg.blob_file(big);
    let mut bytes = std::fs::read(&file).expect("registry blob");
    bytes[600] ^= 0xff;
    std::fs::write(&file, bytes).expect("corrupt the blob");
    let r = stowage(&root, &cfg, cwd, &["pull", &demo], &[]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stderr
            .contains(&format!("digest mismatch for blob {big}")),
        "{}",
        r.stderr
    );
    let r = ok(stowage(
        &root,
        &cfg,
        cwd,
        &["images", "--format", "json"],
        &[],
    ));
    assert!(
        !r.stdout.contains("team/demo"),
        "nothing tagged: {}",
        r.stdout
    );
    let hex = big.trim_start_matches("sha256:");
    assert!(
        !root.join("blobs/sha256").join(hex).exists(),
        "the corrupt blob is not in the store"
    );
    assert_eq!(
        std::fs::read_dir(root.join("tmp")).expect("tmp").count(),
        0,
        "no temporary file left"
    );

    // Unknown tags and unreachable registries are clear errors.
    let r = stowage(
        &root,
        &cfg,
        cwd,
        &["pull", &format!("{}/team/demo:nope", reg.addr)],
        &[],
    );
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("not found") && r.stderr.contains("MANIFEST_UNKNOWN"),
        "{}",
        r.stderr
    );
    let r = stowage(&root, &cfg, cwd, &["pull", "127.0.0.1:1/none:1"], &[]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("network error talking to 127.0.0.1:1"),
        "{}",
        r.stderr
    );
}

fn build_small(root: &Path, cfg: &Path, cwd: &Path, tag: &str, text: &str) {
    let ctx = cwd.join(format!("ctx-{}", text.len()));
    write(
        &ctx,
        &[
            ("Dockerfile", "FROM scratch\nCOPY file.txt /file.txt\n"),
            ("file.txt", text),
        ],
    );
    let ctx = ctx.to_str().expect("UTF-8 path");
    ok(stowage(
        root,
        cfg,
        cwd,
        &["build", "-q", "-t", tag, ctx],
        &[],
    ));
}

#[test]
fn login_with_basic_auth_logout_and_the_password_is_never_printed() {
    if !registry_available("registry basic auth") {
        return;
    }
    let tmp = tempdir();
    let password = "Hunter2-registry-pw";
    let htpasswd = tmp.path().join("htpasswd");
    // distribution accepts only bcrypt entries; it serves basic auth over plain http too.
    std::fs::write(&htpasswd, tool("htpasswd", &["-Bbn", "alice", password])).expect("htpasswd");
    let reg = Registry::start(
        &tmp.path().join("registry"),
        &format!(
            "auth:\n  htpasswd:\n    realm: stowage-test\n    path: {}\n",
            htpasswd.display()
        ),
    );
    let (root, cfg, cwd) = (
        tmp.path().join("store"),
        tmp.path().join("docker"),
        tmp.path(),
    );
    let image = format!("{}/private/app:1", reg.addr);
    build_small(&root, &cfg, cwd, &image, "secret stuff\n");
    let mut outputs = Vec::new();
    let mut keep = |r: Run| {
        outputs.push(format!("{}{}", r.stdout, r.stderr));
        r
    };

    let r = keep(stowage(&root, &cfg, cwd, &["push", &image], &[]));
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("unauthorized")
            && r.stderr.contains(&format!("stowage login {}", reg.addr)),
        "{}",
        r.stderr
    );

    let login = |stdin: &str| {
        stowage_stdin(
            &root,
            &cfg,
            cwd,
            &["login", "-u", "alice", "--password-stdin", &reg.addr],
            &[],
            stdin,
        )
    };
    let r = keep(login("not-the-password\n"));
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains(&format!("login to {} failed", reg.addr))
            && r.stderr.contains("rejected the credentials"),
        "{}",
        r.stderr
    );
    assert!(!cfg.join("config.json").exists(), "nothing stored");

    let r = keep(ok(login(&format!("{password}\n"))));
    assert_eq!(r.stdout, "Login Succeeded\n");
    let config: Value =
        serde_json::from_slice(&std::fs::read(cfg.join("config.json")).expect("config.json"))
            .expect("JSON");
    let auth = config["auths"][&reg.addr]["auth"]
        .as_str()
        .expect("auth entry");
    let creds = stowage_registry::Credentials::decode(auth).expect("base64 user:password");
    assert_eq!(
        (creds.username.as_str(), creds.password.as_str()),
        ("alice", password)
    );

    let r = keep(ok(stowage(
        &root,
        &cfg,
        cwd,
        &["login", "-u", "alice", "-p", password, &reg.addr],
        &[],
    )));
    assert!(
        r.stderr
            .contains("WARNING! Using --password via the CLI is insecure. Use --password-stdin."),
        "{}",
        r.stderr
    );

    let r = keep(ok(stowage(&root, &cfg, cwd, &["push", &image], &[])));
    assert_eq!(r.stdout.matches(": Pushed").count(), 1, "{}", r.stdout);
    let root2 = tmp.path().join("store2");
    keep(ok(stowage(&root2, &cfg, cwd, &["pull", &image], &[])));

    let r = keep(ok(stowage(&root, &cfg, cwd, &["logout", &reg.addr], &[])));
    assert_eq!(
        r.stdout,
        format!("Removing login credentials for {}\n", reg.addr)
    );
    let config: Value =
        serde_json::from_slice(&std::fs::read(cfg.join("config.json")).expect("config.json"))
            .expect("JSON");
    assert!(config["auths"].get(&reg.addr).is_none(), "{config}");
    let r = keep(stowage(&root, &cfg, cwd, &["logout", &reg.addr], &[]));
    assert_eq!(r.stdout, format!("Not logged in to {}\n", reg.addr));
    let r = keep(stowage(
        &root2,
        &cfg,
        cwd,
        &["pull", &image.replace(":1", ":2")],
        &[],
    ));
    assert!(r.stderr.contains("stowage login"), "{}", r.stderr);

    for o in &outputs {
        assert!(!o.contains(password), "the password was printed: {o}");
    }
    assert!(!reg.log().contains(password), "nor logged by the registry");
}

#[test]
fn a_build_pulls_a_base_image_it_does_not_have() {
    if !registry_available("FROM a registry image") {
        return;
    }
    let tmp = tempdir();
    let reg = Registry::start(&tmp.path().join("registry"), "");
    let (root, cfg, cwd) = (
        tmp.path().join("store"),
        tmp.path().join("docker"),
        tmp.path(),
    );
    let base = format!("{}/base/files:1", reg.addr);
    build_small(&root, &cfg, cwd, &base, "from the base\n");
    ok(stowage(&root, &cfg, cwd, &["push", &base], &[]));
    let base_layers = inspect(&root, &cfg, cwd, &base)["RootFS"]["Layers"].clone();

    let root2 = tmp.path().join("store2");
    write(
        &cwd.join("app"),
        &[
            (
                "Dockerfile",
                &format!("FROM {base}\nCOPY app.txt /app.txt\n"),
            ),
            ("app.txt", "the app\n"),
        ],
    );
    let r = ok(stowage(
        &root2,
        &cfg,
        cwd,
        &["build", "--progress", "plain", "-t", "app:1", "app"],
        &[],
    ));
    assert!(
        r.stderr.contains(&format!("pulling {base}")),
        "{}",
        r.stderr
    );
    let layers = inspect(&root2, &cfg, cwd, "app:1")["RootFS"]["Layers"].clone();
    assert_eq!(layers.as_array().map(Vec::len), Some(2), "{layers}");
    assert_eq!(layers[0], base_layers[0]);
    let r = ok(stowage(
        &root2,
        &cfg,
        cwd,
        &["images", "--format", "json"],
        &[],
    ));
    assert!(
        r.stdout.contains("base/files"),
        "the base is in the store: {}",
        r.stdout
    );
    // The second build finds it locally.
    let r = ok(stowage(
        &root2,
        &cfg,
        cwd,
        &["build", "--progress", "plain", "-t", "app:1", "app"],
        &[],
    ));
    assert!(!r.stderr.contains("pulling"), "{}", r.stderr);

    // A base with gzip layers and Docker media types (as docker pushes them) is used and
    // kept as pulled, not re-encoded.
    let gz = format!("{}/base/gz:1", reg.addr);
    tool(
        "skopeo",
        &[
            "copy",
            "-q",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            "--format",
            "v2s2",
            "--dest-compress",
            &format!("docker://{base}"),
            &format!("docker://{gz}"),
        ],
    );
    let root3 = tmp.path().join("store3");
    write(
        &cwd.join("app"),
        &[("Dockerfile", &format!("FROM {gz}\nCOPY app.txt /app.txt\n"))],
    );
    ok(stowage(
        &root3,
        &cfg,
        cwd,
        &["build", "-q", "-t", "app:gz", "app"],
        &[],
    ));
    let index: Value =
        serde_json::from_slice(&std::fs::read(root3.join("index.json")).expect("index.json"))
            .expect("JSON");
    let entry = index["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .find(|m| {
            m["annotations"]["org.opencontainers.image.ref.name"].as_str() == Some(gz.as_str())
        })
        .unwrap_or_else(|| panic!("{gz} is tagged: {index:#}"));
    assert_eq!(
        entry["mediaType"].as_str(),
        Some("application/vnd.docker.distribution.manifest.v2+json")
    );
    assert_eq!(
        inspect(&root3, &cfg, cwd, &gz)["RootFS"]["Layers"],
        base_layers
    );
    let layers = inspect(&root3, &cfg, cwd, "app:gz")["RootFS"]["Layers"].clone();
    assert_eq!(layers[0], base_layers[0]);

    write(
        &cwd.join("app"),
        &[("Dockerfile", &format!("FROM {}/base/none:1\n", reg.addr))],
    );
    let r = stowage(&root2, &cfg, cwd, &["build", "app"], &[]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("the base image is not in the local store, and pulling")
            && r.stderr.contains("MANIFEST_UNKNOWN"),
        "{}",
        r.stderr
    );
}

/// Writes a JSON value into the store as a blob; its descriptor.
fn put_json(store: &stowage_store::Store, media_type: &str, value: &Value) -> Value {
    let bytes = serde_json::to_vec(value).expect("JSON");
    let digest = store.write_blob(&bytes).expect("blob");
    serde_json::json!({"mediaType": media_type, "digest": digest.to_string(), "size": bytes.len()})
}

#[test]
fn an_index_is_pushed_after_its_children_and_pull_picks_the_platform() {
    if !registry_available("multi-platform push/pull") {
        return;
    }
    let tmp = tempdir();
    let reg = Registry::start(&tmp.path().join("registry"), "");
    let (root, cfg, cwd) = (
        tmp.path().join("store"),
        tmp.path().join("docker"),
        tmp.path(),
    );
    build_small(&root, &cfg, cwd, "amd:1", "amd64\n");
    build_small(&root, &cfg, cwd, "arm:1", "arm64 v8\n");
    let amd_id = inspect(&root, &cfg, cwd, "amd:1")["Id"].clone();
    let target = format!("{}/multi/app:1", reg.addr);
    let index_digest = {
        use stowage_build::ImageStore as _;
        let store = stowage_store::Store::open(&root).expect("store");
        let images =
            stowage_store::DiskImageStore::open(std::rc::Rc::clone(&store)).expect("images");
        let manifest_of = |tag: &str| {
            let id = images
                .tags()
                .into_iter()
                .find(|(t, _)| t == tag)
                .expect("tagged")
                .1;
            let desc = images.manifest(&id).expect("manifest").clone();
            let bytes = store.read_blob(&desc.digest).expect("manifest blob");
            (desc, serde_json::from_slice::<Value>(&bytes).expect("JSON"))
        };
        let (amd, _) = manifest_of("amd:1");
        // The arm64 image: the same layers under a config that says arm64/v8.
        let (_, mut arm) = manifest_of("arm:1");
        let config_digest: stowage_oci::Digest = arm["config"]["digest"]
            .as_str()
            .expect("digest")
            .parse()
            .expect("digest");
        let mut config: Value =
            serde_json::from_slice(&store.read_blob(&config_digest).expect("config"))
                .expect("JSON");
        config["architecture"] = "arm64".into();
        config["variant"] = "v8".into();
        arm["config"] = put_json(&store, "application/vnd.oci.image.config.v1+json", &config);
        let mut arm_desc = put_json(&store, "application/vnd.oci.image.manifest.v1+json", &arm);
        arm_desc["platform"] =
            serde_json::json!({"architecture": "arm64", "os": "linux", "variant": "v8"});
        let mut amd_desc = serde_json::to_value(&amd).expect("JSON");
        amd_desc["platform"] = serde_json::json!({"architecture": "amd64", "os": "linux"});
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [amd_desc, arm_desc],
        });
        let index_desc: stowage_oci::Descriptor = serde_json::from_value(put_json(
            &store,
            "application/vnd.oci.image.index.v1+json",
            &index,
        ))
        .expect("descriptor");
        let reference = stowage_registry::Reference::parse(&target).expect("reference");
        let mut client = stowage_registry::Client::new(
            &reference.registry,
            &stowage_registry::ClientOptions::default(),
            None,
        )
        .expect("client");
        let mut sources = stowage_registry::Sources::open(&store);
        let mut blobs = 0;
        let pushed = stowage_registry::push(
            &mut client,
            &store,
            &mut sources,
            &index_desc,
            &reference,
            stowage_registry::PushCompression::AsStored,
            &mut |_| blobs += 1,
        )
        .expect("push");
        assert_eq!(pushed.digest, index_desc.digest);
        assert_eq!(blobs, 4, "2 manifests × (layer + config)");
        pushed.digest.to_string()
    };
    let raw: Value = serde_json::from_str(&tool(
        "skopeo",
        &[
            "inspect",
            "--tls-verify=false",
            "--raw",
            &format!("docker://{target}"),
        ],
    ))
    .expect("JSON");
    assert_eq!(
        raw["manifests"].as_array().map(Vec::len),
        Some(2),
        "{raw:#}"
    );

    let root2 = tmp.path().join("store2");
    let r = ok(stowage(
        &root2,
        &cfg,
        cwd,
        &["pull", "--platform", "linux/arm64", &target],
        &[],
    ));
    assert!(
        r.stdout.contains(&format!("Digest: {index_digest}\n")),
        "{}",
        r.stdout
    );
    let arm = inspect(&root2, &cfg, cwd, &target);
    assert_eq!(arm["Architecture"], "arm64");
    let root3 = tmp.path().join("store3");
    ok(stowage(&root3, &cfg, cwd, &["pull", &target], &[]));
    assert_eq!(inspect(&root3, &cfg, cwd, &target)["Id"], amd_id);
    let r = stowage(
        &root3,
        &cfg,
        cwd,
        &["pull", "--platform", "linux/s390x", &target],
        &[],
    );
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains(
            "no matching manifest for linux/s390x in the manifest list entries (available: linux/amd64, linux/arm64/v8)"
        ),
        "{}",
        r.stderr
    );
}

/// A token service as Docker Hub runs one: `GET /token?service=…&scope=…` with basic
/// credentials answers `{"token": <JWT>}`, an ES256 JWT whose `x5c` certificate is the
/// registry's `rootcertbundle`, granting every scope asked for. Records each request (path
/// and user, never the password). Stopped on drop.
struct TokenServer {
    addr: String,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    cert_pem: PathBuf,
}

/// A P-256 key (`key`, PEM) and a self-signed certificate for it (`cert`, PEM, two days),
/// for `subject`, with `extra` arguments to `openssl req`.
fn self_signed_p256(key: &Path, cert: &Path, subject: &str, extra: &[&str]) {
    let mut args = vec![
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key.to_str().expect("UTF-8 path"),
        "-out",
        cert.to_str().expect("UTF-8 path"),
        "-days",
        "2",
        "-subj",
        subject,
    ];
    args.extend_from_slice(extra);
    tool("openssl", &args);
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl TokenServer {
    fn start(dir: &Path, user: &'static str, password: &'static str) -> Self {
        use std::io::Write as _;
        std::fs::create_dir_all(dir).expect("token dir");
        let (key_pem, cert_pem) = (dir.join("key.pem"), dir.join("cert.pem"));
        let (key_der, cert_der) = (dir.join("key.der"), dir.join("cert.der"));
        let p = |p: &Path| p.to_str().expect("UTF-8 path").to_owned();
        self_signed_p256(&key_pem, &cert_pem, "/CN=stowage-test-token", &[]);
        tool(
            "openssl",
            &[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                &p(&key_pem),
                "-outform",
                "DER",
                "-out",
                &p(&key_der),
            ],
        );
        tool(
            "openssl",
            &[
                "x509",
                "-in",
                &p(&cert_pem),
                "-outform",
                "DER",
                "-out",
                &p(&cert_der),
            ],
        );
        let rng = ring::rand::SystemRandom::new();
        let key = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &std::fs::read(&key_der).expect("key"),
            &rng,
        )
        .expect("P-256 key");
        let x5c = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .encode(std::fs::read(&cert_der).expect("cert"))
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (log, stopped) = (Arc::clone(&requests), Arc::clone(&stop));
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                if stopped.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                let mut basic = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':')
                        && k.eq_ignore_ascii_case("authorization")
                    {
                        basic = v.trim().strip_prefix("Basic ").map(str::to_owned);
                    }
                }
                let path = request_line.split(' ').nth(1).unwrap_or("").to_owned();
                let creds = basic.and_then(|b| {
                    use base64::Engine as _;
                    let raw = base64::engine::general_purpose::STANDARD.decode(b).ok()?;
                    let text = String::from_utf8(raw).ok()?;
                    text.split_once(':')
                        .map(|(u, p)| (u.to_owned(), p == password))
                });
                let who = match &creds {
                    Some((u, true)) => u.clone(),
                    Some((u, false)) => format!("{u} (wrong password)"),
                    None => "anonymous".to_owned(),
                };
                log.lock()
                    .expect("log")
                    .push(format!("{} as {who}", percent_decode(&path)));
                let (status, body) = if creds.as_ref().is_some_and(|(u, ok)| u == user && *ok) {
                    let scopes: Vec<String> = path
                        .split_once('?')
                        .map_or("", |(_, q)| q)
                        .split('&')
                        .filter_map(|kv| kv.strip_prefix("scope="))
                        .map(percent_decode)
                        .collect();
                    let access: Vec<Value> = scopes
                        .iter()
                        .filter_map(|s| {
                            let mut parts = s.splitn(3, ':');
                            let (t, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
                            Some(serde_json::json!({
                                "type": t, "name": name,
                                "actions": actions.split(',').collect::<Vec<_>>(),
                            }))
                        })
                        .collect();
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .expect("clock")
                        .as_secs();
                    let header = serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [x5c]});
                    let claims = serde_json::json!({
                        "iss": "stowage-test", "sub": user, "aud": "stowage-registry",
                        "exp": now + 600, "nbf": now - 60, "iat": now - 60,
                        "jti": format!("token-{n}"), "access": access,
                    });
                    let input = format!(
                        "{}.{}",
                        b64url(header.to_string().as_bytes()),
                        b64url(claims.to_string().as_bytes())
                    );
                    let sig = key.sign(&rng, input.as_bytes()).expect("sign");
                    let token = format!("{input}.{}", b64url(sig.as_ref()));
                    (
                        "200 OK",
                        serde_json::json!({"token": token, "expires_in": 600}).to_string(),
                    )
                } else {
                    (
                        "401 Unauthorized",
                        r#"{"details":"incorrect username or password"}"#.to_owned(),
                    )
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Self {
            addr,
            requests,
            stop,
            cert_pem,
        }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("log").clone()
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = std::net::TcpStream::connect(&self.addr);
    }
}

#[test]
fn token_auth_as_docker_hub_does_it() {
    if !registry_available("registry token auth") {
        return;
    }
    let tmp = tempdir();
    let password = "Token-Service-pw";
    let tokens = TokenServer::start(&tmp.path().join("token"), "alice", password);
    let reg = Registry::start(
        &tmp.path().join("registry"),
        &format!(
            "auth:\n  token:\n    realm: http://{}/token\n    service: stowage-registry\n    \
             issuer: stowage-test\n    rootcertbundle: {}\n",
            tokens.addr,
            tokens.cert_pem.display()
        ),
    );
    let (root, cfg, cwd) = (
        tmp.path().join("store"),
        tmp.path().join("docker"),
        tmp.path(),
    );
    let image = format!("{}/tok/app:1", reg.addr);
    build_small(&root, &cfg, cwd, &image, "behind a token\n");

    let r = stowage(&root, &cfg, cwd, &["push", &image], &[]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains(&format!("log in first with `stowage login {}`", reg.addr)),
        "{}",
        r.stderr
    );

    let login = |stdin: &str| {
        stowage_stdin(
            &root,
            &cfg,
            cwd,
            &["login", "-u", "alice", "--password-stdin", &reg.addr],
            &[],
            stdin,
        )
    };
    let r = login("nope\n");
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("rejected the credentials"),
        "{}",
        r.stderr
    );
    let r = ok(login(password));
    assert_eq!(r.stdout, "Login Succeeded\n");

    let r = ok(stowage(&root, &cfg, cwd, &["push", &image], &[]));
    assert_eq!(r.stdout.matches(": Pushed").count(), 1, "{}", r.stdout);
    let other = format!("{}/tok/other:1", reg.addr);
    ok(stowage(&root, &cfg, cwd, &["tag", &image, &other], &[]));
    let r = ok(stowage(&root, &cfg, cwd, &["push", &other], &[]));
    assert!(r.stdout.contains(": Mounted from tok/app"), "{}", r.stdout);
    let root2 = tmp.path().join("store2");
    let r = ok(stowage(&root2, &cfg, cwd, &["pull", &image], &[]));
    assert!(r.stdout.contains("Pull complete"), "{}", r.stdout);

    let requests = tokens.requests();
    let has = |want: &str| requests.iter().any(|r| r.contains(want));
    assert!(has(" as anonymous"), "{requests:#?}");
    assert!(has("as alice (wrong password)"), "{requests:#?}");
    assert!(
        has("registry&scope=repository:tok/app:pull,push as alice"),
        "{requests:#?}"
    );
    assert!(
        has(
            "/token?service=stowage-registry&scope=repository:tok/other:pull,push&scope=repository:tok/app:pull as alice"
        ),
        "a mount asks to read the source repository too: {requests:#?}"
    );
    assert!(
        has("registry&scope=repository:tok/app:pull as alice"),
        "{requests:#?}"
    );
    assert!(!requests.iter().any(|r| r.contains(password)));
}

#[test]
fn a_registry_that_refuses_says_why() {
    if !registry_available("registry refusals") {
        return;
    }
    let tmp = tempdir();
    let (root, cfg, cwd) = (
        tmp.path().join("store"),
        tmp.path().join("docker"),
        tmp.path(),
    );
    let reg = Registry::start_env(
        &tmp.path().join("readonly"),
        "",
        &[("REGISTRY_STORAGE_MAINTENANCE_READONLY", "{enabled: true}")],
    );
    let image = format!("{}/ro/app:1", reg.addr);
    build_small(&root, &cfg, cwd, &image, "read only\n");
    let r = stowage(&root, &cfg, cwd, &["push", &image], &[]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains(
            "registry refused starting an upload: 405 Method Not Allowed: Method not allowed"
        ),
        "{}",
        r.stderr
    );

    // The registry's JSON error codes and messages are shown.
    let reg = Registry::start(&tmp.path().join("registry"), "");
    let mut client =
        stowage_registry::Client::new(&reg.addr, &stowage_registry::ClientOptions::default(), None)
            .expect("client");
    let missing = stowage_oci::Digest::sha256(b"not uploaded");
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": missing.to_string(), "size": 12},
        "layers": [],
    });
    let err = client
        .put_manifest(
            "app",
            "1",
            &stowage_oci::MediaType::ImageManifest,
            manifest.to_string().as_bytes(),
        )
        .expect_err("the registry refuses a manifest whose blobs it lacks")
        .to_string();
    assert!(
        err.starts_with("registry refused manifest app:1: 400 Bad Request: MANIFEST_BLOB_UNKNOWN: blob unknown to registry"),
        "{err}"
    );
}

#[test]
fn a_local_registry_serving_https_is_used_over_tls() {
    if !registry_available("registry over TLS") {
        return;
    }
    let tmp = tempdir();
    let certs = tmp.path().join("certs");
    std::fs::create_dir_all(&certs).expect("mkdir");
    let (key, cert) = (certs.join("key.pem"), certs.join("cert.pem"));
    self_signed_p256(
        &key,
        &cert,
        "/CN=127.0.0.1",
        &["-addext", "subjectAltName=IP:127.0.0.1"],
    );
    // A TLS-only registry: nothing answers plain http, so a push that works went over https
    // (a self-signed certificate, accepted for a local registry as docker does).
    let reg = Registry::start_env(
        &tmp.path().join("registry"),
        "",
        &[
            (
                "REGISTRY_HTTP_TLS_CERTIFICATE",
                cert.to_str().expect("UTF-8"),
            ),
            ("REGISTRY_HTTP_TLS_KEY", key.to_str().expect("UTF-8")),
        ],
    );
    let (root, cfg, cwd) = (
        tmp.path().join("store"),
        tmp.path().join("docker"),
        tmp.path(),
    );
    let image = format!("{}/tls/app:1", reg.addr);
    build_small(&root, &cfg, cwd, &image, "over tls\n");
    let r = ok(stowage(&root, &cfg, cwd, &["push", &image], &[]));
    let digest = digest_line(&r.stdout);
    let info: Value = serde_json::from_str(&tool(
        "skopeo",
        &[
            "inspect",
            "--cert-dir",
            certs.to_str().expect("UTF-8"),
            "--tls-verify=false",
            &format!("docker://{image}"),
        ],
    ))
    .expect("skopeo JSON");
    assert_eq!(info["Digest"].as_str(), Some(digest.as_str()));
    let r = ok(stowage(
        &tmp.path().join("store2"),
        &cfg,
        cwd,
        &["pull", &image],
        &[],
    ));
    assert!(r.stdout.contains("Pull complete"), "{}", r.stdout);
}
