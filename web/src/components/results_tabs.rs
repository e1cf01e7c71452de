//! The results area's tab strip (WAI-ARIA tabs): one button per [`Tab`], the shown one
//! selected; Left/Right (and Home/End) move along it and focus the new tab.

use yew::prelude::*;

use crate::state::Tab;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct ResultsTabsProps {
    pub(crate) current: Tab,
    pub(crate) on_select: Callback<Tab>,
    /// A count shown beside some tabs (findings, steps, layers).
    #[prop_or_default]
    pub(crate) counts: Vec<(Tab, usize)>,
}

/// The tab an arrow, Home or End key leads to from `current`.
pub(crate) fn key_target(current: Tab, key: &str) -> Option<Tab> {
    match key {
        "ArrowRight" | "ArrowDown" => Some(current.moved(1)),
        "ArrowLeft" | "ArrowUp" => Some(current.moved(-1)),
        "Home" => Some(Tab::ALL[0]),
        "End" => Some(Tab::ALL[Tab::ALL.len() - 1]),
        _ => None,
    }
}

#[function_component]
pub(crate) fn ResultsTabs(props: &ResultsTabsProps) -> Html {
    let current = props.current;
    let onkeydown = {
        let on_select = props.on_select.clone();
        Callback::from(move |event: KeyboardEvent| {
            if let Some(tab) = key_target(current, &event.key()) {
                event.prevent_default();
                on_select.emit(tab);
                // Move focus with the selection (roving tabindex).
                if let Some(button) = gloo_document()
                    .and_then(|d| d.get_element_by_id(&format!("tab-{}", tab.id())))
                    .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
                {
                    // Focus fails only when the element is gone.
                    let _ = button.focus();
                }
            }
        })
    };
    html! {
        <div class="tabs" role="tablist" aria-label="Results" data-testid="tabs" {onkeydown}>
            { for Tab::ALL.iter().map(|&tab| {
                let selected = tab == current;
                let count = props.counts.iter().find(|(t, _)| *t == tab).map(|(_, n)| *n);
                html! {
                    <button
                        type="button"
                        role="tab"
                        id={format!("tab-{}", tab.id())}
                        class={classes!("tab", selected.then_some("selected"))}
                        data-testid={format!("tab-{}", tab.id())}
                        aria-selected={selected.to_string()}
                        aria-controls={format!("panel-{}", tab.id())}
                        tabindex={if selected { "0" } else { "-1" }}
                        onclick={props.on_select.reform(move |_: MouseEvent| tab)}
                    >
                        { tab.label() }
                        if let Some(n) = count {
                            <span class="count">{ n }</span>
                        }
                    </button>
                }
            }) }
        </div>
    }
}

fn gloo_document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}
