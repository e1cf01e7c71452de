//! The page: header, editor, and the two result lists, all fed from one reducer.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::{DiagnosticList, Editor, FindingList, InstructionList};
use crate::state::{Action, State};

#[function_component]
pub(crate) fn App() -> Html {
    let state = use_reducer(State::default);
    let on_edit = {
        let state = state.clone();
        Callback::from(move |source: String| state.dispatch(Action::Edit(source)))
    };
    let on_reset = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Reset))
    };
    html! {
        <>
            <header class="top">
                <h1>{ "Stowage" }</h1>
                <p class="tagline">{ "Dockerfile playground: parsed and linted as you type, entirely in your browser" }</p>
                <button type="button" class="reset" onclick={on_reset}>{ "Reset example" }</button>
            </header>
            <main class="layout">
                <Editor
                    value={AttrValue::from(state.source.clone())}
                    analysis={Rc::clone(&state.analysis)}
                    {on_edit}
                />
                <div class="results">
                    <DiagnosticList analysis={Rc::clone(&state.analysis)} />
                    <FindingList analysis={Rc::clone(&state.analysis)} took_us={state.took_us} />
                    <InstructionList analysis={Rc::clone(&state.analysis)} />
                </div>
            </main>
        </>
    }
}

#[cfg(test)]
mod tests;
