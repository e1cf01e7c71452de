//! Rules of this category.
