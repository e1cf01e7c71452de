//! Embeds the example projects of `static/examples/` in the app: one generated
//! `$OUT_DIR/examples.rs` with an `include_str!` per file, in the order `static/examples/ORDER`
//! lists them (a line is the folder name, a space and the picker's short label). In each folder, `Dockerfile` is the Dockerfile, `README.md` the explanation shown
//! beside the picker (its first line is the `# title`) and every other file is the build context.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("../static/examples");
    println!("cargo::rerun-if-changed={}", root.display());
    let order = std::fs::read_to_string(root.join("ORDER")).expect("static/examples/ORDER");
    let entries: Vec<(&str, &str)> = order
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split_once(' ')
                .map_or((l, l), |(n, label)| (n, label.trim()))
        })
        .collect();
    let names: Vec<&str> = entries.iter().map(|(n, _)| *n).collect();
    let mut folders: Vec<String> = std::fs::read_dir(&root)
        .expect("static/examples")
        .map(|e| e.expect("a directory entry"))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut listed: Vec<&str> = names.clone();
    listed.sort_unstable();
    assert_eq!(
        listed, folders,
        "static/examples/ORDER must list every example folder once"
    );

    let mut out = String::from("/// The examples, in the order of `static/examples/ORDER`.\n");
    out.push_str("pub static EXAMPLES: &[Example] = &[\n");
    for (name, label) in entries {
        let dir = root.join(name);
        let mut files = Vec::new();
        walk(&dir, &dir, &mut files);
        files.sort();
        let include =
            |rel: &str| format!("include_str!({:?})", dir.join(rel).display().to_string());
        assert!(
            files.iter().any(|f| f == "Dockerfile"),
            "{name} has no Dockerfile"
        );
        assert!(
            files.iter().any(|f| f == "README.md"),
            "{name} has no README.md"
        );
        let _ = writeln!(out, "    Example {{");
        let _ = writeln!(out, "        name: {name:?},");
        let _ = writeln!(out, "        label: {label:?},");
        let _ = writeln!(out, "        dockerfile: {},", include("Dockerfile"));
        let _ = writeln!(out, "        explanation: {},", include("README.md"));
        let _ = writeln!(out, "        files: &[");
        for file in files
            .iter()
            .filter(|f| *f != "Dockerfile" && *f != "README.md")
        {
            let _ = writeln!(out, "            ({file:?}, {}),", include(file));
        }
        let _ = writeln!(out, "        ],\n    }},");
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("examples.rs");
    std::fs::write(dest, out).expect("writing examples.rs");
}

/// Every file below `dir`, as `/`-separated paths relative to `base`.
fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
    println!("cargo::rerun-if-changed={}", dir.display());
    for entry in std::fs::read_dir(dir).expect("an example folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            walk(base, &path, out);
        } else {
            let rel = path.strip_prefix(base).expect("below the base");
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
}
