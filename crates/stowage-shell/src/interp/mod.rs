//! The simulated interpreter: runs a RUN script over a [`stowage_vfs::Fs`] without a kernel.
//!
//! It executes what Dockerfiles actually do — lists with `&&` `||` `;`, pipelines, redirections
//! (`>`, `>>`, `<`, `2>&1`, `/dev/null`), heredocs and here-strings, variables and `export`,
//! `cd`, `set -e`/`-u`/`-o pipefail`, `if`/`for`/`while`/`case`, functions, `$(...)`,
//! `$((...))` and `sh -c` — with built-in applets (`echo`, `printf`, `cat`, `mkdir`, `rm`,
//! `cp`, `mv`, `ln`, `touch`, `chmod`, `chown`, `ls`, `test`/`[`, `sleep`, `useradd`, …) and
//! simulated package managers (`apt-get`, `apk`, `pip`, `npm`, `go build`) that write
//! plausible files with plausible sizes from a small built-in catalogue ([`catalogue`]).
//!
//! A command the simulator does not know completes with status 0, changes nothing, and leaves
//! a [`Note`] saying so: the simulation never pretends to have done work it cannot do.
//!
//! Entry points: [`simulate_shell`] (`/bin/sh -c script`) and [`simulate_exec`] (exec form).
//! Everything is deterministic: file times come from [`RunOptions::mtime`] and synthetic file
//! contents are seeded from their paths.

mod applets;
pub mod catalogue;
mod expand;
mod glob;
mod pkg;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use brush_parser::ast;
use serde::Serialize;
use stowage_vfs::{Fs, Metadata, VfsError};

pub use glob::fnmatch;

/// How many commands one run may execute before it is stopped (an endless loop).
pub const MAX_COMMANDS: usize = 100_000;
/// How deep functions, `sh -c` and `$(...)` may nest.
const MAX_DEPTH: usize = 64;
/// Largest file the applets read into memory.
const MAX_READ: u64 = 16 << 20;

/// What a run starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// The environment (`KEY`, `value`), in order; later entries win.
    pub env: Vec<(String, String)>,
    /// The working directory (created if missing, as BuildKit does).
    pub cwd: String,
    /// `USER`: a name or `uid[:gid]`; empty is root.
    pub user: String,
    /// Modification time for files the run writes (seconds since the epoch).
    pub mtime: i64,
    /// The network is off (`RUN --network=none`): package managers fail to download.
    pub network_disabled: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            env: vec![(
                "PATH".to_owned(),
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_owned(),
            )],
            cwd: "/".to_owned(),
            user: String::new(),
            mtime: 0,
            network_disabled: false,
        }
    }
}

/// Which stream a log line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// A line the run printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// The stream.
    pub stream: Stream,
    /// The text, without its newline.
    pub text: String,
}

/// Something the learner should know about the simulation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The command (`make`, `curl`, …).
    pub command: String,
    /// What happened instead.
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.command, self.message)
    }
}

/// The result of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunOutcome {
    /// The exit status (0 = success).
    pub status: i32,
    /// Everything printed, stdout and stderr as separate lines in the order produced.
    pub log: Vec<LogLine>,
    /// Commands that were not simulated, and stand-ins used.
    pub notes: Vec<Note>,
    /// Simulated milliseconds the run would have taken (`sleep`, downloads, compiles).
    pub simulated_millis: u64,
}

impl RunOutcome {
    /// Whether the run succeeded.
    pub fn success(&self) -> bool {
        self.status == 0
    }
}

/// Runs `script` as `/bin/sh -c script` would.
pub fn simulate_shell(fs: &mut Fs, script: &str, opts: &RunOptions) -> RunOutcome {
    let mut sh = Shell::new(fs, opts);
    let status = sh.run_text(script, 0);
    sh.finish(status)
}

/// Runs an exec-form command (`RUN ["apk", "add", "curl"]`): no shell, no expansion.
pub fn simulate_exec(fs: &mut Fs, argv: &[String], opts: &RunOptions) -> RunOutcome {
    let mut sh = Shell::new(fs, opts);
    let status = match sh.call(argv, &[], 0) {
        Ok(s) | Err(Flow::Exit(s)) => s,
        Err(_) => sh.last_status,
    };
    sh.finish(status)
}

/// Non-local control flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// `exit n` or `set -e` stopping the script.
    Exit(i32),
    /// `break n`.
    Break(usize),
    /// `continue n`.
    Continue(usize),
    /// `return n`.
    Return(i32),
}

pub(crate) type Res = Result<i32, Flow>;

#[derive(Clone, Debug)]
pub(crate) struct Var {
    pub(crate) value: String,
    pub(crate) exported: bool,
}

/// The interpreter state.
pub(crate) struct Shell<'a> {
    pub(crate) fs: &'a mut Fs,
    pub(crate) vars: BTreeMap<String, Var>,
    pub(crate) positional: Vec<String>,
    /// `$0`.
    pub(crate) arg0: String,
    pub(crate) functions: BTreeMap<String, ast::CompoundCommand>,
    pub(crate) cwd: String,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) errexit: bool,
    pub(crate) nounset: bool,
    pub(crate) pipefail: bool,
    pub(crate) xtrace: bool,
    pub(crate) last_status: i32,
    /// Depth of conditions (`if`, `while`, `&&` left sides) where `set -e` does not apply.
    pub(crate) in_condition: usize,
    pub(crate) out: Vec<u8>,
    pub(crate) err: Vec<u8>,
    pub(crate) log: Vec<LogLine>,
    pub(crate) notes: Vec<Note>,
    pub(crate) commands: usize,
    /// How many output captures (pipes, redirections, `$(...)`) are active; at 0, output
    /// goes to the log after every command.
    pub(crate) capture: usize,
    pub(crate) mtime: i64,
    pub(crate) network_disabled: bool,
    pub(crate) seconds: f64,
}

impl<'a> Shell<'a> {
    fn new(fs: &'a mut Fs, opts: &RunOptions) -> Self {
        let mut vars = BTreeMap::new();
        for (k, v) in &opts.env {
            vars.insert(
                k.clone(),
                Var {
                    value: v.clone(),
                    exported: true,
                },
            );
        }
        let mut sh = Self {
            fs,
            vars,
            positional: Vec::new(),
            arg0: "/bin/sh".to_owned(),
            functions: BTreeMap::new(),
            cwd: "/".to_owned(),
            uid: 0,
            gid: 0,
            errexit: false,
            nounset: false,
            pipefail: false,
            xtrace: false,
            last_status: 0,
            in_condition: 0,
            out: Vec::new(),
            err: Vec::new(),
            log: Vec::new(),
            notes: Vec::new(),
            commands: 0,
            capture: 0,
            mtime: opts.mtime,
            network_disabled: opts.network_disabled,
            seconds: 0.0,
        };
        let (uid, gid, home) = sh.lookup_user(&opts.user);
        sh.uid = uid;
        sh.gid = gid;
        sh.vars.entry("HOME".to_owned()).or_insert(Var {
            value: home,
            exported: true,
        });
        let cwd = stowage_vfs::path::normalize(&opts.cwd);
        let meta = Metadata::dir().with_mtime(sh.mtime);
        let _ = sh.fs.create_dir_all(&cwd, &meta);
        sh.cwd = cwd;
        sh
    }

    fn finish(mut self, status: i32) -> RunOutcome {
        self.flush_output();
        RunOutcome {
            status,
            log: self.log,
            notes: self.notes,
            simulated_millis: {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a non-negative duration far below u64::MAX milliseconds"
                )]
                let ms = (self.seconds.max(0.0) * 1000.0) as u64;
                ms
            },
        }
    }

    /// Moves what is left in the top-level buffers into the log.
    fn flush_output(&mut self) {
        let out = std::mem::take(&mut self.out);
        let err = std::mem::take(&mut self.err);
        push_lines(&mut self.log, Stream::Stdout, &out);
        push_lines(&mut self.log, Stream::Stderr, &err);
    }

    /// `uid`, `gid` and home directory of a USER value, from `/etc/passwd` and `/etc/group`.
    pub(crate) fn lookup_user(&self, user: &str) -> (u32, u32, String) {
        if user.is_empty() || user == "root" {
            return (0, 0, "/root".to_owned());
        }
        let (name, group) = user.split_once(':').unwrap_or((user, ""));
        let passwd = self.read_text("/etc/passwd").unwrap_or_default();
        let mut uid = name.parse::<u32>().ok();
        let mut gid = None;
        let mut home = "/".to_owned();
        for line in passwd.lines() {
            let f: Vec<&str> = line.split(':').collect();
            if f.len() >= 6 && (f[0] == name || uid.is_some_and(|u| f[2] == u.to_string())) {
                uid = f[2].parse().ok();
                gid = f[3].parse().ok();
                f[5].clone_into(&mut home);
                break;
            }
        }
        if !group.is_empty() {
            gid = group.parse().ok().or_else(|| {
                let groups = self.read_text("/etc/group").unwrap_or_default();
                groups.lines().find_map(|l| {
                    let f: Vec<&str> = l.split(':').collect();
                    (f.len() >= 3 && f[0] == group).then(|| f[2].parse().ok())?
                })
            });
        }
        let uid = uid.unwrap_or(0);
        (uid, gid.unwrap_or(uid), home)
    }

    // ---- helpers used by applets --------------------------------------------------------

    /// An absolute path for `p` relative to the working directory.
    pub(crate) fn abs(&self, p: &str) -> String {
        if p.starts_with('/') {
            stowage_vfs::path::normalize(p)
        } else {
            stowage_vfs::path::normalize(&format!("{}/{p}", self.cwd))
        }
    }

    pub(crate) fn read_text(&self, path: &str) -> Option<String> {
        let content = self.fs.read(path).ok()?;
        let bytes = content.to_vec(MAX_READ)?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    pub(crate) fn file_meta(&self, mode: u32) -> Metadata {
        Metadata::new(mode)
            .with_owner(self.uid, self.gid)
            .with_mtime(self.mtime)
    }

    pub(crate) fn get_var(&self, name: &str) -> Option<String> {
        if let Ok(n) = name.parse::<usize>() {
            return if n == 0 {
                Some(self.arg0.clone())
            } else {
                self.positional.get(n - 1).cloned()
            };
        }
        match name {
            "?" => Some(self.last_status.to_string()),
            "$" => Some("1".to_owned()),
            "#" => Some(self.positional.len().to_string()),
            "@" | "*" => Some(self.positional.join(" ")),
            "PWD" => Some(self.cwd.clone()),
            "-" => Some(String::new()),
            _ => self.vars.get(name).map(|v| v.value.clone()),
        }
    }

    pub(crate) fn set_var(&mut self, name: &str, value: String) {
        let exported = self.vars.get(name).is_some_and(|v| v.exported);
        self.vars.insert(name.to_owned(), Var { value, exported });
    }

    pub(crate) fn errln(&mut self, text: &str) {
        self.err.extend_from_slice(text.as_bytes());
        self.err.push(b'\n');
    }

    pub(crate) fn outln(&mut self, text: &str) {
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'\n');
    }

    pub(crate) fn note(&mut self, command: &str, message: impl Into<String>) {
        let note = Note {
            command: command.to_owned(),
            message: message.into(),
        };
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    pub(crate) fn vfs_err(&mut self, cmd: &str, e: &VfsError) -> i32 {
        self.errln(&format!("{cmd}: {e}"));
        1
    }

    // ---- execution -----------------------------------------------------------------------

    /// Parses and runs shell text.
    pub(crate) fn run_text(&mut self, text: &str, depth: usize) -> i32 {
        if text.trim().is_empty() {
            return 0;
        }
        let options = brush_parser::ParserOptions::default();
        let program = match brush_parser::Parser::new(text.as_bytes(), &options).parse_program() {
            Ok(p) => p,
            Err(e) => {
                self.errln(&format!("/bin/sh: syntax error: {e}"));
                return 2;
            }
        };
        let mut status = 0;
        for list in &program.complete_commands {
            match self.compound_list(list, depth) {
                Ok(s) => status = s,
                Err(Flow::Exit(s) | Flow::Return(s)) => return s,
                Err(Flow::Break(_) | Flow::Continue(_)) => {}
            }
        }
        status
    }

    pub(crate) fn compound_list(&mut self, list: &ast::CompoundList, depth: usize) -> Res {
        let mut status = 0;
        for item in &list.0 {
            status = self.and_or(&item.0, depth)?;
        }
        Ok(status)
    }

    fn and_or(&mut self, list: &ast::AndOrList, depth: usize) -> Res {
        let has_more = !list.additional.is_empty();
        // The left side of `&&`/`||` does not trigger `set -e`.
        if has_more {
            self.in_condition += 1;
        }
        let first = self.pipeline(&list.first, depth);
        if has_more {
            self.in_condition -= 1;
        }
        let mut status = first?;
        let count = list.additional.len();
        for (i, next) in list.additional.iter().enumerate() {
            let last = i + 1 == count;
            let (run, p) = match next {
                ast::AndOr::And(p) => (status == 0, p),
                ast::AndOr::Or(p) => (status != 0, p),
            };
            if run {
                if !last {
                    self.in_condition += 1;
                }
                let r = self.pipeline(p, depth);
                if !last {
                    self.in_condition -= 1;
                }
                status = r?;
            }
        }
        self.last_status = status;
        if status != 0 && self.errexit && self.in_condition == 0 {
            // A failing `a && b` list whose last command did not run does not stop `set -e`
            // in POSIX; a failing last command does.
            return Err(Flow::Exit(status));
        }
        Ok(status)
    }

    fn pipeline(&mut self, pipeline: &ast::Pipeline, depth: usize) -> Res {
        if pipeline.bang {
            self.in_condition += 1;
        }
        let result = self.pipeline_inner(pipeline, depth);
        if pipeline.bang {
            self.in_condition -= 1;
            let s = result?;
            let s = i32::from(s == 0);
            self.last_status = s;
            return Ok(s);
        }
        result
    }

    fn pipeline_inner(&mut self, pipeline: &ast::Pipeline, depth: usize) -> Res {
        if pipeline.seq.len() == 1 {
            let s = self.command(&pipeline.seq[0], &[], depth)?;
            self.last_status = s;
            return Ok(s);
        }
        let saved = std::mem::take(&mut self.out);
        self.capture += 1;
        let mut input: Vec<u8> = Vec::new();
        let mut statuses = Vec::new();
        let count = pipeline.seq.len();
        for (i, cmd) in pipeline.seq.iter().enumerate() {
            // Each part of a pipeline runs in a subshell: `exit` ends only that part.
            let s = match self.command(cmd, &input, depth) {
                Ok(s) | Err(Flow::Exit(s) | Flow::Return(s)) => s,
                Err(_) => 0,
            };
            statuses.push(s);
            if i + 1 < count {
                input = std::mem::take(&mut self.out);
            }
        }
        self.capture -= 1;
        let produced = std::mem::replace(&mut self.out, saved);
        self.out.extend_from_slice(&produced);
        let status = if self.pipefail {
            statuses
                .iter()
                .rev()
                .find(|s| **s != 0)
                .copied()
                .unwrap_or(0)
        } else {
            statuses.last().copied().unwrap_or(0)
        };
        self.last_status = status;
        Ok(status)
    }

    fn command(&mut self, command: &ast::Command, stdin: &[u8], depth: usize) -> Res {
        let r = self.command_inner(command, stdin, depth);
        if self.capture == 0 {
            self.flush_output();
        }
        r
    }

    fn command_inner(&mut self, command: &ast::Command, stdin: &[u8], depth: usize) -> Res {
        self.commands += 1;
        if self.commands > MAX_COMMANDS {
            self.errln("stowage: the script ran too many commands (an endless loop?); stopped");
            return Err(Flow::Exit(124));
        }
        match command {
            ast::Command::Simple(simple) => self.simple(simple, stdin, depth),
            ast::Command::Compound(compound, redirects) => {
                let redirects: Vec<&ast::IoRedirect> =
                    redirects.iter().flat_map(|r| &r.0).collect();
                self.with_redirects(&redirects, stdin, depth, |sh, input| {
                    sh.compound(compound, input, depth)
                })
            }
            ast::Command::Function(def) => {
                self.functions
                    .insert(def.fname.value.clone(), def.body.0.clone());
                Ok(0)
            }
            ast::Command::ExtendedTest(expr, _) => {
                let s = self.extended_test(&expr.expr, depth)?;
                Ok(i32::from(!s))
            }
        }
    }

    fn extended_test(&mut self, expr: &ast::ExtendedTestExpr, depth: usize) -> Result<bool, Flow> {
        use ast::ExtendedTestExpr as E;
        Ok(match expr {
            E::And(a, b) => self.extended_test(a, depth)? && self.extended_test(b, depth)?,
            E::Or(a, b) => self.extended_test(a, depth)? || self.extended_test(b, depth)?,
            E::Not(a) => !self.extended_test(a, depth)?,
            E::Parenthesized(a) => self.extended_test(a, depth)?,
            E::UnaryTest(pred, w) => {
                let v = self.expand_one(&w.value, depth)?;
                let op = pred.to_string();
                applets::test_unary(self, op.trim(), &v).unwrap_or(false)
            }
            E::BinaryTest(pred, a, b) => {
                let a = self.expand_one(&a.value, depth)?;
                let b_raw = &b.value;
                let op = pred.to_string();
                let op = op.trim();
                if matches!(op, "==" | "=" | "!=") {
                    let pat = self.expand_pattern(b_raw, depth)?;
                    let m = fnmatch(&pat, &a);
                    if op == "!=" { !m } else { m }
                } else {
                    let b = self.expand_one(b_raw, depth)?;
                    applets::test_binary(op, &a, &b).unwrap_or(false)
                }
            }
        })
    }

    fn compound(&mut self, compound: &ast::CompoundCommand, stdin: &[u8], depth: usize) -> Res {
        match compound {
            ast::CompoundCommand::BraceGroup(g) => self.compound_list(&g.list, depth),
            ast::CompoundCommand::Subshell(s) => self.subshell(|sh| {
                let _ = stdin;
                sh.compound_list(&s.list, depth + 1)
            }),
            ast::CompoundCommand::IfClause(clause) => {
                if self.condition(&clause.condition, depth)? {
                    return self.compound_list(&clause.then, depth);
                }
                for e in clause.elses.iter().flatten() {
                    match &e.condition {
                        Some(c) => {
                            if self.condition(c, depth)? {
                                return self.compound_list(&e.body, depth);
                            }
                        }
                        None => return self.compound_list(&e.body, depth),
                    }
                }
                Ok(0)
            }
            ast::CompoundCommand::ForClause(f) => {
                let values = match &f.values {
                    Some(words) => {
                        let mut v = Vec::new();
                        for w in words {
                            v.extend(self.expand_word(&w.value, depth)?);
                        }
                        v
                    }
                    None => self.positional.clone(),
                };
                let mut status = 0;
                for value in values {
                    self.set_var(&f.variable_name, value);
                    match self.compound_list(&f.body.list, depth) {
                        Ok(s) => status = s,
                        Err(Flow::Break(n)) => {
                            if n > 1 {
                                return Err(Flow::Break(n - 1));
                            }
                            break;
                        }
                        Err(Flow::Continue(n)) => {
                            if n > 1 {
                                return Err(Flow::Continue(n - 1));
                            }
                        }
                        Err(e) => return Err(e),
                    }
                }
                Ok(status)
            }
            ast::CompoundCommand::WhileClause(w) | ast::CompoundCommand::UntilClause(w) => {
                let until = matches!(compound, ast::CompoundCommand::UntilClause(_));
                let mut status = 0;
                loop {
                    let c = self.condition(&w.0, depth)?;
                    if c == until {
                        break;
                    }
                    match self.compound_list(&w.1.list, depth) {
                        Ok(s) => status = s,
                        Err(Flow::Break(n)) => {
                            if n > 1 {
                                return Err(Flow::Break(n - 1));
                            }
                            break;
                        }
                        Err(Flow::Continue(n)) => {
                            if n > 1 {
                                return Err(Flow::Continue(n - 1));
                            }
                        }
                        Err(e) => return Err(e),
                    }
                    self.commands += 1;
                    if self.commands > MAX_COMMANDS {
                        self.errln("stowage: the loop ran too long; stopped");
                        return Err(Flow::Exit(124));
                    }
                }
                Ok(status)
            }
            ast::CompoundCommand::CaseClause(c) => {
                let value = self.expand_one(&c.value.value, depth)?;
                for item in &c.cases {
                    let mut hit = false;
                    for p in &item.patterns {
                        let pat = self.expand_pattern(&p.value, depth)?;
                        if fnmatch(&pat, &value) {
                            hit = true;
                            break;
                        }
                    }
                    if hit {
                        return match &item.cmd {
                            Some(list) => self.compound_list(list, depth),
                            None => Ok(0),
                        };
                    }
                }
                Ok(0)
            }
            ast::CompoundCommand::Arithmetic(a) => {
                let v = expand::arith(self, &a.expr.value, depth)?;
                Ok(i32::from(v == 0))
            }
            ast::CompoundCommand::ArithmeticForClause(_) | ast::CompoundCommand::Coprocess(_) => {
                self.note(
                    "sh",
                    "arithmetic for loops and coprocesses are not simulated; skipped",
                );
                Ok(0)
            }
        }
    }

    /// Runs a condition list: `set -e` is off inside it.
    fn condition(&mut self, list: &ast::CompoundList, depth: usize) -> Result<bool, Flow> {
        self.in_condition += 1;
        let r = self.compound_list(list, depth);
        self.in_condition -= 1;
        Ok(r? == 0)
    }

    /// Runs `f` with the variables, options and directory restored afterwards (the
    /// filesystem is shared, as a real subshell's is).
    #[expect(
        clippy::unnecessary_wraps,
        reason = "callers use it where a command result is expected"
    )]
    pub(crate) fn subshell(&mut self, f: impl FnOnce(&mut Self) -> Res) -> Res {
        let vars = self.vars.clone();
        let positional = self.positional.clone();
        let arg0 = self.arg0.clone();
        let functions = self.functions.clone();
        let cwd = self.cwd.clone();
        let opts = (self.errexit, self.nounset, self.pipefail, self.xtrace);
        let r = f(self);
        self.vars = vars;
        self.positional = positional;
        self.arg0 = arg0;
        self.functions = functions;
        self.cwd = cwd;
        (self.errexit, self.nounset, self.pipefail, self.xtrace) = opts;
        match r {
            Ok(s) | Err(Flow::Exit(s) | Flow::Return(s)) => Ok(s),
            Err(_) => Ok(0),
        }
    }

    fn simple(&mut self, simple: &ast::SimpleCommand, stdin: &[u8], depth: usize) -> Res {
        let mut assignments: Vec<(String, String)> = Vec::new();
        let mut words: Vec<String> = Vec::new();
        let mut redirects: Vec<&ast::IoRedirect> = Vec::new();
        let items = simple
            .prefix
            .iter()
            .flat_map(|p| &p.0)
            .map(|i| (i, true))
            .chain(simple.word_or_name.iter().map(|_| (&PLACEHOLDER, false)))
            .chain(simple.suffix.iter().flat_map(|s| &s.0).map(|i| (i, false)));
        for (item, is_prefix) in items {
            if std::ptr::eq(item, &raw const PLACEHOLDER) {
                if let Some(w) = &simple.word_or_name {
                    words.extend(self.expand_word(&w.value, depth)?);
                }
                continue;
            }
            match item {
                ast::CommandPrefixOrSuffixItem::AssignmentWord(a, w) if is_prefix => {
                    let name = a.name.to_string();
                    let raw = match &a.value {
                        ast::AssignmentValue::Scalar(v) => v.value.clone(),
                        ast::AssignmentValue::Array(_) => {
                            let eq = w.value.find('=').map_or(0, |i| i + 1);
                            w.value[eq..].to_owned()
                        }
                    };
                    let value = self.expand_one(&raw, depth)?;
                    if a.append {
                        let old = self.get_var(&name).unwrap_or_default();
                        assignments.push((name, old + &value));
                    } else {
                        assignments.push((name, value));
                    }
                }
                ast::CommandPrefixOrSuffixItem::Word(w)
                | ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => {
                    words.extend(self.expand_word(&w.value, depth)?);
                }
                ast::CommandPrefixOrSuffixItem::IoRedirect(r) => redirects.push(r),
                ast::CommandPrefixOrSuffixItem::ProcessSubstitution(..) => {
                    self.note("sh", "process substitution is not simulated");
                }
            }
        }
        if self.xtrace {
            let line = format!("+ {}", words.join(" "));
            self.errln(&line);
        }
        if words.is_empty() {
            for (k, v) in assignments {
                self.set_var(&k, v);
            }
            return self.with_redirects(&redirects, stdin, depth, |_, _| Ok(0));
        }
        self.with_redirects(&redirects, stdin, depth, |sh, input| {
            if assignments.is_empty() {
                return sh.call(&words, input, depth);
            }
            // `VAR=x cmd`: the variables are set for the command only.
            let saved: Vec<(String, Option<Var>)> = assignments
                .iter()
                .map(|(k, _)| (k.clone(), sh.vars.get(k).cloned()))
                .collect();
            for (k, v) in &assignments {
                sh.vars.insert(
                    k.clone(),
                    Var {
                        value: v.clone(),
                        exported: true,
                    },
                );
            }
            let r = sh.call(&words, input, depth);
            for (k, old) in saved {
                match old {
                    Some(v) => {
                        sh.vars.insert(k, v);
                    }
                    None => {
                        sh.vars.remove(&k);
                    }
                }
            }
            r
        })
    }

    /// Runs `f` with the command's redirections applied to its input and output.
    fn with_redirects(
        &mut self,
        redirects: &[&ast::IoRedirect],
        stdin: &[u8],
        depth: usize,
        f: impl FnOnce(&mut Self, &[u8]) -> Res,
    ) -> Res {
        // Where fd 1 and 2 go.
        #[derive(Clone)]
        enum Target {
            Inherit(u8),
            Null,
            File(String),
        }
        if redirects.is_empty() {
            return f(self, stdin);
        }
        let mut input: Option<Vec<u8>> = None;
        let mut targets = [Target::Inherit(1), Target::Inherit(2)];
        for r in redirects {
            match r {
                ast::IoRedirect::File(fd, kind, target) => {
                    let word = match target {
                        ast::IoFileRedirectTarget::Filename(w)
                        | ast::IoFileRedirectTarget::Duplicate(w) => {
                            self.expand_one(&w.value, depth)?
                        }
                        ast::IoFileRedirectTarget::Fd(n) => n.to_string(),
                        ast::IoFileRedirectTarget::ProcessSubstitution(..) => {
                            self.note("sh", "process substitution is not simulated");
                            continue;
                        }
                    };
                    match kind {
                        ast::IoFileRedirectKind::Read | ast::IoFileRedirectKind::ReadAndWrite => {
                            let path = self.abs(&word);
                            if let Ok(Some(b)) = self.fs.read(&path).map(|c| c.to_vec(MAX_READ)) {
                                input = Some(b);
                            } else {
                                self.errln(&format!("/bin/sh: can't open {word}: no such file"));
                                return Ok(1);
                            }
                        }
                        ast::IoFileRedirectKind::DuplicateInput => {}
                        ast::IoFileRedirectKind::DuplicateOutput => {
                            let fd = fd.unwrap_or(1);
                            let to = match word.as_str() {
                                "1" => targets[0].clone(),
                                "2" => targets[1].clone(),
                                "-" => Target::Null,
                                other => Target::File(self.abs(other)),
                            };
                            if let Some(slot) = usize::try_from(fd - 1)
                                .ok()
                                .and_then(|i| targets.get_mut(i))
                            {
                                *slot = to;
                            }
                        }
                        ast::IoFileRedirectKind::Write
                        | ast::IoFileRedirectKind::Clobber
                        | ast::IoFileRedirectKind::Append => {
                            let append = matches!(kind, ast::IoFileRedirectKind::Append);
                            let fd = fd.unwrap_or(1);
                            let to = if word == "/dev/null" {
                                Target::Null
                            } else if word == "/dev/stderr" {
                                Target::Inherit(2)
                            } else if word == "/dev/stdout" {
                                Target::Inherit(1)
                            } else {
                                let path = self.abs(&word);
                                // The shell creates (or truncates) the file before the command runs.
                                if !append || !self.fs.exists(&path) {
                                    let meta = self.file_meta(0o644);
                                    if let Err(e) = self.write_keep_meta(&path, Vec::new(), meta) {
                                        self.errln(&format!("/bin/sh: can't create {word}: {e}"));
                                        return Ok(1);
                                    }
                                }
                                Target::File(path)
                            };
                            if let Some(slot) = usize::try_from(fd - 1)
                                .ok()
                                .and_then(|i| targets.get_mut(i))
                            {
                                *slot = to;
                            }
                        }
                    }
                }
                ast::IoRedirect::OutputAndError(w, append) => {
                    let word = self.expand_one(&w.value, depth)?;
                    let to = if word == "/dev/null" {
                        Target::Null
                    } else {
                        let path = self.abs(&word);
                        if !append {
                            let meta = self.file_meta(0o644);
                            let _ = self.write_keep_meta(&path, Vec::new(), meta);
                        }
                        Target::File(path)
                    };
                    targets = [to.clone(), to];
                }
                ast::IoRedirect::HereDocument(_, doc) => {
                    let mut body = doc.doc.value.clone();
                    if doc.remove_tabs {
                        body = body
                            .split_inclusive('\n')
                            .map(|l| l.trim_start_matches('\t'))
                            .collect();
                    }
                    if doc.requires_expansion {
                        body = expand::expand_heredoc(self, &body, depth)?;
                    }
                    input = Some(body.into_bytes());
                }
                ast::IoRedirect::HereString(_, w) => {
                    let mut v = self.expand_one(&w.value, depth)?;
                    v.push('\n');
                    input = Some(v.into_bytes());
                }
            }
        }
        let saved_out = std::mem::take(&mut self.out);
        let saved_err = std::mem::take(&mut self.err);
        let stdin_buf = input.unwrap_or_else(|| stdin.to_vec());
        self.capture += 1;
        let result = f(self, &stdin_buf);
        self.capture -= 1;
        let produced = [
            std::mem::replace(&mut self.out, saved_out),
            std::mem::replace(&mut self.err, saved_err),
        ];
        for (bytes, target) in produced.into_iter().zip(targets) {
            match target {
                Target::Inherit(1) => self.out.extend_from_slice(&bytes),
                Target::Inherit(_) => self.err.extend_from_slice(&bytes),
                Target::Null => {}
                Target::File(path) => {
                    if let Err(e) = self.append_file(&path, &bytes) {
                        self.errln(&format!("/bin/sh: {e}"));
                    }
                }
            }
        }
        result
    }

    /// Writes a file, keeping the existing file's metadata when there is one.
    pub(crate) fn write_keep_meta(
        &mut self,
        path: &str,
        bytes: Vec<u8>,
        meta: Metadata,
    ) -> Result<(), VfsError> {
        let meta = match self.fs.stat(path) {
            Ok(stowage_vfs::Entry::File { file, .. }) => {
                let mut m = file.meta.clone();
                m.mtime = self.mtime;
                m
            }
            _ => meta,
        };
        let target = self.fs.resolve(path)?;
        self.fs.write_file(&target, bytes, meta)
    }

    pub(crate) fn append_file(&mut self, path: &str, bytes: &[u8]) -> Result<(), VfsError> {
        let mut data = match self.fs.read(path) {
            Ok(c) => c.to_vec(MAX_READ).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        if bytes.is_empty() && !data.is_empty() {
            return Ok(());
        }
        data.extend_from_slice(bytes);
        let meta = self.file_meta(0o644);
        self.write_keep_meta(path, data, meta)
    }

    /// Runs one command line (after expansion).
    pub(crate) fn call(&mut self, argv: &[String], stdin: &[u8], depth: usize) -> Res {
        let Some(name) = argv.first() else {
            return Ok(0);
        };
        if depth > MAX_DEPTH {
            self.errln("stowage: nested too deeply; stopped");
            return Ok(2);
        }
        if let Some(body) = self.functions.get(name).cloned() {
            let saved = std::mem::replace(&mut self.positional, argv[1..].to_vec());
            let r = self.compound(&body, stdin, depth + 1);
            self.positional = saved;
            return match r {
                Err(Flow::Return(s)) => Ok(s),
                other => other,
            };
        }
        let status = applets::dispatch(self, argv, stdin, depth)?;
        self.last_status = status;
        Ok(status)
    }
}

/// A marker for the command-name position while iterating prefix and suffix items.
static PLACEHOLDER: ast::CommandPrefixOrSuffixItem =
    ast::CommandPrefixOrSuffixItem::Word(ast::Word {
        value: String::new(),
        loc: None,
    });

fn push_lines(log: &mut Vec<LogLine>, stream: Stream, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    let text = String::from_utf8_lossy(bytes);
    for line in text.strip_suffix('\n').unwrap_or(&text).split('\n') {
        log.push(LogLine {
            stream,
            text: line.to_owned(),
        });
    }
}
