//! Lint findings: severity, position, message and rule, each with the rule's documentation one
//! click away (a `<details>`, so it needs no state and works from the keyboard), and a note
//! when the editor offers a quick fix.

use std::rc::Rc;

use yew::prelude::*;

use crate::analysis::{Analysis, ProblemRow};
use crate::components::RuleDoc;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct FindingListProps {
    pub(crate) analysis: Rc<Analysis>,
    /// How long the worker took for the analysis, in microseconds (when it can tell).
    pub(crate) took_us: Option<u32>,
    /// The revision the analysis describes (a test hook: it changes with every answer).
    pub(crate) analysed: Option<u64>,
    /// Whether the analysis describes the current text (otherwise a new one is on its way).
    pub(crate) current: bool,
}

#[function_component]
pub(crate) fn FindingList(props: &FindingListProps) -> Html {
    let rows = &props.analysis.findings;
    html! {
        <section class="pane" aria-labelledby="findings-title" aria-busy={(!props.current).to_string()}>
            <h2 id="findings-title" class="pane-title">
                { "Lint" }<span class="count">{ rows.len() }</span>
                if let Some(us) = props.took_us {
                    <span
                        class="timing"
                        data-testid="lint-time"
                        data-us={us.to_string()}
                        data-revision={props.analysed.map(|r| r.to_string())}
                    >
                        { format!("checked in {:.1} ms", f64::from(us) / 1000.0) }
                    </span>
                }
            </h2>
            <ul class="findings" data-testid="findings" aria-labelledby="findings-title">
                { for keyed(rows).map(|(key, finding)| row(key, finding, &props.analysis)) }
            </ul>
            if rows.is_empty() && props.current {
                <p class="empty ok">{ "No lint findings." }</p>
            }
        </section>
    }
}

/// Each row with a key naming the finding (code, position and, for repeats, a count), so an
/// open rule page stays with its finding when findings come and go above it.
fn keyed(rows: &[ProblemRow]) -> impl Iterator<Item = (String, &ProblemRow)> {
    let mut seen = std::collections::BTreeMap::<String, u32>::new();
    rows.iter().map(move |finding| {
        let base = format!("{}@{}:{}", finding.code, finding.line, finding.column);
        let n = seen.entry(base.clone()).or_default();
        *n += 1;
        (format!("{base}#{n}"), finding)
    })
}

fn row(key: String, finding: &ProblemRow, analysis: &Analysis) -> Html {
    let severity = finding.severity.as_str();
    html! {
        <li
            {key}
            class={classes!("finding", severity)}
            data-testid="finding"
            data-code={finding.code.clone()}
            data-severity={severity}
            data-line={finding.line.to_string()}
        >
            <span class="severity">{ severity }</span>
            <span class="position" title="line:column">{ format!("{}:{}", finding.line, finding.column) }</span>
            <span class="message">{ &finding.message }</span>
            if let Some(help) = &finding.help {
                <p class="help">{ help }</p>
            }
            if let Some(fix) = &finding.fix {
                <p class={classes!("fix", (!fix.safe).then_some("unsafe"))} data-testid="fix" data-safe={fix.safe.to_string()}>
                    { if fix.safe { "Quick fix in the editor: " } else { "Unsafe fix (changes behaviour) in the editor: " } }
                    { &fix.title }
                </p>
            }
            if let Some(rule) = analysis.rule(&finding.code) {
                <details class="rule">
                    <summary title="show the rule's documentation">
                        <code class="code">{ &rule.code }</code>{ " " }{ &rule.name }
                    </summary>
                    <RuleDoc markdown={AttrValue::from(rule.docs.clone())} />
                </details>
            }
        </li>
    }
}
