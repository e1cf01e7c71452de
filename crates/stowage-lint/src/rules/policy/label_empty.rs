use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::policy::helpers::labels;

crate::declare_rule! {
    /// A label of the `label-schema` is empty.
    ///
    /// ## What it does
    /// Flags a LABEL that sets a schema label to the empty string.
    ///
    /// ## Why is this bad?
    /// An empty required label satisfies the schema on paper only.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL maintainer=""
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL maintainer="team@example.com"
    /// ```
    ///
    /// ## Options
    /// `label-schema` in `.hadolint.yaml`.
    pub(crate) Dl3051LabelEmpty {
        code: "DL3051",
        name: "label-empty",
        category: Policy,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3051", Same)],
    }
}

impl Rule for Dl3051LabelEmpty {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Label]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        for l in labels(node) {
            if l.value.is_empty() && ctx.config.label_schema.contains_key(l.key) {
                out.push(Self::META.finding(
                    format!("label `{}` is empty", l.key),
                    l.value_span.cover(l.key_span),
                ));
            }
        }
    }
}
