//! Image references as docker reads them: `[registry/]path[:tag][@digest]`.

use std::fmt;
use std::str::FromStr;

use stowage_oci::Digest;

use crate::RegistryError;

/// Docker Hub's name in references.
pub const DOCKER_HUB: &str = "docker.io";
/// The host that serves Docker Hub's registry API.
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";
/// The key Docker Hub's credentials have in docker's `config.json`.
pub const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";

/// A parsed, normalised reference: `127.0.0.1:5000/team/app:1.0`,
/// `docker.io/library/alpine@sha256:…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The registry (`docker.io`, `localhost:5000`, `[::1]:5000`, `ghcr.io`).
    pub registry: String,
    /// The repository path (`library/alpine`, `team/app`).
    pub repository: String,
    /// The tag; `latest` when neither a tag nor a digest was given.
    pub tag: Option<String>,
    /// The digest, when pinned.
    pub digest: Option<Digest>,
}

/// Whether the first path component of a name is a registry host (docker's rule: it has a
/// `.` or `:`, is `localhost`, or has upper-case letters, which repositories cannot).
fn is_domain(first: &str) -> bool {
    first.contains(['.', ':']) || first == "localhost" || first.chars().any(char::is_uppercase)
}

fn valid_component(c: &str) -> bool {
    // [a-z0-9]+ separated by `.`, `_`, `__` or runs of `-`.
    let bytes = c.as_bytes();
    if bytes.is_empty()
        || !bytes[0].is_ascii_alphanumeric()
        || !bytes[bytes.len() - 1].is_ascii_alphanumeric()
    {
        return false;
    }
    let mut prev_sep = String::new();
    for ch in c.chars() {
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            if !(prev_sep.is_empty()
                || prev_sep == "."
                || prev_sep == "_"
                || prev_sep == "__"
                || prev_sep.chars().all(|x| x == '-'))
            {
                return false;
            }
            prev_sep.clear();
        } else if matches!(ch, '.' | '_' | '-') {
            prev_sep.push(ch);
        } else {
            return false;
        }
    }
    true
}

fn valid_tag(t: &str) -> bool {
    let mut chars = t.chars();
    t.len() <= 128
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn valid_domain(d: &str) -> bool {
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return false,
        }
    } else {
        match d.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (d, None),
        }
    };
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'))
        && port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

impl Reference {
    /// Parses a reference the way `docker pull` does: `alpine` is
    /// `docker.io/library/alpine:latest`, `user/app` is `docker.io/user/app:latest`, and a
    /// first component with a `.` or `:` or `localhost` names the registry.
    pub fn parse(s: &str) -> Result<Self, RegistryError> {
        let invalid = |why: &str| RegistryError::InvalidReference {
            reference: s.to_owned(),
            reason: why.to_owned(),
        };
        if s.is_empty() || s.len() > 4096 {
            return Err(invalid("empty or too long"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (
                r,
                Some(
                    d.parse::<Digest>()
                        .map_err(|e| invalid(&format!("bad digest: {e}")))?,
                ),
            ),
            None => (s, None),
        };
        // The tag is after the last `:` that follows the last `/`.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(t) = tag
            && !valid_tag(t)
        {
            return Err(invalid("invalid tag"));
        }
        let (registry, path) = match name.split_once('/') {
            Some((first, path)) if is_domain(first) => (first.to_owned(), path.to_owned()),
            _ => (DOCKER_HUB.to_owned(), name.to_owned()),
        };
        let registry = if registry == "index.docker.io" {
            DOCKER_HUB.to_owned()
        } else {
            registry
        };
        if !valid_domain(&registry) {
            return Err(invalid("invalid registry host"));
        }
        if path.is_empty() || !path.split('/').all(valid_component) {
            return Err(invalid(
                "repository names are lower-case letters, digits and separators (`.`, `_`, `-`, `/`)",
            ));
        }
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        let tag = match (tag, &digest) {
            (Some(t), _) => Some(t.to_owned()),
            (None, Some(_)) => None,
            (None, None) => Some("latest".to_owned()),
        };
        Ok(Self {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The name as docker shows it: `alpine`, `user/app`, `127.0.0.1:5000/app` (no tag).
    pub fn familiar_name(&self) -> String {
        let first = self.repository.split('/').next().unwrap_or("");
        // `docker.io/0.0/a` keeps its registry: `0.0/a` would name a registry `0.0`.
        if self.registry == DOCKER_HUB && !is_domain(first) {
            self.repository
                .strip_prefix("library/")
                .unwrap_or(&self.repository)
                .to_owned()
        } else {
            format!("{}/{}", self.registry, self.repository)
        }
    }

    /// The fully qualified name: `docker.io/library/alpine`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The tag as the local store names it (`alpine:3.20`, `127.0.0.1:5000/app:latest`);
    /// `None` for a reference pinned by digest only.
    pub fn local_tag(&self) -> Option<String> {
        self.tag
            .as_ref()
            .map(|t| format!("{}:{t}", self.familiar_name()))
    }

    /// What the registry's manifest endpoint takes: the digest if pinned, else the tag.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_owned(),
        }
    }

    /// The host the API is served from (`registry-1.docker.io` for Docker Hub).
    pub fn api_host(&self) -> &str {
        api_host(&self.registry)
    }
}

/// The host serving a registry's API.
pub fn api_host(registry: &str) -> &str {
    if registry == DOCKER_HUB {
        DOCKER_HUB_API
    } else {
        registry
    }
}

/// Whether a registry is on this machine (docker talks plain http to those by default).
pub fn is_local(registry: &str) -> bool {
    let host = if let Some(rest) = registry.strip_prefix('[') {
        rest.split_once(']').map_or(rest, |(h, _)| h)
    } else {
        registry.rsplit_once(':').map_or(registry, |(h, _)| h)
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

impl FromStr for Reference {
    type Err = RegistryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.full_name())?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
