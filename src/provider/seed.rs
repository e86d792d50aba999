//! The learner's seed data, taken from the signed test-vector corpus
//! (`vectors/provider-seeds.json`, embedded at build time so `serve` works from
//! any folder): the valid records of its issuer group, oldest first. Under the
//! CLR 2.0 profile the ClrCredentials are served (the VC-JWT one in
//! `compactJwsString`); under OB 3.0, the OpenBadgeCredential each record nests.
//! Everything served verifies with the published TEST ONLY corpus keys.

use crate::catalog::Profile;
use crate::vectors::format::{CaseFile, Verdict};
use crate::vectors::keys::seed;
use base64::Engine;
use ed25519_dalek::SigningKey;
use serde_json::Value;
use std::sync::OnceLock;

pub use crate::vectors::cases::seeds::{LEARNER_EMAIL, LEARNER_ID};

/// The committed seed file.
const SEEDS: &str = include_str!("../../vectors/provider-seeds.json");

/// A seed credential in the form it is served in.
#[derive(Debug, Clone, PartialEq)]
pub enum SeedCredential {
    /// Served in `credential`.
    Json(Value),
    /// Served in `compactJwsString`.
    Jws(String),
}

/// Issuer of the ClrCredentials (the corpus CLR issuer).
pub const ISSUER_ID: &str = "https://records.example.edu/issuers/clr";

/// The corpus CLR issuer's TEST ONLY key (its private half is in `vectors/keys/`).
pub fn issuer_key() -> SigningKey {
    SigningKey::from_bytes(&seed("clr-issuer"))
}

/// `<ISSUER_ID>#z6Mk...`: the Multikey of `issuer_key`.
pub fn verification_method() -> String {
    let mk = crate::credential::proof::keys::encode_multikey(&issuer_key().verifying_key());
    format!("{ISSUER_ID}#{mk}")
}

/// The seed file's records (valid cases of its issuer groups), oldest first.
fn records() -> &'static [Value] {
    static RECORDS: OnceLock<Vec<Value>> = OnceLock::new();
    RECORDS.get_or_init(|| match serde_json::from_str::<CaseFile>(SEEDS) {
        Ok(f) => f
            .test_groups
            .into_iter()
            .filter(|g| g.role == "issuer" && g.schema_kind.is_none())
            .flat_map(|g| g.tests)
            .filter(|c| c.result == Verdict::Valid)
            .map(|c| c.credential)
            .collect(),
        Err(e) => {
            eprintln!("clr-conformance: {e}: seed file unreadable, no seeds served");
            Vec::new()
        }
    })
}

/// The payload of a compact JWS.
fn payload(jws: &str) -> Option<Value> {
    let part = jws.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The seed credentials of `profile`.
pub fn seed_credentials(profile: &Profile) -> Vec<SeedCredential> {
    let ob = profile.credential_type == "OpenBadgeCredential";
    records()
        .iter()
        .filter_map(|r| match (r, ob) {
            (Value::String(jws), false) => Some(SeedCredential::Jws(jws.clone())),
            (v, false) => Some(SeedCredential::Json(v.clone())),
            (Value::String(jws), true) => nested(&payload(jws)?).map(SeedCredential::Json),
            (v, true) => nested(v).map(SeedCredential::Json),
        })
        .collect()
}

/// The first credential a record nests.
fn nested(record: &Value) -> Option<Value> {
    let subject = &record.get("vc").unwrap_or(record)["credentialSubject"];
    match &subject["verifiableCredential"] {
        Value::Array(a) => a.first().cloned(),
        v @ Value::Object(_) => Some(v.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectors::check::judge;
    use crate::vectors::format::{Case, Group};
    use serde_json::json;

    fn committed() -> CaseFile {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/provider-seeds.json");
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    fn served(s: &SeedCredential) -> Value {
        match s {
            SeedCredential::Json(v) => v.clone(),
            SeedCredential::Jws(t) => json!(t),
        }
    }

    /// No MUST fails when `credential` is judged as an issuer's under `profile`.
    fn conforms(profile: &Profile, now: &str, credential: Value) -> Result<(), String> {
        // Built from JSON so the test follows the case format as it grows.
        let group: Group = serde_json::from_value(json!({
            "role": "issuer", "profile": profile.id, "now": now, "tests": []
        }))
        .map_err(|e| e.to_string())?;
        let case: Case = serde_json::from_value(json!({
            "tcId": 0, "comment": "", "flags": [], "requirements": [],
            "result": "valid", "credential": credential
        }))
        .map_err(|e| e.to_string())?;
        let j = judge(&group, &case)?;
        if j.conforms {
            Ok(())
        } else {
            Err(format!("failing: {:?}", j.failing))
        }
    }

    /// Where a served credential sits among the committed valid cases: a case
    /// itself, or the credential a case nests.
    fn found_in(file: &CaseFile, v: &Value) -> Option<(u32, String)> {
        for g in &file.test_groups {
            for c in g.tests.iter().filter(|c| c.result == Verdict::Valid) {
                if &c.credential == v {
                    return Some((c.tc_id, g.now.clone()));
                }
                let record = match &c.credential {
                    Value::String(t) => payload(t).unwrap_or_default(),
                    o => o.clone(),
                };
                if nested(&record).as_ref() == Some(v) {
                    return Some((c.tc_id, g.now.clone()));
                }
            }
        }
        None
    }

    #[test]
    fn embedded_file_is_the_committed_one() {
        assert_eq!(
            serde_json::from_str::<CaseFile>(SEEDS).unwrap(),
            committed()
        );
    }

    #[test]
    fn clr_seeds_are_committed_cases_and_verify() {
        let p = Profile::clr();
        let file = committed();
        let seeds = seed_credentials(p);
        assert!(seeds.len() >= 6, "{} seeds", seeds.len());
        let mut froms = Vec::new();
        for s in &seeds {
            let v = served(s);
            let hit = file
                .test_groups
                .iter()
                .flat_map(|g| g.tests.iter().map(move |c| (g, c)))
                .find(|(_, c)| c.result == Verdict::Valid && c.credential == v);
            let (g, c) = hit.unwrap_or_else(|| panic!("not a valid committed case: {v}"));
            conforms(p, &g.now, v.clone()).unwrap_or_else(|e| panic!("tc{}: {e}", c.tc_id));
            let doc = match s {
                SeedCredential::Json(d) => d.clone(),
                SeedCredential::Jws(t) => payload(t).unwrap(),
            };
            assert!(
                doc["type"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("ClrCredential"))
            );
            assert_eq!(doc["credentialSubject"]["id"], LEARNER_ID);
            assert_eq!(
                doc["credentialSubject"]["identifier"][0]["identityHash"],
                LEARNER_EMAIL
            );
            froms.push(doc["validFrom"].as_str().unwrap().to_string());
        }
        let jws: Vec<&SeedCredential> = seeds
            .iter()
            .filter(|s| matches!(s, SeedCredential::Jws(_)))
            .collect();
        assert_eq!(jws.len(), 1);
        if let SeedCredential::Jws(t) = jws[0] {
            let header = t.split('.').next().unwrap();
            let header: Value = serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(header)
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(header["alg"], "ES256");
        }
        let mut sorted = froms.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, froms, "validFrom values distinct and increasing");
        assert!(froms[0].starts_with("2021-") && froms[4].starts_with("2025-"));
    }

    #[test]
    fn ob_seeds_are_nested_in_committed_cases_and_verify() {
        let p = Profile::get("ob-3.0").unwrap();
        let file = committed();
        let seeds = seed_credentials(p);
        assert!(seeds.len() >= 5, "{} seeds", seeds.len());
        for s in &seeds {
            let SeedCredential::Json(v) = s else {
                panic!("OB seeds are JSON: {s:?}")
            };
            let (tc, now) = found_in(&file, v).unwrap_or_else(|| panic!("not in the corpus: {v}"));
            assert!(
                v["type"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("OpenBadgeCredential"))
            );
            assert_eq!(v["credentialSubject"]["id"], LEARNER_ID);
            conforms(p, &now, v.clone()).unwrap_or_else(|e| panic!("in tc{tc}: {e}"));
        }
    }

    #[test]
    fn a_changed_seed_is_neither_in_the_corpus_nor_valid() {
        let file = committed();
        for p in [Profile::clr(), Profile::get("ob-3.0").unwrap()] {
            let Some(SeedCredential::Json(mut v)) = seed_credentials(p).into_iter().next() else {
                panic!("first seed of {} is JSON", p.id)
            };
            v["name"] = json!("Changed after signing");
            assert!(found_in(&file, &v).is_none());
            let e = conforms(p, "2026-06-01T00:00:00Z", v).unwrap_err();
            assert!(e.contains("proof.di.signature"), "{}: {e}", p.id);
        }
    }

    #[test]
    fn issuer_key_is_the_corpus_clr_key() {
        let k = &crate::vectors::keys::keys().clr;
        assert_eq!(ISSUER_ID, k.id);
        assert_eq!(issuer_key().to_bytes(), k.key.to_bytes());
        assert_eq!(verification_method(), k.method);
    }
}
