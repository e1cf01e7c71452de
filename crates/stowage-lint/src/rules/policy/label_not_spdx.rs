use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::config::LabelType;
use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::policy::helpers::{check_values, is_spdx};

crate::declare_rule! {
    /// A `spdx` label of the `label-schema` is not a valid SPDX license expression.
    ///
    /// ## What it does
    /// Flags LABEL values of schema labels typed `spdx` that are not a valid SPDX license
    /// expression. Empty values are left to DL3051.
    ///
    /// ## Why is this bad?
    /// Tools read these labels by type; a malformed value breaks them silently.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL license="MIT or BSD"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL license="MIT OR BSD-3-Clause"
    /// ```
    ///
    /// ## Options
    /// `label-schema` in `.hadolint.yaml` with `license: spdx`.
    ///
    /// ## Differences
    /// hadolint checks identifiers against the SPDX license list; this rule checks the expression
    /// syntax and the form of each identifier only.
    pub(crate) Dl3054LabelNotSpdx {
        code: "DL3054",
        name: "label-not-spdx",
        category: Policy,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3054", Different)],
    }
}

impl Rule for Dl3054LabelNotSpdx {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Label]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        check_values(ctx, node, LabelType::Spdx, is_spdx, |key, value, span| {
            out.push(Self::META.finding(
                format!("label `{key}` is not a valid SPDX license expression: `{value}`"),
                span,
            ));
        });
    }
}
