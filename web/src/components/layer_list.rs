//! The layers of the built image, base first: what made each one (click: its lines in the
//! editor) and its size, and the total.

use std::rc::Rc;

use yew::prelude::*;

use crate::build::{BuildOutcome, size_text};

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct LayerListProps {
    pub(crate) outcome: Option<Rc<BuildOutcome>>,
    /// Called with a layer's instruction lines (1-based, inclusive) when it is clicked.
    pub(crate) on_lines: Callback<(u32, u32)>,
}

#[function_component]
pub(crate) fn LayerList(props: &LayerListProps) -> Html {
    let layers = props.outcome.as_ref().map_or(&[][..], |o| &o.layers[..]);
    let total = props.outcome.as_ref().map_or(0, |o| o.total_size);
    html! {
        <section class="pane" aria-labelledby="layers-title">
            <h2 id="layers-title" class="pane-title">
                { "Layers" }<span class="count">{ layers.len() }</span>
            </h2>
            // Only layers go in the list: tests count its children.
            <ol class="layers" data-testid="layers" aria-labelledby="layers-title">
                { for layers.iter().map(|layer| {
                    let lines = layer.lines.map(|(from, to)| format!("{from}-{to}"));
                    html! {
                        <li class="layer" data-testid="layer" data-size={layer.size.to_string()} data-lines={lines}>
                            if let Some((from, to)) = layer.lines {
                                <button
                                    type="button"
                                    class="created-by"
                                    title={format!("Show line {from} in the editor: {}", layer.created_by)}
                                    onclick={props.on_lines.reform(move |_: MouseEvent| (from, to))}
                                >
                                    { &layer.created_by }
                                </button>
                            } else {
                                <code class="created-by" title={layer.created_by.clone()}>{ &layer.created_by }</code>
                            }
                            <span class="size">{ size_text(layer.size) }</span>
                        </li>
                    }
                }) }
            </ol>
            if props.outcome.as_ref().is_some_and(|o| o.image.is_some()) {
                <p class="image-total" data-testid="image-size">{ format!("Image total: {}", size_text(total)) }</p>
            }
        </section>
    }
}
