//! Share links: the Dockerfile and the context kept in the URL fragment (`#s=…`) and in local
//! storage (the build worker encodes and decodes them, see `build::share`). On start the page
//! restores the fragment's state, or else the stored one; after that every change is kept
//! (a second after the last edit), and the Share button copies the link.

use yew::prelude::*;

use crate::build::Shared;
use crate::build::share::FRAGMENT_KEY;
use crate::hooks::use_build::BuildCalls;
use crate::state::{Action, State, example_context};

/// The local-storage key of the latest state.
const STORAGE_KEY: &str = "stowage.share";

/// How long after the last edit the state is kept, in milliseconds.
const KEEP_AFTER_MS: u32 = 1_000;

/// The page's current state as a link holds it.
fn shared(state: &State) -> Shared {
    Shared {
        dockerfile: state.source.clone(),
        files: state
            .context
            .iter()
            .map(|f| (f.path.clone(), f.text.clone()))
            .collect(),
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The payload in the URL fragment, or else the one in local storage.
fn saved_payload() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    if let Some(payload) = hash.trim_start_matches('#').strip_prefix(FRAGMENT_KEY) {
        return Some(payload.to_owned());
    }
    storage()?.get_item(STORAGE_KEY).ok()?
}

/// Keeps `payload` in local storage and the URL fragment (replacing the history entry, so no
/// navigation happens) and, when `copy`, puts the link on the clipboard. Returns the link.
pub(crate) fn keep(payload: &str, copy: bool) -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    if let Some(storage) = storage() {
        // Full storage (quota) only loses the local copy; the link still works.
        let _ = storage.set_item(STORAGE_KEY, payload);
    }
    let location = window.location();
    let base = format!(
        "{}{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    let link = format!("{base}#{FRAGMENT_KEY}{payload}");
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("#{FRAGMENT_KEY}{payload}")),
        );
    }
    if copy {
        copy_text(&window, &link);
    }
    link
}

/// `navigator.clipboard.writeText(text)`, its refusal ignored (the link is shown anyway).
fn copy_text(window: &web_sys::Window, text: &str) {
    use wasm_bindgen::JsCast;
    let clipboard = js_sys::Reflect::get(window, &"navigator".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"clipboard".into()))
        .ok();
    let write = clipboard
        .as_ref()
        .and_then(|c| js_sys::Reflect::get(c, &"writeText".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let (Some(clipboard), Some(write)) = (clipboard, write)
        && let Ok(promise) = write.call1(&clipboard, &text.into())
        && let Ok(promise) = promise.dyn_into::<js_sys::Promise>()
    {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

/// Restores a shared state on start, keeps the state as it changes, and returns the Share
/// button's callback.
#[hook]
pub(crate) fn use_share(
    state: &UseReducerHandle<State>,
    calls: &BuildCalls,
) -> Callback<MouseEvent> {
    {
        let (state, unshare) = (state.clone(), calls.unshare.clone());
        use_effect_with((), move |()| match saved_payload() {
            Some(payload) => unshare.emit(payload),
            None => state.dispatch(Action::NothingToRestore),
        });
    }
    {
        let untouched = state.revision == 0 && state.context == example_context();
        let keep = (state.restored && !untouched).then(|| shared(state));
        let share = calls.share.clone();
        use_effect_with(keep, move |keep| {
            let timer = keep.clone().map(|keep| {
                gloo_timers::callback::Timeout::new(KEEP_AFTER_MS, move || {
                    share.emit((keep, false));
                })
            });
            move || drop(timer)
        });
    }
    let (state, share) = (state.clone(), calls.share.clone());
    Callback::from(move |_: MouseEvent| share.emit((shared(&state), true)))
}
