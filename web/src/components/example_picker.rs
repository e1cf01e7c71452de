//! The example picker: one button per example project (`static/examples/`), and the loaded
//! example's explanation beside them.

use yew::prelude::*;

use crate::components::RuleDoc;
use crate::examples::{EXAMPLES, find};

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct ExamplePickerProps {
    /// The example last loaded.
    pub(crate) current: Option<&'static str>,
    /// Loads the named example.
    pub(crate) on_load: Callback<String>,
}

#[function_component]
pub(crate) fn ExamplePicker(props: &ExamplePickerProps) -> Html {
    let current = props.current.and_then(find);
    html! {
        <section class="examples" aria-labelledby="examples-title">
            <h2 id="examples-title" class="pane-title">{ "Examples" }</h2>
            <div class="example-list" data-testid="examples" role="group" aria-labelledby="examples-title">
                { for EXAMPLES.iter().map(|example| {
                    let pressed = current.is_some_and(|c| c.name == example.name);
                    let onclick = {
                        let (name, cb) = (example.name, props.on_load.clone());
                        Callback::from(move |_: MouseEvent| cb.emit(name.to_owned()))
                    };
                    html! {
                        <button type="button" class="example" data-example={example.name}
                            title={example.title()} aria-pressed={pressed.to_string()} {onclick}>
                            { example.label }
                        </button>
                    }
                }) }
            </div>
            if let Some(example) = current {
                <details class="example-note" data-testid="example-note" open=true>
                    <summary>{ example.title() }</summary>
                    <RuleDoc markdown={AttrValue::Static(example.body())} />
                </details>
            }
        </section>
    }
}
