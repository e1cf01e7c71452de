use stowage_diagnostics::Diagnostic;
use stowage_syntax::ast::InstructionKind;

use crate::context::LintContext;
use crate::rule::Rule;

crate::declare_rule! {
    /// A stage has no HEALTHCHECK.
    ///
    /// ## What it does
    /// Flags every stage that has no HEALTHCHECK, neither itself nor through the stages it builds
    /// on. Off by default, like in hadolint; turn it on with an override.
    ///
    /// ## Why is this bad?
    /// Without a health check the orchestrator only knows whether the process runs, not whether it
    /// works.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM nginx:1.27
    /// HEALTHCHECK CMD curl -f http://localhost/ || exit 1
    /// ```
    pub(crate) Dl3057HealthcheckMissing {
        code: "DL3057",
        name: "healthcheck-missing",
        category: Policy,
        level: Ignore,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3057", Same)],
    }
}

impl Rule for Dl3057HealthcheckMissing {
    fn check_file(&self, ctx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
        for stage in &ctx.dockerfile.stages {
            let mut current = Some(stage.index);
            let mut found = false;
            let mut guard = 0;
            while let Some(s) = current {
                if ctx
                    .stage_nodes(s)
                    .any(|n| matches!(n.kind(), InstructionKind::Healthcheck(_)))
                {
                    found = true;
                    break;
                }
                guard += 1;
                current = ctx.parent_stage(s).filter(|_| guard < 64);
            }
            if !found {
                let from = &ctx.instructions()[stage.from];
                out.push(
                    Self::META
                        .finding("HEALTHCHECK instruction missing", from.keyword_span)
                        .with_help(
                            "add `HEALTHCHECK CMD <check>` (or `HEALTHCHECK NONE` to say so)",
                        ),
                );
            }
        }
    }
}
