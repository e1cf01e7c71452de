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
    /// Flags `$X`/`${X}` in an ENV value when `X` is another key of the same ENV instruction
    /// (before or after it) and no earlier ARG or ENV defines it. A key that refers to its own
    /// old value (`ENV PATH=/x:$PATH`) is not flagged, but a key set twice is
    /// (`ENV D=1 D=$D`). Every reference is reported.
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
    ///
    /// ## Differences
    /// hadolint looks for the text `$X` anywhere, so it also flags single-quoted (`'$X'`) and
    /// escaped (`\$X`) references that BuildKit leaves alone; it misses references with an
    /// operator (`${X:-default}`). This rule reads references as BuildKit expands them.
    pub(crate) Dl3044EnvSelfReference {
        code: "DL3044",
        name: "env-references-same-instruction",
        category: Correctness,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3044", Different)],
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
            // The other keys: every key but one occurrence of this pair's own.
            let mut others = keys.clone();
            if let Some(i) = others.iter().position(|k| *k == p.key.text) {
                others.remove(i);
            }
            for (var, start, end) in var_references(&p.value.text) {
                if others.contains(&var) && !declared.iter().any(|d| d == var) {
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
