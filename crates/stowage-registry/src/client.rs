//! The HTTP side of the distribution API: one [`Client`] per registry, with its auth state.

use std::fmt::Write as _;
use std::io::Read;
use std::time::Duration;

use stowage_oci::{Digest, MediaType};
use ureq::http::{self, Method, Response, StatusCode};

use crate::auth::{Challenge, Credentials, TokenResponse};
use crate::reference::{api_host, is_local};
use crate::{RegistryError, Result};

/// What `Accept` asks for when fetching manifests: OCI and Docker schema 2, images and
/// indexes.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, \
     application/vnd.oci.image.index.v1+json, \
     application/vnd.docker.distribution.manifest.v2+json, \
     application/vnd.docker.distribution.manifest.list.v2+json";

/// The largest manifest or error document read into memory.
const MAX_DOCUMENT: u64 = 8 << 20;

/// How a [`Client`] talks to its registry.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Treat the registry as insecure, as docker does for local ones (`localhost`, `127.*`,
    /// `[::1]`) anyway: https without certificate checks, else plain http.
    pub insecure: bool,
    /// Blobs up to this size are uploaded in one PUT; larger ones in PATCH chunks of this
    /// size, then a closing PUT.
    pub chunk_size: u64,
    /// Extra CA certificates (PEM) trusted for https, besides the webpki roots.
    pub ca_pem: Vec<Vec<u8>>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            insecure: false,
            chunk_size: 16 << 20,
            ca_pem: Vec::new(),
        }
    }
}

/// The outcome of a cross-repository mount request.
#[derive(Debug)]
pub enum Mount {
    /// The registry linked the blob (201).
    Mounted,
    /// It did not, and opened an upload session at this location instead (202).
    Upload(String),
}

/// A connection to one registry: base URL, credentials, and the token or basic header in
/// use. Requests that get a 401 authenticate from its challenge and are retried once.
#[derive(Debug)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    /// The plain-http base to switch to if the first https request fails (insecure
    /// registries only); dropped after the first answer.
    fallback: Option<String>,
    registry: String,
    creds: Option<Credentials>,
    scopes: Vec<String>,
    auth: Option<String>,
    /// Upload chunk size (see [`ClientOptions::chunk_size`]).
    pub chunk_size: u64,
}

/// An error document: `{"errors":[{"code","message","detail"}]}`.
#[derive(Debug, Default, serde::Deserialize)]
struct ErrorDoc {
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

#[derive(Debug, serde::Deserialize)]
struct ErrorEntry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// Whether scope `a` (`repository:x:pull,push`) grants everything `b` asks for.
fn covers(a: &str, b: &str) -> bool {
    let split = |s: &str| {
        s.rsplit_once(':').map(|(res, actions)| {
            (
                res.to_owned(),
                actions.split(',').map(str::to_owned).collect::<Vec<_>>(),
            )
        })
    };
    match (split(a), split(b)) {
        (Some((ra, aa)), Some((rb, ab))) => ra == rb && ab.iter().all(|x| aa.contains(x)),
        _ => a == b,
    }
}

fn join_query(location: &str, query: &str) -> String {
    if location.contains('?') {
        format!("{location}&{query}")
    } else {
        format!("{location}?{query}")
    }
}

/// `%`-encodes a query value (the characters scopes and digests contain are kept).
fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~:/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

impl Client {
    /// A client for `registry` (as in a reference: `docker.io`, `127.0.0.1:5000`).
    pub fn new(
        registry: &str,
        options: &ClientOptions,
        creds: Option<Credentials>,
    ) -> Result<Self> {
        // Docker's rule for insecure registries (`--insecure`, and every local one): try
        // https without verifying the certificate, fall back to http if that fails.
        let insecure = options.insecure || is_local(registry);
        let mut tls = ureq::tls::TlsConfig::builder().disable_verification(insecure);
        if !options.ca_pem.is_empty() {
            let mut certs = Vec::new();
            for pem in &options.ca_pem {
                for item in ureq::tls::parse_pem(pem) {
                    if let Ok(ureq::tls::PemItem::Certificate(c)) = item {
                        certs.push(c);
                    }
                }
            }
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            // A stalled registry fails instead of hanging; big blobs still stream for as
            // long as bytes keep coming.
            .timeout_per_read(Some(Duration::from_mins(2)))
            .timeout_recv_response(Some(Duration::from_mins(5)))
            .user_agent(concat!("stowage/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build()
            .new_agent();
        Ok(Self {
            agent,
            base: format!("https://{}", api_host(registry)),
            fallback: insecure.then(|| format!("http://{}", api_host(registry))),
            registry: registry.to_owned(),
            creds,
            scopes: Vec::new(),
            auth: None,
            chunk_size: options.chunk_size.max(1),
        })
    }

    /// The registry this client talks to.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The base URL (`https://ghcr.io`; an insecure registry's turns to `http://…` when its
    /// first https request fails).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Sets the token scopes the next authentication asks for
    /// (`repository:team/app:pull,push`), dropping a token issued for other scopes.
    pub fn set_scopes(&mut self, scopes: Vec<String>) {
        if scopes != self.scopes {
            self.scopes = scopes;
            if self
                .auth
                .as_deref()
                .is_some_and(|a| a.starts_with("Bearer "))
            {
                self.auth = None;
            }
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    fn network(&self, e: &ureq::Error) -> RegistryError {
        RegistryError::Network {
            registry: self.registry.clone(),
            reason: e.to_string(),
        }
    }

    /// Sends a request, authenticating and retrying once on a 401.
    fn send(
        &mut self,
        method: &Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Response<ureq::Body>> {
        let mut url = self.url(path);
        let mut tried_auth = false;
        loop {
            let mut req = http::Request::builder().method(method.clone()).uri(&url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            if let Some(a) = &self.auth {
                req = req.header("Authorization", a.as_str());
            }
            let req = req.body(body).map_err(|e| RegistryError::Network {
                registry: self.registry.clone(),
                reason: e.to_string(),
            })?;
            let resp = match self.agent.run(req) {
                Ok(resp) => {
                    self.fallback = None;
                    resp
                }
                Err(e) => {
                    if let Some(http) = self.fallback.take()
                        && let Some(rest) = url.strip_prefix(&self.base)
                    {
                        url = format!("{http}{rest}");
                        self.base = http;
                        continue;
                    }
                    return Err(self.network(&e));
                }
            };
            if resp.status() != StatusCode::UNAUTHORIZED {
                return Ok(resp);
            }
            let challenge = resp
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .and_then(Challenge::parse);
            if tried_auth {
                return Err(self.unauthorized(resp));
            }
            let Some(challenge) = challenge else {
                return Err(self.unauthorized(resp));
            };
            self.authenticate(&challenge)?;
            tried_auth = true;
        }
    }

    fn unauthorized(&self, resp: Response<ureq::Body>) -> RegistryError {
        let detail = error_messages(resp).join("; ");
        RegistryError::Unauthorized {
            registry: self.registry.clone(),
            detail: if detail.is_empty() {
                "authentication required".to_owned()
            } else {
                detail
            },
            had_credentials: self.creds.is_some(),
        }
    }

    /// Answers a challenge: a basic header, or a token from the realm.
    fn authenticate(&mut self, challenge: &Challenge) -> Result<()> {
        match challenge {
            Challenge::Basic => {
                let Some(c) = &self.creds else {
                    return Err(RegistryError::Unauthorized {
                        registry: self.registry.clone(),
                        detail: "authentication required".into(),
                        had_credentials: false,
                    });
                };
                self.auth = Some(c.basic_header());
                Ok(())
            }
            Challenge::Bearer {
                realm,
                service,
                scope,
            } => {
                let mut query = Vec::new();
                if let Some(s) = service {
                    query.push(format!("service={}", encode(s)));
                }
                let mut scopes = self.scopes.clone();
                if let Some(s) = scope
                    && !scopes.iter().any(|own| covers(own, s))
                {
                    scopes.push(s.clone());
                }
                for s in &scopes {
                    query.push(format!("scope={}", encode(s)));
                }
                let url = if query.is_empty() {
                    realm.clone()
                } else {
                    join_query(realm, &query.join("&"))
                };
                let mut req = http::Request::builder().method(Method::GET).uri(&url);
                if let Some(c) = &self.creds {
                    req = req.header("Authorization", c.basic_header());
                }
                let req = req.body(()).map_err(|e| RegistryError::Network {
                    registry: self.registry.clone(),
                    reason: e.to_string(),
                })?;
                let mut resp = self.agent.run(req).map_err(|e| RegistryError::Network {
                    registry: self.registry.clone(),
                    reason: format!("token service {realm}: {e}"),
                })?;
                let status = resp.status();
                if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                    return Err(self.unauthorized(resp));
                }
                if !status.is_success() {
                    return Err(refused(&format!("a token from {realm}"), resp));
                }
                let bytes = read_document(&mut resp, &self.registry)?;
                let token = serde_json::from_slice::<TokenResponse>(&bytes)
                    .ok()
                    .and_then(TokenResponse::into_token)
                    .ok_or_else(|| RegistryError::Invalid {
                        what: format!("token response from {realm}"),
                        reason: "no `token` or `access_token`".into(),
                    })?;
                self.auth = Some(format!("Bearer {token}"));
                Ok(())
            }
        }
    }

    /// `GET /v2/`: checks the registry answers and the credentials (if any) are accepted.
    pub fn ping(&mut self) -> Result<()> {
        let resp = self.send(&Method::GET, "/v2/", &[], &[])?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(refused("the API check (GET /v2/)", resp))
        }
    }

    /// `HEAD /v2/<repo>/blobs/<digest>`: whether the repository has the blob.
    pub fn blob_exists(&mut self, repo: &str, digest: &Digest) -> Result<bool> {
        let resp = self.send(
            &Method::HEAD,
            &format!("/v2/{repo}/blobs/{digest}"),
            &[],
            &[],
        )?;
        match resp.status() {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(refused(&format!("checking blob {digest}"), resp)),
        }
    }

    fn location(&self, resp: &Response<ureq::Body>) -> Result<String> {
        resp.headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| RegistryError::Invalid {
                what: format!("upload response from {}", self.registry),
                reason: "no Location header".into(),
            })
    }

    /// `POST /v2/<repo>/blobs/uploads/?mount=<digest>&from=<other>`.
    pub fn mount_blob(&mut self, repo: &str, digest: &Digest, from: &str) -> Result<Mount> {
        let path = format!(
            "/v2/{repo}/blobs/uploads/?mount={}&from={}",
            encode(&digest.to_string()),
            encode(from)
        );
        let resp = self.send(&Method::POST, &path, &[], &[])?;
        match resp.status() {
            StatusCode::CREATED => Ok(Mount::Mounted),
            StatusCode::ACCEPTED => Ok(Mount::Upload(self.location(&resp)?)),
            _ => Err(refused(
                &format!("mounting blob {digest} from {from}"),
                resp,
            )),
        }
    }

    /// `POST /v2/<repo>/blobs/uploads/`: opens an upload session; returns its location.
    pub fn start_upload(&mut self, repo: &str) -> Result<String> {
        let resp = self.send(
            &Method::POST,
            &format!("/v2/{repo}/blobs/uploads/"),
            &[],
            &[],
        )?;
        if resp.status() == StatusCode::ACCEPTED {
            self.location(&resp)
        } else {
            Err(refused("starting an upload", resp))
        }
    }

    /// Uploads a blob of `size` bytes read from `reader` into the session at `location`:
    /// one PUT when it fits in a chunk, else `PATCH`es with `Content-Range` then a PUT.
    /// Returns the number of PATCH requests made.
    pub fn upload_blob(
        &mut self,
        location: String,
        digest: &Digest,
        size: u64,
        reader: &mut dyn Read,
    ) -> Result<usize> {
        let registry = self.registry.clone();
        let read_err = |e: std::io::Error| RegistryError::Network {
            registry: registry.clone(),
            reason: format!("reading blob {digest}: {e}"),
        };
        let digest_query = format!("digest={}", encode(&digest.to_string()));
        let octet = [("Content-Type", "application/octet-stream")];
        if size <= self.chunk_size {
            let mut body = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            reader.read_to_end(&mut body).map_err(read_err)?;
            let url = join_query(&location, &digest_query);
            let resp = self.send(&Method::PUT, &url, &octet, &body)?;
            return if resp.status() == StatusCode::CREATED {
                Ok(0)
            } else {
                Err(refused(&format!("uploading blob {digest}"), resp))
            };
        }
        let mut location = location;
        let mut offset = 0u64;
        let mut chunks = 0;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            (&mut *reader)
                .take(self.chunk_size)
                .read_to_end(&mut buf)
                .map_err(read_err)?;
            if buf.is_empty() {
                break;
            }
            let end = offset + buf.len() as u64 - 1;
            let range = format!("{offset}-{end}");
            let resp = self.send(
                &Method::PATCH,
                &location,
                &[
                    ("Content-Type", "application/octet-stream"),
                    ("Content-Range", &range),
                ],
                &buf,
            )?;
            if resp.status() != StatusCode::ACCEPTED {
                return Err(refused(
                    &format!("uploading a chunk of blob {digest}"),
                    resp,
                ));
            }
            location = self.location(&resp)?;
            offset = end + 1;
            chunks += 1;
        }
        let resp = self.send(
            &Method::PUT,
            &join_query(&location, &digest_query),
            &octet,
            &[],
        )?;
        if resp.status() == StatusCode::CREATED {
            Ok(chunks)
        } else {
            Err(refused(
                &format!("finishing the upload of blob {digest}"),
                resp,
            ))
        }
    }

    /// `PUT /v2/<repo>/manifests/<reference>` with the manifest's media type; returns its
    /// digest.
    pub fn put_manifest(
        &mut self,
        repo: &str,
        reference: &str,
        media_type: &MediaType,
        bytes: &[u8],
    ) -> Result<Digest> {
        let resp = self.send(
            &Method::PUT,
            &format!("/v2/{repo}/manifests/{reference}"),
            &[("Content-Type", media_type.as_str())],
            bytes,
        )?;
        if resp.status() == StatusCode::CREATED {
            Ok(Digest::sha256(bytes))
        } else {
            Err(refused(&format!("manifest {repo}:{reference}"), resp))
        }
    }

    /// `GET /v2/<repo>/manifests/<reference>`: the media type and the bytes.
    pub fn get_manifest(&mut self, repo: &str, reference: &str) -> Result<(MediaType, Vec<u8>)> {
        let mut resp = self.send(
            &Method::GET,
            &format!("/v2/{repo}/manifests/{reference}"),
            &[("Accept", MANIFEST_ACCEPT)],
            &[],
        )?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Err(RegistryError::NotFound {
                what: format!("manifest for {}/{repo}:{reference}", self.registry),
                detail: error_messages(resp).join("; "),
            });
        }
        if !resp.status().is_success() {
            return Err(refused(&format!("manifest {repo}:{reference}"), resp));
        }
        let media_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|v| MediaType::parse(v.split(';').next().unwrap_or(v).trim()));
        let bytes = read_document(&mut resp, &self.registry)?;
        // The body's own mediaType wins over a generic Content-Type.
        let declared = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("mediaType")?.as_str().map(MediaType::parse));
        let media_type = declared.or(media_type).unwrap_or(MediaType::ImageManifest);
        Ok((media_type, bytes))
    }

    /// `GET /v2/<repo>/blobs/<digest>`: a reader of the blob's bytes (not verified here:
    /// the caller hashes them).
    pub fn get_blob(&mut self, repo: &str, digest: &Digest) -> Result<impl Read + use<>> {
        let resp = self.send(
            &Method::GET,
            &format!("/v2/{repo}/blobs/{digest}"),
            &[],
            &[],
        )?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Err(RegistryError::NotFound {
                what: format!("blob {digest} in {}/{repo}", self.registry),
                detail: error_messages(resp).join("; "),
            });
        }
        if !resp.status().is_success() {
            return Err(refused(&format!("blob {digest}"), resp));
        }
        Ok(resp.into_body().into_reader())
    }
}

fn read_document(resp: &mut Response<ureq::Body>, registry: &str) -> Result<Vec<u8>> {
    resp.body_mut()
        .with_config()
        .limit(MAX_DOCUMENT)
        .read_to_vec()
        .map_err(|e| RegistryError::Network {
            registry: registry.to_owned(),
            reason: e.to_string(),
        })
}

/// The registry's error codes and messages (`MANIFEST_UNKNOWN: manifest unknown`).
fn error_messages(mut resp: Response<ureq::Body>) -> Vec<String> {
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(64 << 10)
        .read_to_vec()
        .unwrap_or_default();
    let doc: ErrorDoc = serde_json::from_slice(&bytes).unwrap_or_default();
    if doc.errors.is_empty() {
        // Not the registry's error document: a proxy's or token service's message.
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim();
        let message = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => ["details", "message", "error"]
                .iter()
                .find_map(|k| v.get(*k)?.as_str().map(str::to_owned)),
            Err(_) => text.lines().next().map(str::to_owned),
        };
        return message
            .filter(|m| !m.is_empty())
            .map(|m| m.chars().take(300).collect())
            .into_iter()
            .collect();
    }
    doc.errors
        .into_iter()
        .map(|e| match (e.code.is_empty(), e.message.is_empty()) {
            (false, false) => format!("{}: {}", e.code, e.message),
            (false, true) => e.code,
            _ => e.message,
        })
        .collect()
}

fn refused(action: &str, resp: Response<ureq::Body>) -> RegistryError {
    let status = resp.status();
    RegistryError::Refused {
        action: action.to_owned(),
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_owned(),
        errors: error_messages(resp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_cover_the_actions_they_list() {
        assert!(covers("repository:a/b:pull,push", "repository:a/b:pull"));
        assert!(covers("repository:a/b:pull", "repository:a/b:pull"));
        assert!(!covers("repository:a/b:pull", "repository:a/b:pull,push"));
        assert!(!covers("repository:a/c:pull,push", "repository:a/b:pull"));
        assert!(covers("registry:catalog:*", "registry:catalog:*"));
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            encode("repository:a/b:pull,push"),
            "repository:a/b:pull%2Cpush"
        );
        assert_eq!(encode("a b&c"), "a%20b%26c");
        assert_eq!(
            join_query("/u?_state=x", "digest=d"),
            "/u?_state=x&digest=d"
        );
        assert_eq!(join_query("/u", "digest=d"), "/u?digest=d");
    }
}
