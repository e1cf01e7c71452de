//! Rules of this category.

pub(crate) mod unknown_pragma_rule;
