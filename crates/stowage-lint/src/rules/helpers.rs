//! Helpers several rules share.

use stowage_shell::{Command, Script};
use stowage_syntax::ast::{InstructionKind, Mount, MountType, Run};

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
