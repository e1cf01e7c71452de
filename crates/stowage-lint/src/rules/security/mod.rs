//! Rules of this category.

pub(crate) mod last_user_root;
pub(crate) mod sudo;
