//! Keeps the analysis in step with the source: after each edit (and a short pause, so a burst
//! of keystrokes costs one analysis) the source goes to the worker; its answer comes back as
//! [`Action::AnalysisReady`], which the reducer drops if the text has moved on since.

use gloo_timers::callback::Timeout;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_agent::oneshot::use_oneshot_runner;

use crate::state::{Action, State};
use crate::worker::{AnalysisRequest, AnalysisTask};

/// How long typing must pause before the worker is asked, in milliseconds. Analysis of a
/// 300-line file takes a few milliseconds in the worker; the pause only saves work during
/// bursts (key repeat, fast typing) and is short enough to feel live.
pub(crate) const DEBOUNCE_MS: u32 = 60;

#[hook]
pub(crate) fn use_analysis(state: &UseReducerHandle<State>) {
    let runner = use_oneshot_runner::<AnalysisTask>();
    let (source, dispatcher) = (state.source.clone(), state.dispatcher());
    use_effect_with(state.revision, move |&revision| {
        let send = move || {
            spawn_local(async move {
                let response = runner.run(AnalysisRequest { revision, source }).await;
                dispatcher.dispatch(Action::AnalysisReady(response));
            });
        };
        // The first text is analysed at once; edits wait for a pause. A newer edit drops the
        // timer (the cleanup below), so stale text is never sent.
        let timer = Timeout::new(if revision == 0 { 0 } else { DEBOUNCE_MS }, send);
        move || drop(timer)
    });
}
