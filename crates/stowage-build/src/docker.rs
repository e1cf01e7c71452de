//! The engine API shaped like the docker commands: build, images, history, inspect, tag,
//! rmi, image prune, commit, save and load, with docker's column layout.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;
use stowage_oci::archive::{self, ArchiveFormat, ArchiveImage};
use stowage_oci::image::Image;
use stowage_oci::layer::{Compression, ReadOptions, TarOptions, encode_layer};
use stowage_oci::{Digest, History, ImageConfig, MemoryBlobStore, json};
use stowage_syntax::Dockerfile;
use stowage_vfs::{Fs, Layer};

use crate::context::ContextView;
use crate::engine::{BuildRequest, BuildResult, Builder, codes, layer_ref};
use crate::events::BuildEvent;
use crate::host::{
    BaseImage, CacheStore, Host, ImageStore, LayerRef, MemoryCacheStore, MemoryImageStore,
    StoredImage,
};

/// Why an image command failed; the message is docker's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// No such image.
    #[error("Error response from daemon: No such image: {0}")]
    NoSuchImage(String),
    /// `rmi` refused.
    #[error("Error response from daemon: conflict: unable to delete {id} ({force}) - {reason}")]
    Conflict {
        /// Short image ID.
        id: String,
        /// `must be forced` or `cannot be forced`.
        force: &'static str,
        /// Why.
        reason: String,
    },
    /// A bad reference or argument.
    #[error("Error response from daemon: {0}")]
    Invalid(String),
    /// Save/load failed.
    #[error("{0}")]
    Archive(String),
}

/// The engine: a local image store and a build cache.
#[derive(Debug, Default)]
pub struct Engine<I: ImageStore = MemoryImageStore, C: CacheStore = MemoryCacheStore> {
    /// The images (`docker images`).
    pub images: I,
    /// The build cache.
    pub cache: C,
    /// Images used by containers (`rmi` refuses them unless forced).
    pub in_use: BTreeSet<Digest>,
}

/// `name:tag` with `latest` when the tag is missing (digest references kept).
pub fn normalize_tag(reference: &str) -> String {
    let r = reference
        .trim_start_matches("docker.io/library/")
        .trim_start_matches("docker.io/");
    let (name, tag) = archive::split_tag(r);
    format!("{name}:{tag}")
}

/// The image ID of a config: SHA-256 of its JSON.
pub fn config_id(config: &ImageConfig) -> Digest {
    Digest::sha256(&json::to_vec(config).unwrap_or_default())
}

/// Docker's `units.HumanSizeWithPrecision(size, 3)`: decimal units, 3 significant digits.
pub fn human_size(size: u64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    #[expect(
        clippy::cast_precision_loss,
        reason = "shown with 3 significant digits"
    )]
    let mut v = size as f64;
    let mut i = 0;
    while v >= 1000.0 && i + 1 < UNITS.len() {
        v /= 1000.0;
        i += 1;
    }
    format!("{}{}", go_g3(v), UNITS[i])
}

/// Go's `%.3g` for a non-negative number below 1000.
fn go_g3(v: f64) -> String {
    if v == 0.0 {
        return "0".to_owned();
    }
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{v:.digits$}");
    // %g drops trailing zeros; rounding may reach 1000 (shown as 1e+03 by Go).
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "1000" { "1e+03".to_owned() } else { s }
}

/// Docker's `units.HumanDuration`.
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let hours = s / 3600;
    if s < 1 {
        "Less than a second".to_owned()
    } else if s == 1 {
        "1 second".to_owned()
    } else if s < 60 {
        format!("{s} seconds")
    } else if s / 60 == 1 {
        "About a minute".to_owned()
    } else if s / 60 < 60 {
        format!("{} minutes", s / 60)
    } else if hours == 1 {
        "About an hour".to_owned()
    } else if hours < 48 {
        format!("{hours} hours")
    } else if hours < 24 * 7 * 2 {
        format!("{} days", hours / 24)
    } else if hours < 24 * 30 * 2 {
        format!("{} weeks", hours / 24 / 7)
    } else if hours < 24 * 365 * 2 {
        format!("{} months", hours / 24 / 30)
    } else {
        format!("{} years", hours / 24 / 365)
    }
}

/// Go's `tabwriter` as the docker CLI configures it (min width 10, padding 3); the last
/// column is not padded.
pub fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                let w = (widths[i] + 3).max(10);
                let _ = write!(line, "{c:<w$}");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn short(id: &Digest) -> String {
    id.encoded()[..12].to_owned()
}

/// One row of `docker images`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageRow {
    /// Repository or `<none>`.
    pub repository: String,
    /// Tag or `<none>`.
    pub tag: String,
    /// Full image ID.
    pub id: String,
    /// Seconds since the epoch.
    pub created: i64,
    /// Size in bytes.
    pub size: u64,
    /// Whether it is a simulated base image.
    pub simulated: bool,
}

/// One row of `docker history`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryRow {
    /// Short image ID or `<missing>`.
    pub image: String,
    /// RFC 3339 creation time.
    pub created: Option<String>,
    /// The step.
    pub created_by: String,
    /// Layer size (0 for empty layers).
    pub size: u64,
    /// Comment.
    pub comment: String,
}

/// Options of `docker commit`.
#[derive(Clone, Debug, Default)]
pub struct CommitOptions {
    /// `-m`.
    pub message: String,
    /// `-a`.
    pub author: String,
    /// Repository and tag to give the new image.
    pub tag: Option<String>,
    /// The command the container ran (the history's `created_by`).
    pub container_command: String,
}

pub(crate) fn parse_time(rfc: Option<&str>) -> i64 {
    // `YYYY-MM-DDTHH:MM:SSZ` back to seconds (days from civil).
    let Some(s) = rfc else { return 0 };
    let num = |a: usize, b: usize| s.get(a..b).and_then(|x| x.parse::<i64>().ok()).unwrap_or(0);
    let (y, m, d) = (num(0, 4), num(5, 7), num(8, 10));
    let (hh, mm, ss) = (num(11, 13), num(14, 16), num(17, 19));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + hh * 3600 + mm * 60 + ss
}

impl Engine<MemoryImageStore, MemoryCacheStore> {
    /// An engine with an empty in-memory store and cache.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<I: ImageStore, C: CacheStore> Engine<I, C> {
    /// An engine over the given stores.
    pub fn with_stores(images: I, cache: C) -> Self {
        Self {
            images,
            cache,
            in_use: BTreeSet::new(),
        }
    }

    /// `docker build`.
    pub fn build(&mut self, req: &BuildRequest<'_>, host: &mut Host<'_>) -> BuildResult {
        let df = Dockerfile::parse(req.dockerfile);
        if df.has_errors() {
            let mut result = BuildResult::default();
            for d in df.all_diagnostics() {
                if d.severity == stowage_diagnostics::Severity::Error {
                    let mut d = d.clone();
                    d.code = codes::DOCKERFILE;
                    result.diagnostics.push(d);
                }
            }
            return result;
        }
        let ctx = ContextView::new(req.context, &req.dockerfile_path);
        let (files, bytes) = ctx.stats();
        host.events.event(&BuildEvent::Context { files, bytes });
        let epoch = req
            .source_date_epoch
            .unwrap_or_else(|| host.clock.unix_seconds());
        let (mut result, out, pulled) = {
            let builder = Builder::new(host, &mut self.cache, &self.images, req, &df, &ctx);
            builder.run_with_pulls()
        };
        for img in pulled {
            self.store_base(&img);
        }
        if let Some((mut config, layers)) = out {
            // The image is as old as its newest history entry, so a rebuild that hits the
            // cache everywhere gives the same config and the same image ID.
            let epoch = match req.source_date_epoch {
                Some(e) => e,
                None => config
                    .history
                    .iter()
                    .filter_map(|h| h.created.as_deref())
                    .map(|c| parse_time(Some(c)))
                    .max()
                    .unwrap_or(epoch),
            };
            config.created = Some(stowage_oci::config::rfc3339(epoch));
            config.rootfs.diff_ids = layers.iter().map(|l| l.diff_id.clone()).collect();
            let id = config_id(&config);
            self.images.put(StoredImage {
                id: id.clone(),
                config,
                layers,
                created: epoch,
                simulated: false,
            });
            for t in &req.tags {
                self.images.set_tag(&normalize_tag(t), id.clone());
            }
            host.events.event(&BuildEvent::Exported {
                id: id.to_string(),
                tags: req.tags.iter().map(|t| normalize_tag(t)).collect(),
            });
            result.image = Some(id.to_string());
        }
        result
    }

    /// Records a base image in the store, as a pull would.
    pub fn store_base(&mut self, img: &BaseImage) {
        let id = config_id(&img.config);
        if self.images.get(&id).is_none() {
            self.images.put(StoredImage {
                id: id.clone(),
                config: img.config.clone(),
                layers: img.layers.clone(),
                created: parse_time(img.config.created.as_deref()),
                simulated: img.simulated,
            });
        }
        let tag = normalize_tag(&img.reference);
        if !self.images.tags().iter().any(|(t, _)| *t == tag) {
            self.images.set_tag(&tag, id);
        }
    }

    /// Finds an image by tag, full or short ID (with or without `sha256:`).
    pub fn find(&self, reference: &str) -> Result<Digest, EngineError> {
        let tag = normalize_tag(reference);
        if let Some((_, id)) = self.images.tags().into_iter().find(|(t, _)| *t == tag) {
            return Ok(id);
        }
        let hex = reference.trim_start_matches("sha256:");
        if hex.len() >= 4 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            let hits: Vec<Digest> = self
                .images
                .ids()
                .into_iter()
                .filter(|id| id.encoded().starts_with(hex))
                .collect();
            if let [one] = hits.as_slice() {
                return Ok(one.clone());
            }
        }
        Err(EngineError::NoSuchImage(reference.to_owned()))
    }

    /// The rows of `docker images` (`all`: include dangling intermediate images too — the
    /// store keeps none, so it only matters for parity), newest first.
    pub fn image_rows(&self) -> Vec<ImageRow> {
        let tags = self.images.tags();
        let mut rows = Vec::new();
        for id in self.images.ids() {
            let Some(img) = self.images.get(&id) else {
                continue;
            };
            let names: Vec<&String> = tags
                .iter()
                .filter(|(_, d)| *d == id)
                .map(|(t, _)| t)
                .collect();
            let mk = |repo: &str, tag: &str| ImageRow {
                repository: repo.to_owned(),
                tag: tag.to_owned(),
                id: id.to_string(),
                created: img.created,
                size: img.size(),
                simulated: img.simulated,
            };
            if names.is_empty() {
                rows.push(mk("<none>", "<none>"));
            }
            for n in names {
                let (repo, tag) = archive::split_tag(n);
                rows.push(mk(repo, tag));
            }
        }
        rows.sort_by(|a, b| {
            b.created
                .cmp(&a.created)
                .then(a.repository.cmp(&b.repository))
                .then(a.tag.cmp(&b.tag))
        });
        rows
    }

    /// `docker images` as text; `now` is the host's time in seconds.
    pub fn images_table(&self, now: i64) -> String {
        let mut rows = vec![vec![
            "REPOSITORY".into(),
            "TAG".into(),
            "IMAGE ID".into(),
            "CREATED".into(),
            "SIZE".into(),
        ]];
        for r in self.image_rows() {
            let id = r.id.trim_start_matches("sha256:")[..12].to_owned();
            rows.push(vec![
                r.repository,
                r.tag,
                id,
                format!("{} ago", human_duration(now - r.created)),
                human_size(r.size),
            ]);
        }
        table(&rows)
    }

    /// The rows of `docker history`, newest first.
    pub fn history_rows(&self, reference: &str) -> Result<Vec<HistoryRow>, EngineError> {
        let id = self.find(reference)?;
        let img = self
            .images
            .get(&id)
            .ok_or_else(|| EngineError::NoSuchImage(reference.to_owned()))?;
        let layer_of = img.config.history_layers();
        // Which history prefixes are other local images (shown by ID instead of <missing>).
        let mut known: BTreeMap<usize, Digest> = BTreeMap::new();
        for other in self.images.ids() {
            if other == id {
                continue;
            }
            if let Some(o) = self.images.get(&other) {
                let n = o.config.history.len();
                if n > 0
                    && n <= img.config.history.len()
                    && o.config.history[..] == img.config.history[..n]
                {
                    known.insert(n - 1, other);
                }
            }
        }
        let last = img.config.history.len().saturating_sub(1);
        let mut rows = Vec::new();
        for (i, h) in img.config.history.iter().enumerate().rev() {
            let image = if i == last {
                short(&id)
            } else if let Some(o) = known.get(&i) {
                short(o)
            } else {
                "<missing>".to_owned()
            };
            let size = layer_of[i]
                .and_then(|l| img.layers.get(l))
                .map_or(0, |l| l.size);
            rows.push(HistoryRow {
                image,
                created: h.created.clone(),
                created_by: h.created_by.clone().unwrap_or_default(),
                size,
                comment: h.comment.clone().unwrap_or_default(),
            });
        }
        Ok(rows)
    }

    /// `docker history` as text (`no_trunc`: full CREATED BY).
    pub fn history_table(
        &self,
        reference: &str,
        now: i64,
        no_trunc: bool,
    ) -> Result<String, EngineError> {
        let mut rows = vec![vec![
            "IMAGE".into(),
            "CREATED".into(),
            "CREATED BY".into(),
            "SIZE".into(),
            "COMMENT".into(),
        ]];
        for r in self.history_rows(reference)? {
            let created = r.created.as_deref().map_or_else(
                || "N/A".to_owned(),
                |c| format!("{} ago", human_duration(now - parse_time(Some(c)))),
            );
            let by = if no_trunc || r.created_by.chars().count() <= 45 {
                r.created_by.clone()
            } else {
                format!("{}…", r.created_by.chars().take(44).collect::<String>())
            };
            rows.push(vec![r.image, created, by, human_size(r.size), r.comment]);
        }
        Ok(table(&rows))
    }

    /// `docker inspect` of an image: Docker's JSON (an array of one object).
    pub fn inspect(&self, reference: &str) -> Result<serde_json::Value, EngineError> {
        let id = self.find(reference)?;
        let img = self
            .images
            .get(&id)
            .ok_or_else(|| EngineError::NoSuchImage(reference.to_owned()))?;
        let tags: Vec<String> = self
            .images
            .tags()
            .into_iter()
            .filter(|(_, d)| *d == id)
            .map(|(t, _)| t)
            .collect();
        let config = serde_json::to_value(&img.config.config).unwrap_or_default();
        let layers: Vec<String> = img.layers.iter().map(|l| l.diff_id.to_string()).collect();
        Ok(serde_json::json!([{
            "Id": id.to_string(),
            "RepoTags": tags,
            "RepoDigests": [],
            "Parent": "",
            "Comment": "buildkit.dockerfile.v0",
            "Created": img.config.created.clone().unwrap_or_default(),
            "DockerVersion": "",
            "Author": img.config.author.clone().unwrap_or_default(),
            "Config": config,
            "Architecture": img.config.architecture,
            "Os": img.config.os,
            "Size": img.size(),
            "GraphDriver": {"Data": null, "Name": "overlayfs"},
            "RootFS": {"Type": "layers", "Layers": layers},
            "Metadata": {"LastTagTime": "0001-01-01T00:00:00Z"},
        }]))
    }

    /// `docker tag SOURCE TARGET`.
    pub fn tag(&mut self, source: &str, target: &str) -> Result<(), EngineError> {
        let id = self.find(source)?;
        if target.contains(char::is_uppercase) {
            return Err(EngineError::Invalid(format!(
                "invalid reference format: repository name ({target}) must be lowercase"
            )));
        }
        self.images.set_tag(&normalize_tag(target), id);
        Ok(())
    }

    fn children(&self, id: &Digest) -> Vec<Digest> {
        let Some(img) = self.images.get(id) else {
            return Vec::new();
        };
        let n = img.config.history.len();
        self.images
            .ids()
            .into_iter()
            .filter(|o| o != id)
            .filter(|o| {
                self.images.get(o).is_some_and(|x| {
                    !x.simulated
                        && x.config.history.len() > n
                        && x.config.history[..n] == img.config.history[..]
                        && x.layers.len() >= img.layers.len()
                        && x.layers[..img.layers.len()]
                            .iter()
                            .zip(&img.layers)
                            .all(|(a, b)| a.diff_id == b.diff_id)
                })
            })
            .collect()
    }

    /// `docker rmi [-f] IMAGE`: returns docker's output lines (`Untagged: …`, `Deleted: …`).
    pub fn rmi(&mut self, reference: &str, force: bool) -> Result<Vec<String>, EngineError> {
        let id = self.find(reference)?;
        let tag = normalize_tag(reference);
        let tags: Vec<String> = self
            .images
            .tags()
            .into_iter()
            .filter(|(_, d)| *d == id)
            .map(|(t, _)| t)
            .collect();
        let by_tag = tags.contains(&tag);
        let mut out = Vec::new();
        if self.in_use.contains(&id) && !force {
            return Err(EngineError::Conflict {
                id: short(&id),
                force: "must be forced",
                reason: "image is being used by a container".to_owned(),
            });
        }
        if by_tag && tags.len() > 1 {
            self.images.remove_tag(&tag);
            out.push(format!("Untagged: {tag}"));
            return Ok(out);
        }
        if !by_tag && tags.len() > 1 && !force {
            return Err(EngineError::Conflict {
                id: short(&id),
                force: "must be forced",
                reason: "image is referenced in multiple repositories".to_owned(),
            });
        }
        if !self.children(&id).is_empty() {
            return Err(EngineError::Conflict {
                id: short(&id),
                force: "cannot be forced",
                reason: "image has dependent child images".to_owned(),
            });
        }
        for t in tags {
            self.images.remove_tag(&t);
            out.push(format!("Untagged: {t}"));
        }
        self.images.remove(&id);
        self.in_use.remove(&id);
        out.push(format!("Deleted: {id}"));
        Ok(out)
    }

    /// `docker image prune [-a]`: removes dangling images (untagged), or with `all` every
    /// image no container uses. Returns docker's report.
    pub fn prune(&mut self, all: bool) -> String {
        let tags = self.images.tags();
        let mut deleted = Vec::new();
        let mut reclaimed = 0;
        loop {
            let candidates: Vec<Digest> = self
                .images
                .ids()
                .into_iter()
                .filter(|id| !self.in_use.contains(id))
                .filter(|id| all || !tags.iter().any(|(_, d)| d == id))
                .filter(|id| self.children(id).is_empty())
                .collect();
            if candidates.is_empty() {
                break;
            }
            for id in candidates {
                for (t, d) in self.images.tags() {
                    if d == id {
                        self.images.remove_tag(&t);
                        deleted.push(format!("untagged: {t}"));
                    }
                }
                if let Some(img) = self.images.remove(&id) {
                    reclaimed += img.size();
                }
                deleted.push(format!("deleted: {id}"));
            }
        }
        let mut out = String::new();
        if !deleted.is_empty() {
            out.push_str("Deleted Images:\n");
            for d in &deleted {
                let _ = writeln!(out, "{d}");
            }
            out.push('\n');
        }
        let _ = writeln!(out, "Total reclaimed space: {}", human_size(reclaimed));
        out
    }

    /// `docker commit`: a new image from `base` plus the changes in `fs` (the container's
    /// filesystem). Returns the new image ID.
    pub fn commit(
        &mut self,
        base: &str,
        fs: &Fs,
        opts: &CommitOptions,
        now: i64,
    ) -> Result<Digest, EngineError> {
        let id = self.find(base)?;
        let img = self
            .images
            .get(&id)
            .cloned()
            .ok_or_else(|| EngineError::NoSuchImage(base.to_owned()))?;
        let before = Fs::from_layers(img.layers.iter().map(|l| &*l.layer))
            .map_err(|e| EngineError::Invalid(e.to_string()))?;
        let layer = Layer::diff(&before, fs);
        let lref = layer_ref(layer, &TarOptions::default()).map_err(EngineError::Invalid)?;
        let mut config = img.config.clone();
        config.created = Some(stowage_oci::config::rfc3339(now));
        if !opts.author.is_empty() {
            config.author = Some(opts.author.clone());
        }
        config.history.push(History {
            created: config.created.clone(),
            created_by: Some(opts.container_command.clone()),
            author: (!opts.author.is_empty()).then(|| opts.author.clone()),
            comment: (!opts.message.is_empty()).then(|| opts.message.clone()),
            empty_layer: false,
        });
        let mut layers = img.layers;
        layers.push(lref);
        config.rootfs.diff_ids = layers.iter().map(|l| l.diff_id.clone()).collect();
        let new_id = config_id(&config);
        self.images.put(StoredImage {
            id: new_id.clone(),
            config,
            layers,
            created: now,
            simulated: false,
        });
        if let Some(t) = &opts.tag {
            self.images.set_tag(&normalize_tag(t), new_id.clone());
        }
        Ok(new_id)
    }

    /// `docker save`: a docker-archive (Docker ≥ 25 shape by default) of the images.
    pub fn save(
        &self,
        references: &[&str],
        format: ArchiveFormat,
        compression: Compression,
    ) -> Result<Vec<u8>, EngineError> {
        let mut store = MemoryBlobStore::new();
        let mut images = Vec::new();
        for r in references {
            let id = self.find(r)?;
            let img = self
                .images
                .get(&id)
                .ok_or_else(|| EngineError::NoSuchImage((*r).to_owned()))?;
            let mut encoded = Vec::new();
            for l in &img.layers {
                encoded.push(
                    encode_layer(&l.layer, &TarOptions::default(), compression)
                        .map_err(|e| EngineError::Archive(e.to_string()))?,
                );
            }
            let image = Image::assemble(&mut store, img.config.clone(), &encoded, BTreeMap::new())
                .map_err(|e| EngineError::Archive(e.to_string()))?;
            let tags: Vec<String> = if r.contains(':') || !r.chars().all(|c| c.is_ascii_hexdigit())
            {
                vec![normalize_tag(r)]
            } else {
                Vec::new()
            };
            images.push((image, tags));
        }
        let refs: Vec<ArchiveImage<'_>> = images
            .iter()
            .map(|(image, tags)| ArchiveImage {
                image,
                repo_tags: tags.clone(),
            })
            .collect();
        let mut out = Vec::new();
        archive::write_docker_archive(&store, &refs, format, &mut out)
            .map_err(|e| EngineError::Archive(e.to_string()))?;
        Ok(out)
    }

    /// `docker load`: reads a docker-archive (either shape); returns docker's output lines.
    pub fn load(&mut self, bytes: &[u8], now: i64) -> Result<Vec<String>, EngineError> {
        let mut store = MemoryBlobStore::new();
        let loaded = archive::read_docker_archive(bytes, &mut store, &ReadOptions::default())
            .map_err(|e| EngineError::Archive(e.to_string()))?;
        let mut out = Vec::new();
        for l in loaded {
            let layers = l
                .image
                .layers(&store, &ReadOptions::default())
                .map_err(|e| EngineError::Archive(e.to_string()))?;
            let refs: Vec<LayerRef> = layers
                .into_iter()
                .map(|d| {
                    let size = d.layer.size();
                    LayerRef {
                        layer: Arc::new(d.layer),
                        diff_id: d.diff_id,
                        size,
                    }
                })
                .collect();
            let id = config_id(&l.image.config);
            let created = l
                .image
                .config
                .created
                .as_deref()
                .map_or(now, |c| parse_time(Some(c)));
            self.images.put(StoredImage {
                id: id.clone(),
                config: l.image.config.clone(),
                layers: refs,
                created,
                simulated: false,
            });
            if l.repo_tags.is_empty() {
                out.push(format!("Loaded image ID: {id}"));
            }
            for t in l.repo_tags {
                let t = normalize_tag(&t);
                self.images.set_tag(&t, id.clone());
                out.push(format!("Loaded image: {t}"));
            }
        }
        Ok(out)
    }

    /// The root filesystem of an image (for a file browser or a container).
    pub fn rootfs(&self, reference: &str) -> Result<Fs, EngineError> {
        let id = self.find(reference)?;
        let img = self
            .images
            .get(&id)
            .ok_or_else(|| EngineError::NoSuchImage(reference.to_owned()))?;
        Fs::from_layers(img.layers.iter().map(|l| &*l.layer))
            .map_err(|e| EngineError::Invalid(e.to_string()))
    }

    /// The layers of an image, for dive-style analysis (`stowage_oci::analysis::analyze`).
    pub fn layers(&self, reference: &str) -> Result<Vec<Arc<Layer>>, EngineError> {
        let id = self.find(reference)?;
        let img = self
            .images
            .get(&id)
            .ok_or_else(|| EngineError::NoSuchImage(reference.to_owned()))?;
        Ok(img.layers.iter().map(|l| Arc::clone(&l.layer)).collect())
    }
}
