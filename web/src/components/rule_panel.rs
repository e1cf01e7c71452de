//! The page of the lint rule the user asked for from the editor (the button in a problem's
//! hover message): code, name, documentation, and a close button.

use yew::prelude::*;

use crate::analysis::RuleRow;
use crate::components::RuleDoc;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct RulePanelProps {
    /// The rule (its page comes with the analysis).
    pub(crate) rule: RuleRow,
    pub(crate) on_close: Callback<()>,
}

#[function_component]
pub(crate) fn RulePanel(props: &RulePanelProps) -> Html {
    let title = use_node_ref();
    // Bring the page into view and move focus to it, so keyboard and screen reader users land
    // where the text appeared.
    {
        let title = title.clone();
        use_effect_with(props.rule.code.clone(), move |_| {
            if let Some(title) = title.cast::<web_sys::HtmlElement>() {
                title.scroll_into_view();
                // Focus fails only when the element is gone; nothing to do then.
                let _ = title.focus();
            }
        });
    }
    let rule = &props.rule;
    let on_close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <section class="pane rule-panel" data-testid="rule-panel" data-code={rule.code.clone()} aria-labelledby="rule-panel-title">
            <h2 id="rule-panel-title" class="pane-title" tabindex="-1" ref={title}>
                { "Rule " }<code class="code">{ &rule.code }</code>{ " " }{ &rule.name }
                <button type="button" class="close" aria-label="close the rule's page" onclick={on_close}>{ "×" }</button>
            </h2>
            <RuleDoc markdown={AttrValue::from(rule.docs.clone())} />
        </section>
    }
}

#[cfg(test)]
mod tests;
