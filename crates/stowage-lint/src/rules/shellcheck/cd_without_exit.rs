use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::shellcheck::helpers::{checked_script, has_errexit};
use stowage_shell::{Connective, Nesting};

crate::declare_rule! {
    /// `cd` is not followed by `|| exit` in case it fails.
    ///
    /// ## What it does
    /// Flags `cd`, `pushd` and `popd` whose failure nothing handles: not followed by `&&`/`||` in
    /// their list, not `cd ..`, and the script does not `set -e`.
    ///
    /// ## Why is this bad?
    /// When `cd` fails the following commands run in the wrong directory, for example `cd /build;
    /// rm -rf *`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN cd /src; make
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN cd /src && make
    /// ```
    ///
    /// ## Differences
    /// A `cd` inside an `if` or `while` (condition or body) is not flagged, since the model does
    /// not tell the two apart; ShellCheck flags one in a body. Findings are placed at the exact
    /// word inside the RUN, and every finding is reported (hadolint keeps one ShellCheck finding
    /// per RUN line and puts it on the RUN's first line).
    pub(crate) Sc2164CdWithoutExit {
        code: "SC2164",
        name: "cd-without-exit",
        category: Shellcheck,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [],
    }
}

impl Rule for Sc2164CdWithoutExit {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = checked_script(ctx, node) else {
            return;
        };
        if has_errexit(script) {
            return;
        }
        for (i, c) in script.commands.iter().enumerate() {
            let Some(name) = c.name().filter(|n| matches!(*n, "cd" | "pushd" | "popd")) else {
                continue;
            };
            let ctxt = &c.context;
            if (name != "cd" && c.has_flag("n"))
                || c.args.len() == 1 && c.args[0].text == ".."
                || ctxt.is_inside(Nesting::If)
                || ctxt.is_inside(Nesting::While)
            {
                continue;
            }
            let depth = ctxt.nesting.len();
            let handled = script.commands[i + 1..]
                .iter()
                .find(|n| n.context.nesting.len() <= depth)
                .is_some_and(|n| {
                    n.context.nesting == ctxt.nesting
                        && matches!(n.context.connective, Connective::And | Connective::Or)
                });
            if !handled {
                out.push(
                    Self::META
                        .finding(
                            format!("use `{name} ... || exit` in case {name} fails"),
                            c.span,
                        )
                        .with_help("append `|| exit`, or chain the next command with `&&`"),
                );
            }
        }
    }
}
