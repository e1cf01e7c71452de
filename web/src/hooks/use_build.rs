//! Runs a build: the Dockerfile and the context go to the build worker (which keeps its
//! engine, so the cache carries over), the rows come back as [`Action::BuildReady`].

use yew::platform::spawn_local;
use yew::prelude::*;
use yew_agent::oneshot::use_oneshot_runner;

use crate::build::{BuildAsk, BuildTask};
use crate::state::{Action, State};

/// The Build button's callback.
#[hook]
pub(crate) fn use_build(state: &UseReducerHandle<State>) -> Callback<MouseEvent> {
    let runner = use_oneshot_runner::<BuildTask>();
    let state = state.clone();
    Callback::from(move |_: MouseEvent| {
        let ask = BuildAsk {
            build: state.builds + 1,
            dockerfile: state.source.clone(),
            context: state.context.clone(),
            no_cache: state.no_cache,
        };
        state.dispatch(Action::BuildStarted);
        let (runner, dispatcher) = (runner.clone(), state.dispatcher());
        spawn_local(async move {
            let outcome = runner.run(ask).await;
            dispatcher.dispatch(Action::BuildReady(outcome));
        });
    })
}
