//! The editor's JavaScript facade (`web/js/editor.js`: CodeMirror 6, bundled by esbuild into
//! `web/js/dist/editor.js`, which wasm-bindgen ships with the app). Positions are UTF-16 code
//! units, as in [`crate::analysis::ProblemRow`].

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::analysis::{Analysis, FixRow, ProblemRow};

#[wasm_bindgen(module = "/js/dist/editor.js")]
extern "C" {
    /// A CodeMirror view with the playground's extensions.
    #[derive(Debug)]
    pub type JsEditor;

    /// Mounts an editor holding `text` in `parent`, named by the element `labelled_by`.
    /// `on_change(text)` runs after every edit, `on_rule(code)` when a rule's page is asked for.
    #[wasm_bindgen(js_name = create)]
    pub fn create_editor(
        parent: &web_sys::HtmlElement,
        text: &str,
        labelled_by: &str,
        on_change: &Closure<dyn Fn(String)>,
        on_rule: &Closure<dyn Fn(String)>,
    ) -> JsEditor;

    #[wasm_bindgen(method, js_name = getText)]
    pub fn get_text(this: &JsEditor) -> String;

    #[wasm_bindgen(method, js_name = setText)]
    pub fn set_text(this: &JsEditor, text: &str);

    /// Shows `problems` (an array of `EditorProblem`) computed for `text`; returns false and
    /// does nothing when the editor no longer holds `text`.
    #[wasm_bindgen(method, js_name = setDiagnostics)]
    pub fn set_diagnostics(this: &JsEditor, text: &str, problems: JsValue) -> bool;

    /// Selects lines `from..=to` (1-based) and scrolls them into view.
    #[wasm_bindgen(method, js_name = selectLines)]
    pub fn select_lines(this: &JsEditor, from: u32, to: u32);

    #[wasm_bindgen(method)]
    pub fn destroy(this: &JsEditor);
}

/// A problem as the facade's `setDiagnostics` takes it.
#[derive(Debug, Serialize, PartialEq)]
pub struct EditorProblem<'a> {
    pub from: u32,
    pub to: u32,
    pub severity: &'static str,
    pub code: &'a str,
    pub message: &'a str,
    pub help: Option<&'a str>,
    pub notes: &'a [String],
    /// The lint rule's name; `None` for parser diagnostics (they have no page).
    pub rule: Option<&'a str>,
    /// The fix, if the core knows one (the facade labels unsafe ones as such).
    pub fixes: Vec<&'a FixRow>,
}

fn problem(row: &ProblemRow) -> EditorProblem<'_> {
    EditorProblem {
        from: row.from,
        to: row.to,
        severity: row.severity.as_str(),
        code: &row.code,
        message: &row.message,
        help: row.help.as_deref(),
        notes: &row.notes,
        rule: row.rule.as_deref(),
        fixes: row.fix.iter().collect(),
    }
}

/// Everything to underline: diagnostics, then findings.
pub fn problems(analysis: &Analysis) -> Vec<EditorProblem<'_>> {
    analysis
        .diagnostics
        .iter()
        .chain(&analysis.findings)
        .map(problem)
        .collect()
}

#[cfg(test)]
mod tests;
