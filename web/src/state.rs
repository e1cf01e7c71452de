//! The playground's state: the source text and what the core says about it. Components send
//! [`Action`]s; the reducer is plain Rust, so it is tested natively. The analysis comes from
//! the worker: every edit bumps [`State::revision`], and an answer is taken only if it is for
//! the current revision (older ones are stale and dropped).

use std::rc::Rc;

use yew::Reducible;

use crate::analysis::Analysis;
use crate::build::{BuildOutcome, ContextFile, Shared, TerminalReply};
use crate::worker::AnalysisResponse;

/// What the editor starts with: short, valid, and showing a continuation and the exec form.
pub(crate) const EXAMPLE: &str = "\
# syntax=docker/dockerfile:1
FROM alpine:3.20 AS build
RUN apk add --no-cache \\
    curl \\
    git
WORKDIR /src
COPY . .

FROM alpine:3.20
COPY --from=build /src /app
ENV PORT=8080
EXPOSE 8080
CMD [\"/app/serve\", \"--port\", \"8080\"]
";

/// The modification time of the example context's files; edits count up from it.
const CONTEXT_MTIME: i64 = 1_700_000_000;

/// The example whose context the playground starts with.
pub(crate) const START_EXAMPLE: &str = "python-app";

/// The Dockerfile of the example the context starts with (for tests).
#[cfg(test)]
pub(crate) fn python_dockerfile() -> &'static str {
    crate::examples::find(START_EXAMPLE).map_or("", |e| e.dockerfile)
}

/// The build context the playground starts with: the Python app's (`static/examples/python-app`).
pub(crate) fn example_context() -> Vec<ContextFile> {
    crate::examples::find(START_EXAMPLE).map_or_else(Vec::new, |e| e.context(CONTEXT_MTIME))
}

/// The tabs of the results area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tab {
    /// Diagnostics, lint findings, instructions.
    Lint,
    /// Build controls, the live log and the steps.
    Build,
    /// The layer explorer (a build's image or an imported archive).
    Layers,
    /// HIT/MISS of the latest build beside the one before.
    Cache,
    /// The stage graph.
    Stages,
    /// The docker-style console.
    Terminal,
}

impl Tab {
    /// Every tab, in order (arrow keys move along it).
    pub(crate) const ALL: [Tab; 6] = [
        Tab::Lint,
        Tab::Build,
        Tab::Layers,
        Tab::Cache,
        Tab::Stages,
        Tab::Terminal,
    ];

    /// `lint`, `build`, … (ids and test hooks).
    pub(crate) fn id(self) -> &'static str {
        match self {
            Tab::Lint => "lint",
            Tab::Build => "build",
            Tab::Layers => "layers",
            Tab::Cache => "cache",
            Tab::Stages => "stages",
            Tab::Terminal => "terminal",
        }
    }

    /// The tab's label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Tab::Lint => "Lint",
            Tab::Build => "Build",
            Tab::Layers => "Layers",
            Tab::Cache => "Cache",
            Tab::Stages => "Stages",
            Tab::Terminal => "Terminal",
        }
    }

    /// The tab `step` places along (wrapping), for the arrow keys.
    pub(crate) fn moved(self, step: isize) -> Tab {
        let at = Tab::ALL.iter().position(|&t| t == self).unwrap_or(0);
        let len = Tab::ALL.len().cast_signed();
        Tab::ALL[(at.cast_signed() + step).rem_euclid(len).cast_unsigned()]
    }
}

/// The colour theme: the system's (`prefers-color-scheme`) unless the toggle picked one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    /// `data-theme` on `<html>` (`None` follows the system).
    pub(crate) fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }

    /// The toggle's next choice: system → dark → light → system.
    pub(crate) fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Dark,
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::System,
        }
    }
}

/// One directory of the union filesystem at a layer, as the worker listed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnionView {
    /// Layer index (0-based, base first).
    pub(crate) layer: usize,
    pub(crate) dir: String,
    /// `None` until the worker answers.
    pub(crate) entries: Option<Vec<crate::explore::FileRow>>,
    pub(crate) more: usize,
}

/// `KEY=VALUE` lines as build args: blank lines and `#` comments skipped, a line without `=`
/// is `KEY` with an empty value, later lines win.
pub(crate) fn parse_build_args(text: &str) -> std::collections::BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (key, value) = l.split_once('=').unwrap_or((l, ""));
            (key.trim().to_owned(), value.to_owned())
        })
        .filter(|(key, _)| !key.is_empty())
        .collect()
}

/// The playground's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct State {
    /// The Dockerfile being edited.
    pub(crate) source: String,
    /// Counts edits: the analysis asked for an edit carries it.
    pub(crate) revision: u64,
    /// Counts the times the app replaced the text itself (Reset), as opposed to the user
    /// typing: only then does the editor take the text from the state.
    pub(crate) loaded: u64,
    /// The latest analysis taken. Shared with the components, so a render clones a pointer.
    pub(crate) analysis: Rc<Analysis>,
    /// The revision `analysis` describes; `None` before the first answer.
    pub(crate) analysed: Option<u64>,
    /// How long the worker took for `analysis`, in microseconds (when it has a clock).
    pub(crate) took_us: Option<u32>,
    /// The lint rule whose page is open (taken from the analysis that had its finding, so it
    /// stays open after the finding is fixed).
    pub(crate) rule: Option<crate::analysis::RuleRow>,
    /// The build context, sorted by path.
    pub(crate) context: Vec<ContextFile>,
    /// Folders made by hand that hold no file yet (others follow from the file paths).
    pub(crate) folders: Vec<String>,
    /// The context file open for editing.
    pub(crate) selected: Option<String>,
    /// Counts the builds asked for; an answer is taken only for the latest.
    pub(crate) builds: u64,
    /// The latest build's outcome.
    pub(crate) build: Option<Rc<BuildOutcome>>,
    /// Build with `--no-cache`.
    pub(crate) no_cache: bool,
    /// Lines to select in the editor (1-based, inclusive), counted so a repeat selects again.
    pub(crate) select: Option<(u64, u32, u32)>,
    /// The results tab shown.
    pub(crate) tab: Tab,
    /// The colour theme.
    pub(crate) theme: Theme,
    /// Build args as typed, one `KEY=VALUE` a line.
    pub(crate) build_args: String,
    /// `--target` (a stage name or index); `None` builds the last stage.
    pub(crate) target: Option<String>,
    /// The running build's log so far (the outcome has the whole log once it is done).
    pub(crate) log: Vec<String>,
    /// How many pieces of the running (or latest) build's log arrived before its outcome:
    /// more than one shows the log streamed.
    pub(crate) log_chunks: u32,
    /// The build before the latest, for the cache comparison.
    pub(crate) previous: Option<Rc<BuildOutcome>>,
    /// The union view open in the layer explorer.
    pub(crate) union: Option<UnionView>,
    /// The example last loaded (its name), whose explanation is shown.
    pub(crate) example: Option<&'static str>,
    /// The terminal's commands and answers, oldest first.
    pub(crate) terminal: Rc<Vec<TerminalEntry>>,
    /// Command lines typed in the terminal, oldest first (for ↑/↓).
    pub(crate) terminal_history: Rc<Vec<String>>,
    /// Counts the commands sent to the worker: the next one's [`TerminalEntry::id`].
    pub(crate) terminal_sent: u64,
    /// An OCI archive export is on its way from the worker.
    pub(crate) exporting: bool,
    /// Why the last export failed.
    pub(crate) export_error: Option<String>,
    /// The start-up restore (share link or local storage) is done: only then is the state
    /// kept, so a fresh page never overwrites the stored one.
    pub(crate) restored: bool,
    /// The latest share link, and whether the Share button asked for it (then it is shown).
    pub(crate) share_link: Option<(String, bool)>,
    /// Why a share link could not be read.
    pub(crate) share_error: Option<String>,
}

impl State {
    pub(crate) fn new(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            revision: 0,
            loaded: 0,
            analysis: Rc::default(),
            analysed: None,
            took_us: None,
            rule: None,
            context: example_context(),
            folders: Vec::new(),
            selected: Some("app.py".to_owned()),
            builds: 0,
            build: None,
            no_cache: false,
            select: None,
            tab: Tab::Lint,
            theme: Theme::System,
            build_args: String::new(),
            target: None,
            log: Vec::new(),
            log_chunks: 0,
            previous: None,
            union: None,
            example: None,
            terminal: Rc::default(),
            terminal_history: Rc::default(),
            terminal_sent: 0,
            exporting: false,
            export_error: None,
            restored: false,
            share_link: None,
            share_error: None,
        }
    }

    /// Whether a build was asked for and has not answered yet.
    pub(crate) fn is_building(&self) -> bool {
        self.build.as_ref().map_or(0, |b| b.build) < self.builds
    }

    /// Whether `analysis` describes `source` (otherwise a fresh one is on its way).
    pub(crate) fn is_current(&self) -> bool {
        self.analysed == Some(self.revision)
    }
}

impl Default for State {
    fn default() -> Self {
        Self::new(EXAMPLE)
    }
}

/// One command typed in the terminal and the worker's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TerminalEntry {
    pub(crate) id: u64,
    pub(crate) command: String,
    pub(crate) output: Vec<String>,
    /// The exit status; `None` while the worker runs it.
    pub(crate) status: Option<i32>,
}

/// Everything that can change the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// The editor's text changed.
    Edit(String),
    /// Put the example back.
    Reset,
    /// The worker answered.
    AnalysisReady(AnalysisResponse),
    /// Open a lint rule's documentation.
    ShowRule(String),
    /// Close it.
    CloseRule,
    /// Put an example (its Dockerfile and context, `static/examples/<name>`) in.
    LoadExample(String),
    /// A line was entered in the terminal (`clear` empties it; others go to the worker).
    TerminalSubmit(String),
    /// The worker answered terminal command `id` (its [`TerminalEntry::id`]).
    TerminalReady { id: u64, reply: TerminalReply },
    /// The latest image was asked for as an OCI archive.
    ExportStarted,
    /// The download was offered (`None`) or failed (why).
    ExportDone(Option<String>),
    /// A share link (from the URL or local storage) was read: put its state in, or say why not.
    Restore(Result<Shared, String>),
    /// There was no share link to read on start.
    NothingToRestore,
    /// The worker encoded the state as a link (`copied`: for the Share button).
    ShareLinkReady { link: String, copied: bool },
    /// Open a context file for editing.
    SelectFile(String),
    /// A context file's text changed.
    EditFile { path: String, text: String },
    /// Add an empty context file (ignored if the path is empty or taken).
    AddFile(String),
    /// Add an empty folder (ignored if the path is empty or taken).
    AddFolder(String),
    /// Rename (move) a file or a folder with everything in it; refused when the new path is
    /// taken or inside the old one.
    RenamePath { from: String, to: String },
    /// Files read from disk (picked or dropped): `(relative path, text)`; existing paths are
    /// overwritten.
    AddFiles(Vec<(String, String)>),
    /// Delete a context file, or a folder with everything in it.
    DeleteFile(String),
    /// Select Dockerfile lines `from..=to` in the editor (a layer's instruction).
    ShowLines(u32, u32),
    /// Tick or untick `--no-cache`.
    SetNoCache(bool),
    /// A build was sent to the worker.
    BuildStarted,
    /// The build worker answered.
    BuildReady(BuildOutcome),
    /// More log lines of build `build`, while it runs.
    BuildLog { build: u64, lines: Vec<String> },
    /// An archive was sent to the build worker to import (it answers with `BuildReady`).
    ImportStarted,
    /// Show a results tab.
    SelectTab(Tab),
    /// The theme toggle.
    NextTheme,
    /// The build args text changed.
    SetBuildArgs(String),
    /// The target stage changed (`None`: the last stage).
    SetTarget(Option<String>),
    /// Open directory `dir` of the union filesystem at layer `layer` (`None` closes the view).
    OpenUnion(Option<(usize, String)>),
    /// The worker listed a union directory.
    UnionReady {
        layer: usize,
        dir: String,
        entries: Vec<crate::explore::FileRow>,
        more: usize,
    },
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Edit(source) => self.edit(source),
            Action::Reset => {
                let edited = self.edit(EXAMPLE.to_owned());
                Rc::new(Self {
                    loaded: edited.loaded + 1,
                    ..(*edited).clone()
                })
            }
            Action::AnalysisReady(response) => {
                if response.revision != self.revision || self.analysed == Some(self.revision) {
                    return self;
                }
                Rc::new(Self {
                    analysis: Rc::new(response.analysis),
                    analysed: Some(response.revision),
                    took_us: response.took_us,
                    ..(*self).clone()
                })
            }
            Action::ShowRule(code) => {
                // Only rules with a finding have their page in the analysis.
                let Some(rule) = self.analysis.rule(&code) else {
                    return self;
                };
                if self.rule.as_ref() == Some(rule) {
                    return self;
                }
                Rc::new(Self {
                    rule: Some(rule.clone()),
                    tab: Tab::Lint,
                    ..(*self).clone()
                })
            }
            Action::CloseRule if self.rule.is_some() => Rc::new(Self {
                rule: None,
                ..(*self).clone()
            }),
            Action::ShowLines(from, to) => Rc::new(Self {
                select: Some((self.select.map_or(1, |(n, _, _)| n + 1), from, to)),
                ..(*self).clone()
            }),
            Action::SetNoCache(no_cache) if no_cache != self.no_cache => Rc::new(Self {
                no_cache,
                ..(*self).clone()
            }),
            Action::SelectTab(tab) if tab != self.tab => Rc::new(Self {
                tab,
                ..(*self).clone()
            }),
            Action::SetBuildArgs(text) if text != self.build_args => Rc::new(Self {
                build_args: text,
                ..(*self).clone()
            }),
            Action::SetTarget(target) if target != self.target => Rc::new(Self {
                target,
                ..(*self).clone()
            }),
            // Nothing open to close, `--no-cache`, the tab, the args or the target already as asked.
            Action::CloseRule
            | Action::SetNoCache(_)
            | Action::SelectTab(_)
            | Action::SetBuildArgs(_)
            | Action::SetTarget(_) => self,
            Action::LoadExample(name) => {
                let Some(example) = crate::examples::find(&name) else {
                    return self;
                };
                // Keep the engine's memo honest: loaded files are newer than any edit.
                let mtime = self.next_mtime();
                let edited = self.edit(example.dockerfile.to_owned());
                let mut next = (*edited).clone();
                next.loaded += 1;
                next.context = example.context(mtime);
                next.folders = Vec::new();
                // Open the first file that is not a dotfile (the code rather than the ignores).
                next.selected = next
                    .context
                    .iter()
                    .find(|f| !f.path.starts_with('.'))
                    .or(next.context.first())
                    .map(|f| f.path.clone());
                next.example = Some(example.name);
                Rc::new(next)
            }
            Action::SelectFile(path) => {
                if self.selected.as_ref() == Some(&path)
                    || !self.context.iter().any(|f| f.path == path)
                {
                    return self;
                }
                Rc::new(Self {
                    selected: Some(path),
                    ..(*self).clone()
                })
            }
            Action::EditFile { path, text } => {
                let mtime = self.next_mtime();
                let mut next = (*self).clone();
                let Some(file) = next.context.iter_mut().find(|f| f.path == path) else {
                    return self;
                };
                if file.text == text {
                    return self;
                }
                file.text = text;
                file.mtime = mtime;
                Rc::new(next)
            }
            Action::AddFile(path) => {
                if path.trim().ends_with('/') {
                    return self.reduce(Action::AddFolder(path));
                }
                let Some(path) = crate::context_tree::clean_path(&path) else {
                    return self;
                };
                if self.path_taken(&path)
                    || crate::context_tree::all_dirs(&self.context, &self.folders).contains(&path)
                {
                    return self;
                }
                let mut next = (*self).clone();
                next.folders
                    .retain(|d| !crate::context_tree::is_within(&path, d));
                next.context.push(ContextFile {
                    path: path.clone(),
                    text: String::new(),
                    mtime: self.next_mtime(),
                });
                next.context.sort_by(|a, b| a.path.cmp(&b.path));
                next.selected = Some(path);
                Rc::new(next)
            }
            Action::DeleteFile(path) => {
                use crate::context_tree::is_within;
                let mut next = (*self).clone();
                let before = (next.context.len(), next.folders.len());
                let is_file = next.context.iter().any(|f| f.path == path);
                next.context.retain(|f| {
                    if is_file {
                        f.path != path
                    } else {
                        !is_within(&f.path, &path)
                    }
                });
                if !is_file {
                    next.folders.retain(|d| !is_within(d, &path));
                }
                if (next.context.len(), next.folders.len()) == before {
                    return self;
                }
                if next
                    .selected
                    .as_ref()
                    .is_some_and(|s| !next.context.iter().any(|f| f.path == *s))
                {
                    next.selected = next.context.first().map(|f| f.path.clone());
                }
                Rc::new(next)
            }
            Action::AddFolder(path) => {
                let Some(path) = crate::context_tree::clean_path(&path) else {
                    return self;
                };
                if self.path_taken(&path)
                    || crate::context_tree::all_dirs(&self.context, &self.folders).contains(&path)
                {
                    return self;
                }
                let mut next = (*self).clone();
                next.folders.push(path);
                next.folders.sort();
                Rc::new(next)
            }
            Action::RenamePath { from, to } => {
                use crate::context_tree::{all_dirs, is_within, moved};
                let Some(to) = crate::context_tree::clean_path(&to) else {
                    return self;
                };
                let is_file = self.context.iter().any(|f| f.path == from);
                let is_dir = all_dirs(&self.context, &self.folders).contains(&from);
                if to == from
                    || !(is_file || is_dir)
                    || is_within(&to, &from)
                    || self.path_taken(&to)
                    || all_dirs(&self.context, &self.folders).contains(&to)
                {
                    return self;
                }
                let mtime = self.next_mtime();
                let mut next = (*self).clone();
                for file in &mut next.context {
                    if is_within(&file.path, &from) {
                        file.path = moved(&file.path, &from, &to);
                        file.mtime = mtime;
                    }
                }
                for dir in &mut next.folders {
                    if is_within(dir, &from) {
                        *dir = moved(dir, &from, &to);
                    }
                }
                if let Some(selected) = next.selected.as_mut()
                    && is_within(selected, &from)
                {
                    *selected = moved(selected, &from, &to);
                }
                next.context.sort_by(|a, b| a.path.cmp(&b.path));
                next.folders.sort();
                Rc::new(next)
            }
            Action::AddFiles(files) => {
                let mtime = self.next_mtime();
                let mut next = (*self).clone();
                let mut first = None;
                for (path, text) in files {
                    let Some(path) = crate::context_tree::clean_path(&path) else {
                        continue;
                    };
                    first.get_or_insert_with(|| path.clone());
                    next.folders
                        .retain(|d| !crate::context_tree::is_within(&path, d));
                    match next.context.iter_mut().find(|f| f.path == path) {
                        Some(file) => {
                            file.text = text;
                            file.mtime = mtime;
                        }
                        None => next.context.push(ContextFile { path, text, mtime }),
                    }
                }
                if first.is_none() {
                    return self;
                }
                next.context.sort_by(|a, b| a.path.cmp(&b.path));
                next.selected = first;
                // A project's own Dockerfile goes into the editor too (and stays in the
                // context, where `COPY . .` would find it as docker's would).
                let dockerfile = next
                    .context
                    .iter()
                    .find(|f| f.path == "Dockerfile" && f.mtime == mtime)
                    .map(|f| f.text.clone());
                if let Some(dockerfile) = dockerfile {
                    let loaded = next.loaded;
                    let edited = Rc::new(next).edit(dockerfile);
                    let mut next = (*edited).clone();
                    next.loaded = loaded + 1;
                    next.example = None;
                    return Rc::new(next);
                }
                Rc::new(next)
            }
            Action::TerminalSubmit(line) => {
                let command = line.trim().to_owned();
                let mut next = (*self).clone();
                if command.is_empty() {
                    return self;
                }
                if next.terminal_history.last() != Some(&command) {
                    Rc::make_mut(&mut next.terminal_history).push(command.clone());
                }
                if command == "clear" {
                    next.terminal = Rc::default();
                } else {
                    let id = next.terminal_sent;
                    next.terminal_sent += 1;
                    Rc::make_mut(&mut next.terminal).push(TerminalEntry {
                        id,
                        command,
                        output: Vec::new(),
                        status: None,
                    });
                }
                Rc::new(next)
            }
            Action::Restore(Ok(shared)) => {
                let mtime = self.next_mtime();
                let edited = self.edit(shared.dockerfile);
                let mut next = (*edited).clone();
                next.loaded += 1;
                next.restored = true;
                next.example = None;
                next.folders = Vec::new();
                next.context = shared
                    .files
                    .into_iter()
                    .map(|(path, text)| ContextFile { path, text, mtime })
                    .collect();
                next.selected = next
                    .context
                    .iter()
                    .find(|f| !f.path.starts_with('.'))
                    .or(next.context.first())
                    .map(|f| f.path.clone());
                Rc::new(next)
            }
            Action::Restore(Err(error)) => Rc::new(Self {
                restored: true,
                share_error: Some(error),
                ..(*self).clone()
            }),
            Action::NothingToRestore => Rc::new(Self {
                restored: true,
                ..(*self).clone()
            }),
            Action::ShareLinkReady { link, copied } => {
                // An autosave keeps the Share button's box open.
                let shown = copied || self.share_link.as_ref().is_some_and(|(_, s)| *s);
                Rc::new(Self {
                    share_link: Some((link, shown)),
                    ..(*self).clone()
                })
            }
            Action::ExportStarted => Rc::new(Self {
                exporting: true,
                export_error: None,
                ..(*self).clone()
            }),
            Action::ExportDone(error) => Rc::new(Self {
                exporting: false,
                export_error: error,
                ..(*self).clone()
            }),
            Action::TerminalReady { id, reply } => {
                let mut next = (*self).clone();
                let Some(entry) = Rc::make_mut(&mut next.terminal)
                    .iter_mut()
                    .find(|e| e.id == id && e.status.is_none())
                else {
                    return self;
                };
                entry.output = reply.output;
                entry.status = Some(reply.status);
                Rc::new(next)
            }
            Action::BuildStarted => Rc::new(Self {
                builds: self.builds + 1,
                log: Vec::new(),
                log_chunks: 0,
                tab: Tab::Build,
                ..(*self).clone()
            }),
            Action::ImportStarted => Rc::new(Self {
                builds: self.builds + 1,
                log: Vec::new(),
                log_chunks: 0,
                tab: Tab::Layers,
                ..(*self).clone()
            }),
            Action::BuildReady(outcome) => {
                if outcome.build != self.builds {
                    return self;
                }
                // The comparison is between builds: an import keeps the last build as it is.
                let previous = match &self.build {
                    Some(last) if last.imported.is_none() && outcome.imported.is_none() => {
                        Some(Rc::clone(last))
                    }
                    _ => self.previous.clone(),
                };
                Rc::new(Self {
                    build: Some(Rc::new(outcome)),
                    previous,
                    log: Vec::new(),
                    union: None,
                    ..(*self).clone()
                })
            }
            Action::BuildLog { build, lines } => {
                if build != self.builds || !self.is_building() {
                    return self;
                }
                let mut next = (*self).clone();
                next.log.extend(lines);
                next.log_chunks += 1;
                Rc::new(next)
            }
            Action::NextTheme => Rc::new(Self {
                theme: self.theme.next(),
                ..(*self).clone()
            }),
            Action::OpenUnion(open) => Rc::new(Self {
                union: open.map(|(layer, dir)| UnionView {
                    layer,
                    dir,
                    entries: None,
                    more: 0,
                }),
                ..(*self).clone()
            }),
            Action::UnionReady {
                layer,
                dir,
                entries,
                more,
            } => {
                let Some(open) = &self.union else {
                    return self;
                };
                if open.layer != layer || open.dir != dir {
                    return self;
                }
                Rc::new(Self {
                    union: Some(UnionView {
                        layer,
                        dir,
                        entries: Some(entries),
                        more,
                    }),
                    ..(*self).clone()
                })
            }
        }
    }
}

impl State {
    /// Whether a file already has `path`, or `path` would put a file where a file is (`a/b`
    /// when `a` is a file).
    fn path_taken(&self, path: &str) -> bool {
        self.context
            .iter()
            .any(|f| f.path == path || crate::context_tree::is_within(path, &f.path))
    }

    /// A modification time later than every context file's.
    fn next_mtime(&self) -> i64 {
        self.context
            .iter()
            .map(|f| f.mtime)
            .max()
            .unwrap_or(CONTEXT_MTIME)
            + 1
    }

    fn edit(self: Rc<Self>, source: String) -> Rc<Self> {
        // Same text, same state: returning the same Rc lets Yew skip the re-render.
        if source == self.source {
            return self;
        }
        Rc::new(Self {
            source,
            revision: self.revision + 1,
            ..(*self).clone()
        })
    }
}

#[cfg(test)]
mod tests;
