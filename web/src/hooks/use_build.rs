//! The bridge to the build worker (which keeps its engine, so the cache carries over): builds
//! (the log arrives in chunks as [`Action::BuildLog`] while the worker runs, the rows as
//! [`Action::BuildReady`]), union-filesystem listings and archive imports.

use yew::prelude::*;
use yew_agent::worker::WorkerBridge;

use super::lazy_bridge::LazyBridge;

use crate::build::{BuildAsk, BuildInput, BuildOutput, BuildTask, Shared, TerminalAsk};
use crate::state::{Action, State, parse_build_args};

/// What the page can ask the build worker.
#[derive(Clone, PartialEq)]
pub(crate) struct BuildCalls {
    /// The Build button.
    pub(crate) build: Callback<MouseEvent>,
    /// List a directory of the union filesystem at a layer (`None` closes the view).
    pub(crate) union: Callback<Option<(usize, String)>>,
    /// Import an archive: its file name and bytes.
    pub(crate) import: Callback<(String, Vec<u8>)>,
    /// Run a terminal command line.
    pub(crate) terminal: Callback<String>,
    /// Download the latest build's image as an OCI archive.
    pub(crate) export: Callback<MouseEvent>,
    /// Encode a share link (`true`: the Share button, copy it).
    pub(crate) share: Callback<(Shared, bool)>,
    /// Decode a share link's payload.
    pub(crate) unshare: Callback<String>,
}

#[hook]
pub(crate) fn use_build(state: &UseReducerHandle<State>) -> BuildCalls {
    let cell = use_mut_ref(|| None::<WorkerBridge<BuildTask>>);
    let bridge = {
        let dispatcher = state.dispatcher();
        let on_output = move |output: BuildOutput| match output {
            BuildOutput::Log { build, lines } => {
                dispatcher.dispatch(Action::BuildLog { build, lines });
            }
            BuildOutput::Done(outcome) => dispatcher.dispatch(Action::BuildReady(outcome)),
            BuildOutput::Analysis(response) => {
                dispatcher.dispatch(Action::AnalysisReady(response));
            }
            BuildOutput::Union {
                layer,
                dir,
                entries,
                more,
            } => dispatcher.dispatch(Action::UnionReady {
                layer,
                dir,
                entries,
                more,
            }),
            BuildOutput::Terminal { id, mut reply } => {
                // `docker save -o FILE`: the browser saves the archive.
                if let Some((name, bytes)) = reply.download.take()
                    && let Err(err) = crate::download::download(&name, &bytes, "application/x-tar")
                {
                    reply.output.push(err);
                    reply.status = 1;
                }
                dispatcher.dispatch(Action::TerminalReady { id, reply });
            }
            BuildOutput::Export { image, archive } => {
                let result = archive.and_then(|bytes| {
                    crate::download::download(&export_name(&image), &bytes, "application/x-tar")
                });
                dispatcher.dispatch(Action::ExportDone(result.err()));
            }
            BuildOutput::ShareLink { payload, copy } => {
                let link = crate::hooks::use_share::keep(&payload, copy);
                dispatcher.dispatch(Action::ShareLinkReady { link, copied: copy });
            }
            BuildOutput::ShareState(state) => dispatcher.dispatch(Action::Restore(state)),
        };
        LazyBridge::new(cell, on_output)
    };
    // Once the first analysis is on screen (first render comes first), load the build
    // worker too: builds then start warm, and the page keeps working offline.
    {
        let bridge = bridge.clone();
        use_effect_with(state.analysed.is_some(), move |&analysed| {
            if analysed {
                bridge.start();
            }
        });
    }
    let build = {
        let (state, bridge) = (state.clone(), bridge.clone());
        Callback::from(move |_: MouseEvent| {
            let ask = BuildAsk {
                build: state.builds + 1,
                dockerfile: state.source.clone(),
                context: state.context.clone(),
                no_cache: state.no_cache,
                build_args: parse_build_args(&state.build_args),
                target: state.target.clone(),
                tags: Vec::new(),
            };
            state.dispatch(Action::BuildStarted);
            bridge.send(BuildInput::Build(ask));
        })
    };
    let union = {
        let (state, bridge) = (state.clone(), bridge.clone());
        Callback::from(move |open: Option<(usize, String)>| {
            if let Some((layer, dir)) = &open {
                bridge.send(BuildInput::Union {
                    layer: *layer,
                    dir: dir.clone(),
                });
            }
            state.dispatch(Action::OpenUnion(open));
        })
    };
    let import = {
        let (state, bridge) = (state.clone(), bridge.clone());
        Callback::from(move |(name, bytes): (String, Vec<u8>)| {
            let build = state.builds + 1;
            state.dispatch(Action::ImportStarted);
            bridge.send(BuildInput::Import { build, name, bytes });
        })
    };
    let terminal = {
        let (state, bridge) = (state.clone(), bridge.clone());
        Callback::from(move |line: String| {
            let command = line.trim();
            if !command.is_empty() && command != "clear" {
                bridge.send(BuildInput::Terminal {
                    id: state.terminal_sent,
                    ask: TerminalAsk {
                        line: command.to_owned(),
                        dockerfile: state.source.clone(),
                        context: state.context.clone(),
                    },
                });
            }
            state.dispatch(Action::TerminalSubmit(line));
        })
    };
    let export = {
        let (state, bridge) = (state.clone(), bridge.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(image) = state.build.as_ref().and_then(|b| b.image.clone()) {
                state.dispatch(Action::ExportStarted);
                bridge.send(BuildInput::Export { image });
            }
        })
    };
    let share = {
        let bridge = bridge.clone();
        Callback::from(move |(state, copy): (Shared, bool)| {
            bridge.send(BuildInput::ShareEncode { state, copy });
        })
    };
    let unshare =
        Callback::from(move |payload: String| bridge.send(BuildInput::ShareDecode(payload)));
    BuildCalls {
        build,
        union,
        import,
        terminal,
        export,
        share,
        unshare,
    }
}

/// The download's file name: `image-<12 hex digits>.oci.tar`.
fn export_name(image: &str) -> String {
    format!("image-{}.oci.tar", crate::build::short_digest(image))
}
