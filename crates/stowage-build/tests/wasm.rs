//! The build engine as the playground runs it: compiled to `wasm32-unknown-unknown` and run in
//! headless Chromium by `wasm-bindgen-test-runner` (`cargo xtask ci` runs it). It checks that the
//! benchmark workload (20 steps, 10,000 files, 50 MB) builds and then rebuilds fully cached in
//! the browser, and prints how long each took: the wasm figures of the build benchmark.
#![cfg(target_arch = "wasm32")]
#![expect(clippy::unwrap_used, reason = "test setup")]

#[path = "../benches/workload/mod.rs"]
mod workload;

use stowage_build::{Engine, SimulatedImages, StepStatus};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

#[wasm_bindgen_test]
fn twenty_step_build_then_cached_rebuild() {
    let ctx = workload::context();
    let mut images = SimulatedImages::new();
    // Resolve (simulate the pull of) the base image once, as the native bench does.
    assert!(workload::build(&mut Engine::new(), &mut images, &ctx).success());

    let mut engine = Engine::new();
    let started = now_ms();
    let first = workload::build(&mut engine, &mut images, &ctx);
    let first_ms = now_ms() - started;
    assert!(first.success(), "{:?}", first.diagnostics);
    assert!(first.steps.iter().any(|s| s.status == StepStatus::Miss));

    let started = now_ms();
    let again = workload::build(&mut engine, &mut images, &ctx);
    let cached_ms = now_ms() - started;
    assert!(again.success());
    let missed: Vec<&str> = again
        .steps
        .iter()
        .filter(|s| s.status == StepStatus::Miss)
        .map(|s| s.reason.as_str())
        .collect();
    assert!(
        missed.is_empty(),
        "a rebuild of the same inputs missed: {missed:?}"
    );
    assert_eq!(first.image, again.image, "same inputs, same image ID");

    console_log!(
        "stowage-build in wasm (Chromium): first build {first_ms:.0} ms, cached rebuild {cached_ms:.0} ms (20 steps, 10,000 files, 50 MB)"
    );
}
