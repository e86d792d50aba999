//! TEST ONLY keys for the signed vectors, derived from fixed labels so every
//! machine produces the same bytes. Never use these keys for anything real:
//! their private halves are published in `vectors/keys/`.

use ed25519_dalek::SigningKey;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use rsa::RsaPrivateKey;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

use crate::credential::proof::keys::{encode_multikey, encode_secret_multikey};

/// Prefix of every seed label; changing it changes every signature in the corpus.
const LABEL: &str = "clr-conformance TEST ONLY vector key: ";

/// An issuer of test credentials with its Ed25519 key.
pub struct Issuer {
    /// Short name used in file names (`clr-issuer`, ...).
    pub slug: &'static str,
    /// Display name put in the issuer Profile.
    pub name: &'static str,
    /// The issuer id (an https URL or a did:key).
    pub id: String,
    pub key: SigningKey,
    /// `verificationMethod` / `kid`: `<id>#<multikey>`.
    pub method: String,
}

impl Issuer {
    fn new(slug: &'static str, name: &'static str, url: Option<&str>) -> Issuer {
        let key = SigningKey::from_bytes(&seed(slug));
        let mk = encode_multikey(&key.verifying_key());
        let id = match url {
            Some(u) => u.to_string(),
            None => format!("did:key:{mk}"),
        };
        let method = format!("{id}#{mk}");
        Issuer {
            slug,
            name,
            id,
            key,
            method,
        }
    }

    /// The public key as a Multikey (`z6Mk...`).
    pub fn multikey(&self) -> String {
        encode_multikey(&self.key.verifying_key())
    }

    /// The issuer Profile embedded in credentials.
    pub fn profile(&self) -> Value {
        json!({"id": self.id, "type": ["Profile"], "name": self.name})
    }

    /// A controller document publishing the key as a Multikey.
    pub fn controller_document(&self) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": self.id,
            "verificationMethod": [{
                "id": self.method,
                "type": "Multikey",
                "controller": self.id,
                "publicKeyMultibase": self.multikey(),
            }],
            "assertionMethod": [self.method],
        })
    }
}

/// Every key the corpus uses.
pub struct TestKeys {
    /// Issues the ClrCredentials.
    pub clr: Issuer,
    /// Issues nested AchievementCredentials (https URL issuer).
    pub university: Issuer,
    /// Issues nested AchievementCredentials (did:key issuer).
    pub college: Issuer,
    /// Issues EndorsementCredentials.
    pub endorser: Issuer,
    /// RS256 key of the CLR issuer.
    pub rsa: RsaPrivateKey,
    /// ES256 key of the CLR issuer.
    pub p256: p256::ecdsa::SigningKey,
}

/// SHA-256 of the fixed label for `name`.
pub fn seed(name: &str) -> [u8; 32] {
    Sha256::digest(format!("{LABEL}{name}").as_bytes()).into()
}

/// The committed RSA key (`vectors/keys/`), which `seeded_rsa` derives: generating
/// a 2048-bit key takes seconds in a debug build, once in every test process.
const RSA_JWK: &str =
    include_str!("../../vectors/keys/test-only-clr-issuer-rsa-2048.private.jwk.json");

/// The RSA key from its seed, as `vectors generate` first made it (a test proves
/// the committed key is this one).
pub fn seeded_rsa() -> RsaPrivateKey {
    let mut rng = ChaCha20Rng::from_seed(seed("rsa-2048"));
    RsaPrivateKey::new(&mut rng, 2048).expect("rsa key generation from a fixed seed")
}

fn committed_rsa() -> RsaPrivateKey {
    use base64::Engine;
    let jwk: Value = serde_json::from_str(RSA_JWK).expect("committed RSA JWK is JSON");
    let int = |k: &str| {
        let s = jwk[k]
            .as_str()
            .unwrap_or_else(|| panic!("committed RSA JWK lacks {k}"));
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap_or_else(|e| panic!("committed RSA JWK {k}: {e}"));
        rsa::BigUint::from_bytes_be(&b)
    };
    RsaPrivateKey::from_components(int("n"), int("e"), int("d"), vec![int("p"), int("q")])
        .expect("committed RSA JWK is a valid key")
}

/// The keys, made once per process.
pub fn keys() -> &'static TestKeys {
    static KEYS: OnceLock<TestKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rsa = committed_rsa();
        let p256 = p256::ecdsa::SigningKey::from_bytes(&seed("p-256").into())
            .expect("the fixed p-256 seed is a valid scalar");
        TestKeys {
            clr: Issuer::new(
                "clr-issuer",
                "Example Learner Records Office (TEST ONLY)",
                Some("https://records.example.edu/issuers/clr"),
            ),
            university: Issuer::new(
                "university-issuer",
                "Example University (TEST ONLY)",
                Some("https://university.example.edu/issuers/1"),
            ),
            college: Issuer::new(
                "college-issuer",
                "Example Community College (TEST ONLY)",
                None,
            ),
            endorser: Issuer::new(
                "endorser",
                "Example Accreditation Body (TEST ONLY)",
                Some("https://accreditor.example.org/issuers/e"),
            ),
            rsa,
            p256,
        }
    })
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The RSA key as a public and a private JWK.
pub fn rsa_jwks(k: &RsaPrivateKey, kid: &str) -> (Value, Value) {
    let public = json!({
        "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
        "n": b64(&k.n().to_bytes_be()), "e": b64(&k.e().to_bytes_be()),
    });
    let mut private = public.clone();
    let primes = k.primes();
    let (p, q) = (&primes[0], &primes[1]);
    let one = rsa::BigUint::from(1u8);
    let dp = k.d() % (p - &one);
    let dq = k.d() % (q - &one);
    let qi = k.crt_coefficient().unwrap_or_default();
    if let Value::Object(m) = &mut private {
        m.insert("d".into(), b64(&k.d().to_bytes_be()).into());
        m.insert("p".into(), b64(&p.to_bytes_be()).into());
        m.insert("q".into(), b64(&q.to_bytes_be()).into());
        m.insert("dp".into(), b64(&dp.to_bytes_be()).into());
        m.insert("dq".into(), b64(&dq.to_bytes_be()).into());
        m.insert("qi".into(), b64(&qi.to_bytes_be()).into());
    }
    (public, private)
}

/// The P-256 key as a public and a private JWK.
pub fn p256_jwks(k: &p256::ecdsa::SigningKey, kid: &str) -> (Value, Value) {
    let secret = p256::SecretKey::from(k);
    let private: Value = serde_json::from_str(&secret.to_jwk_string()).unwrap_or(Value::Null);
    let public: Value =
        serde_json::from_str(&secret.public_key().to_jwk_string()).unwrap_or(Value::Null);
    let add = |mut v: Value| {
        if let Value::Object(m) = &mut v {
            m.insert("alg".into(), "ES256".into());
            m.insert("use".into(), "sig".into());
            m.insert("kid".into(), kid.into());
        }
        v
    };
    (add(public), add(private))
}

/// The Ed25519 key of `issuer` in every published form.
pub fn ed25519_file(issuer: &Issuer) -> Value {
    json!({
        "warning": "TEST ONLY: this private key is public; never trust anything it signs",
        "label": format!("{LABEL}{}", issuer.slug),
        "seedHex": hex::encode(issuer.key.to_bytes()),
        "publicKeyMultibase": issuer.multikey(),
        "secretKeyMultibase": encode_secret_multikey(&issuer.key),
        "didKey": format!("did:key:{}", issuer.multikey()),
        "issuerId": issuer.id,
        "verificationMethod": issuer.method,
        "controllerDocument": issuer.controller_document(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_fixed() {
        let k = keys();
        assert_eq!(k.clr.key.to_bytes(), seed("clr-issuer"));
        assert!(k.clr.multikey().starts_with("z6Mk"));
        assert!(k.college.id.starts_with("did:key:z6Mk"));
        assert_ne!(k.clr.multikey(), k.university.multikey());
        let (public, private) = rsa_jwks(&k.rsa, "k");
        assert!(public.get("d").is_none() && private.get("d").is_some());
    }

    #[test]
    fn the_committed_rsa_key_is_the_seeded_one() {
        assert!(
            keys().rsa == seeded_rsa(),
            "vectors/keys RSA key differs from its seed"
        );
    }
}
