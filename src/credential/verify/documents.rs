//! External documents a verification needs (status lists, key documents,
//! refreshed credentials), fetched before verification so the core does no I/O.

use serde_json::Value;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// A fetched document, or why it could not be fetched.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    Json(Value),
    Text(String),
    Failed(String),
}

/// Documents by URL. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    map: Arc<HashMap<String, Fetched>>,
}

impl Documents {
    pub fn new(map: HashMap<String, Fetched>) -> Documents {
        Documents { map: Arc::new(map) }
    }

    pub fn get(&self, url: &str) -> Option<&Fetched> {
        self.map.get(url)
    }

    /// These documents with `more` added (replacing any fetched for the same URL).
    pub fn with(&self, more: Vec<(String, Fetched)>) -> Documents {
        let mut map = (*self.map).clone();
        map.extend(more);
        Documents::new(map)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Every (URL, document) pair, in no fixed order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Fetched)> {
        self.map.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// URLs a credential (and its nested and endorsement credentials) refers to
/// that verification may need: status lists and refresh services.
pub fn wanted_urls(cred: &Value, out: &mut Vec<String>) {
    match cred {
        Value::Object(map) => {
            for key in ["credentialStatus", "refreshService"] {
                let entries: Vec<&Value> = match map.get(key) {
                    Some(Value::Array(a)) => a.iter().collect(),
                    Some(v) => vec![v],
                    None => vec![],
                };
                for e in entries {
                    for field in ["statusListCredential", "id"] {
                        if let Some(u) = e.get(field).and_then(Value::as_str)
                            && (u.starts_with("https://") || u.starts_with("http://"))
                            && !out.iter().any(|x| x == u)
                        {
                            out.push(u.to_string());
                            break;
                        }
                    }
                }
            }
            // credentialSchema entries that are not one of the official (bundled) schemas.
            let schemas: Vec<&Value> = match map.get("credentialSchema") {
                Some(Value::Array(a)) => a.iter().collect(),
                Some(v) => vec![v],
                None => vec![],
            };
            for e in schemas {
                if let Some(u) = e.get("id").and_then(Value::as_str)
                    && e.get("type").and_then(Value::as_str)
                        == Some("1EdTechJsonSchemaValidator2019")
                    && crate::credential::schema::kind_for_official_id(u).is_none()
                    && u.starts_with("https://")
                    && !out.iter().any(|x| x == u)
                {
                    out.push(u.to_string());
                }
            }
            // Verification methods that name a key document rather than carry the key.
            let proofs: Vec<&Value> = match map.get("proof") {
                Some(Value::Array(a)) => a.iter().collect(),
                Some(v) => vec![v],
                None => vec![],
            };
            // Every key but a did:key is dereferenced: for the key itself, or
            // to show it is the issuer's (a key in a URL fragment is no evidence).
            for p in proofs {
                if let Some(vm) = p.get("verificationMethod").and_then(Value::as_str)
                    && !vm.starts_with("did:key:")
                    && let Ok(url) = crate::credential::proof::keys::document_url(vm)
                    && !out.contains(&url)
                {
                    out.push(url);
                }
            }
            // VC-JWTs inside (endorsementJwt, nested credentials).
            for (k, v) in map {
                let jwts: Vec<&str> = match v {
                    Value::String(s) if k == "endorsementJwt" => vec![s.as_str()],
                    Value::Array(a) if k == "endorsementJwt" || k == "verifiableCredential" => {
                        a.iter().filter_map(Value::as_str).collect()
                    }
                    _ => vec![],
                };
                for j in jwts {
                    if crate::credential::parse::is_compact_jws(j) {
                        wanted_for_jws(j, out);
                    }
                }
            }
            for v in map.values() {
                wanted_urls(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| wanted_urls(v, out)),
        _ => {}
    }
}

/// Bounds and permissions of `--online` fetches (every resource a credential
/// names is the credential author's choice, so each is bounded).
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// At most this many URLs per run; the rest are reported as not fetched.
    pub max_urls: usize,
    /// Largest document.
    pub max_bytes: usize,
    /// All documents together.
    pub max_total_bytes: usize,
    /// One request (connect to last byte).
    pub per_request: Duration,
    /// All fetches of the run together.
    pub deadline: Duration,
    /// Plain http (`--allow-http-fetch`).
    pub allow_http: bool,
    /// Loopback, private, link-local and other non-public addresses (`--allow-private-fetch`).
    pub allow_private: bool,
    /// Extra trusted CA certificates (PEM), beside the system roots (`--trust-ca`).
    pub trust_ca_pem: Vec<Vec<u8>>,
    /// Host names answered with these addresses instead of DNS (tests).
    pub resolve: Vec<(String, SocketAddr)>,
}

impl Default for FetchPolicy {
    fn default() -> FetchPolicy {
        FetchPolicy {
            max_urls: 64,
            max_bytes: 1 << 20,
            max_total_bytes: 16 << 20,
            per_request: Duration::from_secs(10),
            deadline: Duration::from_secs(60),
            allow_http: false,
            allow_private: false,
            trust_ca_pem: Vec::new(),
            resolve: Vec::new(),
        }
    }
}

/// Whether `ip` is a public unicast address (not loopback, private, link-local,
/// unique-local, CGNAT, documentation, multicast or unspecified).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || s[0] == 0x2001 && s[1] == 0x0db8)
        }
    }
}

/// DNS that refuses names resolving only to non-public addresses (unless
/// allowed) and answers the policy's overrides first.
struct GuardedResolver {
    allow_private: bool,
    overrides: Vec<(String, SocketAddr)>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let allow = self.allow_private;
        let fixed: Vec<SocketAddr> = self
            .overrides
            .iter()
            .filter(|(h, _)| h.eq_ignore_ascii_case(&host))
            .map(|(_, a)| *a)
            .collect();
        Box::pin(async move {
            let found: Vec<SocketAddr> = if fixed.is_empty() {
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect()
            } else {
                fixed
            };
            let usable: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| allow || is_public(a.ip()))
                .collect();
            if usable.is_empty() {
                let why = if found.is_empty() {
                    format!("{host}: the name does not resolve")
                } else {
                    format!(
                        "{host}: resolves only to non-public addresses ({}); allow with --allow-private-fetch",
                        found
                            .iter()
                            .map(|a| a.ip().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                return Err(why.into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(usable.into_iter());
            Ok(addrs)
        })
    }
}

/// The host of `url` (lowercase, without port), if it has one.
fn host_of(url: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.to_ascii_lowercase()))
}

/// Why `url` may not be fetched under `policy`, if it may not.
pub fn refused(url: &str, policy: &FetchPolicy) -> Option<String> {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Some(format!("{url}: not a URL"));
    };
    match parsed.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        "http" => {
            return Some(format!(
                "{url}: plain http is not fetched (allow with --allow-http-fetch)"
            ));
        }
        other => return Some(format!("{url}: {other} URLs are not fetched")),
    }
    let ip = match parsed.host() {
        Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        Some(url::Host::Domain(_)) => None,
        None => return Some(format!("{url}: no host")),
    };
    match ip {
        Some(ip) if !policy.allow_private && !is_public(ip) => Some(format!(
            "{url}: {ip} is not a public address (allow with --allow-private-fetch)"
        )),
        _ => None,
    }
}

/// The client `--online` fetches with: system roots plus `trust_ca_pem`, the
/// guarded resolver, no redirect to another host or from https to http.
pub fn client(policy: &FetchPolicy) -> anyhow::Result<reqwest::Client> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    for pem in &policy.trust_ca_pem {
        crate::http::client::add_pem(&mut roots, pem)?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let redirect_policy = policy.clone();
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        let first = attempt
            .previous()
            .first()
            .and_then(|u| u.host_str())
            .map(str::to_ascii_lowercase);
        let next = attempt.url().as_str().to_string();
        if attempt.previous().len() > 3 {
            return attempt.error(format!("{next}: more than 3 redirects"));
        }
        if first.is_some() && first != host_of(&next) {
            return attempt.error(format!("redirect to another host refused: {next}"));
        }
        if let Some(why) = refused(&next, &redirect_policy) {
            return attempt.error(format!("redirect refused: {why}"));
        }
        attempt.follow()
    });
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .dns_resolver(GuardedResolver {
            allow_private: policy.allow_private,
            overrides: policy.resolve.clone(),
        })
        .connect_timeout(policy.per_request)
        .timeout(policy.per_request)
        .redirect(redirects)
        .build()?)
}

/// A reqwest error with its whole cause chain (the TLS or connect reason).
fn cause(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut src: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = src {
        let m = s.to_string();
        if !parts.iter().any(|p| p.contains(&m)) {
            parts.push(m);
        }
        src = s.source();
    }
    let all = parts.join(": ");
    if e.is_timeout() {
        format!("timed out ({all})")
    } else {
        all
    }
}

/// Fetch `urls` under `policy`: at most `max_urls`, each bounded in bytes and
/// time, all within the run's deadline and byte budget. A URL not fetched
/// says why.
pub async fn fetch_all(
    client: &reqwest::Client,
    urls: &[String],
    policy: &FetchPolicy,
) -> Documents {
    let started = tokio::time::Instant::now();
    let mut total = 0usize;
    let mut map = HashMap::new();
    for (i, url) in urls.iter().enumerate() {
        let got = if i >= policy.max_urls {
            Fetched::Failed(format!(
                "{url}: not fetched: a run fetches at most {} URLs",
                policy.max_urls
            ))
        } else if let Some(why) = refused(url, policy) {
            Fetched::Failed(why)
        } else if total >= policy.max_total_bytes {
            Fetched::Failed(format!(
                "{url}: not fetched: the run's {} fetched bytes are used up",
                policy.max_total_bytes
            ))
        } else {
            let left = policy.deadline.saturating_sub(started.elapsed());
            if left.is_zero() {
                Fetched::Failed(format!(
                    "{url}: not fetched: the {} s fetch deadline of the run passed",
                    policy.deadline.as_secs()
                ))
            } else {
                let cap = policy.max_bytes.min(policy.max_total_bytes - total);
                match tokio::time::timeout(left, fetch_one(client, url, cap)).await {
                    Ok(f) => f,
                    Err(_) => Fetched::Failed(format!(
                        "{url}: not fetched: the {} s fetch deadline of the run passed",
                        policy.deadline.as_secs()
                    )),
                }
            }
        };
        total += match &got {
            Fetched::Json(v) => v.to_string().len(),
            Fetched::Text(t) => t.len(),
            Fetched::Failed(_) => 0,
        };
        map.insert(url.clone(), got);
    }
    Documents::new(map)
}

/// The body at `url` as it is (at most `max_bytes`), or why it could not be had: a
/// URL input keeps its bytes, so a baked PNG by URL is judged like the same file.
pub async fn fetch_bytes(
    client: &reqwest::Client,
    url: &str,
    max_bytes: usize,
) -> Result<Vec<u8>, String> {
    let mut resp = match client.get(url).send().await {
        Ok(resp) if resp.status().is_success() => resp,
        Ok(resp) => return Err(format!("{url}: HTTP {}", resp.status())),
        Err(e) => return Err(format!("{url}: {}", cause(&e))),
    };
    let mut buf: Vec<u8> = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                buf.extend_from_slice(&chunk);
                if buf.len() > max_bytes {
                    return Err(format!("{url}: larger than {max_bytes} bytes"));
                }
            }
            Ok(None) => return Ok(buf),
            Err(e) => return Err(format!("{url}: {}", cause(&e))),
        }
    }
}

async fn fetch_one(client: &reqwest::Client, url: &str, max_bytes: usize) -> Fetched {
    let resp = match client
        .get(url)
        .header(
            "Accept",
            "application/did+ld+json, application/ld+json, application/jwk-set+json, application/json, application/jwt, */*;q=0.1",
        )
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => return Fetched::Failed(format!("{url}: {}", cause(&e))),
    };
    if !resp.status().is_success() {
        return Fetched::Failed(format!("{url}: HTTP {}", resp.status()));
    }
    if resp.content_length().is_some_and(|n| n > max_bytes as u64) {
        return Fetched::Failed(format!("{url}: larger than {max_bytes} bytes"));
    }
    let mut resp = resp;
    let mut buf: Vec<u8> = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                buf.extend_from_slice(&chunk);
                if buf.len() > max_bytes {
                    return Fetched::Failed(format!("{url}: larger than {max_bytes} bytes"));
                }
            }
            Ok(None) => break,
            Err(e) => return Fetched::Failed(format!("{url}: {}", cause(&e))),
        }
    }
    match serde_json::from_slice(&buf) {
        Ok(v) => Fetched::Json(v),
        Err(_) => Fetched::Text(String::from_utf8_lossy(&buf).into_owned()),
    }
}

/// Fetch what `inputs` need under `policy`, in two rounds: the documents the
/// credentials name, then the key documents those (status list credentials) name.
pub async fn prefetch(
    inputs: &[&Value],
    jws: &[&str],
    policy: &FetchPolicy,
) -> anyhow::Result<Documents> {
    let mut urls = Vec::new();
    for v in inputs {
        wanted_urls(v, &mut urls);
    }
    for j in jws {
        wanted_for_jws(j, &mut urls);
    }
    prefetch_urls(urls, policy).await
}

/// [`prefetch`] from the URLs the inputs name ([`wanted_urls`], [`wanted_for_jws`]):
/// those, then what the fetched documents name in turn.
pub async fn prefetch_urls(urls: Vec<String>, policy: &FetchPolicy) -> anyhow::Result<Documents> {
    if urls.is_empty() {
        return Ok(Documents::default());
    }
    let client = client(policy)?;
    let first = fetch_all(&client, &urls, policy).await;
    let mut more = Vec::new();
    for (_, doc) in first.map.iter() {
        match doc {
            Fetched::Json(v) => wanted_urls(v, &mut more),
            Fetched::Text(t) if crate::credential::parse::is_compact_jws(t.trim()) => {
                wanted_for_jws(t.trim(), &mut more)
            }
            _ => {}
        }
    }
    more.retain(|u| first.get(u).is_none());
    more.sort();
    let mut map: HashMap<String, Fetched> = (*first.map).clone();
    if !more.is_empty() {
        let mut rest = policy.clone();
        rest.max_urls = policy.max_urls.saturating_sub(urls.len());
        let second = fetch_all(&client, &more, &rest).await;
        map.extend((*second.map).clone());
    }
    Ok(Documents::new(map))
}

/// URLs a compact JWS needs: its `kid` document or the issuer's JWK Set, and
/// what the credential it carries names.
pub fn wanted_for_jws(jws: &str, out: &mut Vec<String>) {
    use base64::Engine;
    let header: Option<Value> = jws.split('.').next().and_then(|h| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(h)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
    });
    let Ok(cred) = super::proofs::decode_jwt_credential(jws) else {
        return;
    };
    let push = |u: String, out: &mut Vec<String>| {
        if !out.contains(&u) {
            out.push(u);
        }
    };
    if let Some(h) = header {
        match h.get("kid").and_then(Value::as_str) {
            Some(kid) if !kid.starts_with("did:key:") => {
                if let Ok(u) = crate::credential::proof::keys::document_url(kid) {
                    push(u, out);
                }
            }
            Some(_) => {}
            None => {
                if h.get("jwk").is_some()
                    && let Some(u) = super::issuer_id(&cred).and_then(super::provenance::jwks_url)
                {
                    push(u, out);
                }
            }
        }
    }
    wanted_urls(&cred, out);
}

/// Fetch `urls` with a client the caller configured (its own rules for scheme
/// and address), each at most `max_bytes`, within the default count and deadline.
pub async fn fetch(client: &reqwest::Client, urls: &[String], max_bytes: usize) -> Documents {
    let policy = FetchPolicy {
        max_bytes,
        max_total_bytes: max_bytes.saturating_mul(urls.len().max(1)),
        allow_http: true,
        allow_private: true,
        ..FetchPolicy::default()
    };
    fetch_all(client, urls, &policy).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A loopback server: `answer` gives each request's reply (None: never answer).
    async fn server(answer: fn(&str) -> Option<String>) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let n = sock.read(&mut buf).await.unwrap_or(0);
                    let head = String::from_utf8_lossy(&buf[..n]).to_string();
                    match answer(&head) {
                        Some(reply) => {
                            let _ = sock.write_all(reply.as_bytes()).await;
                        }
                        // Hold the connection open without answering.
                        None => tokio::time::sleep(Duration::from_secs(3600)).await,
                    }
                });
            }
        });
        addr
    }

    fn loopback_policy() -> FetchPolicy {
        FetchPolicy {
            allow_http: true,
            allow_private: true,
            ..FetchPolicy::default()
        }
    }

    fn failed(d: &Documents, url: &str) -> String {
        match d.get(url) {
            Some(Fetched::Failed(why)) => why.clone(),
            other => panic!("{url}: expected a failure, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn many_silent_urls_end_at_the_run_deadline() {
        let addr = server(|_| None).await;
        let urls: Vec<String> = (0..40).map(|i| format!("http://{addr}/slow/{i}")).collect();
        let policy = FetchPolicy {
            deadline: Duration::from_millis(300),
            ..loopback_policy()
        };
        let docs = fetch_all(&client(&policy).unwrap(), &urls, &policy).await;
        for u in &urls {
            assert!(
                failed(&docs, u).contains("deadline"),
                "{}",
                failed(&docs, u)
            );
        }
    }

    #[tokio::test]
    async fn scheme_address_count_and_redirect_rules() {
        let addr = server(|head| {
            Some(if head.starts_with("GET /hop") {
                "HTTP/1.1 302 Found\r\nlocation: http://elsewhere.test/x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string()
            } else {
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}".to_string()
            })
        })
        .await;
        // Without allowances: plain http and loopback are refused before any connection.
        let strict = FetchPolicy {
            resolve: vec![("keys.test".into(), addr)],
            ..FetchPolicy::default()
        };
        let http = format!("http://{addr}/k");
        let literal = format!("https://{addr}/k");
        let named = format!("https://keys.test:{}/k", addr.port());
        let docs = fetch_all(
            &client(&strict).unwrap(),
            &[http.clone(), literal.clone(), named.clone()],
            &strict,
        )
        .await;
        assert!(failed(&docs, &http).contains("--allow-http-fetch"));
        assert!(failed(&docs, &literal).contains("--allow-private-fetch"));
        assert!(
            failed(&docs, &named).contains("non-public"),
            "{}",
            failed(&docs, &named)
        );
        // Allowed: fetched; past max_urls, not; a redirect to another host is refused.
        let policy = FetchPolicy {
            max_urls: 2,
            resolve: vec![("elsewhere.test".into(), addr)],
            ..loopback_policy()
        };
        let ok = format!("http://{addr}/k");
        let hop = format!("http://{addr}/hop");
        let third = format!("http://{addr}/third");
        let docs = fetch_all(
            &client(&policy).unwrap(),
            &[ok.clone(), hop.clone(), third.clone()],
            &policy,
        )
        .await;
        assert_eq!(docs.get(&ok), Some(&Fetched::Json(serde_json::json!({}))));
        assert!(
            failed(&docs, &hop).contains("another host"),
            "{}",
            failed(&docs, &hop)
        );
        assert!(failed(&docs, &third).contains("at most 2"));
    }

    #[test]
    fn public_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
