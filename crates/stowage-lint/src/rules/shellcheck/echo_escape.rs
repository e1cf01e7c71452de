use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::shellcheck::helpers::checked_script;
use stowage_shell::Quoting;

crate::declare_rule! {
    /// `echo` is given backslash escapes it may not expand.
    ///
    /// ## What it does
    /// Flags quoted arguments of `echo` (without `-e`) that contain `\n`, `\t` and the other
    /// backslash escapes.
    ///
    /// ## Why is this bad?
    /// Whether `echo` expands `\n` depends on the shell: dash does, bash does not. `printf` behaves
    /// the same everywhere.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN echo "line1\nline2" > /etc/motd
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN printf "line1\nline2\n" > /etc/motd
    /// ```
    ///
    /// ## Differences
    /// Findings are placed at the exact word inside the RUN, and every finding is reported
    /// (hadolint keeps one ShellCheck finding per RUN line and puts it on the RUN's first line).
    pub(crate) Sc2028EchoEscape {
        code: "SC2028",
        name: "echo-escape-sequences",
        category: Shellcheck,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [],
    }
}

impl Rule for Sc2028EchoEscape {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = checked_script(ctx, node) else {
            return;
        };
        for c in script.commands_named("echo") {
            if c.has_flag("e") {
                continue;
            }
            for w in &c.args {
                let escapes = w.parts.iter().any(|p| {
                    matches!(p.quoting, Quoting::Single | Quoting::Double)
                        && p.raw.as_bytes().windows(2).any(|x| {
                            x[0] == b'\\'
                                && matches!(
                                    x[1],
                                    b'a' | b'b' | b'e' | b'f' | b'n' | b'r' | b't' | b'v' | b'0'
                                )
                        })
                });
                if escapes {
                    out.push(
                        Self::META
                            .finding("echo may not expand escape sequences; use printf", w.span)
                            .with_help("write `printf '...\\n'`"),
                    );
                }
            }
        }
    }
}
