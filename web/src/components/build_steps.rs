//! The steps of the latest build: BuildKit's `[n/m] INSTRUCTION`, HIT or MISS and why, the
//! layer's size, the simulated output and notes.

use std::rc::Rc;

use yew::prelude::*;

use crate::build::{BuildOutcome, size_text};

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct BuildStepsProps {
    pub(crate) outcome: Option<Rc<BuildOutcome>>,
    pub(crate) building: bool,
}

/// `data-cache`: `hit` or `miss` for steps that use the cache, nothing for the others.
fn cache_attr(status: &str) -> Option<AttrValue> {
    match status {
        "HIT" => Some(AttrValue::Static("hit")),
        "MISS" => Some(AttrValue::Static("miss")),
        _ => None,
    }
}

/// BuildKit's step timing: `1.2s`.
fn seconds(ms: u64) -> String {
    format!("{}.{}s", ms / 1000, ms % 1000 / 100)
}

#[function_component]
pub(crate) fn BuildSteps(props: &BuildStepsProps) -> Html {
    let steps = props.outcome.as_ref().map_or(&[][..], |o| &o.steps[..]);
    let errors = props.outcome.as_ref().map_or(&[][..], |o| &o.errors[..]);
    html! {
        <section class="pane" data-testid="build-steps" aria-labelledby="steps-title" aria-busy={props.building.to_string()}>
            <h2 id="steps-title" class="pane-title">
                { "Build steps" }<span class="count">{ steps.len() }</span>
            </h2>
            // Only steps go in the list: tests count its children.
            <ol class="steps" data-testid="steps" aria-labelledby="steps-title">
                { for steps.iter().map(|step| html! {
                    <li
                        class={classes!("step", step.status.to_lowercase())}
                        data-testid="step"
                        data-status={step.status.clone()}
                        data-cache={cache_attr(&step.status)}
                    >
                        <div class="step-head">
                            <span class={classes!("badge", step.status.to_lowercase())}>{ &step.status }</span>
                            <code class="step-title">{ &step.header }</code>
                            if let Some(size) = step.layer_size {
                                <span class="size">{ size_text(size) }</span>
                            }
                            if step.status == "MISS" {
                                <span class="time">{ seconds(step.simulated_ms) }</span>
                            }
                        </div>
                        <p class="reason">{ &step.reason }</p>
                        { for step.details.iter().map(|d| html! { <p class="detail">{ d }</p> }) }
                        if !step.log.is_empty() {
                            <pre class="step-log">{ step.log.join("\n") }</pre>
                        }
                        { for step.notes.iter().map(|n| html! { <p class="note">{ n }</p> }) }
                    </li>
                }) }
            </ol>
            { for errors.iter().map(|e| html! { <p class="build-error" role="alert">{ e }</p> }) }
            if props.building {
                <p class="empty">{ "Building…" }</p>
            } else if props.outcome.is_none() {
                <p class="empty">{ "Press Build to run the Dockerfile over the context." }</p>
            }
        </section>
    }
}
