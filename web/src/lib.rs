//! The Stowage playground: a Dockerfile editor that shows, as you type, what the parser and
//! the linter make of the file. Everything runs in the browser; the core crates do the work,
//! this crate draws. Two binaries share this library: `stowage-web` mounts [`App`], and
//! `worker` registers [`AnalysisTask`], the web worker that runs [`analysis::analyze`];
//! `build-worker` registers [`BuildTask`], the web worker that keeps a simulated build engine.

pub mod analysis;
mod app;
pub mod build;
mod clock;
mod components;
pub mod editor_js;
mod hooks;
mod state;
pub mod worker;

pub use app::App;
pub use build::BuildTask;
pub use worker::AnalysisTask;
