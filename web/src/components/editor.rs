//! The source editor: a plain textarea, so typing, undo and accessibility are the browser's.
//! Problems are underlined by a backdrop behind the (transparent) textarea that holds the same
//! text with `<mark>`s at each diagnostic's and finding's span, scrolled in step.

use std::rc::Rc;

use stowage_syntax::Severity;
use web_sys::{HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::analysis::{Analysis, Mark};

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct EditorProps {
    /// The text to show.
    pub(crate) value: AttrValue,
    /// What to underline.
    pub(crate) analysis: Rc<Analysis>,
    /// Called with the whole new text on every edit.
    pub(crate) on_edit: Callback<String>,
}

fn rank(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
        Severity::Style => 3,
    }
}

/// Splits `source` at the marks' edges; each piece carries the most severe mark covering it.
pub(crate) fn segments<'a>(source: &'a str, marks: &'a [Mark]) -> Vec<(&'a str, Option<&'a Mark>)> {
    let usable: Vec<&Mark> = marks
        .iter()
        .filter(|m| {
            let (s, e) = (m.start as usize, m.end as usize);
            s < e && e <= source.len() && source.is_char_boundary(s) && source.is_char_boundary(e)
        })
        .collect();
    let mut edges: Vec<usize> = usable
        .iter()
        .flat_map(|m| [m.start as usize, m.end as usize])
        .chain([0, source.len()])
        .collect();
    edges.sort_unstable();
    edges.dedup();
    edges
        .windows(2)
        .map(|w| {
            let (s, e) = (w[0], w[1]);
            let cover = usable
                .iter()
                .filter(|m| (m.start as usize) <= s && e <= m.end as usize)
                .min_by_key(|m| rank(m.severity))
                .copied();
            (&source[s..e], cover)
        })
        .collect()
}

fn backdrop(source: &str, marks: &[Mark]) -> Html {
    segments(source, marks)
        .into_iter()
        .map(|(text, mark)| match mark {
            Some(m) => html! {
                <mark class={classes!("problem", m.severity.as_str())} data-code={m.code}>{ text }</mark>
            },
            None => html! { { text } },
        })
        .collect::<Html>()
}

#[function_component]
pub(crate) fn Editor(props: &EditorProps) -> Html {
    let backdrop_ref = use_node_ref();
    let oninput = props
        .on_edit
        .reform(|event: InputEvent| event.target_unchecked_into::<HtmlTextAreaElement>().value());
    let onscroll = {
        let backdrop_ref = backdrop_ref.clone();
        Callback::from(move |event: Event| {
            let area = event.target_unchecked_into::<HtmlTextAreaElement>();
            if let Some(backdrop) = backdrop_ref.cast::<HtmlElement>() {
                backdrop.set_scroll_top(area.scroll_top());
                backdrop.set_scroll_left(area.scroll_left());
            }
        })
    };
    html! {
        <section class="pane editor-pane" aria-labelledby="editor-title">
            <h2 id="editor-title" class="pane-title"><label for="editor">{ "Dockerfile" }</label></h2>
            <div class="editor-wrap">
                // The same text as the textarea, invisible except for the underlines. A final
                // newline keeps its height equal to the textarea's when the text ends in one.
                <pre class="editor-backdrop" aria-hidden="true" data-testid="editor-marks" ref={backdrop_ref}>
                    { backdrop(&props.value, &props.analysis.marks) }{ "\n" }
                </pre>
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
                    {onscroll}
                />
            </div>
            <p id="editor-hint" class="hint">{ "Instructions, diagnostics and lint findings update as you type." }</p>
        </section>
    }
}

#[cfg(test)]
mod tests;
