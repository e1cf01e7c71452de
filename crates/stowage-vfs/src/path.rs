//! Path handling: every path is relative to the filesystem's root; nothing resolves above it.

use crate::VfsError;

/// Splits `path` into its components, dropping empty ones and `.`; `..` is kept for the
/// resolver. Leading `/` is optional: every path is taken from the root.
pub(crate) fn components(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty() && *c != ".")
}

/// Checks that a single name can be stored.
pub(crate) fn check_name(path: &str, name: &str) -> Result<(), VfsError> {
    if name.contains('\0') {
        return Err(VfsError::InvalidPath(
            path.to_owned(),
            "it contains a NUL byte",
        ));
    }
    Ok(())
}

/// `/a/b` from components.
pub(crate) fn display(comps: &[String]) -> String {
    if comps.is_empty() {
        return "/".to_owned();
    }
    let mut out = String::new();
    for c in comps {
        out.push('/');
        out.push_str(c);
    }
    out
}

/// `prefix/name` where `prefix` is `/`-rooted.
pub(crate) fn join(prefix: &str, name: &str) -> String {
    if prefix == "/" {
        format!("/{name}")
    } else {
        format!("{prefix}/{name}")
    }
}

/// Normalises a path lexically inside the root: `.` and empty components dropped, `..` removes
/// the previous component and stays at the root when there is none (as in a chroot). The result
/// starts with `/`. Symlinks are not looked at; use [`crate::Fs::resolve`] for that.
pub fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for c in components(path) {
        if c == ".." {
            out.pop();
        } else {
            out.push(c);
        }
    }
    if out.is_empty() {
        return "/".to_owned();
    }
    let mut s = String::with_capacity(path.len() + 1);
    for c in out {
        s.push('/');
        s.push_str(c);
    }
    s
}

/// Compares two normalised paths component by component, which orders a directory right
/// before its contents (`/a`, `/a/b`, `/a-c`): the order of a depth-first walk with sorted
/// children, as Go's `filepath.Walk` (and so containerd's layer writer) produces.
pub fn walk_order(a: &str, b: &str) -> std::cmp::Ordering {
    if plain(a) && plain(b) {
        // Component by component is byte by byte with `/` lowest (names hold no NUL), and
        // that costs no splitting: a layer sorts 20,000 paths this way.
        let low = |c: u8| if c == b'/' { 0 } else { c };
        a.bytes().map(low).cmp(b.bytes().map(low))
    } else {
        components(a).cmp(components(b))
    }
}

/// Whether `path` is absolute with no empty or `.` component (`/`, `/a/b`).
fn plain(path: &str) -> bool {
    let b = path.as_bytes();
    if b == b"/" {
        return true;
    }
    b.first() == Some(&b'/')
        && b.last() != Some(&b'/')
        && !b.windows(2).any(|w| w == b"//")
        && !path.ends_with("/.")
        && !path.contains("/./")
}

/// The parent of a normalised path (`/` for top-level names and for the root itself).
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The last component of a normalised path (empty for the root).
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_stays_inside_the_root() {
        for (input, want) in [
            ("", "/"),
            ("/", "/"),
            ("a/b", "/a/b"),
            ("/a//b/./c/", "/a/b/c"),
            ("../../etc/passwd", "/etc/passwd"),
            ("/a/../../b", "/b"),
            ("./a/..", "/"),
        ] {
            assert_eq!(normalize(input), want, "{input:?}");
        }
    }

    #[test]
    fn walk_order_puts_directories_before_their_contents() {
        let mut paths = vec!["/a-c", "/a/b", "/a", "/b", "/a/b/c"];
        paths.sort_by(|a, b| walk_order(a, b));
        assert_eq!(paths, ["/a", "/a/b", "/a/b/c", "/a-c", "/b"]);
    }

    proptest::proptest! {
        /// The byte comparison is the component one, on plain and other paths alike.
        #[test]
        fn walk_order_is_component_order(
            a in "(/[a./-]{0,3}){0,4}/?",
            b in "(/[a./-]{0,3}){0,4}/?",
        ) {
            proptest::prop_assert_eq!(walk_order(&a, &b), components(&a).cmp(components(&b)));
        }
    }

    #[test]
    fn parent_and_name() {
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
        assert_eq!(file_name("/a/b"), "b");
        assert_eq!(file_name("/"), "");
    }
}
