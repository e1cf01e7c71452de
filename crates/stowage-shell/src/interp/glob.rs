//! Shell patterns: `fnmatch` (`*`, `?`, `[...]`, `\` escapes) and pathname expansion over the
//! VFS.

use super::Shell;

/// Whether `text` has an unescaped glob character.
pub(crate) fn has_meta(text: &str) -> bool {
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if matches!(c, '*' | '?' | '[') {
            return true;
        }
    }
    false
}

/// Removes the escapes of a pattern without wildcards.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut escaped = false;
    for c in text.chars() {
        if !escaped && c == '\\' {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(c);
    }
    out
}

/// Whether the shell pattern `pattern` matches all of `text` (`/` is an ordinary character).
pub fn fnmatch(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    match_at(&p, &t)
}

fn match_at(p: &[char], t: &[char]) -> bool {
    // Iterative matcher with backtracking on the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                '[' => {
                    if let Some((hit, next)) = class(p, pi, t[ti]) {
                        if hit {
                            pi = next;
                            ti += 1;
                            continue;
                        }
                    } else if t[ti] == '[' {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() => {
                    if p[pi + 1] == t[ti] {
                        pi += 2;
                        ti += 1;
                        continue;
                    }
                }
                c => {
                    if c == t[ti] {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Matches `c` against the class starting at `p[start] == '['`: (matched, index after `]`),
/// or `None` when the class is not terminated.
fn class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    while i < p.len() {
        let mut lo = p[i];
        if lo == ']' && !first {
            return Some((hit != negate, i + 1));
        }
        first = false;
        if lo == '\\' && i + 1 < p.len() {
            i += 1;
            lo = p[i];
        }
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|h| *h != ']') {
            let hi = p[i + 2];
            if lo <= c && c <= hi {
                hit = true;
            }
            i += 3;
        } else {
            if lo == c {
                hit = true;
            }
            i += 1;
        }
    }
    None
}

/// Pathname expansion of `pattern` against the shell's filesystem, sorted; empty when nothing
/// matches. Names starting with `.` match only a pattern component that starts with `.`.
pub(crate) fn glob_fs(sh: &Shell<'_>, pattern: &str) -> Vec<String> {
    let absolute = pattern.starts_with('/');
    let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    // Candidates as (display path, absolute path).
    let mut current: Vec<(String, String)> = vec![if absolute {
        (String::new(), "/".to_owned())
    } else {
        (String::new(), sh.cwd.clone())
    }];
    for (k, comp) in comps.iter().enumerate() {
        let last = k + 1 == comps.len();
        let mut next = Vec::new();
        for (shown, abs) in &current {
            let join = |name: &str| {
                let shown = if shown.is_empty() {
                    if absolute {
                        format!("/{name}")
                    } else {
                        name.to_owned()
                    }
                } else {
                    format!("{shown}/{name}")
                };
                let abs = if abs == "/" {
                    format!("/{name}")
                } else {
                    format!("{abs}/{name}")
                };
                (shown, abs)
            };
            if has_meta(comp) {
                let Ok(entries) = sh.fs.read_dir(abs) else {
                    continue;
                };
                for (name, entry) in entries {
                    if name.starts_with('.') && !comp.starts_with('.') {
                        continue;
                    }
                    if !fnmatch(comp, name) {
                        continue;
                    }
                    let is_dir = sh
                        .fs
                        .stat(&join(name).1)
                        .is_ok_and(|e| e.kind() == stowage_vfs::Kind::Dir)
                        || entry.kind() == stowage_vfs::Kind::Dir;
                    if last || is_dir {
                        next.push(join(name));
                    }
                }
            } else {
                let name = unescape(comp);
                let candidate = join(&name);
                if sh.fs.exists(&candidate.1) {
                    next.push(candidate);
                }
            }
        }
        current = next;
        if current.is_empty() {
            return Vec::new();
        }
    }
    let mut out: Vec<String> = current.into_iter().map(|(s, _)| s).collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::fnmatch;

    #[test]
    fn patterns_match_like_fnmatch() {
        for (p, t, want) in [
            ("*.py", "app.py", true),
            ("*.py", "app.pyc", false),
            ("a?c", "abc", true),
            ("[a-c]x", "bx", true),
            ("[!a-c]x", "bx", false),
            ("\\*", "*", true),
            ("\\*", "a", false),
            ("*", "", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("[", "[", true),
        ] {
            assert_eq!(fnmatch(p, t), want, "{p} vs {t}");
        }
    }
}
