use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// The comment above an ARG or a named stage does not start with its name.
    ///
    /// ## What it does
    /// Flags `ARG NAME` and `FROM ... AS name` when the comment line directly above does not start
    /// with the name (`# NAME <description>`). Instructions without a comment above are fine.
    /// Experimental in BuildKit: off unless enabled with `#
    /// check=experimental=InvalidDefinitionDescription` (or an override).
    ///
    /// ## Why is this bad?
    /// Tools that generate build documentation read these comments as descriptions of the build
    /// arguments and targets.
    ///
    /// ## Example
    /// ```dockerfile
    /// # the version to install
    /// ARG VERSION=1.0
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # VERSION the version to install
    /// ARG VERSION=1.0
    /// FROM alpine:3.20
    /// ```
    pub(crate) InvalidDefinitionDescription {
        code: "SW706",
        name: "invalid-definition-description",
        category: Style,
        level: Ignore,
        fix: None,
        status: Preview,
        since: "0.1.0",
        onbuild: false,
        sources: [BuildKit("InvalidDefinitionDescription", Same)],
    }
}

impl Rule for InvalidDefinitionDescription {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Arg, Keyword::From]
    }

    fn check(&self, ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let comments = &ctx.dockerfile.parse.nodes[node.instruction.node].prev_comment;
        let Some(last) = comments.last() else { return };
        let (names, what): (Vec<&str>, &str) = match node.kind() {
            InstructionKind::Arg(decls) => {
                (decls.iter().map(|d| d.name.text.as_str()).collect(), "ARG")
            }
            InstructionKind::From(f) => match &f.name {
                Some(n) => (vec![n.text.as_str()], "build stage or alias"),
                None => return,
            },
            _ => return,
        };
        let first = last.split(' ').next().unwrap_or("");
        if let Some(name) = names.iter().find(|n| **n != first) {
            out.push(
                Self::META
                    .finding(
                        format!(
                            "comment for {what} should follow the format: `# {name} <description>`"
                        ),
                        node.span(),
                    )
                    .with_help(format!("start the comment with `{name}`")),
            );
        }
    }
}
