//! VC-JWT (OB §8.2): verify and sign compact JWS credentials.
//!
//! A VC-JWT is the credential as JWT payload (VC 2.0 style) or in a `vc` claim (VC 1.1
//! style), signed with RS256 (required), ES256 or EdDSA. The header may carry only `alg`,
//! `kid`, `jwk`, `typ`; the claims `iss`, `jti`, `nbf`, `sub`, `exp` must mirror the
//! credential. Each rule gets its own [`Check`] so the caller can map it to a requirement.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use serde_json::{Map, Value};

use super::keys::{self, KeyError};
use super::{Check, issuer_id};

/// Header names a VC-JWT may carry.
pub const ALLOWED_HEADERS: [&str; 4] = ["alg", "kid", "jwk", "typ"];
/// Registered claims stripped from a VC 2.0-style payload to get the credential.
const JWT_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// Why a token could not be parsed at all (or signed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("compact JWS has {0} parts, expected 3")]
    WrongPartCount(usize),
    #[error("{part}: not base64url: {reason}")]
    BadBase64 { part: &'static str, reason: String },
    #[error("{part}: not a JSON object")]
    NotJson { part: &'static str },
    #[error("{0}: cannot build signing key")]
    BadKey(String),
    #[error("credential is not a JSON object")]
    NotAnObject,
    #[error("signing failed: {0}")]
    Sign(String),
}

/// Where the credential sits in the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtStyle {
    /// The payload is the credential plus JWT claims.
    Vc2,
    /// The credential is in the `vc` claim.
    Vc11,
}

/// Result of checking one VC-JWT: one field per rule.
#[derive(Debug, Clone)]
pub struct JwtReport {
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
    pub style: JwtStyle,
    /// The credential carried by the token.
    pub credential: Value,
    /// `alg` present and a registered asymmetric JOSE algorithm.
    pub alg: Check,
    /// At least one of `kid`, `jwk`.
    pub key_header: Check,
    /// The `jwk` header holds no private part (`d`).
    pub jwk_public_only: Check,
    /// `typ`, when present, is `JWT`.
    pub typ: Check,
    /// No header besides alg/kid/jwk/typ.
    pub other_headers: Check,
    /// A verification key was obtained from `jwk` or `kid`.
    pub key: Check,
    pub key_error: Option<KeyError>,
    /// The JWS signature verifies.
    pub signature: Check,
    /// The `vc` claim is used exactly when the credential is VC 1.1 (first `@context`).
    pub style_matches_context: Check,
    /// `iss` == issuer id.
    pub iss: Check,
    /// `jti` == credential `id`.
    pub jti: Check,
    /// `nbf` == `validFrom` (VC 1.1: `issuanceDate`), to the second.
    pub nbf: Check,
    /// `sub` == `credentialSubject.id`.
    pub sub: Check,
    /// `exp` == `validUntil` (VC 1.1: `expirationDate`) when either is present.
    pub exp: Check,
}

impl JwtReport {
    /// Every rule passed or was not applicable, and the signature verified.
    pub fn verified(&self) -> bool {
        self.signature.is_pass() && self.failures().is_empty()
    }

    /// `(rule, message)` for every failed rule.
    pub fn failures(&self) -> Vec<(&'static str, &str)> {
        [
            ("alg", &self.alg),
            ("key_header", &self.key_header),
            ("jwk_public_only", &self.jwk_public_only),
            ("typ", &self.typ),
            ("other_headers", &self.other_headers),
            ("key", &self.key),
            ("signature", &self.signature),
            ("style_matches_context", &self.style_matches_context),
            ("iss", &self.iss),
            ("jti", &self.jti),
            ("nbf", &self.nbf),
            ("sub", &self.sub),
            ("exp", &self.exp),
        ]
        .into_iter()
        .filter_map(|(rule, c)| match c {
            Check::Fail(m) => Some((rule, m.as_str())),
            _ => None,
        })
        .collect()
    }
}

/// Public JWK for a `kid`, resolved offline (did:key, `<url>#z6Mk…`) as an OKP JWK.
pub fn resolve_kid(kid: &str) -> Result<Value, KeyError> {
    let key = keys::resolve(kid)?;
    Ok(serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": B64.encode(key.key.as_bytes())}))
}

/// The public JWK `kid` designates inside a fetched document: a JWK, a JWK Set (matched by
/// `kid` or the URL fragment; a single-key set matches), or a controller document.
pub fn jwk_from_document(doc: &Value, kid: &str) -> Result<Value, KeyError> {
    if doc.get("kty").is_some() {
        return Ok(doc.clone());
    }
    if let Some(Value::Array(set)) = doc.get("keys") {
        let fragment = kid.rsplit_once('#').map(|(_, f)| f);
        let named = set.iter().find(|k| {
            let id = k.get("kid").and_then(Value::as_str);
            id == Some(kid) || (fragment.is_some() && id == fragment)
        });
        return match (named, set.as_slice()) {
            (Some(k), _) => Ok(k.clone()),
            (None, [only]) => Ok(only.clone()),
            _ => Err(KeyError::NotFound {
                id: kid.to_string(),
            }),
        };
    }
    let methods: Vec<&Value> = match doc.get("verificationMethod") {
        Some(Value::Array(items)) => items.iter().collect(),
        _ => vec![doc],
    };
    let base = doc.get("id").and_then(Value::as_str).unwrap_or_default();
    for m in methods {
        let id = m.get("id").and_then(Value::as_str).unwrap_or_default();
        if (id == kid || (id.starts_with('#') && format!("{base}{id}") == kid))
            && let Some(jwk) = m.get("publicKeyJwk")
        {
            return Ok(jwk.clone());
        }
    }
    let key = keys::key_from_document(doc, kid)?;
    Ok(serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": B64.encode(key.key.as_bytes())}))
}

/// Resolves `kid` to a public JWK, over the network when offline resolution cannot.
pub async fn fetch_kid_jwk(client: &reqwest::Client, kid: &str) -> Result<Value, KeyError> {
    match resolve_kid(kid) {
        Err(KeyError::NeedsNetwork(_)) => {}
        other => return other,
    }
    let doc = keys::fetch_document(client, &keys::document_url(kid)?).await?;
    jwk_from_document(&doc, kid)
}

/// Verifies a compact VC-JWT offline (`kid` via [`resolve_kid`]).
pub fn verify_jwt(token: &str) -> Result<JwtReport, JwtError> {
    verify_jwt_with(token, &resolve_kid)
}

/// Verifies a compact VC-JWT; `resolve` maps a `kid` to a public JWK (callers with network
/// access can fetch it first).
pub fn verify_jwt_with(
    token: &str,
    resolve: &dyn Fn(&str) -> Result<Value, KeyError>,
) -> Result<JwtReport, JwtError> {
    let token = token.trim();
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(JwtError::WrongPartCount(parts.len()));
    }
    let header = decode_part(parts[0], "header")?;
    let payload = decode_part(parts[1], "payload")?;
    let signature_ok_b64 = B64.decode(parts[2]).is_ok();

    let (style, credential) = match payload.get("vc") {
        Some(vc @ Value::Object(_)) => (JwtStyle::Vc11, vc.clone()),
        _ => {
            let mut cred = payload.clone();
            for claim in JWT_CLAIMS {
                cred.remove(claim);
            }
            (JwtStyle::Vc2, Value::Object(cred))
        }
    };

    let alg_name = header.get("alg").and_then(Value::as_str);
    // Any registered asymmetric JOSE algorithm (RFC 7518 §3.1, RFC 8037) may sign a VC-JWT.
    let algorithm = match alg_name {
        Some("RS256") => Ok(Algorithm::RS256),
        Some("RS384") => Ok(Algorithm::RS384),
        Some("RS512") => Ok(Algorithm::RS512),
        Some("PS256") => Ok(Algorithm::PS256),
        Some("PS384") => Ok(Algorithm::PS384),
        Some("PS512") => Ok(Algorithm::PS512),
        Some("ES256") => Ok(Algorithm::ES256),
        Some("ES384") => Ok(Algorithm::ES384),
        Some("EdDSA" | "Ed25519") => Ok(Algorithm::EdDSA),
        Some(a @ ("ES512" | "ES256K" | "Ed448")) => Err(AlgProblem::Unsupported(format!(
            "{a}: a registered JOSE algorithm this harness cannot verify"
        ))),
        Some(a @ ("HS256" | "HS384" | "HS512")) => Err(AlgProblem::Invalid(format!(
            "{a}: a symmetric algorithm cannot be verified with the issuer's public key"
        ))),
        Some("none") => Err(AlgProblem::Invalid(
            "none: an unsecured JWS is not a proof".to_string(),
        )),
        Some(other) => Err(AlgProblem::Invalid(format!(
            "{other}: not a registered JOSE signature algorithm"
        ))),
        None => Err(AlgProblem::Invalid("header has no alg".to_string())),
    };
    let alg = match &algorithm {
        Ok(_) => Check::Pass,
        Err(AlgProblem::Invalid(m)) => Check::Fail(m.clone()),
        Err(AlgProblem::Unsupported(m)) => Check::Skipped(m.clone()),
    };
    let kid = header.get("kid").and_then(Value::as_str);
    let jwk = header.get("jwk");
    let key_header = Check::from_bool(kid.is_some() || jwk.is_some(), || {
        "header has neither kid nor jwk".into()
    });
    let jwk_public_only = match jwk {
        None => Check::Skipped("no jwk header".into()),
        Some(j) => Check::from_bool(j.get("d").is_none(), || {
            "jwk header contains a private key (\"d\")".into()
        }),
    };
    let typ = match header.get("typ") {
        None => Check::Skipped("no typ header".into()),
        Some(Value::String(t)) if t == "JWT" => Check::Pass,
        Some(other) => Check::Fail(format!("{other}: typ must be \"JWT\"")),
    };
    let extra: Vec<&str> = header
        .keys()
        .map(String::as_str)
        .filter(|k| !ALLOWED_HEADERS.contains(k))
        .collect();
    let other_headers = Check::from_bool(extra.is_empty(), || {
        format!("{}: headers not allowed in a VC-JWT", extra.join(", "))
    });

    let mut key_error = None;
    let public_jwk: Result<Value, String> = match (jwk, kid) {
        (Some(j), _) => Ok(j.clone()),
        (None, Some(k)) => resolve(k).map_err(|e| {
            let m = e.to_string();
            key_error = Some(e);
            m
        }),
        (None, None) => Err("no key in header".to_string()),
    };
    let decoding = public_jwk.and_then(|j| decoding_key(&j));
    let key = match (&decoding, &key_error) {
        (Ok(_), _) => Check::Pass,
        (Err(m), Some(KeyError::NeedsNetwork(_))) => Check::Skipped(m.clone()),
        (Err(m), _) => Check::Fail(m.clone()),
    };
    let signing_input = &token[..parts[0].len() + 1 + parts[1].len()];
    let signature = match (&algorithm, &decoding) {
        (Err(AlgProblem::Invalid(m)), _) => Check::Fail(m.clone()),
        (Err(AlgProblem::Unsupported(m)), _) => Check::Skipped(m.clone()),
        (_, Err(_)) => Check::Skipped("no key".into()),
        (Ok(_), _) if !signature_ok_b64 => {
            Check::Fail(format!("{}: signature is not base64url", parts[2]))
        }
        (Ok(alg), Ok(k)) => {
            let ok = jsonwebtoken::crypto::verify(parts[2], signing_input.as_bytes(), k, *alg)
                .unwrap_or(false);
            Check::from_bool(ok, || "JWS signature does not verify".into())
        }
    };

    let first_context = credential
        .get("@context")
        .and_then(|c| c.as_array().and_then(|a| a.first()).or(Some(c)))
        .and_then(Value::as_str);
    let style_matches_context = match (style, first_context) {
        (JwtStyle::Vc11, Some("https://www.w3.org/ns/credentials/v2")) => {
            Check::Fail("vc claim used for a VC 2.0 credential".into())
        }
        (JwtStyle::Vc2, Some("https://www.w3.org/2018/credentials/v1")) => {
            Check::Fail("VC 1.1 credential without a vc claim".into())
        }
        (_, None) => Check::Fail("credential has no @context".into()),
        _ => Check::Pass,
    };

    let claim = |name: &str| payload.get(name);
    // VC 1.1 JWTs may leave out of the `vc` claim what the registered claims carry.
    let absent_ok = style == JwtStyle::Vc11;
    let iss = same_string(
        claim("iss"),
        issuer_id(&credential),
        "iss",
        "issuer id",
        absent_ok,
    );
    let jti = same_string(
        claim("jti"),
        credential.get("id").and_then(Value::as_str),
        "jti",
        "id",
        absent_ok,
    );
    let sub = same_string(
        claim("sub"),
        credential
            .get("credentialSubject")
            .and_then(|s| s.get("id"))
            .and_then(Value::as_str),
        "sub",
        "credentialSubject.id",
        absent_ok,
    );
    let (from, until) = match style {
        JwtStyle::Vc2 => ("validFrom", "validUntil"),
        JwtStyle::Vc11 => ("issuanceDate", "expirationDate"),
    };
    let nbf = same_time(
        claim("nbf"),
        credential.get(from),
        "nbf",
        from,
        true,
        absent_ok,
    );
    let exp = same_time(
        claim("exp"),
        credential.get(until),
        "exp",
        until,
        false,
        absent_ok,
    );

    Ok(JwtReport {
        header,
        payload,
        style,
        credential,
        alg,
        key_header,
        jwk_public_only,
        typ,
        other_headers,
        key,
        key_error,
        signature,
        style_matches_context,
        iss,
        jti,
        nbf,
        sub,
        exp,
    })
}

/// Why an `alg` cannot be used.
enum AlgProblem {
    /// Not a registered asymmetric signature algorithm: no signature can verify.
    Invalid(String),
    /// Registered, but this harness cannot check it: not verified, not invalid.
    Unsupported(String),
}

fn decode_part(part: &str, name: &'static str) -> Result<Map<String, Value>, JwtError> {
    let bytes = B64.decode(part).map_err(|e| JwtError::BadBase64 {
        part: name,
        reason: e.to_string(),
    })?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JwtError::NotJson { part: name }),
    }
}

fn decoding_key(jwk: &Value) -> Result<DecodingKey, String> {
    // jsonwebtoken panics on short EC/OKP coordinates, so check their sizes first.
    let bytes = |name: &str| {
        jwk.get(name)
            .and_then(Value::as_str)
            .and_then(|s| B64.decode(s).ok())
            .map_or(0, |b| b.len())
    };
    let sizes_ok = match jwk.get("kty").and_then(Value::as_str) {
        Some("OKP") => bytes("x") == 32,
        Some("EC") => {
            let n = match jwk.get("crv").and_then(Value::as_str) {
                Some("P-384") => 48,
                _ => 32,
            };
            bytes("x") == n && bytes("y") == n
        }
        Some("RSA") => bytes("n") >= 128 && bytes("e") > 0,
        _ => false,
    };
    if !sizes_ok {
        return Err(format!(
            "{jwk}: unusable jwk (unsupported kty or wrong key size)"
        ));
    }
    let parsed: jsonwebtoken::jwk::Jwk =
        serde_json::from_value(jwk.clone()).map_err(|e| format!("{jwk}: unusable jwk: {e}"))?;
    DecodingKey::from_jwk(&parsed).map_err(|e| format!("{jwk}: unusable jwk: {e}"))
}

fn same_string(
    claim: Option<&Value>,
    expected: Option<&str>,
    name: &str,
    field: &str,
    absent_ok: bool,
) -> Check {
    match (claim, expected) {
        (None, _) => Check::Fail(format!("{name} claim is missing")),
        (Some(_), None) if absent_ok => Check::Skipped(format!("no {field}: taken from {name}")),
        (Some(c), None) => Check::Fail(format!("{c}: {name} claim but credential has no {field}")),
        (Some(Value::String(c)), Some(e)) => {
            Check::from_bool(c == e, || format!("{c}: {name} does not match {field} {e}"))
        }
        (Some(c), Some(_)) => Check::Fail(format!("{c}: {name} is not a string")),
    }
}

fn same_time(
    claim: Option<&Value>,
    field: Option<&Value>,
    name: &str,
    field_name: &str,
    required: bool,
    absent_ok: bool,
) -> Check {
    let seconds = field
        .and_then(Value::as_str)
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.timestamp());
    match (claim, field) {
        (None, None) if !required => Check::Skipped(format!("no {name} and no {field_name}")),
        (None, _) => Check::Fail(format!("{name} claim is missing")),
        (Some(_), None) if absent_ok => {
            Check::Skipped(format!("no {field_name}: taken from {name}"))
        }
        (Some(c), None) => Check::Fail(format!(
            "{c}: {name} claim but credential has no {field_name}"
        )),
        (Some(c), Some(f)) => match (c.as_f64(), seconds) {
            (None, _) => Check::Fail(format!("{c}: {name} is not a NumericDate")),
            (_, None) => Check::Fail(format!("{f}: {field_name} is not a dateTime")),
            (Some(n), Some(s)) => Check::from_bool(n.floor() as i64 == s, || {
                format!("{c}: {name} does not match {field_name} {f}")
            }),
        },
    }
}

/// A private key for signing VC-JWTs.
pub enum JwtSigningKey {
    Rs256(Box<rsa::RsaPrivateKey>),
    Es256(p256::ecdsa::SigningKey),
    EdDsa(ed25519_dalek::SigningKey),
}

impl JwtSigningKey {
    /// RS256 key from PEM (PKCS#1 or PKCS#8).
    pub fn rsa_from_pem(pem: &str) -> Result<JwtSigningKey, JwtError> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        use rsa::pkcs8::DecodePrivateKey;
        rsa::RsaPrivateKey::from_pkcs1_pem(pem)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs8_pem(pem))
            .map(|k| JwtSigningKey::Rs256(Box::new(k)))
            .map_err(|e| JwtError::BadKey(format!("rsa pem: {e}")))
    }

    /// RS256 key from DER (PKCS#1 or PKCS#8).
    pub fn rsa_from_der(der: &[u8]) -> Result<JwtSigningKey, JwtError> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        use rsa::pkcs8::DecodePrivateKey;
        rsa::RsaPrivateKey::from_pkcs1_der(der)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs8_der(der))
            .map(|k| JwtSigningKey::Rs256(Box::new(k)))
            .map_err(|e| JwtError::BadKey(format!("rsa der: {e}")))
    }

    /// The JOSE `alg` name.
    pub fn alg(&self) -> &'static str {
        match self {
            JwtSigningKey::Rs256(_) => "RS256",
            JwtSigningKey::Es256(_) => "ES256",
            JwtSigningKey::EdDsa(_) => "EdDSA",
        }
    }

    /// The public key as a JWK (no private parts).
    pub fn public_jwk(&self) -> Value {
        match self {
            JwtSigningKey::Rs256(k) => {
                use rsa::traits::PublicKeyParts;
                serde_json::json!({
                    "kty": "RSA",
                    "n": B64.encode(k.n().to_bytes_be()),
                    "e": B64.encode(k.e().to_bytes_be()),
                })
            }
            JwtSigningKey::Es256(k) => {
                let public = p256::PublicKey::from(k.verifying_key());
                serde_json::from_str(&public.to_jwk_string()).unwrap_or(Value::Null)
            }
            JwtSigningKey::EdDsa(k) => serde_json::json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "x": B64.encode(k.verifying_key().as_bytes()),
            }),
        }
    }

    fn encoding_key(&self) -> Result<(EncodingKey, Algorithm), JwtError> {
        let bad = |e: String| JwtError::BadKey(e);
        match self {
            JwtSigningKey::Rs256(k) => {
                use rsa::pkcs1::EncodeRsaPrivateKey;
                let der = k.to_pkcs1_der().map_err(|e| bad(e.to_string()))?;
                Ok((EncodingKey::from_rsa_der(der.as_bytes()), Algorithm::RS256))
            }
            JwtSigningKey::Es256(k) => {
                use p256::pkcs8::EncodePrivateKey;
                let der = k.to_pkcs8_der().map_err(|e| bad(e.to_string()))?;
                Ok((EncodingKey::from_ec_der(der.as_bytes()), Algorithm::ES256))
            }
            JwtSigningKey::EdDsa(k) => {
                use ed25519_dalek::pkcs8::EncodePrivateKey;
                let der = k.to_pkcs8_der().map_err(|e| bad(e.to_string()))?;
                Ok((EncodingKey::from_ed_der(der.as_bytes()), Algorithm::EdDSA))
            }
        }
    }
}

/// Header and payload choices for [`sign_jwt`].
#[derive(Debug, Clone, Default)]
pub struct JwtHeaderOptions {
    /// `kid` header value.
    pub kid: Option<String>,
    /// Put the public key in a `jwk` header.
    pub embed_jwk: bool,
    /// Add `typ: JWT`.
    pub typ: bool,
    /// VC 1.1 style: credential in a `vc` claim instead of the payload itself.
    pub vc_claim: bool,
    /// Extra header entries (for negative test vectors).
    pub extra: Map<String, Value>,
}

/// Signs `credential` as a compact VC-JWT, adding `iss`, `jti`, `nbf`, `sub` and `exp`
/// from the credential (`validFrom`/`validUntil`, or `issuanceDate`/`expirationDate`).
pub fn sign_jwt(
    credential: &Value,
    key: &JwtSigningKey,
    options: &JwtHeaderOptions,
) -> Result<String, JwtError> {
    let Value::Object(cred) = credential else {
        return Err(JwtError::NotAnObject);
    };
    let mut header = Map::new();
    header.insert("alg".into(), key.alg().into());
    if options.typ {
        header.insert("typ".into(), "JWT".into());
    }
    if let Some(kid) = &options.kid {
        header.insert("kid".into(), kid.clone().into());
    }
    if options.embed_jwk {
        header.insert("jwk".into(), key.public_jwk());
    }
    for (k, v) in &options.extra {
        header.insert(k.clone(), v.clone());
    }

    let mut payload = if options.vc_claim {
        let mut p = Map::new();
        p.insert("vc".into(), credential.clone());
        p
    } else {
        cred.clone()
    };
    if let Some(iss) = issuer_id(credential) {
        payload.insert("iss".into(), iss.into());
    }
    if let Some(id) = cred.get("id") {
        payload.insert("jti".into(), id.clone());
    }
    if let Some(sub) = cred.get("credentialSubject").and_then(|s| s.get("id")) {
        payload.insert("sub".into(), sub.clone());
    }
    let time = |name: &str| {
        cred.get(name)
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| Value::from(t.timestamp()))
    };
    if let Some(nbf) = time("validFrom").or_else(|| time("issuanceDate")) {
        payload.insert("nbf".into(), nbf);
    }
    if let Some(exp) = time("validUntil").or_else(|| time("expirationDate")) {
        payload.insert("exp".into(), exp);
    }

    let (encoding, alg) = key.encoding_key()?;
    let encode = |m: &Map<String, Value>| {
        serde_json::to_vec(m)
            .map(|b| B64.encode(b))
            .map_err(|e| JwtError::Sign(e.to_string()))
    };
    let input = format!("{}.{}", encode(&header)?, encode(&payload)?);
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &encoding, alg)
        .map_err(|e| JwtError::Sign(e.to_string()))?;
    Ok(format!("{input}.{signature}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn credential() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"]},
            "validFrom": "2010-01-01T00:00:00Z", "validUntil": "2030-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:1", "type": ["AchievementSubject"]}
        })
    }

    fn ed_key() -> JwtSigningKey {
        JwtSigningKey::EdDsa(ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]))
    }

    #[test]
    fn eddsa_with_did_key_kid_verifies() {
        let ed = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
        let kid = format!("did:key:{}", keys::encode_multikey(&ed.verifying_key()));
        let opts = JwtHeaderOptions {
            kid: Some(kid),
            typ: true,
            ..Default::default()
        };
        let token = sign_jwt(&credential(), &ed_key(), &opts).unwrap();
        let r = verify_jwt(&token).unwrap();
        assert!(r.verified(), "{:?}", r.failures());
        assert_eq!(r.style, JwtStyle::Vc2);
        assert_eq!(r.credential, credential());
    }

    #[test]
    fn es256_with_jwk_verifies_and_tamper_fails() {
        let key = JwtSigningKey::Es256(p256::ecdsa::SigningKey::from_slice(&[5u8; 32]).unwrap());
        let opts = JwtHeaderOptions {
            embed_jwk: true,
            ..Default::default()
        };
        let token = sign_jwt(&credential(), &key, &opts).unwrap();
        assert!(verify_jwt(&token).unwrap().verified());
        let mut parts: Vec<String> = token.split('.').map(String::from).collect();
        let mut payload: Value = serde_json::from_slice(&B64.decode(&parts[1]).unwrap()).unwrap();
        payload["jti"] = "urn:uuid:2".into();
        parts[1] = B64.encode(serde_json::to_vec(&payload).unwrap());
        let r = verify_jwt(&parts.join(".")).unwrap();
        let failed: Vec<_> = r.failures().into_iter().map(|(rule, _)| rule).collect();
        assert_eq!(failed, vec!["signature", "jti"]);
    }

    #[test]
    fn header_rules_are_reported() {
        let mut extra = Map::new();
        extra.insert("cty".into(), "vc".into());
        let opts = JwtHeaderOptions {
            extra,
            ..Default::default()
        };
        let token = sign_jwt(&credential(), &ed_key(), &opts).unwrap();
        let r = verify_jwt(&token).unwrap();
        let failed: Vec<_> = r.failures().into_iter().map(|(rule, _)| rule).collect();
        assert_eq!(failed, vec!["key_header", "other_headers", "key"]);
        assert!(r.signature.is_fail() || matches!(r.signature, Check::Skipped(_)));
    }

    #[test]
    fn private_jwk_and_bad_typ_rejected() {
        let mut extra = Map::new();
        extra.insert(
            "jwk".into(),
            json!({"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "d": "AAAA"}),
        );
        extra.insert("typ".into(), "vc+jwt".into());
        let token = sign_jwt(
            &credential(),
            &ed_key(),
            &JwtHeaderOptions {
                extra,
                ..Default::default()
            },
        )
        .unwrap();
        let r = verify_jwt(&token).unwrap();
        assert!(r.jwk_public_only.is_fail());
        assert!(r.typ.is_fail());
    }

    #[test]
    fn vc11_style_and_claim_mismatch() {
        let mut cred = credential();
        cred["@context"] = json!(["https://www.w3.org/2018/credentials/v1"]);
        let obj = cred.as_object_mut().unwrap();
        obj.remove("validFrom");
        obj.remove("validUntil");
        obj.insert("issuanceDate".into(), "2010-01-01T00:00:00Z".into());
        let ed = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
        let kid = format!(
            "https://example.edu/issuers/1#{}",
            keys::encode_multikey(&ed.verifying_key())
        );
        let opts = JwtHeaderOptions {
            kid: Some(kid),
            vc_claim: true,
            ..Default::default()
        };
        let token = sign_jwt(&cred, &ed_key(), &opts).unwrap();
        let r = verify_jwt(&token).unwrap();
        assert_eq!(r.style, JwtStyle::Vc11);
        assert!(r.verified(), "{:?}", r.failures());
        assert!(matches!(r.exp, Check::Skipped(_)));
    }

    #[test]
    fn jwk_lookup_in_documents() {
        let jwk = json!({"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB"});
        let set = json!({"keys": [jwk, {"kty": "EC", "kid": "k2"}]});
        assert_eq!(
            jwk_from_document(&set, "https://e.org/jwks.json#k1").unwrap(),
            jwk
        );
        assert_eq!(
            jwk_from_document(&set, "https://e.org/jwks.json#k9"),
            Err(KeyError::NotFound {
                id: "https://e.org/jwks.json#k9".into()
            })
        );
        let doc = json!({"id": "https://e.org/i", "verificationMethod": [{"id": "#a", "publicKeyJwk": jwk}]});
        assert_eq!(jwk_from_document(&doc, "https://e.org/i#a").unwrap(), jwk);
    }

    #[test]
    fn malformed_tokens() {
        assert_eq!(verify_jwt("a.b").unwrap_err(), JwtError::WrongPartCount(2));
        assert!(matches!(
            verify_jwt("!!.e30.x").unwrap_err(),
            JwtError::BadBase64 { part: "header", .. }
        ));
        assert_eq!(
            verify_jwt("bm90anNvbg.e30.x").unwrap_err(),
            JwtError::NotJson { part: "header" }
        );
    }
}
