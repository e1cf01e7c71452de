//! `RUN --mount=...` specs (BuildKit's `commands_runmount.go`): a CSV record of `key=value`
//! fields and bare keys.

use stowage_diagnostics::{Diagnostic, Span};

use crate::ast::{CacheSharing, Mount, MountType};

pub(crate) const INVALID_MOUNT: &str = "invalid-mount";

/// Splits a CSV record like Go's `encoding/csv` (quoted fields, `""` inside quotes).
fn csv_fields(value: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = value.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => {
                        return Err(format!("extraneous or missing \" in quoted-field: {value}"));
                    }
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => {}
                Some(_) => {
                    return Err(format!("extraneous or missing \" in quoted-field: {value}"));
                }
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field);
                        return Ok(fields);
                    }
                    Some(',') => break,
                    Some('"') => return Err(format!("bare \" in non-quoted-field: {value}")),
                    Some(c) => field.push(c),
                }
            }
        }
        fields.push(field);
    }
}

fn parse_bool(key: &str, value: Option<&str>) -> Result<bool, String> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("true" | "1" | "t") => Ok(true),
        Some("false" | "0" | "f") => Ok(false),
        Some(other) => Err(format!("invalid value for {key}: {other}")),
    }
}

/// Docker's `RAMInBytes`: `64m`, `1g`, `512k`, `1024`, binary units, optional `b`.
fn ram_in_bytes(text: &str) -> Option<u64> {
    let lower = text.trim().to_ascii_lowercase();
    let split = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let (number, unit) = lower.split_at(split);
    let number: f64 = number.parse().ok()?;
    let unit = unit.trim().trim_end_matches('b').trim_end_matches('i');
    let multiplier: f64 = match unit {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024.0_f64.powi(4),
        "p" => 1024.0_f64.powi(5),
        _ => return None,
    };
    let bytes = number * multiplier;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked to be a finite non-negative size"
    )]
    (bytes.is_finite() && bytes >= 0.0).then_some(bytes as u64)
}

const KEYS: [&str; 18] = [
    "type",
    "target",
    "dst",
    "destination",
    "source",
    "src",
    "from",
    "readonly",
    "ro",
    "readwrite",
    "rw",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
];

/// Parses one `--mount` value.
pub(crate) fn parse_mount(value: &str, span: Span, diagnostics: &mut Vec<Diagnostic>) -> Mount {
    let mut mount = Mount {
        span,
        kind: MountType::Bind,
        target: None,
        source: None,
        from: None,
        readonly: None,
        id: None,
        sharing: None,
        required: None,
        size: None,
        mode: None,
        uid: None,
        gid: None,
        env: None,
    };
    let mut error =
        |message: String| diagnostics.push(Diagnostic::error(INVALID_MOUNT, message, span));
    let fields = match csv_fields(value) {
        Ok(fields) => fields,
        Err(e) => {
            error(e);
            return mount;
        }
    };
    // The type decides which keys are allowed, so read it first.
    for field in &fields {
        if let Some((key, v)) = field.split_once('=')
            && key.trim().eq_ignore_ascii_case("type")
        {
            mount.kind = match v.to_ascii_lowercase().as_str() {
                "bind" => MountType::Bind,
                "cache" => MountType::Cache,
                "tmpfs" => MountType::Tmpfs,
                "secret" => MountType::Secret,
                "ssh" => MountType::Ssh,
                other => {
                    let hint = crate::suggest::did_you_mean(
                        other,
                        &["bind", "cache", "tmpfs", "secret", "ssh"],
                    )
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                    error(format!("unsupported mount type \"{other}\"{hint}"));
                    MountType::Bind
                }
            };
        }
    }
    let kind = mount.kind;
    for field in &fields {
        let (key, v) = match field.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v)),
            None => (field.trim().to_ascii_lowercase(), None),
        };
        let bare_ok = matches!(
            key.as_str(),
            "readonly" | "ro" | "readwrite" | "rw" | "required"
        );
        if v.is_none() && !bare_ok {
            error(format!("invalid field '{field}' must be a key=value pair"));
            continue;
        }
        let text = v.unwrap_or_default().to_owned();
        match key.as_str() {
            "type" => {}
            "target" | "dst" | "destination" => mount.target = Some(text),
            "source" | "src" => mount.source = Some(text),
            "from" => {
                if kind == MountType::Secret || kind == MountType::Tmpfs || kind == MountType::Ssh {
                    error(format!(
                        "\"from\" is not allowed for \"{}\" type mounts",
                        kind.as_str()
                    ));
                }
                if text.find('$').is_some_and(|i| i + 1 < text.len()) {
                    error(
                        "'from' doesn't support variable expansion, define alias stage instead"
                            .to_owned(),
                    );
                }
                mount.from = Some(text);
            }
            "readonly" | "ro" => match parse_bool(&key, v) {
                Ok(b) => mount.readonly = Some(b),
                Err(e) => error(e),
            },
            "readwrite" | "rw" => match parse_bool(&key, v) {
                Ok(b) => mount.readonly = Some(!b),
                Err(e) => error(e),
            },
            "id" => mount.id = Some(text),
            "sharing" => {
                if kind != MountType::Cache {
                    error(format!(
                        "invalid cache sharing set for {} mount",
                        kind.as_str()
                    ));
                }
                mount.sharing = match text.to_ascii_lowercase().as_str() {
                    "shared" => Some(CacheSharing::Shared),
                    "private" => Some(CacheSharing::Private),
                    "locked" => Some(CacheSharing::Locked),
                    other => {
                        error(format!("unsupported sharing value \"{other}\""));
                        None
                    }
                };
            }
            "required" => {
                if !matches!(kind, MountType::Secret | MountType::Ssh) {
                    error(format!(
                        "unexpected key 'required' for mount type '{}'",
                        kind.as_str()
                    ));
                }
                match parse_bool(&key, v) {
                    Ok(b) => mount.required = Some(b),
                    Err(e) => error(e),
                }
            }
            "size" => {
                if kind != MountType::Tmpfs {
                    error(format!(
                        "unexpected key 'size' for mount type '{}'",
                        kind.as_str()
                    ));
                }
                match ram_in_bytes(&text) {
                    Some(n) => mount.size = Some(n),
                    None => error(format!("invalid size value {text}")),
                }
            }
            "mode" | "uid" | "gid" => {
                if matches!(kind, MountType::Bind | MountType::Tmpfs) {
                    error(format!(
                        "\"{key}\" is not allowed for \"{}\" type mounts",
                        kind.as_str()
                    ));
                }
                let parsed = if key == "mode" {
                    u32::from_str_radix(&text, 8)
                } else {
                    text.parse::<u32>()
                };
                match parsed {
                    Ok(n) if key == "mode" => mount.mode = Some(n),
                    Ok(n) if key == "uid" => mount.uid = Some(n),
                    Ok(n) => mount.gid = Some(n),
                    Err(_) => error(format!("invalid value for {key}: {text}")),
                }
            }
            "env" if kind == MountType::Secret => mount.env = Some(text),
            _ => {
                let hint = crate::suggest::did_you_mean(&key, &KEYS)
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                error(format!("unexpected key '{key}' in '{field}'{hint}"));
            }
        }
    }
    if kind == MountType::Secret {
        if mount.source.is_some() && mount.id.is_some() {
            error("both source and id can't be set".to_owned());
        }
        if mount.source.is_none()
            && mount.id.is_none()
            && mount.target.is_none()
            && mount.env.is_none()
        {
            error("secret mount needs one of id, source, target or env".to_owned());
        }
    }
    if matches!(kind, MountType::Bind | MountType::Cache | MountType::Tmpfs)
        && mount.target.is_none()
    {
        error(format!(
            "mount type \"{}\" requires a target",
            kind.as_str()
        ));
    }
    mount
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(spec: &str) -> Mount {
        let mut diags = Vec::new();
        let m = parse_mount(spec, Span::default(), &mut diags);
        assert!(diags.is_empty(), "{spec}: {diags:?}");
        m
    }

    fn err(spec: &str) -> String {
        let mut diags = Vec::new();
        parse_mount(spec, Span::default(), &mut diags);
        assert!(!diags.is_empty(), "{spec} should be invalid");
        diags[0].message.clone()
    }

    #[test]
    fn mounts() {
        let m = ok("type=cache,target=/root/.cache,sharing=locked,id=pip,mode=0755,uid=1000");
        assert_eq!(
            (m.kind, m.sharing, m.mode, m.uid),
            (
                MountType::Cache,
                Some(CacheSharing::Locked),
                Some(0o755),
                Some(1000)
            )
        );
        assert!(!m.is_readonly());
        let m = ok("target=/src,from=build,source=/out,rw");
        assert_eq!((m.kind, m.readonly), (MountType::Bind, Some(false)));
        let m = ok("type=secret,id=npmrc,target=/root/.npmrc,required");
        assert_eq!(m.required, Some(true));
        assert_eq!(ok("type=tmpfs,target=/tmp,size=64m").size, Some(64 << 20));
        assert_eq!(
            ok("\"type=bind\",\"target=/a,b\"").target.as_deref(),
            Some("/a,b")
        );
    }

    #[test]
    fn invalid_mounts() {
        assert!(err("type=volume,target=/x").contains("unsupported mount type"));
        assert!(err("type=bind,target=/x,sharing=locked").contains("sharing"));
        assert!(err("type=cache,target=/x,foo=bar").contains("unexpected key 'foo'"));
        assert!(err("type=cache,target=/x,bogus").contains("key=value"));
        assert!(err("type=secret,id=a,source=b").contains("both source and id"));
        assert!(err("type=bind,target=/x,uid=1").contains("not allowed"));
        assert!(err("type=cache,target=/x,from=$STAGE").contains("variable expansion"));
        assert!(err("type=cache").contains("requires a target"));
    }
}
