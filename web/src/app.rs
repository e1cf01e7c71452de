//! The page: header, editor, and the result lists, all fed from one reducer. The analysis
//! runs in a web worker (`worker.js`, see [`crate::worker`]).

use std::rc::Rc;

use yew::prelude::*;
use yew_agent::oneshot::OneshotProvider;

use crate::build::BuildTask;
use crate::components::{
    BuildSteps, ContextPanel, DiagnosticList, Editor, FindingList, InstructionList, LayerList,
    RulePanel,
};
use crate::hooks::{use_analysis, use_build};
use crate::state::{Action, State};
use crate::worker::AnalysisTask;

/// Where Trunk puts the worker's script (`data-bin="worker"` in `web/index.html`), relative
/// to the page.
const WORKER_PATH: &str = "worker.js";
/// Where Trunk puts the build worker's script (`data-bin="build-worker"`).
const BUILD_WORKER_PATH: &str = "build-worker.js";

/// The app: the playground inside the provider of its analysis worker.
#[function_component]
pub fn App() -> Html {
    html! {
        <OneshotProvider<AnalysisTask> path={WORKER_PATH}>
            <OneshotProvider<BuildTask> path={BUILD_WORKER_PATH}>
                <Playground />
            </OneshotProvider<BuildTask>>
        </OneshotProvider<AnalysisTask>>
    }
}

#[function_component]
pub(crate) fn Playground() -> Html {
    let state = use_reducer(State::default);
    use_analysis(&state);
    let on_edit = {
        let state = state.clone();
        Callback::from(move |source: String| state.dispatch(Action::Edit(source)))
    };
    let on_rule = {
        let state = state.clone();
        Callback::from(move |code: String| state.dispatch(Action::ShowRule(code)))
    };
    let on_close_rule = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(Action::CloseRule))
    };
    let on_reset = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Reset))
    };
    let on_build = use_build(&state);
    let on_python = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::LoadPython))
    };
    let on_select = {
        let state = state.clone();
        Callback::from(move |path: String| state.dispatch(Action::SelectFile(path)))
    };
    let on_edit_file = {
        let state = state.clone();
        Callback::from(move |(path, text): (String, String)| {
            state.dispatch(Action::EditFile { path, text });
        })
    };
    let on_add = {
        let state = state.clone();
        Callback::from(move |path: String| state.dispatch(Action::AddFile(path)))
    };
    let on_delete = {
        let state = state.clone();
        Callback::from(move |path: String| state.dispatch(Action::DeleteFile(path)))
    };
    let on_no_cache = {
        let state = state.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            state.dispatch(Action::SetNoCache(input.checked()));
        })
    };
    let on_lines = {
        let state = state.clone();
        Callback::from(move |(from, to): (u32, u32)| state.dispatch(Action::ShowLines(from, to)))
    };
    let current = state.is_current();
    let building = state.is_building();
    html! {
        <>
            <header class="top">
                <h1>{ "Stowage" }</h1>
                <p class="tagline">{ "Dockerfile playground: parsed and linted as you type, entirely in your browser" }</p>
                <button type="button" class="reset" onclick={on_reset}>{ "Reset example" }</button>
                <button type="button" class="reset" data-testid="load-python" onclick={on_python}>{ "Python example" }</button>
                <label class="no-cache">
                    <input type="checkbox" data-testid="no-cache" checked={state.no_cache} onchange={on_no_cache} />
                    { "--no-cache" }
                </label>
                <button type="button" class="build" data-testid="build" disabled={building} onclick={on_build}>
                    { if building { "Building…" } else { "Build" } }
                </button>
            </header>
            <main class="layout">
                <Editor
                    value={AttrValue::from(state.source.clone())}
                    loaded={state.loaded}
                    analysis={Rc::clone(&state.analysis)}
                    analysed={state.analysed}
                    select={state.select}
                    {current}
                    {on_edit}
                    {on_rule}
                />
                <div class="results">
                    if let Some(code) = &state.rule {
                        <RulePanel code={AttrValue::from(code.clone())} on_close={on_close_rule} />
                    }
                    <DiagnosticList analysis={Rc::clone(&state.analysis)} />
                    <FindingList analysis={Rc::clone(&state.analysis)} took_us={state.took_us} analysed={state.analysed} {current} />
                    <InstructionList analysis={Rc::clone(&state.analysis)} />
                    <ContextPanel
                        files={state.context.clone()}
                        selected={state.selected.clone().map(AttrValue::from)}
                        {on_select}
                        on_edit={on_edit_file}
                        {on_add}
                        {on_delete}
                    />
                    <BuildSteps outcome={state.build.clone()} {building} />
                    <LayerList outcome={state.build.clone()} {on_lines} />
                </div>
            </main>
        </>
    }
}

#[cfg(test)]
mod tests;
