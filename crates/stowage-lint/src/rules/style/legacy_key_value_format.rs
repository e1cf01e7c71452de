use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::fixes;

crate::declare_rule! {
    /// ENV or LABEL uses the legacy `key value` form.
    ///
    /// ## What it does
    /// Flags `ENV key value` and `LABEL key value` (without `=`).
    ///
    /// ## Why is this bad?
    /// The legacy form sets one variable whose value is the rest of the line, which surprises
    ///  readers (`ENV A 1 B 2` sets `A` to `1 B 2`). It is deprecated.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV PATH /usr/local/bin:$PATH
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV PATH=/usr/local/bin:$PATH
    /// ```
    ///
    /// ## Fix
    /// Rewrites `KEY value` as `KEY=value` (or `KEY="value with blanks"`); not offered when the
    /// value holds a quote or the escape character, whose meaning would change.
    pub(crate) LegacyKeyValueFormat {
        code: "SW704",
        name: "legacy-key-value-format",
        category: Style,
        level: Warning,
        fix: Safe,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("LegacyKeyValueFormat", Same)],
    }
}

impl Rule for LegacyKeyValueFormat {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Env, Keyword::Label]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let (InstructionKind::Env(pairs) | InstructionKind::Label(pairs)) = node.kind() else {
            return;
        };
        let kw = node.keyword().as_str();
        for pair in pairs.iter().filter(|p| p.legacy) {
            let fix = fixes::legacy_key_value(ctx, pair.key.span, pair.value.span);
            out.push(
                Self::META
                    .finding(
                        format!("`{kw} key=value` should be used instead of legacy `{kw} key value` format"),
                        pair.key.span.cover(pair.value.span),
                    )
                    .with_help(format!("write `{kw} {}={}`", pair.key.text, pair.value.text))
                    .with_fix(fix),
            );
        }
    }
}
