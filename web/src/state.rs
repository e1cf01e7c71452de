//! The playground's state: the source text and what the core says about it. Components send
//! [`Action`]s; the reducer is plain Rust, so it is tested natively. The analysis comes from
//! the worker: every edit bumps [`State::revision`], and an answer is taken only if it is for
//! the current revision (older ones are stale and dropped).

use std::rc::Rc;

use yew::Reducible;

use crate::analysis::Analysis;
use crate::build::{BuildOutcome, ContextFile};
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

/// A Python app to build: the editor's Dockerfile for the build context below.
pub(crate) const PYTHON_EXAMPLE: &str = "\
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD [\"python\", \"app.py\"]
";

/// The modification time of the example context's files; edits count up from it.
const CONTEXT_MTIME: i64 = 1_700_000_000;

/// The build context the playground starts with: the Python app of [`PYTHON_EXAMPLE`].
pub(crate) fn example_context() -> Vec<ContextFile> {
    [
        (".dockerignore", "__pycache__/\n*.pyc\n.git\n"),
        (
            "app.py",
            "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route(\"/\")\ndef hello():\n    return \"Hello from Stowage\"\n",
        ),
        ("requirements.txt", "flask==3.0.3\n"),
    ]
    .into_iter()
    .map(|(path, text)| ContextFile {
        path: path.to_owned(),
        text: text.to_owned(),
        mtime: CONTEXT_MTIME,
    })
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
    /// The lint rule whose page is open (a code such as `DL3006`).
    pub(crate) rule: Option<String>,
    /// The build context, sorted by path.
    pub(crate) context: Vec<ContextFile>,
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
            selected: Some("app.py".to_owned()),
            builds: 0,
            build: None,
            no_cache: false,
            select: None,
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
    /// Put the Python example (Dockerfile and context) in.
    LoadPython,
    /// Open a context file for editing.
    SelectFile(String),
    /// A context file's text changed.
    EditFile { path: String, text: String },
    /// Add an empty context file (ignored if the path is empty or taken).
    AddFile(String),
    /// Delete a context file.
    DeleteFile(String),
    /// Select Dockerfile lines `from..=to` in the editor (a layer's instruction).
    ShowLines(u32, u32),
    /// Tick or untick `--no-cache`.
    SetNoCache(bool),
    /// A build was sent to the worker.
    BuildStarted,
    /// The build worker answered.
    BuildReady(BuildOutcome),
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
                let Some(rule) = stowage_lint::find(&code) else {
                    return self;
                };
                let code = rule.meta().code.to_owned();
                if self.rule.as_ref() == Some(&code) {
                    return self;
                }
                Rc::new(Self {
                    rule: Some(code),
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
            // Nothing open to close, or `--no-cache` already as asked.
            Action::CloseRule | Action::SetNoCache(_) => self,
            Action::LoadPython => {
                // Keep the engine's memo honest: restored files are newer than any edit.
                let mtime = self.next_mtime();
                let edited = self.edit(PYTHON_EXAMPLE.to_owned());
                let mut next = (*edited).clone();
                next.loaded += 1;
                next.context = example_context();
                for file in &mut next.context {
                    file.mtime = mtime;
                }
                next.selected = Some("app.py".to_owned());
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
                let path = path.trim().trim_start_matches('/').to_owned();
                if path.is_empty()
                    || path.ends_with('/')
                    || self.context.iter().any(|f| f.path == path)
                {
                    return self;
                }
                let mut next = (*self).clone();
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
                let mut next = (*self).clone();
                let before = next.context.len();
                next.context.retain(|f| f.path != path);
                if next.context.len() == before {
                    return self;
                }
                if next.selected.as_ref() == Some(&path) {
                    next.selected = next.context.first().map(|f| f.path.clone());
                }
                Rc::new(next)
            }
            Action::BuildStarted => Rc::new(Self {
                builds: self.builds + 1,
                ..(*self).clone()
            }),
            Action::BuildReady(outcome) => {
                if outcome.build != self.builds {
                    return self;
                }
                Rc::new(Self {
                    build: Some(Rc::new(outcome)),
                    ..(*self).clone()
                })
            }
        }
    }
}

impl State {
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
