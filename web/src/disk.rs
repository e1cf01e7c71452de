//! Reading files the learner hands the page: an `<input type=file>` (several files, or a whole
//! folder with `webkitdirectory`, whose files carry `webkitRelativePath`) or a drag and drop
//! (each `DataTransferItem`'s `webkitGetAsEntry()`, folders walked with their directory reader
//! until it returns an empty batch). The callback APIs are wrapped in promises and awaited.
//! Text only: the context model holds UTF-8 text, so other bytes are replaced.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// At most this many files are read from one pick or drop.
pub(crate) const MAX_FILES: usize = 1_000;
/// Larger files are skipped (the playground is for small contexts).
pub(crate) const MAX_FILE_BYTES: f64 = 1_048_576.0;

/// What was read: `(relative path, text)` and the files left out (too many, too large).
#[derive(Debug, Default)]
pub(crate) struct Read {
    pub(crate) files: Vec<(String, String)>,
    pub(crate) skipped: Vec<String>,
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(target, &method.into())?.dyn_into()?;
    match args {
        [] => f.call0(target),
        [a] => f.call1(target, a),
        [a, b, ..] => f.call2(target, a, b),
    }
}

/// `target.method(resolve, reject)` as a future.
async fn promised(target: &JsValue, method: &str) -> Result<JsValue, JsValue> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if let Err(err) = call(target, method, &[resolve.into(), reject.clone().into()]) {
            let _ = reject.call1(&JsValue::NULL, &err);
        }
    });
    JsFuture::from(promise).await
}

fn string_prop(target: &JsValue, name: &str) -> String {
    js_sys::Reflect::get(target, &name.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

async fn read_file(file: &web_sys::File, path: String, out: &mut Read) {
    if out.files.len() >= MAX_FILES || file.size() > MAX_FILE_BYTES {
        out.skipped.push(path);
        return;
    }
    match JsFuture::from(file.text()).await.map(|t| t.as_string()) {
        Ok(Some(text)) => out.files.push((path, text)),
        _ => out.skipped.push(path),
    }
}

/// The files of an `<input type=file>` (with `webkitdirectory`, paths keep their folders).
pub(crate) async fn read_input(input: &web_sys::HtmlInputElement) -> Read {
    let mut out = Read::default();
    let Some(list) = input.files() else {
        return out;
    };
    for i in 0..list.length() {
        let Some(file) = list.get(i) else { continue };
        let relative = string_prop(&file, "webkitRelativePath");
        let path = if relative.is_empty() {
            file.name()
        } else {
            relative
        };
        read_file(&file, path, &mut out).await;
    }
    out
}

/// The entries of a drop, taken while the event is being handled (its items go stale after):
/// file-system entries (files and folders), or plain files where the browser gives no entry.
pub(crate) fn dropped_entries(event: &web_sys::DragEvent) -> Vec<JsValue> {
    let Some(items) = js_sys::Reflect::get(event, &"dataTransfer".into())
        .and_then(|dt| js_sys::Reflect::get(&dt, &"items".into()))
        .ok()
    else {
        return Vec::new();
    };
    let length = js_sys::Reflect::get(&items, &"length".into())
        .ok()
        .and_then(|l| l.as_f64())
        .unwrap_or(0.0);
    let mut entries = Vec::new();
    let mut i = 0u32;
    while f64::from(i) < length {
        if let Ok(item) = js_sys::Reflect::get_u32(&items, i)
            && string_prop(&item, "kind") == "file"
        {
            match call(&item, "webkitGetAsEntry", &[]) {
                Ok(entry) if !entry.is_null() => entries.push(entry),
                _ => {
                    if let Ok(file) = call(&item, "getAsFile", &[])
                        && !file.is_null()
                    {
                        entries.push(file);
                    }
                }
            }
        }
        i += 1;
    }
    entries
}

/// Reads dropped entries, walking folders.
pub(crate) async fn read_entries(entries: Vec<JsValue>) -> Read {
    let mut out = Read::default();
    let mut stack = entries;
    stack.reverse();
    while let Some(entry) = stack.pop() {
        if let Some(file) = entry.dyn_ref::<web_sys::File>() {
            read_file(file, file.name(), &mut out).await;
            continue;
        }
        let path = string_prop(&entry, "fullPath")
            .trim_start_matches('/')
            .to_owned();
        let is_dir = js_sys::Reflect::get(&entry, &"isDirectory".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if is_dir {
            let Ok(reader) = call(&entry, "createReader", &[]) else {
                out.skipped.push(path);
                continue;
            };
            let mut children = Vec::new();
            // The reader hands out batches; an empty one means the folder is done.
            while let Ok(batch) = promised(&reader, "readEntries").await {
                let batch = js_sys::Array::from(&batch);
                if batch.length() == 0 {
                    break;
                }
                children.extend(batch.iter());
            }
            stack.extend(children.into_iter().rev());
        } else {
            match promised(&entry, "file")
                .await
                .and_then(JsCast::dyn_into::<web_sys::File>)
            {
                Ok(file) => read_file(&file, path, &mut out).await,
                Err(_) => out.skipped.push(path),
            }
        }
    }
    out
}
