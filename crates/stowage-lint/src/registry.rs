//! The registry: every rule, in one list sorted by code.

use stowage_syntax::Dockerfile;

use crate::rule::Rule;
use crate::rules::{
    correctness, deprecated, image_size, policy, reproducibility, security, style, suspicious,
    syntax,
};

/// Every rule, sorted by code (the tidy test checks the order).
pub static RULES: &[&dyn Rule] = &[
    &syntax::parse_error::Dl1000ParseError,
    &policy::ignore_pragma::Dl1001IgnorePragma,
    &correctness::workdir_absolute::Dl3000WorkdirAbsolute,
    &suspicious::pointless_command::Dl3001PointlessCommand,
    &security::last_user_root::Dl3002LastUserRoot,
    &suspicious::cd::Dl3003Cd,
    &security::sudo::Dl3004Sudo,
    &reproducibility::from_untagged::Dl3006FromUntagged,
    &reproducibility::from_latest::Dl3007FromLatest,
    &reproducibility::apt_get_pin::Dl3008AptGetPin,
    &image_size::apt_lists_cleanup::Dl3009AptListsCleanup,
    &correctness::expose_port_range::Dl3011ExposePortRange,
    &correctness::multiple_healthcheck::Dl3012MultipleHealthcheck,
    &correctness::apt_get_yes::Dl3014AptGetYes,
    &image_size::apt_get_recommends::Dl3015AptGetRecommends,
    &reproducibility::apk_pin::Dl3018ApkPin,
    &image_size::apk_no_cache::Dl3019ApkNoCache,
    &correctness::add_local_files::Dl3020AddLocalFiles,
    &correctness::copy_multiple_sources::Dl3021CopyMultipleSources,
    &correctness::copy_from_unknown::Dl3022CopyFromUnknown,
    &correctness::copy_from_self::Dl3023CopyFromSelf,
    &correctness::duplicate_stage_alias::Dl3024DuplicateStageAlias,
    &correctness::shell_form_cmd::Dl3025ShellFormCmd,
    &style::apt::Dl3027Apt,
    &reproducibility::from_platform::Dl3029FromPlatform,
    &correctness::copy_relative_before_workdir::Dl3045CopyRelativeBeforeWorkdir,
    &reproducibility::wget_progress::Dl3047WgetProgress,
    &suspicious::consecutive_run::Dl3059ConsecutiveRun,
    &correctness::instruction_before_from::Dl3061InstructionBeforeFrom,
    &correctness::reserved_stage_alias::Dl3063ReservedStageAlias,
    &deprecated::maintainer::Dl4000Maintainer,
    &correctness::multiple_cmd::Dl4003MultipleCmd,
    &correctness::multiple_entrypoint::Dl4004MultipleEntrypoint,
    &suspicious::ln_bin_sh::Dl4005LnBinSh,
    &correctness::pipefail::Dl4006Pipefail,
    &syntax::syntax_warning::SyntaxWarning,
    &syntax::shell_syntax_error::ShellSyntaxError,
    &syntax::empty_continuation::EmptyContinuation,
    &correctness::duplicate_stage_name::DuplicateStageName,
    &correctness::reserved_stage_name::ReservedStageName,
    &correctness::multiple_instructions::MultipleInstructionsDisallowed,
    &correctness::expose_invalid_format::ExposeInvalidFormat,
    &correctness::workdir_relative_path::WorkdirRelativePath,
    &suspicious::unknown_pragma_rule::UnknownPragmaRule,
    &suspicious::redundant_target_platform::RedundantTargetPlatform,
    &suspicious::json_args_recommended::JsonArgsRecommended,
    &security::secrets_in_arg_or_env::SecretsUsedInArgOrEnv,
    &style::stage_name_casing::StageNameCasing,
    &style::from_as_casing::FromAsCasing,
    &style::legacy_key_value_format::LegacyKeyValueFormat,
    &style::expose_proto_casing::ExposeProtoCasing,
    &deprecated::maintainer_deprecated::MaintainerDeprecated,
];

/// The rule a code, name or upstream name refers to.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().answers_to(id))
}

/// The top-level instruction whose span holds `offset`.
pub(crate) fn instruction_at(df: &Dockerfile, offset: u32) -> Option<usize> {
    let i = df
        .instructions
        .partition_point(|ins| ins.span.start <= offset);
    let i = i.checked_sub(1)?;
    (df.instructions[i].span.end >= offset).then_some(i)
}
