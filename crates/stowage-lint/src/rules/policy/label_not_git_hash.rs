use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::config::LabelType;
use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::policy::helpers::{check_values, is_git_hash};

crate::declare_rule! {
    /// A `hash` label of the `label-schema` is not a valid git hash.
    ///
    /// ## What it does
    /// Flags LABEL values of schema labels typed `hash` that are not a valid git hash. Empty values
    /// are left to DL3051.
    ///
    /// ## Why is this bad?
    /// Tools read these labels by type; a malformed value breaks them silently.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL revision=main
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL revision=4f3c2a1
    /// ```
    ///
    /// ## Options
    /// `label-schema` in `.hadolint.yaml` with `revision: hash`.
    pub(crate) Dl3055LabelNotHash {
        code: "DL3055",
        name: "label-not-git-hash",
        category: Policy,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3055", Same)],
    }
}

impl Rule for Dl3055LabelNotHash {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Label]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        check_values(
            ctx,
            node,
            LabelType::Hash,
            is_git_hash,
            |key, value, span| {
                out.push(Self::META.finding(
                    format!("label `{key}` is not a valid git hash: `{value}`"),
                    span,
                ));
            },
        );
    }
}
