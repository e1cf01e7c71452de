//! The build context: the files, one to edit at a time, add and delete.

use yew::prelude::*;

use crate::build::ContextFile;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct ContextPanelProps {
    pub(crate) files: Vec<ContextFile>,
    pub(crate) selected: Option<AttrValue>,
    pub(crate) on_select: Callback<String>,
    /// `(path, text)`.
    pub(crate) on_edit: Callback<(String, String)>,
    pub(crate) on_add: Callback<String>,
    pub(crate) on_delete: Callback<String>,
}

#[function_component]
pub(crate) fn ContextPanel(props: &ContextPanelProps) -> Html {
    let new_path = use_node_ref();
    let selected = props
        .selected
        .as_ref()
        .and_then(|path| props.files.iter().find(|f| f.path == path.as_str()));
    let on_add = {
        let (new_path, on_add) = (new_path.clone(), props.on_add.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if let Some(input) = new_path.cast::<web_sys::HtmlInputElement>() {
                on_add.emit(input.value());
                input.set_value("");
            }
        })
    };
    html! {
        <section class="pane context" aria-labelledby="context-title">
            <h2 id="context-title" class="pane-title">
                { "Build context" }<span class="count">{ props.files.len() }</span>
            </h2>
            // Only files go in the list: tests count its children.
            <ul class="context-files" data-testid="context" aria-labelledby="context-title">
                { for props.files.iter().map(|file| {
                    let is_selected = selected.is_some_and(|s| s.path == file.path);
                    let on_select = {
                        let (path, cb) = (file.path.clone(), props.on_select.clone());
                        Callback::from(move |_: MouseEvent| cb.emit(path.clone()))
                    };
                    let on_delete = {
                        let (path, cb) = (file.path.clone(), props.on_delete.clone());
                        Callback::from(move |_: MouseEvent| cb.emit(path.clone()))
                    };
                    html! {
                        <li class={classes!("context-file", is_selected.then_some("selected"))} data-path={file.path.clone()}>
                            <button type="button" class="file-name" aria-pressed={is_selected.to_string()} onclick={on_select}>
                                { &file.path }
                            </button>
                            <button type="button" class="file-delete" aria-label={format!("Delete {}", file.path)} onclick={on_delete}>
                                { "×" }
                            </button>
                        </li>
                    }
                }) }
            </ul>
            <form class="context-add" onsubmit={on_add}>
                <label for="context-new">{ "New file" }</label>
                <input id="context-new" type="text" placeholder="src/util.py" ref={new_path} data-testid="context-new" />
                <button type="submit">{ "Add" }</button>
            </form>
            if let Some(file) = selected {
                <label class="context-label" for="context-text">{ format!("Contents of {}", file.path) }</label>
                <textarea
                    id="context-text"
                    class="context-text"
                    data-testid="context-text"
                    spellcheck="false"
                    value={file.text.clone()}
                    oninput={
                        let (path, cb) = (file.path.clone(), props.on_edit.clone());
                        Callback::from(move |event: InputEvent| {
                            let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
                            cb.emit((path.clone(), area.value()));
                        })
                    }
                />
            }
        </section>
    }
}
