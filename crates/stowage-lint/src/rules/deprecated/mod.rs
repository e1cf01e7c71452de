//! Rules of this category.

pub(crate) mod maintainer;
pub(crate) mod maintainer_deprecated;
