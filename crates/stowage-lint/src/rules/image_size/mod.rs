//! Rules of this category.

pub(crate) mod apk_no_cache;
pub(crate) mod apt_get_recommends;
pub(crate) mod apt_lists_cleanup;
pub(crate) mod copy_archive_extract;
pub(crate) mod dnf_clean;
pub(crate) mod pip_no_cache_dir;
pub(crate) mod useradd_large_uid;
pub(crate) mod yarn_cache;
pub(crate) mod yum_clean;
pub(crate) mod zypper_clean;
