//! The build log, BuildKit's plain progress (`#3 [2/6] RUN …`, `#3 CACHED`, output lines,
//! `#3 DONE 1.2s`): streamed while the worker builds, the whole log once it is done.

use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct BuildLogProps {
    /// The lines so far.
    pub(crate) lines: Vec<String>,
    pub(crate) building: bool,
    /// How many pieces the log arrived in while the build ran.
    #[prop_or_default]
    pub(crate) chunks: u32,
    /// How long the worker took for the latest build, in microseconds.
    #[prop_or_default]
    pub(crate) took_us: Option<u32>,
}

/// The line's kind for colouring: a step header, CACHED, DONE, an error, a note or output.
pub(crate) fn line_class(line: &str) -> &'static str {
    let rest = line.split_once(' ').map_or("", |(_, rest)| rest);
    if rest.starts_with('[') {
        "head"
    } else if rest == "CACHED" {
        "cached"
    } else if rest.starts_with("DONE ") {
        "done"
    } else if rest.starts_with("ERROR") {
        "error"
    } else if rest.starts_with("note: ") {
        "note"
    } else {
        "out"
    }
}

#[function_component]
pub(crate) fn BuildLog(props: &BuildLogProps) -> Html {
    let end = use_node_ref();
    {
        // Follow the log's end while it grows.
        let end = end.clone();
        use_effect_with(props.lines.len(), move |_| {
            if let Some(end) = end.cast::<web_sys::Element>() {
                end.set_scroll_top(end.scroll_height());
            }
        });
    }
    html! {
        <section class="pane" aria-labelledby="log-title">
            <h2 id="log-title" class="pane-title">{ "Log" }
                if props.building {
                    <span class="timing" role="status">{ "building…" }</span>
                } else if let Some(us) = props.took_us {
                    <span class="timing" data-testid="build-time" data-us={us.to_string()}>
                        { format!("built in {:.1} ms in the worker", f64::from(us) / 1000.0) }
                    </span>
                }
            </h2>
            <pre
                class="build-log"
                data-testid="build-log"
                data-building={props.building.to_string()}
                data-chunks={props.chunks.to_string()}
                role="log"
                tabindex="0"
                ref={end}
            >
                { for props.lines.iter().map(|line| html! {
                    <span class={classes!("log-line", line_class(line))}>{ line }{ "\n" }</span>
                }) }
            </pre>
        </section>
    }
}
