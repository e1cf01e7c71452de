use crate::rule::Rule;

crate::declare_rule! {
    /// An inline `# hadolint ignore=` pragma is used.
    ///
    /// ## What it does
    /// Reports every inline ignore pragma. Off by default: turn it on (for example with
    /// `override: {error: [DL1001]}`) when a policy forbids suppressing findings inline.
    ///
    /// ## Why is this bad?
    /// Inline suppressions hide findings from review; some teams want every exception in the
    /// central configuration instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// # hadolint ignore=DL3018
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl=8.9.1-r0
    /// ```
    pub(crate) Dl1001IgnorePragma {
        code: "DL1001",
        name: "inline-ignore-pragma",
        category: Policy,
        level: Ignore,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: false,
        sources: [Hadolint("DL1001", Same)],
    }
}

/// Findings come from the engine, which reads the pragmas.
impl Rule for Dl1001IgnorePragma {}
