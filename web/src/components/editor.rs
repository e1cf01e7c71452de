//! The source editor: a plain textarea, so typing, undo and accessibility are the browser's.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct EditorProps {
    /// The text to show.
    pub(crate) value: AttrValue,
    /// Called with the whole new text on every edit.
    pub(crate) on_edit: Callback<String>,
}

#[function_component]
pub(crate) fn Editor(props: &EditorProps) -> Html {
    let oninput = props
        .on_edit
        .reform(|event: InputEvent| event.target_unchecked_into::<HtmlTextAreaElement>().value());
    html! {
        <section class="pane editor-pane" aria-labelledby="editor-title">
            <h2 id="editor-title" class="pane-title"><label for="editor">{ "Dockerfile" }</label></h2>
            // Code, not prose: no spell checking, auto-capitalisation or soft wrapping.
            <textarea
                id="editor"
                class="editor"
                data-testid="editor"
                aria-describedby="editor-hint"
                spellcheck="false"
                autocapitalize="off"
                autocomplete="off"
                wrap="off"
                value={props.value.clone()}
                {oninput}
            />
            <p id="editor-hint" class="hint">{ "Instructions and diagnostics update as you type." }</p>
        </section>
    }
}
