//! The parsed instructions, one row each, with their line ranges.

use std::rc::Rc;

use yew::prelude::*;

use crate::analysis::Analysis;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct InstructionListProps {
    pub(crate) analysis: Rc<Analysis>,
}

#[function_component]
pub(crate) fn InstructionList(props: &InstructionListProps) -> Html {
    let rows = &props.analysis.instructions;
    html! {
        <section class="pane" aria-labelledby="instructions-title">
            <h2 id="instructions-title" class="pane-title">
                { "Instructions" }<span class="count">{ rows.len() }</span>
            </h2>
            // Only rows go in the list: tests count its children.
            <ol class="instructions" data-testid="instructions" aria-labelledby="instructions-title">
                { for rows.iter().map(|row| html! {
                    <li
                        class="instruction"
                        data-testid="instruction"
                        data-keyword={row.keyword.clone()}
                        data-lines={format!("{}-{}", row.start_line, row.end_line)}
                    >
                        <span class="keyword">{ &row.keyword }</span>
                        <span class="lines">{ row.lines_label() }</span>
                        <code class="detail" title={row.detail.clone()}>{ &row.detail }</code>
                    </li>
                }) }
            </ol>
            if rows.is_empty() {
                <p class="empty">{ "No instructions yet." }</p>
            }
        </section>
    }
}
