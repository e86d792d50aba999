//! The learner's seed data: well-formed, signed credentials for the spec
//! profile (ClrCredentials with nested AchievementCredentials for CLR 2.0,
//! OpenBadgeCredentials for OB 3.0), with `validFrom` spread over five years
//! so paging and `since` can be tested. Signed with a fixed, published test key
//! (Ed25519 seed = SHA-256("clr-conformance test issuer key")).

use crate::catalog::Profile;
use crate::credential::proof::{
    JwtHeaderOptions, JwtSigningKey, attach_proof, keys::encode_multikey, sign_data_integrity,
    sign_jwt,
};
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Mutex;

/// A seed credential in the form it is served in.
#[derive(Debug, Clone, PartialEq)]
pub enum SeedCredential {
    /// Served in `credential`.
    Json(Value),
    /// Served in `compactJwsString`.
    Jws(String),
}

/// Issuer of every seed credential.
pub const ISSUER_ID: &str = "https://example.edu/issuers/1";
/// The learner's subject id.
pub const LEARNER_ID: &str = "did:example:learner";
/// The learner's e-mail, also their IdentityObject.
pub const LEARNER_EMAIL: &str = "learner@example.edu";

/// The fixed test issuer key.
pub fn issuer_key() -> SigningKey {
    let seed: [u8; 32] = Sha256::digest(b"clr-conformance test issuer key").into();
    SigningKey::from_bytes(&seed)
}

/// The fixed ES256 key of the VC-JWT seed (scalar = SHA-256("clr-conformance test issuer jwt key")).
pub fn jwt_key() -> JwtSigningKey {
    let mut seed: [u8; 32] = Sha256::digest(b"clr-conformance test issuer jwt key").into();
    loop {
        if let Ok(k) = p256::ecdsa::SigningKey::from_bytes(&seed.into()) {
            return JwtSigningKey::Es256(k);
        }
        // Out of range for P-256 (probability ~2^-32): hash again.
        seed = Sha256::digest(seed).into();
    }
}

/// `https://example.edu/issuers/1#z6Mk...`: the Multikey of `issuer_key`.
pub fn verification_method() -> String {
    format!(
        "{ISSUER_ID}#{}",
        encode_multikey(&issuer_key().verifying_key())
    )
}

/// (validFrom, achievement name) of each seed, oldest first.
const SEEDS: &[(&str, &str)] = &[
    ("2021-01-15T09:00:00Z", "Introduction to Programming"),
    ("2022-03-01T12:00:00Z", "Data Structures"),
    ("2023-06-10T15:30:00Z", "Academic Writing"),
    ("2024-02-20T08:45:00Z", "Statistics I"),
    ("2025-01-05T10:00:00Z", "Capstone Project"),
    ("2025-09-30T16:20:00Z", "Teamwork and Leadership"),
];

/// The seed credentials of `profile` (computed once per process: signing is slow).
pub fn seed_credentials(profile: &Profile) -> Vec<SeedCredential> {
    static CACHE: Mutex<Vec<(String, Vec<SeedCredential>)>> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, v)) = cache.iter().find(|(id, _)| *id == profile.id) {
        return v.clone();
    }
    let last = SEEDS.len();
    let built: Vec<SeedCredential> = SEEDS
        .iter()
        .enumerate()
        .map(|(i, (from, name))| {
            if i + 1 == last {
                // The newest seed is served as a VC-JWT (no embedded proof on the wrapper).
                let doc = build_unsigned(profile, i + 1, from, name);
                match sign_jwt(
                    &doc,
                    &jwt_key(),
                    &JwtHeaderOptions {
                        embed_jwk: true,
                        typ: true,
                        ..Default::default()
                    },
                ) {
                    Ok(jws) => return SeedCredential::Jws(jws),
                    Err(e) => {
                        eprintln!("clr-conformance: {e}: seed VC-JWT not built, served as JSON")
                    }
                }
            }
            SeedCredential::Json(build(profile, i + 1, from, name))
        })
        .collect();
    cache.push((profile.id.clone(), built.clone()));
    built
}

fn issuer() -> Value {
    json!({
        "id": ISSUER_ID,
        "type": ["Profile"],
        "name": "Example University",
        "url": "https://example.edu",
        "email": "registrar@example.edu"
    })
}

fn identifier() -> Value {
    json!([{
        "type": "IdentityObject",
        "hashed": false,
        "identityHash": LEARNER_EMAIL,
        "identityType": "emailAddress"
    }])
}

fn sign(doc: Value, created: &str) -> Value {
    match sign_data_integrity(
        &doc,
        &issuer_key(),
        &verification_method(),
        created,
        "eddsa-rdfc-2022",
    ) {
        Ok(proof) => attach_proof(&doc, proof),
        Err(e) => {
            eprintln!("clr-conformance: {e}: seed credential left unsigned");
            doc
        }
    }
}

/// An AchievementCredential (OpenBadgeCredential for OB) for achievement `n`.
fn achievement_credential(p: &Profile, n: usize, from: &str, name: &str) -> Value {
    let ty = if p.credential_type == "OpenBadgeCredential" {
        "OpenBadgeCredential"
    } else {
        "AchievementCredential"
    };
    let schema = if p.credential_type == "OpenBadgeCredential" {
        &p.schemas.credential
    } else {
        &p.schemas.achievement_credential
    };
    let doc = json!({
        "@context": [p.contexts.vc_v2, p.contexts.ob],
        "id": format!("https://example.edu/credentials/{n}"),
        "type": ["VerifiableCredential", ty],
        "issuer": issuer(),
        "name": name,
        "description": format!("{name}, awarded to the learner by Example University."),
        "validFrom": from,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": LEARNER_ID,
            "identifier": identifier(),
            "achievement": {
                "id": format!("https://example.edu/achievements/{n}"),
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": name,
                "description": format!("Successful completion of {name}."),
                "criteria": { "narrative": format!("Pass the final assessment of {name}.") }
            }
        },
        "credentialSchema": [{ "id": schema, "type": "1EdTechJsonSchemaValidator2019" }]
    });
    sign(doc, from)
}

fn build(p: &Profile, n: usize, from: &str, name: &str) -> Value {
    let doc = build_unsigned(p, n, from, name);
    if p.credential_type == "OpenBadgeCredential" {
        return doc;
    }
    sign(doc, from)
}

/// The top-level credential without its own proof (nested ones are signed).
fn build_unsigned(p: &Profile, n: usize, from: &str, name: &str) -> Value {
    let inner = achievement_credential(p, n, from, name);
    if p.credential_type == "OpenBadgeCredential" {
        return inner;
    }
    json!({
        "@context": [p.contexts.vc_v2, p.contexts.primary, p.contexts.ob],
        "id": format!("https://example.edu/clr/{n}"),
        "type": ["VerifiableCredential", p.credential_type],
        "issuer": issuer(),
        "name": format!("Comprehensive Learner Record: {name}"),
        "description": "The learner's record at Example University.",
        "validFrom": from,
        "credentialSubject": {
            "type": [p.subject_type],
            "id": LEARNER_ID,
            "identifier": identifier(),
            "verifiableCredential": [inner]
        },
        "credentialSchema": [{ "id": p.schemas.credential, "type": "1EdTechJsonSchemaValidator2019" }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::proof::{verify_data_integrity, verify_jwt};
    use crate::credential::schema::{Generation, SchemaKind, validate};

    fn verified(doc: &Value) {
        let reports = verify_data_integrity(doc).unwrap();
        assert!(!reports.is_empty(), "no proof on {}", doc["id"]);
        for r in reports {
            assert!(r.verified(), "{}: {:?}", doc["id"], r.failures());
        }
    }

    #[test]
    fn clr_seeds_are_signed_and_verify() {
        let p = Profile::clr();
        let seeds = seed_credentials(p);
        assert_eq!(seeds.len(), 6);
        let mut jws = 0;
        let mut froms = Vec::new();
        for s in &seeds {
            let doc = match s {
                SeedCredential::Json(doc) => {
                    verified(doc);
                    doc.clone()
                }
                SeedCredential::Jws(t) => {
                    jws += 1;
                    let r = verify_jwt(t).unwrap();
                    assert!(r.verified(), "{:?}", r.failures());
                    r.credential.clone()
                }
            };
            assert!(
                doc["type"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("ClrCredential"))
            );
            assert_eq!(doc["@context"][1], p.contexts.primary);
            assert_eq!(
                doc["credentialSubject"]["identifier"][0]["identityHash"],
                LEARNER_EMAIL
            );
            let inner = &doc["credentialSubject"]["verifiableCredential"][0];
            assert!(
                inner["type"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("AchievementCredential"))
            );
            verified(inner);
            let errs = validate(SchemaKind::AchievementCredential, Generation::V2, inner);
            assert!(errs.is_empty(), "{}: {errs:?}", inner["id"]);
            froms.push(doc["validFrom"].as_str().unwrap().to_string());
        }
        assert_eq!(jws, 1);
        let mut sorted = froms.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            sorted, froms,
            "validFrom values are distinct and increasing"
        );
    }

    #[test]
    fn ob_seeds_are_open_badge_credentials() {
        let p = Profile::get("ob-3.0").unwrap();
        for s in seed_credentials(p) {
            if let SeedCredential::Json(doc) = s {
                assert!(
                    doc["type"]
                        .as_array()
                        .unwrap()
                        .contains(&json!("OpenBadgeCredential"))
                );
                assert!(
                    doc["credentialSubject"]
                        .get("verifiableCredential")
                        .is_none()
                );
            }
        }
    }
}
