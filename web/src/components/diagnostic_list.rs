//! The diagnostics: severity, position, message and code, in source order.

use std::rc::Rc;

use stowage_syntax::Severity;
use yew::prelude::*;

use crate::analysis::{Analysis, ProblemRow};

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct DiagnosticListProps {
    pub(crate) analysis: Rc<Analysis>,
}

#[function_component]
pub(crate) fn DiagnosticList(props: &DiagnosticListProps) -> Html {
    let rows = &props.analysis.diagnostics;
    html! {
        <section class="pane" aria-labelledby="diagnostics-title">
            <h2 id="diagnostics-title" class="pane-title">
                { "Diagnostics" }<span class="count">{ rows.len() }</span>
            </h2>
            // Screen readers hear the new totals without the list stealing focus.
            <p class="visually-hidden" role="status" aria-live="polite">{ summary(rows) }</p>
            // Only rows go in the list: tests count its children.
            <ul class="diagnostics" data-testid="diagnostics" aria-labelledby="diagnostics-title">
                { for rows.iter().map(row) }
            </ul>
            if rows.is_empty() {
                <p class="empty ok">{ "No problems found." }</p>
            }
        </section>
    }
}

fn row(diagnostic: &ProblemRow) -> Html {
    let severity = diagnostic.severity.as_str();
    html! {
        <li
            class={classes!("diagnostic", severity)}
            data-testid="diagnostic"
            data-code={diagnostic.code.clone()}
            data-severity={severity}
            data-line={diagnostic.line.to_string()}
        >
            <span class="severity">{ severity }</span>
            <span class="position" title="line:column">{ format!("{}:{}", diagnostic.line, diagnostic.column) }</span>
            <span class="message">{ &diagnostic.message }</span>
            <code class="code">{ &diagnostic.code }</code>
            if let Some(help) = &diagnostic.help {
                <p class="help">{ help }</p>
            }
        </li>
    }
}

/// `2 errors, 1 warning` (or `no problems`), for the live region.
pub(crate) fn summary(rows: &[ProblemRow]) -> String {
    let count = |severity: Severity| rows.iter().filter(|row| row.severity == severity).count();
    let parts: Vec<String> = [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info message"),
        (Severity::Style, "style note"),
    ]
    .into_iter()
    .filter_map(|(severity, noun)| match count(severity) {
        0 => None,
        1 => Some(format!("1 {noun}")),
        n => Some(format!("{n} {noun}s")),
    })
    .collect();
    if parts.is_empty() {
        "no problems".to_owned()
    } else {
        parts.join(", ")
    }
}
