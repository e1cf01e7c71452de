use crate::rule::Rule;

crate::declare_rule! {
    /// A suppression pragma or `check` directive names a rule that does not exist.
    ///
    /// ## What it does
    /// Checks the rule identifiers in `# hadolint ignore=`, `# hadolint global ignore=`,
    /// `# stowage: ignore=`, `# check=skip=` and the options of the `# check=` directive.
    /// Codes (`DL3008`, `SW701`), rule names and BuildKit check names are accepted;
    /// ShellCheck codes (`SC2086`) are accepted for compatibility.
    ///
    /// ## Why is this bad?
    /// A misspelt code suppresses nothing, so the finding it was meant to silence is still
    /// reported, or a later rule change goes unnoticed. hadolint silently voids the whole
    /// pragma instead; Stowage applies the known identifiers and reports the unknown ones.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// # hadolint ignore=DL9999
    /// RUN echo hi
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// # hadolint ignore=DL3059
    /// RUN echo hi
    /// ```
    pub(crate) UnknownPragmaRule {
        code: "SW301",
        name: "unknown-pragma-rule",
        category: Suspicious,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [],
    }
}

/// Findings come from the engine, which reads the pragmas.
impl Rule for UnknownPragmaRule {}
