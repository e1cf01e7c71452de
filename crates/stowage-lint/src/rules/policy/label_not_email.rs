use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::config::LabelType;
use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::policy::helpers::{check_values, is_email};

crate::declare_rule! {
    /// A `email` label of the `label-schema` is not a valid e-mail address.
    ///
    /// ## What it does
    /// Flags LABEL values of schema labels typed `email` that are not a valid e-mail address. Empty
    /// values are left to DL3051.
    ///
    /// ## Why is this bad?
    /// Tools read these labels by type; a malformed value breaks them silently.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL contact=team
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL contact=team@example.com
    /// ```
    ///
    /// ## Options
    /// `label-schema` in `.hadolint.yaml` with `contact: email`.
    pub(crate) Dl3058LabelNotEmail {
        code: "DL3058",
        name: "label-not-email",
        category: Policy,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3058", Same)],
    }
}

impl Rule for Dl3058LabelNotEmail {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Label]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        check_values(ctx, node, LabelType::Email, is_email, |key, value, span| {
            out.push(Self::META.finding(
                format!("label `{key}` is not a valid e-mail address: `{value}`"),
                span,
            ));
        });
    }
}
