//! The learner's seed data, taken from the signed test-vector corpus
//! (`vectors/provider-seeds.json`, embedded at build time so `serve` works from
//! any folder): the valid cases of the issuer group of the profile served,
//! oldest first. Under CLR 2.0 they are ClrCredentials, under OB 3.0
//! OpenBadgeCredentials; in both, JSON ones go in `credential` and the VC-JWT
//! in `compactJwsString`. Everything served verifies with the published TEST
//! ONLY corpus keys.

use crate::catalog::Profile;
use crate::vectors::format::{CaseFile, Verdict};
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

/// The seed file, parsed once.
fn seed_file() -> Option<&'static CaseFile> {
    static FILE: OnceLock<Option<CaseFile>> = OnceLock::new();
    FILE.get_or_init(|| match serde_json::from_str::<CaseFile>(SEEDS) {
        Ok(f) => Some(f),
        Err(e) => {
            crate::errln!("clr-conformance: {e}: seed file unreadable, no seeds served");
            None
        }
    })
    .as_ref()
}

/// The valid cases of the seed file's issuer groups for `profile`, oldest first.
fn records(profile: &Profile) -> Vec<&'static Value> {
    seed_file()
        .into_iter()
        .flat_map(|f| &f.test_groups)
        .filter(|g| g.role == "issuer" && g.schema_kind.is_none() && g.profile == profile.id)
        .flat_map(|g| &g.tests)
        .filter(|c| c.result == Verdict::Valid)
        .map(|c| &c.credential)
        .collect()
}

/// The seed credentials of `profile`.
pub fn seed_credentials(profile: &Profile) -> Vec<SeedCredential> {
    records(profile)
        .into_iter()
        .map(|r| match r {
            Value::String(jws) => SeedCredential::Jws(jws.clone()),
            v => SeedCredential::Json(v.clone()),
        })
        .collect()
}

/// The documents a verifier of `profile`'s seeds fetches (the TEST ONLY
/// issuers' key documents and status lists, by URL), as the seed file
/// publishes them: the builtin run verifies the seeds with these, since the
/// example.edu hosts they name do not exist.
pub fn seed_documents(profile: &Profile) -> Vec<(String, Value)> {
    seed_file()
        .into_iter()
        .flat_map(|f| &f.test_groups)
        .filter(|g| g.role == "issuer" && g.schema_kind.is_none() && g.profile == profile.id)
        .flat_map(|g| &g.documents)
        .map(|(u, v)| (u.clone(), v.clone()))
        .collect()
}

/// [`seed_documents`] as the verifier takes them.
pub fn seed_document_set(profile: &Profile) -> crate::credential::verify::Documents {
    use crate::credential::verify::documents::Fetched;
    crate::credential::verify::Documents::new(
        seed_documents(profile)
            .into_iter()
            .map(|(u, v)| (u, Fetched::Json(v)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectors::check::judge;
    use crate::vectors::format::{Case, Group};
    use base64::Engine;
    use serde_json::json;

    fn committed() -> CaseFile {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/provider-seeds.json");
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    fn b64(part: &str) -> Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    /// The credential a seed carries (a VC-JWT's payload, `vc` claim or not).
    fn document(s: &SeedCredential) -> Value {
        match s {
            SeedCredential::Json(v) => v.clone(),
            SeedCredential::Jws(t) => {
                let p = b64(t.split('.').nth(1).unwrap());
                p.get("vc").cloned().unwrap_or(p)
            }
        }
    }

    /// What the provider stores and serves, as text.
    fn served(s: &SeedCredential) -> String {
        match s {
            SeedCredential::Json(v) => v.to_string(),
            SeedCredential::Jws(t) => json!(t).to_string(),
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

    /// The valid committed case of `profile`'s groups whose credential serializes
    /// to exactly `text`: (tcId, group `now`).
    fn found_in(file: &CaseFile, profile: &Profile, text: &str) -> Option<(u32, String)> {
        file.test_groups
            .iter()
            .filter(|g| g.profile == profile.id)
            .flat_map(|g| g.tests.iter().map(move |c| (g, c)))
            .find(|(_, c)| {
                c.result == Verdict::Valid
                    && serde_json::to_string(&c.credential).ok().as_deref() == Some(text)
            })
            .map(|(g, c)| (c.tc_id, g.now.clone()))
    }

    /// Every seed of `profile` is byte for byte a valid committed case of its
    /// group, verifies, is the learner's `kind`; one is an ES256 VC-JWT, and
    /// `validFrom` values are distinct, increasing, 2021..2025.
    fn seeds_are_committed_cases_and_verify(profile: &Profile, kind: &str) {
        let file = committed();
        let seeds = seed_credentials(profile);
        assert_eq!(seeds.len(), 6, "{}: {} seeds", profile.id, seeds.len());
        let mut froms = Vec::new();
        for s in &seeds {
            let text = served(s);
            let (tc, now) = found_in(&file, profile, &text)
                .unwrap_or_else(|| panic!("{}: not a valid committed case: {text}", profile.id));
            let v = match s {
                SeedCredential::Json(v) => v.clone(),
                SeedCredential::Jws(t) => json!(t),
            };
            conforms(profile, &now, v).unwrap_or_else(|e| panic!("tc{tc}: {e}"));
            let doc = document(s);
            assert!(
                doc["type"].as_array().unwrap().contains(&json!(kind)),
                "tc{tc}"
            );
            assert_eq!(doc["credentialSubject"]["id"], LEARNER_ID);
            assert_eq!(
                doc["credentialSubject"]["identifier"][0]["identityHash"],
                LEARNER_EMAIL
            );
            froms.push(doc["validFrom"].as_str().unwrap().to_string());
        }
        let jws: Vec<&String> = seeds
            .iter()
            .filter_map(|s| match s {
                SeedCredential::Jws(t) => Some(t),
                SeedCredential::Json(_) => None,
            })
            .collect();
        assert_eq!(jws.len(), 1, "{}", profile.id);
        assert_eq!(b64(jws[0].split('.').next().unwrap())["alg"], "ES256");
        let mut sorted = froms.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, froms, "validFrom values distinct and increasing");
        assert!(froms[0].starts_with("2021-") && froms[4].starts_with("2025-"));
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
        seeds_are_committed_cases_and_verify(Profile::clr(), "ClrCredential");
    }

    #[test]
    fn ob_seeds_are_committed_cases_and_verify() {
        seeds_are_committed_cases_and_verify(
            Profile::get("ob-3.0").unwrap(),
            "OpenBadgeCredential",
        );
    }

    #[test]
    fn json_ob_seeds_are_the_badges_the_clr_seeds_nest() {
        let nested: Vec<String> = seed_credentials(Profile::clr())
            .iter()
            .map(|s| document(s)["credentialSubject"]["verifiableCredential"][0].to_string())
            .collect();
        let ob = seed_credentials(Profile::get("ob-3.0").unwrap());
        let json: Vec<&SeedCredential> = ob
            .iter()
            .filter(|s| matches!(s, SeedCredential::Json(_)))
            .collect();
        assert_eq!(json.len(), 5);
        for s in json {
            assert!(nested.contains(&served(s)), "{}", served(s));
        }
    }

    #[test]
    fn a_changed_seed_is_neither_in_the_corpus_nor_valid() {
        let file = committed();
        for p in [Profile::clr(), Profile::get("ob-3.0").unwrap()] {
            let seeds = seed_credentials(p);
            let Some(SeedCredential::Json(mut v)) = seeds.first().cloned() else {
                panic!("first seed of {} is JSON", p.id)
            };
            v["name"] = json!("Changed after signing");
            assert!(found_in(&file, p, &v.to_string()).is_none());
            let e = conforms(p, "2026-06-01T00:00:00Z", v).unwrap_err();
            assert!(e.contains("proof.di.signature"), "{}: {e}", p.id);
            // The VC-JWT with one signature character changed.
            let Some(SeedCredential::Jws(t)) = seeds.last().cloned() else {
                panic!("last seed of {} is a VC-JWT", p.id)
            };
            let at = t.rfind('.').unwrap() + 10;
            let mut t = t.into_bytes();
            t[at] = if t[at] == b'A' { b'B' } else { b'A' };
            let t = String::from_utf8(t).unwrap();
            assert!(found_in(&file, p, &json!(t).to_string()).is_none());
            let e = conforms(p, "2026-06-01T00:00:00Z", json!(t)).unwrap_err();
            assert!(e.contains("proof.jwt.signature"), "{}: {e}", p.id);
        }
    }
}
