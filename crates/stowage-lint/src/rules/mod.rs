//! One file per rule, grouped by category. `helpers` holds what several rules share.

pub(crate) mod correctness;
pub(crate) mod deprecated;
pub(crate) mod fixes;
pub(crate) mod helpers;
pub(crate) mod image_size;
pub(crate) mod policy;
pub(crate) mod reproducibility;
pub(crate) mod security;
pub(crate) mod shellcheck;
pub(crate) mod style;
pub(crate) mod suspicious;
pub(crate) mod syntax;
