//! What a rule is: its metadata ([`RuleMeta`], written with [`declare_rule!`]) and its check
//! ([`Rule`]).

use stowage_diagnostics::{Diagnostic, Severity, Span};
use stowage_syntax::Keyword;

use crate::config::Level;
use crate::context::{LintContext, Node};

/// A closed set of rule categories; the hundreds digit of Stowage's own codes (`SW7xx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// The Dockerfile cannot be parsed, or BuildKit refuses it.
    Syntax,
    /// The build fails or does something other than what was meant.
    Correctness,
    /// Works today, but is probably a mistake.
    Suspicious,
    /// Risky for the image or the build's secrets.
    Security,
    /// The same Dockerfile may build a different image tomorrow.
    Reproducibility,
    /// Layers carry caches and files the image does not need.
    ImageSize,
    /// A matter of consistency and readability.
    Style,
    /// A feature that is deprecated.
    Deprecated,
    /// An organisation's policy (labels, registries, pragmas); usually needs configuration.
    Policy,
    /// ShellCheck's checks of RUN scripts (codes `SCnnnn`).
    Shellcheck,
}

impl Category {
    /// Every category, in code order.
    pub const ALL: [Category; 10] = [
        Category::Syntax,
        Category::Correctness,
        Category::Suspicious,
        Category::Security,
        Category::Reproducibility,
        Category::ImageSize,
        Category::Style,
        Category::Deprecated,
        Category::Policy,
        Category::Shellcheck,
    ];

    /// The kebab-case name.
    pub const fn name(self) -> &'static str {
        match self {
            Category::Syntax => "syntax",
            Category::Correctness => "correctness",
            Category::Suspicious => "suspicious",
            Category::Security => "security",
            Category::Reproducibility => "reproducibility",
            Category::ImageSize => "image-size",
            Category::Style => "style",
            Category::Deprecated => "deprecated",
            Category::Policy => "policy",
            Category::Shellcheck => "shellcheck",
        }
    }

    /// One line saying what the category holds.
    pub const fn description(self) -> &'static str {
        match self {
            Category::Syntax => "the Dockerfile cannot be parsed, or BuildKit refuses it",
            Category::Correctness => "the build fails or does something other than what was meant",
            Category::Suspicious => "works today, but is probably a mistake",
            Category::Security => "risky for the image or the build's secrets",
            Category::Reproducibility => "the same Dockerfile may build a different image tomorrow",
            Category::ImageSize => "layers carry caches and files the image does not need",
            Category::Style => "a matter of consistency and readability",
            Category::Deprecated => "a feature that is deprecated",
            Category::Policy => "an organisation's policy; usually needs configuration",
            Category::Shellcheck => "ShellCheck's checks of RUN scripts",
        }
    }

    /// The hundreds digit of Stowage's own `SWnxx` codes (0 for ShellCheck, whose rules keep
    /// their `SCnnnn` codes).
    pub const fn digit(self) -> u8 {
        match self {
            Category::Syntax => 1,
            Category::Correctness => 2,
            Category::Suspicious => 3,
            Category::Security => 4,
            Category::Reproducibility => 5,
            Category::ImageSize => 6,
            Category::Style => 7,
            Category::Deprecated => 8,
            Category::Policy => 9,
            Category::Shellcheck => 0,
        }
    }
}

/// Whether a rule can fix what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    /// No fix.
    None,
    /// A fix that never changes meaning.
    Safe,
    /// A fix that may change meaning; applied only on request.
    Unsafe,
}

/// Where a rule is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// New; may change.
    Preview,
    /// Settled.
    Stable,
    /// Kept for compatibility; will go.
    Deprecated,
}

/// Whether a rule behaves like the upstream rule it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Same findings on the same inputs (positions are more precise).
    Same,
    /// Deliberately different; the rule's docs say how.
    Different,
}

/// An upstream rule this rule implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSource {
    /// A hadolint rule (`DL3008`).
    Hadolint(&'static str, Behaviour),
    /// A BuildKit build check (`StageNameCasing`).
    BuildKit(&'static str, Behaviour),
}

impl RuleSource {
    /// The upstream code or check name.
    pub const fn name(self) -> &'static str {
        match self {
            RuleSource::Hadolint(n, _) | RuleSource::BuildKit(n, _) => n,
        }
    }
}

/// Everything about a rule except its check.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable code, never reused: the hadolint code for hadolint rules (`DL3008`), else
    /// `SW<category digit><nn>`.
    pub code: &'static str,
    /// Kebab-case name of the flagged pattern.
    pub name: &'static str,
    /// The category.
    pub category: Category,
    /// Default level; [`Level::Ignore`] rules run only when configured on.
    pub level: Level,
    /// Whether it can fix what it finds.
    pub fix: FixKind,
    /// Life-cycle status.
    pub status: Status,
    /// The version that added it.
    pub since: &'static str,
    /// Whether ONBUILD triggers are checked as well (hadolint's `onbuild` wrapper).
    pub onbuild: bool,
    /// Upstream rules it implements.
    pub sources: &'static [RuleSource],
    /// The doc comment, as written (each line with its leading space).
    pub raw_docs: &'static str,
}

impl RuleMeta {
    /// The documentation as Markdown: the first line is the summary, then the sections.
    pub fn docs(&self) -> String {
        let mut out = String::with_capacity(self.raw_docs.len());
        for line in self.raw_docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// The one-line summary.
    pub fn summary(&self) -> &'static str {
        self.raw_docs.lines().next().unwrap_or("").trim()
    }

    /// The BuildKit check this rule implements, if any.
    pub fn buildkit_name(&self) -> Option<&'static str> {
        self.sources.iter().find_map(|s| match s {
            RuleSource::BuildKit(n, _) => Some(*n),
            RuleSource::Hadolint(..) => None,
        })
    }

    /// Whether `id` (a code, a name, or an upstream code/check name) names this rule.
    pub fn answers_to(&self, id: &str) -> bool {
        self.code.eq_ignore_ascii_case(id)
            || self.name == id
            || self.sources.iter().any(|s| s.name() == id)
    }

    /// The default severity, if the rule is on by default.
    pub fn default_severity(&self) -> Option<Severity> {
        self.level.severity()
    }

    /// A finding of this rule at `span` (severity is applied by the engine).
    pub fn finding(&self, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::new(
            self.level.severity().unwrap_or(Severity::Info),
            self.code,
            message,
            span,
        )
    }
}

/// Gives a rule its metadata; implemented by [`declare_rule!`].
pub trait Declared {
    /// The metadata.
    fn meta(&self) -> &'static RuleMeta;
}

/// A lint rule: a pure function of the Dockerfile, its source and the configuration.
pub trait Rule: Declared + Sync + std::fmt::Debug {
    /// The instruction kinds [`Rule::check`] is called for (with ONBUILD triggers when the
    /// rule's `onbuild` is set).
    fn kinds(&self) -> &'static [Keyword] {
        &[]
    }

    /// Checks one instruction.
    fn check(&self, _ctx: &LintContext<'_>, _node: &Node<'_>, _out: &mut Vec<Diagnostic>) {}

    /// Checks the whole file once (for rules that need more than one instruction at a time).
    fn check_file(&self, _ctx: &LintContext<'_>, _out: &mut Vec<Diagnostic>) {}
}

/// Declares a rule: its doc comment is its documentation.
///
/// ```ignore
/// declare_rule! {
///     /// Summary.
///     pub(crate) AptPin {
///         code: "DL3008", name: "apt-get-unpinned", category: Reproducibility,
///         level: Warning, fix: None, status: Stable, since: "0.1.0", onbuild: true,
///         sources: [Hadolint("DL3008", Same)],
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $vis:vis $ty:ident {
            code: $code:literal,
            name: $name:literal,
            category: $category:ident,
            level: $level:ident,
            fix: $fix:ident,
            status: $status:ident,
            since: $since:literal,
            onbuild: $onbuild:literal,
            sources: [$($src:ident($src_name:literal, $beh:ident)),* $(,)?] $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $ty;

        impl $ty {
            /// The rule's metadata.
            pub(crate) const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                code: $code,
                name: $name,
                category: $crate::rule::Category::$category,
                level: $crate::config::Level::$level,
                fix: $crate::rule::FixKind::$fix,
                status: $crate::rule::Status::$status,
                since: $since,
                onbuild: $onbuild,
                sources: &[$($crate::rule::RuleSource::$src($src_name, $crate::rule::Behaviour::$beh)),*],
                raw_docs: concat!($($doc, "\n"),+),
            };
        }

        impl $crate::rule::Declared for $ty {
            fn meta(&self) -> &'static $crate::rule::RuleMeta {
                &Self::META
            }
        }
    };
}
