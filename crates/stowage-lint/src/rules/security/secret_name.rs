use stowage_diagnostics::Diagnostic;
use stowage_syntax::Keyword;
use stowage_syntax::ast::InstructionKind;

use crate::context::{LintContext, Node};
use crate::rule::Rule;

crate::declare_rule! {
    /// An ARG or ENV name looks like it holds a secret.
    ///
    /// ## What it does
    /// Flags ARG and ENV names that are well-known secret variables (`AWS_SECRET_ACCESS_KEY`,
    /// `GITHUB_TOKEN`, `NPM_TOKEN`, ... 48 names) or contain `api_key`, `client_key`, `password`,
    /// `private`, `secret`, `token` or `username`, case-insensitively.
    ///
    /// ## Why is this bad?
    /// ARG and ENV values end up in the image config and its history, where anyone with the image
    /// can read them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG GITHUB_TOKEN
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN --mount=type=secret,id=github_token cat /run/secrets/github_token
    /// ```
    ///
    /// ## Differences
    /// hadolint keeps its own list of 48 known names; this rule uses a list of the same size built
    /// from common CI and cloud variables, so a few names differ.
    pub(crate) Dl3064SecretName {
        code: "DL3064",
        name: "secret-like-arg-or-env",
        category: Security,
        level: Warning,
        fix: None,
        status: Stable,
        since: "0.1.0",
        onbuild: true,
        sources: [Hadolint("DL3064", Different)],
    }
}

impl Rule for Dl3064SecretName {
    fn kinds(&self) -> &'static [Keyword] {
        &[Keyword::Arg, Keyword::Env]
    }

    fn check(&self, _ctx: &LintContext<'_>, node: &Node<'_>, out: &mut Vec<Diagnostic>) {
        let names: Vec<&stowage_syntax::Word> = match node.kind() {
            InstructionKind::Arg(decls) => decls.iter().map(|d| &d.name).collect(),
            InstructionKind::Env(pairs) => pairs.iter().map(|p| &p.key).collect(),
            _ => return,
        };
        for name in names {
            let upper = name.text.to_ascii_uppercase();
            let lower = name.text.to_ascii_lowercase();
            let hit = KNOWN.contains(&upper.as_str()) || PARTS.iter().any(|p| lower.contains(p));
            if hit {
                out.push(
                    Self::META
                        .finding(
                            format!(
                                "`{}` looks like a secret; do not pass secrets in ARG or ENV",
                                name.text
                            ),
                            name.span,
                        )
                        .with_help("use `RUN --mount=type=secret`"),
                );
            }
        }
    }
}

const PARTS: &[&str] = &[
    "api_key",
    "client_key",
    "password",
    "private",
    "secret",
    "token",
    "username",
];

const KNOWN: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AZURE_CLIENT_SECRET",
    "AZURE_STORAGE_KEY",
    "AZURE_STORAGE_CONNECTION_STRING",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GCP_SERVICE_ACCOUNT_KEY",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITLAB_TOKEN",
    "NPM_TOKEN",
    "NPM_AUTH_TOKEN",
    "PYPI_TOKEN",
    "DOCKER_PASSWORD",
    "DOCKERHUB_TOKEN",
    "SLACK_TOKEN",
    "SLACK_WEBHOOK_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_API_KEY",
    "TWILIO_AUTH_TOKEN",
    "SENDGRID_API_KEY",
    "MAILGUN_API_KEY",
    "HEROKU_API_KEY",
    "DATABASE_URL",
    "DB_PASSWORD",
    "MYSQL_ROOT_PASSWORD",
    "MYSQL_PASSWORD",
    "POSTGRES_PASSWORD",
    "PGPASSWORD",
    "REDIS_PASSWORD",
    "MONGO_INITDB_ROOT_PASSWORD",
    "RABBITMQ_DEFAULT_PASS",
    "SECRET_KEY_BASE",
    "DJANGO_SECRET_KEY",
    "JWT_SECRET",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "SONAR_TOKEN",
    "CODECOV_TOKEN",
    "SENTRY_AUTH_TOKEN",
    "SENTRY_DSN",
    "VAULT_TOKEN",
    "CONSUL_HTTP_TOKEN",
    "ARTIFACTORY_API_KEY",
    "NUGET_API_KEY",
];
