use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// An image comes from a registry that is not in `trustedRegistries`.
    ///
    /// ## What it does
    /// With `trustedRegistries` configured, flags the image of a FROM, of a `COPY --from=<image>`
    /// and of a `RUN --mount=from=<image>` whose registry is not listed. An image without a
    /// registry is on `docker.io`. Patterns `*`, `*.example.com` and `registry*` are supported.
    /// Stage names, `scratch` and `$VARIABLE` images are skipped. Without the setting the rule does
    /// nothing.
    ///
    /// ## Why is this bad?
    /// Images from unknown registries bypass an organisation's review and supply-chain controls.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM quay.io/centos/centos:stream9
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM docker.io/library/alpine:3.20
    /// ```
    ///
    /// ## Options
    /// `trustedRegistries` (a string or a list) in `.hadolint.yaml`, or `--trusted-registry` on the
    /// command line.
    pub(crate) Dl3026TrustedRegistry {
        code: "DL3026",
        name: "untrusted-registry",
        category: Policy,
        level: Error,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL3026", Same)],
    }
}

impl Rule for Dl3026TrustedRegistry {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::From, Keyword::Copy, Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let allowed = &ctx.config.trusted_registries.0;
        if allowed.is_empty() {
            return;
        }
        let is_stage = |name: &str| {
            let lower = name.to_lowercase();
            ctx.dockerfile
                .stages
                .iter()
                .any(|s| s.name.as_deref() == Some(lower.as_str()))
                || name.parse::<usize>().is_ok()
        };
        let mut check = |image: &str, span| {
            if image.starts_with('$') || image.eq_ignore_ascii_case("scratch") || is_stage(image) {
                return;
            }
            let registry = registry_of(image);
            if !allowed.iter().any(|p| registry_matches(p, registry)) {
                out.push(
                    Self::META
                        .finding(
                            format!("use only an allowed registry: `{registry}` is not trusted"),
                            span,
                        )
                        .with_note(format!("trusted registries: {}", allowed.join(", "))),
                );
            }
        };
        match node.kind() {
            InstructionKind::From(f) => check(&f.image.text, f.image.span),
            InstructionKind::Copy(c) => {
                if let Some(from) = &c.from {
                    check(&from.text, from.span);
                }
            }
            InstructionKind::Run(r) => {
                for m in &r.mounts {
                    if let Some(from) = &m.from {
                        check(from, m.span);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The registry of an image reference (`docker.io` when none is written).
fn registry_of(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first
        }
        _ => "docker.io",
    }
}

fn registry_matches(pattern: &str, registry: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        return registry.ends_with(suffix);
    }
    if let Some(prefix) = pattern.strip_suffix('*') {
        return registry.starts_with(prefix);
    }
    pattern == registry
}
