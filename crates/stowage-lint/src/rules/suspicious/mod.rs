//! Rules of this category.

pub(crate) mod cd;
pub(crate) mod consecutive_run;
pub(crate) mod copy_from_root;
pub(crate) mod curl_and_wget;
pub(crate) mod from_platform_const;
pub(crate) mod from_platform_target;
pub(crate) mod json_args_recommended;
pub(crate) mod ln_bin_sh;
pub(crate) mod pointless_command;
pub(crate) mod redundant_target_platform;
pub(crate) mod unknown_pragma_rule;
