//! `push`, `pull`, `login` and `logout` over `stowage-registry`, with docker's output, and
//! [`PullingResolver`], which pulls the base images a build does not find locally.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::{Context as _, Result, bail};
use clap::Args;
use stowage_build::{BaseImage, ImageResolver, ImageStore as _, ResolveError};
use stowage_oci::Digest;
use stowage_registry::{
    BlobPush, Client, ClientOptions, Credentials, DockerConfig, PullEvent, PushCompression,
    PushEvent, Reference, Sources, auth_key, parse_platform,
};
use stowage_store::{DiskImageStore, Store};
use stowage_vfs::Fs;

/// Upload chunk size in bytes, for tests and slow links (default 16 MiB).
const CHUNK_ENV: &str = "STOWAGE_UPLOAD_CHUNK_SIZE";
/// Where per-registry CA certificates are, as docker keeps them (`<dir>/<registry>/*.crt`).
const CERTS_ENV: &str = "STOWAGE_CERTS_D";

#[derive(Debug, Args)]
pub(crate) struct PushArgs {
    /// The image (`NAME[:TAG]`, named for its registry: `127.0.0.1:5000/app:1`).
    image: String,
    /// An insecure registry: https without certificate checks, else plain http (always the
    /// case for `localhost`, `127.*` and `[::1]` registries, as with docker).
    #[arg(long)]
    insecure: bool,
    /// Print only the digest line.
    #[arg(short, long)]
    quiet: bool,
    /// Push layers as stored (uncompressed tars) instead of gzipping them: the registry
    /// then gets the local manifest, byte for byte.
    #[arg(long)]
    uncompressed: bool,
}

#[derive(Debug, Args)]
pub(crate) struct PullArgs {
    /// The image (`NAME[:TAG|@DIGEST]`).
    image: String,
    /// An insecure registry: https without certificate checks, else plain http (always the
    /// case for `localhost`, `127.*` and `[::1]` registries, as with docker).
    #[arg(long)]
    insecure: bool,
    /// The platform to pick from a multi-platform image (`os/arch[/variant]`; default: the
    /// host's).
    #[arg(long)]
    platform: Option<String>,
    /// Print only the image reference.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// The registry (default: Docker Hub).
    server: Option<String>,
    /// User name (asked for on a terminal when missing).
    #[arg(short, long)]
    username: Option<String>,
    /// Password (visible to other users of the machine: prefer --password-stdin).
    #[arg(short, long)]
    password: Option<String>,
    /// Read the password from standard input.
    #[arg(long)]
    password_stdin: bool,
    /// An insecure registry: https without certificate checks, else plain http (always the
    /// case for `localhost`, `127.*` and `[::1]` registries, as with docker).
    #[arg(long)]
    insecure: bool,
}

/// `https://host:port/v1/` or `host:port` → `host:port`; Docker Hub's names → `docker.io`.
fn server_name(server: Option<&str>) -> String {
    let Some(s) = server else {
        return stowage_registry::DOCKER_HUB.to_owned();
    };
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    let host = s.split('/').next().unwrap_or(s);
    match host {
        "index.docker.io" | "registry-1.docker.io" | "docker.io" => {
            stowage_registry::DOCKER_HUB.to_owned()
        }
        h => h.to_owned(),
    }
}

fn options(registry: &str, insecure: bool) -> ClientOptions {
    let mut opts = ClientOptions {
        insecure,
        ..ClientOptions::default()
    };
    if let Some(n) = std::env::var(CHUNK_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        opts.chunk_size = n.max(1);
    }
    let certs = std::env::var_os(CERTS_ENV)
        .map_or_else(|| PathBuf::from("/etc/docker/certs.d"), PathBuf::from)
        .join(registry);
    if let Ok(dir) = std::fs::read_dir(&certs) {
        let mut files: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "crt"))
            .collect();
        files.sort();
        opts.ca_pem = files.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    }
    opts
}

fn client(registry: &str, insecure: bool) -> Result<Client> {
    let creds = DockerConfig::load_default()?.get(registry);
    Ok(Client::new(registry, &options(registry, insecure), creds)?)
}

fn short(d: &Digest) -> &str {
    &d.encoded()[..12.min(d.encoded().len())]
}

fn host_platform() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "linux/arm64",
        "arm" => "linux/arm/v7",
        "x86" => "linux/386",
        _ => "linux/amd64",
    }
}

#[expect(clippy::print_stdout, reason = "command output")]
pub(crate) fn push_command(args: &PushArgs, root: Option<&Path>) -> Result<ExitCode> {
    let reference = Reference::parse(&args.image)?;
    let Some(tag) = reference.local_tag() else {
        bail!("cannot push a digest reference: push {} by tag", args.image);
    };
    let store = crate::image_cmd::open_store(root)?;
    let images = DiskImageStore::open(Rc::clone(&store))?;
    let Some(manifest) = images
        .tags()
        .into_iter()
        .find(|(t, _)| *t == tag)
        .and_then(|(_, id)| images.manifest(&id).cloned())
    else {
        bail!(
            "An image does not exist locally with the tag: {}",
            reference.familiar_name()
        );
    };
    let mut client = client(&reference.registry, args.insecure)?;
    let mut sources = Sources::open(&store);
    if !args.quiet {
        println!("The push refers to repository [{}]", reference.full_name());
    }
    let result = stowage_registry::push(
        &mut client,
        &store,
        &mut sources,
        &manifest,
        &reference,
        if args.uncompressed {
            PushCompression::AsStored
        } else {
            PushCompression::Gzip
        },
        &mut |ev| {
            let PushEvent::Blob {
                desc,
                layer,
                outcome,
            } = ev;
            if args.quiet || !layer {
                return;
            }
            let what = match outcome {
                BlobPush::Exists => "Layer already exists".to_owned(),
                BlobPush::Mounted(from) => format!("Mounted from {from}"),
                BlobPush::Pushed { .. } => "Pushed".to_owned(),
            };
            println!("{}: {what}", short(&desc.digest));
        },
    );
    sources.save();
    let pushed = result?;
    println!(
        "{}: digest: {} size: {}",
        reference.tag.as_deref().unwrap_or("latest"),
        pushed.digest,
        pushed.size
    );
    Ok(ExitCode::SUCCESS)
}

#[expect(clippy::print_stdout, reason = "command output")]
pub(crate) fn pull_command(args: &PullArgs, root: Option<&Path>) -> Result<ExitCode> {
    let reference = Reference::parse(&args.image)?;
    let platform = parse_platform(args.platform.as_deref().unwrap_or(host_platform()))?;
    let store = crate::image_cmd::open_store(root)?;
    let mut images = DiskImageStore::open(Rc::clone(&store))?;
    let mut client = client(&reference.registry, args.insecure)?;
    let mut sources = Sources::open(&store);
    let quiet = args.quiet;
    let label = reference
        .digest
        .as_ref()
        .map_or_else(|| reference.manifest_reference(), ToString::to_string);
    let result = stowage_registry::pull(
        &mut client,
        &mut images,
        &mut sources,
        &reference,
        &platform,
        &mut |ev| {
            if quiet {
                return;
            }
            match ev {
                PullEvent::Resolved { .. } => {
                    println!("{label}: Pulling from {}", reference.repository);
                }
                PullEvent::LayerExists(d) => println!("{}: Already exists", short(&d.digest)),
                PullEvent::LayerPulled(d) => println!("{}: Pull complete", short(&d.digest)),
            }
        },
    );
    sources.save();
    let pulled = result?;
    let shown = match (&reference.tag, &reference.digest) {
        (_, Some(d)) => format!("{}@{d}", reference.familiar_name()),
        (Some(t), None) => format!("{}:{t}", reference.familiar_name()),
        (None, None) => reference.familiar_name(),
    };
    if !quiet {
        println!("Digest: {}", pulled.digest);
        if pulled.up_to_date {
            println!("Status: Image is up to date for {shown}");
        } else {
            println!("Status: Downloaded newer image for {shown}");
        }
    }
    println!("{reference}");
    Ok(ExitCode::SUCCESS)
}

#[expect(clippy::print_stdout, reason = "command output")]
#[expect(clippy::print_stderr, reason = "docker's warning about -p")]
pub(crate) fn login_command(args: &LoginArgs) -> Result<ExitCode> {
    let registry = server_name(args.server.as_deref());
    let interactive = std::io::stdin().is_terminal() && !args.password_stdin;
    let username = match args.username.clone().filter(|u| !u.is_empty()) {
        Some(u) => u,
        None if interactive => prompt("Username: ", true)?,
        None => bail!("a user name is required: pass -u USER"),
    };
    if username.is_empty() {
        bail!("a user name is required");
    }
    let password = match (&args.password, args.password_stdin) {
        (Some(_), true) => bail!("--password and --password-stdin are mutually exclusive"),
        (Some(p), false) => {
            eprintln!("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
            p.clone()
        }
        (None, true) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading the password from standard input")?;
            text.trim_end_matches(['\n', '\r']).to_owned()
        }
        (None, false) if interactive => prompt("Password: ", false)?,
        (None, false) => {
            bail!("a password is required: pass --password-stdin and write it to standard input");
        }
    };
    if password.is_empty() {
        bail!("the password is empty");
    }
    let creds = Credentials { username, password };
    let mut client = Client::new(
        &registry,
        &options(&registry, args.insecure),
        Some(creds.clone()),
    )?;
    client
        .ping()
        .with_context(|| format!("login to {registry} failed"))?;
    let mut config = DockerConfig::load_default()?;
    config.set(&registry, &creds);
    config.save()?;
    println!("Login Succeeded");
    Ok(ExitCode::SUCCESS)
}

/// Reads a line from the terminal after `label` (on stderr), without echo for passwords.
#[expect(clippy::print_stderr, reason = "the prompt")]
fn prompt(label: &str, echo: bool) -> Result<String> {
    use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
    eprint!("{label}");
    let _ = std::io::stderr().flush();
    let stdin = std::io::stdin();
    let saved = if echo {
        None
    } else {
        let saved = tcgetattr(&stdin).context("reading the terminal settings")?;
        let mut quiet = saved.clone();
        quiet.local_flags.remove(LocalFlags::ECHO);
        tcsetattr(&stdin, SetArg::TCSANOW, &quiet).context("turning off echo")?;
        Some(saved)
    };
    let mut line = String::new();
    let read = stdin.read_line(&mut line);
    if let Some(saved) = saved {
        let _ = tcsetattr(&stdin, SetArg::TCSANOW, &saved);
        eprintln!();
    }
    read.context("reading from the terminal")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

#[expect(clippy::print_stdout, reason = "command output")]
pub(crate) fn logout_command(server: Option<&str>) -> Result<ExitCode> {
    let registry = server_name(server);
    let mut config = DockerConfig::load_default()?;
    if config.remove(&registry) {
        config.save()?;
        println!("Removing login credentials for {}", auth_key(&registry));
    } else {
        println!("Not logged in to {}", auth_key(&registry));
    }
    Ok(ExitCode::SUCCESS)
}

/// Base images for `stowage build`: the engine looks in the local store first; a missing
/// image whose reference names its registry (`127.0.0.1:5000/base:1`, `ghcr.io/o/r`) is
/// pulled (progress on stderr) and handed to the engine, which records it in the store.
pub(crate) struct PullingResolver {
    store: Rc<Store>,
}

impl PullingResolver {
    pub(crate) fn new(store: Rc<Store>) -> Self {
        Self { store }
    }

    #[expect(clippy::print_stderr, reason = "pull progress during a build")]
    fn pull(&self, reference: &Reference, platform: &str) -> Result<BaseImage> {
        let platform = parse_platform(platform)?;
        let mut images = DiskImageStore::open(Rc::clone(&self.store))?;
        let mut client = client(&reference.registry, false)?;
        let mut sources = Sources::open(&self.store);
        let result = stowage_registry::pull(
            &mut client,
            &mut images,
            &mut sources,
            reference,
            &platform,
            &mut |ev| {
                if let PullEvent::Resolved { manifest } = ev {
                    eprintln!("pulling {reference} ({})", manifest.digest);
                }
            },
        );
        sources.save();
        let pulled = result?;
        let Some(image) = images.get(&pulled.id).cloned() else {
            return Err(images.take_error().map_or_else(
                || anyhow::anyhow!("pulled image {} is not in the store", pulled.id),
                Into::into,
            ));
        };
        let rootfs = Fs::from_layers(image.layers.iter().map(|l| &*l.layer))?;
        Ok(BaseImage {
            reference: reference
                .local_tag()
                .unwrap_or_else(|| reference.familiar_name()),
            digest: image.id.clone(),
            config: image.config,
            layers: image.layers,
            rootfs,
            simulated: false,
        })
    }
}

impl ImageResolver for PullingResolver {
    fn resolve(
        &mut self,
        reference: &str,
        platform: &stowage_syntax::resolve::Platform,
    ) -> Result<BaseImage, ResolveError> {
        let not_found = |hint: String| ResolveError::NotFound {
            reference: reference.to_owned(),
            hint,
        };
        let local_hint = || {
            format!(
                "the base image is not in the local store (`stowage images` lists it; add it \
                 with `stowage pull {reference}`, `stowage load -i image.tar`, or build it)"
            )
        };
        // Only references that name their registry are pulled on the fly; Docker Hub short
        // names (`alpine`) must be pulled explicitly, so a build never reaches the internet
        // by surprise.
        let Ok(parsed) = Reference::parse(reference) else {
            return Err(not_found(local_hint()));
        };
        if !reference.starts_with(&format!("{}/", parsed.registry)) {
            return Err(not_found(local_hint()));
        }
        let platform = if platform.variant.is_empty() {
            format!("{}/{}", platform.os, platform.arch)
        } else {
            format!("{}/{}/{}", platform.os, platform.arch, platform.variant)
        };
        self.pull(&parsed, &platform).map_err(|e| {
            not_found(format!(
                "the base image is not in the local store, and pulling {parsed} failed: {e:#}"
            ))
        })
    }
}
