//! The build context as a tree for the context panel: the folders implied by the file paths
//! (plus empty ones made by hand), directories before files at each level, and each row marked
//! with the `.dockerignore` line that leaves it out of the build. Also the path rules the
//! reducer applies when files are added, renamed or dropped in. Pure functions, tested natively.

use std::collections::BTreeSet;

use stowage_syntax::dockerignore::DockerIgnore;

use crate::build::ContextFile;

/// One row of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// Relative path (`src/app.py`; a folder without a trailing `/`).
    pub(crate) path: String,
    /// The last component.
    pub(crate) name: String,
    /// 0 at the context root.
    pub(crate) depth: usize,
    pub(crate) is_dir: bool,
    /// Why `.dockerignore` leaves it out (`.dockerignore line 2: *.log`), if it does.
    pub(crate) ignored: Option<String>,
    /// Its size in bytes (files; folders: everything below).
    pub(crate) size: usize,
}

/// A path as the context keeps it: `/`-separated, relative, no empty, `.` or `..` parts.
/// `None` when nothing is left or it tries to leave the context.
pub(crate) fn clean_path(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.trim().split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Every folder the files and the explicit `folders` imply, sorted.
pub(crate) fn all_dirs(files: &[ContextFile], folders: &[String]) -> BTreeSet<String> {
    let mut dirs = BTreeSet::new();
    let paths = files
        .iter()
        .map(|f| f.path.as_str())
        .chain(folders.iter().map(String::as_str));
    for path in paths {
        let mut at = 0;
        while let Some(i) = path[at..].find('/') {
            dirs.insert(path[..at + i].to_owned());
            at += i + 1;
        }
    }
    dirs.extend(folders.iter().cloned());
    dirs
}

/// Whether `path` is `dir` or below it.
pub(crate) fn is_within(path: &str, dir: &str) -> bool {
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// `path` moved from below `from` to below `to` (`path` must be within `from`).
pub(crate) fn moved(path: &str, from: &str, to: &str) -> String {
    format!("{to}{}", &path[from.len()..])
}

/// The rows to draw: folders in `collapsed` are shown without their contents.
pub(crate) fn rows(
    files: &[ContextFile],
    folders: &[String],
    collapsed: &BTreeSet<String>,
) -> Vec<Row> {
    let ignore = files
        .iter()
        .find(|f| f.path == ".dockerignore")
        .map(|f| DockerIgnore::parse(&f.text));
    let why = |path: &str| {
        let pattern = ignore.as_ref()?.deciding_pattern(path)?;
        (!pattern.exception)
            .then(|| format!(".dockerignore line {}: {}", pattern.line, pattern.text))
    };
    let dirs = all_dirs(files, folders);
    let mut out = Vec::new();
    walk("", 0, files, &dirs, collapsed, &why, &mut out);
    out
}

fn walk(
    dir: &str,
    depth: usize,
    files: &[ContextFile],
    dirs: &BTreeSet<String>,
    collapsed: &BTreeSet<String>,
    why: &dyn Fn(&str) -> Option<String>,
    out: &mut Vec<Row>,
) {
    let parent_of = |path: &str| path.rsplit_once('/').map_or("", |(p, _)| p).to_owned();
    let name_of = |path: &str| path.rsplit_once('/').map_or(path, |(_, n)| n).to_owned();
    for sub in dirs.iter().filter(|d| parent_of(d) == dir) {
        out.push(Row {
            path: sub.clone(),
            name: name_of(sub),
            depth,
            is_dir: true,
            ignored: why(sub),
            size: files
                .iter()
                .filter(|f| is_within(&f.path, sub))
                .map(|f| f.text.len())
                .sum(),
        });
        if !collapsed.contains(sub) {
            walk(sub, depth + 1, files, dirs, collapsed, why, out);
        }
    }
    for file in files.iter().filter(|f| parent_of(&f.path) == dir) {
        out.push(Row {
            path: file.path.clone(),
            name: name_of(&file.path),
            depth,
            is_dir: false,
            ignored: why(&file.path),
            size: file.text.len(),
        });
    }
}

/// Paths of files picked or dropped from disk, made relative to the context: a single folder
/// dropped or picked *is* the context, so its own name goes (`myapp/src/x` → `src/x`).
pub(crate) fn strip_common_folder(paths: &mut [String]) {
    let Some(first) = paths
        .first()
        .and_then(|p| p.split_once('/'))
        .map(|(d, _)| d.to_owned())
    else {
        return;
    };
    let prefix = format!("{first}/");
    if paths.iter().all(|p| p.starts_with(&prefix)) {
        for p in paths.iter_mut() {
            *p = p[prefix.len()..].to_owned();
        }
    }
}

#[cfg(test)]
mod tests;
