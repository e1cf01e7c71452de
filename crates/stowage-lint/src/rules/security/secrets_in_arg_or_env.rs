use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// An ARG or ENV name suggests it holds a secret.
    ///
    /// ## What it does
    /// Flags ARG and ENV names with a word (between `_`) such as `password`, `secret`, `token`, `key`, `auth`, `apikey`, `credential(s)`, `passwd` or `pword`, unless a word is `public`, `file` or `version` (BuildKit's rule).
    ///
    /// ## Why is this bad?
    /// Build arguments and environment variables are stored in the image history and config; use `RUN --mount=type=secret` instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG GITHUB_TOKEN
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN ./fetch.sh
    /// ```
    pub(crate) SecretsUsedInArgOrEnv {
        code: "SW401",
        name: "secrets-used-in-arg-or-env",
        category: Security,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("SecretsUsedInArgOrEnv", Same)],
    }
}

impl Rule for SecretsUsedInArgOrEnv {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Arg, Keyword::Env]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let names: Vec<&stowage_syntax::Word> = match node.kind() {
            InstructionKind::Arg(decls) => decls.iter().map(|d| &d.name).collect(),
            InstructionKind::Env(pairs) => pairs.iter().map(|p| &p.key).collect(),
            _ => return,
        };
        let kw = node.keyword().as_str();
        for name in names {
            let lower = name.text.to_lowercase();
            let words: Vec<&str> = lower.split('_').collect();
            let secret = words.iter().any(|w| {
                matches!(
                    *w,
                    "apikey"
                        | "auth"
                        | "credential"
                        | "credentials"
                        | "key"
                        | "password"
                        | "pword"
                        | "passwd"
                        | "secret"
                        | "token"
                )
            });
            let allowed = words
                .iter()
                .any(|w| matches!(*w, "public" | "file" | "version"));
            if secret && !allowed {
                out.push(
                    Self::META
                        .finding(
                            format!(
                                "do not use ARG or ENV instructions for sensitive data ({kw} `{}`)",
                                name.text
                            ),
                            name.span,
                        )
                        .with_help("use `RUN --mount=type=secret` instead"),
                );
            }
        }
    }
}
