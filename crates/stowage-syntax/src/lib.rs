//! The Dockerfile parser, matching BuildKit's Dockerfile frontend.
//!
//! Three layers, cut where BuildKit cuts them (the conformance data checks each separately):
//!
//! 1. [`parse`]: bytes → [`Parse`], one raw [`Node`] per instruction (BuildKit's `parser`
//!    package): directives, escape character, continuations, comments, heredocs, the exec/shell
//!    form decision, and byte spans for everything. [`dump`] prints BuildKit's `Dump` format.
//! 2. [`Dockerfile::parse`]: nodes → typed [`Instruction`]s grouped in [`Stage`]s, with the
//!    instruction layer's validation (flags, argument counts, `--mount` specs, stage names).
//! 3. [`expand`]: BuildKit's word expansion ([`Lexer`]), and [`resolve`] for build arguments
//!    per stage.
//!
//! Invariant: parsing never fails and never panics. Every function returns a tree plus
//! diagnostics with spans; the tree keeps everything the source said.
//!
//! This crate is sans-IO and compiles to `wasm32-unknown-unknown`.
#![warn(clippy::disallowed_methods)]

pub mod ast;
pub mod dockerignore;
mod dump;
pub mod expand;
pub mod flags;
mod instructions;
mod json;
mod mount;
mod node;
mod parser;
mod quote;
pub mod resolve;
mod suggest;

pub use ast::{Instruction, InstructionKind, Stage, Word};
pub use dump::{dump, dump_node};
pub use expand::{EmptyEnv, Env, ExpandError, Expansion, Lexer};
pub use instructions::{Dockerfile, codes as instruction_codes, parse_go_duration};
pub use node::{Arg, Comment, Directive, Flag, Heredoc, Keyword, Node, Original};
pub use parser::{MAX_LINE_LEN, Parse, codes, parse};
pub use quote::go_quote;
pub use stowage_diagnostics::{Diagnostic, LineCol, LineIndex, Severity, Span};
