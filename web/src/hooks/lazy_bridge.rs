//! A bridge to a web worker that starts on first use rather than at the first render: the
//! server renderer (the native component tests) never starts a worker, and the page asks for a
//! worker's script only when it needs it.

use std::cell::RefCell;
use std::rc::Rc;

use yew_agent::Spawnable;
use yew_agent::worker::WorkerBridge;

use crate::build::{BuildInput, BuildOutput, BuildTask};

/// Where Trunk puts the worker's script (`data-bin="build-worker"` in `web/index.html`). The
/// page runs two instances of it: one analyses the editor's text as you type, the other builds
/// (and keeps the engine's cache), so neither waits for the other.
pub(crate) const WORKER_PATH: &str = "build-worker.js";

/// One worker instance, spawned by the first [`LazyBridge::send`].
#[derive(Clone)]
pub(crate) struct LazyBridge {
    bridge: Rc<RefCell<Option<WorkerBridge<BuildTask>>>>,
    on_output: Rc<dyn Fn(BuildOutput)>,
}

impl LazyBridge {
    /// A bridge whose answers go to `on_output`, kept in `cell` (a `use_mut_ref`, so it lives
    /// as long as the component).
    pub(crate) fn new(
        cell: Rc<RefCell<Option<WorkerBridge<BuildTask>>>>,
        on_output: impl Fn(BuildOutput) + 'static,
    ) -> Self {
        Self {
            bridge: cell,
            on_output: Rc::new(on_output),
        }
    }

    pub(crate) fn send(&self, input: BuildInput) {
        self.with_bridge(|bridge| bridge.send(input));
    }

    /// Spawns the worker now (if it is not running yet), so its script and wasm are loaded
    /// before anyone asks: the page then works offline once it is up.
    pub(crate) fn start(&self) {
        self.with_bridge(|_| ());
    }

    fn with_bridge(&self, then: impl FnOnce(&WorkerBridge<BuildTask>)) {
        let mut bridge = self.bridge.borrow_mut();
        then(bridge.get_or_insert_with(|| {
            let on_output = Rc::clone(&self.on_output);
            BuildTask::spawner()
                .callback(move |output| on_output(output))
                .spawn(WORKER_PATH)
        }));
    }
}
