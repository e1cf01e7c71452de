//! Helpers shared by the integration tests.

use std::path::Path;

use stowage_build::{
    BuildEvent, BuildRequest, BuildResult, Engine, FixedClock, Host, NoFetcher, SimulatedExecutor,
    SimulatedImages,
};
use stowage_vfs::{Fs, Metadata};

/// The time every test build happens at.
pub(crate) const NOW: i64 = 1_720_000_000;

/// Loads a directory into a filesystem (mtime fixed, `.sh` files executable).
pub(crate) fn load_dir(dir: &Path) -> anyhow::Result<Fs> {
    let mut fs = Fs::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(std::fs::DirEntry::path);
        for e in entries {
            let path = e.path();
            let rel = path.strip_prefix(dir)?.to_string_lossy().replace('\\', "/");
            if e.file_type()?.is_dir() {
                fs.create_dir_all(&rel, &Metadata::dir().with_mtime(1_700_000_000))?;
                stack.push(path);
            } else {
                let mode = if path.extension().is_some_and(|e| e == "sh") {
                    0o755
                } else {
                    0o644
                };
                fs.write_file(
                    &rel,
                    std::fs::read(&path)?,
                    Metadata::new(mode).with_mtime(1_700_000_000),
                )?;
            }
        }
    }
    Ok(fs)
}

/// A build with the simulated host.
pub(crate) struct Sim {
    pub(crate) engine: Engine,
    pub(crate) images: SimulatedImages,
    pub(crate) events: Vec<BuildEvent>,
    /// The clock's time for the next build.
    pub(crate) now: i64,
}

impl Sim {
    pub(crate) fn new() -> Self {
        Self {
            engine: Engine::new(),
            images: SimulatedImages::new(),
            events: Vec::new(),
            now: NOW,
        }
    }

    pub(crate) fn build(&mut self, req: &BuildRequest<'_>) -> BuildResult {
        let mut executor = SimulatedExecutor;
        let mut fetcher = NoFetcher;
        let mut clock = FixedClock {
            unix_seconds: self.now,
            millis: 0,
        };
        self.events.clear();
        let mut host = Host {
            images: &mut self.images,
            executor: &mut executor,
            fetcher: &mut fetcher,
            clock: &mut clock,
            events: &mut self.events,
        };
        self.engine.build(req, &mut host)
    }
}
