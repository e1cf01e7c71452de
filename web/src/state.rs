//! The playground's state: the source text and what the core says about it. Components send
//! [`Action`]s; the reducer is plain Rust, so it is tested natively. The analysis comes from
//! the worker: every edit bumps [`State::revision`], and an answer is taken only if it is for
//! the current revision (older ones are stale and dropped).

use std::rc::Rc;

use yew::Reducible;

use crate::analysis::Analysis;
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
        }
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
            Action::CloseRule => self,
        }
    }
}

impl State {
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
