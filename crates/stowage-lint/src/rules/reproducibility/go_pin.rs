use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::packages;

crate::declare_rule! {
    /// A `go install`/`go get`/`go run` package has no version.
    ///
    /// ## What it does
    /// Flags packages of `go install`, `go get` and `go run` written without `@version`, or with
    /// `@latest`/`@none`. Local paths (`./cmd/x`, `/src`, `main.go`) pass; for `go run` only the
    /// package is checked, not its arguments.
    ///
    /// ## Why is this bad?
    /// `@latest` and a missing version resolve to whatever the module proxy serves on build day.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23
    /// RUN go install golang.org/x/tools/gopls@latest
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.23
    /// RUN go install golang.org/x/tools/gopls@v0.16.2
    /// ```
    ///
    /// ## Differences
    /// hadolint flags `go run main.go` (and every argument of `go run`), although a `.go` file
    /// is local source with nothing to pin; this rule only checks the package `go run` runs
    /// and lets `.go` files pass.
    pub(crate) Dl3062GoPin {
        code: "DL3062",
        name: "go-unpinned",
        category: Reproducibility,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3062", Different)],
    }
}

impl Rule for Dl3062GoPin {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in script.commands_named("go") {
            let Some(pkgs) = packages(c, &["install", "get", "run"], VALUE_FLAGS) else {
                continue;
            };
            let limit = if c.subcommand_is(&["run"]) {
                1
            } else {
                usize::MAX
            };
            for w in pkgs.into_iter().take(limit) {
                let t = w.text.as_str();
                if t.starts_with(['.', '/']) || is_go_file(t) {
                    continue;
                }
                let bad = match t.rsplit_once('@') {
                    None => true,
                    Some((_, v)) => v == "latest" || v == "none" || v.is_empty(),
                };
                if bad {
                    out.push(
                        Self::META
                            .finding(format!("pin the version of `{t}`"), w.span)
                            .with_help("write `<package>@<version>`"),
                    );
                }
            }
        }
    }
}

const VALUE_FLAGS: &[&str] = &[
    "o",
    "ldflags",
    "gcflags",
    "tags",
    "mod",
    "modfile",
    "p",
    "C",
    "asmflags",
    "gccgoflags",
    "pkgdir",
    "toolexec",
    "overlay",
    "pgo",
    "exec",
];

#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "Go source files end in lower-case .go"
)]
fn is_go_file(t: &str) -> bool {
    t.ends_with(".go")
}
