//! Label schema helpers for the `label-schema` rules (DL3049–DL3058).

use stowage_diagnostics::Span;
use stowage_syntax::ast::InstructionKind;

use crate::config::LabelType;
use crate::context::{LintContext, Node};
use crate::rules::helpers::strip_quotes;

/// One label of a LABEL instruction, quotes removed.
pub(crate) struct Label<'a> {
    pub(crate) key: &'a str,
    pub(crate) value: &'a str,
    pub(crate) key_span: Span,
    pub(crate) value_span: Span,
}

/// The labels of a LABEL node.
pub(crate) fn labels<'a>(node: &Node<'a>) -> Vec<Label<'a>> {
    match node.kind() {
        InstructionKind::Label(pairs) => pairs
            .iter()
            .map(|kv| Label {
                key: strip_quotes(&kv.key.text),
                value: strip_quotes(&kv.value.text),
                key_span: kv.key.span,
                value_span: kv.value.span,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Label keys set in a stage or the stages it builds on.
pub(crate) fn stage_label_keys(ctx: &LintContext<'_>, stage: usize) -> Vec<String> {
    let mut keys = Vec::new();
    let mut current = Some(stage);
    let mut guard = 0;
    while let Some(s) = current {
        for n in ctx.stage_nodes(s) {
            keys.extend(labels(&n).iter().map(|l| l.key.to_owned()));
        }
        guard += 1;
        current = ctx.parent_stage(s).filter(|_| guard < 64);
    }
    keys
}

/// Findings for labels of `kind` in the schema whose value fails `valid`.
pub(crate) fn check_values(
    ctx: &LintContext<'_>,
    node: &Node<'_>,
    kind: LabelType,
    valid: fn(&str) -> bool,
    mut report: impl FnMut(&str, &str, Span),
) {
    for l in labels(node) {
        if ctx.config.label_schema.get(l.key) == Some(&kind)
            && !l.value.is_empty()
            && !valid(l.value)
        {
            report(l.key, l.value, l.value_span);
        }
    }
}

/// An absolute URI: `scheme:` followed by something, the scheme starting with a letter.
pub(crate) fn is_url(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !v.contains(char::is_whitespace)
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `2024-05-01T12:30:00Z`, `2024-05-01T12:30:00.5+02:00` (RFC 3339 date-time).
pub(crate) fn is_rfc3339(v: &str) -> bool {
    let Some((date, time)) = v.split_once(['T', 't', ' ']) else {
        return false;
    };
    let d: Vec<&str> = date.split('-').collect();
    let date_ok = d.len() == 3
        && digits(d[0], 4)
        && digits(d[1], 2)
        && digits(d[2], 2)
        && (1..=12).contains(&d[1].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&d[2].parse::<u32>().unwrap_or(0));
    let (clock, zone) = if let Some(t) = time.strip_suffix(['Z', 'z']) {
        (t, "")
    } else if let Some(at) = time.rfind(['+', '-']) {
        (&time[..at], &time[at + 1..])
    } else {
        return false;
    };
    let zone_ok = zone.is_empty() || {
        let z: Vec<&str> = zone.split(':').collect();
        z.len() == 2 && digits(z[0], 2) && digits(z[1], 2)
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, "0"));
    let t: Vec<&str> = hms.split(':').collect();
    let time_ok = t.len() == 3
        && t.iter().all(|p| digits(p, 2))
        && t[0].parse::<u32>().unwrap_or(99) < 24
        && t[1].parse::<u32>().unwrap_or(99) < 60
        && t[2].parse::<u32>().unwrap_or(99) < 61
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit());
    date_ok && zone_ok && time_ok
}

/// An SPDX license expression: identifiers (`MIT`, `Apache-2.0`, `LicenseRef-x`, `GPL-2.0+`)
/// joined by `AND`/`OR`/`WITH`, with parentheses. Identifiers are checked for form, not
/// against the SPDX list.
pub(crate) fn is_spdx(v: &str) -> bool {
    let spaced = v.replace('(', " ( ").replace(')', " ) ");
    let mut depth = 0i32;
    let mut expect_id = true;
    for tok in spaced.split_whitespace() {
        match tok {
            "(" if expect_id => depth += 1,
            ")" if !expect_id => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            "AND" | "OR" | "WITH" if !expect_id => expect_id = true,
            id if expect_id => {
                let body = id.strip_suffix('+').unwrap_or(id);
                if body.is_empty()
                    || !body
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                    || !body.starts_with(|c: char| c.is_ascii_alphanumeric())
                {
                    return false;
                }
                expect_id = false;
            }
            _ => return false,
        }
    }
    depth == 0 && !expect_id
}

/// A git commit hash: 7 or 40 hexadecimal digits.
pub(crate) fn is_git_hash(v: &str) -> bool {
    (v.len() == 7 || v.len() == 40) && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A semantic version 2.0.0: `1.2.3`, `1.2.3-rc.1+build.5`.
pub(crate) fn is_semver(v: &str) -> bool {
    let (core, build) = match v.split_once('+') {
        Some((c, b)) => (c, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match core.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (core, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(|pre| {
            pre.split('.')
                .all(|p| ident(p) && (!p.bytes().all(|b| b.is_ascii_digit()) || numeric(p)))
        })
        && build.is_none_or(|b| b.split('.').all(ident))
}

/// An e-mail address: `local@domain.tld`.
pub(crate) fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators() {
        for v in ["https://example.com/x", "mailto:a@b.c", "urn:isbn:1"] {
            assert!(is_url(v), "{v}");
        }
        for v in ["example.com", "/x", "1http://x", "http:"] {
            assert!(!is_url(v), "{v}");
        }
        for v in [
            "2024-05-01T12:30:00Z",
            "2024-05-01T12:30:00.123+02:00",
            "1990-12-31t23:59:60z",
        ] {
            assert!(is_rfc3339(v), "{v}");
        }
        for v in [
            "2024-05-01",
            "2024-13-01T00:00:00Z",
            "2024-05-01T25:00:00Z",
            "2024-05-01T12:30Z",
        ] {
            assert!(!is_rfc3339(v), "{v}");
        }
        for v in [
            "MIT",
            "Apache-2.0 OR MIT",
            "(MIT AND BSD-3-Clause) OR GPL-2.0+",
            "GPL-2.0 WITH Classpath-exception-2.0",
        ] {
            assert!(is_spdx(v), "{v}");
        }
        for v in ["MIT OR", "(MIT", "MIT)", "AND MIT", "M I T", "MIT/X"] {
            assert!(!is_spdx(v), "{v}");
        }
        assert!(is_git_hash("abcdef0"));
        assert!(is_git_hash(&"a".repeat(40)));
        assert!(!is_git_hash("abcdefg"));
        assert!(!is_git_hash("abcdef01"));
        for v in [
            "1.2.3",
            "0.0.0",
            "1.2.3-rc.1",
            "1.2.3-alpha+build.5",
            "1.0.0+20130313144700",
        ] {
            assert!(is_semver(v), "{v}");
        }
        for v in ["1.2", "01.2.3", "1.2.3-", "1.2.3+", "1.2.3-01", "v1.2.3"] {
            assert!(!is_semver(v), "{v}");
        }
        assert!(is_email("a.b@example.com"));
        assert!(!is_email("a@b"));
        assert!(!is_email("@b.c"));
        assert!(!is_email("a b@c.d"));
    }
}
