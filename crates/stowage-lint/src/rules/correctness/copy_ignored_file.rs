use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use stowage_syntax::dockerignore::{DockerIgnore, clean};

crate::declare_rule! {
    /// COPY or ADD names a file that `.dockerignore` excludes from the context.
    ///
    /// ## What it does
    /// With a `.dockerignore`, flags each COPY/ADD source from the build context (not `--from`,
    /// URLs, heredocs or variables) that the file excludes, with Docker's matching (last match
    /// wins, parent directories count). The note names the deciding line.
    ///
    /// ## Why is this bad?
    /// Excluded files never reach the builder: the COPY fails with "not found", or a wildcard
    /// silently copies less than expected.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY secret.txt /etc/
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY config.txt /etc/
    /// ```
    ///
    /// ## Differences
    /// BuildKit skips the check entirely when `.dockerignore` has `!` exceptions. Stowage still
    /// checks: a source is reported when it is excluded and no exception can re-include anything
    /// below it.
    pub(crate) CopyIgnoredFile {
        code: "SW208",
        name: "copy-ignored-file",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("CopyIgnoredFile", Different)],
    }
}

impl Rule for CopyIgnoredFile {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Copy, Keyword::Add]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(text) = ctx.host.dockerignore else {
            return;
        };
        let (sources, kw) = match node.kind() {
            InstructionKind::Copy(c) if c.from.is_none() => (&c.paths.sources, "Copy"),
            InstructionKind::Add(a) => (&a.paths.sources, "Add"),
            _ => return,
        };
        let ignore = DockerIgnore::parse(text);
        if ignore.is_empty() {
            return;
        }
        for src in sources {
            let t = src.text.as_str();
            if t.contains('$') || t.contains("://") || t.starts_with("git@") || t.starts_with("<<")
            {
                continue;
            }
            let path = clean(t.trim_start_matches('/'));
            let Some(pattern) = ignore.deciding_pattern(&path) else {
                continue;
            };
            if pattern.exception || ignore.may_reinclude_below(&path) {
                continue;
            }
            out.push(
                Self::META
                    .finding(
                        format!(
                            "attempting to {kw} file `{path}` that is excluded by .dockerignore"
                        ),
                        src.span,
                    )
                    .with_note(format!(
                        ".dockerignore line {}: `{}`",
                        pattern.line, pattern.text
                    )),
            );
        }
    }
}
