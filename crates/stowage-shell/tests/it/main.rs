//! Fixture Dockerfiles: every RUN parsed into the shell model, snapshotted as text.

use std::fmt::Write as _;

use stowage_shell::{HeredocSource, RunSource, Script, parse_exec, parse_run};
use stowage_syntax::ast::CommandLine;
use stowage_syntax::{Dockerfile, InstructionKind, LineIndex};

fn script_of(df: &Dockerfile, source: &str, kind: &InstructionKind) -> Option<Script> {
    let InstructionKind::Run(run) = kind else {
        return None;
    };
    Some(match run.command.as_ref()? {
        CommandLine::Exec(words) => parse_exec(words.iter().map(|w| (w.text.as_str(), w.span))),
        CommandLine::Shell(word) => {
            let script = parse_run(&RunSource {
                source,
                command: word.span,
                escape: df.parse.escape,
                heredocs: run
                    .heredocs
                    .iter()
                    .map(|h| HeredocSource {
                        name: &h.name,
                        body: h.body_span,
                        terminator: h.terminator_span,
                    })
                    .collect(),
            });
            // Without heredocs the joined script is what BuildKit stores.
            if run.heredocs.is_empty() {
                let joined = stowage_shell::join_continuations(source, word.span, df.parse.escape);
                assert_eq!(joined.text, word.text.as_str());
            }
            script
        }
    })
}

fn render(source: &str) -> Result<String, std::fmt::Error> {
    let df = Dockerfile::parse(source);
    let index = LineIndex::new(source);
    let pos = |span: stowage_shell::Span| {
        let a = index.line_col(span.start, source);
        let b = index.line_col(span.end, source);
        format!("{}:{}-{}:{}", a.line, a.column, b.line, b.column)
    };
    let mut out = String::new();
    for ins in &df.instructions {
        let Some(script) = script_of(&df, source, &ins.kind) else {
            continue;
        };
        writeln!(out, "RUN at line {}", ins.start_line)?;
        if let Some(s) = &script.shebang {
            writeln!(out, "  shebang {s}")?;
        }
        for c in &script.commands {
            let name = c.name.as_ref().map_or("<none>", |w| w.raw.as_str());
            writeln!(
                out,
                "  {} {name} {:?} via {:?}{}{}",
                pos(c.span),
                c.context.nesting,
                c.context.connective,
                if c.context.in_pipeline { " piped" } else { "" },
                if c.assignments.is_empty() {
                    String::new()
                } else {
                    format!(
                        " assigns {:?}",
                        c.assignments.iter().map(|a| &a.name).collect::<Vec<_>>()
                    )
                },
            )?;
            for w in &c.args {
                // Every word's span must hold the word as written (or its text for exec form).
                let at = w.span.text(source);
                assert!(
                    at == w.raw || at.contains(&w.text) || at.contains('\n'),
                    "span {at:?} does not hold {:?}",
                    w.raw
                );
                writeln!(
                    out,
                    "    {} {:?}{}{}",
                    pos(w.span),
                    w.text,
                    if w.value.is_some() { "" } else { " (expands)" },
                    if w.quoted { " (quoted)" } else { "" }
                )?;
            }
            if !c.flags.is_empty() {
                let flags: Vec<&str> = c.flags.iter().map(|f| f.name.as_str()).collect();
                writeln!(out, "    flags {flags:?}")?;
            }
            for r in &c.redirects {
                let target = r.target.as_ref().map_or("", |w| w.text.as_str());
                writeln!(out, "    redirect {} {target}", r.op)?;
            }
        }
        for d in &script.diagnostics {
            writeln!(out, "  {} {}: {}", pos(d.span), d.code, d.message)?;
        }
    }
    Ok(out)
}

#[test]
fn fixtures() {
    insta::glob!("../fixtures", "*.Dockerfile", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(render(&source).unwrap());
    });
}
