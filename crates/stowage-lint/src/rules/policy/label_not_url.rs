use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::config::LabelType;
use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::policy::helpers::{check_values, is_url};

crate::declare_rule! {
    /// A `url` label of the `label-schema` is not a valid URL.
    ///
    /// ## What it does
    /// Flags LABEL values of schema labels typed `url` that are not a valid URL. Empty values are
    /// left to DL3051.
    ///
    /// ## Why is this bad?
    /// Tools read these labels by type; a malformed value breaks them silently.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL website=example.com
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL website=https://example.com
    /// ```
    ///
    /// ## Options
    /// `label-schema` in `.hadolint.yaml` with `website: url`.
    pub(crate) Dl3052LabelNotUrl {
        code: "DL3052",
        name: "label-not-url",
        category: Policy,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3052", Same)],
    }
}

impl Rule for Dl3052LabelNotUrl {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Label]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        check_values(ctx, node, LabelType::Url, is_url, |key, value, span| {
            out.push(
                Self::META.finding(format!("label `{key}` is not a valid URL: `{value}`"), span),
            );
        });
    }
}
