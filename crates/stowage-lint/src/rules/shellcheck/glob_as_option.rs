use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::shellcheck::helpers::checked_script;
use stowage_shell::{PartKind, Quoting};

crate::declare_rule! {
    /// A glob could expand to a file name that starts with a dash.
    ///
    /// ## What it does
    /// Flags an unquoted argument that starts with `*` or `?` (before any `--`), except for `echo`
    /// and `printf`.
    ///
    /// ## Why is this bad?
    /// A file named `-rf` in the directory turns `rm *` into `rm -rf ...`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN rm *.tmp
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN rm ./*.tmp
    /// ```
    ///
    /// ## Differences
    /// Findings are placed at the exact word inside the RUN, and every finding is reported
    /// (hadolint keeps one ShellCheck finding per RUN line and puts it on the RUN's first line).
    pub(crate) Sc2035GlobAsOption {
        code: "SC2035",
        name: "glob-may-be-option",
        category: Shellcheck,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [],
    }
}

impl Rule for Sc2035GlobAsOption {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = checked_script(ctx, node) else {
            return;
        };
        for c in &script.commands {
            if matches!(c.name(), Some("echo" | "printf") | None) {
                continue;
            }
            for w in c
                .args
                .iter()
                .take_while(|w| !matches!(w.text.as_str(), "--" | ":::" | "::::"))
            {
                let glob_first = w.parts.first().is_some_and(|p| {
                    p.quoting == Quoting::Unquoted
                        && matches!(&p.kind, PartKind::Literal { text } if text.starts_with(['*', '?']))
                });
                if glob_first {
                    out.push(
                        Self::META
                            .finding("use ./*glob* or -- *glob* so names with dashes won't become options", w.span)
                            .with_help(format!("write `./{}`", w.raw)),
                    );
                }
            }
        }
    }
}
