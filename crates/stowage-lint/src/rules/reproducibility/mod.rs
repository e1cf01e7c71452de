//! Rules of this category.

pub(crate) mod apk_pin;
pub(crate) mod apt_get_pin;
pub(crate) mod from_latest;
pub(crate) mod from_platform;
pub(crate) mod from_untagged;
pub(crate) mod wget_progress;
