//! Build progress, as BuildKit's output shows it: steps starting, cached, printing, finishing.

use serde::Serialize;
use stowage_shell::interp::LogLine;

/// How a step ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// Reused from the cache (`CACHED`).
    Hit,
    /// Executed (a cache miss).
    Miss,
    /// Changes only the image config: nothing to run or cache.
    Config,
    /// Failed; the build stops.
    Failed,
}

impl StepStatus {
    /// `HIT`, `MISS`, `CONFIG`, `FAILED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hit => "HIT",
            Self::Miss => "MISS",
            Self::Config => "CONFIG",
            Self::Failed => "FAILED",
        }
    }
}

/// Identifies a step in events: `[build 2/5] RUN make`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepId {
    /// Stage index.
    pub stage: usize,
    /// Stage name (`stage-N` when unnamed; empty for a single unnamed stage).
    pub stage_name: String,
    /// 1-based position in the stage (FROM is 1).
    pub index: usize,
    /// Steps in the stage.
    pub total: usize,
    /// The instruction (`RUN make`), expanded.
    pub text: String,
}

impl std::fmt::Display for StepId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.stage_name.is_empty() {
            write!(f, "[{}/{}] {}", self.index, self.total, self.text)
        } else {
            write!(
                f,
                "[{} {}/{}] {}",
                self.stage_name, self.index, self.total, self.text
            )
        }
    }
}

/// One thing that happened during a build.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum BuildEvent {
    /// The build context was read (files after `.dockerignore`).
    Context {
        /// Files sent.
        files: usize,
        /// Their total size.
        bytes: u64,
    },
    /// A step began.
    StepStarted {
        /// The step.
        step: StepId,
    },
    /// A step was found in the cache.
    StepCached {
        /// The step.
        step: StepId,
    },
    /// A line of output.
    Log {
        /// The step.
        step: StepId,
        /// The line.
        line: LogLine,
    },
    /// A step ended.
    StepFinished {
        /// The step.
        step: StepId,
        /// How it ended.
        status: StepStatus,
        /// Host-clock milliseconds it took.
        duration_ms: u64,
        /// Milliseconds the simulated command would have taken.
        simulated_ms: u64,
    },
    /// The image was written.
    Exported {
        /// Image ID.
        id: String,
        /// Tags given to it.
        tags: Vec<String>,
    },
}
