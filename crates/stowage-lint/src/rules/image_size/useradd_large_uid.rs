use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// `useradd` with a large UID and without `-l`.
    ///
    /// ## What it does
    /// Flags `useradd -u/--uid <uid>` with a UID longer than five digits when `-l`/`--no-log-init`
    /// is missing.
    ///
    /// ## Why is this bad?
    /// Without `-l`, useradd writes the user into `/var/log/lastlog` and `faillog`, sparse files
    /// sized by the UID; the layer stores them at full size, which can be gigabytes.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd -u 123456789 app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN useradd -l -u 123456789 app
    /// ```
    ///
    /// ## Differences
    /// hadolint only reads the UID as a separate word (`-u 123456789`, `--uid 123456789`) and
    /// misses `--uid=123456789`; this rule reads both forms.
    pub(crate) Dl3046UseraddLargeUid {
        code: "DL3046",
        name: "useradd-without-no-log-init",
        category: ImageSize,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3046", Different)],
    }
}

impl Rule for Dl3046UseraddLargeUid {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in script.commands_named("useradd") {
            let Some(uid) = c.flag_value("u").or_else(|| c.flag_value("uid")) else {
                continue;
            };
            if uid.len() > 5 && !c.has_any_flag(&["l", "no-log-init"]) {
                out.push(
                    Self::META
                        .finding("`useradd` without flag `-l` and high UID will result in excessively large image", c.span)
                        .with_help("add `-l` (`--no-log-init`)"),
                );
            }
        }
    }
}
