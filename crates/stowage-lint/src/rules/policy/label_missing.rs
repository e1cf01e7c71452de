use stowage_diagnostics::Diagnostic;

use crate::context::LintContext;
use crate::rule::Rule;
use crate::rules::policy::helpers::stage_label_keys;

crate::declare_rule! {
    /// A label required by `label-schema` is missing.
    ///
    /// ## What it does
    /// With `label-schema` configured, flags every stage that does not set each schema label
    /// (labels of the stages it builds on count). The finding is on the stage's FROM.
    ///
    /// ## Why is this bad?
    /// Organisations rely on labels (owner, source, version) to trace images back to code and
    /// people.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL maintainer="team@example.com"
    /// ```
    ///
    /// ## Options
    /// `label-schema` in `.hadolint.yaml` (`{label: text|url|semver|hash|rfc3339|spdx|email}`), or
    /// `--require-label name:type`.
    pub(crate) Dl3049LabelMissing {
        code: "DL3049",
        name: "label-missing",
        category: Policy,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3049", Same)],
    }
}

impl Rule for Dl3049LabelMissing {
    fn check_file(&self, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
        if ctx.config.label_schema.is_empty() {
            return;
        }
        for stage in &ctx.dockerfile.stages {
            let keys = stage_label_keys(ctx, stage.index);
            let from = &ctx.instructions()[stage.from];
            for required in ctx.config.label_schema.keys() {
                if !keys.iter().any(|k| k == required) {
                    out.push(
                        Self::META
                            .finding(format!("label `{required}` is missing"), from.keyword_span)
                            .with_help(format!("add `LABEL {required}=...` to this stage")),
                    );
                }
            }
        }
    }
}
