use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::config::LabelType;
use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::policy::helpers::{check_values, is_semver};

crate::declare_rule! {
    /// A `semver` label of the `label-schema` is not a valid semantic version.
    ///
    /// ## What it does
    /// Flags LABEL values of schema labels typed `semver` that are not a valid semantic version.
    /// Empty values are left to DL3051.
    ///
    /// ## Why is this bad?
    /// Tools read these labels by type; a malformed value breaks them silently.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL version=v1
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL version=1.4.2
    /// ```
    ///
    /// ## Options
    /// `label-schema` in `.hadolint.yaml` with `version: semver`.
    pub(crate) Dl3056LabelNotSemver {
        code: "DL3056",
        name: "label-not-semver",
        category: Policy,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3056", Same)],
    }
}

impl Rule for Dl3056LabelNotSemver {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Label]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        check_values(
            ctx,
            node,
            LabelType::Semver,
            is_semver,
            |key, value, span| {
                out.push(Self::META.finding(
                    format!("label `{key}` is not a valid semantic version: `{value}`"),
                    span,
                ));
            },
        );
    }
}
