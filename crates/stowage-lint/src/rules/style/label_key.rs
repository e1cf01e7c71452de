use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::strip_quotes;

crate::declare_rule! {
    /// A LABEL key does not follow Docker's key format.
    ///
    /// ## What it does
    /// Flags LABEL keys that do not start with a lower-case letter, do not end with a lower-case
    /// letter or digit, use characters other than `a-z`, `0-9`, `.`, `-`, `_` and `/`, contain `..`
    /// or `--`, or use the reserved namespaces `com.docker.`, `io.docker.` and
    /// `org.dockerproject.`. Every bad key is reported (hadolint: one finding per LABEL).
    ///
    /// ## Why is this bad?
    /// Docker recommends reverse-DNS, lower-case keys; tools that read labels expect them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL Maintainer=someone
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.example.maintainer=someone
    /// ```
    pub(crate) Dl3048LabelKey {
        code: "DL3048",
        name: "invalid-label-key",
        category: Style,
        level: Style,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3048", Same)],
    }
}

impl Rule for Dl3048LabelKey {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Label]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Label(pairs) = node.kind() else {
            return;
        };
        for kv in pairs {
            let key = strip_quotes(&kv.key.text);
            if !valid_key(key) {
                out.push(
                    Self::META
                        .finding(format!("invalid label key `{key}`"), kv.key.span)
                        .with_help("use lower-case reverse-DNS keys such as `org.example.name`"),
                );
            }
        }
    }
}

fn valid_key(k: &str) -> bool {
    let reserved = ["com.docker.", "io.docker.", "org.dockerproject."]
        .iter()
        .any(|p| k.starts_with(p));
    !reserved
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && k.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '/')
        })
        && !k.contains("..")
        && !k.contains("--")
}
