//! The host's monotonic clock (`performance.now()`, in the page and in workers); none natively,
//! so native tests never depend on timing.

/// Milliseconds from the global scope's `performance.now()`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn now_ms() -> Option<f64> {
    use wasm_bindgen::JsCast;
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok()?;
    Some(performance.dyn_into::<web_sys::Performance>().ok()?.now())
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn now_ms() -> Option<f64> {
    None
}

/// Microseconds since `started` (from [`now_ms`]), clamped to `u32`.
pub(crate) fn elapsed_us(started: Option<f64>) -> Option<u32> {
    started.zip(now_ms()).map(|(a, b)| {
        #[expect(
            clippy::cast_sign_loss,
            clippy::cast_possible_truncation,
            reason = "clamped to 0..=u32::MAX microseconds first"
        )]
        let us = ((b - a) * 1000.0).round().clamp(0.0, f64::from(u32::MAX)) as u32;
        us
    })
}
