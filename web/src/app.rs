//! The page: header, editor, and the result tabs, all fed from one reducer. The analysis and
//! the builds run in two instances of the app's web worker (`build-worker.js`, see
//! [`crate::build::BuildTask`]).

use std::rc::Rc;

use yew::prelude::*;

use crate::components::{
    BuildControls, BuildLog, BuildSteps, CacheView, ContextPanel, DiagnosticList, Editor,
    ExamplePicker, FindingList, ImportArchive, InstructionList, LayerList, ResultsTabs, RulePanel,
    StageGraph, Terminal,
};
use crate::hooks::{use_analysis, use_build, use_share};
use crate::state::{Action, State, Tab};

/// The app (its workers start on first use, see `hooks/lazy_bridge.rs`).
#[function_component]
pub fn App() -> Html {
    html! {
        <Playground />
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
    let calls = use_build(&state);
    let on_share = use_share(&state, &calls);
    let on_example = {
        let state = state.clone();
        Callback::from(move |name: String| state.dispatch(Action::LoadExample(name)))
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
    let on_add_folder = {
        let state = state.clone();
        Callback::from(move |path: String| state.dispatch(Action::AddFolder(path)))
    };
    let on_rename = {
        let state = state.clone();
        Callback::from(move |(from, to): (String, String)| {
            state.dispatch(Action::RenamePath { from, to });
        })
    };
    let on_files = {
        let state = state.clone();
        Callback::from(move |files: Vec<(String, String)>| state.dispatch(Action::AddFiles(files)))
    };
    let on_no_cache = {
        let state = state.clone();
        Callback::from(move |checked: bool| state.dispatch(Action::SetNoCache(checked)))
    };
    let on_tab = {
        let state = state.clone();
        Callback::from(move |tab: Tab| state.dispatch(Action::SelectTab(tab)))
    };
    let on_theme = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::NextTheme))
    };
    let on_build_args = {
        let state = state.clone();
        Callback::from(move |text: String| state.dispatch(Action::SetBuildArgs(text)))
    };
    let on_target = {
        let state = state.clone();
        Callback::from(move |target: Option<String>| state.dispatch(Action::SetTarget(target)))
    };
    // The theme toggle sets `data-theme` on <html> (the CSS picks the palette from it).
    use_effect_with(state.theme, |theme| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            // Setting or removing an attribute fails only on a bad name.
            let _ = match theme.attribute() {
                Some(value) => root.set_attribute("data-theme", value),
                None => root.remove_attribute("data-theme"),
            };
        }
    });
    let on_lines = {
        let state = state.clone();
        Callback::from(move |(from, to): (u32, u32)| state.dispatch(Action::ShowLines(from, to)))
    };
    let current = state.is_current();
    let building = state.is_building();
    // While building, the streamed lines; afterwards the whole log of the outcome.
    let log = if building {
        state.log.clone()
    } else {
        state
            .build
            .as_ref()
            .map(|b| b.log.clone())
            .unwrap_or_default()
    };
    let counts = vec![
        (
            Tab::Lint,
            state.analysis.findings.len() + state.analysis.diagnostics.len(),
        ),
        (
            Tab::Layers,
            state.build.as_ref().map_or(0, |b| b.layers.len()),
        ),
        (Tab::Stages, state.analysis.stages.len()),
    ];
    let (theme_name, theme_label) = match state.theme {
        crate::state::Theme::System => ("system", "◐ Theme: system"),
        crate::state::Theme::Dark => ("dark", "● Theme: dark"),
        crate::state::Theme::Light => ("light", "○ Theme: light"),
    };
    html! {
        <>
            <header class="top">
                <h1>{ "Stowage" }</h1>
                <p class="tagline">{ "Dockerfile playground: parsed and linted as you type, entirely in your browser" }</p>
                <button type="button" class="reset" onclick={on_reset}>{ "Reset example" }</button>
                <button type="button" class="theme" data-testid="theme" data-theme={theme_name} title="Colour theme: system, dark or light" onclick={on_theme}>
                    { theme_label }
                </button>
                <button type="button" class="build" data-testid="build" disabled={building} onclick={calls.build.clone()}>
                    { if building { "Building…" } else { "Build" } }
                </button>
                <button type="button" class="export" data-testid="export" onclick={calls.export.clone()}
                    disabled={state.exporting || state.build.as_ref().and_then(|b| b.image.as_ref()).is_none()}
                    title={state.export_error.clone().unwrap_or_else(|| "Download the built image as an OCI archive (skopeo inspect oci-archive:FILE reads it)".to_owned())}>
                    { if state.exporting { "Exporting…" } else { "Export OCI" } }
                </button>
                <button type="button" class="share" data-testid="share" onclick={on_share}
                    title="Copy a link that holds the Dockerfile and the build context">{ "Share" }</button>
            </header>
            if let Some((link, true)) = &state.share_link {
                <div class="share-box" role="status">
                    <label for="share-link">{ "Link copied (it holds the Dockerfile and the context):" }</label>
                    <input id="share-link" data-testid="share-link" type="text" readonly=true value={link.clone()}
                        onfocus={Callback::from(|e: FocusEvent| {
                            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                            input.select();
                        })} />
                </div>
            }
            if let Some(error) = &state.share_error {
                <p class="share-error" role="alert">{ format!("The shared link could not be opened: {error}") }</p>
            }
            <ExamplePicker current={state.example} on_load={on_example} />
            <main class="layout">
                <div class="left">
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
                    <ContextPanel
                        files={state.context.clone()}
                        selected={state.selected.clone().map(AttrValue::from)}
                        {on_select}
                        on_edit={on_edit_file}
                        {on_add}
                        {on_delete}
                        folders={state.folders.clone()}
                        {on_add_folder}
                        {on_rename}
                        {on_files}
                    />
                </div>
                <div class="results">
                    <ResultsTabs current={state.tab} on_select={on_tab} counts={counts} />
                    <div class="tab-panel" role="tabpanel" id="panel-lint" aria-labelledby="tab-lint" hidden={state.tab != Tab::Lint}>
                        if let Some(rule) = &state.rule {
                            <RulePanel rule={rule.clone()} on_close={on_close_rule} />
                        }
                        <DiagnosticList analysis={Rc::clone(&state.analysis)} />
                        <FindingList analysis={Rc::clone(&state.analysis)} took_us={state.took_us} analysed={state.analysed} {current} />
                        <InstructionList analysis={Rc::clone(&state.analysis)} />
                    </div>
                    <div class="tab-panel" role="tabpanel" id="panel-build" aria-labelledby="tab-build" hidden={state.tab != Tab::Build}>
                        <BuildControls
                            build_args={AttrValue::from(state.build_args.clone())}
                            target={state.target.clone().map(AttrValue::from)}
                            analysis={Rc::clone(&state.analysis)}
                            no_cache={state.no_cache}
                            {on_build_args}
                            {on_target}
                            {on_no_cache}
                        />
                        <BuildLog lines={log} {building} chunks={state.log_chunks} took_us={state.build.as_ref().and_then(|b| b.took_us)} />
                        <BuildSteps outcome={state.build.clone().filter(|o| o.imported.is_none())} {building} />
                    </div>
                    <div class="tab-panel" role="tabpanel" id="panel-layers" aria-labelledby="tab-layers" hidden={state.tab != Tab::Layers}>
                        <ImportArchive on_import={calls.import.clone()} />
                        <LayerList outcome={state.build.clone()} {on_lines} union={state.union.clone()} on_union={calls.union.clone()} />
                    </div>
                    <div class="tab-panel" role="tabpanel" id="panel-cache" aria-labelledby="tab-cache" hidden={state.tab != Tab::Cache}>
                        <CacheView outcome={state.build.clone()} previous={state.previous.clone()} />
                    </div>
                    <div class="tab-panel" role="tabpanel" id="panel-stages" aria-labelledby="tab-stages" hidden={state.tab != Tab::Stages}>
                        <StageGraph analysis={Rc::clone(&state.analysis)} target={state.target.clone().map(AttrValue::from)} />
                    </div>
                    // The docker-style console (web-tools).
                    <div class="tab-panel" role="tabpanel" id="panel-terminal" aria-labelledby="tab-terminal" hidden={state.tab != Tab::Terminal}>
                        <Terminal entries={Rc::clone(&state.terminal)} history={Rc::clone(&state.terminal_history)} on_submit={calls.terminal.clone()} />
                    </div>
                </div>
            </main>
        </>
    }
}

#[cfg(test)]
mod tests;
