use crate::{
    Connective, HeredocSource, Nesting, RunSource, Span, parse_exec, parse_run, parse_script,
};

fn names(script: &crate::Script) -> Vec<&str> {
    script
        .commands
        .iter()
        .map(|c| c.name().unwrap_or("<none>"))
        .collect()
}

#[test]
fn connectives_and_nesting() {
    let s = parse_script(
        "a && b || c; d | e & f; (g); if h; then i; fi; for x in 1; do j; done; echo $(k)",
        0,
    );
    assert!(s.is_valid(), "{:?}", s.diagnostics);
    assert_eq!(
        names(&s),
        [
            "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "echo", "k"
        ]
    );
    let conn: Vec<Connective> = s.commands.iter().map(|c| c.context.connective).collect();
    assert_eq!(
        &conn[..6],
        [
            Connective::Start,
            Connective::And,
            Connective::Or,
            Connective::Sequence,
            Connective::Pipe,
            Connective::Async
        ]
    );
    assert!(s.commands[3].context.in_pipeline && !s.commands[0].context.in_pipeline);
    assert!(s.has_pipe());
    assert_eq!(s.commands[6].context.nesting, [Nesting::Subshell]);
    assert_eq!(s.commands[8].context.nesting, [Nesting::If]);
    assert_eq!(s.commands[9].context.nesting, [Nesting::For]);
    assert_eq!(
        s.commands[11].context.nesting,
        [Nesting::CommandSubstitution]
    );
}

#[test]
fn words_and_spans_map_into_the_source() {
    let src = "RUN apt-get install -qy --no-install-recommends \"curl\" foo=$V";
    let s = parse_script(&src[4..], 4);
    let c = &s.commands[0];
    assert_eq!(c.span.text(src), &src[4..]);
    assert_eq!(c.args[3].span.text(src), "\"curl\"");
    assert_eq!(c.args[3].value.as_deref(), Some("curl"));
    assert!(c.args[3].quoted && !c.args[3].expansion);
    assert_eq!(c.args[4].value, None);
    assert_eq!(c.args[4].text, "foo=$V");
    assert!(c.has_flag("q") && c.has_flag("y") && c.has_flag("no-install-recommends"));
    let ops: Vec<&str> = c.operands(&[]).map(|w| w.text.as_str()).collect();
    assert_eq!(ops, ["install", "curl", "foo=$V"]);
    assert!(c.subcommand_is(&["install"]));
}

#[test]
fn flags_are_lenient() {
    let s = parse_script(
        "apt-get -qq -o=Dpkg::x --opt=val -t bookworm install x -- -notaflag",
        0,
    );
    let c = &s.commands[0];
    assert_eq!(c.flag_count("q"), 2);
    assert_eq!(c.flag_value("opt"), Some("val"));
    assert_eq!(c.flag_value("o"), Some("Dpkg::x"));
    assert_eq!(c.flag_value("t"), Some("bookworm"));
    assert!(!c.has_flag("n"));
    let ops: Vec<&str> = c.operands(&["t"]).map(|w| w.text.as_str()).collect();
    assert_eq!(ops, ["install", "x", "-notaflag"]);
}

#[test]
fn continuations_are_joined_and_mapped() {
    let src = "RUN apt-get update \\\n    # a comment\n    && apt-get install \\\n      -y curl";
    let command = Span::new(4, src.len() as u32);
    let s = parse_run(&RunSource {
        source: src,
        command,
        escape: '\\',
        heredocs: Vec::new(),
    });
    assert!(s.is_valid());
    assert_eq!(names(&s), ["apt-get", "apt-get"]);
    let install = &s.commands[1];
    assert_eq!(install.args[2].span.text(src), "curl");
    assert_eq!(install.name.as_ref().unwrap().span.text(src), "apt-get");
    // The command span runs from its name to its last word across the continuation.
    assert!(install.span.text(src).starts_with("apt-get install"));
    assert!(install.span.text(src).ends_with("-y curl"));
}

#[test]
fn shell_c_literal_is_parsed() {
    let src = "sh -c 'sudo apt-get update && cd /x'";
    let s = parse_script(src, 0);
    assert_eq!(names(&s), ["sh", "sudo", "cd"]);
    assert_eq!(s.commands[1].context.nesting, [Nesting::ShellC]);
    assert_eq!(s.commands[1].span.text(src), "sudo apt-get update");
    assert_eq!(s.commands[2].args[0].span.text(src), "/x");
    // Not literal: stays opaque.
    let s = parse_script("bash -c \"$CMD\"", 0);
    assert_eq!(names(&s), ["bash"]);
}

#[test]
fn double_quoted_shell_c_maps_around_escapes() {
    let src = r#"bash -ec "echo \"x\" && rm -rf /tmp/a""#;
    let s = parse_script(src, 0);
    assert_eq!(names(&s), ["bash", "echo", "rm"]);
    assert_eq!(s.commands[2].args[1].span.text(src), "/tmp/a");
}

#[test]
fn heredoc_script_body() {
    let src = "RUN <<EOF\napt-get update\nrm -rf /x\nEOF\n";
    let body_start = src.find("apt").unwrap() as u32;
    let term = src.rfind("EOF").unwrap() as u32;
    let s = parse_run(&RunSource {
        source: src,
        command: Span::new(4, 9),
        escape: '\\',
        heredocs: vec![HeredocSource {
            name: "EOF",
            body: Span::new(body_start, term),
            terminator: Span::new(term, term + 3),
        }],
    });
    assert!(s.is_valid(), "{:?}", s.diagnostics);
    assert_eq!(names(&s), ["apt-get", "rm"]);
    assert_eq!(s.commands[1].span.text(src), "rm -rf /x");
}

#[test]
fn heredoc_with_interpreter_and_shebang() {
    let src = "RUN python3 <<EOF\nprint(1)\nEOF\n";
    let body_start = src.find("print").unwrap() as u32;
    let term = src.rfind("EOF").unwrap() as u32;
    let s = parse_run(&RunSource {
        source: src,
        command: Span::new(4, 17),
        escape: '\\',
        heredocs: vec![HeredocSource {
            name: "EOF",
            body: Span::new(body_start, term),
            terminator: Span::new(term, term + 3),
        }],
    });
    assert!(s.is_valid(), "{:?}", s.diagnostics);
    assert_eq!(names(&s), ["python3"]);

    let src = "RUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n";
    let body_start = src.find("#!").unwrap() as u32;
    let term = src.rfind("EOF").unwrap() as u32;
    let s = parse_run(&RunSource {
        source: src,
        command: Span::new(4, 9),
        escape: '\\',
        heredocs: vec![HeredocSource {
            name: "EOF",
            body: Span::new(body_start, term),
            terminator: Span::new(term, term + 3),
        }],
    });
    assert_eq!(s.shebang.as_deref(), Some("/usr/bin/env python3"));
    assert!(s.commands.is_empty());
}

#[test]
fn syntax_errors_are_diagnostics_with_spans() {
    let src = "RUN echo ok && && b";
    let s = parse_script(&src[4..], 4);
    assert_eq!(s.diagnostics.len(), 1);
    let d = &s.diagnostics[0];
    assert_eq!(d.code, "shell-syntax");
    assert!(d.span.start >= 4 && d.span.end as usize <= src.len());

    let s = parse_script("echo \"unterminated", 10);
    assert_eq!(s.diagnostics.len(), 1);
    assert!(s.diagnostics[0].message.contains("unterminated"));
}

#[test]
fn non_ascii_offsets() {
    let src = "echo é && rm -rf /ü";
    let s = parse_script(src, 100);
    let rm = &s.commands[1];
    let span = rm.args[1].span;
    assert_eq!(
        &src[(span.start - 100) as usize..(span.end - 100) as usize],
        "/ü"
    );
}

#[test]
fn assignments_and_redirects() {
    let src = "DEBIAN_FRONTEND=noninteractive apt-get install x >/dev/null 2>&1";
    let s = parse_script(src, 0);
    let c = &s.commands[0];
    assert_eq!(c.assignments[0].name, "DEBIAN_FRONTEND");
    assert_eq!(
        c.assignments[0].value.value.as_deref(),
        Some("noninteractive")
    );
    assert_eq!(c.assignments[0].value.span.text(src), "noninteractive");
    let ops: Vec<&str> = c.redirects.iter().map(|r| r.op.as_str()).collect();
    assert_eq!(ops, [">", ">&"]);
    assert_eq!(c.args.len(), 2);
}

#[test]
fn exec_form() {
    let s = parse_exec([
        ("apk", Span::new(0, 5)),
        ("add", Span::new(7, 12)),
        ("--no-cache", Span::new(14, 26)),
    ]);
    assert_eq!(names(&s), ["apk"]);
    assert!(s.commands[0].has_flag("no-cache"));
}

#[test]
fn word_parts_with_quoting_and_spans() {
    use crate::{PartKind, Quoting};
    let src = r#"echo pre$x"$y-${z:-d}"'$q'$(date) ${#n} ~ \$e $1"#;
    let s = parse_script(src, 10);
    assert!(s.is_valid(), "{:?}", s.diagnostics);
    let parts: Vec<(String, Quoting, &str)> = s.commands[0]
        .args
        .iter()
        .flat_map(|w| &w.parts)
        .map(|p| {
            let kind = match &p.kind {
                PartKind::Literal { text } => format!("lit:{text}"),
                PartKind::Parameter {
                    name,
                    operator,
                    length,
                } => format!(
                    "param:{name}:{}:{length}",
                    operator.as_deref().unwrap_or("")
                ),
                PartKind::CommandSubstitution => "cmd".to_owned(),
                PartKind::Arithmetic => "arith".to_owned(),
                PartKind::Tilde => "tilde".to_owned(),
            };
            let at = (p.span.start - 10) as usize..(p.span.end - 10) as usize;
            (kind, p.quoting, &src[at])
        })
        .collect();
    assert_eq!(
        parts,
        [
            ("lit:pre".to_owned(), Quoting::Unquoted, "pre"),
            ("param:x::false".to_owned(), Quoting::Unquoted, "$x"),
            ("param:y::false".to_owned(), Quoting::Double, "$y"),
            ("lit:-".to_owned(), Quoting::Double, "-"),
            ("param:z::-d:false".to_owned(), Quoting::Double, "${z:-d}"),
            ("lit:$q".to_owned(), Quoting::Single, "$q"),
            ("cmd".to_owned(), Quoting::Unquoted, "$(date)"),
            ("param:n::true".to_owned(), Quoting::Unquoted, "${#n}"),
            ("tilde".to_owned(), Quoting::Unquoted, "~"),
            ("lit:$".to_owned(), Quoting::Escaped, "\\$"),
            ("lit:e".to_owned(), Quoting::Unquoted, "e"),
            ("param:1::false".to_owned(), Quoting::Unquoted, "$1"),
        ]
    );
    assert!(s.commands[0].args[0].has_unquoted_expansion());
    assert!(!s.commands[0].args[3].has_unquoted_expansion());
}

#[test]
fn for_loops() {
    let s = parse_script(
        "for f in a \"$b\"; do echo $f; done; (for g; do :; done)",
        0,
    );
    assert!(s.is_valid(), "{:?}", s.diagnostics);
    assert_eq!(s.loops.len(), 2);
    assert_eq!(s.loops[0].variable, "f");
    let values: Vec<&str> = s.loops[0]
        .values
        .iter()
        .flatten()
        .map(|w| w.raw.as_str())
        .collect();
    assert_eq!(values, ["a", "\"$b\""]);
    assert_eq!(s.loops[1].variable, "g");
    assert!(s.loops[1].values.is_none());
    assert_eq!(s.loops[1].nesting, [Nesting::Subshell]);
}
