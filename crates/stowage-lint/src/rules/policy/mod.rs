//! Rules of this category.

pub(crate) mod healthcheck_missing;
pub(crate) mod helpers;
pub(crate) mod ignore_pragma;
pub(crate) mod label_empty;
pub(crate) mod label_missing;
pub(crate) mod label_not_email;
pub(crate) mod label_not_git_hash;
pub(crate) mod label_not_in_schema;
pub(crate) mod label_not_rfc3339;
pub(crate) mod label_not_semver;
pub(crate) mod label_not_spdx;
pub(crate) mod label_not_url;
pub(crate) mod trusted_registry;
