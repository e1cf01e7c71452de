//! The Stowage playground: a Dockerfile editor that shows, as you type, what the parser and
//! the linter make of the file. Everything runs in the browser; the core crates do the work,
//! this crate draws. Two binaries share this library: `stowage-web` mounts [`App`], and
//! `build-worker` registers [`BuildTask`], the app's one web worker: the page runs an instance
//! of it that parses and lints ([`analysis::analyze`]) and another that keeps a simulated build
//! engine, so one worker binary is downloaded.

pub mod analysis;
mod app;
pub mod build;
mod clock;
mod components;
mod context_tree;
mod disk;
mod download;
pub mod editor_js;
pub mod examples;
pub mod explore;
mod hooks;
pub mod import;
mod state;
pub mod worker;

pub use app::App;
pub use build::BuildTask;
