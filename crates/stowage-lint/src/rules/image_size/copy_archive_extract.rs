use stowage_diagnostics::{Diagnostic, Span};
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use stowage_shell::Command;

crate::declare_rule! {
    /// A local archive is copied and then extracted by a RUN.
    ///
    /// ## What it does
    /// Flags a COPY of a local archive (`.tar`, `.gz`, `.bz2`, `.xz`, `.tgz`, `.Z`, ...) when a
    /// later RUN of the same stage extracts a file of that name with `tar -x`, `unzip`,
    /// `gunzip`, `unxz`, `zcat` and the like. When the COPY destination is itself an archive
    /// name, that name is what the RUN must mention. Like hadolint, only the last stage (the
    /// image) is checked. The finding is on the COPY source.
    ///
    /// ## Why is this bad?
    /// The archive stays in the COPY layer even after extraction. `ADD` unpacks a local tar archive
    /// in one step and one layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY app.tar.gz /tmp/
    /// RUN tar -xzf /tmp/app.tar.gz -C /opt
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ADD app.tar.gz /opt/
    /// ```
    ///
    /// ## Differences
    /// hadolint only counts `tar` as extracting when a dash flag contains `x`, so it misses the
    /// old-style `tar xzf app.tar.gz`; it also does not know `gzip -d`, `bzip2 -d`, `xz -d`,
    /// `lzma -d` or `lzip -d`. This rule reports those too.
    pub(crate) Dl3010CopyArchiveExtract {
        code: "DL3010",
        name: "archive-copied-then-extracted",
        category: ImageSize,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3010", Different)],
    }
}

impl Rule for Dl3010CopyArchiveExtract {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Copy]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::Copy(c) = node.kind() else {
            return;
        };
        let Some(stage) = node.stage else { return };
        if c.from.is_some() || node.onbuild || !ctx.is_final_stage(stage) {
            return;
        }
        let dest = c.paths.dest.text.as_str();
        // A COPY to an archive name renames the archive: the RUN extracts that name.
        let names: Vec<(&str, Span)> = if is_archive(dest) {
            vec![(dest, c.paths.dest.span)]
        } else {
            c.paths
                .sources
                .iter()
                .filter(|src| is_archive(&src.text) && !src.text.contains("://"))
                .map(|src| (src.text.as_str(), src.span))
                .collect()
        };
        for (t, span) in names {
            let base = basename(t);
            let extracted = ctx
                .stage_nodes(stage)
                .filter(|n| n.index > node.index)
                .any(|n| {
                    n.script.is_some_and(|s| {
                        s.commands.iter().any(|cmd| {
                            extracts(cmd) && cmd.args.iter().any(|w| basename(&w.text) == base)
                        })
                    })
                });
            if extracted {
                out.push(
                    Self::META
                        .finding(
                            format!("use ADD for extracting archives into an image: `{t}` is copied, then extracted"),
                            span,
                        )
                        .with_help("`ADD <archive> <dir>` unpacks a local tar archive itself"),
                );
            }
        }
    }
}

const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
    ".tpz", ".txz", ".xz",
];

fn is_archive(name: &str) -> bool {
    ARCHIVE_EXTENSIONS.iter().any(|e| name.ends_with(e))
}

fn extracts(c: &Command) -> bool {
    match c.name() {
        Some("tar") => {
            c.has_any_flag(&["x", "extract", "get"])
                || c.args
                    .first()
                    .is_some_and(|w| !w.text.starts_with('-') && w.text.contains('x'))
        }
        Some(
            "unzip" | "gunzip" | "bunzip2" | "unxz" | "unlzma" | "uncompress" | "unlz" | "zcat"
            | "gzcat" | "zgz",
        ) => true,
        Some("gzip" | "bzip2" | "xz" | "lzma" | "lzip") => c.has_any_flag(&["d", "decompress"]),
        _ => false,
    }
}

fn basename(path: &str) -> &str {
    let path = crate::rules::helpers::strip_quotes(path);
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}
