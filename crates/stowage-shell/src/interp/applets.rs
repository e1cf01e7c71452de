//! Built-in commands and coreutils-style applets over the VFS.

use std::fmt::Write as _;

use stowage_vfs::{Content, Entry, Kind, Metadata};

use super::{Flow, MAX_READ, Res, Shell, pkg};

/// Splits arguments into single-letter flags and operands (`--` ends flags; long flags are
/// returned as operands prefixed with `--` only when `keep_long`).
fn flags_and_operands(args: &[String]) -> (String, Vec<String>, Vec<String>) {
    let mut flags = String::new();
    let mut long = Vec::new();
    let mut ops = Vec::new();
    let mut ended = false;
    for a in args {
        if ended {
            ops.push(a.clone());
        } else if a == "--" {
            ended = true;
        } else if let Some(l) = a.strip_prefix("--") {
            long.push(l.to_owned());
        } else if a.len() > 1 && a.starts_with('-') {
            flags.push_str(&a[1..]);
        } else {
            ops.push(a.clone());
        }
    }
    (flags, long, ops)
}

fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Runs a command by name.
pub(crate) fn dispatch(sh: &mut Shell<'_>, argv: &[String], stdin: &[u8], depth: usize) -> Res {
    let name = argv[0].as_str();
    let args = &argv[1..];
    let cmd = base_name(name);
    // A path to a script in the image.
    if name.contains('/') && !is_known(cmd) {
        return run_file(sh, name, args, depth);
    }
    Ok(match cmd {
        ":" | "true" => 0,
        "false" => 1,
        "cd" => cd(sh, args),
        "pwd" => {
            let cwd = sh.cwd.clone();
            sh.outln(&cwd);
            0
        }
        "export" | "readonly" | "local" | "declare" | "typeset" => {
            export(sh, args, cmd == "export")
        }
        "unset" => {
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                sh.vars.remove(a);
                sh.functions.remove(a);
            }
            0
        }
        "set" => set(sh, args),
        "shift" => {
            let n = args.first().and_then(|a| a.parse().ok()).unwrap_or(1usize);
            let n = n.min(sh.positional.len());
            sh.positional.drain(..n);
            0
        }
        "exit" => return Err(Flow::Exit(status_arg(sh, args))),
        "return" => return Err(Flow::Return(status_arg(sh, args))),
        "break" => {
            return Err(Flow::Break(
                args.first().and_then(|a| a.parse().ok()).unwrap_or(1),
            ));
        }
        "continue" => {
            return Err(Flow::Continue(
                args.first().and_then(|a| a.parse().ok()).unwrap_or(1),
            ));
        }
        "." | "source" => match args.first() {
            Some(f) => return run_file(sh, f, &args[1..], depth),
            None => 2,
        },
        "eval" => {
            let text = args.join(" ");
            sh.run_text(&text, depth + 1)
        }
        "exec" | "nohup" | "time" | "nice" | "su-exec" | "gosu" | "tini" => {
            if args.is_empty() {
                0
            } else {
                let skip = usize::from(matches!(cmd, "su-exec" | "gosu"));
                return sh.call(&args[skip.min(args.len())..], stdin, depth + 1);
            }
        }
        "command" | "which" | "type" => command_v(sh, cmd, args),
        "read" => read(sh, args, stdin),
        "echo" => echo(sh, args),
        "printf" => printf(sh, args),
        "cat" => cat(sh, args, stdin),
        "tee" => tee(sh, args, stdin),
        "head" | "tail" => head_tail(sh, cmd == "head", args, stdin),
        "wc" => wc(sh, args, stdin),
        "grep" | "egrep" | "fgrep" => grep(sh, args, stdin),
        "mkdir" => mkdir(sh, args),
        "rmdir" => {
            let mut status = 0;
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                let p = sh.abs(a);
                if let Err(e) = sh.fs.remove(&p) {
                    status = sh.vfs_err("rmdir", &e);
                }
            }
            status
        }
        "rm" => rm(sh, args),
        "cp" => cp(sh, args),
        "mv" => mv(sh, args),
        "ln" => ln(sh, args),
        "touch" => touch(sh, args),
        "chmod" => chmod(sh, args),
        "chown" | "chgrp" => chown(sh, cmd == "chgrp", args),
        "ls" => ls(sh, args),
        "test" => i32::from(!test(sh, args)),
        "[" => {
            if args.last().map(String::as_str) == Some("]") {
                i32::from(!test(sh, &args[..args.len() - 1]))
            } else {
                sh.errln("[: missing ]");
                2
            }
        }
        "sleep" => {
            let secs: f64 = args
                .iter()
                .filter_map(|a| a.trim_end_matches('s').parse::<f64>().ok())
                .sum();
            sh.seconds += secs;
            0
        }
        "env" | "printenv" => env(sh, args, stdin, depth)?,
        "id" => {
            let (u, g) = (sh.uid, sh.gid);
            let un = user_name(sh, u);
            let line = if args.iter().any(|a| a == "-u") {
                u.to_string()
            } else {
                format!("uid={u}({un}) gid={g}({un}) groups={g}({un})")
            };
            sh.outln(&line);
            0
        }
        "whoami" => {
            let n = user_name(sh, sh.uid);
            sh.outln(&n);
            0
        }
        "uname" => {
            let text = if args.iter().any(|a| a == "-m") {
                "x86_64"
            } else if args.iter().any(|a| a == "-a") {
                "Linux buildkitsandbox 6.1.0 #1 SMP x86_64 GNU/Linux"
            } else {
                "Linux"
            };
            sh.outln(text);
            0
        }
        "hostname" => {
            sh.outln("buildkitsandbox");
            0
        }
        "date" => {
            sh.outln("Thu Jan  1 00:00:00 UTC 1970");
            sh.note(
                "date",
                "the simulator's clock is fixed; the date shown is not real",
            );
            0
        }
        "basename" => {
            if let Some(p) = args.first() {
                let mut b = base_name(p.trim_end_matches('/')).to_owned();
                if let Some(suffix) = args.get(1)
                    && let Some(s) = b.strip_suffix(suffix.as_str())
                {
                    b = s.to_owned();
                }
                sh.outln(&b);
            }
            0
        }
        "dirname" => {
            if let Some(p) = args.first() {
                let d = match p.trim_end_matches('/').rfind('/') {
                    Some(0) => "/".to_owned(),
                    Some(i) => p[..i].to_owned(),
                    None => ".".to_owned(),
                };
                sh.outln(&d);
            }
            0
        }
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "busybox" if cmd != "busybox" => {
            shell(sh, args, stdin, depth)
        }
        "useradd" | "adduser" | "groupadd" | "addgroup" => users(sh, cmd, args),
        "apt-get" | "apt" => pkg::apt_get(sh, args),
        "apk" => pkg::apk(sh, args),
        "pip" | "pip3" => pkg::pip(sh, args),
        "python" | "python3" if args.len() >= 2 && args[0] == "-m" && args[1] == "pip" => {
            pkg::pip(sh, &args[2..])
        }
        "npm" => pkg::npm(sh, args),
        "yarn" => pkg::yarn(sh, args),
        "go" => pkg::go(sh, args),
        "curl" | "wget" => {
            sh.note(
                cmd,
                "downloads are not simulated: no file was fetched and nothing changed",
            );
            0
        }
        _ => return run_path(sh, name, args, depth),
    })
}

/// Commands handled as applets even when called by path (`/bin/echo`).
fn is_known(cmd: &str) -> bool {
    matches!(
        cmd,
        "true"
            | "false"
            | "echo"
            | "printf"
            | "cat"
            | "tee"
            | "head"
            | "tail"
            | "wc"
            | "grep"
            | "mkdir"
            | "rmdir"
            | "rm"
            | "cp"
            | "mv"
            | "ln"
            | "touch"
            | "chmod"
            | "chown"
            | "chgrp"
            | "ls"
            | "test"
            | "["
            | "sleep"
            | "env"
            | "id"
            | "whoami"
            | "uname"
            | "hostname"
            | "date"
            | "basename"
            | "dirname"
            | "sh"
            | "bash"
            | "dash"
            | "ash"
            | "useradd"
            | "adduser"
            | "groupadd"
            | "addgroup"
            | "apt-get"
            | "apt"
            | "apk"
            | "pip"
            | "pip3"
            | "npm"
            | "yarn"
            | "go"
            | "curl"
            | "wget"
            | "pwd"
            | "nohup"
            | "su-exec"
            | "gosu"
            | "tini"
    )
}

/// Looks `name` up on `PATH` in the image: a shell script there is run; anything else is not
/// simulated.
fn run_path(sh: &mut Shell<'_>, name: &str, args: &[String], depth: usize) -> Res {
    let path = sh.get_var("PATH").unwrap_or_default();
    for dir in path.split(':').filter(|d| !d.is_empty()) {
        let candidate = format!("{}/{name}", dir.trim_end_matches('/'));
        if matches!(sh.fs.stat(&candidate), Ok(Entry::File { .. })) && is_script(sh, &candidate) {
            return run_file(sh, &candidate, args, depth);
        }
    }
    sh.note(
        name,
        format!("`{name}` is not simulated: it completed without running and changed nothing"),
    );
    Ok(0)
}

fn is_script(sh: &Shell<'_>, path: &str) -> bool {
    sh.fs
        .read(path)
        .ok()
        .and_then(|c| c.to_vec(MAX_READ))
        .is_some_and(|b| b.starts_with(b"#!") && shebang_is_shell(&b))
}

fn shebang_is_shell(bytes: &[u8]) -> bool {
    let line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    crate::is_posix_shell(line.trim_start_matches("#!").trim())
}

/// Runs a script file from the image.
fn run_file(sh: &mut Shell<'_>, file: &str, args: &[String], depth: usize) -> Res {
    let path = sh.abs(file);
    let bytes = match sh.fs.stat(&path) {
        Ok(Entry::File { file: f, .. }) => {
            if f.content.len() > MAX_READ {
                None
            } else {
                f.content.to_vec(MAX_READ)
            }
        }
        Ok(_) => {
            sh.errln(&format!("/bin/sh: {file}: Permission denied"));
            return Ok(126);
        }
        Err(_) => {
            sh.errln(&format!("/bin/sh: {file}: not found"));
            return Ok(127);
        }
    };
    let Some(bytes) = bytes else {
        sh.note(file, "running programs is not simulated; nothing changed");
        return Ok(0);
    };
    if bytes.starts_with(b"#!") && !shebang_is_shell(&bytes) || bytes.contains(&0) {
        sh.note(
            file,
            "only shell scripts run in the simulator; this program did not run and nothing changed",
        );
        return Ok(0);
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let args = args.to_vec();
    sh.subshell(|s| {
        s.positional = args;
        Ok(s.run_text(&text, depth + 1))
    })
}

fn status_arg(sh: &Shell<'_>, args: &[String]) -> i32 {
    args.first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(sh.last_status)
}

fn cd(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let target = match args.iter().find(|a| !a.starts_with('-') || *a == "-") {
        Some(t) if t == "-" => sh.get_var("OLDPWD").unwrap_or_else(|| sh.cwd.clone()),
        Some(t) => t.clone(),
        None => sh.get_var("HOME").unwrap_or_else(|| "/".to_owned()),
    };
    let path = sh.abs(&target);
    match sh.fs.stat(&path) {
        Ok(e) if e.kind() == Kind::Dir => {
            let old = std::mem::replace(&mut sh.cwd, sh.fs.resolve(&path).unwrap_or(path));
            sh.set_var("OLDPWD", old);
            0
        }
        Ok(_) => {
            sh.errln(&format!(
                "/bin/sh: cd: can't cd to {target}: Not a directory"
            ));
            2
        }
        Err(_) => {
            sh.errln(&format!(
                "/bin/sh: cd: can't cd to {target}: No such file or directory"
            ));
            2
        }
    }
}

fn export(sh: &mut Shell<'_>, args: &[String], export: bool) -> i32 {
    for a in args.iter().filter(|a| !a.starts_with('-')) {
        if let Some((k, v)) = a.split_once('=') {
            sh.vars.insert(
                k.to_owned(),
                super::Var {
                    value: v.to_owned(),
                    exported: export,
                },
            );
        } else {
            let value = sh.get_var(a).unwrap_or_default();
            let exported = export || sh.vars.get(a.as_str()).is_some_and(|v| v.exported);
            sh.vars.insert(a.clone(), super::Var { value, exported });
        }
    }
    0
}

fn set(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            sh.positional = args[i + 1..].to_vec();
            return 0;
        }
        let (on, letters) = match (a.strip_prefix('-'), a.strip_prefix('+')) {
            (Some(l), _) => (true, l),
            (_, Some(l)) => (false, l),
            _ => {
                sh.positional = args[i..].to_vec();
                return 0;
            }
        };
        for c in letters.chars() {
            match c {
                'e' => sh.errexit = on,
                'u' => sh.nounset = on,
                'x' => sh.xtrace = on,
                'o' => {
                    i += 1;
                    match args.get(i).map(String::as_str) {
                        Some("pipefail") => sh.pipefail = on,
                        Some("errexit") => sh.errexit = on,
                        Some("nounset") => sh.nounset = on,
                        Some("xtrace") => sh.xtrace = on,
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    0
}

fn command_v(sh: &mut Shell<'_>, cmd: &str, args: &[String]) -> i32 {
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if cmd == "command" && !args.iter().any(|a| a == "-v" || a == "-V") {
        return 0;
    }
    let mut status = 0;
    for n in names {
        let path = sh.get_var("PATH").unwrap_or_default();
        let found = path
            .split(':')
            .map(|d| format!("{}/{n}", d.trim_end_matches('/')))
            .find(|p| sh.fs.exists(p));
        match found {
            Some(p) => sh.outln(&p),
            None if is_known(n) || matches!(n.as_str(), "cd" | "export" | "set") => {
                let line = format!("/usr/bin/{n}");
                sh.outln(&line);
            }
            None => status = 1,
        }
    }
    status
}

fn read(sh: &mut Shell<'_>, args: &[String], stdin: &[u8]) -> i32 {
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let text = String::from_utf8_lossy(stdin);
    let Some(line) = text.lines().next() else {
        return 1;
    };
    let mut words = line.split_whitespace();
    for (i, n) in names.iter().enumerate() {
        let v = if i + 1 == names.len() {
            words.by_ref().collect::<Vec<_>>().join(" ")
        } else {
            words.next().unwrap_or("").to_owned()
        };
        sh.set_var(n, v);
    }
    0
}

fn unescape_echo(s: &str) -> (String, bool) {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\u{7}'),
            Some('0') => {}
            Some('e') => out.push('\u{1b}'),
            Some('c') => return (out, true),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    (out, false)
}

fn echo(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let mut newline = true;
    let mut escapes = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E'))
        {
            newline &= !a.contains('n');
            escapes = a.contains('e');
            i += 1;
        } else {
            break;
        }
    }
    let mut text = args[i..].join(" ");
    if escapes {
        let (t, stop) = unescape_echo(&text);
        text = t;
        newline &= !stop;
    }
    sh.out.extend_from_slice(text.as_bytes());
    if newline {
        sh.out.push(b'\n');
    }
    0
}

fn printf(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let Some(format) = args.first() else {
        return 1;
    };
    let mut rest = args[1..].iter();
    let mut out = String::new();
    loop {
        let mut consumed = false;
        let mut chars = format.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    let (t, _) = unescape_echo(&format!("\\{}", chars.next().unwrap_or('\\')));
                    out.push_str(&t);
                }
                '%' => {
                    let mut spec = String::new();
                    while let Some(&n) = chars.peek() {
                        if n.is_ascii_digit() || matches!(n, '-' | '.' | '+' | ' ' | '#') {
                            spec.push(n);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    let conv = chars.next().unwrap_or('%');
                    if conv == '%' {
                        out.push('%');
                        continue;
                    }
                    consumed = true;
                    let arg = rest.next().map_or("", String::as_str);
                    let value = match conv {
                        'd' | 'i' => arg.trim().parse::<i64>().unwrap_or(0).to_string(),
                        'x' => format!("{:x}", arg.trim().parse::<i64>().unwrap_or(0)),
                        'o' => format!("{:o}", arg.trim().parse::<i64>().unwrap_or(0)),
                        'c' => arg.chars().next().map(String::from).unwrap_or_default(),
                        'b' => unescape_echo(arg).0,
                        _ => arg.to_owned(),
                    };
                    let width: usize = spec
                        .trim_start_matches('-')
                        .split('.')
                        .next()
                        .and_then(|w| w.parse().ok())
                        .unwrap_or(0);
                    if spec.starts_with('-') {
                        let _ = write!(out, "{value:<width$}");
                    } else {
                        let _ = write!(out, "{value:>width$}");
                    }
                }
                c => out.push(c),
            }
        }
        if !consumed || rest.len() == 0 {
            break;
        }
    }
    sh.out.extend_from_slice(out.as_bytes());
    0
}

fn read_input(sh: &mut Shell<'_>, cmd: &str, files: &[String], stdin: &[u8]) -> Option<Vec<u8>> {
    if files.is_empty() {
        return Some(stdin.to_vec());
    }
    let mut out = Vec::new();
    for f in files {
        if f == "-" {
            out.extend_from_slice(stdin);
            continue;
        }
        let p = sh.abs(f);
        match sh.fs.read(&p) {
            Ok(c) => match c.to_vec(MAX_READ) {
                Some(b) => out.extend(b),
                None => {
                    sh.note(cmd, format!("{f} is too large to read in the simulator"));
                }
            },
            Err(e) => {
                sh.errln(&format!("{cmd}: {f}: {e}"));
                return None;
            }
        }
    }
    Some(out)
}

fn cat(sh: &mut Shell<'_>, args: &[String], stdin: &[u8]) -> i32 {
    let (_, _, files) = flags_and_operands(args);
    match read_input(sh, "cat", &files, stdin) {
        Some(b) => {
            sh.out.extend(b);
            0
        }
        None => 1,
    }
}

fn tee(sh: &mut Shell<'_>, args: &[String], stdin: &[u8]) -> i32 {
    let (flags, _, files) = flags_and_operands(args);
    for f in &files {
        let p = sh.abs(f);
        let r = if flags.contains('a') {
            sh.append_file(&p, stdin)
        } else {
            let meta = sh.file_meta(0o644);
            sh.write_keep_meta(&p, stdin.to_vec(), meta)
        };
        if let Err(e) = r {
            return sh.vfs_err("tee", &e);
        }
    }
    sh.out.extend_from_slice(stdin);
    0
}

fn head_tail(sh: &mut Shell<'_>, head: bool, args: &[String], stdin: &[u8]) -> i32 {
    let mut n = 10usize;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-n" {
            n = it
                .next()
                .and_then(|v| v.trim_start_matches('+').parse().ok())
                .unwrap_or(10);
        } else if let Some(v) = a.strip_prefix("-n") {
            n = v.parse().unwrap_or(10);
        } else if let Some(v) = a
            .strip_prefix('-')
            .filter(|v| v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty())
        {
            n = v.parse().unwrap_or(10);
        } else {
            files.push(a.clone());
        }
    }
    let Some(bytes) = read_input(sh, if head { "head" } else { "tail" }, &files, stdin) else {
        return 1;
    };
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    let pick = if head {
        &lines[..n.min(lines.len())]
    } else {
        &lines[lines.len().saturating_sub(n)..]
    };
    for l in pick {
        sh.outln(l);
    }
    0
}

fn wc(sh: &mut Shell<'_>, args: &[String], stdin: &[u8]) -> i32 {
    let (flags, _, files) = flags_and_operands(args);
    let Some(bytes) = read_input(sh, "wc", &files, stdin) else {
        return 1;
    };
    let text = String::from_utf8_lossy(&bytes);
    let lines = text.matches('\n').count();
    let words = text.split_whitespace().count();
    let line = match flags.as_str() {
        "l" => lines.to_string(),
        "c" => bytes.len().to_string(),
        "w" => words.to_string(),
        _ => format!("{lines:>7} {words:>7} {:>7}", bytes.len()),
    };
    sh.outln(&line);
    0
}

fn grep(sh: &mut Shell<'_>, args: &[String], stdin: &[u8]) -> i32 {
    let mut flags = String::new();
    let mut pattern: Option<String> = None;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-e" {
            pattern = it.next().cloned();
        } else if a.len() > 1 && a.starts_with('-') && !a.starts_with("--") {
            flags.push_str(&a[1..]);
        } else if a.starts_with("--") {
        } else if pattern.is_none() {
            pattern = Some(a.clone());
        } else {
            files.push(a.clone());
        }
    }
    let Some(pattern) = pattern else {
        return 2;
    };
    let Some(bytes) = read_input(sh, "grep", &files, stdin) else {
        return 2;
    };
    let (anchor_start, rest) = match pattern.strip_prefix('^') {
        Some(r) => (true, r.to_owned()),
        None => (false, pattern.clone()),
    };
    let (anchor_end, literal) = match rest.strip_suffix('$') {
        Some(r) => (true, r.to_owned()),
        None => (false, rest),
    };
    if literal.chars().any(|c| ".*[]+?(){}|\\".contains(c)) && !flags.contains('F') {
        sh.note(
            "grep",
            "regular expressions are matched as plain text in the simulator",
        );
    }
    let ignore_case = flags.contains('i');
    let norm = |s: &str| {
        if ignore_case {
            s.to_lowercase()
        } else {
            s.to_owned()
        }
    };
    let needle = norm(&literal);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mut hits = 0;
    for line in text.lines() {
        let l = norm(line);
        let m = match (anchor_start, anchor_end) {
            (true, true) => l == needle,
            (true, false) => l.starts_with(&needle),
            (false, true) => l.ends_with(&needle),
            (false, false) => l.contains(&needle),
        };
        if m != flags.contains('v') {
            hits += 1;
            if !flags.contains('q') && !flags.contains('c') {
                sh.outln(line);
            }
        }
    }
    if flags.contains('c') {
        sh.outln(&hits.to_string());
    }
    i32::from(hits == 0)
}

fn parse_mode(text: &str) -> Option<u32> {
    u32::from_str_radix(text, 8).ok().filter(|m| *m <= 0o7777)
}

fn mkdir(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let mut parents = false;
    let mut mode = 0o755;
    let mut dirs = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-p" | "--parents" => parents = true,
            "-m" => mode = it.next().and_then(|m| parse_mode(m)).unwrap_or(mode),
            s if s.starts_with('-') && s.len() > 1 => {
                parents |= s.contains('p');
                if s.ends_with('m') {
                    mode = it.next().and_then(|m| parse_mode(m)).unwrap_or(mode);
                }
            }
            _ => dirs.push(a.clone()),
        }
    }
    let mut status = 0;
    for d in dirs {
        let p = sh.abs(&d);
        let meta = sh.file_meta(mode);
        let r = if parents {
            sh.fs
                .create_dir_all(&p, &sh.file_meta(0o755))
                .and_then(|()| {
                    if sh.fs.lstat(&p).is_ok() {
                        Ok(())
                    } else {
                        sh.fs.create_dir(&p, meta)
                    }
                })
        } else {
            sh.fs.create_dir(&p, meta)
        };
        if let Err(e) = r {
            status = sh.vfs_err("mkdir", &e);
        }
    }
    status
}

fn rm(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let (flags, _, ops) = flags_and_operands(args);
    let recursive = flags.contains('r') || flags.contains('R');
    let force = flags.contains('f');
    let mut status = 0;
    for o in ops {
        let p = sh.abs(&o);
        if p == "/" {
            sh.errln("rm: refusing to remove '/'");
            status = 1;
            continue;
        }
        match sh.fs.lstat(&p).map(|e| e.kind()) {
            Ok(Kind::Dir) if !recursive => {
                sh.errln(&format!("rm: can't remove '{o}': Is a directory"));
                status = 1;
            }
            Ok(_) => {
                if let Err(e) = sh.fs.remove_all(&p) {
                    status = sh.vfs_err("rm", &e);
                }
            }
            Err(_) if force => {}
            Err(_) => {
                sh.errln(&format!(
                    "rm: can't remove '{o}': No such file or directory"
                ));
                status = 1;
            }
        }
    }
    status
}

type Owned = (String, Kind, Metadata, Option<Content>, Option<String>);

/// Copies the node at `from` to `to` (recursively for directories).
fn copy_node(sh: &mut Shell<'_>, from: &str, to: &str, preserve: bool) -> Result<(), String> {
    let nodes: Vec<(String, Entry<'_>)> =
        sh.fs.walk_from(from).map_err(|e| e.to_string())?.collect();
    let owned: Vec<Owned> = nodes
        .into_iter()
        .map(|(p, e)| {
            let content = e.as_file().map(|f| f.content.clone());
            let target = match e {
                Entry::Symlink(s) => Some(s.target.clone()),
                _ => None,
            };
            (p, e.kind(), e.meta().clone(), content, target)
        })
        .collect();
    let root = owned.first().map(|n| n.0.clone()).unwrap_or_default();
    for (p, kind, meta, content, target) in owned {
        let rel = &p[root.len()..];
        let dest = format!("{to}{rel}");
        let meta = if preserve {
            meta
        } else {
            let mut m = sh.file_meta(meta.mode);
            m.xattrs.clear();
            m
        };
        let r = match kind {
            Kind::Dir => match sh.fs.stat(&dest) {
                Ok(e) if e.kind() == Kind::Dir => Ok(()),
                _ => sh.fs.create_dir(&dest, meta),
            },
            Kind::File => {
                let _ = sh
                    .fs
                    .lstat(&dest)
                    .ok()
                    .filter(|e| e.kind() == Kind::Symlink)
                    .map(|_| ());
                sh.fs
                    .write_file(&dest, content.unwrap_or_else(Content::empty), meta)
            }
            Kind::Symlink => {
                let _ = sh.fs.remove(&dest);
                sh.fs.symlink(&dest, &target.unwrap_or_default(), meta)
            }
        };
        r.map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn dest_for(sh: &Shell<'_>, src: &str, dst: &str, many: bool) -> String {
    let d = sh.abs(dst);
    let is_dir = sh.fs.stat(&d).is_ok_and(|e| e.kind() == Kind::Dir);
    if is_dir || many {
        let name = base_name(src.trim_end_matches('/'));
        if d == "/" {
            format!("/{name}")
        } else {
            format!("{d}/{name}")
        }
    } else {
        d
    }
}

fn cp(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let (flags, long, ops) = flags_and_operands(args);
    let recursive = flags.contains('r') || flags.contains('R') || flags.contains('a');
    let preserve =
        flags.contains('a') || flags.contains('p') || long.iter().any(|l| l == "archive");
    let Some((dst, srcs)) = ops.split_last() else {
        sh.errln("cp: missing file operand");
        return 1;
    };
    let mut status = 0;
    for s in srcs {
        let from = sh.abs(s);
        let to = dest_for(sh, s, dst, srcs.len() > 1);
        match sh.fs.stat(&from).map(|e| e.kind()) {
            Ok(Kind::Dir) if !recursive => {
                sh.errln(&format!("cp: omitting directory '{s}'"));
                status = 1;
                continue;
            }
            Err(_) => {
                sh.errln(&format!("cp: can't stat '{s}': No such file or directory"));
                status = 1;
                continue;
            }
            _ => {}
        }
        let resolved = sh.fs.resolve(&from).unwrap_or(from);
        if let Err(e) = copy_node(sh, &resolved, &to, preserve) {
            sh.errln(&format!("cp: {e}"));
            status = 1;
        }
    }
    status
}

fn mv(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let (_, _, ops) = flags_and_operands(args);
    let Some((dst, srcs)) = ops.split_last() else {
        sh.errln("mv: missing file operand");
        return 1;
    };
    let mut status = 0;
    for s in srcs {
        let from = sh.abs(s);
        let to = dest_for(sh, s, dst, srcs.len() > 1);
        if let Err(e) = sh.fs.rename(&from, &to) {
            status = sh.vfs_err("mv", &e);
        }
    }
    status
}

fn ln(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let (flags, _, ops) = flags_and_operands(args);
    let symbolic = flags.contains('s');
    let force = flags.contains('f');
    let (target, link) = match ops.as_slice() {
        [t] => (t.clone(), base_name(t).to_owned()),
        [t, l] => (t.clone(), l.clone()),
        _ => {
            sh.errln("ln: missing operand");
            return 1;
        }
    };
    let mut link_path = sh.abs(&link);
    if !flags.contains('n')
        && !flags.contains('T')
        && sh.fs.stat(&link_path).is_ok_and(|e| e.kind() == Kind::Dir)
    {
        let name = base_name(target.trim_end_matches('/'));
        link_path = format!("{}/{name}", link_path.trim_end_matches('/'));
    }
    if force && sh.fs.lstat(&link_path).is_ok_and(|e| e.kind() != Kind::Dir) {
        let _ = sh.fs.remove(&link_path);
    }
    let r = if symbolic {
        let meta = Metadata::symlink()
            .with_owner(sh.uid, sh.gid)
            .with_mtime(sh.mtime);
        sh.fs.symlink(&link_path, &target, meta)
    } else {
        let t = sh.abs(&target);
        sh.fs.hard_link(&t, &link_path)
    };
    match r {
        Ok(()) => 0,
        Err(e) => sh.vfs_err("ln", &e),
    }
}

fn touch(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let (_, _, ops) = flags_and_operands(args);
    let mut status = 0;
    for o in ops {
        let p = sh.abs(&o);
        let mtime = sh.mtime;
        if sh.fs.stat(&p).is_ok() {
            let resolved = sh.fs.resolve(&p).unwrap_or(p);
            let _ = sh.fs.update_metadata(&resolved, |m| m.mtime = mtime);
        } else {
            let meta = sh.file_meta(0o644);
            if let Err(e) = sh.fs.write_file(&p, Content::empty(), meta) {
                status = sh.vfs_err("touch", &e);
            }
        }
    }
    status
}

/// Applies a chmod mode (`755`, `u+x`, `a-w,g+r`) to `mode`.
pub(crate) fn apply_chmod(spec: &str, mode: u32, is_dir: bool) -> Option<u32> {
    if let Some(m) = parse_mode(spec) {
        return Some(m);
    }
    let mut mode = mode;
    for clause in spec.split(',') {
        let op_at = clause.find(['+', '-', '='])?;
        let (who, rest) = clause.split_at(op_at);
        let op = rest.chars().next()?;
        let perms = &rest[1..];
        let mut mask = 0u32;
        let who = if who.is_empty() { "a" } else { who };
        let mut bits = 0u32;
        for p in perms.chars() {
            match p {
                'r' => bits |= 0o4,
                'w' => bits |= 0o2,
                'x' => bits |= 0o1,
                'X' if is_dir || mode & 0o111 != 0 => bits |= 0o1,
                's' | 't' | 'X' => {}
                _ => return None,
            }
        }
        for w in who.chars() {
            match w {
                'u' => mask |= bits << 6,
                'g' => mask |= bits << 3,
                'o' => mask |= bits,
                'a' => mask |= bits << 6 | bits << 3 | bits,
                _ => return None,
            }
        }
        if perms.contains('s') {
            if who.contains('u') || who.contains('a') {
                mask |= 0o4000;
            }
            if who.contains('g') || who.contains('a') {
                mask |= 0o2000;
            }
        }
        if perms.contains('t') {
            mask |= 0o1000;
        }
        mode = match op {
            '+' => mode | mask,
            '-' => mode & !mask,
            _ => {
                let mut clear = 0;
                for w in who.chars() {
                    clear |= match w {
                        'u' => 0o4700,
                        'g' => 0o2070,
                        'o' => 0o1007,
                        _ => 0o7777,
                    };
                }
                (mode & !clear) | mask
            }
        };
    }
    Some(mode)
}

fn targets(sh: &Shell<'_>, path: &str, recursive: bool) -> Vec<String> {
    if !recursive {
        return vec![path.to_owned()];
    }
    sh.fs
        .walk_from(path)
        .map_or_else(|_| vec![path.to_owned()], |w| w.map(|(p, _)| p).collect())
}

fn chmod(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let recursive = args.iter().any(|a| a == "-R");
    let ops: Vec<&String> = args.iter().filter(|a| *a != "-R" && *a != "-f").collect();
    let Some((spec, files)) = ops.split_first() else {
        return 1;
    };
    let mut status = 0;
    for f in files {
        let p = sh.abs(f);
        let Ok(p) = sh.fs.resolve(&p) else {
            status = 1;
            continue;
        };
        if sh.fs.lstat(&p).is_err() {
            sh.errln(&format!("chmod: {f}: No such file or directory"));
            status = 1;
            continue;
        }
        for t in targets(sh, &p, recursive) {
            let Ok(entry) = sh.fs.lstat(&t) else { continue };
            if entry.kind() == Kind::Symlink {
                continue;
            }
            let is_dir = entry.kind() == Kind::Dir;
            if let Some(m) = apply_chmod(spec, entry.meta().mode, is_dir) {
                let _ = sh.fs.update_metadata(&t, |meta| meta.mode = m);
            } else {
                sh.errln(&format!("chmod: invalid mode '{spec}'"));
                return 1;
            }
        }
    }
    status
}

fn chown(sh: &mut Shell<'_>, group_only: bool, args: &[String]) -> i32 {
    let recursive = args.iter().any(|a| a == "-R");
    let ops: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let Some((spec, files)) = ops.split_first() else {
        return 1;
    };
    let (user, group) = if group_only {
        ("", spec.as_str())
    } else {
        spec.split_once([':', '.']).unwrap_or((spec.as_str(), ""))
    };
    let uid = if user.is_empty() {
        None
    } else if let Some(u) = user
        .parse()
        .ok()
        .or_else(|| lookup_id(sh, "/etc/passwd", user))
    {
        Some(u)
    } else {
        sh.errln(&format!("chown: unknown user {user}"));
        return 1;
    };
    let gid = if group.is_empty() {
        None
    } else if let Some(g) = group
        .parse()
        .ok()
        .or_else(|| lookup_id(sh, "/etc/group", group))
    {
        Some(g)
    } else {
        sh.errln(&format!("chown: unknown group {group}"));
        return 1;
    };
    let mut status = 0;
    for f in files {
        let p = sh.abs(f);
        let p = sh.fs.resolve(&p).unwrap_or(p);
        if sh.fs.lstat(&p).is_err() {
            sh.errln(&format!("chown: {f}: No such file or directory"));
            status = 1;
            continue;
        }
        for t in targets(sh, &p, recursive) {
            let _ = sh.fs.update_metadata(&t, |m| {
                if let Some(u) = uid {
                    m.uid = u;
                }
                if let Some(g) = gid {
                    m.gid = g;
                }
            });
        }
    }
    status
}

fn lookup_id(sh: &Shell<'_>, file: &str, name: &str) -> Option<u32> {
    sh.read_text(file)?.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 3 && f[0] == name).then(|| f[2].parse().ok())?
    })
}

fn user_name(sh: &Shell<'_>, uid: u32) -> String {
    sh.read_text("/etc/passwd")
        .and_then(|t| {
            t.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() >= 3 && f[2] == uid.to_string()).then(|| f[0].to_owned())
            })
        })
        .unwrap_or_else(|| {
            if uid == 0 {
                "root".to_owned()
            } else {
                uid.to_string()
            }
        })
}

fn mode_string(kind: Kind, mode: u32) -> String {
    let mut s = String::from(match kind {
        Kind::Dir => 'd',
        Kind::Symlink => 'l',
        Kind::File => '-',
    });
    for shift in [6, 3, 0] {
        let b = (mode >> shift) & 7;
        s.push(if b & 4 != 0 { 'r' } else { '-' });
        s.push(if b & 2 != 0 { 'w' } else { '-' });
        s.push(if b & 1 != 0 { 'x' } else { '-' });
    }
    s
}

fn ls(sh: &mut Shell<'_>, args: &[String]) -> i32 {
    let (flags, _, mut ops) = flags_and_operands(args);
    if ops.is_empty() {
        ops.push(".".to_owned());
    }
    let long = flags.contains('l');
    let all = flags.contains('a') || flags.contains('A');
    let mut status = 0;
    let many = ops.len() > 1;
    for o in ops {
        let p = sh.abs(&o);
        let entries: Vec<(String, Kind, Metadata, u64, Option<String>)> = match sh.fs.stat(&p) {
            Ok(e) if e.kind() == Kind::Dir && !flags.contains('d') => sh
                .fs
                .read_dir(&p)
                .map(|v| {
                    v.into_iter()
                        .filter(|(n, _)| all || !n.starts_with('.'))
                        .map(|(n, e)| {
                            let target = match e {
                                Entry::Symlink(s) => Some(s.target.clone()),
                                _ => None,
                            };
                            (n.to_owned(), e.kind(), e.meta().clone(), e.size(), target)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            Ok(e) => vec![(o.clone(), e.kind(), e.meta().clone(), e.size(), None)],
            Err(_) => {
                sh.errln(&format!("ls: {o}: No such file or directory"));
                status = 2;
                continue;
            }
        };
        if many {
            sh.outln(&format!("{o}:"));
        }
        for (name, kind, meta, size, target) in entries {
            if long {
                let user = user_name(sh, meta.uid);
                let mut line = format!(
                    "{} 1 {user:<8} {:<8} {size:>8} Jan  1 00:00 {name}",
                    mode_string(kind, meta.mode),
                    meta.gid
                );
                if let Some(t) = target {
                    let _ = write!(line, " -> {t}");
                }
                sh.outln(&line);
            } else {
                sh.outln(&name);
            }
        }
    }
    status
}

/// `test` with unary file and string tests, binary comparisons, `!`, `-a`, `-o`.
fn test(sh: &Shell<'_>, args: &[String]) -> bool {
    if let Some(i) = args.iter().position(|a| a == "-o") {
        return test(sh, &args[..i]) || test(sh, &args[i + 1..]);
    }
    if let Some(i) = args.iter().position(|a| a == "-a") {
        return test(sh, &args[..i]) && test(sh, &args[i + 1..]);
    }
    match args {
        [bang, rest @ ..] if bang == "!" => !test(sh, rest),
        [s] => !s.is_empty(),
        [op, v] => test_unary(sh, op, v).unwrap_or(false),
        [a, op, b] => test_binary(op, a, b).unwrap_or(false),
        _ => false,
    }
}

pub(crate) fn test_unary(sh: &Shell<'_>, op: &str, v: &str) -> Option<bool> {
    let p = sh.abs(v);
    Some(match op {
        "-z" => v.is_empty(),
        "-n" => !v.is_empty(),
        "-e" | "-a" | "-r" | "-w" => sh.fs.stat(&p).is_ok(),
        "-f" => matches!(sh.fs.stat(&p), Ok(Entry::File { .. })),
        "-d" => sh.fs.stat(&p).is_ok_and(|e| e.kind() == Kind::Dir),
        "-L" | "-h" => sh.fs.lstat(&p).is_ok_and(|e| e.kind() == Kind::Symlink),
        "-s" => sh.fs.stat(&p).is_ok_and(|e| e.size() > 0),
        "-x" => sh.fs.stat(&p).is_ok_and(|e| e.meta().mode & 0o111 != 0),
        _ => return None,
    })
}

pub(crate) fn test_binary(op: &str, a: &str, b: &str) -> Option<bool> {
    let num = |s: &str| s.trim().parse::<i64>().ok();
    Some(match op {
        "=" | "==" => a == b,
        "!=" => a != b,
        "-eq" => num(a)? == num(b)?,
        "-ne" => num(a)? != num(b)?,
        "-lt" => num(a)? < num(b)?,
        "-le" => num(a)? <= num(b)?,
        "-gt" => num(a)? > num(b)?,
        "-ge" => num(a)? >= num(b)?,
        "<" => a < b,
        ">" => a > b,
        _ => return None,
    })
}

fn env(sh: &mut Shell<'_>, args: &[String], stdin: &[u8], depth: usize) -> Res {
    let mut i = 0;
    let mut assigned = Vec::new();
    while let Some(a) = args.get(i) {
        if a == "-i" || a == "-" {
            i += 1;
            continue;
        }
        match a.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                assigned.push((k.to_owned(), v.to_owned()));
                i += 1;
            }
            _ => break,
        }
    }
    if i >= args.len() {
        let mut lines: Vec<String> = sh
            .vars
            .iter()
            .filter(|(_, v)| v.exported)
            .map(|(k, v)| format!("{k}={}", v.value))
            .collect();
        lines.extend(assigned.iter().map(|(k, v)| format!("{k}={v}")));
        for l in lines {
            sh.outln(&l);
        }
        return Ok(0);
    }
    let saved = sh.vars.clone();
    for (k, v) in assigned {
        sh.vars.insert(
            k,
            super::Var {
                value: v,
                exported: true,
            },
        );
    }
    let r = sh.call(&args[i..], stdin, depth + 1);
    sh.vars = saved;
    r
}

fn shell(sh: &mut Shell<'_>, args: &[String], stdin: &[u8], depth: usize) -> i32 {
    let mut i = 0;
    let mut script: Option<String> = None;
    let mut opts = (false, false);
    while let Some(a) = args.get(i) {
        if a.starts_with('-') && a.len() > 1 && !a.starts_with("--") {
            if a.contains('c') {
                script = args.get(i + 1).cloned();
                i += 2;
                opts.0 |= a.contains('e');
                opts.1 |= a.contains('x');
                break;
            }
            opts.0 |= a.contains('e');
            opts.1 |= a.contains('x');
            i += 1;
        } else if a.starts_with("--") {
            i += 1;
        } else {
            break;
        }
    }
    let rest: Vec<String> = args.get(i..).map(<[String]>::to_vec).unwrap_or_default();
    let arg0 = rest.first().cloned();
    let (text, positional) = match script {
        Some(s) => (s, rest.get(1..).map(<[String]>::to_vec).unwrap_or_default()),
        None => match rest.split_first() {
            Some((file, params)) => {
                let p = sh.abs(file);
                if let Some(t) = sh.read_text(&p) {
                    (t, params.to_vec())
                } else {
                    sh.errln(&format!(
                        "/bin/sh: can't open '{file}': No such file or directory"
                    ));
                    return 2;
                }
            }
            None => (String::from_utf8_lossy(stdin).into_owned(), Vec::new()),
        },
    };
    sh.subshell(|s| {
        s.positional = positional;
        if let Some(a) = arg0 {
            s.arg0 = a;
        }
        s.errexit = opts.0;
        s.xtrace = opts.1;
        s.in_condition = 0;
        Ok(s.run_text(&text, depth + 1))
    })
    .unwrap_or(1)
}

/// `useradd`, `adduser` (Debian and `BusyBox` flags), `groupadd`, `addgroup`.
fn users(sh: &mut Shell<'_>, cmd: &str, args: &[String]) -> i32 {
    let mut id: Option<u32> = None;
    let mut group: Option<String> = None;
    let mut home: Option<String> = None;
    let mut shell_path = "/bin/sh".to_owned();
    let mut system = false;
    let mut create_home = cmd == "adduser";
    let mut names = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-u" | "--uid" | "-g" | "--gid" if cmd.ends_with("group") => {
                id = it.next().and_then(|v| v.parse().ok());
            }
            "-u" | "--uid" => id = it.next().and_then(|v| v.parse().ok()),
            "-g" | "--gid" | "-G" | "--ingroup" | "--group" => group = it.next().cloned(),
            "-d" | "-h" | "--home" | "--home-dir" => home = it.next().cloned(),
            "-s" | "--shell" => shell_path = it.next().cloned().unwrap_or(shell_path),
            "-m" | "--create-home" => create_home = true,
            "-M" | "-H" | "--no-create-home" => create_home = false,
            "-r" | "-S" | "--system" => {
                system = true;
                if cmd == "adduser" {
                    create_home = false;
                }
            }
            "--gecos" | "-c" | "--comment" | "-k" | "-K" => {
                it.next();
            }
            s if s.starts_with('-') => {}
            _ => names.push(a.clone()),
        }
    }
    let Some(name) = names.first().cloned() else {
        sh.errln(&format!("{cmd}: missing name"));
        return 2;
    };
    // `addgroup user group` (BusyBox) / `adduser user group` (Debian): add to a group.
    if names.len() == 2 && cmd.starts_with("add") {
        return 0;
    }
    let passwd = sh.read_text("/etc/passwd").unwrap_or_default();
    let groups = sh.read_text("/etc/group").unwrap_or_default();
    let used = |text: &str| -> Vec<u32> {
        text.lines()
            .filter_map(|l| l.split(':').nth(2)?.parse().ok())
            .collect()
    };
    let exists = |text: &str, n: &str| text.lines().any(|l| l.split(':').next() == Some(n));
    let next_id = |taken: &[u32]| -> u32 {
        let (mut n, limit) = if system { (100, 999) } else { (1000, 60000) };
        while taken.contains(&n) && n < limit {
            n += 1;
        }
        n
    };
    let meta = Metadata::file().with_mtime(sh.mtime);
    if cmd.ends_with("group") {
        if exists(&groups, &name) {
            sh.errln(&format!("{cmd}: group '{name}' already exists"));
            return 1;
        }
        let gid = id.unwrap_or_else(|| next_id(&used(&groups)));
        let text = format!("{groups}{name}:x:{gid}:\n");
        let _ = sh.write_keep_meta("/etc/group", text.into_bytes(), meta);
        return 0;
    }
    if exists(&passwd, &name) {
        sh.errln(&format!("{cmd}: user '{name}' already exists"));
        return 1;
    }
    let uid = id.unwrap_or_else(|| next_id(&used(&passwd)));
    let mut groups_text = groups.clone();
    let gid = if let Some(g) = &group {
        g.parse()
            .ok()
            .or_else(|| lookup_id(sh, "/etc/group", g))
            .unwrap_or(uid)
    } else {
        if !exists(&groups, &name) {
            let _ = writeln!(groups_text, "{name}:x:{uid}:");
        }
        lookup_id(sh, "/etc/group", &name).unwrap_or(uid)
    };
    let home = home.unwrap_or_else(|| format!("/home/{name}"));
    let line = format!("{name}:x:{uid}:{gid}::{home}:{shell_path}\n");
    let _ = sh.write_keep_meta(
        "/etc/passwd",
        format!("{passwd}{line}").into_bytes(),
        meta.clone(),
    );
    if groups_text != groups {
        let _ = sh.write_keep_meta("/etc/group", groups_text.into_bytes(), meta.clone());
    }
    if let Some(shadow) = sh.read_text("/etc/shadow") {
        let mut m = meta;
        m.mode = 0o640;
        let _ = sh.write_keep_meta(
            "/etc/shadow",
            format!("{shadow}{name}:!:19000:0:99999:7:::\n").into_bytes(),
            m,
        );
    }
    if create_home && !sh.fs.exists(&home) {
        let dmeta = Metadata::new(0o755)
            .with_owner(uid, gid)
            .with_mtime(sh.mtime);
        let _ = sh
            .fs
            .create_dir_all(&home, &Metadata::dir().with_mtime(sh.mtime));
        let _ = sh.fs.set_metadata(&home, dmeta);
    }
    0
}
