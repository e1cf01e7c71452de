use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use stowage_shell::Command;

crate::declare_rule! {
    /// A local archive is copied and then extracted by a RUN.
    ///
    /// ## What it does
    /// Flags a COPY of a local tar archive (`.tar`, `.gz`, `.bz2`, `.xz`, `.tgz`, `.Z`, ...) when a
    /// later RUN of the same stage extracts a file of that name with `tar -x`, `gunzip`, `unxz` and
    /// the like. The finding is on the COPY source.
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
    pub(crate) Dl3010CopyArchiveExtract {
        code: "DL3010",
        name: "archive-copied-then-extracted",
        category: ImageSize,
        level: Info,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3010", Same)],
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
        if c.from.is_some() || node.onbuild {
            return;
        }
        for src in &c.paths.sources {
            let t = src.text.as_str();
            if !is_archive(t) || t.contains("://") {
                continue;
            }
            let base = t.rsplit('/').next().unwrap_or(t);
            let extracted = ctx
                .stage_nodes(stage)
                .filter(|n| n.index > node.index)
                .any(|n| {
                    n.script.is_some_and(|s| {
                        s.commands.iter().any(|cmd| {
                            extracts(cmd)
                                && cmd
                                    .args
                                    .iter()
                                    .any(|w| w.text.rsplit('/').next() == Some(base))
                        })
                    })
                });
            if extracted {
                out.push(
                    Self::META
                        .finding(
                            format!("use ADD for extracting archives into an image: `{t}` is copied, then extracted"),
                            src.span,
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
        Some("unzip" | "gunzip" | "bunzip2" | "unxz" | "unlzma" | "uncompress" | "unlz") => true,
        Some("gzip" | "bzip2" | "xz" | "lzma" | "lzip") => c.has_any_flag(&["d", "decompress"]),
        _ => false,
    }
}
