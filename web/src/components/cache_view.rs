//! The cache after a rebuild: each step HIT or MISS with the reason, the step where
//! invalidation started (the first MISS) marked, and the previous build beside the new one
//! (status, layer size, digest), row by row.

use std::rc::Rc;

use yew::prelude::*;

use crate::build::{BuildOutcome, StepRow, size_text};

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct CacheViewProps {
    pub(crate) outcome: Option<Rc<BuildOutcome>>,
    pub(crate) previous: Option<Rc<BuildOutcome>>,
}

/// The index of the first step that missed the cache (where invalidation started).
pub(crate) fn first_miss(steps: &[StepRow]) -> Option<usize> {
    steps.iter().position(|s| s.status == "MISS")
}

fn cell(step: Option<&StepRow>) -> Html {
    match step {
        None => html! { <td class="none" colspan="3">{ "—" }</td> },
        Some(step) => html! {
            <>
                <td><span class={classes!("badge", step.status.to_lowercase())}>{ &step.status }</span></td>
                <td class="size">{ step.layer_size.map(size_text).unwrap_or_default() }</td>
                <td><code class="digest">{ step.digest.clone().unwrap_or_default() }</code></td>
            </>
        },
    }
}

#[function_component]
pub(crate) fn CacheView(props: &CacheViewProps) -> Html {
    let Some(outcome) = props.outcome.as_ref().filter(|o| o.imported.is_none()) else {
        return html! {
            <section class="pane"><h2 class="pane-title">{ "Cache" }</h2>
                <p class="empty">{ "Build, edit the Dockerfile or a context file, and build again: each step shows HIT or MISS and why." }</p>
            </section>
        };
    };
    let steps = &outcome.steps;
    let before = props.previous.as_ref().map_or(&[][..], |p| &p.steps[..]);
    let first = first_miss(steps);
    html! {
        <section class="pane" aria-labelledby="cache-title">
            <h2 id="cache-title" class="pane-title">{ "Cache" }</h2>
            <p class="cache-summary" data-testid="cache-summary">
                { match first {
                    Some(i) => format!("Invalidation started at step {}: {} — every later step that builds on it runs again.", i + 1, steps[i].header),
                    None => "Every step was reused from the cache (or changes only the config).".to_owned(),
                } }
            </p>
            <table class="cache-table" data-testid="cache-table">
                <thead>
                    <tr>
                        <th scope="col">{ "Step" }</th>
                        <th scope="colgroup" colspan="3">{ if props.previous.is_some() { "Previous build" } else { "Previous build (none yet)" } }</th>
                        <th scope="colgroup" colspan="3">{ "This build" }</th>
                        <th scope="col">{ "Why" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for steps.iter().enumerate().map(|(i, step)| {
                        let is_first = first == Some(i);
                        html! {
                            <tr
                                class={classes!("cache-row", is_first.then_some("first-miss"))}
                                data-testid="cache-row"
                                data-status={step.status.clone()}
                                data-first-miss={is_first.then_some("true")}
                            >
                                <th scope="row"><code>{ &step.header }</code>
                                    if is_first { <span class="first-miss-mark">{ " ← invalidation starts here" }</span> }
                                </th>
                                { cell(before.get(i)) }
                                { cell(Some(step)) }
                                <td class="reason">{ &step.reason }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </section>
    }
}
