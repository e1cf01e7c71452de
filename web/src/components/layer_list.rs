//! The layer explorer: the image's efficiency, wasted bytes and the lesson in words, then one
//! row per layer (base first): what made it (click: its lines in the editor), size and digest;
//! expanded, the files it added, modified and deleted as a tree with sizes in dive's colours,
//! and a button to browse the union filesystem at that layer.

use std::rc::Rc;

use yew::prelude::*;

use crate::build::{BuildOutcome, LayerRow, size_text};
use crate::components::UnionBrowser;
use crate::explore::{Efficiency, FileRow};
use crate::state::UnionView;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct LayerListProps {
    pub(crate) outcome: Option<Rc<BuildOutcome>>,
    /// Called with a layer's instruction lines (1-based, inclusive) when it is clicked.
    pub(crate) on_lines: Callback<(u32, u32)>,
    /// The union view open, if any.
    pub(crate) union: Option<UnionView>,
    /// Opens (or closes, with `None`) a union directory.
    pub(crate) on_union: Callback<Option<(usize, String)>>,
}

/// One changed path of a layer, indented by depth.
pub(crate) fn file_row(file: &FileRow) -> Html {
    let change = file.change.as_str();
    let label = match change {
        "added" => "+",
        "modified" => "~",
        "deleted" => "−",
        _ => " ",
    };
    html! {
        <li
            class={classes!("file", change, file.dir.then_some("dir"))}
            data-testid="layer-file"
            data-change={change}
            data-path={file.path.clone()}
            data-size={file.size.to_string()}
            style={format!("--depth: {}", file.depth())}
            title={format!("{change}: {}", file.path)}
        >
            <span class="mark" aria-hidden="true">{ label }</span>
            <span class="name">{ file.name() }{ if file.dir { "/" } else { "" } }</span>
            <span class="size">{ size_text(file.size) }</span>
        </li>
    }
}

fn efficiency(e: &Efficiency) -> Html {
    html! {
        <div class="efficiency" data-testid="efficiency" data-score={e.score.to_string()} data-wasted={e.wasted.to_string()}>
            <p>
                <strong>{ "Image efficiency: " }{ e.percent_text() }</strong>
                { format!(" · wasted {} · your layers {}", size_text(e.wasted), size_text(e.user_size)) }
            </p>
            { for e.lessons.iter().map(|l| html! { <p class="lesson" data-testid="lesson">{ l }</p> }) }
            if !e.files.is_empty() {
                <table class="wasted" data-testid="wasted">
                    <thead><tr><th>{ "Count" }</th><th>{ "Total space" }</th><th>{ "Path" }</th></tr></thead>
                    <tbody>
                        { for e.files.iter().map(|f| html! {
                            <tr><td>{ f.count }</td><td>{ size_text(f.size) }</td><td><code>{ &f.path }</code></td></tr>
                        }) }
                    </tbody>
                </table>
            }
        </div>
    }
}

fn layer_row(index: usize, layer: &LayerRow, props: &LayerListProps) -> Html {
    let lines = layer.lines.map(|(from, to)| format!("{from}-{to}"));
    let files = &layer.files;
    let union_open = props.union.as_ref().filter(|u| u.layer == index);
    let toggle_union = {
        let open = union_open.is_some();
        props
            .on_union
            .reform(move |_: MouseEvent| (!open).then(|| (index, "/".to_owned())))
    };
    html! {
        <li class="layer" data-testid="layer" data-index={index.to_string()} data-size={layer.size.to_string()} data-lines={lines} data-digest={layer.digest.clone()}>
            <div class="layer-head">
                <span class="layer-no">{ index + 1 }</span>
                if let Some((from, to)) = layer.lines {
                    <button
                        type="button"
                        class="created-by"
                        title={format!("Show line {from} in the editor: {}", layer.created_by)}
                        onclick={props.on_lines.reform(move |_: MouseEvent| (from, to))}
                    >
                        { &layer.created_by }
                    </button>
                } else {
                    <code class="created-by" title={layer.created_by.clone()}>{ &layer.created_by }</code>
                }
                <span class="size">{ size_text(layer.size) }</span>
                <code class="digest" title="diff ID">{ &layer.digest }</code>
            </div>
            <details class="layer-files" data-testid="layer-details">
                <summary>
                    { format!("{} added, {} modified, {} deleted", files.added, files.modified, files.deleted) }
                </summary>
                <ul class="file-tree" aria-label={format!("files of layer {}", index + 1)}>
                    { for files.files.iter().map(file_row) }
                    if files.more > 0 {
                        <li class="file more">{ format!("… {} more", files.more) }</li>
                    }
                </ul>
                <button type="button" class="union-toggle" data-testid="union-toggle" aria-expanded={union_open.is_some().to_string()} onclick={toggle_union}>
                    { if union_open.is_some() { "Hide the filesystem" } else { "Browse the filesystem at this layer" } }
                </button>
                if let Some(view) = union_open {
                    <UnionBrowser view={view.clone()} on_open={props.on_union.clone()} />
                }
            </details>
        </li>
    }
}

#[function_component]
pub(crate) fn LayerList(props: &LayerListProps) -> Html {
    let layers = props.outcome.as_ref().map_or(&[][..], |o| &o.layers[..]);
    let total = props.outcome.as_ref().map_or(0, |o| o.total_size);
    let imported = props.outcome.as_ref().and_then(|o| o.imported.clone());
    html! {
        <section class="pane" aria-labelledby="layers-title">
            <h2 id="layers-title" class="pane-title">
                { "Layers" }<span class="count">{ layers.len() }</span>
                if let Some(name) = &imported {
                    <span class="timing" data-testid="imported">{ format!("imported from {name}") }</span>
                }
            </h2>
            if let Some(e) = props.outcome.as_ref().and_then(|o| o.efficiency.as_ref()) {
                { efficiency(e) }
            }
            // Only layers go in the list: tests count its children.
            <ol class="layers" data-testid="layers" aria-labelledby="layers-title">
                { for layers.iter().enumerate().map(|(i, layer)| layer_row(i, layer, props)) }
            </ol>
            if props.outcome.as_ref().is_some_and(|o| o.image.is_some()) {
                <p class="image-total" data-testid="image-size">{ format!("Image total: {}", size_text(total)) }</p>
            } else if props.outcome.is_none() {
                <p class="empty">{ "Build, or import a docker save / OCI archive, to see its layers." }</p>
            }
        </section>
    }
}
