use yew::prelude::*;

use super::{RulePanel, RulePanelProps};

fn render(code: &'static str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    let meta = stowage_lint::find_meta(code).expect("a rule");
    let props = RulePanelProps {
        rule: crate::analysis::RuleRow {
            code: meta.code.to_owned(),
            name: meta.name.to_owned(),
            docs: meta.docs(),
        },
        on_close: Callback::noop(),
    };
    runtime.block_on(
        yew::LocalServerRenderer::<RulePanel>::with_props(props)
            .hydratable(false)
            .render(),
    )
}

#[test]
fn shows_the_rule_page_with_a_close_button() {
    let html = render("DL3006");
    assert!(
        html.contains(r#"data-testid="rule-panel" data-code="DL3006""#),
        "{html}"
    );
    assert!(html.contains("from-untagged"), "{html}");
    assert!(html.contains("<h4>What it does</h4>"), "{html}");
    assert!(
        html.contains(r#"aria-label="close the rule's page""#),
        "{html}"
    );
}
