//! The `docker` console: the commands typed and their output (answered by the build worker,
//! see `build::terminal`), an input line with ↑/↓ history, `clear` handled here.

use std::rc::Rc;

use yew::prelude::*;

use crate::state::TerminalEntry;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct TerminalProps {
    pub(crate) entries: Rc<Vec<TerminalEntry>>,
    /// Commands typed, oldest first (for ↑/↓).
    pub(crate) history: Rc<Vec<String>>,
    /// A command line was entered.
    pub(crate) on_submit: Callback<String>,
}

/// Where ↑ (`up`) or ↓ moves in `history` from `cursor` (`None`: the fresh line): the new
/// cursor and the line to show, or `None` to stay put.
pub(crate) fn recall(
    history: &[String],
    cursor: Option<usize>,
    up: bool,
) -> Option<(Option<usize>, String)> {
    match (cursor, up) {
        (None, true) => history
            .len()
            .checked_sub(1)
            .map(|last| (Some(last), history[last].clone())),
        (Some(0), true) | (None, false) => None,
        (Some(i), true) => Some((Some(i - 1), history.get(i - 1)?.clone())),
        (Some(i), false) if i + 1 < history.len() => Some((Some(i + 1), history[i + 1].clone())),
        (Some(_), false) => Some((None, String::new())),
    }
}

/// The commands Tab completes.
const COMMANDS: &[&str] = &[
    "build", "clear", "help", "history", "image", "images", "inspect", "ps", "pull", "push", "rmi",
    "run", "save", "tag",
];

/// Tab: the line with its command word completed (as far as the candidates agree), or `None`
/// when nothing can be added.
pub(crate) fn complete(line: &str) -> Option<String> {
    let (prefix, word) = match line.strip_prefix("docker ") {
        Some(rest) => ("docker ", rest),
        None => ("", line),
    };
    if word.contains(' ') {
        return None;
    }
    let hits: Vec<&str> = COMMANDS
        .iter()
        .copied()
        .filter(|c| c.starts_with(word))
        .collect();
    let first = hits.first()?;
    // The longest prefix every candidate shares.
    let common = hits.iter().fold(first.len(), |n, c| {
        first
            .bytes()
            .zip(c.bytes())
            .take(n)
            .take_while(|(a, b)| a == b)
            .count()
    });
    let done = if hits.len() == 1 {
        format!("{prefix}{first} ")
    } else {
        format!("{prefix}{}", &first[..common])
    };
    (done != line).then_some(done)
}

#[function_component]
pub(crate) fn Terminal(props: &TerminalProps) -> Html {
    let input = use_node_ref();
    let output = use_node_ref();
    let cursor = use_state(|| None::<usize>);
    // Keep the newest output in view.
    {
        let output = output.clone();
        use_effect_with(Rc::clone(&props.entries), move |_| {
            if let Some(el) = output.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let on_submit = {
        let (input, cursor, cb) = (input.clone(), cursor.clone(), props.on_submit.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if let Some(el) = input.cast::<web_sys::HtmlInputElement>() {
                cb.emit(el.value());
                el.set_value("");
                cursor.set(None);
            }
        })
    };
    let on_key = {
        let (input, history) = (input.clone(), Rc::clone(&props.history));
        Callback::from(move |event: KeyboardEvent| {
            let up = match event.key().as_str() {
                "ArrowUp" => true,
                "ArrowDown" => false,
                "Tab" => {
                    if let Some(el) = input.cast::<web_sys::HtmlInputElement>()
                        && let Some(line) = complete(&el.value())
                    {
                        event.prevent_default();
                        el.set_value(&line);
                    }
                    return;
                }
                _ => return,
            };
            event.prevent_default();
            if let (Some((next, line)), Some(el)) = (
                recall(&history, *cursor, up),
                input.cast::<web_sys::HtmlInputElement>(),
            ) {
                el.set_value(&line);
                cursor.set(next);
            }
        })
    };
    let focus = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = input.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        })
    };
    html! {
        <section class="pane terminal" aria-labelledby="terminal-title">
            <h2 id="terminal-title" class="pane-title">{ "Terminal" }</h2>
            <div class="terminal-screen" onclick={focus}>
                <div class="terminal-output" data-testid="terminal-output" ref={output} role="log" aria-live="polite">
                    if props.entries.is_empty() {
                        <p class="terminal-hint">{ "A docker console over the in-browser engine: try " }<code>{ "docker build -t app ." }</code>{ ", " }<code>{ "docker images" }</code>{ " or " }<code>{ "help" }</code>{ "." }</p>
                    }
                    { for props.entries.iter().map(|entry| html! {
                        <div class={classes!("terminal-entry", (entry.status.unwrap_or(0) != 0).then_some("failed"))}
                            data-status={entry.status.map_or_else(|| "running".to_owned(), |s| s.to_string())}>
                            <div class="terminal-command"><span class="prompt" aria-hidden="true">{ "$ " }</span>{ &entry.command }</div>
                            if entry.status.is_none() {
                                <div class="terminal-running">{ "…" }</div>
                            }
                            if !entry.output.is_empty() {
                                <pre class="terminal-text">{ entry.output.join("\n") }</pre>
                            }
                        </div>
                    }) }
                </div>
                <form class="terminal-line" onsubmit={on_submit}>
                    <label for="terminal-input" class="prompt">{ "$" }</label>
                    <input id="terminal-input" type="text" data-testid="terminal-input" ref={input}
                        autocomplete="off" autocapitalize="off" spellcheck="false"
                        aria-label="docker command" placeholder="docker images" onkeydown={on_key} />
                </form>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests;
