//! The build context as a tree: folders (collapsible) before files, add / rename / delete
//! files and folders, one file open for editing, files and folders picked from disk or dropped
//! on the panel, and what `.dockerignore` leaves out greyed with the line that does it.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::build::ContextFile;
use crate::context_tree::{Row, rows, strip_common_folder};
use crate::disk::{self, Read};

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct ContextPanelProps {
    pub(crate) files: Vec<ContextFile>,
    /// Empty folders made by hand.
    #[prop_or_default]
    pub(crate) folders: Vec<String>,
    pub(crate) selected: Option<AttrValue>,
    pub(crate) on_select: Callback<String>,
    /// `(path, text)`.
    pub(crate) on_edit: Callback<(String, String)>,
    pub(crate) on_add: Callback<String>,
    #[prop_or_default]
    pub(crate) on_add_folder: Callback<String>,
    /// `(from, to)`.
    #[prop_or_default]
    pub(crate) on_rename: Callback<(String, String)>,
    pub(crate) on_delete: Callback<String>,
    /// Files read from disk: `(relative path, text)`.
    #[prop_or_default]
    pub(crate) on_files: Callback<Vec<(String, String)>>,
}

/// Hands what was read to `on_files` (a single top folder is the context itself) and says so.
fn deliver(
    mut read: Read,
    on_files: &Callback<Vec<(String, String)>>,
    status: &UseStateHandle<String>,
) {
    let mut paths: Vec<String> = read.files.iter().map(|(p, _)| p.clone()).collect();
    strip_common_folder(&mut paths);
    for ((path, _), stripped) in read.files.iter_mut().zip(paths) {
        *path = stripped;
    }
    let mut message = format!(
        "Added {} file{}",
        read.files.len(),
        if read.files.len() == 1 { "" } else { "s" }
    );
    if !read.skipped.is_empty() {
        let _ = write!(
            message,
            "; skipped {} (over {} files or 1 MB each): {}",
            read.skipped.len(),
            disk::MAX_FILES,
            read.skipped.join(", ")
        );
    }
    status.set(message);
    on_files.emit(read.files);
}

fn row_html(
    row: &Row,
    props: &ContextPanelProps,
    collapsed: &UseStateHandle<BTreeSet<String>>,
    renaming: &UseStateHandle<Option<String>>,
) -> Html {
    let path = row.path.clone();
    let is_selected = !row.is_dir && props.selected.as_deref() == Some(row.path.as_str());
    let open = !collapsed.contains(&row.path);
    // Depth in steps of 1.1rem (written with integers: 0.2rem + depth × 1.1rem).
    let indent = format!("padding-left: calc(0.2rem + {} * 1.1rem)", row.depth);
    let on_open = {
        let (path, cb, collapsed, is_dir) = (
            path.clone(),
            props.on_select.clone(),
            collapsed.clone(),
            row.is_dir,
        );
        Callback::from(move |_: MouseEvent| {
            if is_dir {
                let mut next = (*collapsed).clone();
                if !next.remove(&path) {
                    next.insert(path.clone());
                }
                collapsed.set(next);
            } else {
                cb.emit(path.clone());
            }
        })
    };
    let on_delete = {
        let (path, cb) = (path.clone(), props.on_delete.clone());
        Callback::from(move |_: MouseEvent| cb.emit(path.clone()))
    };
    let on_start_rename = {
        let (path, renaming) = (path.clone(), renaming.clone());
        Callback::from(move |_: MouseEvent| renaming.set(Some(path.clone())))
    };
    let name = if renaming.as_deref() == Some(row.path.as_str()) {
        let finish = {
            let (from, cb, renaming) = (path, props.on_rename.clone(), renaming.clone());
            move |input: web_sys::HtmlInputElement, commit: bool| {
                let to = input.value();
                renaming.set(None);
                if commit && to.trim() != from {
                    cb.emit((from.clone(), to));
                }
            }
        };
        let on_key = {
            let finish = finish.clone();
            Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
                "Enter" => {
                    event.prevent_default();
                    finish(event.target_unchecked_into(), true);
                }
                "Escape" => finish(event.target_unchecked_into(), false),
                _ => {}
            })
        };
        let on_blur =
            Callback::from(move |event: FocusEvent| finish(event.target_unchecked_into(), true));
        html! {
            <input class="rename" type="text" data-testid="context-rename" value={row.path.clone()}
                aria-label={format!("New path for {}", row.path)} onkeydown={on_key} onblur={on_blur}
                autofocus=true />
        }
    } else {
        html! {
            <button type="button" class="file-name" onclick={on_open}
                aria-pressed={(!row.is_dir).then(|| is_selected.to_string())}
                aria-expanded={row.is_dir.then(|| open.to_string())}>
                if row.is_dir {
                    <span class="twisty" aria-hidden="true">{ if open { "▾ " } else { "▸ " } }</span>
                }
                { &row.name }
                if row.is_dir { { "/" } }
            </button>
        }
    };
    let title = row
        .ignored
        .as_ref()
        .map(|why| format!("Not in the build context: excluded by {why}"));
    html! {
        <li class={classes!(
                if row.is_dir { "context-dir" } else { "context-file" },
                is_selected.then_some("selected"),
                row.ignored.is_some().then_some("ignored"),
            )}
            data-path={row.path.clone()}
            data-kind={if row.is_dir { "dir" } else { "file" }}
            data-ignored={row.ignored.is_some().then_some("true")}
            {title}
            style={indent}>
            { name }
            <span class="file-size">{ crate::build::size_text(row.size as u64) }</span>
            <button type="button" class="file-rename" aria-label={format!("Rename {}", row.path)} onclick={on_start_rename}>{ "✎" }</button>
            <button type="button" class="file-delete" aria-label={format!("Delete {}", row.path)} onclick={on_delete}>{ "×" }</button>
        </li>
    }
}

#[function_component]
pub(crate) fn ContextPanel(props: &ContextPanelProps) -> Html {
    let new_path = use_node_ref();
    let collapsed = use_state(BTreeSet::<String>::new);
    let renaming = use_state(|| None::<String>);
    let dragging = use_state(|| false);
    let status = use_state(String::new);
    let selected = props
        .selected
        .as_ref()
        .and_then(|path| props.files.iter().find(|f| f.path == path.as_str()));
    let take_path = |new_path: &NodeRef| {
        new_path.cast::<web_sys::HtmlInputElement>().map(|input| {
            let value = input.value();
            input.set_value("");
            value
        })
    };
    let on_add = {
        let (new_path, on_add) = (new_path.clone(), props.on_add.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if let Some(path) = take_path(&new_path) {
                on_add.emit(path);
            }
        })
    };
    let on_add_folder = {
        let (new_path, cb) = (new_path.clone(), props.on_add_folder.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(path) = take_path(&new_path) {
                cb.emit(path);
            }
        })
    };
    let on_pick = {
        let (cb, status) = (props.on_files.clone(), status.clone());
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            let (cb, status) = (cb.clone(), status.clone());
            status.set("Reading…".to_owned());
            spawn_local(async move {
                let read = disk::read_input(&input).await;
                // The same files can be picked again.
                input.set_value("");
                deliver(read, &cb, &status);
            });
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |event: DragEvent| {
            // Accepting the drop: without this the browser opens the file instead.
            event.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_drop = {
        let (cb, status, dragging) = (props.on_files.clone(), status.clone(), dragging.clone());
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(false);
            let entries = disk::dropped_entries(&event);
            let (cb, status) = (cb.clone(), status.clone());
            status.set("Reading…".to_owned());
            spawn_local(async move {
                deliver(disk::read_entries(entries).await, &cb, &status);
            });
        })
    };
    let tree = rows(&props.files, &props.folders, &collapsed);
    html! {
        <section class={classes!("pane", "context", dragging.then_some("dragging"))} aria-labelledby="context-title"
            ondragover={on_drag_over} ondragleave={on_drag_leave} ondrop={on_drop} data-testid="context-panel">
            <h2 id="context-title" class="pane-title">
                { "Build context" }<span class="count">{ props.files.len() }</span>
            </h2>
            // One row per folder and file (data-kind tells them apart).
            <ul class="context-files" data-testid="context" aria-labelledby="context-title">
                { for tree.iter().map(|row| row_html(row, props, &collapsed, &renaming)) }
            </ul>
            <form class="context-add" onsubmit={on_add}>
                <label for="context-new">{ "New" }</label>
                <input id="context-new" type="text" placeholder="src/util.py" ref={new_path} data-testid="context-new" />
                <button type="submit">{ "Add file" }</button>
                <button type="button" data-testid="context-add-folder" onclick={on_add_folder}>{ "Add folder" }</button>
            </form>
            <div class="context-disk">
                <label class="pick">
                    { "Files from disk…" }
                    <input type="file" multiple=true data-testid="context-pick-files" onchange={on_pick.clone()} />
                </label>
                <label class="pick">
                    { "A folder…" }
                    <input type="file" webkitdirectory=true data-testid="context-pick-folder" onchange={on_pick} />
                </label>
                <span class="hint">{ "or drop files and folders here" }</span>
                if !status.is_empty() {
                    <span class="context-status" data-testid="context-status" role="status">{ (*status).clone() }</span>
                }
            </div>
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
