use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// A stage uses both curl and wget.
    ///
    /// ## What it does
    /// Once a stage has used both `curl` and `wget`, flags every RUN that uses either of them.
    ///
    /// ## Why is this bad?
    /// Two download tools do the same job; installing both makes the image larger.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN curl -fsSL https://example.com/a -o /a
    /// RUN wget -q https://example.com/b
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:12
    /// RUN curl -fsSL https://example.com/a -o /a
    /// RUN curl -fsSL https://example.com/b -o /b
    /// ```
    pub(crate) Dl4001CurlAndWget {
        code: "DL4001",
        name: "curl-and-wget",
        category: Suspicious,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL4001", Same)],
    }
}

impl Rule for Dl4001CurlAndWget {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Run]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let Some(stage) = node.stage else { return };
        let Some(script) = node.script else { return };
        let uses = |s: &stowage_shell::Script| (s.uses("curl"), s.uses("wget"));
        let (mut curl, mut wget) = uses(script);
        if !(curl || wget) {
            return;
        }
        for n in ctx.stage_nodes(stage).filter(|n| n.index < node.index) {
            if let Some(s) = n.script {
                let (c, w) = uses(s);
                curl |= c;
                wget |= w;
            }
        }
        if curl && wget {
            let at = script
                .commands
                .iter()
                .find(|c| c.is("curl") || c.is("wget"))
                .map_or(node.span(), |c| c.span);
            out.push(
                Self::META
                    .finding("either use wget or curl, but not both", at)
                    .with_help("pick one download tool for the stage"),
            );
        }
    }
}
