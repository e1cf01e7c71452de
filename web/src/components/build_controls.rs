//! The build's options: build args (`KEY=VALUE` lines, passed as `--build-arg`), the target
//! stage (a select of the Dockerfile's stages, `--target`) and `--no-cache`.

use std::rc::Rc;

use yew::prelude::*;

use crate::analysis::{Analysis, StageRow};

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct BuildControlsProps {
    pub(crate) build_args: AttrValue,
    pub(crate) target: Option<AttrValue>,
    pub(crate) analysis: Rc<Analysis>,
    pub(crate) no_cache: bool,
    pub(crate) on_build_args: Callback<String>,
    pub(crate) on_target: Callback<Option<String>>,
    pub(crate) on_no_cache: Callback<bool>,
}

/// The value `--target` gets for stage `index`: its name, or its index when unnamed.
pub(crate) fn target_value(stage: &StageRow, index: usize) -> String {
    stage.name.clone().unwrap_or_else(|| index.to_string())
}

#[function_component]
pub(crate) fn BuildControls(props: &BuildControlsProps) -> Html {
    let on_args = props.on_build_args.reform(|event: InputEvent| {
        let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
        area.value()
    });
    let on_target = props.on_target.reform(|event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        Some(select.value()).filter(|v| !v.is_empty())
    });
    let on_no_cache = props.on_no_cache.reform(|event: Event| {
        let input: web_sys::HtmlInputElement = event.target_unchecked_into();
        input.checked()
    });
    let target = props.target.as_deref().unwrap_or_default();
    let last = props.analysis.stages.len().saturating_sub(1);
    html! {
        <fieldset class="build-controls" data-testid="build-controls">
            <legend>{ "Build options" }</legend>
            <label class="field">
                <span>{ "Build args " }<small>{ "(one KEY=VALUE a line)" }</small></span>
                <textarea
                    data-testid="build-args"
                    rows="2"
                    spellcheck="false"
                    placeholder="VERSION=1.2"
                    value={props.build_args.clone()}
                    oninput={on_args}
                />
            </label>
            <label class="field">
                <span>{ "Target stage" }</span>
                <select data-testid="target" onchange={on_target}>
                    <option value="" selected={target.is_empty()}>{ "last stage (default)" }</option>
                    { for props.analysis.stages.iter().enumerate().map(|(i, stage)| {
                        let value = target_value(stage, i);
                        let label = format!("{} — FROM {}{}", stage.label(i), stage.base, if i == last { " (last)" } else { "" });
                        let selected = value == target;
                        html! { <option {selected} {value}>{ label }</option> }
                    }) }
                </select>
            </label>
            <label class="no-cache">
                <input type="checkbox" data-testid="no-cache" checked={props.no_cache} onchange={on_no_cache} />
                { "--no-cache" }
            </label>
        </fieldset>
    }
}
