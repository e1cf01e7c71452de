//! Rules of this category.

pub(crate) mod add_local_files;
pub(crate) mod apt_get_yes;
pub(crate) mod copy_from_self;
pub(crate) mod copy_from_unknown;
pub(crate) mod copy_multiple_sources;
pub(crate) mod copy_relative_before_workdir;
pub(crate) mod dnf_yes;
pub(crate) mod duplicate_stage_alias;
pub(crate) mod duplicate_stage_name;
pub(crate) mod env_self_reference;
pub(crate) mod expose_invalid_format;
pub(crate) mod expose_port_range;
pub(crate) mod instruction_before_from;
pub(crate) mod multiple_cmd;
pub(crate) mod multiple_entrypoint;
pub(crate) mod multiple_healthcheck;
pub(crate) mod multiple_instructions;
pub(crate) mod onbuild_trigger;
pub(crate) mod pipefail;
pub(crate) mod reserved_stage_alias;
pub(crate) mod reserved_stage_name;
pub(crate) mod shell_form_cmd;
pub(crate) mod workdir_absolute;
pub(crate) mod workdir_relative_path;
pub(crate) mod yum_yes;
pub(crate) mod zypper_yes;
