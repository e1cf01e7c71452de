//! One directory of the union filesystem at a layer (what a container started from that
//! layer would see): entries with sizes, directories open on click, `..` goes up.

use yew::prelude::*;

use crate::build::size_text;
use crate::state::UnionView;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct UnionBrowserProps {
    pub(crate) view: UnionView,
    /// Opens another directory of the same layer.
    pub(crate) on_open: Callback<Option<(usize, String)>>,
}

/// The parent of `dir` (`/` stays `/`).
pub(crate) fn parent(dir: &str) -> String {
    match dir.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) | None => "/".to_owned(),
        Some((up, _)) => up.to_owned(),
    }
}

#[function_component]
pub(crate) fn UnionBrowser(props: &UnionBrowserProps) -> Html {
    let view = &props.view;
    let layer = view.layer;
    let open = |dir: String| {
        props
            .on_open
            .reform(move |_: MouseEvent| Some((layer, dir.clone())))
    };
    html! {
        <div class="union" data-testid="union" data-dir={view.dir.clone()}>
            <p class="union-path">
                { format!("Filesystem at layer {}: ", layer + 1) }<code>{ &view.dir }</code>
                if view.dir != "/" {
                    { " " }<button type="button" class="up" onclick={open(parent(&view.dir))}>{ "⬆ up" }</button>
                }
            </p>
            { match &view.entries {
                None => html! { <p class="empty">{ "Listing…" }</p> },
                Some(entries) => html! {
                    <ul class="file-tree union-list">
                        { for entries.iter().map(|e| html! {
                            <li class={classes!("file", "present", e.dir.then_some("dir"))} data-testid="union-entry" data-path={e.path.clone()}>
                                if e.dir {
                                    <button type="button" class="name" onclick={open(e.path.clone())}>{ e.name() }{ "/" }</button>
                                } else {
                                    <span class="name">{ e.name() }</span>
                                }
                                <span class="size">{ size_text(e.size) }</span>
                            </li>
                        }) }
                        if view.more > 0 {
                            <li class="file more">{ format!("… {} more", view.more) }</li>
                        }
                    </ul>
                },
            } }
        </div>
    }
}
