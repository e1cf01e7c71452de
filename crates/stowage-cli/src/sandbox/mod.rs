//! The real RUN executor: the stage's root filesystem is written to a scratch directory
//! (see [`scratch`]), the command runs there in new mount, PID, UTS and IPC namespaces (and
//! a network namespace for `--network=none`), chrooted, with `/proc`, a minimal `/dev`,
//! `/etc/resolv.conf` and `/etc/hosts` mounted in, as the image's user, environment and
//! working directory; its output is streamed; then its changes are read back into the
//! stage's filesystem.
//!
//! As root, the written tree is the lower layer of an overlay mount and the command runs on
//! the mount, so its changes are exactly the upper directory ([`rootfs::read_upper`]): what
//! a RUN costs after it ran is what it changed, not the size of the image. Without root, or
//! where overlayfs cannot be mounted, the command runs on the tree itself and every node is
//! compared with its stamp ([`rootfs::read_back`]).
//!
//! No `unsafe`: the namespaces are entered by re-executing this binary. `stowage
//! __sandbox SPEC` unshares the namespaces (a user namespace too when not root, mapping the
//! invoking user to root) and starts `stowage __sandbox-init SPEC`, which is PID 1 of the
//! new PID namespace: it mounts, chroots, drops to the user and `exec`s the command.

mod rootfs;
mod scratch;

use std::collections::BTreeMap;
use std::fs::Permissions;
use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use anyhow::{Context, Result, bail};
use nix::mount::{MsFlags, mount};
use nix::sched::{CloneFlags, unshare};
use nix::unistd::{Gid, Uid, chdir, chroot, setgid, setgroups, sethostname, setuid};
use serde::{Deserialize, Serialize};
use stowage_build::{ExecRequest, ExecResult, Executor, RunCommand, RunMount, RunMountKind};
use stowage_shell::interp::{LogLine, Stream};
use stowage_store::Store;
use stowage_syntax::ast::CacheSharing;
use stowage_vfs::Fs;

use self::rootfs::IdMap;
use crate::host_tree::{HostTree, PendingHostTree};

/// Exit status of the sandbox itself failing (docker's "daemon error" status).
const SANDBOX_FAILED: i32 = 125;
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const HOSTNAME: &str = "buildkitsandbox";

/// What the sandbox processes need, passed as a JSON file.
#[derive(Debug, Serialize, Deserialize)]
struct Spec {
    rootfs: PathBuf,
    argv: Vec<String>,
    env: Vec<(String, String)>,
    cwd: String,
    uid: u32,
    gid: u32,
    no_network: bool,
    /// Not root: enter a user namespace mapping `host_uid`/`host_gid` to root.
    userns: bool,
    host_uid: u32,
    host_gid: u32,
    resolv_conf: PathBuf,
    hosts: PathBuf,
    /// The build's process: the sandbox dies with it (see [`die_with_parent`]).
    #[serde(default)]
    parent: u32,
    /// `RUN --mount`s, in mounting order (parents before what is mounted inside them).
    mounts: Vec<MountSpec>,
    /// An empty directory outside the root: a tmpfs is mounted there in the sandbox and
    /// the secrets are written to it, so they never reach the disk.
    secrets_dir: PathBuf,
    /// Mount an overlay at `rootfs` first.
    #[serde(default)]
    overlay: Option<OverlaySpec>,
}

/// The overlay the command runs on (`rootfs` is its mount point).
#[derive(Debug, Serialize, Deserialize)]
struct OverlaySpec {
    /// The written tree.
    lower: PathBuf,
    /// Receives the changes.
    upper: PathBuf,
    /// overlayfs's own scratch directory (on the upper's filesystem).
    work: PathBuf,
    /// Written, with the reason, when the mount is refused: the build then runs the
    /// command on the tree itself.
    refused: PathBuf,
    /// A data-only layer below `lower` (the build context): `lower`'s metadata-only files
    /// (see `rootfs::write_stub`) show its files' bytes.
    #[serde(default)]
    data: Option<PathBuf>,
    /// A lower layer below `lower` (the build context's parent directory): `lower` is
    /// written over it (see `rootfs::graft`), mounted with `redirect_dir=follow`.
    #[serde(default)]
    below: Option<PathBuf>,
}

/// Where a RUN's changes are read from.
enum Changes {
    /// The overlay's upper directory; `stubs` are kept in case the mount is refused.
    Upper {
        upper: PathBuf,
        stubs: std::collections::BTreeSet<String>,
    },
    /// The tree itself, compared with its stamps.
    Stamped(rootfs::Stamps),
}

/// Whether overlay mounts may be tried (cleared, for the rest of the process, by the first
/// refused one).
static OVERLAY_MOUNTS: AtomicBool = AtomicBool::new(true);

/// Whether overlays may have a data-only layer (Linux 6.5 and later; cleared, for the rest
/// of the process, by the first refused one).
static DATA_LAYERS: AtomicBool = AtomicBool::new(true);

/// Whether the context's parent may be a lower layer (cleared, for the rest of the process,
/// by the first refused mount).
static GRAFTS: AtomicBool = AtomicBool::new(true);

/// The overlay mount of `o` at `target` (`metacopy` off and redirects never created: the
/// upper directory must hold whole files and plain directories for
/// [`rootfs::read_upper`]; a data-only layer, `::` after the lower one, serves only the
/// lower layer's metadata-only files; a layer below, only its redirects and whiteouts).
fn mount_overlay(o: &OverlaySpec, target: &Path) -> Result<()> {
    let (lower, redirects) = match (&o.data, &o.below) {
        (Some(d), _) => (format!("{}::{}", o.lower.display(), d.display()), "off"),
        (None, Some(b)) => (format!("{}:{}", o.lower.display(), b.display()), "follow"),
        (None, None) => (o.lower.display().to_string(), "off"),
    };
    let data = format!(
        "lowerdir={lower},upperdir={},workdir={},redirect_dir={redirects},metacopy=off,index=off",
        o.upper.display(),
        o.work.display()
    );
    mount(
        Some("overlay"),
        target,
        Some("overlay"),
        MsFlags::empty(),
        Some(data.as_str()),
    )
    .context("mounting the overlay")
}

/// Writes `fs` into the overlay's (empty) lower directory, with the sandbox's and `points`'
/// mount stubs, over the build context's parent (`context`) when the kernel allowed that
/// before and it spares most of the context's bytes, else through the context as a
/// data-only layer when allowed, else whole; sets `o`'s layers to match. The changes will
/// be its upper directory.
fn write_lower(
    fs: &Fs,
    o: &mut OverlaySpec,
    context: Option<(&Path, &HostTree)>,
    ids: IdMap,
    points: &[(String, bool)],
) -> Result<Changes> {
    let context = context.filter(|(c, _)| overlay_safe(c));
    o.data = None;
    o.below = None;
    let mut stubs = None;
    if let Some((c, host)) = context
        && let Some(parent) = c.parent()
        && GRAFTS.load(Ordering::Relaxed)
        // Layers must not overlap: the scratch directory is not in the context's parent.
        && !o.lower.starts_with(parent)
        && !o.upper.starts_with(parent)
    {
        stubs = rootfs::materialize_grafted(fs, &o.lower, ids, points, c, host)
            .context("writing the root filesystem")?;
        if stubs.is_some() {
            o.below = Some(parent.to_owned());
        }
    }
    let stubs = if let Some(s) = stubs {
        s
    } else {
        o.data = context
            .filter(|_| DATA_LAYERS.load(Ordering::Relaxed))
            .map(|(c, _)| c.to_path_buf());
        rootfs::materialize(fs, &o.lower, ids, points, o.data.as_deref())
            .context("writing the root filesystem")?
    };
    // The merged root takes its mode, owner and times from the upper directory.
    rootfs::copy_dir_attributes(&o.lower, &o.upper)?;
    Ok(Changes::Upper {
        upper: o.upper.clone(),
        stubs,
    })
}

/// Whether `dir` can go into overlay mount options as it is (`,` and `:` separate them).
fn overlay_safe(dir: &Path) -> bool {
    dir.to_str()
        .is_some_and(|d| !d.contains([',', ':', '\\', '\n']))
}

/// One mount, as the sandbox makes it (targets are absolute paths inside the root).
#[derive(Debug, Serialize, Deserialize)]
enum MountSpec {
    /// A bind mount of a host directory or file (cache directories, bind sources).
    Bind {
        source: PathBuf,
        target: String,
        readonly: bool,
    },
    /// A fresh tmpfs.
    Tmpfs { target: String, size: Option<u64> },
    /// The secret `index` of [`Secrets::files`], as a read-only file.
    Secret {
        index: usize,
        target: String,
        mode: u32,
        uid: u32,
        gid: u32,
    },
}

impl MountSpec {
    fn target(&self) -> &str {
        match self {
            Self::Bind { target, .. }
            | Self::Tmpfs { target, .. }
            | Self::Secret { target, .. } => target,
        }
    }
}

/// Secret values, passed to the sandbox through a pipe (its standard input), never a file.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Secrets {
    files: Vec<Vec<u8>>,
    env: Vec<(String, String)>,
}

/// Receives each output line as the command prints it.
pub(crate) type LineSink = Box<dyn FnMut(Stream, &str)>;

/// Runs RUN for real (see the module docs).
pub(crate) struct RealExecutor {
    store: Rc<Store>,
    on_line: LineSink,
    rootless: bool,
    /// Whether RUN may run on an overlay (`STOWAGE_RUN_OVERLAY=0` says no).
    overlay: bool,
    /// `--secret` values by id.
    secrets: BTreeMap<String, Vec<u8>>,
    /// The build context's directory: on an overlay, its files are the RUN's data-only
    /// layer, so COPY'd files are not copied again to show them to a RUN.
    context_dir: Option<PathBuf>,
    /// Its directories as the context scan saw them.
    context_host: PendingHostTree,
}

impl std::fmt::Debug for RealExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealExecutor")
            .field("rootless", &self.rootless)
            .finish_non_exhaustive()
    }
}

impl RealExecutor {
    pub(crate) fn new(store: Rc<Store>, on_line: LineSink) -> Self {
        Self {
            store,
            on_line,
            rootless: !nix::unistd::geteuid().is_root(),
            overlay: std::env::var_os("STOWAGE_RUN_OVERLAY").is_none_or(|v| v != "0"),
            secrets: BTreeMap::new(),
            context_dir: None,
            context_host: PendingHostTree::default(),
        }
    }

    /// The build context's directory (see [`RealExecutor::context_dir`]) and what the
    /// scan saw of it.
    pub(crate) fn with_context_dir(mut self, dir: PathBuf, host: PendingHostTree) -> Self {
        self.context_dir = Some(dir);
        self.context_host = host;
        self
    }

    /// The values `RUN --mount=type=secret` mounts, by id.
    pub(crate) fn with_secrets(mut self, secrets: BTreeMap<String, Vec<u8>>) -> Self {
        self.secrets = secrets;
        self
    }

    /// The persistent directory of the cache mount `id` under the store
    /// (`cache/run-mounts/<sha256 of id>`), created with `mode`/`uid`/`gid` the first time,
    /// and the lock that `sharing` asks for (held until the RUN ends). `private` when
    /// another build holds it: a fresh directory under `run_dir`, discarded afterwards.
    fn cache_dir(
        &self,
        id: &str,
        sharing: CacheSharing,
        m: &RunMount,
        run_dir: &Path,
    ) -> Result<(PathBuf, Option<std::fs::File>)> {
        let base = self.store.root().join("cache/run-mounts");
        std::fs::create_dir_all(&base).with_context(|| format!("creating {}", base.display()))?;
        let name = stowage_oci::Digest::sha256(id.as_bytes())
            .encoded()
            .to_owned();
        let lock_path = base.join(format!("{name}.lock"));
        let lock = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("opening {}", lock_path.display()))?;
        let prepare = |p: &Path| -> Result<()> {
            std::fs::set_permissions(p, Permissions::from_mode(m.mode.unwrap_or(0o755)))?;
            if !self.rootless {
                std::os::unix::fs::chown(p, Some(m.uid.unwrap_or(0)), Some(m.gid.unwrap_or(0)))?;
            }
            Ok(())
        };
        match sharing {
            CacheSharing::Shared => lock.lock_shared()?,
            CacheSharing::Locked => lock.lock()?,
            CacheSharing::Private => {
                if lock.try_lock().is_err() {
                    let p = run_dir.join(format!("cache-{name}"));
                    std::fs::create_dir(&p)?;
                    prepare(&p)?;
                    return Ok((p, None));
                }
            }
        }
        let path = base.join(&name);
        if std::fs::symlink_metadata(&path).is_err() {
            // Made whole in tmp/ and renamed in: a killed build leaves no half-made cache.
            let fresh = self.store.temp_dir("cache-mount")?;
            prepare(&fresh)?;
            if std::fs::rename(&fresh, &path).is_err() {
                // Another build made it first.
                let _ = std::fs::remove_dir_all(&fresh);
            }
        }
        Ok((path, Some(lock)))
    }

    fn try_run(&mut self, fs: &mut Fs, req: &ExecRequest, log: &mut Vec<LogLine>) -> Result<i32> {
        let argv = match &req.command {
            RunCommand::Shell { shell, script } => {
                let mut a = shell.clone();
                a.push(script.clone());
                a
            }
            RunCommand::Exec(argv) => argv.clone(),
        };
        if argv.is_empty() {
            bail!("RUN has no command");
        }
        let (uid, gid) = resolve_user(fs, &req.user)?;
        if self.rootless && (uid != 0 || gid != 0) {
            bail!(
                "USER {} needs stowage to run as root: without root, RUN maps only your own \
                 user (to root) in its user namespace",
                req.user
            );
        }
        // Mount points, and what cannot be mounted, before anything is written.
        let mut points = Vec::new();
        for m in &req.mounts {
            let dir = match &m.kind {
                RunMountKind::Ssh { .. } => bail!(
                    "RUN --mount=type=ssh is not supported by stowage (no SSH agent forwarding); \
                     use a secret mount for keys instead"
                ),
                RunMountKind::Secret { id, required, .. } if !self.secrets.contains_key(id) => {
                    if *required {
                        bail!(
                            "secret {id} is required but was not provided: pass \
                             `--secret id={id},src=FILE` (or `env=VARIABLE`) to stowage build"
                        );
                    }
                    continue;
                }
                RunMountKind::Secret { .. } => false,
                RunMountKind::Bind { tree, path } => tree
                    .stat(path)
                    .is_ok_and(|e| e.kind() == stowage_vfs::Kind::Dir),
                RunMountKind::Cache { .. } | RunMountKind::Tmpfs { .. } => true,
            };
            if let Some(t) = &m.target {
                points.push((t.clone(), dir));
            }
        }
        let dir = scratch::run_dir(&self.store, fs)?;
        let _cleanup = RemoveOnDrop(dir.clone());
        let root = dir.join("rootfs");
        std::fs::create_dir(&root)?;
        let ids = IdMap {
            rootless: self.rootless,
        };
        let mut overlay = (self.overlay
            && !self.rootless
            && OVERLAY_MOUNTS.load(Ordering::Relaxed)
            && overlay_safe(&dir))
        .then(|| OverlaySpec {
            lower: dir.join("lower"),
            upper: dir.join("upper"),
            work: dir.join("work"),
            refused: dir.join("overlay-refused"),
            data: None,
            below: None,
        });
        // Without an overlay, the tree's stamps tell what the command changed.
        let (context_dir, host) = (self.context_dir.clone(), self.context_host.get());
        let context = context_dir.as_deref().map(|c| (c, &*host));
        let mut changes = if let Some(o) = overlay.as_mut() {
            for d in [&o.lower, &o.upper, &o.work] {
                std::fs::create_dir(d)?;
            }
            write_lower(fs, o, context, ids, &points)?
        } else {
            let stubs = rootfs::materialize(fs, &root, ids, &points, None)
                .context("writing the root filesystem")?;
            Changes::Stamped(rootfs::stamp(&root, stubs)?)
        };
        let mut mounts = Vec::new();
        let mut secrets = Secrets::default();
        // Held until the command ends (cache mounts' `sharing`).
        let mut locks = Vec::new();
        for (i, m) in req.mounts.iter().enumerate() {
            let target = m.target.clone().unwrap_or_default();
            match &m.kind {
                RunMountKind::Cache { id, sharing } => {
                    let (source, lock) = self.cache_dir(id, *sharing, m, &dir)?;
                    locks.extend(lock);
                    mounts.push(MountSpec::Bind {
                        source,
                        target,
                        readonly: m.readonly,
                    });
                }
                RunMountKind::Tmpfs { size } => mounts.push(MountSpec::Tmpfs {
                    target,
                    size: *size,
                }),
                RunMountKind::Bind { tree, path } => {
                    let source = dir.join(format!("mount-{i}"));
                    rootfs::materialize_at(tree, path, &source, ids)
                        .with_context(|| format!("preparing the bind mount at {target}"))?;
                    mounts.push(MountSpec::Bind {
                        source,
                        target,
                        readonly: m.readonly,
                    });
                }
                RunMountKind::Secret { id, env, .. } => {
                    let Some(value) = self.secrets.get(id) else {
                        continue;
                    };
                    if let Some(var) = env {
                        let text = String::from_utf8(value.clone()).map_err(|_| {
                            anyhow::anyhow!("secret {id} is not UTF-8 text: it cannot be {var}")
                        })?;
                        secrets.env.push((var.clone(), text));
                    }
                    if m.target.is_some() {
                        secrets.files.push(value.clone());
                        mounts.push(MountSpec::Secret {
                            index: secrets.files.len() - 1,
                            target,
                            mode: m.mode.unwrap_or(0o400),
                            uid: m.uid.unwrap_or(0),
                            gid: m.gid.unwrap_or(0),
                        });
                    }
                }
                RunMountKind::Ssh { .. } => {}
            }
        }
        // Parents before the mounts inside them.
        mounts.sort_by_key(|m| m.target().matches('/').count());
        let secrets_dir = dir.join("secrets");
        std::fs::create_dir(&secrets_dir)?;
        let cwd = if req.cwd.is_empty() { "/" } else { &req.cwd };
        let mut env: Vec<(String, String)> = req.env.clone();
        if !env.iter().any(|(k, _)| k == "PATH") {
            env.push(("PATH".into(), DEFAULT_PATH.into()));
        }
        if !env.iter().any(|(k, _)| k == "HOSTNAME") {
            env.push(("HOSTNAME".into(), HOSTNAME.into()));
        }
        if !env.iter().any(|(k, _)| k == "HOME") {
            env.push(("HOME".into(), home_of(fs, uid)));
        }
        let resolv_conf = dir.join("resolv.conf");
        let host_resolv = std::fs::read("/etc/resolv.conf").unwrap_or_default();
        std::fs::write(
            &resolv_conf,
            if req.network_disabled {
                Vec::new()
            } else {
                host_resolv
            },
        )?;
        let hosts = dir.join("hosts");
        std::fs::write(
            &hosts,
            format!("127.0.0.1\tlocalhost {HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n"),
        )?;
        let mut spec = Spec {
            rootfs: root.clone(),
            argv,
            env,
            cwd: cwd.to_owned(),
            uid,
            gid,
            no_network: req.network_disabled,
            userns: self.rootless,
            host_uid: nix::unistd::geteuid().as_raw(),
            host_gid: nix::unistd::getegid().as_raw(),
            resolv_conf,
            hosts,
            parent: std::process::id(),
            mounts,
            secrets_dir,
            overlay,
        };
        let payload = serde_json::to_vec(&secrets)?;
        drop(secrets);
        let mut code = self.spawn(&dir, &spec, &payload, log)?;
        while let Some(o) = spec.overlay.as_mut()
            && (o.below.is_some() || o.data.is_some())
            && o.refused.exists()
        {
            // Refused with a layer below or a data-only one (nothing ran; a kernel before
            // 6.5 for the latter?): the tree is written again without it and the next
            // overlay is tried.
            if o.below.is_some() {
                GRAFTS.store(false, Ordering::Relaxed);
            } else {
                DATA_LAYERS.store(false, Ordering::Relaxed);
            }
            std::fs::remove_file(&o.refused)?;
            scratch::remove_tree(&o.lower);
            std::fs::create_dir(&o.lower)?;
            changes = write_lower(fs, o, context, ids, &points)?;
            code = self.spawn(&dir, &spec, &payload, log)?;
        }
        if let Some(o) = spec.overlay.take_if(|o| o.refused.exists()) {
            // The kernel refused the overlay (nothing ran): the command runs on the tree.
            OVERLAY_MOUNTS.store(false, Ordering::Relaxed);
            std::fs::remove_dir(&root)?;
            std::fs::rename(&o.lower, &root)?;
            if let Changes::Upper { stubs, .. } = changes {
                changes = Changes::Stamped(rootfs::stamp(&root, stubs)?);
            }
            code = self.spawn(&dir, &spec, &payload, log)?;
        }
        drop(locks);
        if code == 0 {
            *fs = match &changes {
                Changes::Upper { upper, .. } => {
                    rootfs::read_upper(fs, upper, ids, "trusted.overlay.opaque")
                }
                Changes::Stamped(stamps) => rootfs::read_back(fs, &root, stamps, ids),
            }
            .context("reading the changes back")?;
        }
        Ok(code)
    }

    /// Runs the sandbox for `spec` (written to `dir/spec.json`), its secrets in `payload`,
    /// streaming its output; returns its exit status.
    fn spawn(
        &mut self,
        dir: &Path,
        spec: &Spec,
        payload: &[u8],
        log: &mut Vec<LogLine>,
    ) -> Result<i32> {
        let spec_path = dir.join("spec.json");
        std::fs::write(&spec_path, serde_json::to_vec(spec)?)?;
        let exe = std::env::current_exe().context("finding the stowage binary")?;
        let mut child = Command::new(exe)
            .arg("__sandbox")
            .arg(&spec_path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting the sandbox")?;
        let payload = payload.to_vec();
        let writer = child.stdin.take().map(|mut stdin| {
            std::thread::spawn(move || {
                // The sandbox reads it all before it mounts; it may also fail before that.
                let _ = stdin.write_all(&payload);
            })
        });
        let (tx, rx) = mpsc::channel::<(Stream, String)>();
        let mut readers = Vec::new();
        for (stream, pipe) in [
            (
                Stream::Stdout,
                child
                    .stdout
                    .take()
                    .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
            ),
            (
                Stream::Stderr,
                child
                    .stderr
                    .take()
                    .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
            ),
        ] {
            let Some(pipe) = pipe else { continue };
            let tx = tx.clone();
            readers.push(std::thread::spawn(move || {
                let mut r = BufReader::new(pipe);
                let mut buf = Vec::new();
                while r.read_until(b'\n', &mut buf).is_ok_and(|n| n > 0) {
                    let line = String::from_utf8_lossy(&buf);
                    let _ = tx.send((stream, line.trim_end_matches(['\n', '\r']).to_owned()));
                    buf.clear();
                }
            }));
        }
        drop(tx);
        for (stream, text) in rx {
            (self.on_line)(stream, &text);
            log.push(LogLine { stream, text });
        }
        for r in readers {
            let _ = r.join();
        }
        if let Some(w) = writer {
            let _ = w.join();
        }
        let status = child.wait().context("waiting for the sandbox")?;
        Ok(status
            .code()
            .unwrap_or_else(|| 128 + status.signal().unwrap_or(0)))
    }
}

impl Executor for RealExecutor {
    fn mounts_natively(&self) -> bool {
        true
    }

    fn run(&mut self, fs: &mut Fs, req: &ExecRequest) -> ExecResult {
        let mut log = Vec::new();
        match self.try_run(fs, req, &mut log) {
            Ok(status) => ExecResult {
                status,
                log,
                ..ExecResult::default()
            },
            Err(e) => {
                let text = format!("stowage: RUN could not run: {e:#}");
                (self.on_line)(Stream::Stderr, &text);
                log.push(LogLine {
                    stream: Stream::Stderr,
                    text,
                });
                ExecResult {
                    status: SANDBOX_FAILED,
                    log,
                    ..ExecResult::default()
                }
            }
        }
    }
}

/// `builder prune`: deletes the cache-mount directories no build is using (those whose
/// lock can be taken); returns how many and their size in bytes. Each is renamed into
/// `tmp/` first, so a killed prune leaves no half-deleted cache.
pub(crate) fn prune_cache_mounts(store: &Store) -> Result<(usize, u64)> {
    let base = store.root().join("cache/run-mounts");
    let Ok(entries) = std::fs::read_dir(&base) else {
        return Ok((0, 0));
    };
    let (mut count, mut bytes) = (0, 0);
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "lock") {
            continue;
        }
        let dir = path.with_extension("");
        let lock = std::fs::File::options().write(true).open(&path)?;
        if lock.try_lock().is_err() || std::fs::symlink_metadata(&dir).is_err() {
            continue;
        }
        let doomed = store.temp_dir("pruned-cache")?;
        std::fs::rename(&dir, doomed.join("dir"))?;
        bytes += tree_size(&doomed);
        std::fs::remove_dir_all(&doomed)?;
        count += 1;
    }
    Ok((count, bytes))
}

fn tree_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => tree_size(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    })
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        scratch::remove_tree(&self.0);
    }
}

fn read_text(fs: &Fs, path: &str) -> String {
    fs.read(path)
        .ok()
        .and_then(|c| c.to_vec(4 << 20))
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// `user[:group]` (names or numbers) against the image's `/etc/passwd` and `/etc/group`.
fn resolve_user(fs: &Fs, spec: &str) -> Result<(u32, u32)> {
    if spec.is_empty() {
        return Ok((0, 0));
    }
    let (user, group) = spec.split_once(':').unwrap_or((spec, ""));
    let field = |text: &str, name: &str, i: usize| -> Option<u32> {
        text.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.first() == Some(&name)).then(|| f.get(i)?.parse().ok())?
        })
    };
    let passwd = read_text(fs, "/etc/passwd");
    let (uid, primary) = if let Ok(n) = user.parse::<u32>() {
        let gid = passwd.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.get(2) == Some(&user)).then(|| f.get(3)?.parse().ok())?
        });
        (n, gid.unwrap_or(0))
    } else {
        let uid = field(&passwd, user, 2).with_context(|| {
            format!("unable to find user {user}: no matching entries in passwd file")
        })?;
        (uid, field(&passwd, user, 3).unwrap_or(0))
    };
    let gid = if group.is_empty() {
        primary
    } else if let Ok(n) = group.parse::<u32>() {
        n
    } else {
        field(&read_text(fs, "/etc/group"), group, 2).with_context(|| {
            format!("unable to find group {group}: no matching entries in group file")
        })?
    };
    Ok((uid, gid))
}

fn home_of(fs: &Fs, uid: u32) -> String {
    let passwd = read_text(fs, "/etc/passwd");
    passwd
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.get(2).and_then(|u| u.parse::<u32>().ok()) == Some(uid))
                .then(|| f.get(5).map(|h| (*h).to_owned()))?
        })
        .unwrap_or_else(|| if uid == 0 { "/root".into() } else { "/".into() })
}

fn read_spec(path: &Path) -> Result<Spec> {
    Ok(serde_json::from_slice(&std::fs::read(path)?)?)
}

#[expect(
    clippy::print_stderr,
    reason = "the sandbox reports to the build's output"
)]
fn fail(message: &str) -> ExitCode {
    eprintln!("stowage-sandbox: {message}");
    ExitCode::from(SANDBOX_FAILED as u8)
}

/// What a non-root user needs when the kernel refused a user namespace, by its answer,
/// with the values of the settings that decide it on this machine.
fn userns_help(e: nix::errno::Errno) -> String {
    let setting = |path: &str| {
        std::fs::read_to_string(path)
            .ok()
            .map(|v| format!(" (now {})", v.trim()))
    };
    let named = |name: &str, path: &str| {
        setting(path).map_or_else(String::new, |now| format!(" `{name}`{now};"))
    };
    let cause = match e {
        nix::errno::Errno::ENOSPC => format!(
            "the limit on user namespaces is reached or 0: raise `sysctl \
             user.max_user_namespaces`{} (an enclosing container's limit counts too)",
            setting("/proc/sys/user/max_user_namespaces").unwrap_or_default()
        ),
        nix::errno::Errno::EPERM | nix::errno::Errno::EACCES => format!(
            "unprivileged user namespaces are not allowed here:{}{} set them to 1 and 0; \
             inside a container, its seccomp profile may forbid unshare",
            named(
                "sysctl kernel.unprivileged_userns_clone",
                "/proc/sys/kernel/unprivileged_userns_clone"
            ),
            named(
                "sysctl kernel.apparmor_restrict_unprivileged_userns",
                "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
            ),
        ),
        nix::errno::Errno::EINVAL => {
            "this kernel has no user namespaces (CONFIG_USER_NS)".to_owned()
        }
        _ => "the kernel refused a user namespace".to_owned(),
    };
    format!(
        "Without root, RUN runs in a user namespace that maps your user to root, and {cause}. \
         Or run stowage as root"
    )
}

/// `stowage __sandbox SPEC`: enters the namespaces and runs the init stage in them.
/// Asks the kernel to SIGKILL this process when its parent dies, so a killed build takes
/// its RUN down (and, the init being PID 1 of the sandbox's PID namespace, everything the
/// command started) instead of leaving it writing and holding cache-mount locks. `parent`:
/// the expected parent, when known, to catch one that died before the request.
fn die_with_parent(parent: Option<u32>) -> Result<(), String> {
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
        .map_err(|e| format!("prctl(PR_SET_PDEATHSIG): {e}"))?;
    if let Some(p) = parent
        && p != 0
        && nix::unistd::getppid().as_raw().cast_unsigned() != p
    {
        return Err("the build exited before its RUN started".to_owned());
    }
    Ok(())
}

pub(crate) fn sandbox_main(spec_path: &Path) -> ExitCode {
    let spec = match read_spec(spec_path) {
        Ok(s) => s,
        Err(e) => return fail(&format!("reading {}: {e}", spec_path.display())),
    };
    if let Err(e) = die_with_parent(Some(spec.parent)) {
        return fail(&e);
    }
    let mut flags = CloneFlags::CLONE_NEWNS
        | CloneFlags::CLONE_NEWUTS
        | CloneFlags::CLONE_NEWIPC
        | CloneFlags::CLONE_NEWPID;
    if spec.no_network {
        flags |= CloneFlags::CLONE_NEWNET;
    }
    if spec.userns {
        flags |= CloneFlags::CLONE_NEWUSER;
    }
    if let Err(e) = unshare(flags) {
        return fail(&format!(
            "cannot create namespaces for RUN ({e}). {}",
            if spec.userns {
                userns_help(e)
            } else {
                "Running as root but the kernel refused: inside a container, give it \
                 CAP_SYS_ADMIN (or run stowage on the host)"
                    .to_owned()
            }
        ));
    }
    if spec.userns {
        let maps = [
            ("/proc/self/setgroups", "deny".to_owned()),
            ("/proc/self/uid_map", format!("0 {} 1", spec.host_uid)),
            ("/proc/self/gid_map", format!("0 {} 1", spec.host_gid)),
        ];
        for (file, text) in maps {
            if let Err(e) = std::fs::write(file, text) {
                return fail(&format!("writing {file}: {e}"));
            }
        }
    }
    if let Err(e) = mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    ) {
        return fail(&format!("making mounts private: {e}"));
    }
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return fail(&format!("finding the stowage binary: {e}")),
    };
    match Command::new(exe)
        .arg("__sandbox-init")
        .arg(spec_path)
        .status()
    {
        Ok(status) => {
            let code = status
                .code()
                .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        Err(e) => fail(&format!("starting the init process: {e}")),
    }
}

/// `stowage __sandbox-init SPEC`: PID 1 in the new namespaces. Mounts, chroots, becomes
/// the user and executes the command (so the command is PID 1, as in BuildKit's runc).
pub(crate) fn init_main(spec_path: &Path) -> ExitCode {
    // Its parent is outside the new PID namespace (getppid says 0): nothing to compare.
    if let Err(e) = die_with_parent(None) {
        return fail(&e);
    }
    let spec = match read_spec(spec_path) {
        Ok(s) => s,
        Err(e) => return fail(&format!("reading {}: {e}", spec_path.display())),
    };
    let mut payload = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut payload) {
        return fail(&format!("reading the secrets: {e}"));
    }
    let secrets: Secrets = if payload.is_empty() {
        Secrets::default()
    } else {
        match serde_json::from_slice(&payload) {
            Ok(s) => s,
            Err(e) => return fail(&format!("reading the secrets: {e}")),
        }
    };
    drop(payload);
    if let Some(o) = &spec.overlay
        && let Err(e) = mount_overlay(o, &spec.rootfs)
    {
        // Said to the build, not to its output: it runs the command without the overlay.
        let _ = std::fs::write(&o.refused, format!("{e:#}"));
        return ExitCode::from(SANDBOX_FAILED as u8);
    }
    if let Err(e) = setup(&spec, &secrets) {
        return fail(&format!("{e:#}"));
    }
    let mut cmd = Command::new(&spec.argv[0]);
    cmd.args(&spec.argv[1..])
        .stdin(Stdio::null())
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .envs(secrets.env.iter().map(|(k, v)| (k, v)));
    let err = cmd.exec();
    #[expect(clippy::print_stderr, reason = "the command's own error output")]
    {
        eprintln!("stowage-sandbox: exec {}: {err}", spec.argv[0]);
    }
    ExitCode::from(if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    })
}

/// Makes `target` read-only (a bind mount's flags are changed by a remount); a user
/// namespace may refuse unless the locked flags are kept, so that is tried too.
fn remount_readonly(target: &Path) -> Result<()> {
    let ro = MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY;
    mount(None::<&str>, target, None::<&str>, ro, None::<&str>)
        .or_else(|_| {
            mount(
                None::<&str>,
                target,
                None::<&str>,
                ro | MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
                None::<&str>,
            )
        })
        .with_context(|| format!("making {} read-only", target.display()))
}

/// The `RUN --mount`s, under the root, before the chroot.
fn mount_user(spec: &Spec, secrets: &Secrets) -> Result<()> {
    let inside = |t: &str| spec.rootfs.join(t.trim_start_matches('/'));
    if spec
        .mounts
        .iter()
        .any(|m| matches!(m, MountSpec::Secret { .. }))
    {
        mount(
            Some("tmpfs"),
            &spec.secrets_dir,
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            Some("mode=700"),
        )
        .context("mounting a tmpfs for the secrets")?;
    }
    for m in &spec.mounts {
        let target = inside(m.target());
        match m {
            MountSpec::Bind {
                source, readonly, ..
            } => {
                mount(
                    Some(source.as_path()),
                    &target,
                    None::<&str>,
                    MsFlags::MS_BIND | MsFlags::MS_REC,
                    None::<&str>,
                )
                .with_context(|| format!("bind mount at {}", m.target()))?;
                if *readonly {
                    remount_readonly(&target)?;
                }
            }
            MountSpec::Tmpfs { size, .. } => {
                let data = size.map(|s| format!("size={s}"));
                mount(
                    Some("tmpfs"),
                    &target,
                    Some("tmpfs"),
                    MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
                    data.as_deref(),
                )
                .with_context(|| format!("tmpfs mount at {}", m.target()))?;
            }
            MountSpec::Secret {
                index,
                mode,
                uid,
                gid,
                ..
            } => {
                let file = spec.secrets_dir.join(index.to_string());
                let value = secrets.files.get(*index).map_or(&[][..], Vec::as_slice);
                std::fs::write(&file, value).context("writing a secret")?;
                std::fs::set_permissions(&file, Permissions::from_mode(*mode))?;
                let owned = std::os::unix::fs::chown(&file, Some(*uid), Some(*gid));
                if !spec.userns {
                    owned.context("chown of a secret")?;
                }
                mount(
                    Some(file.as_path()),
                    &target,
                    None::<&str>,
                    MsFlags::MS_BIND,
                    None::<&str>,
                )
                .with_context(|| format!("secret mount at {}", m.target()))?;
                remount_readonly(&target)?;
            }
        }
    }
    Ok(())
}

fn setup(spec: &Spec, secrets: &Secrets) -> Result<()> {
    let root = &spec.rootfs;
    let at = |p: &str| root.join(p);
    let m = |src: Option<&str>,
             target: &Path,
             fstype: Option<&str>,
             flags: MsFlags,
             data: Option<&str>| {
        mount(src, target, fstype, flags, data)
            .with_context(|| format!("mounting {}", target.display()))
    };
    let nosuid = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC;
    m(Some("proc"), &at("proc"), Some("proc"), nosuid, None)?;
    m(
        Some("tmpfs"),
        &at("dev"),
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_STRICTATIME,
        Some("mode=755,size=65536k"),
    )?;
    for dev in ["null", "zero", "full", "random", "urandom", "tty"] {
        let target = at("dev").join(dev);
        std::fs::write(&target, b"")?;
        m(
            Some(&format!("/dev/{dev}")),
            &target,
            None,
            MsFlags::MS_BIND,
            None,
        )?;
    }
    for (name, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
        ("ptmx", "pts/ptmx"),
    ] {
        std::os::unix::fs::symlink(target, at("dev").join(name))?;
    }
    std::fs::create_dir(at("dev").join("shm"))?;
    m(
        Some("shm"),
        &at("dev").join("shm"),
        Some("tmpfs"),
        nosuid,
        Some("mode=1777,size=65536k"),
    )?;
    std::fs::create_dir(at("dev").join("pts"))?;
    // devpts may be refused in a user namespace; a build rarely needs a terminal.
    let _ = mount(
        Some("devpts"),
        &at("dev").join("pts"),
        Some("devpts"),
        MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC,
        Some("newinstance,ptmxmode=0666,mode=620"),
    );
    for (src, dest) in [
        (&spec.resolv_conf, "etc/resolv.conf"),
        (&spec.hosts, "etc/hosts"),
    ] {
        let target = at(dest);
        let Some(src) = src.to_str() else {
            bail!("{} is not UTF-8", src.display());
        };
        m(Some(src), &target, None, MsFlags::MS_BIND, None)?;
        // Read-only, as BuildKit mounts them; not every kernel allows the remount.
        let _ = mount(
            None::<&str>,
            &target,
            None::<&str>,
            MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY,
            None::<&str>,
        );
    }
    mount_user(spec, secrets)?;
    sethostname(HOSTNAME).context("setting the hostname")?;
    chroot(root.as_path()).context("chroot")?;
    // A working directory the image lacks is made, as runc makes it (inside the root, so
    // the image's symbolic links cannot lead out of it); it is part of the RUN's layer.
    if std::fs::symlink_metadata(&spec.cwd).is_err() {
        std::fs::create_dir_all(&spec.cwd)
            .with_context(|| format!("creating the working directory {}", spec.cwd))?;
    }
    chdir(spec.cwd.as_str()).with_context(|| format!("chdir to {}", spec.cwd))?;
    if !spec.userns {
        setgroups(&[Gid::from_raw(spec.gid)]).context("setgroups")?;
    }
    setgid(Gid::from_raw(spec.gid)).context("setgid")?;
    setuid(Uid::from_raw(spec.uid)).context("setuid")?;
    Ok(())
}
