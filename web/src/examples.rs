//! The example projects (`static/examples/<name>/`), embedded at compile time by `web/build.rs`:
//! each is a Dockerfile, its build context and a short explanation (Markdown) shown beside the
//! picker.

use crate::build::ContextFile;

/// One example project.
#[derive(Debug, PartialEq, Eq)]
pub struct Example {
    /// The folder name (`python-app`): stable, used by the picker's buttons.
    pub name: &'static str,
    /// The picker's short label.
    pub label: &'static str,
    pub dockerfile: &'static str,
    /// Markdown; the first line is the `# title`.
    pub explanation: &'static str,
    /// The build context: `(relative path, text)`, sorted by path.
    pub files: &'static [(&'static str, &'static str)],
}

include!(concat!(env!("OUT_DIR"), "/examples.rs"));

impl Example {
    /// The explanation's title (its first line without `# `).
    pub fn title(&self) -> &'static str {
        let first = self.explanation.lines().next().unwrap_or(self.name);
        first.trim_start_matches('#').trim()
    }

    /// The explanation without its title line.
    pub fn body(&self) -> &'static str {
        self.explanation
            .split_once('\n')
            .map_or("", |(_, rest)| rest)
    }

    /// The build context as the page holds it, every file modified at `mtime`.
    pub fn context(&self, mtime: i64) -> Vec<ContextFile> {
        self.files
            .iter()
            .map(|(path, text)| ContextFile {
                path: (*path).to_owned(),
                text: (*text).to_owned(),
                mtime,
            })
            .collect()
    }
}

/// The example called `name`.
pub fn find(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests;
