use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::{sub_span, suggest, var_references};

crate::declare_rule! {
    /// An instruction uses a variable that is not defined.
    ///
    /// ## What it does
    /// Flags `$NAME`/`${NAME}` in the instructions BuildKit expands itself (ENV, ARG defaults,
    /// LABEL, COPY, ADD, WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL) when no ARG or ENV of the stage
    /// defines NAME before it, and no stage it builds on sets it with ENV. Shell-form RUN, CMD and
    /// ENTRYPOINT are left to the shell. References with a default (`${NAME:-x}`, `${NAME:+x}`,
    /// ...) are not flagged. Suggests a close name.
    ///
    /// ## Why is this bad?
    /// An undefined variable expands to the empty string: `COPY app $DEST` copies into the working
    /// directory, `WORKDIR /srv/$APP` lands in `/srv/`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG APP=web
    /// WORKDIR /srv/$APPP
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG APP=web
    /// WORKDIR /srv/$APP
    /// ```
    ///
    /// ## Differences
    /// BuildKit also knows the ENV of the base image it pulled. Stowage does not fetch images, so
    /// for an external base only `PATH` is assumed set; other variables the image defines
    /// (`JAVA_HOME`, `PYTHON_VERSION`, ...) are reported. BuildKit checks only the stages it
    /// builds; every stage is checked here.
    pub(crate) UndefinedVar {
        code: "SW204",
        name: "undefined-variable",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("UndefinedVar", Different)],
    }
}

impl Rule for UndefinedVar {
    fn kinds(&self) -> &'static [Keyword] {
        &[
            Keyword::Env,
            Keyword::Arg,
            Keyword::Label,
            Keyword::Copy,
            Keyword::Add,
            Keyword::Workdir,
            Keyword::User,
            Keyword::Expose,
            Keyword::Volume,
            Keyword::Stopsignal,
        ]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(stage) = node.stage else { return };
        let words: Vec<&stowage_syntax::Word> = match node.kind() {
            InstructionKind::Env(pairs) | InstructionKind::Label(pairs) => {
                pairs.iter().flat_map(|p| [&p.key, &p.value]).collect()
            }
            InstructionKind::Arg(decls) => {
                decls.iter().filter_map(|d| d.default.as_ref()).collect()
            }
            InstructionKind::Copy(c) => c
                .paths
                .sources
                .iter()
                .chain([&c.paths.dest])
                .chain(c.chown.as_ref())
                .chain(c.chmod.as_ref())
                .collect(),
            InstructionKind::Add(a) => a
                .paths
                .sources
                .iter()
                .chain([&a.paths.dest])
                .chain(a.chown.as_ref())
                .chain(a.chmod.as_ref())
                .collect(),
            InstructionKind::Workdir(w)
            | InstructionKind::User(w)
            | InstructionKind::Stopsignal(w) => {
                vec![w]
            }
            InstructionKind::Expose(ws) | InstructionKind::Volume(ws) => ws.iter().collect(),
            _ => return,
        };
        if node.onbuild || !words.iter().any(|w| w.text.contains('$')) {
            return;
        }
        let defined = defined_names(ctx, stage, node.index);
        // ARG defaults see the ARGs declared before them in the same instruction.
        let mut local: Vec<&str> = Vec::new();
        if let InstructionKind::Arg(decls) = node.kind() {
            for d in decls {
                if let Some(def) = &d.default {
                    report(ctx, def, &defined, &local, out);
                }
                local.push(&d.name.text);
            }
            return;
        }
        for w in words {
            report(ctx, w, &defined, &local, out);
        }
    }
}

fn report(
    ctx: &LintContext<'_>,
    word: &stowage_syntax::Word,
    defined: &[String],
    local: &[&str],
    out: &mut Vec<Diagnostic>,
) {
    for (name, start, end) in var_references(&word.text) {
        let reference = &word.text[start..end];
        let has_default = reference.starts_with("${")
            && reference[2 + name.len()..].starts_with([':', '-', '+', '=', '?']);
        if has_default || defined.iter().any(|d| d == name) || local.contains(&name) {
            continue;
        }
        let hint = suggest(name, defined.iter().map(String::as_str))
            .map(|s| format!(" (did you mean ${s}?)"))
            .unwrap_or_default();
        out.push(
            UndefinedVar::META
                .finding(
                    format!("usage of undefined variable `${name}`{hint}"),
                    sub_span(ctx, word, start, end),
                )
                .with_note("it expands to the empty string"),
        );
    }
}

/// ARG and ENV names defined before `upto` in `stage`, and ENV names of the stages it builds
/// on; `PATH` when the stage chain starts from an external image.
fn defined_names(ctx: &LintContext<'_>, stage: usize, upto: usize) -> Vec<String> {
    let mut names = Vec::new();
    let mut current = Some(stage);
    let mut first = true;
    let mut root = stage;
    let mut guard = 0;
    while let Some(s) = current {
        root = s;
        for n in ctx.stage_nodes(s).filter(|n| !first || n.index < upto) {
            match n.kind() {
                InstructionKind::Arg(decls) if first => {
                    names.extend(decls.iter().map(|d| d.name.text.to_string()));
                }
                InstructionKind::Env(pairs) => {
                    names.extend(pairs.iter().map(|p| p.key.text.to_string()));
                }
                _ => {}
            }
        }
        first = false;
        guard += 1;
        current = ctx.parent_stage(s).filter(|_| guard < 64);
    }
    let external = ctx
        .dockerfile
        .stages
        .get(root)
        .and_then(|s| ctx.dockerfile.stage_from(s))
        .is_some_and(|f| !f.image.text.eq_ignore_ascii_case("scratch"));
    if external {
        names.push("PATH".to_owned());
    }
    names
}
