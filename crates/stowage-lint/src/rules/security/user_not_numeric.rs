use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::is_declared_variable;

crate::declare_rule! {
    /// USER names a user instead of a numeric UID.
    ///
    /// ## What it does
    /// Flags USER whose user part is not numeric, unless it is a variable naming a declared ARG or
    /// ENV. Like hadolint 2.15.1 every USER is checked (a later upstream change limits the rule to
    /// the last USER).
    ///
    /// ## Why is this bad?
    /// Kubernetes' `runAsNonRoot` can only verify numeric UIDs; a name needs `/etc/passwd` of the
    /// image to resolve.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// USER app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// USER 10001:10001
    /// ```
    pub(crate) Dl3066UserNotNumeric {
        code: "DL3066",
        name: "user-name-not-uid",
        category: Security,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3066", Same)],
    }
}

impl Rule for Dl3066UserNotNumeric {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::User]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::User(u) = node.kind() else {
            return;
        };
        let user = u.text.split(':').next().unwrap_or("");
        if user.is_empty()
            || user.chars().all(|c| c.is_ascii_digit())
            || is_declared_variable(ctx, node, user)
        {
            return;
        }
        out.push(
            Self::META
                .finding(
                    format!("use a numeric UID instead of the user name `{user}`"),
                    u.span,
                )
                .with_note("Kubernetes `runAsNonRoot` can only check numeric users"),
        );
    }
}
