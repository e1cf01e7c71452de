//! Credentials (docker's `config.json`) and `WWW-Authenticate` challenges.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::RegistryError;
use crate::reference::{DOCKER_HUB, DOCKER_HUB_AUTH_KEY};

/// A user name and password. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password or access token.
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    /// The `Authorization: Basic …` value.
    pub fn basic_header(&self) -> String {
        format!("Basic {}", self.encoded())
    }

    /// base64 of `user:password`, as docker's `config.json` keeps it.
    pub fn encoded(&self) -> String {
        STANDARD.encode(format!("{}:{}", self.username, self.password))
    }

    /// Decodes `auth` from docker's `config.json`.
    pub fn decode(auth: &str) -> Option<Self> {
        let raw = STANDARD.decode(auth.trim()).ok()?;
        let text = String::from_utf8(raw).ok()?;
        let (u, p) = text.split_once(':')?;
        Some(Self {
            username: u.to_owned(),
            password: p.to_owned(),
        })
    }
}

/// A parsed `WWW-Authenticate` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic realm="…"`.
    Basic,
    /// `Bearer realm="…",service="…",scope="…"`: get a token from `realm`.
    Bearer {
        /// The token endpoint.
        realm: String,
        /// The `service` parameter, if any.
        service: Option<String>,
        /// The `scope` parameter, if any.
        scope: Option<String>,
    },
}

impl Challenge {
    /// Parses the header value (RFC 7235 auth-params, quoted or not); `None` for schemes
    /// other than Basic and Bearer.
    pub fn parse(header: &str) -> Option<Self> {
        let header = header.trim();
        let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            return Some(Self::Basic);
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let params = parse_params(rest);
        Some(Self::Bearer {
            realm: params.get("realm")?.clone(),
            service: params.get("service").cloned(),
            scope: params.get("scope").cloned(),
        })
    }
}

/// `k=v, k="quoted, \"v\""` → map (keys lower-cased).
fn parse_params(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.is_empty() {
            break;
        }
        if chars.next() != Some('=') {
            continue;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        out.insert(key.trim().to_ascii_lowercase(), value.trim_end().to_owned());
    }
    out
}

/// The token endpoint's answer (`token`, or `OAuth2`'s `access_token`).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct TokenResponse {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

impl TokenResponse {
    pub(crate) fn into_token(self) -> Option<String> {
        self.token
            .filter(|t| !t.is_empty())
            .or(self.access_token.filter(|t| !t.is_empty()))
    }
}

/// Docker's client configuration file: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`. Only `auths.<server>.auth` is read and written; every other key
/// is kept as it was.
#[derive(Debug)]
pub struct DockerConfig {
    path: PathBuf,
    doc: serde_json::Map<String, serde_json::Value>,
}

/// The key a registry's credentials have in `auths`.
pub fn auth_key(registry: &str) -> String {
    if registry == DOCKER_HUB {
        DOCKER_HUB_AUTH_KEY.to_owned()
    } else {
        registry.to_owned()
    }
}

/// `https://host:port/v1/` → `host:port`.
fn key_host(key: &str) -> &str {
    let k = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    k.split('/').next().unwrap_or(k)
}

impl DockerConfig {
    /// Where the file is: `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
    pub fn default_path() -> Result<PathBuf, RegistryError> {
        if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|v| !v.is_empty()) {
            return Ok(PathBuf::from(dir).join("config.json"));
        }
        std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|h| PathBuf::from(h).join(".docker/config.json"))
            .ok_or_else(|| RegistryError::Credentials {
                path: PathBuf::from("~/.docker/config.json"),
                reason: "neither DOCKER_CONFIG nor HOME is set".into(),
            })
    }

    /// Reads the file at the default path (an absent file is an empty configuration).
    pub fn load_default() -> Result<Self, RegistryError> {
        Self::load(&Self::default_path()?)
    }

    /// Reads the file (an absent file is an empty configuration).
    pub fn load(path: &Path) -> Result<Self, RegistryError> {
        let err = |reason: String| RegistryError::Credentials {
            path: path.to_owned(),
            reason,
        };
        let doc = match std::fs::read(path) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => serde_json::Map::new(),
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| err(e.to_string()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => serde_json::Map::new(),
            Err(e) => return Err(err(e.to_string())),
        };
        Ok(Self {
            path: path.to_owned(),
            doc,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn auths(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.doc.get("auths")?.as_object()
    }

    /// The key under `auths` that holds `registry`'s credentials (exact, else by host).
    fn find_key(&self, registry: &str) -> Option<String> {
        let want = auth_key(registry);
        let auths = self.auths()?;
        if auths.contains_key(&want) {
            return Some(want);
        }
        let host = key_host(&want);
        auths.keys().find(|k| key_host(k) == host).cloned()
    }

    /// The stored credentials for a registry.
    pub fn get(&self, registry: &str) -> Option<Credentials> {
        let key = self.find_key(registry)?;
        let entry = self.auths()?.get(&key)?;
        if let Some(auth) = entry.get("auth").and_then(|a| a.as_str()) {
            return Credentials::decode(auth);
        }
        let user = entry.get("username")?.as_str()?;
        let pass = entry.get("password")?.as_str()?;
        Some(Credentials {
            username: user.to_owned(),
            password: pass.to_owned(),
        })
    }

    /// Sets a registry's credentials (call [`DockerConfig::save`] after).
    pub fn set(&mut self, registry: &str, creds: &Credentials) {
        let key = self
            .find_key(registry)
            .unwrap_or_else(|| auth_key(registry));
        let auths = self
            .doc
            .entry("auths")
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if !auths.is_object() {
            *auths = serde_json::Value::Object(serde_json::Map::new());
        }
        if let Some(map) = auths.as_object_mut() {
            let mut entry = serde_json::Map::new();
            entry.insert("auth".into(), creds.encoded().into());
            map.insert(key, serde_json::Value::Object(entry));
        }
    }

    /// Removes a registry's credentials; whether there were any.
    pub fn remove(&mut self, registry: &str) -> bool {
        let Some(key) = self.find_key(registry) else {
            return false;
        };
        self.doc
            .get_mut("auths")
            .and_then(|a| a.as_object_mut())
            .is_some_and(|m| m.remove(&key).is_some())
    }

    /// Writes the file (temp file + rename, mode 0600, directory created when needed).
    pub fn save(&self) -> Result<(), RegistryError> {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let err = |reason: String| RegistryError::Credentials {
            path: self.path.clone(),
            reason,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        let mut bytes = serde_json::to_vec_pretty(&self.doc).map_err(|e| err(e.to_string()))?;
        bytes.push(b'\n');
        let tmp = dir.join(format!(".config.json.{}.tmp", std::process::id()));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| err(e.to_string()))?;
        f.write_all(&bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| err(e.to_string()))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| err(e.to_string()))
    }
}

#[cfg(test)]
mod tests;
