//! Lint findings: severity, position, message and rule, each with the rule's documentation one
//! click away (a `<details>`, so it needs no state and works from the keyboard).

use std::rc::Rc;

use yew::prelude::*;

use crate::analysis::{Analysis, FindingRow};
use crate::components::RuleDoc;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct FindingListProps {
    pub(crate) analysis: Rc<Analysis>,
    /// How long the last analysis took, in microseconds (when the browser can tell).
    pub(crate) took_us: Option<u32>,
}

#[function_component]
pub(crate) fn FindingList(props: &FindingListProps) -> Html {
    let rows = &props.analysis.findings;
    html! {
        <section class="pane" aria-labelledby="findings-title">
            <h2 id="findings-title" class="pane-title">
                { "Lint" }<span class="count">{ rows.len() }</span>
                if let Some(us) = props.took_us {
                    <span class="timing" data-testid="lint-time" data-us={us.to_string()}>
                        { format!("checked in {:.1} ms", f64::from(us) / 1000.0) }
                    </span>
                }
            </h2>
            <ul class="findings" data-testid="findings" aria-labelledby="findings-title">
                { for rows.iter().map(row) }
            </ul>
            if rows.is_empty() {
                <p class="empty ok">{ "No lint findings." }</p>
            }
        </section>
    }
}

fn row(finding: &FindingRow) -> Html {
    let severity = finding.severity.as_str();
    let rule = finding.rule;
    html! {
        <li
            class={classes!("finding", severity)}
            data-testid="finding"
            data-code={rule.code}
            data-severity={severity}
            data-line={finding.line.to_string()}
        >
            <span class="severity">{ severity }</span>
            <span class="position" title="line:column">{ format!("{}:{}", finding.line, finding.column) }</span>
            <span class="message">{ &finding.message }</span>
            if let Some(help) = &finding.help {
                <p class="help">{ help }</p>
            }
            <details class="rule">
                <summary title="show the rule's documentation">
                    <code class="code">{ rule.code }</code>{ " " }{ rule.name }
                </summary>
                <RuleDoc markdown={AttrValue::from(rule.docs())} />
            </details>
        </li>
    }
}
