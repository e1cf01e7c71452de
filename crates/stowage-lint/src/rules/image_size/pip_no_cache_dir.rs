use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;
use crate::rules::helpers::{has_cache_mount, is_truthy, pip_install, scope_at};

crate::declare_rule! {
    /// `pip install` keeps its download cache in the layer.
    ///
    /// ## What it does
    /// Flags `pip install` (and `python -m pip install`) without `--no-cache-dir`. Not reported
    /// when `PIP_NO_CACHE_DIR` is truthy (an ENV or ARG of this stage or its base stage, or an
    /// inline `PIP_NO_CACHE_DIR=1 pip ...`), for `pipx` and `pipenv`, or with a cache mount on
    /// `.cache/pip`.
    ///
    /// ## Why is this bad?
    /// pip keeps every downloaded wheel in `~/.cache/pip`; in an image that is dead weight.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12
    /// RUN pip install requests==2.32.3
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12
    /// RUN pip install --no-cache-dir requests==2.32.3
    /// ```
    pub(crate) Dl3042PipNoCacheDir {
        code: "DL3042",
        name: "pip-cache-not-disabled",
        category: ImageSize,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3042", Same)],
    }
}

impl Rule for Dl3042PipNoCacheDir {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        if has_cache_mount(node, &[".cache/pip"]) {
            return;
        }
        let mut env_off = None;
        for c in &script.commands {
            let Some(name) = c.name() else { continue };
            if name.starts_with("pipx") || name.starts_with("pipenv") || pip_install(c).is_none() {
                continue;
            }
            if c.has_flag("no-cache-dir")
                || c.assignments
                    .iter()
                    .any(|a| a.name == "PIP_NO_CACHE_DIR" && is_truthy(&a.value.text))
            {
                continue;
            }
            let off = *env_off.get_or_insert_with(|| {
                scope_at(ctx, node)
                    .get("PIP_NO_CACHE_DIR")
                    .is_some_and(|v| is_truthy(v))
            });
            if off {
                return;
            }
            out.push(
                Self::META
                    .finding("avoid use of cache directory with pip", c.span)
                    .with_help("use `pip install --no-cache-dir <package>`"),
            );
        }
    }
}
