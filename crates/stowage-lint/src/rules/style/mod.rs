//! Rules of this category.

pub(crate) mod apt;
pub(crate) mod consistent_instruction_casing;
pub(crate) mod definition_description;
pub(crate) mod expose_proto_casing;
pub(crate) mod from_as_casing;
pub(crate) mod label_key;
pub(crate) mod legacy_key_value_format;
pub(crate) mod stage_name_casing;
