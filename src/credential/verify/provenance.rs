//! Key provenance: is the key that signed the issuer's? The proof rows answer
//! "does the signature hold with the key the credential names"; this answers
//! the second question, from documents fetched beforehand (OB 3.0 §8.5: the
//! verifier dereferences the key from its URI). A URL fragment is never
//! evidence: `https://issuer.example/profile#z6Mk…` only says which key signed.

use super::documents::{Documents, Fetched};
use crate::credential::proof::keys;
use serde_json::Value;

/// What the documents show about a signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// The key is the issuer's; how that was shown.
    Proven(String),
    /// The key is shown not to be the issuer's (or cannot be by any document).
    Refuted(String),
    /// The document that would decide was not fetched (offline).
    NotJudged(String),
    /// The document could not be fetched (a transport or server error).
    Unavailable(String),
}

/// Provenance of the key `jwk` (as a public JWK) named by `method` (a
/// `verificationMethod` or a JWT `kid`; `None` for a bare JWT `jwk` header)
/// for a credential issued by `issuer`.
pub fn of_key(
    method: Option<&str>,
    jwk: &Value,
    issuer: Option<&str>,
    docs: &Documents,
    online: bool,
) -> Provenance {
    let Some(issuer) = issuer else {
        return Provenance::Refuted("the credential has no issuer id".into());
    };
    let Some(method) = method else {
        return jwk_set(jwk, issuer, docs, online);
    };
    let base = method.split('#').next().unwrap_or(method);
    if base.starts_with("did:key:") {
        return if base == issuer {
            Provenance::Proven(format!("{base}: a did:key issuer signing with its own key"))
        } else {
            Provenance::Refuted(format!(
                "{method}: a did:key controlled by {base}, not by the issuer {issuer}"
            ))
        };
    }
    let Ok(url) = keys::document_url(method) else {
        return Provenance::Refuted(format!(
            "{method}: cannot be dereferenced (only did:key, did:web and https keys can), so nothing ties the key to the issuer {issuer}"
        ));
    };
    let doc = match docs.get(&url) {
        Some(Fetched::Json(v)) => v,
        Some(Fetched::Failed(why)) if gone(why) => {
            return Provenance::Refuted(format!("{url}: the key document does not exist: {why}"));
        }
        Some(Fetched::Failed(why)) => {
            return Provenance::Unavailable(format!(
                "{url}: key document could not be fetched: {why}"
            ));
        }
        Some(Fetched::Text(_)) => {
            return Provenance::Refuted(format!("{url}: the key document is not JSON"));
        }
        None => return not_fetched(method, &url, online),
    };
    in_document(method, base, jwk, issuer, &url, doc)
}

/// Why nothing was judged, in words: the fragment case says what the key is.
fn not_fetched(method: &str, url: &str, online: bool) -> Provenance {
    let fragment_key = method
        .split_once('#')
        .is_some_and(|(_, f)| f.starts_with("z6Mk"));
    let what = if fragment_key {
        format!("{method}: key taken from the URL fragment, not dereferenced")
    } else {
        format!("{method}: key document {url} not dereferenced")
    };
    if online {
        Provenance::Unavailable(format!("{what}: {url} was not fetched"))
    } else {
        Provenance::NotJudged(format!("not judged: needs --online ({what})"))
    }
}

/// A fetch failure that says the document does not exist.
fn gone(why: &str) -> bool {
    why.contains("HTTP 404") || why.contains("HTTP 410")
}

/// `method` looked up in the document its URL serves.
fn in_document(
    method: &str,
    base: &str,
    jwk: &Value,
    issuer: &str,
    url: &str,
    doc: &Value,
) -> Provenance {
    let is_did = base.starts_with("did:");
    let doc_id = doc.get("id").and_then(Value::as_str);
    if is_did && doc_id != Some(base) {
        return Provenance::Refuted(format!(
            "{url}: DID document id is {}, not {base}",
            doc_id.unwrap_or("absent")
        ));
    }
    let Some(entry) = find_method(doc, method) else {
        return Provenance::Refuted(format!("{url}: the document does not list {method}"));
    };
    let Some(listed) = entry_jwk(entry) else {
        return Provenance::Refuted(format!(
            "{url}: {method} has no usable public key (publicKeyMultibase or publicKeyJwk)"
        ));
    };
    if !same_key(&listed, jwk) {
        return Provenance::Refuted(format!(
            "{url}: {method} is published with another key than the one that signed"
        ));
    }
    let controller = entry
        .get("controller")
        .and_then(Value::as_str)
        .or(doc_id)
        .unwrap_or_default();
    if controller != issuer {
        return Provenance::Refuted(format!(
            "{url}: {method} is controlled by {}, not by the issuer {issuer}",
            if controller.is_empty() {
                "nobody named"
            } else {
                controller
            }
        ));
    }
    let controller_doc =
        is_did || doc.get("verificationMethod").is_some() || doc.get("assertionMethod").is_some();
    if controller_doc && !authorised(doc, method) {
        return Provenance::Refuted(format!(
            "{url}: {method} is not authorised for assertionMethod"
        ));
    }
    let how = if is_did {
        "listed in the issuer's DID document under assertionMethod"
    } else if controller_doc {
        "listed in the issuer's controller document under assertionMethod"
    } else {
        "its key document names the issuer as controller"
    };
    Provenance::Proven(format!("{method}: dereferenced from {url}: {how}"))
}

/// Whether `id` (absolute, or `#fragment` relative to the document) names `method`.
fn names(doc: &Value, id: &str, method: &str) -> bool {
    id == method
        || (id.starts_with('#')
            && doc
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|d| format!("{d}{id}") == method))
}

/// The verification method object for `method`: in `verificationMethod`,
/// embedded in a relationship, or the document itself.
fn find_method<'a>(doc: &'a Value, method: &str) -> Option<&'a Value> {
    let mut pools: Vec<&Value> = Vec::new();
    for key in [
        "verificationMethod",
        "assertionMethod",
        "authentication",
        "keys",
    ] {
        match doc.get(key) {
            Some(Value::Array(a)) => pools.extend(a.iter()),
            Some(v @ Value::Object(_)) => pools.push(v),
            _ => {}
        }
    }
    pools.push(doc);
    pools.into_iter().find(|e| {
        e.is_object()
            && (e
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| names(doc, id, method))
                || e.get("kid")
                    .and_then(Value::as_str)
                    .is_some_and(|id| names(doc, id, method)))
    })
}

/// Whether the controller document authorises `method` for assertionMethod.
fn authorised(doc: &Value, method: &str) -> bool {
    let items: Vec<&Value> = match doc.get("assertionMethod") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => return false,
    };
    items.into_iter().any(|i| match i {
        Value::String(s) => names(doc, s, method),
        Value::Object(_) => i
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|s| names(doc, s, method)),
        _ => false,
    })
}

/// The public key of a verification method (or JWK) as a JWK.
fn entry_jwk(entry: &Value) -> Option<Value> {
    if let Some(mb) = entry.get("publicKeyMultibase").and_then(Value::as_str) {
        return keys::decode_multikey(mb).ok().map(|k| okp_jwk(&k));
    }
    if let Some(j) = entry.get("publicKeyJwk") {
        return Some(j.clone());
    }
    entry.get("kty").map(|_| entry.clone())
}

/// An Ed25519 key as an OKP JWK.
pub fn okp_jwk(key: &ed25519_dalek::VerifyingKey) -> Value {
    use base64::Engine;
    serde_json::json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes()),
    })
}

/// Two JWKs hold the same public key (the members that define it; RFC 7638 §3.2).
pub fn same_key(a: &Value, b: &Value) -> bool {
    let members: &[&str] = match a.get("kty").and_then(Value::as_str) {
        Some("OKP") => &["crv", "x"],
        Some("EC") => &["crv", "x", "y"],
        Some("RSA") => &["n", "e"],
        _ => return false,
    };
    a.get("kty") == b.get("kty")
        && members
            .iter()
            .all(|m| a.get(*m).is_some() && a.get(*m) == b.get(*m))
}

/// The issuer's JWK Set URL: `https://{authority}/.well-known/jwks.json`.
pub fn jwks_url(issuer: &str) -> Option<String> {
    let rest = issuer.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("https://{authority}/.well-known/jwks.json"))
}

/// A bare `jwk` header: the key must be in the issuer's JWK Set (or be the
/// issuer's own did:key).
fn jwk_set(jwk: &Value, issuer: &str, docs: &Documents, online: bool) -> Provenance {
    if let Some(mk) = issuer.strip_prefix("did:key:") {
        return match keys::decode_multikey(mk) {
            Ok(k) if same_key(&okp_jwk(&k), jwk) => {
                Provenance::Proven(format!("{issuer}: the jwk header is the issuer's did:key"))
            }
            _ => Provenance::Refuted(format!(
                "the jwk header is not the key of the did:key issuer {issuer}"
            )),
        };
    }
    let Some(url) = jwks_url(issuer) else {
        return Provenance::Refuted(format!(
            "{issuer}: no JWK Set can be fetched for this issuer, so nothing ties the jwk header to it"
        ));
    };
    let set = match docs.get(&url) {
        Some(Fetched::Json(v)) => v,
        Some(Fetched::Failed(why)) if gone(why) => {
            return Provenance::Refuted(format!("{url}: the issuer has no JWK Set: {why}"));
        }
        Some(Fetched::Failed(why)) => {
            return Provenance::Unavailable(format!("{url}: JWK Set could not be fetched: {why}"));
        }
        Some(Fetched::Text(_)) => {
            return Provenance::Refuted(format!("{url}: the JWK Set is not JSON"));
        }
        None if online => {
            return Provenance::Unavailable(format!("{url}: the JWK Set was not fetched"));
        }
        None => {
            return Provenance::NotJudged(format!(
                "not judged: needs --online (the jwk header is not checked against the issuer's JWK Set {url})"
            ));
        }
    };
    let found = set
        .get("keys")
        .and_then(Value::as_array)
        .and_then(|ks| ks.iter().find(|k| same_key(k, jwk)));
    match found {
        None => Provenance::Refuted(format!(
            "{url}: the jwk header is not in the issuer's JWK Set"
        )),
        Some(k) => match k.get("iss").and_then(Value::as_str) {
            Some(iss) if iss != issuer => Provenance::Refuted(format!(
                "{url}: the matching key's iss is {iss}, not the issuer {issuer}"
            )),
            _ => Provenance::Proven(format!("the jwk header is in the issuer's JWK Set {url}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    const KEY: &str = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";

    fn jwk() -> Value {
        okp_jwk(&keys::decode_multikey(KEY).unwrap())
    }

    fn docs(url: &str, doc: Fetched) -> Documents {
        Documents::new(HashMap::from([(url.to_string(), doc)]))
    }

    #[test]
    fn did_key_own_and_unrelated() {
        let did = format!("did:key:{KEY}");
        let m = format!("{did}#{KEY}");
        let none = Documents::default();
        assert!(matches!(
            of_key(Some(&m), &jwk(), Some(&did), &none, false),
            Provenance::Proven(_)
        ));
        assert!(matches!(
            of_key(Some(&m), &jwk(), Some("did:key:z6Mkother"), &none, false),
            Provenance::Refuted(_)
        ));
    }

    #[test]
    fn fragment_is_not_evidence() {
        let m = format!("https://issuer.example/profile#{KEY}");
        let p = of_key(
            Some(&m),
            &jwk(),
            Some("https://issuer.example/profile"),
            &Documents::default(),
            false,
        );
        let Provenance::NotJudged(why) = p else {
            panic!("{p:?}")
        };
        assert!(why.contains("key taken from the URL fragment, not dereferenced"));
        // The issuer's profile, fetched, does not list the key.
        let d = docs(
            "https://issuer.example/profile",
            Fetched::Json(json!({"id": "https://issuer.example/profile", "type": "Profile"})),
        );
        assert!(matches!(
            of_key(
                Some(&m),
                &jwk(),
                Some("https://issuer.example/profile"),
                &d,
                true
            ),
            Provenance::Refuted(_)
        ));
    }

    #[test]
    fn did_web_document() {
        let did = "did:web:example.com:u:1";
        let m = format!("{did}#{KEY}");
        let url = "https://example.com/u/1/did.json";
        let doc = json!({"id": did, "assertionMethod": [{
            "id": m, "type": "Ed25519VerificationKey2020", "controller": did, "publicKeyMultibase": KEY}]});
        let d = docs(url, Fetched::Json(doc.clone()));
        assert!(matches!(
            of_key(Some(&m), &jwk(), Some(did), &d, true),
            Provenance::Proven(_)
        ));
        // Listed, but only for authentication.
        let auth = json!({"id": did, "verificationMethod": [{
            "id": m, "controller": did, "publicKeyMultibase": KEY}], "authentication": [m]});
        let d = docs(url, Fetched::Json(auth));
        assert!(matches!(
            of_key(Some(&m), &jwk(), Some(did), &d, true),
            Provenance::Refuted(_)
        ));
        // Another key under the same id.
        let other = format!("did:web:example.com:u:1#{KEY}x");
        let d = docs(url, Fetched::Json(doc));
        assert!(matches!(
            of_key(Some(&other), &jwk(), Some(did), &d, true),
            Provenance::Refuted(_)
        ));
        let d = docs(url, Fetched::Failed(format!("{url}: HTTP 404 Not Found")));
        assert!(matches!(
            of_key(Some(&m), &jwk(), Some(did), &d, true),
            Provenance::Refuted(_)
        ));
        let d = docs(url, Fetched::Failed(format!("{url}: connection refused")));
        assert!(matches!(
            of_key(Some(&m), &jwk(), Some(did), &d, true),
            Provenance::Unavailable(_)
        ));
    }

    #[test]
    fn jwk_header_against_the_jwk_set() {
        let issuer = "https://issuer.example/i/1";
        let url = jwks_url(issuer).unwrap();
        assert_eq!(url, "https://issuer.example/.well-known/jwks.json");
        let d = docs(&url, Fetched::Json(json!({"keys": [jwk()]})));
        assert!(matches!(
            of_key(None, &jwk(), Some(issuer), &d, true),
            Provenance::Proven(_)
        ));
        let d = docs(&url, Fetched::Json(json!({"keys": []})));
        assert!(matches!(
            of_key(None, &jwk(), Some(issuer), &d, true),
            Provenance::Refuted(_)
        ));
        let mut wrong_iss = jwk();
        wrong_iss["iss"] = json!("https://other.example/");
        let d = docs(&url, Fetched::Json(json!({"keys": [wrong_iss]})));
        assert!(matches!(
            of_key(None, &jwk(), Some(issuer), &d, true),
            Provenance::Refuted(_)
        ));
    }
}
