//! What a rule sees: the Dockerfile, its source, the configuration, and facts computed once
//! (the shell model of every RUN, stage usage).

use stowage_diagnostics::{LineIndex, Span};
use stowage_shell::{HeredocSource, RunSource, Script};
use stowage_syntax::ast::{CommandLine, Instruction, InstructionKind, Run};
use stowage_syntax::{Dockerfile, Keyword};

use crate::config::Config;

/// Data the host supplies besides the Dockerfile.
#[derive(Debug, Clone, Copy, Default)]
pub struct HostData<'a> {
    /// The build context's `.dockerignore`, if there is one (for `CopyIgnoredFile`).
    pub dockerignore: Option<&'a str>,
}

/// One instruction as a rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct Node<'a> {
    /// The instruction (for an ONBUILD trigger: the trigger itself).
    pub instruction: &'a Instruction,
    /// Index of the top-level instruction in [`Dockerfile::instructions`].
    pub index: usize,
    /// The stage it belongs to (`None` before the first FROM).
    pub stage: Option<usize>,
    /// Whether this is the trigger of an `ONBUILD`.
    pub onbuild: bool,
    /// The shell model of a RUN.
    pub script: Option<&'a Script>,
}

impl<'a> Node<'a> {
    /// The typed instruction.
    pub fn kind(&self) -> &'a InstructionKind {
        &self.instruction.kind
    }

    /// The keyword.
    pub fn keyword(&self) -> Keyword {
        self.instruction.keyword()
    }

    /// The instruction's span (for a trigger: the trigger's span).
    pub fn span(&self) -> Span {
        self.instruction.span
    }
}

/// Everything a rule may look at.
#[derive(Debug)]
pub struct LintContext<'a> {
    /// The source text.
    pub source: &'a str,
    /// The parsed Dockerfile.
    pub dockerfile: &'a Dockerfile,
    /// Line/column lookup.
    pub line_index: &'a LineIndex,
    /// The configuration.
    pub config: &'a Config,
    /// Host-supplied data.
    pub host: HostData<'a>,
    scripts: Vec<Option<Script>>,
    trigger_scripts: Vec<Option<Script>>,
    stage_of: Vec<Option<usize>>,
    used: Vec<bool>,
    pub(crate) pragma_shells: Vec<(u32, String)>,
}

impl<'a> LintContext<'a> {
    /// Computes the shared facts.
    pub fn new(
        source: &'a str,
        dockerfile: &'a Dockerfile,
        line_index: &'a LineIndex,
        config: &'a Config,
        host: HostData<'a>,
    ) -> Self {
        let escape = dockerfile.parse.escape;
        let mut scripts = Vec::with_capacity(dockerfile.instructions.len());
        let mut trigger_scripts = Vec::with_capacity(dockerfile.instructions.len());
        for ins in &dockerfile.instructions {
            scripts.push(match &ins.kind {
                InstructionKind::Run(run) => Some(run_script(source, escape, run)),
                _ => None,
            });
            trigger_scripts.push(match &ins.kind {
                InstructionKind::Onbuild(o) => match o.trigger.as_deref().map(|t| &t.kind) {
                    Some(InstructionKind::Run(run)) => Some(run_script(source, escape, run)),
                    _ => None,
                },
                _ => None,
            });
        }
        let mut stage_of = vec![None; dockerfile.instructions.len()];
        for stage in &dockerfile.stages {
            stage_of[stage.from] = Some(stage.index);
            for &i in &stage.instructions {
                stage_of[i] = Some(stage.index);
            }
        }
        let used = used_stages(dockerfile);
        Self {
            source,
            dockerfile,
            line_index,
            config,
            host,
            scripts,
            trigger_scripts,
            stage_of,
            used,
            pragma_shells: Vec::new(),
        }
    }

    /// All top-level instructions.
    pub fn instructions(&self) -> &'a [Instruction] {
        &self.dockerfile.instructions
    }

    /// The node of top-level instruction `index`.
    pub fn node(&self, index: usize) -> Option<Node<'_>> {
        let instruction = self.dockerfile.instructions.get(index)?;
        Some(Node {
            instruction,
            index,
            stage: self.stage_of[index],
            onbuild: false,
            script: self.scripts[index].as_ref(),
        })
    }

    /// The node of the ONBUILD trigger of instruction `index`.
    pub fn trigger_node(&self, index: usize) -> Option<Node<'_>> {
        let InstructionKind::Onbuild(o) = &self.dockerfile.instructions.get(index)?.kind else {
            return None;
        };
        Some(Node {
            instruction: o.trigger.as_deref()?,
            index,
            stage: self.stage_of[index],
            onbuild: true,
            script: self.trigger_scripts[index].as_ref(),
        })
    }

    /// The stage of a top-level instruction.
    pub fn stage_of(&self, index: usize) -> Option<usize> {
        self.stage_of.get(index).copied().flatten()
    }

    /// The nodes of a stage in order: its FROM, then the rest.
    pub fn stage_nodes(&self, stage: usize) -> impl Iterator<Item = Node<'_>> + '_ {
        let s = self.dockerfile.stages.get(stage);
        s.into_iter()
            .flat_map(|s| std::iter::once(s.from).chain(s.instructions.iter().copied()))
            .filter_map(|i| self.node(i))
    }

    /// Whether a stage ends up in the image of the final target, or is reused later (a later
    /// FROM, `COPY --from` or `RUN --mount from=` names it).
    pub fn is_stage_used(&self, stage: usize) -> bool {
        self.used.get(stage).copied().unwrap_or(false)
    }

    /// Whether a stage is the last one or a later FROM names it as its base, by its alias as
    /// written (hadolint's "used" stages; `COPY --from` does not count).
    pub fn is_stage_built_on(&self, stage: usize) -> bool {
        if self.is_final_stage(stage) {
            return true;
        }
        let stages = &self.dockerfile.stages;
        let Some(alias) = stages
            .get(stage)
            .and_then(|s| self.dockerfile.stage_from(s))
            .and_then(|f| f.name.as_ref())
        else {
            return false;
        };
        stages.iter().skip(stage + 1).any(|s| {
            self.dockerfile
                .stage_from(s)
                .is_some_and(|f| f.image.text == alias.text)
        })
    }

    /// Whether a stage is the last one.
    pub fn is_final_stage(&self, stage: usize) -> bool {
        stage + 1 == self.dockerfile.stages.len()
    }

    /// The index of the stage a FROM / `--from` value names, if it is an earlier stage
    /// (by name, case-insensitively, or by index).
    pub fn stage_named(&self, name: &str, before: usize) -> Option<usize> {
        let lower = name.to_lowercase();
        self.dockerfile.stages[..before.min(self.dockerfile.stages.len())]
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .map(|s| s.index)
    }

    /// The index of the first stage among `..until` whose alias is exactly `alias`, as
    /// written (hadolint compares aliases case-sensitively; BuildKit does not, see
    /// [`LintContext::stage_named`]).
    pub fn stage_aliased(&self, alias: &str, until: usize) -> Option<usize> {
        self.dockerfile.stages[..until.min(self.dockerfile.stages.len())]
            .iter()
            .find(|s| {
                self.dockerfile
                    .stage_from(s)
                    .and_then(|f| f.name.as_ref())
                    .is_some_and(|n| n.text == alias)
            })
            .map(|s| s.index)
    }

    /// The base stage of a stage, when its FROM names an earlier stage.
    pub fn parent_stage(&self, stage: usize) -> Option<usize> {
        let st = self.dockerfile.stages.get(stage)?;
        let from = self.dockerfile.stage_from(st)?;
        self.stage_named(&from.image.text, stage)
    }

    /// The shell named by the last `# hadolint shell=` pragma above `line`.
    pub fn pragma_shell_before(&self, line: u32) -> Option<&str> {
        self.pragma_shells
            .iter()
            .rev()
            .find(|(l, _)| *l < line)
            .map(|(_, s)| s.as_str())
    }

    /// The source text of a span.
    pub fn text(&self, span: Span) -> &'a str {
        span.text(self.source)
    }
}

fn run_script(source: &str, escape: char, run: &Run) -> Script {
    match &run.command {
        None => Script::default(),
        Some(CommandLine::Exec(words)) => {
            stowage_shell::parse_exec(words.iter().map(|w| (w.text.as_str(), w.span)))
        }
        Some(CommandLine::Shell(word)) => stowage_shell::parse_run(&RunSource {
            source,
            command: word.span,
            escape,
            heredocs: run
                .heredocs
                .iter()
                .map(|h| HeredocSource {
                    name: &h.name,
                    body: h.body_span,
                    terminator: h.terminator_span,
                })
                .collect(),
        }),
    }
}

/// Which stages matter: the last one, and every stage a used stage builds on or copies from.
/// hadolint counts any stage a later FROM reuses; copying from a stage uses it too.
fn used_stages(df: &Dockerfile) -> Vec<bool> {
    let n = df.stages.len();
    let mut used = vec![false; n];
    if n == 0 {
        return used;
    }
    let refs = |stage: usize| -> Vec<usize> {
        let mut out = Vec::new();
        let st = &df.stages[stage];
        let named = |name: &str| {
            let lower = name.to_lowercase();
            df.stages[..stage]
                .iter()
                .find(|s| s.name.as_deref() == Some(lower.as_str()))
                .map(|s| s.index)
                .or_else(|| name.parse::<usize>().ok().filter(|&i| i < stage))
        };
        if let Some(from) = df.stage_from(st)
            && let Some(i) = named(&from.image.text)
        {
            out.push(i);
        }
        for &i in &st.instructions {
            match &df.instructions[i].kind {
                InstructionKind::Copy(c) => {
                    if let Some(i) = c.from.as_ref().and_then(|f| named(&f.text)) {
                        out.push(i);
                    }
                }
                InstructionKind::Run(r) => {
                    for m in &r.mounts {
                        if let Some(i) = m.from.as_deref().and_then(named) {
                            out.push(i);
                        }
                    }
                }
                _ => {}
            }
        }
        out
    };
    // A stage a later FROM builds on is "reused" for hadolint, whether or not the target needs
    // it; copying sources are followed from the final stage.
    let mut stack = vec![n - 1];
    for s in 0..n {
        let st = &df.stages[s];
        if let Some(from) = df.stage_from(st) {
            let lower = from.image.text.to_lowercase();
            if let Some(base) = df.stages[..s]
                .iter()
                .find(|x| x.name.as_deref() == Some(lower.as_str()))
            {
                stack.push(base.index);
            }
        }
    }
    while let Some(s) = stack.pop() {
        if used[s] {
            continue;
        }
        used[s] = true;
        stack.extend(refs(s));
    }
    used
}
