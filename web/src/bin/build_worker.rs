//! The app's web worker (Trunk builds it from `web/index.html`, `data-type="worker"`): it only
//! registers the agent, so no UI code is reachable from it. The page runs two instances, one
//! for the analysis as you type and one for builds, whose engine (and so the build cache)
//! lives as long as the worker.

use stowage_web::BuildTask;
use yew_agent::Registrable;

fn main() {
    BuildTask::registrar().register();
}
