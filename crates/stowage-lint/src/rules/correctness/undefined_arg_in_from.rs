use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::{sub_span, suggest, var_references};

crate::declare_rule! {
    /// FROM uses a variable that no global ARG declares.
    ///
    /// ## What it does
    /// Flags `$NAME` in a FROM image or `--platform` value when NAME is neither an ARG declared
    /// before the first FROM nor a predefined platform argument (`TARGETPLATFORM`, `BUILDARCH`,
    /// ...). Suggests a declared name that is close.
    ///
    /// ## Why is this bad?
    /// FROM only sees global ARGs: an undeclared name expands to the empty string and the base
    /// image is not the one meant.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:$VERSION
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ARG VERSION=3.20
    /// FROM alpine:$VERSION
    /// ```
    pub(crate) UndefinedArgInFrom {
        code: "SW203",
        name: "undefined-arg-in-from",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("UndefinedArgInFrom", Same)],
    }
}

impl Rule for UndefinedArgInFrom {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        let mut declared: Vec<String> = stowage_syntax::resolve::BuildArgs::default()
            .platform_args()
            .into_keys()
            .collect();
        for &i in &ctx.dockerfile.meta_args {
            if let InstructionKind::Arg(decls) = &ctx.instructions()[i].kind {
                declared.extend(decls.iter().map(|d| d.name.text.to_string()));
            }
        }
        let words = std::iter::once(&from.image).chain(from.platform.as_ref());
        for word in words {
            for (name, start, end) in var_references(&word.text) {
                if declared.iter().any(|d| d == name) {
                    continue;
                }
                let hint = suggest(name, declared.iter().map(String::as_str))
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                out.push(
                    Self::META
                        .finding(
                            format!("FROM argument `{name}` is not declared{hint}"),
                            sub_span(ctx, word, start, end),
                        )
                        .with_help(format!(
                            "declare `ARG {name}=<default>` before the first FROM"
                        )),
                );
            }
        }
    }
}
