//! The analysis: the page sends the source, a web worker parses and lints it and sends the rows
//! back, so typing never waits for the core. It is one of the requests of the app's one worker
//! ([`crate::build::BuildTask`], `BuildInput::Analyze`): the page runs an instance of it for
//! analysis and another for builds, and downloads one worker binary rather than two.

use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, analyze};

/// What the worker is asked: one version of the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisRequest {
    /// The page's edit counter for `source`; answers for older revisions are dropped.
    pub revision: u64,
    pub source: String,
}

/// What the worker answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisResponse {
    /// The request's revision.
    pub revision: u64,
    pub analysis: Analysis,
    /// How long parse + checks + lint took in the worker, in microseconds (when it has a clock).
    pub took_us: Option<u32>,
}

/// Analyses `request` and times it.
pub fn respond(request: AnalysisRequest) -> AnalysisResponse {
    let AnalysisRequest { revision, source } = request;
    let started = crate::clock::now_ms();
    let analysis = analyze(&source);
    AnalysisResponse {
        revision,
        analysis,
        took_us: crate::clock::elapsed_us(started),
    }
}

#[cfg(test)]
mod tests;
