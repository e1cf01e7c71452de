use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

/// Archive extensions ADD unpacks.
const ARCHIVES: [&str; 16] = [
    ".tar", ".tar.gz", ".tgz", ".gz", ".bz2", ".tbz", ".tbz2", ".tb2", ".xz", ".txz", ".lz",
    ".lzma", ".tlz", ".Z", ".tZ", ".zst",
];

crate::declare_rule! {
    /// ADD copies local files or folders.
    ///
    /// ## What it does
    /// Flags ADD sources that are neither http(s) URLs nor archives (by extension).
    ///
    /// ## Why is this bad?
    /// ADD has surprising extras (unpacking, URLs); COPY says exactly what happens.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ADD app/ /app/
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY app/ /app/
    /// ```
    pub(crate) Dl3020AddLocalFiles {
        code: "DL3020",
        name: "add-instead-of-copy",
        category: Correctness,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3020", Same)],
    }
}

impl Rule for Dl3020AddLocalFiles {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Add]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Add(a) = node.kind() else {
            return;
        };
        for src in &a.paths.sources {
            let t = crate::rules::helpers::strip_quotes(&src.text);
            let url =
                t.starts_with("http://") || t.starts_with("https://") || t.starts_with("git@");
            if !url && !ARCHIVES.iter().any(|e| t.ends_with(e)) {
                out.push(
                    Self::META.finding("use COPY instead of ADD for files and folders", src.span),
                );
            }
        }
    }
}
