//! Rules of this category.

pub(crate) mod apk_no_cache;
pub(crate) mod apt_get_recommends;
pub(crate) mod apt_lists_cleanup;
