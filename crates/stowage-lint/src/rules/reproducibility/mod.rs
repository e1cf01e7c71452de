//! Rules of this category.

pub(crate) mod apk_pin;
pub(crate) mod apt_get_pin;
pub(crate) mod dnf_pin;
pub(crate) mod from_latest;
pub(crate) mod from_platform;
pub(crate) mod from_untagged;
pub(crate) mod gem_pin;
pub(crate) mod go_pin;
pub(crate) mod npm_pin;
pub(crate) mod pip_pin;
pub(crate) mod wget_progress;
pub(crate) mod yum_pin;
pub(crate) mod zypper_dist_upgrade;
pub(crate) mod zypper_pin;
