//! Build arguments, resolved per stage the way BuildKit does it.
//!
//! - ARGs before the first FROM are *meta* args: only FROM lines see them.
//! - Inside a stage, an ARG is visible from its declaration on; a meta arg must be redeclared
//!   (`ARG NAME`) to be visible, and then takes its meta value.
//! - `--build-arg` values override defaults; ENV wins over ARG of the same name.
//! - The platform ARGs (`TARGETPLATFORM`, `BUILDARCH`, ...) are predefined in the global scope.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::ast::InstructionKind;
use crate::expand::Lexer;
use crate::instructions::Dockerfile;

/// A `os/arch[/variant]` platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Platform {
    /// `linux`.
    pub os: String,
    /// `amd64`, `arm64`, ...
    pub arch: String,
    /// `v7`, `v8`, or empty.
    pub variant: String,
}

impl Platform {
    /// `linux/amd64`.
    pub fn linux_amd64() -> Self {
        Self {
            os: "linux".into(),
            arch: "amd64".into(),
            variant: String::new(),
        }
    }

    /// Parses `os/arch[/variant]`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('/');
        let os = parts.next().filter(|s| !s.is_empty())?.to_owned();
        let arch = parts.next().filter(|s| !s.is_empty())?.to_owned();
        let variant = parts.next().unwrap_or_default().to_owned();
        parts.next().is_none().then_some(Self { os, arch, variant })
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)?;
        if !self.variant.is_empty() {
            write!(f, "/{}", self.variant)?;
        }
        Ok(())
    }
}

/// What the host supplies: `--build-arg` values and the platforms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildArgs {
    /// `--build-arg NAME=value`.
    pub values: BTreeMap<String, String>,
    /// The platform being built for.
    pub target: Platform,
    /// The platform doing the build.
    pub build: Platform,
}

impl Default for BuildArgs {
    fn default() -> Self {
        Self {
            values: BTreeMap::new(),
            target: Platform::linux_amd64(),
            build: Platform::linux_amd64(),
        }
    }
}

impl BuildArgs {
    /// The predefined platform ARGs.
    pub fn platform_args(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (prefix, p) in [("TARGET", &self.target), ("BUILD", &self.build)] {
            out.insert(format!("{prefix}PLATFORM"), p.to_string());
            out.insert(format!("{prefix}OS"), p.os.clone());
            out.insert(format!("{prefix}ARCH"), p.arch.clone());
            out.insert(format!("{prefix}VARIANT"), p.variant.clone());
        }
        out
    }
}

/// A stage's base after expansion with the meta args.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedStage {
    /// Stage index.
    pub index: usize,
    /// Lower-cased stage name.
    pub name: Option<String>,
    /// The expanded FROM image (or an earlier stage's name).
    pub base: String,
    /// Index of the earlier stage this one builds on (`FROM build`), if any.
    pub base_stage: Option<usize>,
    /// The expanded `--platform`, if given.
    pub platform: Option<String>,
    /// Variables FROM referenced that were not defined (what `UndefinedArgInFrom` reports).
    pub undefined: BTreeSet<String>,
    /// The expansion error, if FROM could not be expanded.
    pub error: Option<String>,
}

/// The meta-arg scope: predefined platform args, then each meta ARG in order.
pub fn meta_scope(df: &Dockerfile, args: &BuildArgs) -> BTreeMap<String, String> {
    let mut scope = args.platform_args();
    let lexer = Lexer::new(df.parse.escape);
    for &i in &df.meta_args {
        if let InstructionKind::Arg(decls) = &df.instructions[i].kind {
            for decl in decls {
                let name = lexer
                    .process_word(&decl.name.text, &scope)
                    .unwrap_or_else(|_| decl.name.text.to_string());
                let value = match (args.values.get(&name), &decl.default) {
                    (Some(v), _) => Some(v.clone()),
                    (None, Some(default)) => Some(
                        lexer
                            .process_word(&default.text, &scope)
                            .unwrap_or_default(),
                    ),
                    (None, None) => None,
                };
                match value {
                    Some(v) => {
                        scope.insert(name, v);
                    }
                    None => {
                        scope.remove(&name);
                    }
                }
            }
        }
    }
    scope
}

/// Expands every stage's FROM with the meta args.
pub fn resolve_stages(df: &Dockerfile, args: &BuildArgs) -> Vec<ResolvedStage> {
    resolve_stages_in(df, &meta_scope(df, args))
}

fn resolve_stages_in(df: &Dockerfile, scope: &BTreeMap<String, String>) -> Vec<ResolvedStage> {
    let lexer = Lexer::new(df.parse.escape);
    let mut out: Vec<ResolvedStage> = Vec::new();
    for stage in &df.stages {
        let Some(from) = df.stage_from(stage) else {
            continue;
        };
        let (base, undefined, error) =
            match lexer.process_word_with_matches(&from.image.text, scope) {
                Ok(exp) => (exp.result, exp.unmatched, None),
                Err(e) => (
                    from.image.text.to_string(),
                    BTreeSet::new(),
                    Some(e.to_string()),
                ),
            };
        let platform = from.platform.as_ref().map(|p| {
            lexer
                .process_word(&p.text, scope)
                .unwrap_or_else(|_| p.text.to_string())
        });
        let lower = base.to_lowercase();
        let base_stage = out
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .map(|s| s.index);
        out.push(ResolvedStage {
            index: stage.index,
            name: stage.name.clone(),
            base,
            base_stage,
            platform,
            undefined,
            error,
        });
    }
    out
}

/// The variables visible to instruction `upto` of `stage` (ARG and ENV so far), as an ordered
/// map. ENV values come from the stage's own ENV lines; a base stage's ENV is inherited when
/// the stage builds `FROM` an earlier stage.
pub fn stage_scope(
    df: &Dockerfile,
    args: &BuildArgs,
    stage_index: usize,
    upto: usize,
) -> BTreeMap<String, String> {
    let meta = meta_scope(df, args);
    let resolved = resolve_stages_in(df, &meta);
    let mut scope = BTreeMap::new();
    stage_scope_into(df, args, &meta, &resolved, stage_index, upto, &mut scope, 0);
    scope
}

#[expect(
    clippy::too_many_arguments,
    reason = "a private recursive helper over shared read-only context"
)]
fn stage_scope_into(
    df: &Dockerfile,
    args: &BuildArgs,
    meta: &BTreeMap<String, String>,
    resolved: &[ResolvedStage],
    stage_index: usize,
    upto: usize,
    scope: &mut BTreeMap<String, String>,
    depth: usize,
) {
    let Some(stage) = df.stages.get(stage_index) else {
        return;
    };
    // ENV is inherited from a base stage; ARGs are not.
    if let Some(base) = resolved.get(stage_index).and_then(|r| r.base_stage)
        && base < stage_index
        && depth < df.stages.len()
    {
        let mut base_scope = BTreeMap::new();
        stage_scope_into(
            df,
            args,
            meta,
            resolved,
            base,
            usize::MAX,
            &mut base_scope,
            depth + 1,
        );
        scope.extend(
            base_scope
                .into_iter()
                .filter(|(k, _)| env_names(df, base).contains(k)),
        );
    }
    let lexer = Lexer::new(df.parse.escape);
    let mut env_defined: BTreeSet<String> = scope.keys().cloned().collect();
    for &i in stage.instructions.iter().filter(|&&i| i < upto) {
        match &df.instructions[i].kind {
            InstructionKind::Arg(decls) => {
                for decl in decls {
                    let name = decl.name.text.to_string();
                    if env_defined.contains(&name) {
                        continue; // ENV wins over ARG.
                    }
                    let value = match (args.values.get(&name), &decl.default, meta.get(&name)) {
                        (Some(v), _, _) => Some(v.clone()),
                        (None, Some(default), _) => Some(
                            lexer
                                .process_word(&default.text, &*scope)
                                .unwrap_or_default(),
                        ),
                        (None, None, Some(m)) => Some(m.clone()),
                        (None, None, None) => None,
                    };
                    if let Some(v) = value {
                        scope.insert(name, v);
                    }
                }
            }
            InstructionKind::Env(pairs) => {
                // Every value of one ENV line sees the scope from before the line.
                let before = scope.clone();
                for pair in pairs {
                    let key = lexer
                        .process_word(&pair.key.text, &before)
                        .unwrap_or_else(|_| pair.key.text.to_string());
                    let value = lexer
                        .process_word(&pair.value.text, &before)
                        .unwrap_or_else(|_| pair.value.text.to_string());
                    env_defined.insert(key.clone());
                    scope.insert(key, value);
                }
            }
            _ => {}
        }
    }
}

fn env_names(df: &Dockerfile, stage_index: usize) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    if let Some(stage) = df.stages.get(stage_index) {
        for &i in &stage.instructions {
            if let InstructionKind::Env(pairs) = &df.instructions[i].kind {
                names.extend(pairs.iter().map(|p| p.key.text.to_string()));
            }
        }
    }
    names
}

/// The stages a build of `target` needs (BuildKit skips the rest): the target, the stages it
/// builds FROM, and every stage named by `COPY --from` or `RUN --mount=from=`, transitively.
pub fn needed_stages(df: &Dockerfile, args: &BuildArgs, target: usize) -> BTreeSet<usize> {
    let resolved = resolve_stages(df, args);
    let lookup = |name: &str| -> Option<usize> {
        let lower = name.to_lowercase();
        df.stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .map(|s| s.index)
            .or_else(|| name.parse().ok())
    };
    let mut needed = BTreeSet::new();
    let mut todo = vec![target];
    while let Some(i) = todo.pop() {
        if i >= df.stages.len() || !needed.insert(i) {
            continue;
        }
        if let Some(base) = resolved.get(i).and_then(|r| r.base_stage) {
            todo.push(base);
        }
        for &n in &df.stages[i].instructions {
            match &df.instructions[n].kind {
                InstructionKind::Copy(copy) => {
                    if let Some(dep) = copy.from.as_ref().and_then(|f| lookup(&f.text)) {
                        todo.push(dep);
                    }
                }
                InstructionKind::Run(run) => {
                    todo.extend(
                        run.mounts
                            .iter()
                            .filter_map(|m| m.from.as_deref().and_then(lookup)),
                    );
                }
                _ => {}
            }
        }
    }
    needed
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "ARG BASE=alpine\nARG TAG\nFROM ${BASE}:${TAG:-3.20} AS Build\nARG BASE\nARG LOCAL=x-$BASE\nENV PATH=/opt/bin:$LOCAL\nRUN make\nFROM build AS test\nRUN true\nFROM $UNDEFINED_IMG AS other\nFROM scratch\nCOPY --from=build /out /\n";

    #[test]
    fn from_lines_see_meta_args_and_build_args() {
        let df = Dockerfile::parse(SRC);
        let resolved = resolve_stages(&df, &BuildArgs::default());
        assert_eq!(resolved[0].base, "alpine:3.20");
        assert_eq!(resolved[0].undefined.iter().collect::<Vec<_>>(), ["TAG"]);
        assert_eq!(resolved[1].base_stage, Some(0));
        assert_eq!(
            resolved[2].undefined.iter().collect::<Vec<_>>(),
            ["UNDEFINED_IMG"]
        );
        let mut args = BuildArgs::default();
        args.values.insert("TAG".into(), "edge".into());
        assert_eq!(resolve_stages(&df, &args)[0].base, "alpine:edge");
    }

    #[test]
    fn stage_scope_redeclares_meta_args_and_env_wins() {
        let df = Dockerfile::parse(SRC);
        let scope = stage_scope(&df, &BuildArgs::default(), 0, usize::MAX);
        assert_eq!(scope.get("BASE").map(String::as_str), Some("alpine"));
        assert_eq!(scope.get("LOCAL").map(String::as_str), Some("x-alpine"));
        assert_eq!(
            scope.get("PATH").map(String::as_str),
            Some("/opt/bin:x-alpine")
        );
        assert_eq!(
            scope.get("TAG"),
            None,
            "TAG was not redeclared in the stage"
        );
        // The derived stage inherits ENV, not ARG.
        let derived = stage_scope(&df, &BuildArgs::default(), 1, usize::MAX);
        assert_eq!(
            derived.get("PATH").map(String::as_str),
            Some("/opt/bin:x-alpine")
        );
        assert_eq!(derived.get("LOCAL"), None);
    }

    #[test]
    fn only_needed_stages_are_built() {
        let df = Dockerfile::parse(SRC);
        let args = BuildArgs::default();
        assert_eq!(
            needed_stages(&df, &args, 3).into_iter().collect::<Vec<_>>(),
            [0, 3]
        );
        assert_eq!(
            needed_stages(&df, &args, 1).into_iter().collect::<Vec<_>>(),
            [0, 1]
        );
        assert_eq!(
            needed_stages(&df, &args, 2).into_iter().collect::<Vec<_>>(),
            [2]
        );
    }

    #[test]
    fn platform_args_are_predefined() {
        let df = Dockerfile::parse("FROM --platform=$BUILDPLATFORM golang AS b\n");
        let args = BuildArgs {
            build: Platform::parse("linux/arm64/v8").expect("valid platform"),
            ..BuildArgs::default()
        };
        assert_eq!(
            resolve_stages(&df, &args)[0].platform.as_deref(),
            Some("linux/arm64/v8")
        );
    }
}
