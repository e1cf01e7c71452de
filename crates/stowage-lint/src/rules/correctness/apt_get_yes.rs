use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// `apt-get install` without `-y`.
    ///
    /// ## What it does
    /// Flags `apt-get install` without `-y`, `--yes`, `--assume-yes`, `-qq`, `-q -q` or `-q=2`.
    ///
    /// ## Why is this bad?
    /// Without it apt-get asks for confirmation and the build fails for lack of a terminal.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get install curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get install -y curl
    /// ```
    pub(crate) Dl3014AptGetYes {
        code: "DL3014",
        name: "apt-get-missing-yes",
        category: Correctness,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3014", Same)],
    }
}

impl Rule for Dl3014AptGetYes {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(script) = node.script else { return };
        for c in &script.commands {
            if c.is("apt-get")
                && c.operands(&["o", "t", "target-release", "c", "config-file"])
                    .next()
                    .is_some_and(|w| w.text == "install")
                && !c.has_any_flag(&["y", "yes", "assume-yes"])
                && c.flag_count("q") < 2
                && !c
                    .flags
                    .iter()
                    .any(|f| f.name == "q" && f.value.as_deref() == Some("2"))
            {
                out.push(Self::META.finding("use the `-y` switch to avoid manual input: `apt-get -y install <package>`", c.span).with_help("add `-y`"));
            }
        }
    }
}
