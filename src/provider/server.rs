//! Start-up: storage and seed data, the TLS certificate (self-signed with
//! rcgen, or given files), the axum router, and the accept loop on
//! tokio-rustls + hyper-util (HTTP/1.1 and HTTP/2).

use super::api::{self, errors};
use super::faults::FaultId;
use super::ratelimit::{self, Keyed};
use super::record::{RecordedExchange, Recorder};
use super::seed::{self, SeedCredential};
use super::state::{AppState, Shared};
use super::store::{Format, Store};
use super::{ProviderConfig, TestUser, TlsMode, discovery, http_util, oauth};
use anyhow::{Context, anyhow};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Uri;
use axum::routing::any;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A provider serving on a socket until `shutdown`.
pub struct RunningProvider {
    base_url: String,
    ca_pem: Option<String>,
    fingerprint: Option<String>,
    state: Shared,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    /// Temporary folder to remove on shutdown (when no `data` was given).
    temp_dir: Option<PathBuf>,
}

impl RunningProvider {
    /// Scheme, host and port, e.g. `https://127.0.0.1:40123`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Base URL plus the profile's base path, e.g. `https://127.0.0.1:40123/ims/clr/v2p0`.
    pub fn api_base(&self) -> String {
        format!("{}{}", self.base_url, self.state.profile.base_path)
    }

    /// The discovery endpoint URL.
    pub fn discovery_url(&self) -> String {
        self.state.api_url("discovery")
    }

    /// PEM of the certificate to trust (None for plain HTTP).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// SHA-256 of the served certificate, colon-separated uppercase hex.
    pub fn fingerprint(&self) -> Option<&str> {
        self.fingerprint.as_deref()
    }

    pub fn users(&self) -> &[TestUser] {
        &self.state.users
    }

    /// The profile served: the configured one, or its variant with other scope URIs.
    pub fn profile(&self) -> &'static crate::catalog::Profile {
        self.state.profile
    }

    /// Every recorded exchange, oldest first (empty unless `record` was on).
    pub fn recording(&self) -> Vec<RecordedExchange> {
        self.state
            .recorder
            .as_ref()
            .map(|r| r.all())
            .unwrap_or_default()
    }

    /// The names of the faults switched on.
    pub fn faults(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = self.state.faults.iter().map(|f| f.name()).collect();
        v.sort_unstable();
        v
    }

    /// Stop accepting, close every connection and release the database.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        let _ = (&mut self.task).await;
        if let Some(dir) = self.temp_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Dropping without `shutdown` still stops the server (connections are cut).
impl Drop for RunningProvider {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.task.abort();
        if let Some(dir) = self.temp_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// SHA-256 of DER bytes as `AB:CD:...`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

struct Tls {
    config: Option<Arc<rustls::ServerConfig>>,
    pem: Option<String>,
    fingerprint: Option<String>,
}

/// `wrong_name`: the self-signed certificate names another host (fault `tls-wrong-hostname`).
fn tls(mode: &TlsMode, wrong_name: bool) -> anyhow::Result<Tls> {
    let (certs, key, pem): (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>, String) =
        match mode {
            TlsMode::PlainHttp => {
                return Ok(Tls {
                    config: None,
                    pem: None,
                    fingerprint: None,
                });
            }
            TlsMode::SelfSigned => {
                let names = if wrong_name {
                    vec!["wrong-host.invalid".to_string()]
                } else {
                    vec![
                        "127.0.0.1".to_string(),
                        "localhost".to_string(),
                        "::1".to_string(),
                    ]
                };
                let ck = rcgen::generate_simple_self_signed(names)
                    .context("cannot generate a certificate")?;
                let pem = ck.cert.pem();
                let key = PrivateKeyDer::try_from(ck.signing_key.serialize_der())
                    .map_err(|e| anyhow!("{e}: generated key unusable"))?;
                (vec![ck.cert.der().clone()], key, pem)
            }
            TlsMode::Files { cert, key } => {
                let pem = std::fs::read_to_string(cert)
                    .with_context(|| format!("{}: cannot read certificate", cert.display()))?;
                let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| anyhow!("{}: bad certificate PEM: {e}", cert.display()))?;
                if certs.is_empty() {
                    return Err(anyhow!("{}: no certificate in file", cert.display()));
                }
                let k = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| anyhow!("{}: bad private key PEM: {e}", key.display()))?;
                (certs, k, pem)
            }
        };
    let fp = fingerprint(&certs[0]);
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .context("TLS protocol versions")?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .context("TLS certificate and key do not match")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Tls {
        config: Some(Arc::new(config)),
        pem: Some(pem),
        fingerprint: Some(fp),
    })
}

fn router(state: Shared) -> Router {
    let base = state.profile.base_path.clone();
    let sdd_base = if state.fault(FaultId::DiscoveryWrongPath) {
        String::new()
    } else {
        base.clone()
    };
    let api_base = if state.fault(FaultId::ApiWrongBasePath) {
        "/ims/clr/v2p1".to_string()
    } else {
        base
    };
    Router::new()
        .route(&format!("{sdd_base}/discovery"), any(discovery::get))
        .route(
            &format!("{api_base}/credentials"),
            any(api::credentials::handle),
        )
        .route(&format!("{api_base}/profile"), any(api::profile::handle))
        .route("/oauth/register", any(oauth::register::post))
        .route("/oauth/authorize", any(oauth::authorize::handle))
        .route("/oauth/token", oauth::token::route(state.clone()))
        .route("/oauth/revoke", any(oauth::revoke::post))
        .route("/terms", any(discovery::policy_page))
        .route("/privacy", any(discovery::policy_page))
        .fallback(fallback)
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            response_faults,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::record::record,
        ))
        .with_state(state)
}

/// Faults that rewrite finished responses: `invalid-imsx-body`, `no-allow-header`.
async fn response_faults(
    axum::extract::State(s): axum::extract::State<Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut resp = next.run(req).await;
    if s.fault(FaultId::NoAllowHeader) {
        resp.headers_mut().remove(axum::http::header::ALLOW);
    }
    if s.fault(FaultId::WrongMethod404)
        && resp.status() == axum::http::StatusCode::METHOD_NOT_ALLOWED
    {
        return errors::not_found("method");
    }
    let rewrite = [
        FaultId::ErrorBodyHtml,
        FaultId::InvalidImsxBody,
        FaultId::ImsxNoDescription,
        FaultId::BadRequest422,
    ];
    if !rewrite.into_iter().any(|f| s.fault(f)) || resp.status().as_u16() < 400 {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut out = bytes.to_vec();
    let mut parts = parts;
    let is_imsx = serde_json::from_slice::<serde_json::Value>(&bytes)
        .is_ok_and(|v| v.get("imsx_codeMajor").is_some());
    if is_imsx && s.fault(FaultId::ErrorBodyHtml) {
        parts.headers.insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/html"),
        );
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        let page = format!("<!doctype html><title>Error</title><p>{}</p>", parts.status);
        return axum::response::Response::from_parts(parts, axum::body::Body::from(page));
    }
    if is_imsx
        && s.fault(FaultId::BadRequest422)
        && parts.status == axum::http::StatusCode::BAD_REQUEST
    {
        parts.status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    if is_imsx
        && s.fault(FaultId::ImsxNoDescription)
        && let Ok(serde_json::Value::Object(mut o)) =
            serde_json::from_slice::<serde_json::Value>(&bytes)
    {
        o.remove("imsx_description");
        o.remove("imsx_codeMinor");
        out = serde_json::to_vec(&o).unwrap_or(out);
    }
    if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&bytes)
        && v.get("imsx_codeMajor").is_some()
        && s.fault(FaultId::InvalidImsxBody)
    {
        v["imsx_error"] = serde_json::json!("unexpected member");
        if let Some(field) =
            v.pointer_mut("/imsx_codeMinor/imsx_codeMinorField/0/imsx_codeMinorFieldValue")
        {
            *field = serde_json::json!("bad_thing");
        }
        out = serde_json::to_vec(&v).unwrap_or(out);
    }
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    axum::response::Response::from_parts(parts, axum::body::Body::from(out))
}

/// Any path the provider does not serve.
async fn fallback(
    axum::extract::State(s): axum::extract::State<Shared>,
    uri: Uri,
) -> axum::response::Response {
    if s.fault(FaultId::UnknownPath400) {
        return errors::status_info(
            axum::http::StatusCode::BAD_REQUEST,
            errors::Minor::InvalidData,
            uri.path(),
        );
    }
    errors::not_found(uri.path())
}

/// Store the seed credentials, once per database.
fn seed(store: &Store, seeds: &[SeedCredential]) -> anyhow::Result<()> {
    store.once("seeded", |st| {
        for c in seeds {
            let (format, text, id) = match c {
                SeedCredential::Json(v) => {
                    let id = seed_identity(v)?;
                    (Format::Json, v.to_string(), id)
                }
                SeedCredential::Jws(t) => {
                    let payload = t.split('.').nth(1).unwrap_or("");
                    use base64::Engine;
                    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload)?;
                    let v: serde_json::Value = serde_json::from_slice(&bytes)?;
                    (
                        Format::Jws,
                        t.clone(),
                        seed_identity(v.get("vc").unwrap_or(&v))?,
                    )
                }
            };
            st.upsert_credential(&id.0, format, &text, id.1.as_deref())?;
        }
        Ok(())
    })?;
    Ok(())
}

fn seed_identity(v: &serde_json::Value) -> anyhow::Result<(String, Option<String>)> {
    let id = v
        .get("id")
        .and_then(|x| x.as_str())
        .ok_or_else(|| anyhow!("seed credential without id"))?;
    let issuer = crate::credential::proof::issuer_id(v)
        .ok_or_else(|| anyhow!("{id}: seed credential without issuer id"))?;
    let norm = |s: &str| http_util::percent_decode(s.trim()).trim().to_string();
    let from = v
        .get("validFrom")
        .and_then(|x| x.as_str())
        .map(str::to_string);
    Ok((format!("{}\n{}", norm(issuer), norm(id)), from))
}

/// Start serving; returns once the socket is bound and the data is seeded.
pub async fn start(cfg: ProviderConfig) -> anyhow::Result<RunningProvider> {
    let faults = cfg
        .faults
        .iter()
        .map(|f| {
            FaultId::from_name(f.name).ok_or_else(|| {
                anyhow!(
                    "{}: unknown fault or variant (see `clr-conformance serve --list-faults`)",
                    f.name
                )
            })
        })
        .collect::<anyhow::Result<HashSet<FaultId>>>()?;
    let plain = faults.contains(&FaultId::PlainHttp);
    let wrong_name = faults.contains(&FaultId::TlsWrongHostname);
    let tls = tls(
        if plain { &TlsMode::PlainHttp } else { &cfg.tls },
        wrong_name,
    )?;
    let listener = TcpListener::bind(cfg.bind)
        .await
        .with_context(|| format!("{}: cannot bind", cfg.bind))?;
    let (db_path, temp_dir) = match &cfg.data {
        Some(dir) => {
            super::store::owner_only_dir(dir)
                .with_context(|| format!("{}: cannot create data folder", dir.display()))?;
            (dir.join("db.sqlite"), None)
        }
        None => {
            remove_stale_temp_dirs();
            let dir = std::env::temp_dir().join(format!(
                "clr-conformance-provider-{}-{}",
                std::process::id(),
                http_util::random_password()
            ));
            super::store::owner_only_dir(&dir)
                .with_context(|| format!("{}: cannot create temp folder", dir.display()))?;
            (dir.join("db.sqlite"), Some(dir))
        }
    };
    let opened = async {
        let store = Store::open_with(&db_path, cfg.synchronous_full)?;
        let profile = cfg.profile;
        let seeds = tokio::task::spawn_blocking(move || seed::seed_credentials(profile)).await?;
        seed(&store, &seeds)?;
        anyhow::Ok(store)
    };
    let store = match opened.await {
        Ok(s) => s,
        Err(e) => {
            if let Some(dir) = &temp_dir {
                let _ = std::fs::remove_dir_all(dir);
            }
            return Err(e);
        }
    };
    let profile = if faults.contains(&FaultId::OtherScopeUris)
        || faults.contains(&FaultId::SddOtherScopeUris)
    {
        cfg.profile.with_other_scopes()
    } else {
        cfg.profile
    };
    let local = listener.local_addr()?;
    let host = url_host(local);
    let scheme = if tls.config.is_some() {
        "https"
    } else {
        "http"
    };
    let base_url = format!("{scheme}://{host}:{}", local.port());
    let state = Arc::new(AppState {
        profile,
        base_url: base_url.clone(),
        faults,
        store,
        users: vec![TestUser {
            username: "learner".into(),
            password: http_util::random_password(),
            email: seed::LEARNER_EMAIL.into(),
        }],
        recorder: cfg.record.then(Recorder::default),
        discovery_limit: Keyed::new(ratelimit::DISCOVERY_RATE, ratelimit::DISCOVERY_BURST),
        registration_limit: Keyed::new(
            f64::from(cfg.limits.registrations_per_minute.max(1)) / 60.0,
            f64::from(cfg.limits.registrations_per_minute.max(1)),
        ),
        token_padding: cfg.token_padding,
        client_id_padding: cfg.client_id_padding,
        short_lived_client: cfg.short_lived_client.clone(),
        list_calls: Default::default(),
    });
    let app = router(state.clone());
    let (stop, stopped) = watch::channel(false);
    let acceptor = tls.config.map(tokio_rustls::TlsAcceptor::from);
    let legacy = state.fault(FaultId::TlsLegacyAccepted);
    let task = tokio::spawn(accept_loop(
        listener,
        acceptor,
        legacy,
        app,
        cfg.limits.clone(),
        stopped,
    ));
    Ok(RunningProvider {
        base_url,
        ca_pem: tls.pem,
        fingerprint: tls.fingerprint,
        state,
        stop,
        task,
        temp_dir,
    })
}

/// Serves connections until stopped, within `limits`: at most
/// `max_connections` at once (the rest wait in the backlog), headers and
/// TLS handshakes within `header_timeout`, idle connections closed after
/// `idle_timeout`, and a failing `accept` (out of file descriptors, say)
/// retried with a growing pause instead of a busy loop.
async fn accept_loop(
    listener: TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    legacy: bool,
    app: Router,
    limits: super::Limits,
    mut stopped: watch::Receiver<bool>,
) {
    let mut conns = tokio::task::JoinSet::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let mut backoff = std::time::Duration::from_millis(10);
    loop {
        let permit = tokio::select! {
            _ = stopped.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => continue,
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            _ = stopped.changed() => break,
            a = listener.accept() => a,
        };
        let (tcp, peer) = match accepted {
            Ok(a) => {
                backoff = std::time::Duration::from_millis(10);
                a
            }
            Err(_) => {
                drop(permit);
                tokio::select! {
                    _ = stopped.changed() => break,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(std::time::Duration::from_secs(1));
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let ip = peer.ip();
        let service = TowerToHyperService::new(tower::ServiceExt::map_request(
            app.clone(),
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(super::state::Peer(ip));
                req
            },
        ));
        let limits = limits.clone();
        conns.spawn(async move {
            let _permit = permit;
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.header_timeout);
            builder
                .http2()
                .timer(hyper_util::rt::TokioTimer::new())
                .keep_alive_interval(limits.idle_timeout)
                .keep_alive_timeout(limits.header_timeout);
            let clock = Idle::<()>::clock();
            let serve = async {
                match acceptor {
                    Some(_) if legacy && answer_legacy_hello(&tcp).await => {
                        let mut tcp = tcp;
                        let _ =
                            tokio::io::AsyncWriteExt::write_all(&mut tcp, &legacy_server_hello())
                                .await;
                    }
                    Some(a) => {
                        let Ok(Ok(tls)) =
                            tokio::time::timeout(limits.header_timeout, a.accept(tcp)).await
                        else {
                            return;
                        };
                        let io = Idle::new(tls, clock.clone());
                        let _ = builder
                            .serve_connection_with_upgrades(TokioIo::new(io), service)
                            .await;
                    }
                    None => {
                        let io = Idle::new(tcp, clock.clone());
                        let _ = builder
                            .serve_connection_with_upgrades(TokioIo::new(io), service)
                            .await;
                    }
                }
            };
            tokio::select! {
                () = serve => {}
                () = Idle::<()>::expired(clock.clone(), limits.idle_timeout) => {}
            }
        });
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

/// A connection's IO that notes when bytes last moved, so a watchdog can
/// close it once idle (hyper has no idle timeout of its own for HTTP/1.1).
struct Idle<T> {
    inner: T,
    clock: Arc<(std::time::Instant, std::sync::atomic::AtomicU64)>,
}

impl<T> Idle<T> {
    fn clock() -> Arc<(std::time::Instant, std::sync::atomic::AtomicU64)> {
        Arc::new((
            std::time::Instant::now(),
            std::sync::atomic::AtomicU64::new(0),
        ))
    }

    fn new(inner: T, clock: Arc<(std::time::Instant, std::sync::atomic::AtomicU64)>) -> Idle<T> {
        Idle { inner, clock }
    }

    fn touch(&self) {
        let ms = self.clock.0.elapsed().as_millis() as u64;
        self.clock.1.store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// Resolves once no byte moved for `idle`.
    async fn expired(
        clock: Arc<(std::time::Instant, std::sync::atomic::AtomicU64)>,
        idle: std::time::Duration,
    ) {
        loop {
            let last = std::time::Duration::from_millis(
                clock.1.load(std::sync::atomic::Ordering::Relaxed),
            );
            let quiet = clock.0.elapsed().saturating_sub(last);
            if quiet >= idle {
                return;
            }
            tokio::time::sleep(idle - quiet).await;
        }
    }
}

impl<T: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Idle<T> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.touch();
        }
        r
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Idle<T> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let r = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, std::task::Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Temp folders of providers that died without cleaning up (`kill -9`):
/// `clr-conformance-provider-PID-*` and `clr-conformance-serve-PID` whose
/// process is gone. Only where /proc tells which processes live.
fn remove_stale_temp_dirs() {
    let proc = std::path::Path::new("/proc/self");
    if !proc.exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix("clr-conformance-provider-")
            .and_then(|r| r.split('-').next())
            .or_else(|| name.strip_prefix("clr-conformance-serve-"));
        if let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok())
            && pid != std::process::id()
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// The host part of a URL that reaches `local`, a bound address: an
/// unspecified address (`0.0.0.0`, `[::]`) is reached on loopback.
pub fn url_host(local: std::net::SocketAddr) -> String {
    match local.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_string(),
        ip if ip.is_unspecified() => "[::1]".to_string(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    }
}

/// Fault `tls-legacy-accepted`: is this connection's first record a
/// ClientHello offering at most TLS 1.1? (Peeked, so a modern client's
/// handshake continues untouched.)
async fn answer_legacy_hello(tcp: &tokio::net::TcpStream) -> bool {
    let mut head = [0u8; 11];
    let peeked = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            match tcp.peek(&mut head).await {
                Ok(n) if n >= head.len() => return true,
                Ok(0) | Err(_) => return false,
                Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
            }
        }
    })
    .await;
    peeked == Ok(true) && head[0] == 0x16 && head[5] == 0x01 && head[9] == 0x03 && head[10] <= 0x02
}

/// A bare ServerHello choosing TLS 1.0: enough for a version probe to see
/// the legacy offer accepted. The handshake goes no further.
fn legacy_server_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x01];
    body.extend_from_slice(&[0x11; 32]); // random
    body.push(0); // session id
    body.extend_from_slice(&[0xc0, 0x13, 0x00]); // cipher suite, null compression
    let mut hs = vec![0x02, 0, 0, body.len() as u8];
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 0x03, 0x01, 0, hs.len() as u8];
    rec.extend_from_slice(&hs);
    rec
}
