//! The displayer test records: nine ClrCredentials with a known truth,
//! signed with fixed TEST ONLY keys (one as an RS256 VC-JWT), and the
//! documents they point to (the 1EdTechRevocationList and the issuer key
//! document).

use crate::catalog::Profile;
use crate::credential::proof::keys::encode_multikey;
use crate::credential::proof::{
    JwtHeaderOptions, JwtSigningKey, attach_proof, sign_data_integrity, sign_ed25519_2020, sign_jwt,
};
use anyhow::anyhow;
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const VC_V1: &str = "https://www.w3.org/2018/credentials/v1";
const CLR_ALIAS: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context.json";
const OB_ALIAS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context.json";
const ED2020: &str = "https://w3id.org/security/suites/ed25519-2020/v1";
const LEARNER: &str = "did:example:displayer-learner";
/// `created` of every proof.
const CREATED: &str = "2024-01-15T00:00:00Z";

/// What a record really is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    Valid,
    Expired,
    Revoked,
    /// Changed after signing.
    Tampered,
    /// `validFrom` in the future.
    NotYetValid,
}

/// The VC data model generation of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gen {
    V2,
    V11,
}

/// One served record.
#[derive(Debug, Clone)]
pub struct Record {
    pub slug: &'static str,
    pub generation: Gen,
    pub truth: Truth,
    pub url: String,
    /// The credential (for a VC-JWT record: the unsigned JWT payload).
    pub doc: Value,
    /// The compact VC-JWT served instead of `doc`, when the record is one.
    pub jwt: Option<String>,
}

struct Spec {
    slug: &'static str,
    generation: Gen,
    truth: Truth,
    from: &'static str,
    until: Option<&'static str>,
    /// Served as a compact VC-JWT signed with RS256 instead of a Data Integrity proof.
    jwt: bool,
}

const SPECS: &[Spec] = &[
    Spec {
        slug: "v2-valid",
        generation: Gen::V2,
        truth: Truth::Valid,
        from: "2024-01-15T00:00:00Z",
        until: Some("2099-01-01T00:00:00Z"),
        jwt: false,
    },
    Spec {
        slug: "v2-expired",
        generation: Gen::V2,
        truth: Truth::Expired,
        from: "2023-01-15T00:00:00Z",
        until: Some("2024-01-15T00:00:00Z"),
        jwt: false,
    },
    Spec {
        slug: "v2-revoked",
        generation: Gen::V2,
        truth: Truth::Revoked,
        from: "2024-01-15T00:00:00Z",
        until: Some("2099-01-01T00:00:00Z"),
        jwt: false,
    },
    Spec {
        slug: "v2-tampered",
        generation: Gen::V2,
        truth: Truth::Tampered,
        from: "2024-01-15T00:00:00Z",
        until: Some("2099-01-01T00:00:00Z"),
        jwt: false,
    },
    Spec {
        slug: "v2-not-yet-valid",
        generation: Gen::V2,
        truth: Truth::NotYetValid,
        from: "2099-01-01T00:00:00Z",
        until: None,
        jwt: false,
    },
    Spec {
        slug: "v11-valid",
        generation: Gen::V11,
        truth: Truth::Valid,
        from: "2024-01-15T00:00:00Z",
        until: Some("2099-01-01T00:00:00Z"),
        jwt: false,
    },
    Spec {
        slug: "v11-expired",
        generation: Gen::V11,
        truth: Truth::Expired,
        from: "2023-01-15T00:00:00Z",
        until: Some("2024-01-15T00:00:00Z"),
        jwt: false,
    },
    Spec {
        slug: "v11-revoked",
        generation: Gen::V11,
        truth: Truth::Revoked,
        from: "2024-01-15T00:00:00Z",
        until: Some("2099-01-01T00:00:00Z"),
        jwt: false,
    },
    Spec {
        slug: "v2-jwt-rs256",
        generation: Gen::V2,
        truth: Truth::Valid,
        from: "2024-01-15T00:00:00Z",
        until: Some("2099-01-01T00:00:00Z"),
        jwt: true,
    },
];

/// The fixed TEST ONLY signing key (seed = SHA-256("clr-conformance displayer test key")).
pub fn key() -> SigningKey {
    SigningKey::from_bytes(&Sha256::digest(b"clr-conformance displayer test key").into())
}

pub fn issuer_id(base: &str) -> String {
    format!("{base}/issuers/displayer")
}

pub fn list_url(base: &str) -> String {
    format!("{base}/status/revocation-list")
}

fn method(base: &str) -> String {
    format!(
        "{}#{}",
        issuer_id(base),
        encode_multikey(&key().verifying_key())
    )
}

/// The issuer's key document (controller document with the key as Multikey
/// and as Ed25519VerificationKey2020).
pub fn key_document(base: &str) -> Value {
    let vm = method(base);
    let mk = encode_multikey(&key().verifying_key());
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": issuer_id(base),
        "type": ["Profile"],
        "name": "Conformance Displayer Test Issuer",
        "verificationMethod": [{
            "id": vm, "type": "Multikey", "controller": issuer_id(base), "publicKeyMultibase": mk
        }],
        "assertionMethod": [vm]
    })
}

/// The revocation list: every record whose truth is `Revoked`.
pub fn revocation_list(base: &str, records: &[Record]) -> Value {
    let revoked: Vec<Value> = records
        .iter()
        .filter(|r| r.truth == Truth::Revoked)
        .map(|r| json!({"id": r.url, "revoked": true, "revocationReason": "revoked for the displayer test"}))
        .collect();
    json!({ "id": list_url(base), "issuer": issuer_id(base), "revokedCredentials": revoked })
}

pub(super) fn label(t: Truth) -> &'static str {
    match t {
        Truth::Valid => "valid",
        Truth::Expired => "expired, not revoked",
        Truth::Revoked => "revoked, not expired",
        Truth::Tampered => "altered after signing",
        Truth::NotYetValid => "not yet valid",
    }
}

fn issuer(base: &str) -> Value {
    json!({"id": issuer_id(base), "type": ["Profile"], "name": "Conformance Displayer Test Issuer"})
}

fn sign(mut doc: Value, generation: Gen, base: &str) -> anyhow::Result<Value> {
    // Every term defined: a displayer in Data Integrity safe mode must not refuse the record.
    crate::credential::jsonld::add_extensions_context(&mut doc);
    let proof = match generation {
        Gen::V2 => sign_data_integrity(&doc, &key(), &method(base), CREATED, "eddsa-rdfc-2022"),
        Gen::V11 => sign_ed25519_2020(&doc, &key(), &method(base), CREATED),
    }
    .map_err(|e| anyhow!("{e}: cannot sign a displayer record"))?;
    Ok(attach_proof(&doc, proof))
}

/// `doc` as a compact VC-JWT signed with the TEST ONLY RSA key of the vector
/// corpus, its public half in the `jwk` header.
fn sign_rs256(doc: &Value, base: &str) -> anyhow::Result<String> {
    let key = JwtSigningKey::Rs256(Box::new(crate::vectors::keys::keys().rsa.clone()));
    let opts = JwtHeaderOptions {
        kid: Some(format!("{}#rsa-1", issuer_id(base))),
        embed_jwk: true,
        typ: true,
        ..Default::default()
    };
    let mut doc = doc.clone();
    crate::credential::jsonld::add_extensions_context(&mut doc);
    sign_jwt(&doc, &key, &opts).map_err(|e| anyhow!("{e}: cannot sign the RS256 displayer record"))
}

/// Rename `validFrom`/`validUntil` to the VC 1.1 names and drop the schema.
fn to_v11(doc: &mut Value) {
    if let Value::Object(m) = doc {
        if let Some(v) = m.remove("validFrom") {
            m.insert("issuanceDate".into(), v);
        }
        if let Some(v) = m.remove("validUntil") {
            m.insert("expirationDate".into(), v);
        }
        m.remove("credentialSchema");
    }
}

fn nested(p: &Profile, base: &str, s: &Spec) -> anyhow::Result<Value> {
    let url = format!("{base}/records/{}/achievement", s.slug);
    let ctx = match s.generation {
        Gen::V2 => json!([p.contexts.vc_v2, p.contexts.ob]),
        Gen::V11 => json!([VC_V1, OB_ALIAS, ED2020]),
    };
    let mut doc = json!({
        "@context": ctx,
        "id": url,
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": issuer(base),
        "name": "Displayer Test Course",
        "description": "A course completed for the displayer test.",
        "validFrom": s.from,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": LEARNER,
            "achievement": {
                "id": format!("{base}/achievements/displayer-course"),
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": "Displayer Test Course",
                "description": "A course completed for the displayer test.",
                "criteria": {"narrative": "Complete the displayer test."}
            }
        },
        "credentialSchema": [{"id": p.schemas.achievement_credential, "type": "1EdTechJsonSchemaValidator2019"}]
    });
    if s.generation == Gen::V11 {
        to_v11(&mut doc);
    }
    sign(doc, s.generation, base)
}

fn record(p: &Profile, base: &str, s: &Spec) -> anyhow::Result<Record> {
    let url = format!("{base}/records/{}", s.slug);
    let ctx = match s.generation {
        Gen::V2 => json!([p.contexts.vc_v2, p.contexts.primary, p.contexts.ob]),
        Gen::V11 => json!([VC_V1, CLR_ALIAS, OB_ALIAS, ED2020]),
    };
    let mut doc = json!({
        "@context": ctx,
        "id": url,
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer(base),
        "name": format!("Displayer Test Record ({})", s.slug),
        "description": format!("A test record that is {}.", label(s.truth)),
        "validFrom": s.from,
        "credentialSubject": {
            "type": ["ClrSubject"],
            "id": LEARNER,
            "verifiableCredential": [nested(p, base, s)?]
        },
        "credentialSchema": [{"id": p.schemas.credential, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": {"id": list_url(base), "type": "1EdTechRevocationList"}
    });
    if let Some(u) = s.until {
        doc["validUntil"] = json!(u);
    }
    if s.generation == Gen::V11 {
        to_v11(&mut doc);
    }
    if s.jwt {
        let token = sign_rs256(&doc, base)?;
        return Ok(Record {
            slug: s.slug,
            generation: s.generation,
            truth: s.truth,
            url,
            doc,
            jwt: Some(token),
        });
    }
    let mut doc = sign(doc, s.generation, base)?;
    if s.truth == Truth::Tampered {
        doc["name"] = json!("Displayer Test Record (altered after signing)");
    }
    Ok(Record {
        slug: s.slug,
        generation: s.generation,
        truth: s.truth,
        url,
        doc,
        jwt: None,
    })
}

/// Build and sign every record for `base` (slow: run it off the async threads).
pub fn records(base: &str) -> anyhow::Result<Vec<Record>> {
    let p = Profile::clr();
    SPECS.iter().map(|s| record(p, base, s)).collect()
}
