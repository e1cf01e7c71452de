//! The source editor: CodeMirror 6 through the JS facade ([`crate::editor_js`]), with
//! Dockerfile highlighting, each problem underlined at its span, a hover message with quick
//! fixes, and a button that opens the rule's page. The editor owns the text while the user
//! types; the component pushes text only when the app changes it (Reset).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

use crate::analysis::Analysis;
use crate::editor_js::{JsEditor, create_editor, problems};

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct EditorProps {
    /// The text the app holds.
    pub(crate) value: AttrValue,
    /// Changes when the app replaced the text (see `State::loaded`): only then is `value`
    /// pushed into the editor. While the user types, the editor is ahead of the app, and an
    /// older `value` must never overwrite it.
    pub(crate) loaded: u64,
    /// The latest analysis, and the revision it describes.
    pub(crate) analysis: Rc<Analysis>,
    pub(crate) analysed: Option<u64>,
    /// Whether `analysis` describes `value` (only then are its positions right).
    pub(crate) current: bool,
    /// Lines to select (1-based, inclusive), with a counter that changes on every request
    /// (so asking for the same lines twice selects them twice).
    pub(crate) select: Option<(u64, u32, u32)>,
    /// Called with the whole new text after every edit.
    pub(crate) on_edit: Callback<String>,
    /// Called with a rule's code when its documentation is asked for.
    pub(crate) on_rule: Callback<String>,
}

/// The mounted editor and the closures it calls; dropping it unmounts the editor.
struct Mounted {
    editor: JsEditor,
    _on_change: Closure<dyn Fn(String)>,
    _on_rule: Closure<dyn Fn(String)>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.editor.destroy();
    }
}

#[function_component]
pub(crate) fn Editor(props: &EditorProps) -> Html {
    let host = use_node_ref();
    let mounted: Rc<RefCell<Option<Mounted>>> = use_mut_ref(|| None);
    // The closures outlive a render, the callbacks do not: they read the latest from here.
    let callbacks = use_mut_ref(|| (props.on_edit.clone(), props.on_rule.clone()));
    *callbacks.borrow_mut() = (props.on_edit.clone(), props.on_rule.clone());

    {
        let (host, mounted, value) = (host.clone(), Rc::clone(&mounted), props.value.clone());
        use_effect_with((), move |()| {
            if let Some(parent) = host.cast::<web_sys::HtmlElement>() {
                let edits = Rc::clone(&callbacks);
                let on_change = Closure::<dyn Fn(String)>::new(move |text| {
                    let on_edit = edits.borrow().0.clone();
                    on_edit.emit(text);
                });
                let on_rule = Closure::<dyn Fn(String)>::new(move |code| {
                    let on_rule = callbacks.borrow().1.clone();
                    on_rule.emit(code);
                });
                let editor = create_editor(&parent, &value, "editor-title", &on_change, &on_rule);
                *mounted.borrow_mut() = Some(Mounted {
                    editor,
                    _on_change: on_change,
                    _on_rule: on_rule,
                });
            }
            move || drop(mounted.borrow_mut().take())
        });
    }
    {
        let mounted = Rc::clone(&mounted);
        use_effect_with(props.select, move |select| {
            if let (Some(m), Some((_, from, to))) = (mounted.borrow().as_ref(), select) {
                m.editor.select_lines(*from, *to);
            }
        });
    }
    {
        let (mounted, value) = (Rc::clone(&mounted), props.value.clone());
        use_effect_with(props.loaded, move |_| {
            if let Some(m) = mounted.borrow().as_ref() {
                m.editor.set_text(&value);
            }
        });
    }
    {
        let (mounted, value, analysis) = (
            Rc::clone(&mounted),
            props.value.clone(),
            Rc::clone(&props.analysis),
        );
        use_effect_with((props.analysed, props.current), move |&(_, current)| {
            if let (true, Some(m)) = (current, mounted.borrow().as_ref())
                && let Ok(problems) = serde_wasm_bindgen::to_value(&problems(&analysis))
            {
                m.editor.set_diagnostics(&value, problems);
            }
        });
    }

    html! {
        <section class="pane editor-pane" aria-labelledby="editor-title">
            <h2 id="editor-title" class="pane-title">{ "Dockerfile" }</h2>
            // CodeMirror mounts here (its content element carries data-testid="editor").
            <div
                class="editor-host"
                data-testid="editor-host"
                aria-busy={(!props.current).to_string()}
                ref={host}
            />
            <p id="editor-hint" class="hint">
                { "Problems are underlined as you type. Hover one for its message, quick fixes and its rule's page; " }
                <kbd>{ "Ctrl" }</kbd>{ "-" }<kbd>{ "Shift" }</kbd>{ "-" }<kbd>{ "M" }</kbd>
                { " lists them, " }<kbd>{ "F8" }</kbd>{ " jumps to the next." }
            </p>
        </section>
    }
}
