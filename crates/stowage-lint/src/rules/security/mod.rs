//! Rules of this category.

pub(crate) mod last_user_root;
pub(crate) mod secret_name;
pub(crate) mod secrets_in_arg_or_env;
pub(crate) mod sudo;
pub(crate) mod user_not_numeric;
