use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::config::LabelType;
use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::policy::helpers::{check_values, is_rfc3339};

crate::declare_rule! {
    /// A `rfc3339` label of the `label-schema` is not a valid RFC 3339 date.
    ///
    /// ## What it does
    /// Flags LABEL values of schema labels typed `rfc3339` that are not a valid RFC 3339 date.
    /// Empty values are left to DL3051.
    ///
    /// ## Why is this bad?
    /// Tools read these labels by type; a malformed value breaks them silently.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL created=2024-05-01
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL created=2024-05-01T12:00:00Z
    /// ```
    ///
    /// ## Options
    /// `label-schema` in `.hadolint.yaml` with `created: rfc3339`.
    pub(crate) Dl3053LabelNotRfc3339 {
        code: "DL3053",
        name: "label-not-rfc3339",
        category: Policy,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3053", Same)],
    }
}

impl Rule for Dl3053LabelNotRfc3339 {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Label]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        check_values(
            ctx,
            node,
            LabelType::Rfc3339,
            is_rfc3339,
            |key, value, span| {
                out.push(Self::META.finding(
                    format!("label `{key}` is not a valid RFC 3339 date: `{value}`"),
                    span,
                ));
            },
        );
    }
}
