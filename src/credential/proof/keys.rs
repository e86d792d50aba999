//! Verification-method resolution for Ed25519 keys, offline first.
//!
//! Proofs name their key by URL. Most CLR/OB keys can be resolved without the network:
//! `did:key:z6Mk…` carries the key, and `<controller>#z6Mk…` carries it in the fragment
//! (the 1EdTech validator does the same). Anything else over https needs a fetch, which
//! only [`resolve_with_network`] does, and only when the caller hands it a client.

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde_json::Value;

/// Multicodec prefix of an Ed25519 public key (0xed, varint-encoded).
pub const ED25519_PUB_CODEC: [u8; 2] = [0xed, 0x01];
/// Multicodec prefix of an Ed25519 private key (0x1300, varint-encoded).
pub const ED25519_PRIV_CODEC: [u8; 2] = [0x80, 0x26];

/// Largest key document we accept over the network.
const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// Why a verification method could not be resolved to a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("{0}: verification method has no URI scheme")]
    NoScheme(String),
    #[error("{0}: unsupported verification method scheme")]
    UnknownScheme(String),
    #[error("{0}: unsupported DID method (only did:key offline, did:web over the network)")]
    UnknownDidMethod(String),
    #[error("{value}: bad multibase key: {reason}")]
    BadMultibase { value: String, reason: String },
    #[error("{value}: not an Ed25519 multikey (multicodec prefix {prefix})")]
    WrongMulticodec { value: String, prefix: String },
    #[error("{value}: key has {len} bytes, expected {expected}")]
    WrongLength {
        value: String,
        len: usize,
        expected: usize,
    },
    #[error("{0}: key must be fetched over the network")]
    NeedsNetwork(String),
    #[error("{id}: no such verification method in the key document")]
    NotFound { id: String },
    #[error("{0}: key document is not usable")]
    BadDocument(String),
    #[error("{url}: fetch failed: {reason}")]
    Fetch { url: String, reason: String },
}

/// A resolved Ed25519 public key and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedKey {
    /// The verification method as written in the proof.
    pub id: String,
    /// Who controls the key: the part before `#`, the DID, or the document's `controller`.
    pub controller: String,
    /// How the key was found.
    pub source: KeySource,
    pub key: VerifyingKey,
}

/// How a key was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// `did:key` identifier.
    DidKey,
    /// Multibase key in the URL fragment.
    Fragment,
    /// A Multikey / controller document.
    Document,
}

/// Resolves `method` without any network access.
pub fn resolve(method: &str) -> Result<ResolvedKey, KeyError> {
    let Some((scheme, rest)) = method.split_once(':') else {
        return Err(KeyError::NoScheme(method.to_string()));
    };
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return Err(KeyError::NoScheme(method.to_string()));
    }
    let (base, fragment) = match method.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (method, None),
    };
    match scheme {
        "did" => {
            let did_method = rest.split(':').next().unwrap_or_default();
            match did_method {
                "key" => {
                    let encoded = &base["did:key:".len().min(base.len())..];
                    let key = decode_multikey(encoded)?;
                    if fragment.is_some_and(|f| f != encoded) {
                        return Err(KeyError::NotFound {
                            id: method.to_string(),
                        });
                    }
                    Ok(ResolvedKey {
                        id: method.to_string(),
                        controller: base.to_string(),
                        source: KeySource::DidKey,
                        key,
                    })
                }
                "web" => from_fragment(method, base, fragment),
                _ => Err(KeyError::UnknownDidMethod(method.to_string())),
            }
        }
        "https" | "http" => from_fragment(method, base, fragment),
        // Any other URI (e.g. `urn:uuid:…`) works only with the key in its fragment.
        _ => match fragment {
            Some(f) if f.starts_with('z') => from_fragment(method, base, fragment),
            _ => Err(KeyError::UnknownScheme(method.to_string())),
        },
    }
}

/// `<controller>#z…`: the key is the fragment; anything else needs the network.
fn from_fragment(
    method: &str,
    base: &str,
    fragment: Option<&str>,
) -> Result<ResolvedKey, KeyError> {
    match fragment {
        Some(f) if f.starts_with('z') => Ok(ResolvedKey {
            id: method.to_string(),
            controller: base.to_string(),
            source: KeySource::Fragment,
            key: decode_multikey(f)?,
        }),
        _ => Err(KeyError::NeedsNetwork(method.to_string())),
    }
}

/// Decodes a base58btc multibase Ed25519 public key (`z6Mk…`).
pub fn decode_multikey(value: &str) -> Result<VerifyingKey, KeyError> {
    let bytes = decode_prefixed(value, ED25519_PUB_CODEC, 32)?;
    let array: [u8; 32] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| KeyError::WrongLength {
            value: value.to_string(),
            len: b.len(),
            expected: 32,
        })?;
    VerifyingKey::from_bytes(&array).map_err(|e| KeyError::BadMultibase {
        value: value.to_string(),
        reason: e.to_string(),
    })
}

/// Encodes a public key as a multibase Multikey (`z6Mk…`).
pub fn encode_multikey(key: &VerifyingKey) -> String {
    let mut bytes = ED25519_PUB_CODEC.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    multibase::encode(multibase::Base::Base58Btc, bytes)
}

/// Decodes a multibase Ed25519 secret key: 32-byte seed, or seed || public key (64 bytes).
pub fn decode_secret_multikey(value: &str) -> Result<SigningKey, KeyError> {
    let bytes = decode_codec(value, ED25519_PRIV_CODEC)?;
    if bytes.len() != 32 && bytes.len() != 64 {
        return Err(KeyError::WrongLength {
            value: value.to_string(),
            len: bytes.len(),
            expected: 32,
        });
    }
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&bytes[..32]);
    Ok(SigningKey::from_bytes(&seed))
}

/// Encodes a secret key as multibase (codec 0x1300, seed || public key).
pub fn encode_secret_multikey(key: &SigningKey) -> String {
    let mut bytes = ED25519_PRIV_CODEC.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    bytes.extend_from_slice(key.verifying_key().as_bytes());
    multibase::encode(multibase::Base::Base58Btc, bytes)
}

fn decode_prefixed(value: &str, codec: [u8; 2], len: usize) -> Result<Vec<u8>, KeyError> {
    let bytes = decode_codec(value, codec)?;
    if bytes.len() != len {
        return Err(KeyError::WrongLength {
            value: value.to_string(),
            len: bytes.len(),
            expected: len,
        });
    }
    Ok(bytes)
}

fn decode_codec(value: &str, codec: [u8; 2]) -> Result<Vec<u8>, KeyError> {
    let bad = |reason: &str| KeyError::BadMultibase {
        value: value.to_string(),
        reason: reason.into(),
    };
    if !value.starts_with('z') {
        return Err(bad("expected base58btc ('z' prefix)"));
    }
    let (_, bytes) = multibase::decode(value).map_err(|e| bad(&e.to_string()))?;
    match bytes.strip_prefix(&codec[..]) {
        Some(rest) => Ok(rest.to_vec()),
        None => Err(KeyError::WrongMulticodec {
            value: value.to_string(),
            prefix: hex::encode(&bytes[..bytes.len().min(2)]),
        }),
    }
}

/// Finds `method` in a key document: a Multikey / Ed25519VerificationKey2020 object, or a
/// controller (DID) document listing verification methods.
pub fn key_from_document(doc: &Value, method: &str) -> Result<ResolvedKey, KeyError> {
    // Verification methods may sit in `verificationMethod` or be embedded in
    // `assertionMethod` (as in many did:web documents); else the document is the key.
    let mut candidates: Vec<&Value> = Vec::new();
    for field in ["verificationMethod", "assertionMethod"] {
        match doc.get(field) {
            Some(Value::Array(items)) => candidates.extend(items.iter().filter(|i| i.is_object())),
            Some(item @ Value::Object(_)) => candidates.push(item),
            _ => {}
        }
    }
    if candidates.is_empty() {
        candidates.push(doc);
    }
    let doc_controller = doc.get("id").and_then(Value::as_str);
    for candidate in candidates {
        let id = candidate
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let matches = id == method
            || doc_controller.is_some_and(|c| id.starts_with('#') && format!("{c}{id}") == method);
        if !matches {
            continue;
        }
        let controller = candidate
            .get("controller")
            .and_then(Value::as_str)
            .or(doc_controller)
            .unwrap_or_default()
            .to_string();
        let key = if let Some(mb) = candidate.get("publicKeyMultibase").and_then(Value::as_str) {
            decode_multikey(mb)?
        } else if let Some(jwk) = candidate.get("publicKeyJwk") {
            okp_jwk_key(jwk).ok_or_else(|| KeyError::BadDocument(method.to_string()))?
        } else {
            return Err(KeyError::BadDocument(method.to_string()));
        };
        return Ok(ResolvedKey {
            id: method.to_string(),
            controller,
            source: KeySource::Document,
            key,
        });
    }
    Err(KeyError::NotFound {
        id: method.to_string(),
    })
}

/// Ed25519 public key from an OKP JWK (`{"kty":"OKP","crv":"Ed25519","x":…}`).
pub fn okp_jwk_key(jwk: &Value) -> Option<VerifyingKey> {
    use base64::Engine as _;
    if jwk.get("kty")?.as_str()? != "OKP" || jwk.get("crv")?.as_str()? != "Ed25519" {
        return None;
    }
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jwk.get("x")?.as_str()?)
        .ok()?;
    VerifyingKey::from_bytes(&x.try_into().ok()?).ok()
}

/// The https URL a key document is fetched from (did:web mapped per the did:web spec).
pub fn document_url(method: &str) -> Result<String, KeyError> {
    let base = method.split('#').next().unwrap_or(method);
    if let Some(rest) = base.strip_prefix("did:web:") {
        let mut parts = rest.split(':');
        let host = parts.next().unwrap_or_default().replace("%3A", ":");
        let path: Vec<&str> = parts.collect();
        return Ok(if path.is_empty() {
            format!("https://{host}/.well-known/did.json")
        } else {
            format!("https://{host}/{}/did.json", path.join("/"))
        });
    }
    if base.starts_with("https://") || base.starts_with("http://") {
        return Ok(base.to_string());
    }
    Err(KeyError::UnknownScheme(method.to_string()))
}

/// Fetches a JSON key document (Multikey, controller/DID document, JWK or JWK Set).
pub async fn fetch_document(client: &reqwest::Client, url: &str) -> Result<Value, KeyError> {
    let fetch = |reason: String| KeyError::Fetch {
        url: url.to_string(),
        reason,
    };
    let response = client
        .get(url)
        .header(
            "Accept",
            "application/did+ld+json, application/ld+json, application/jwk-set+json, application/json",
        )
        .send()
        .await
        .map_err(|e| fetch(e.to_string()))?;
    if !response.status().is_success() {
        return Err(fetch(format!("HTTP {}", response.status())));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
    {
        return Err(fetch(format!(
            "document larger than {MAX_DOCUMENT_BYTES} bytes"
        )));
    }
    let body = response.bytes().await.map_err(|e| fetch(e.to_string()))?;
    if body.len() > MAX_DOCUMENT_BYTES {
        return Err(fetch(format!(
            "document larger than {MAX_DOCUMENT_BYTES} bytes"
        )));
    }
    serde_json::from_slice(&body).map_err(|e| fetch(format!("not JSON: {e}")))
}

/// Resolves `method`, fetching the key document with `client` when offline resolution
/// reports [`KeyError::NeedsNetwork`].
pub async fn resolve_with_network(
    client: &reqwest::Client,
    method: &str,
) -> Result<ResolvedKey, KeyError> {
    match resolve(method) {
        Err(KeyError::NeedsNetwork(_)) => {}
        other => return other,
    }
    let doc = fetch_document(client, &document_url(method)?).await?;
    key_from_document(&doc, method)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const VECTOR_KEY: &str = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";

    #[test]
    fn fragment_key_and_controller() {
        let r = resolve(&format!("https://example.edu/issuers/565049#{VECTOR_KEY}")).unwrap();
        assert_eq!(r.controller, "https://example.edu/issuers/565049");
        assert_eq!(r.source, KeySource::Fragment);
        assert_eq!(encode_multikey(&r.key), VECTOR_KEY);
    }

    #[test]
    fn did_key_with_and_without_fragment() {
        let plain = resolve(&format!("did:key:{VECTOR_KEY}")).unwrap();
        let frag = resolve(&format!("did:key:{VECTOR_KEY}#{VECTOR_KEY}")).unwrap();
        assert_eq!(plain.key, frag.key);
        assert_eq!(plain.controller, format!("did:key:{VECTOR_KEY}"));
    }

    #[test]
    fn errors_name_the_value() {
        assert_eq!(
            resolve(VECTOR_KEY),
            Err(KeyError::NoScheme(VECTOR_KEY.into()))
        );
        let v = format!("xxx:{VECTOR_KEY}");
        assert_eq!(resolve(&v), Err(KeyError::UnknownScheme(v.clone())));
        let v = format!("did:example:{VECTOR_KEY}");
        assert_eq!(resolve(&v), Err(KeyError::UnknownDidMethod(v.clone())));
        let urn = resolve(&format!("urn:uuid:1#{VECTOR_KEY}")).unwrap();
        assert_eq!(urn.controller, "urn:uuid:1");
        let v = "https://example.edu/keys/1";
        assert_eq!(resolve(v), Err(KeyError::NeedsNetwork(v.into())));
        assert!(matches!(
            resolve("https://e.org/i#z6MkjZRsdasZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"),
            Err(KeyError::WrongMulticodec { .. }
                | KeyError::WrongLength { .. }
                | KeyError::BadMultibase { .. })
        ));
        assert!(matches!(
            decode_multikey("zzzz0OIl"),
            Err(KeyError::BadMultibase { .. })
        ));
        assert!(matches!(
            decode_multikey("uAAAA"),
            Err(KeyError::BadMultibase { .. })
        ));
    }

    #[test]
    fn secret_key_round_trip() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let encoded = encode_secret_multikey(&key);
        assert_eq!(
            decode_secret_multikey(&encoded).unwrap().to_bytes(),
            key.to_bytes()
        );
        assert!(matches!(
            decode_secret_multikey(VECTOR_KEY),
            Err(KeyError::WrongMulticodec { .. })
        ));
    }

    /// Serves one HTTP response on loopback; `body` gets the base URL. Returns the base URL.
    async fn serve_once(body: impl FnOnce(&str) -> String) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let body = body(&base);
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(reply.as_bytes()).await;
        });
        base
    }

    #[tokio::test]
    async fn network_resolution_over_loopback() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let base = serve_once(|base| {
            json!({
                "id": format!("{base}/issuers/1"),
                "verificationMethod": [{"id": "#key-1", "type": "Multikey", "publicKeyMultibase": VECTOR_KEY}]
            })
            .to_string()
        })
        .await;
        let method = format!("{base}/issuers/1#key-1");
        assert_eq!(
            resolve(&method),
            Err(KeyError::NeedsNetwork(method.clone()))
        );
        // reqwest is built without a default TLS provider; the harness always brings ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(5))
            .build()
            .unwrap();
        let key = resolve_with_network(&client, &method).await.unwrap();
        assert_eq!(encode_multikey(&key.key), VECTOR_KEY);
        assert_eq!(key.source, KeySource::Document);
        assert_eq!(key.controller, format!("{base}/issuers/1"));
    }

    #[test]
    fn controller_document_lookup() {
        let doc = json!({
            "id": "https://example.edu/issuers/1",
            "verificationMethod": [{"id": "#key-1", "type": "Multikey", "publicKeyMultibase": VECTOR_KEY}]
        });
        let r = key_from_document(&doc, "https://example.edu/issuers/1#key-1").unwrap();
        assert_eq!(r.controller, "https://example.edu/issuers/1");
        assert_eq!(
            key_from_document(&doc, "https://example.edu/issuers/1#key-2"),
            Err(KeyError::NotFound {
                id: "https://example.edu/issuers/1#key-2".into()
            })
        );
        assert_eq!(
            document_url("did:web:example.com:u:1#k").unwrap(),
            "https://example.com/u/1/did.json"
        );
    }
}
