//! The Dockerfile linter: hadolint's DL rules and BuildKit's build checks over the typed tree.
//!
//! Entry points: [`lint`] (source → [`Finding`]s) and [`lint_dockerfile`] for a tree the
//! caller already parsed. The host passes configuration ([`Config`], the keys of
//! `.hadolint.yaml`, already deserialised) and data ([`HostData`], e.g. `.dockerignore`).
//!
//! - [`rule`]: what a rule is ([`RuleMeta`] via [`declare_rule!`], the [`Rule`] trait).
//! - [`registry`]: every rule, one sorted list ([`RULES`]), and the twins ([`TWINS`]): a
//!   hadolint rule and a BuildKit check that are the same check. When both report on the same
//!   instruction, one finding is kept under the hadolint code, with a note naming the BuildKit
//!   twin (its fix carried over, the more severe level kept); ignoring one twin in the
//!   configuration leaves the other reporting, and an ignore pragma for either code suppresses
//!   the merged finding.
//! - [`context`]: what rules see ([`LintContext`]: the tree, source, line index, config, the
//!   shell model of each RUN, stage usage).
//! - `pragma`: `# hadolint ignore=`, `global`/`stage` scopes, `shell=`, BuildKit's
//!   `# check=` directive, `# stowage: ignore=`.
//! - `rules/<category>/<rule>.rs`: one file per rule.
//!
//! Every finding has an exact span (start and end line and column). Parse errors are
//! reported as `DL1000` and the rest of the file is still linted.
//!
//! Every BuildKit build check is here except `InvalidBaseImagePlatform`, which compares the
//! platform of the *pulled* base image with the requested one: a linter never sees the image,
//! so that check belongs to the build (`stowage build`), not to this crate.
//!
//! This crate is sans-IO and compiles to `wasm32-unknown-unknown`.
#![warn(clippy::disallowed_methods)]

pub mod config;
pub mod context;
mod engine;
mod pragma;
pub mod registry;
pub mod rule;
mod rules;

pub use config::{Config, LabelType, Level, Threshold};
pub use context::{HostData, LintContext, Node};
pub use engine::{Finding, lint, lint_dockerfile};
pub use registry::{METAS, RULES, TWINS, Twin, find, find_meta, twins_of};
pub use rule::{Behaviour, Category, Declared, FixKind, Rule, RuleMeta, RuleSource, Status};
