use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// With the default ARG values, FROM names no valid image.
    ///
    /// ## What it does
    /// Expands a FROM image that uses variables with the global ARGs' defaults (no `--build-arg`)
    /// and flags it when the result is empty or not a valid image reference, e.g. `ARG TAG` without
    /// a default and `FROM alpine:$TAG`.
    ///
    /// ## Why is this bad?
    /// A build without `--build-arg` fails at this FROM; defaults should give a working build.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG TAG
    /// FROM alpine:$TAG
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ARG TAG=3.20
    /// FROM alpine:$TAG
    /// ```
    pub(crate) InvalidDefaultArgInFrom {
        code: "SW205",
        name: "invalid-default-arg-in-from",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("InvalidDefaultArgInFrom", Same)],
    }
}

impl Rule for InvalidDefaultArgInFrom {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let InstructionKind::From(from) = node.kind() else {
            return;
        };
        if !from.image.text.contains('$') {
            return;
        }
        let args = stowage_syntax::resolve::BuildArgs::default();
        let scope = stowage_syntax::resolve::meta_scope(ctx.dockerfile, &args);
        let lexer = stowage_syntax::Lexer::new(ctx.dockerfile.parse.escape);
        let Ok(exp) = lexer.process_word_with_matches(&from.image.text, &scope) else {
            return;
        };
        let image = exp.result.as_str();
        let is_stage = node
            .stage
            .is_some_and(|s| ctx.stage_named(image, s).is_some());
        if is_stage || image.eq_ignore_ascii_case("scratch") || is_valid_reference(image) {
            return;
        }
        let names: Vec<&str> = exp
            .matched
            .iter()
            .chain(&exp.unmatched)
            .map(String::as_str)
            .collect();
        out.push(
            Self::META
                .finding(
                    format!(
                        "default value for ARG {} results in empty or invalid base image name `{image}`",
                        names.join(", ")
                    ),
                    from.image.span,
                )
                .with_help("give the ARG a default that names an image"),
        );
    }
}

/// A Docker image reference: `[domain[:port]/]path[:tag][@algo:hex]`, path components
/// lower-case.
pub(crate) fn is_valid_reference(s: &str) -> bool {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest {
        let Some((algo, hex)) = d.split_once(':') else {
            return false;
        };
        if algo.is_empty() || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
    }
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !ok {
            return false;
        }
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains(['.', ':']) || first == "localhost" {
            let host = first.split(':').next().unwrap_or("");
            let port_ok = first
                .split_once(':')
                .is_none_or(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            if host.is_empty() || !port_ok {
                return false;
            }
            parts.remove(0);
        }
    }
    !parts.is_empty()
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && p.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && p.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
                })
        })
}
