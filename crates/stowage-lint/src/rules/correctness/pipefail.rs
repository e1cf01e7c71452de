use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

use crate::rules::helpers::earlier_in_stage;

crate::declare_rule! {
    /// A RUN pipes commands while the shell does not set `-o pipefail`.
    ///
    /// ## What it does
    /// Flags a RUN with a pipe unless the stage's SHELL is bash, zsh or ash (by basename) with
    ///  `-o pipefail`. A pwsh, powershell or cmd SHELL (or `# hadolint shell=` pragma) disables the
    ///  rule. Like hadolint, the SHELL of a base stage is not inherited.
    ///
    /// ## Why is this bad?
    /// Without pipefail the pipeline's status is the last command's: `wget url | tar x` succeeds
    ///  even when the download fails.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN wget -qO- https://example.com/x.tgz | tar xz
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN wget -qO- https://example.com/x.tgz | tar xz
    /// ```
    ///
    /// ## Differences
    /// The finding is on the first piped command, not on the whole RUN. A SHELL with `-o
    /// pipefail` in any flag form (`-eo pipefail`, `-o pipefail`) counts. Pipes inside a
    /// literal `sh -c '...'` script count too; hadolint cannot see into the quoted string. Like
    /// hadolint, a SHELL set in a base stage is not inherited (hadolint #406).
    pub(crate) Dl4006Pipefail {
        code: "DL4006",
        name: "pipe-without-pipefail",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL4006", Different)],
    }
}

impl Rule for Dl4006Pipefail {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        if !script.has_pipe() || node.instruction.kind.keyword() != Keyword::Run {
            return;
        }
        let mut ok = false;
        for earlier in earlier_in_stage(ctx, node) {
            if let InstructionKind::Shell(words) = earlier.kind() {
                let exe = words.first().map_or("", |w| w.text.as_str());
                let base = exe.rsplit(['/', '\\']).next().unwrap_or(exe).to_lowercase();
                if ["pwsh", "powershell", "cmd"]
                    .iter()
                    .any(|s| base.starts_with(s))
                {
                    return;
                }
                let has_pipefail = words
                    .windows(2)
                    .any(|w| w[0].text == "-o" && w[1].text == "pipefail")
                    || words
                        .iter()
                        .any(|w| w.text.starts_with('-') && w.text.contains("pipefail"));
                ok = ["bash", "zsh", "ash"].contains(&base.as_str()) && has_pipefail;
                break;
            }
        }
        if ok {
            return;
        }
        let line = node.instruction.start_line;
        if ctx
            .pragma_shell_before(line)
            .is_some_and(|s| ["pwsh", "powershell", "cmd"].iter().any(|p| s.contains(p)))
        {
            return;
        }
        let pipe = script
            .commands
            .iter()
            .find(|c| c.context.in_pipeline)
            .map_or(node.span(), |c| c.span);
        out.push(
            Self::META
                .finding(
                    "set the SHELL option -o pipefail before RUN with a pipe in it",
                    pipe,
                )
                .with_help(
                    "add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN",
                ),
        );
    }
}
