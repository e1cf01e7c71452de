//! Keeps the analysis in step with the source: after each edit (and a short pause, so a burst
//! of keystrokes costs one analysis) the source goes to the worker; its answer comes back as
//! [`Action::AnalysisReady`], which the reducer drops if the text has moved on since.

use gloo_timers::callback::Timeout;
use yew::prelude::*;
use yew_agent::worker::WorkerBridge;

use super::lazy_bridge::LazyBridge;
use crate::build::{BuildInput, BuildOutput, BuildTask};
use crate::state::{Action, State};
use crate::worker::AnalysisRequest;

/// How long typing must pause before the worker is asked, in milliseconds. Analysis of a
/// 300-line file takes a few milliseconds in the worker; the pause only saves work during
/// bursts (key repeat, fast typing) and is short enough to feel live.
pub(crate) const DEBOUNCE_MS: u32 = 60;

#[hook]
pub(crate) fn use_analysis(state: &UseReducerHandle<State>) {
    // Its own instance of the worker: analysis never waits behind a build.
    let cell = use_mut_ref(|| None::<WorkerBridge<BuildTask>>);
    let bridge = {
        let dispatcher = state.dispatcher();
        LazyBridge::new(cell, move |output| {
            if let BuildOutput::Analysis(response) = output {
                dispatcher.dispatch(Action::AnalysisReady(response));
            }
        })
    };
    let source = state.source.clone();
    use_effect_with(state.revision, move |&revision| {
        let send = move || bridge.send(BuildInput::Analyze(AnalysisRequest { revision, source }));
        // The first text is analysed at once; edits wait for a pause. A newer edit drops the
        // timer (the cleanup below), so stale text is never sent.
        let timer = Timeout::new(if revision == 0 { 0 } else { DEBOUNCE_MS }, send);
        move || drop(timer)
    });
}
