use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::shellcheck::helpers::{all_words, assigned_names, checked_script};
use std::collections::BTreeSet;
use stowage_shell::PartKind;

crate::declare_rule! {
    /// A variable is referenced but never assigned.
    ///
    /// ## What it does
    /// Flags the first reference to a variable with a lower-case letter in its name that the script
    /// never assigns (assignments, `for`, `read`, `export`/`local`/`declare`, `getopts`, `mapfile`,
    /// `printf -v`, `${x:=...}`) and that no ARG or ENV in scope defines. References with a default
    /// (`${x:-d}`, `${x:+y}`, `${x:?}`) are not flagged. All-upper-case names are assumed to come
    /// from the environment, as ShellCheck does.
    ///
    /// ## Why is this bad?
    /// An unassigned variable expands to the empty string; it is usually a typo or a variable set
    /// in another RUN (each RUN is a new shell).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN version=1.2; echo "$verison"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN version=1.2; echo "$version"
    /// ```
    ///
    /// ## Differences
    /// ARG and ENV names in scope (this stage, its base stages and the global ARGs) and the proxy
    /// variables count as assigned, as hadolint does by exporting them. Findings are placed at the
    /// exact word inside the RUN, and every finding is reported (hadolint keeps one ShellCheck
    /// finding per RUN line and puts it on the RUN's first line).
    pub(crate) Sc2154UnassignedVariable {
        code: "SC2154",
        name: "variable-not-assigned",
        category: Shellcheck,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [],
    }
}

impl Rule for Sc2154UnassignedVariable {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = checked_script(ctx, node) else {
            return;
        };
        let mut assigned: Option<BTreeSet<String>> = None;
        let mut reported = BTreeSet::new();
        let loop_words = script.loops.iter().flat_map(|l| l.values.iter().flatten());
        for w in script.commands.iter().flat_map(all_words).chain(loop_words) {
            for p in &w.parts {
                let PartKind::Parameter { name, operator, .. } = &p.kind else {
                    continue;
                };
                let guarded = operator
                    .as_deref()
                    .is_some_and(|op| op.trim_start_matches(':').starts_with(['-', '=', '?', '+']));
                if guarded
                    || !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    || !name.chars().any(|c| c.is_ascii_lowercase())
                    || reported.contains(name)
                {
                    continue;
                }
                let known = assigned.get_or_insert_with(|| assigned_names(ctx, node, script));
                if !known.contains(name) {
                    reported.insert(name.clone());
                    out.push(
                        Self::META
                            .finding(format!("`{name}` is referenced but not assigned"), p.span)
                            .with_note(
                                "each RUN is a new shell: variables of earlier RUNs are gone",
                            ),
                    );
                }
            }
        }
    }
}
