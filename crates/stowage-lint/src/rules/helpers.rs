//! Helpers several rules share.

use std::collections::BTreeMap;

use stowage_shell::{Command, Script, Word};
use stowage_syntax::ast::{InstructionKind, Mount, MountType, Run};
use stowage_syntax::resolve::BuildArgs;

use crate::context::{LintContext, Node};

/// An image reference split into name, tag and digest (no validation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    pub(crate) name: &'a str,
    pub(crate) tag: Option<&'a str>,
    pub(crate) digest: Option<&'a str>,
}

/// Splits `registry:5000/name:tag@sha256:...`.
pub(crate) fn image_ref(image: &str) -> ImageRef<'_> {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    // A tag is after the last `:` that follows the last `/`.
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].rfind(':') {
        Some(i) => ImageRef {
            name: &rest[..slash + i],
            tag: Some(&rest[slash + i + 1..]),
            digest,
        },
        None => ImageRef {
            name: rest,
            tag: None,
            digest,
        },
    }
}

/// The RUN of a node.
pub(crate) fn run_of<'a>(node: &Node<'a>) -> Option<&'a Run> {
    match node.kind() {
        InstructionKind::Run(r) => Some(r),
        _ => None,
    }
}

/// Whether the RUN has a cache or tmpfs mount whose target contains `path`.
pub(crate) fn has_cache_mount(node: &Node<'_>, paths: &[&str]) -> bool {
    run_of(node).is_some_and(|r| {
        r.mounts.iter().any(|m: &Mount| {
            matches!(m.kind, MountType::Cache | MountType::Tmpfs)
                && m.target
                    .as_deref()
                    .is_some_and(|t| paths.iter().any(|p| t.trim_end_matches('/').contains(p)))
        })
    })
}

/// Commands of a script called `name` whose subcommand (first operand) is one of `subs`.
pub(crate) fn subcommands<'a>(
    script: &'a Script,
    names: &'a [&'a str],
    subs: &'a [&'a str],
) -> impl Iterator<Item = &'a Command> + 'a {
    script
        .commands
        .iter()
        .filter(move |c| c.name().is_some_and(|n| names.contains(&n)) && c.subcommand_is(subs))
}

/// Whether the script removes `path` (`rm -rf /var/lib/apt/lists/*` and the like).
pub(crate) fn removes(script: &Script, paths: &[&str]) -> bool {
    script.commands_named("rm").any(|c| {
        c.operands(&[]).any(|w| {
            paths
                .iter()
                .any(|p| w.text.trim_end_matches('/').starts_with(p))
        })
    })
}

/// Earlier instructions of the same stage, nearest first (FROM excluded).
pub(crate) fn earlier_in_stage<'c>(
    ctx: &'c LintContext<'_>,
    node: &Node<'_>,
) -> impl Iterator<Item = Node<'c>> + 'c {
    let index = node.index;
    let stage = node.stage;
    let list: Vec<usize> = stage
        .and_then(|s| ctx.dockerfile.stages.get(s))
        .map(|s| {
            s.instructions
                .iter()
                .copied()
                .filter(|&i| i < index)
                .collect()
        })
        .unwrap_or_default();
    list.into_iter().rev().filter_map(move |i| ctx.node(i))
}

/// Removes one pair of surrounding quotes.
pub(crate) fn strip_quotes(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// The packages of `<tool> <sub> ...` when the first operand is one of `subs`: the operands
/// after the subcommand, skipping the values of the flags in `takes_value`.
pub(crate) fn packages<'a>(
    c: &'a Command,
    subs: &[&str],
    takes_value: &'a [&'a str],
) -> Option<Vec<&'a Word>> {
    let mut ops = c.operands(takes_value);
    let sub = ops.next()?;
    subs.contains(&sub.text.as_str()).then(|| ops.collect())
}

/// Commands of the script after `c` (in source order).
pub(crate) fn commands_after<'a>(
    script: &'a Script,
    c: &'a Command,
) -> impl Iterator<Item = &'a Command> + 'a {
    let at = script
        .commands
        .iter()
        .position(|x| std::ptr::eq(x, c))
        .map_or(script.commands.len(), |i| i + 1);
    script.commands[at..].iter()
}

/// Whether an environment value turns a switch on (`1`, `true`, `yes`, `on`).
pub(crate) fn is_truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

/// The ARG and ENV names visible at a node (its stage so far, ENV of base stages, and the
/// redeclared meta ARGs), with their default values.
pub(crate) fn scope_at(ctx: &LintContext<'_>, node: &Node<'_>) -> BTreeMap<String, String> {
    let Some(stage) = node.stage else {
        return BTreeMap::new();
    };
    stowage_syntax::resolve::stage_scope(ctx.dockerfile, &BuildArgs::default(), stage, node.index)
}

/// Whether a package word is a variable (`$PKG`, `${PKG}`) that names an ARG or ENV in scope.
pub(crate) fn is_declared_variable(ctx: &LintContext<'_>, node: &Node<'_>, word: &str) -> bool {
    let Some(rest) = word.strip_prefix('$') else {
        return false;
    };
    let name: String = rest
        .trim_start_matches('{')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    !name.is_empty() && declared_names(ctx, node).contains(&name)
}

/// Every ARG and ENV name declared before `node` in its stage or its base stages, and the meta
/// ARGs (values do not matter).
pub(crate) fn declared_names(ctx: &LintContext<'_>, node: &Node<'_>) -> Vec<String> {
    let mut names = Vec::new();
    let mut stage = node.stage;
    let mut upto = node.index;
    let mut guard = 0;
    while let Some(s) = stage {
        for n in ctx.stage_nodes(s).filter(|n| n.index < upto) {
            match n.kind() {
                InstructionKind::Arg(decls) => {
                    names.extend(decls.iter().map(|d| d.name.text.to_string()));
                }
                InstructionKind::Env(pairs) => {
                    names.extend(pairs.iter().map(|p| p.key.text.to_string()));
                }
                _ => {}
            }
        }
        guard += 1;
        stage = ctx.parent_stage(s).filter(|_| guard < 64);
        upto = usize::MAX;
    }
    for &i in &ctx.dockerfile.meta_args {
        if let InstructionKind::Arg(decls) = &ctx.instructions()[i].kind {
            names.extend(decls.iter().map(|d| d.name.text.to_string()));
        }
    }
    names
}

/// The SHELL in effect for a node: the last SHELL of its stage before it (not inherited, as
/// hadolint does), lower-cased basename of the executable.
pub(crate) fn stage_shell(ctx: &LintContext<'_>, node: &Node<'_>) -> Option<String> {
    earlier_in_stage(ctx, node).find_map(|n| match n.kind() {
        InstructionKind::Shell(words) => words.first().map(|w| {
            let exe = w.text.as_str();
            exe.rsplit(['/', '\\'])
                .next()
                .unwrap_or(exe)
                .to_ascii_lowercase()
        }),
        _ => None,
    })
}

/// Whether a shell name is not a POSIX shell (pwsh, powershell, cmd).
pub(crate) fn is_windows_shell(name: &str) -> bool {
    ["pwsh", "powershell", "cmd"]
        .iter()
        .any(|s| name.to_ascii_lowercase().contains(s))
}

/// Levenshtein distance (for "did you mean" suggestions).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// The closest name within BuildKit's suggestion distance, if any.
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(&lower, &c.to_lowercase());
        let limit = (name.chars().count().max(1) / 3).clamp(1, 3);
        if d > 0 && d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Flags of `pip install` that take a value.
const PIP_VALUE_FLAGS: &[&str] = &[
    "r",
    "requirement",
    "c",
    "constraint",
    "e",
    "editable",
    "i",
    "index-url",
    "extra-index-url",
    "f",
    "find-links",
    "t",
    "target",
    "prefix",
    "root",
    "src",
    "trusted-host",
    "platform",
    "python-version",
    "implementation",
    "abi",
    "no-binary",
    "only-binary",
    "progress-bar",
    "cache-dir",
    "log",
    "proxy",
    "retries",
    "timeout",
    "exists-action",
    "cert",
    "client-cert",
    "upgrade-strategy",
    "global-option",
    "install-option",
    "config-settings",
    "C",
    "report",
    "b",
    "build",
];

/// The packages of a `pip* install` or `python* -m pip install` command.
pub(crate) fn pip_install(c: &Command) -> Option<Vec<&Word>> {
    let name = c.name()?;
    if name.starts_with("pip") {
        return packages(c, &["install"], PIP_VALUE_FLAGS);
    }
    if !name.starts_with("python") {
        return None;
    }
    let m = c.args.iter().position(|w| w.text == "-m")?;
    if c.args.get(m + 1)?.text != "pip" || c.args.get(m + 2)?.text != "install" {
        return None;
    }
    let mut out = Vec::new();
    let mut skip = false;
    for w in &c.args[m + 3..] {
        let t = w.text.as_str();
        if skip {
            skip = false;
        } else if let Some(long) = t.strip_prefix("--") {
            skip = !long.contains('=') && PIP_VALUE_FLAGS.contains(&long);
        } else if let Some(short) = t.strip_prefix('-').filter(|s| !s.is_empty()) {
            skip = short.len() == 1 && PIP_VALUE_FLAGS.contains(&short);
        } else {
            out.push(w);
        }
    }
    Some(out)
}

/// Whether an rpm package name carries a version (`httpd-2.4.6`) or is a file (`x.rpm`).
#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "package file names are compared as written, like hadolint does"
)]
pub(crate) fn rpm_pinned(t: &str) -> bool {
    // hadolint's test: a `-` followed by a digit or a variable (`httpd-2.4`, `httpd-$V`).
    t.ends_with(".rpm")
        || t.split('-')
            .skip(1)
            .any(|part| part.starts_with(|c: char| c.is_ascii_digit() || c == '$'))
}

/// A `$NAME` / `${NAME...}` reference in a Dockerfile word: the name and its byte range in the
/// text. Single quotes and backslash escapes hide references, as in BuildKit's lexer.
pub(crate) fn var_references(text: &str) -> Vec<(&str, usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if !single => i += 2,
            b'\'' if !double => {
                single = !single;
                i += 1;
            }
            b'"' if !single => {
                double = !double;
                i += 1;
            }
            b'$' if !single => {
                let braced = bytes.get(i + 1) == Some(&b'{');
                let start = i + 1 + usize::from(braced);
                let mut end = start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                let valid = end > start && !bytes[start].is_ascii_digit();
                if valid {
                    let close = if braced {
                        text[end..].find('}').map_or(bytes.len(), |p| end + p + 1)
                    } else {
                        end
                    };
                    out.push((&text[start..end], i, close));
                    i = close;
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The span of a reference found by [`var_references`] in `word`, when the word's text is
/// exactly its source; otherwise the whole word.
pub(crate) fn sub_span(
    ctx: &LintContext<'_>,
    word: &stowage_syntax::Word,
    start: usize,
    end: usize,
) -> stowage_diagnostics::Span {
    if ctx.text(word.span) == word.text.as_str() {
        stowage_diagnostics::Span::new(word.span.start + start as u32, word.span.start + end as u32)
    } else {
        word.span
    }
}

/// Value-taking options of yum/dnf, whose values are not packages.
const RPM_VALUE_FLAGS: &[&str] = &[
    "c",
    "config",
    "d",
    "debuglevel",
    "e",
    "errorlevel",
    "installroot",
    "releasever",
    "x",
    "exclude",
    "enablerepo",
    "disablerepo",
    "setopt",
];

/// The packages of `<tool> install` / `<tool> module install` (for a tool in `tools`) that have
/// no version: DL3033 (yum) and DL3041 (dnf) differ only in the tools they look at. `.rpm` files
/// and declared variables count as pinned; a module needs a `:stream`.
pub(crate) fn rpm_unpinned<'a>(
    ctx: &LintContext<'_>,
    node: &Node<'_>,
    script: &'a Script,
    tools: &[&str],
) -> Vec<&'a Word> {
    let mut out = Vec::new();
    for c in &script.commands {
        if !c.name().is_some_and(|n| tools.contains(&n)) {
            continue;
        }
        let module = c.subcommand_is(&["module"]);
        let pkgs: Vec<_> = if module {
            let mut ops = c.operands(RPM_VALUE_FLAGS).skip(1);
            if ops.next().is_none_or(|w| w.text != "install") {
                continue;
            }
            ops.collect()
        } else {
            match packages(c, &["install"], RPM_VALUE_FLAGS) {
                Some(p) => p,
                None => continue,
            }
        };
        out.extend(pkgs.into_iter().filter(|w| {
            let t = w.text.as_str();
            if module {
                !t.contains(':')
            } else {
                !(rpm_pinned(t) || is_declared_variable(ctx, node, t))
            }
        }));
    }
    out
}
