//! Rules of this category.

pub(crate) mod empty_continuation;
pub(crate) mod parse_error;
pub(crate) mod shell_syntax_error;
pub(crate) mod syntax_warning;
