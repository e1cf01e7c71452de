//! Hooks: side effects the components share.

mod use_analysis;

pub(crate) use use_analysis::use_analysis;
