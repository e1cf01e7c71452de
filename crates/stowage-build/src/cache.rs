//! Cache keys and the words that explain them.
//!
//! A key is SHA-256 over the parent step's key (absent for FROM and `COPY --link`) and the
//! step's named inputs in order. The same inputs are kept as a [`StepRecord`] per step slot,
//! so the next build can say *which* input changed.

use std::collections::BTreeMap;

use sha2::{Digest as _, Sha256};
use stowage_oci::Digest;

use crate::host::StepRecord;

/// Named inputs of one step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct KeyInputs {
    pub(crate) inputs: BTreeMap<String, String>,
    /// Checksums of the files a COPY/ADD (or a bind mount) selects, by shown path.
    pub(crate) files: BTreeMap<String, [u8; 32]>,
}

impl KeyInputs {
    pub(crate) fn new(instruction: &str) -> Self {
        let mut k = Self::default();
        k.set("instruction", instruction);
        k
    }

    pub(crate) fn set(&mut self, name: &str, value: impl Into<String>) {
        self.inputs.insert(name.to_owned(), value.into());
    }

    /// The key over `parent` and the inputs.
    pub(crate) fn key(&self, parent: Option<&Digest>) -> Digest {
        let mut h = self.named(b"stowage-cache-v1\n", parent);
        h.update(b"files\n");
        for (k, v) in &self.files {
            h.update((k.len() as u64).to_le_bytes());
            h.update(k.as_bytes());
            h.update(v);
        }
        Digest::from_sha256(h.finalize().into())
    }

    /// The key over `parent` and the named inputs, without the files' checksums: every
    /// key of a step that differs only in what its files hold shares it.
    pub(crate) fn definition(&self, parent: Option<&Digest>) -> Digest {
        Digest::from_sha256(
            self.named(b"stowage-definition-v1\n", parent)
                .finalize()
                .into(),
        )
    }

    fn named(&self, domain: &[u8], parent: Option<&Digest>) -> Sha256 {
        let mut h = Sha256::new();
        h.update(domain);
        if let Some(p) = parent {
            h.update(p.to_string().as_bytes());
        }
        h.update(b"\n");
        for (k, v) in &self.inputs {
            h.update((k.len() as u64).to_le_bytes());
            h.update(k.as_bytes());
            h.update((v.len() as u64).to_le_bytes());
            h.update(v.as_bytes());
        }
        h
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} more", rest.len()),
    }
}

fn show(v: &str) -> String {
    if v.is_empty() {
        "\"\"".to_owned()
    } else if v.chars().count() > 40 {
        format!("{}…", v.chars().take(39).collect::<String>())
    } else {
        v.to_owned()
    }
}

/// Sentences for every input that differs between the previous record and now.
pub(crate) fn input_changes(old: &StepRecord, new: &KeyInputs, keyword: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut added = Vec::new();
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    for (path, sum) in &new.files {
        match old.files.get(path) {
            None => added.push(path.clone()),
            Some(o) if o != sum => changed.push(path.clone()),
            Some(_) => {}
        }
    }
    for path in old.files.keys() {
        if !new.files.contains_key(path) {
            removed.push(path.clone());
        }
    }
    let names: std::collections::BTreeSet<&String> =
        old.inputs.keys().chain(new.inputs.keys()).collect();
    for name in names {
        let (a, b) = (old.inputs.get(name), new.inputs.get(name));
        if a == b {
            continue;
        }
        let (a, b) = (a.map_or("", String::as_str), b.map_or("", String::as_str));
        let what = if let Some(var) = name.strip_prefix("arg:") {
            match (old.inputs.contains_key(name), new.inputs.contains_key(name)) {
                (false, _) => format!(
                    "ARG {var}={} is now in scope and this {keyword} sees it in its environment",
                    show(b)
                ),
                (_, false) => format!("ARG {var} is no longer in scope for this {keyword}"),
                _ => format!(
                    "ARG {var} changed from {} to {} and this {keyword} sees it in its environment",
                    show(a),
                    show(b)
                ),
            }
        } else if let Some(var) = name.strip_prefix("env:") {
            match (old.inputs.contains_key(name), new.inputs.contains_key(name)) {
                (false, _) => format!(
                    "ENV {var}={} is new in this {keyword}'s environment",
                    show(b)
                ),
                (_, false) => format!("ENV {var} was removed from this {keyword}'s environment"),
                _ => format!("ENV {var} changed from {} to {}", show(a), show(b)),
            }
        } else {
            match name.as_str() {
                "instruction" => format!("the instruction changed (it was `{}`)", show(a)),
                "user" => format!(
                    "USER changed from {} to {} (RUN runs as that user)",
                    if a.is_empty() { "root" } else { a },
                    if b.is_empty() { "root" } else { b }
                ),
                "cwd" => format!("WORKDIR changed from {a} to {b}"),
                "base" => "the base image changed".to_owned(),
                "from" => "the stage or image it copies from changed".to_owned(),
                "shell" => format!("SHELL changed from {a} to {b}"),
                "network" => format!("--network changed from {a} to {b}"),
                "dest" => format!("the destination changed from {a} to {b}"),
                "chown" => format!("--chown changed from {} to {}", show(a), show(b)),
                "chmod" => format!("--chmod changed from {} to {}", show(a), show(b)),
                "sources" => "the list of sources changed".to_owned(),
                "platform" => format!("the platform changed from {a} to {b}"),
                other => format!("{other} changed"),
            }
        };
        out.push(what);
    }
    if !changed.is_empty() {
        out.push(format!("{} changed", list(&changed)));
    }
    if !added.is_empty() {
        let verb = if added.len() == 1 {
            "was added"
        } else {
            "were added"
        };
        out.push(format!("{} {verb}", list(&added)));
    }
    if !removed.is_empty() {
        let verb = if removed.len() == 1 {
            "was removed"
        } else {
            "were removed"
        };
        out.push(format!("{} {verb}", list(&removed)));
    }
    out
}
