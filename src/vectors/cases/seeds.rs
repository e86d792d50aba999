//! The learner's records that the reference provider (`clr-conformance serve`)
//! serves, as valid cases, one issuer group per spec profile. `clr-2.0`: five
//! ClrCredentials with `eddsa-rdfc-2022` proofs and one ES256 VC-JWT record,
//! `validFrom` spread over 2021..2025 so paging and `since` can be tested; each
//! nests one OpenBadgeCredential signed by its issuer. `ob-3.0`: the same shape
//! for Open Badges: the first five of those OpenBadgeCredentials and one ES256
//! VC-JWT OpenBadgeCredential. Keeping the seeds in the corpus means everything
//! the provider serves verifies with the published TEST ONLY keys, and
//! `vectors check` proves the served bytes fresh.

use super::{CaseSpec, FileSpec, GroupSpec, valid};
use crate::credential::proof::{attach_proof, sign_data_integrity};
use crate::vectors::build::{self, AC_SCHEMA, Alg};
use crate::vectors::keys::{Issuer, keys};
use serde_json::{Value, json};

/// The learner's subject id in every seed.
pub const LEARNER_ID: &str = "did:example:learner";
/// The learner's e-mail, also their IdentityObject.
pub const LEARNER_EMAIL: &str = "learner@example.edu";
/// The file the provider embeds.
pub const FILE: &str = "provider-seeds.json";

/// (validFrom, achievement slug, achievement name) of each record, oldest first.
/// The last one is the VC-JWT record.
const RECORDS: &[(&str, &str, &str)] = &[
    (
        "2021-01-15T09:00:00Z",
        "programming-101",
        "Introduction to Programming",
    ),
    ("2022-03-01T12:00:00Z", "data-structures", "Data Structures"),
    ("2023-06-10T15:30:00Z", "writing-201", "Academic Writing"),
    ("2024-02-20T08:45:00Z", "statistics-1", "Statistics I"),
    ("2025-01-05T10:00:00Z", "capstone", "Capstone Project"),
    (
        "2025-09-30T16:20:00Z",
        "teamwork",
        "Teamwork and Leadership",
    ),
];

fn identifier() -> Value {
    json!([{
        "type": "IdentityObject",
        "hashed": false,
        "identityHash": LEARNER_EMAIL,
        "identityType": "emailAddress",
    }])
}

/// `cred` with an `eddsa-rdfc-2022` proof by `issuer`, created at `created`.
fn sign(cred: &Value, issuer: &Issuer, created: &str) -> Value {
    let cred = &build::defined(cred);
    match sign_data_integrity(
        cred,
        &issuer.key,
        &issuer.method,
        created,
        "eddsa-rdfc-2022",
    ) {
        Ok(p) => attach_proof(cred, p),
        // Left unsigned: `vectors check` then fails the case.
        Err(_) => cred.clone(),
    }
}

/// The issuer of record `n`'s OpenBadgeCredential (1-based): the university
/// (odd) or the college (even).
fn badge_issuer(n: usize) -> &'static Issuer {
    let k = keys();
    if n % 2 == 1 {
        &k.university
    } else {
        &k.college
    }
}

/// The unsigned OpenBadgeCredential `id` by `issuer` for record `from`, `slug`, `name`.
fn badge(id: usize, issuer: &Issuer, from: &str, slug: &str, name: &str) -> Value {
    json!({
        "@context": [build::VC_V2, build::OB_CTX],
        "id": format!("urn:uuid:00000000-0000-4000-8000-{id:012}"),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer.profile(),
        "validFrom": from,
        "name": name,
        "description": format!("{name}, awarded to the learner (TEST ONLY)."),
        "credentialSubject": {
            "id": LEARNER_ID,
            "type": ["AchievementSubject"],
            "identifier": identifier(),
            "achievement": build::achievement(issuer, slug, name),
        },
        "credentialSchema": [{"id": AC_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    })
}

/// The signed OpenBadgeCredential of record `n` (1-based), by its badge issuer.
fn open_badge(n: usize, from: &str, slug: &str, name: &str) -> Value {
    let issuer = badge_issuer(n);
    sign(&badge(2100 + n, issuer, from, slug, name), issuer, from)
}

/// The unsigned ClrCredential of record `n` holding its OpenBadgeCredential.
fn record(n: usize, from: &str, ob: Value) -> Value {
    let k = keys();
    let achievement = ob["credentialSubject"]["achievement"].clone();
    let name = achievement["name"].as_str().unwrap_or_default().to_string();
    json!({
        "@context": [build::VC_V2, build::CLR_CTX, build::OB_CTX],
        "id": format!("urn:uuid:00000000-0000-4000-8000-{:012}", 2000 + n),
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": k.clr.profile(),
        "validFrom": from,
        "name": format!("Comprehensive Learner Record: {name} (TEST ONLY)"),
        "description": "The learner's record.",
        "credentialSubject": {
            "id": LEARNER_ID,
            "type": ["ClrSubject"],
            "identifier": identifier(),
            "verifiableCredential": [ob],
            "achievement": [achievement],
        },
        "credentialSchema": [{"id": build::CLR_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    })
}

pub fn provider_seeds() -> FileSpec {
    FileSpec {
        name: FILE,
        topic: "reference provider seeds",
        header: vec![
            "The learner's records served by the reference provider (`clr-conformance serve`), oldest first, one issuer group per spec profile.",
            "The provider serves the valid cases of the group whose profile it runs: JSON credentials in `credential`, the VC-JWT in `compactJwsString`.",
            "clr-2.0: ClrCredentials, each nesting an OpenBadgeCredential signed by its issuer; ob-3.0: the first five of those OpenBadgeCredentials and one VC-JWT OpenBadgeCredential.",
        ],
        first_id: 20000,
        groups: vec![
            GroupSpec::new("issuer", clr_seeds()),
            GroupSpec::new("issuer", ob_seeds()).profile("ob-3.0"),
        ],
    }
}

/// Requirements an ES256 VC-JWT seed exercises.
const JWT: &[&str] = &["proof.jwt.signature", "proof.jwt.alg-supported"];

fn clr_seeds() -> Vec<CaseSpec> {
    let k = keys();
    let nested = [
        "data.clr-subject.verifiable-credential",
        "verify.nested.each",
        "verify.nested.proof",
    ];
    per_record(|n, last, from, slug, name| {
        let clr = record(n, from, open_badge(n, from, slug, name));
        if last {
            let reqs = [JWT, &nested[..]].concat();
            valid(
                &format!(
                    "seed {n}: the learner's {name} record as a VC-JWT signed ES256; its OpenBadgeCredential signed by its issuer"
                ),
                &["Nested", "Jwt"],
                &reqs,
                build::sign_jwt_as(&clr, Alg::Es256, &k.clr, |_| {}),
            )
        } else {
            let reqs = [&["proof.di.signature"][..], &nested[..]].concat();
            valid(
                &format!(
                    "seed {n}: the learner's {name} record (eddsa-rdfc-2022); its OpenBadgeCredential signed by its issuer"
                ),
                &["Nested"],
                &reqs,
                sign(&clr, &k.clr, from),
            )
        }
    })
}

/// The OB 3.0 seeds: the OpenBadgeCredentials of the first records, byte for
/// byte the ones the ClrCredentials nest, and the last record's badge issued
/// by the records issuer as an ES256 VC-JWT (its P-256 key is the corpus one).
fn ob_seeds() -> Vec<CaseSpec> {
    let k = keys();
    per_record(|n, last, from, slug, name| {
        if last {
            valid(
                &format!(
                    "seed {n}: the learner's {name} OpenBadgeCredential as a VC-JWT signed ES256 by the records issuer"
                ),
                &["Jwt"],
                JWT,
                build::sign_jwt_as(
                    &badge(2200 + n, &k.clr, from, slug, name),
                    Alg::Es256,
                    &k.clr,
                    |_| {},
                ),
            )
        } else {
            valid(
                &format!(
                    "seed {n}: the learner's {name} OpenBadgeCredential (eddsa-rdfc-2022), as the record of seed {n} nests it"
                ),
                &[],
                &["proof.di.signature"],
                open_badge(n, from, slug, name),
            )
        }
    })
}

/// One case per record, numbered from 1; `last` marks the record served as a VC-JWT.
fn per_record(case: impl Fn(usize, bool, &str, &str, &str) -> CaseSpec) -> Vec<CaseSpec> {
    RECORDS
        .iter()
        .enumerate()
        .map(|(i, (from, slug, name))| case(i + 1, i + 1 == RECORDS.len(), from, slug, name))
        .collect()
}
