//! Rules of this category.

pub(crate) mod ignore_pragma;
