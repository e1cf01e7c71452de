use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::{declared_names, sub_span, var_references};

crate::declare_rule! {
    /// An ENV value refers to a variable the same ENV defines.
    ///
    /// ## What it does
    /// Flags `$X`/`${X}` in an ENV value when `X` is a key of the same ENV instruction and no
    /// earlier ARG or ENV defines it. A key that refers to its own old value (`ENV PATH=/x:$PATH`)
    /// is not flagged. Every reference is reported.
    ///
    /// ## Why is this bad?
    /// All values of one ENV are expanded with the variables from before the instruction, so the
    /// reference does not see the value written next to it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV APP=/opt/app BIN=$APP/bin
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV APP=/opt/app
    /// ENV BIN=$APP/bin
    /// ```
    pub(crate) Dl3044EnvSelfReference {
        code: "DL3044",
        name: "env-references-same-instruction",
        category: Correctness,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3044", Same)],
    }
}

impl Rule for Dl3044EnvSelfReference {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Env]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Env(pairs) = node.kind() else {
            return;
        };
        let declared = declared_names(ctx, node);
        let keys: Vec<&str> = pairs.iter().map(|p| p.key.text.as_str()).collect();
        for p in pairs {
            for (var, start, end) in var_references(&p.value.text) {
                if var != p.key.text && keys.contains(&var) && !declared.iter().any(|d| d == var) {
                    out.push(
                        Self::META
                            .finding(
                                format!("do not refer to `{var}` within the same `ENV` statement where it is defined"),
                                sub_span(ctx, &p.value, start, end),
                            )
                            .with_help("define it in an earlier `ENV`"),
                    );
                }
            }
        }
    }
}
