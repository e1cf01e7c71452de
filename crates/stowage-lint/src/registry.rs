//! The registry: every rule, in one list sorted by code.

use stowage_syntax::Dockerfile;

use crate::rule::{Rule, RuleMeta};
use crate::rules::{
    correctness, deprecated, image_size, policy, reproducibility, security, shellcheck, style,
    suspicious, syntax,
};

/// Declares [`RULES`] and [`METAS`] from one list, so they cannot drift apart.
macro_rules! registry {
    ($($rule:path),* $(,)?) => {
        /// Every rule, sorted by code (the tidy test checks the order).
        pub static RULES: &[&dyn Rule] = &[$(&$rule),*];

        /// Every rule's metadata, in the order of [`RULES`], without the checks: code that only
        /// shows rule pages (the web page) reads this and does not link the rules themselves.
        pub static METAS: &[&RuleMeta] = &[$(&<$rule>::META),*];
    };
}

registry! {
    syntax::parse_error::Dl1000ParseError,
    policy::ignore_pragma::Dl1001IgnorePragma,
    correctness::workdir_absolute::Dl3000WorkdirAbsolute,
    suspicious::pointless_command::Dl3001PointlessCommand,
    security::last_user_root::Dl3002LastUserRoot,
    suspicious::cd::Dl3003Cd,
    security::sudo::Dl3004Sudo,
    reproducibility::from_untagged::Dl3006FromUntagged,
    reproducibility::from_latest::Dl3007FromLatest,
    reproducibility::apt_get_pin::Dl3008AptGetPin,
    image_size::apt_lists_cleanup::Dl3009AptListsCleanup,
    image_size::copy_archive_extract::Dl3010CopyArchiveExtract,
    correctness::expose_port_range::Dl3011ExposePortRange,
    correctness::multiple_healthcheck::Dl3012MultipleHealthcheck,
    reproducibility::pip_pin::Dl3013PipPin,
    correctness::apt_get_yes::Dl3014AptGetYes,
    image_size::apt_get_recommends::Dl3015AptGetRecommends,
    reproducibility::npm_pin::Dl3016NpmPin,
    reproducibility::apk_pin::Dl3018ApkPin,
    image_size::apk_no_cache::Dl3019ApkNoCache,
    correctness::add_local_files::Dl3020AddLocalFiles,
    correctness::copy_multiple_sources::Dl3021CopyMultipleSources,
    correctness::copy_from_unknown::Dl3022CopyFromUnknown,
    correctness::copy_from_self::Dl3023CopyFromSelf,
    correctness::duplicate_stage_alias::Dl3024DuplicateStageAlias,
    correctness::shell_form_cmd::Dl3025ShellFormCmd,
    policy::trusted_registry::Dl3026TrustedRegistry,
    style::apt::Dl3027Apt,
    reproducibility::gem_pin::Dl3028GemPin,
    reproducibility::from_platform::Dl3029FromPlatform,
    correctness::yum_yes::Dl3030YumYes,
    image_size::yum_clean::Dl3032YumClean,
    reproducibility::yum_pin::Dl3033YumPin,
    correctness::zypper_yes::Dl3034ZypperYes,
    reproducibility::zypper_dist_upgrade::Dl3035ZypperDistUpgrade,
    image_size::zypper_clean::Dl3036ZypperClean,
    reproducibility::zypper_pin::Dl3037ZypperPin,
    correctness::dnf_yes::Dl3038DnfYes,
    image_size::dnf_clean::Dl3040DnfClean,
    reproducibility::dnf_pin::Dl3041DnfPin,
    image_size::pip_no_cache_dir::Dl3042PipNoCacheDir,
    correctness::onbuild_trigger::Dl3043OnbuildTrigger,
    correctness::env_self_reference::Dl3044EnvSelfReference,
    correctness::copy_relative_before_workdir::Dl3045CopyRelativeBeforeWorkdir,
    image_size::useradd_large_uid::Dl3046UseraddLargeUid,
    reproducibility::wget_progress::Dl3047WgetProgress,
    style::label_key::Dl3048LabelKey,
    policy::label_missing::Dl3049LabelMissing,
    policy::label_not_in_schema::Dl3050LabelNotInSchema,
    policy::label_empty::Dl3051LabelEmpty,
    policy::label_not_url::Dl3052LabelNotUrl,
    policy::label_not_rfc3339::Dl3053LabelNotRfc3339,
    policy::label_not_spdx::Dl3054LabelNotSpdx,
    policy::label_not_git_hash::Dl3055LabelNotHash,
    policy::label_not_semver::Dl3056LabelNotSemver,
    policy::healthcheck_missing::Dl3057HealthcheckMissing,
    policy::label_not_email::Dl3058LabelNotEmail,
    suspicious::consecutive_run::Dl3059ConsecutiveRun,
    image_size::yarn_cache::Dl3060YarnCache,
    correctness::instruction_before_from::Dl3061InstructionBeforeFrom,
    reproducibility::go_pin::Dl3062GoPin,
    correctness::reserved_stage_alias::Dl3063ReservedStageAlias,
    security::secret_name::Dl3064SecretName,
    suspicious::from_platform_target::Dl3065FromPlatformTarget,
    security::user_not_numeric::Dl3066UserNotNumeric,
    suspicious::copy_from_root::Dl3067CopyFromRoot,
    deprecated::maintainer::Dl4000Maintainer,
    suspicious::curl_and_wget::Dl4001CurlAndWget,
    correctness::multiple_cmd::Dl4003MultipleCmd,
    correctness::multiple_entrypoint::Dl4004MultipleEntrypoint,
    suspicious::ln_bin_sh::Dl4005LnBinSh,
    correctness::pipefail::Dl4006Pipefail,
    shellcheck::parse_error::Sc1073ParseError,
    shellcheck::unterminated_quote::Sc1078UnterminatedQuote,
    shellcheck::single_quoted_expansion::Sc2016SingleQuotedExpansion,
    shellcheck::echo_escape::Sc2028EchoEscape,
    shellcheck::glob_as_option::Sc2035GlobAsOption,
    shellcheck::loop_runs_once::Sc2043LoopRunsOnce,
    shellcheck::unquoted_command_substitution::Sc2046UnquotedCommandSubstitution,
    shellcheck::unquoted_expansion::Sc2086UnquotedExpansion,
    shellcheck::unassigned_variable::Sc2154UnassignedVariable,
    shellcheck::declare_and_assign::Sc2155DeclareAndAssign,
    shellcheck::cd_without_exit::Sc2164CdWithoutExit,
    syntax::syntax_warning::SyntaxWarning,
    syntax::shell_syntax_error::ShellSyntaxError,
    syntax::empty_continuation::EmptyContinuation,
    correctness::duplicate_stage_name::DuplicateStageName,
    correctness::reserved_stage_name::ReservedStageName,
    correctness::undefined_arg_in_from::UndefinedArgInFrom,
    correctness::undefined_var::UndefinedVar,
    correctness::invalid_default_arg_in_from::InvalidDefaultArgInFrom,
    correctness::multiple_instructions::MultipleInstructionsDisallowed,
    correctness::expose_invalid_format::ExposeInvalidFormat,
    correctness::copy_ignored_file::CopyIgnoredFile,
    correctness::workdir_relative_path::WorkdirRelativePath,
    suspicious::unknown_pragma_rule::UnknownPragmaRule,
    suspicious::from_platform_const::FromPlatformFlagConstDisallowed,
    suspicious::redundant_target_platform::RedundantTargetPlatform,
    suspicious::json_args_recommended::JsonArgsRecommended,
    security::secrets_in_arg_or_env::SecretsUsedInArgOrEnv,
    style::stage_name_casing::StageNameCasing,
    style::from_as_casing::FromAsCasing,
    style::consistent_instruction_casing::ConsistentInstructionCasing,
    style::legacy_key_value_format::LegacyKeyValueFormat,
    style::expose_proto_casing::ExposeProtoCasing,
    style::definition_description::InvalidDefinitionDescription,
    deprecated::maintainer_deprecated::MaintainerDeprecated,
}

/// Two rules that are the same check, once as a hadolint rule and once as a BuildKit build
/// check. When both report on the same instruction (overlapping spans), the engine keeps one
/// finding, the hadolint one, because that is the code existing configurations, pragmas and CI
/// use, and notes the BuildKit twin on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Twin {
    /// The hadolint rule (`DL4000`), whose finding is kept.
    pub kept: &'static str,
    /// The BuildKit check (`SW801`), whose finding is folded into the kept one.
    pub folded: &'static str,
}

const fn twin(kept: &'static str, folded: &'static str) -> Twin {
    Twin { kept, folded }
}

/// Every twin pair, sorted (the tidy test checks the order and that `kept` is a hadolint rule
/// and `folded` a BuildKit check). A BuildKit check may twin several hadolint rules:
/// `MultipleInstructionsDisallowed` is DL3012, DL4003 and DL4004 at once.
pub static TWINS: &[Twin] = &[
    twin("DL3000", "SW209"),
    twin("DL3012", "SW206"),
    twin("DL3024", "SW201"),
    twin("DL3025", "SW304"),
    twin("DL3029", "SW302"),
    twin("DL3063", "SW202"),
    twin("DL3064", "SW401"),
    twin("DL3065", "SW303"),
    twin("DL4000", "SW801"),
    twin("DL4003", "SW206"),
    twin("DL4004", "SW206"),
];

/// The codes of the rules that are twins of `code` (either side).
pub fn twins_of(code: &str) -> impl Iterator<Item = &'static str> + '_ {
    TWINS.iter().filter_map(move |t| {
        if t.kept == code {
            Some(t.folded)
        } else if t.folded == code {
            Some(t.kept)
        } else {
            None
        }
    })
}

/// The rule a code, name or upstream name refers to.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().answers_to(id))
}

/// A rule's metadata by code, name or upstream name, through [`METAS`] (no rule code linked).
pub fn find_meta(id: &str) -> Option<&'static RuleMeta> {
    METAS.iter().copied().find(|m| m.answers_to(id))
}

/// The top-level instruction whose span holds `offset`.
pub(crate) fn instruction_at(df: &Dockerfile, offset: u32) -> Option<usize> {
    let i = df
        .instructions
        .partition_point(|ins| ins.span.start <= offset);
    let i = i.checked_sub(1)?;
    (df.instructions[i].span.end >= offset).then_some(i)
}
