//! Which files `stowage lint` reads: files as given, `-` for stdin, and Dockerfiles found in
//! directories.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// One input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Input {
    Stdin,
    File(PathBuf),
}

/// Whether a file name looks like a Dockerfile: `Dockerfile`, `Containerfile`,
/// `*.Dockerfile`, `*.dockerfile`, `Dockerfile.*` (but never a `.dockerignore`).
pub(crate) fn is_dockerfile_name(name: &str) -> bool {
    if name.ends_with(".dockerignore") {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
}

/// Directories never worth descending into.
fn skip_dir(name: &str) -> bool {
    name.starts_with('.') || name == "node_modules"
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading directory {}", dir.display()))?
        .filter_map(std::result::Result::ok)
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !skip_dir(&name) {
                walk(&entry.path(), out)?;
            }
        } else if is_dockerfile_name(&name) {
            out.push(entry.path());
        }
    }
    Ok(())
}

/// Expands the command line's paths (none means the current directory).
pub(crate) fn inputs(paths: &[PathBuf]) -> Result<Vec<Input>> {
    let defaults = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            out.push(Input::Stdin);
        } else if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)?;
            // Report `svc/Dockerfile`, not `./svc/Dockerfile`, for the current directory.
            out.extend(
                found
                    .into_iter()
                    .map(|p| Input::File(p.strip_prefix(".").map_or(p.clone(), Path::to_path_buf))),
            );
        } else {
            out.push(Input::File(path.clone()));
        }
    }
    Ok(out)
}

/// The build context's ignore file for a Dockerfile: `<Dockerfile>.dockerignore` beside it
/// first, then `.dockerignore` (Docker's order).
pub(crate) fn dockerignore_for(dockerfile: &Path) -> Option<String> {
    let dir = dockerfile.parent().unwrap_or(Path::new("."));
    let specific = dockerfile
        .file_name()
        .map(|n| dir.join(format!("{}.dockerignore", n.to_string_lossy())));
    specific
        .into_iter()
        .chain(std::iter::once(dir.join(".dockerignore")))
        .find_map(|p| std::fs::read_to_string(p).ok())
}

#[cfg(test)]
mod tests {
    use super::is_dockerfile_name;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "api.Dockerfile",
            "Dockerfile.dev",
            "web.containerfile",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            ".dockerignore",
            "docker-compose.yml",
            "README.md",
            "Dockerfiles",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
