//! Import: pick a `docker save` or OCI archive (`.tar`, `.tar.gz`); its bytes go to the build
//! worker, which reads it and fills the layer explorer.

use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub(crate) struct ImportArchiveProps {
    /// The file's name and bytes.
    pub(crate) on_import: Callback<(String, Vec<u8>)>,
}

#[function_component]
pub(crate) fn ImportArchive(props: &ImportArchiveProps) -> Html {
    let onchange = {
        let on_import = props.on_import.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            // Picking the same file again must fire `change` again.
            input.set_value("");
            let on_import = on_import.clone();
            spawn_local(async move {
                let name = file.name();
                let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await
                else {
                    return;
                };
                on_import.emit((name, js_sys::Uint8Array::new(&buffer).to_vec()));
            });
        })
    };
    html! {
        <label class="import">
            { "Import an image archive (docker save, OCI; .tar or .tar.gz): " }
            <input type="file" data-testid="import" accept=".tar,.gz,.tgz,application/x-tar,application/gzip" {onchange} />
        </label>
    }
}
