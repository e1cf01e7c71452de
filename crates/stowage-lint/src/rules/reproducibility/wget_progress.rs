use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// `wget` without `--progress` fills the build log.
    ///
    /// ## What it does
    /// Flags `wget` without `--progress` and without `-q`, `-nv`, `-o` or `-a` (or their long forms).
    ///
    /// ## Why is this bad?
    /// The default progress bar writes a line per chunk into non-TTY build logs, making them huge.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN wget https://example.com/file.tar.gz
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN wget -q https://example.com/file.tar.gz
    /// ```
    pub(crate) Dl3047WgetProgress {
        code: "DL3047",
        name: "wget-progress",
        category: Reproducibility,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3047", Same)],
    }
}

impl Rule for Dl3047WgetProgress {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            if c.is("wget")
                && !c.has_any_flag(&[
                    "progress",
                    "q",
                    "quiet",
                    "nv",
                    "no-verbose",
                    "o",
                    "output-file",
                    "a",
                    "append-output",
                ])
                && !c.args.iter().any(|w| w.text == "-nv")
            {
                out.push(Self::META.finding("avoid use of wget without progress bar; use `wget --progress=dot:giga <url>` or consider `-q`/`-nv`", c.span));
            }
        }
    }
}
