//! Hooks: side effects the components share.

mod lazy_bridge;
mod use_analysis;
mod use_build;
pub(crate) mod use_share;

pub(crate) use use_analysis::use_analysis;
pub(crate) use use_build::use_build;
pub(crate) use use_share::use_share;
