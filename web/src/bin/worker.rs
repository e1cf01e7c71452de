//! The analysis web worker (Trunk builds it from `web/index.html`, `data-type="worker"`): it
//! only registers the agent, so no UI code is reachable from it.

use stowage_web::AnalysisTask;
use yew_agent::Registrable;

fn main() {
    AnalysisTask::registrar().register();
}
