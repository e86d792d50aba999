//! `Client`: reqwest over a rustls configuration we build ourselves (ring
//! provider, the user's CA files plus optionally the system roots), with
//! transcripts, a body cap and deadlines.

use crate::evidence::transcript::{self, Message, Request, Response};
use crate::evidence::{Recorder, Redactor, Transcript};
use base64::Engine;
use http::HeaderMap;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Responses are read up to this many bytes (8 MiB); the rest is not read and
/// the exchange is marked `over_limit`. A CLR page larger than this is
/// treated as a finding, not buffered.
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// How the client connects and how long it may take.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// PEM files of CAs to trust (each may hold several certificates).
    pub trusted_ca: Vec<PathBuf>,
    /// PEM text of CAs to trust (e.g. the builtin provider's self-signed CA).
    pub trusted_ca_pem: Vec<String>,
    /// Also trust the operating system's root store.
    pub system_roots: bool,
    /// Accept any server certificate (explicit `--insecure` only).
    pub insecure: bool,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Total budget for the whole run.
    pub deadline: Duration,
    pub body_limit: usize,
}

impl Default for HttpConfig {
    fn default() -> HttpConfig {
        HttpConfig {
            trusted_ca: Vec::new(),
            trusted_ca_pem: Vec::new(),
            system_roots: true,
            insecure: false,
            timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(600),
            body_limit: BODY_LIMIT,
        }
    }
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    Json(serde_json::Value),
    Form(Vec<(String, String)>),
    /// Raw text with its media type (e.g. a compact JWS as `text/plain`).
    Text(String, String),
}

/// One request to send.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: http::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
    /// What the exchange is for; becomes the transcript label.
    pub label: String,
}

impl Req {
    pub fn new(method: http::Method, url: impl Into<String>, label: impl Into<String>) -> Req {
        Req {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
            label: label.into(),
        }
    }
    pub fn get(url: impl Into<String>, label: impl Into<String>) -> Req {
        Req::new(http::Method::GET, url, label)
    }
    pub fn post(url: impl Into<String>, label: impl Into<String>) -> Req {
        Req::new(http::Method::POST, url, label)
    }
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Req {
        self.headers.push((name.to_string(), value.into()));
        self
    }
    pub fn bearer(self, token: &str) -> Req {
        self.header("Authorization", format!("Bearer {token}"))
    }
    pub fn basic(self, user: &str, password: &str) -> Req {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        // RFC 6749 §2.3.1: client id and secret are form-encoded before Basic encoding.
        let raw = format!("{}:{}", enc(user), enc(password));
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        self.header("Authorization", format!("Basic {b64}"))
    }
    pub fn json(mut self, v: serde_json::Value) -> Req {
        self.body = Some(Body::Json(v));
        self
    }
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Req {
        self.body = Some(Body::Form(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ));
        self
    }
    pub fn text(mut self, media_type: &str, text: impl Into<String>) -> Req {
        self.body = Some(Body::Text(text.into(), media_type.to_string()));
        self
    }
}

/// A response that arrived.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The transcript id (`tx-0001`) to cite.
    pub tx: String,
    pub url: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The body was longer than the limit and was not read to the end.
    pub over_limit: bool,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// All values of a header (e.g. several `Link` lines).
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }
    /// The media type without parameters, lowercased.
    pub fn media_type(&self) -> String {
        self.header("content-type")
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }
    pub fn is_json_media_type(&self) -> bool {
        let m = self.media_type();
        m == "application/json" || m.ends_with("+json")
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The body as JSON, when it parses.
    pub fn json(&self) -> Option<serde_json::Value> {
        if self.over_limit {
            return None;
        }
        serde_json::from_slice(&self.body).ok()
    }
    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }
    /// A short description for messages: `404 text/html`.
    pub fn brief(&self) -> String {
        format!("{} {}", self.status, self.media_type())
    }
}

/// Why no response arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailKind {
    Connect,
    Tls,
    Timeout,
    /// The total run deadline is spent; nothing was sent.
    Deadline,
    InvalidUrl,
    Other,
}

/// A request that got no response.
#[derive(Debug, Clone)]
pub struct Failure {
    pub tx: String,
    pub kind: FailKind,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.tx)
    }
}

/// The message of a request refused or cut short because the run was
/// interrupted (Ctrl-C); `cli::run` recognises findings carrying it.
pub const INTERRUPTED: &str = "run interrupted (SIGINT)";

/// The client: cheap to clone; clones share the redactor, the deadline and
/// the interruption switch.
#[derive(Clone)]
pub struct Client {
    inner: reqwest::Client,
    redactor: Redactor,
    timeout: Duration,
    deadline: Instant,
    body_limit: usize,
    insecure: bool,
    cancel: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Client {
    /// Build a client. Errors name the offending CA file.
    pub fn new(cfg: &HttpConfig, redactor: Redactor) -> anyhow::Result<Client> {
        let tls = tls_config(cfg)?;
        let inner = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("clr-conformance/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the http client: {e}"))?;
        Ok(Client {
            inner,
            redactor,
            timeout: cfg.timeout,
            deadline: Instant::now() + cfg.deadline,
            body_limit: cfg.body_limit,
            insecure: cfg.insecure,
            cancel: Arc::new(tokio::sync::watch::Sender::new(false)),
        })
    }

    /// Interrupt the run: requests in flight are abandoned and no new one is sent.
    pub fn cancel(&self) {
        self.cancel.send_replace(true);
    }

    /// True once `cancel` was called on this client or a clone.
    pub fn cancelled(&self) -> bool {
        *self.cancel.borrow()
    }

    /// Resolves when the run is interrupted.
    async fn interrupted(&self) {
        let mut rx = self.cancel.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }

    /// The underlying reqwest client (same TLS trust), for fetches that are not judged.
    pub fn inner(&self) -> &reqwest::Client {
        &self.inner
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    pub fn insecure(&self) -> bool {
        self.insecure
    }

    /// True once the total run deadline has passed.
    pub fn deadline_passed(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Send `req`, record the redacted transcript in `rec`, return the response.
    pub async fn send(&self, rec: &mut Recorder, req: Req) -> Result<Exchange, Failure> {
        let mut t = Transcript {
            id: String::new(),
            label: req.label.clone(),
            request: Request {
                method: req.method.to_string(),
                url: req.url.clone(),
                message: Message {
                    headers: req.headers.clone(),
                    body: None,
                    truncated: false,
                },
            },
            response: None,
            error: None,
        };
        let fail = |rec: &mut Recorder, mut t: Transcript, kind: FailKind, message: String| {
            t.error = Some(message.clone());
            self.redactor.transcript(&mut t);
            let message = self.redactor.text(&message);
            Failure {
                tx: rec.transcript(t),
                kind,
                message,
            }
        };
        if self.cancelled() {
            let m = format!("{INTERRUPTED}; request not sent");
            return Err(fail(rec, t, FailKind::Deadline, m));
        }
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(fail(
                rec,
                t,
                FailKind::Deadline,
                "run deadline reached; request not sent".into(),
            ));
        }
        let url = match url::Url::parse(&req.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u,
            _ => {
                let m = format!("{}: not an http(s) url", req.url);
                return Err(fail(rec, t, FailKind::InvalidUrl, m));
            }
        };
        let mut b = self
            .inner
            .request(req.method.clone(), url)
            .timeout(self.timeout.min(left));
        for (k, v) in &req.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        match &req.body {
            Some(Body::Json(v)) => {
                let s = serde_json::to_string(v).unwrap_or_default();
                t.request
                    .message
                    .headers
                    .push(("Content-Type".into(), "application/json".into()));
                t.request.message.body = Some(s.clone());
                b = b.header("Content-Type", "application/json").body(s);
            }
            Some(Body::Form(pairs)) => {
                let s = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish();
                let ct = "application/x-www-form-urlencoded";
                t.request
                    .message
                    .headers
                    .push(("Content-Type".into(), ct.into()));
                t.request.message.body = Some(s.clone());
                b = b.header("Content-Type", ct).body(s);
            }
            Some(Body::Text(s, ct)) => {
                t.request
                    .message
                    .headers
                    .push(("Content-Type".into(), ct.clone()));
                t.request.message.body = Some(s.clone());
                b = b.header("Content-Type", ct.as_str()).body(s.clone());
            }
            None => {}
        }
        let started = Instant::now();
        let sent = tokio::select! {
            r = b.send() => r,
            () = self.interrupted() => {
                let m = format!("{}: {INTERRUPTED} while waiting for the response", req.url);
                return Err(fail(rec, t, FailKind::Deadline, m));
            }
        };
        let mut resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let (kind, m) = classify(&e, &req.url);
                return Err(fail(rec, t, kind, m));
            }
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let mut body = Vec::new();
        let mut over_limit = false;
        let mut body_error = None;
        loop {
            let chunk = tokio::select! {
                c = resp.chunk() => c,
                () = self.interrupted() => {
                    body_error = Some((FailKind::Deadline, format!("{}: {INTERRUPTED}", req.url)));
                    break;
                }
            };
            match chunk {
                Ok(Some(c)) => {
                    if body.len() + c.len() > self.body_limit {
                        let room = self.body_limit - body.len();
                        body.extend_from_slice(&c[..room]);
                        over_limit = true;
                        break;
                    }
                    body.extend_from_slice(&c);
                }
                Ok(None) => break,
                Err(e) => {
                    body_error = Some(classify(&e, &req.url));
                    break;
                }
            }
        }
        // The transcript keeps BODY_CAP bytes after redaction; twice that is kept
        // for redaction, so a secret across the final cut is still masked whole
        // (secrets are harvested from the whole `body` below), and an 8 MiB body
        // is not copied whole.
        let (text, truncated) = transcript::capture_body_upto(&body, 2 * transcript::BODY_CAP);
        t.response = Some(Response {
            status,
            message: Message {
                headers: headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
                body: text,
                truncated: truncated || over_limit,
            },
            elapsed_ms: started.elapsed().as_millis() as u64,
        });
        if over_limit {
            t.error = Some(format!(
                "body longer than {} bytes; the rest was not read",
                self.body_limit
            ));
        }
        self.harvest(&headers, &body);
        if let Some((kind, m)) = body_error {
            return Err(fail(rec, t, kind, format!("reading the body: {m}")));
        }
        self.redactor.transcript(&mut t);
        let tx = rec.transcript(t);
        if over_limit {
            rec.note(format!(
                "{tx}: response body exceeded the {} MiB limit and was cut",
                self.body_limit / (1024 * 1024)
            ));
        }
        Ok(Exchange {
            tx,
            url: req.url,
            status,
            headers,
            body,
            over_limit,
        })
    }
}

impl Client {
    /// Register secrets a response hands out (a code in a redirect, tokens and
    /// client secrets in a JSON body) before its transcript is redacted.
    fn harvest(&self, headers: &HeaderMap, body: &[u8]) {
        use crate::evidence::redact::SECRET_FIELDS;
        if let Some(loc) = headers.get("location").and_then(|v| v.to_str().ok())
            && let Ok(u) = url::Url::parse(loc)
        {
            let fragment = url::form_urlencoded::parse(u.fragment().unwrap_or("").as_bytes());
            for (k, v) in u.query_pairs().chain(fragment) {
                if SECRET_FIELDS.contains(&k.as_ref()) {
                    secret(&self.redactor, &v, kind_of(&k));
                }
            }
        }
        // The whole body as read (up to the body limit), before any cut: a
        // token response too long for the transcript still has its tokens
        // registered. JSON that does not parse (cut at the limit, broken) is
        // scanned for secret members lexically.
        let start = body.iter().position(|b| !b.is_ascii_whitespace());
        if !start.is_some_and(|i| matches!(body[i], b'{' | b'[')) {
            return;
        }
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(v) => harvest_json(&self.redactor, &v, 0),
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                for (k, r) in crate::evidence::redact::secret_members(&text) {
                    secret(&self.redactor, &text[r], kind_of(k));
                }
            }
        }
    }
}

/// Register string values of secret members, at any depth (bounded).
fn harvest_json(r: &Redactor, v: &serde_json::Value, depth: usize) {
    use crate::evidence::redact::SECRET_FIELDS;
    if depth > 32 {
        return;
    }
    match v {
        serde_json::Value::Object(m) => {
            // A plaintext identifier (an IdentityObject with hashed: false)
            // is the learner's personal data: masked like a secret.
            if m.get("hashed") == Some(&serde_json::Value::Bool(false))
                && let Some(id) = m.get("identityHash").and_then(|v| v.as_str())
            {
                secret(r, id, "learner-identifier");
            }
            for (k, v) in m {
                match (SECRET_FIELDS.contains(&k.as_str()), v.as_str()) {
                    (true, Some(s)) => secret(r, s, kind_of(k)),
                    _ => harvest_json(r, v, depth + 1),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| harvest_json(r, v, depth + 1)),
        _ => {}
    }
}

/// The redaction label for a secret field name.
fn kind_of(field: &str) -> &'static str {
    match field {
        "code" => "authorization-code",
        "access_token" => "access-token",
        "refresh_token" => "refresh-token",
        "client_secret" => "client-secret",
        "password" => "password",
        _ => "secret",
    }
}

/// Turn a reqwest error into a kind and a message that says what to fix.
fn classify(e: &reqwest::Error, url: &str) -> (FailKind, String) {
    let mut chain = Vec::new();
    let mut src: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = src {
        chain.push(s.to_string());
        src = s.source();
    }
    let all = chain.join(": ");
    let lower = all.to_ascii_lowercase();
    if e.is_timeout() {
        return (
            FailKind::Timeout,
            format!("{url}: no response within the timeout (raise --timeout?)"),
        );
    }
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        return (
            FailKind::Tls,
            format!("{url}: tls error: {all} (trust the server's CA with --trust-ca FILE.pem)"),
        );
    }
    if e.is_connect() {
        let hint = if lower.contains("refused") {
            "connection refused: is the server running and the port right?"
        } else if lower.contains("dns") || lower.contains("resolve") {
            "host name does not resolve"
        } else {
            "cannot connect"
        };
        return (FailKind::Connect, format!("{url}: {hint} ({all})"));
    }
    (FailKind::Other, format!("{url}: {all}"))
}

/// The rustls configuration: ring provider, TLS 1.2/1.3, our trust roots.
fn tls_config(cfg: &HttpConfig) -> anyhow::Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| anyhow::anyhow!("tls setup: {e}"))?;
    if cfg.insecure {
        let mut c = builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
            .with_no_client_auth();
        c.alpn_protocols = alpn();
        return Ok(c);
    }
    let mut roots = rustls::RootCertStore::empty();
    for path in &cfg.trusted_ca {
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot read CA file: {e}", path.display()))?;
        add_pem(&mut roots, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    for pem in &cfg.trusted_ca_pem {
        add_pem(&mut roots, pem.as_bytes())?;
    }
    if cfg.system_roots {
        let found = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(found.certs);
    }
    let mut c = builder.with_root_certificates(roots).with_no_client_auth();
    c.alpn_protocols = alpn();
    Ok(c)
}

/// HTTP/2 and HTTP/1.1 offered in ALPN, so an h2-only server can be judged.
fn alpn() -> Vec<Vec<u8>> {
    vec![b"h2".to_vec(), b"http/1.1".to_vec()]
}

pub(crate) fn add_pem(roots: &mut rustls::RootCertStore, pem: &[u8]) -> anyhow::Result<()> {
    let mut n = 0;
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| anyhow::anyhow!("not a PEM certificate: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| anyhow::anyhow!("unusable CA certificate: {e}"))?;
        n += 1;
    }
    if n == 0 {
        anyhow::bail!("no PEM certificate found");
    }
    Ok(())
}

/// `--insecure`: accepts every certificate but still checks handshake signatures.
#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Register a secret value with the redactor (and its percent-encoded form).
pub fn secret(r: &Redactor, value: &str, kind: &'static str) {
    r.add(value, kind);
}

/// Same scheme, host and port.
pub fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_form_encodes_then_base64() {
        let r = Req::get("https://h/", "x").basic("a b", "p:w");
        let v = &r.headers[0].1;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(v.trim_start_matches("Basic "))
            .unwrap();
        assert_eq!(String::from_utf8(raw).unwrap(), "a+b:p%3Aw");
    }

    #[test]
    fn bad_ca_file_is_named() {
        let cfg = HttpConfig {
            trusted_ca_pem: vec!["not pem".into()],
            system_roots: false,
            ..Default::default()
        };
        let err = Client::new(&cfg, Redactor::new())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("no PEM certificate"), "{err}");
    }

    #[test]
    fn origins() {
        assert!(same_origin("https://a:8443/x", "https://a:8443/y?z"));
        assert!(!same_origin("https://a/x", "https://b/x"));
        assert!(!same_origin("https://a/x", "http://a/x"));
    }

    #[tokio::test]
    async fn a_spent_deadline_sends_nothing() {
        let cfg = HttpConfig {
            system_roots: false,
            deadline: Duration::from_millis(1),
            ..Default::default()
        };
        let c = Client::new(&cfg, Redactor::new()).unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(c.deadline_passed());
        let mut rec = Recorder::new();
        let err = c
            .send(&mut rec, Req::get("http://127.0.0.1:9/", "late"))
            .await
            .unwrap_err();
        assert_eq!(err.kind, FailKind::Deadline);
        assert_eq!(err.tx, "tx-0001");
    }

    #[test]
    fn unstable_secrets_are_masked_without_recursing() {
        let r = Redactor::new();
        secret(&r, "p@ss word+Secret-123456", "password");
        let out = r.text("login p@ss word+Secret-123456 done");
        assert!(!out.contains("Secret-123456"), "{out}");
    }

    #[tokio::test]
    async fn connection_refused_is_recorded_and_explained() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let c = Client::new(
            &HttpConfig {
                system_roots: false,
                ..Default::default()
            },
            Redactor::new(),
        )
        .unwrap();
        let mut rec = Recorder::new();
        let err = c
            .send(
                &mut rec,
                Req::get(format!("http://127.0.0.1:{port}/x"), "probe"),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind, FailKind::Connect, "{}", err.message);
        assert!(err.message.contains("refused"), "{}", err.message);
        assert_eq!(rec.transcripts().len(), 1);
        assert!(rec.transcripts()[0].error.is_some());
    }

    #[tokio::test]
    async fn body_limit_stops_reading_and_secrets_are_redacted() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let body = "x".repeat(5000);
            let resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\nsecret-abcdef {body}",
                body.len() + 14
            );
            let _ = s.write_all(resp.as_bytes()).await;
        });
        let r = Redactor::new();
        r.add("secret-abcdef", "access-token");
        let cfg = HttpConfig {
            system_roots: false,
            body_limit: 1000,
            ..Default::default()
        };
        let c = Client::new(&cfg, r).unwrap();
        let mut rec = Recorder::new();
        let ex = c
            .send(
                &mut rec,
                Req::get(format!("http://{addr}/"), "big").bearer("secret-abcdef"),
            )
            .await
            .unwrap();
        assert!(ex.over_limit);
        assert_eq!(ex.body.len(), 1000);
        let t = &rec.transcripts()[0];
        let dump = serde_json::to_string(t).unwrap();
        assert!(!dump.contains("secret-abcdef"), "{dump}");
        assert!(rec.notes().iter().any(|n| n.contains("limit")));
    }
}
