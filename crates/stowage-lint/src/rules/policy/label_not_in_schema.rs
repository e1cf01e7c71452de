use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::policy::helpers::labels;

crate::declare_rule! {
    /// A label is not in the `label-schema` while `strict-labels` is on.
    ///
    /// ## What it does
    /// With `strict-labels: true`, flags every LABEL key that the `label-schema` does not list.
    ///
    /// ## Why is this bad?
    /// A strict schema keeps label names consistent across an organisation's images.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL maintainer="team@example.com" colour=blue
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL maintainer="team@example.com"
    /// ```
    ///
    /// ## Options
    /// `strict-labels` and `label-schema` in `.hadolint.yaml` (`--strict-labels`).
    pub(crate) Dl3050LabelNotInSchema {
        code: "DL3050",
        name: "label-not-in-schema",
        category: Policy,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3050", Same)],
    }
}

impl Rule for Dl3050LabelNotInSchema {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Label]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        if !ctx.config.strict_labels {
            return;
        }
        for l in labels(node) {
            if !ctx.config.label_schema.contains_key(l.key) {
                out.push(
                    Self::META
                        .finding(
                            format!("label `{}` is not in the label schema", l.key),
                            l.key_span,
                        )
                        .with_help("add it to `label-schema` or remove it"),
                );
            }
        }
    }
}
