//! The playground's state: the source text and what the core says about it. Components send
//! [`Action`]s; the reducer is plain Rust, so it is tested natively.

use std::rc::Rc;

use yew::Reducible;

use crate::analysis::{Analysis, analyze};

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
    /// The analysis of `source`, kept in step with it by the reducer. Shared with the
    /// components, so a render clones a pointer, not the rows.
    pub(crate) analysis: Rc<Analysis>,
    /// How long `analysis` took (parse, checks and lint), in microseconds, where the host has
    /// a clock (the browser's `performance.now()`; none in native tests).
    pub(crate) took_us: Option<u32>,
}

/// Milliseconds from the browser's monotonic clock.
#[cfg(target_arch = "wasm32")]
fn now_ms() -> Option<f64> {
    web_sys::window()?.performance().map(|p| p.now())
}

#[cfg(not(target_arch = "wasm32"))]
fn now_ms() -> Option<f64> {
    None
}

impl State {
    pub(crate) fn new(source: impl Into<String>) -> Self {
        let source = source.into();
        let started = now_ms();
        let analysis = Rc::new(analyze(&source));
        let took_us = started.zip(now_ms()).map(|(a, b)| {
            #[expect(
                clippy::cast_sign_loss,
                clippy::cast_possible_truncation,
                reason = "clamped to 0..=u32::MAX microseconds first"
            )]
            let us = ((b - a) * 1000.0).round().clamp(0.0, f64::from(u32::MAX)) as u32;
            us
        });
        Self {
            source,
            analysis,
            took_us,
        }
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
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let source = match action {
            Action::Edit(source) => source,
            Action::Reset => EXAMPLE.to_owned(),
        };
        // Same text, same analysis: returning the same Rc lets Yew skip the re-render.
        if source == self.source {
            return self;
        }
        Rc::new(Self::new(source))
    }
}

#[cfg(test)]
mod tests;
