use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::shellcheck::helpers::checked_script;
use stowage_shell::{PartKind, Quoting};

crate::declare_rule! {
    /// A `$var` or `$(cmd)` sits inside single quotes.
    ///
    /// ## What it does
    /// Flags single-quoted arguments that contain `$name`, `${`, `$(` or a backquote, for commands
    /// that do not interpret `$` themselves (awk, perl, sed, jq, sh -c, ssh, eval, find, xargs and
    /// the like are exempt).
    ///
    /// ## Why is this bad?
    /// Nothing expands inside single quotes: the command receives the literal `$HOME`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN echo '$HOME is the home'
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN echo "$HOME is the home"
    /// ```
    ///
    /// ## Differences
    /// ShellCheck special-cases `sed` scripts (`$d`, `$p`); here `sed` is exempt as a whole, like
    /// the other commands with their own `$` syntax. Findings are placed at the exact word inside
    /// the RUN, and every finding is reported (hadolint keeps one ShellCheck finding per RUN line
    /// and puts it on the RUN's first line).
    pub(crate) Sc2016SingleQuotedExpansion {
        code: "SC2016",
        name: "expansion-in-single-quotes",
        category: Shellcheck,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [],
    }
}

impl Rule for Sc2016SingleQuotedExpansion {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = checked_script(ctx, node) else {
            return;
        };
        for c in &script.commands {
            let name = c.name().unwrap_or("");
            let base = name.rsplit('/').next().unwrap_or(name);
            if EXEMPT.contains(&base) || base.starts_with("python") {
                continue;
            }
            for w in &c.args {
                let hit = w.parts.iter().find(|p| {
                    p.quoting == Quoting::Single
                        && matches!(p.kind, PartKind::Literal { .. })
                        && looks_like_expansion(&p.raw)
                });
                if hit.is_some() {
                    out.push(
                        Self::META
                            .finding("expressions don't expand in single quotes, use double quotes for that", w.span)
                            .with_help("use double quotes if the value should expand"),
                    );
                }
            }
        }
    }
}

/// Commands whose arguments use `$` themselves.
const EXEMPT: &[&str] = &[
    "awk", "gawk", "mawk", "nawk", "perl", "ruby", "php", "sed", "jq", "yq", "sh", "bash", "dash",
    "ksh", "zsh", "ash", "ssh", "eval", "trap", "alias", "sudo", "su", "docker", "podman", "find",
    "xargs", "rename", "rg", "unset", "git", "envsubst", "expect", "node",
];

fn looks_like_expansion(text: &str) -> bool {
    let b = text.as_bytes();
    b.contains(&b'`')
        || b.windows(2).any(|w| {
            w[0] == b'$' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'_' | b'{' | b'('))
        })
}
