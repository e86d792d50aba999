//! Nested AchievementCredentials: each case breaks one rule inside the
//! credential a ClrCredential carries; the nested credential is re-signed by
//! its issuer and the record by the CLR issuer.

use super::{FileSpec, GroupSpec, college_nested, invalid, nested_mutated, small_clr, tamper};
use crate::vectors::build::{self, remove};
use crate::vectors::keys::keys;
use serde_json::{Value, json};

pub fn nested() -> FileSpec {
    let k = keys();
    let n = |reqs: &[&'static str], comment: &str, f: &dyn Fn(&mut Value)| {
        invalid(comment, &["Nested"], reqs, nested_mutated(f))
    };
    let ach = "/credentialSubject/achievement";
    let both = vec![
        n(
            &["data.achievement-credential.context-order"],
            "nested @context has no OB context",
            &|c| c["@context"] = json!([build::VC_V2]),
        ),
        invalid(
            "nested type is VerifiableCredential and BadgeCredential, a term no context defines: the entry is a verifiable credential of another type, so no AchievementCredential rule applies (audit D1), but JSON-LD drops the undefined type, and the record holds no AchievementCredential",
            &["Nested", "Generic", "DataLoss"],
            &[
                "data.jsonld.terms-defined",
                "data.clr-subject.achievement-credentials",
            ],
            nested_mutated(|c: &mut Value| {
                c["type"] = json!(["VerifiableCredential", "BadgeCredential"])
            }),
        ),
        n(
            &["data.achievement-credential.required"],
            "nested credential without validFrom",
            &|c| remove(c, "/validFrom"),
        ),
        n(
            &["data.achievement-credential.schema"],
            "nested description is a number",
            &|c| c["description"] = json!(42),
        ),
        n(
            &["data.achievement-credential.credential-schema"],
            "nested credentialSchema names the official schema; the credential breaks it",
            &|c| {
                c["description"] = json!(42);
                c["credentialSchema"] =
                    json!([{"id": build::AC_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}]);
            },
        ),
        n(
            &["data.achievement-subject.type"],
            "AchievementSubject type is Subject",
            &|c| c["credentialSubject"]["type"] = json!(["Subject"]),
        ),
        n(
            &["data.achievement-subject.identified"],
            "AchievementSubject has neither id nor identifier",
            &|c| remove(c, "/credentialSubject/id"),
        ),
        n(
            &["data.achievement-subject.achievement"],
            "achievement is a URI, not an object",
            &|c| c["credentialSubject"]["achievement"] = json!("https://example.edu/a"),
        ),
        n(
            &["data.achievement.required"],
            "Achievement without criteria",
            &|c| remove(c, &format!("{ach}/criteria")),
        ),
        n(
            &["data.result.type", "data.result.status"],
            "Result status outside the enumeration",
            &|c| {
                c["credentialSubject"]["result"] =
                    json!([{"type": ["Result"], "value": "A", "status": "Finished"}])
            },
        ),
        n(&["data.result.type"], "Result without type", &|c| {
            c["credentialSubject"]["result"] = json!([{"value": "A"}])
        }),
        n(
            &["data.result-description.required"],
            "ResultDescription without resultType",
            &|c| c["credentialSubject"]["achievement"]["resultDescription"] = json!([{"id": "https://example.edu/rd/1", "type": ["ResultDescription"], "name": "Grade"}]),
        ),
        n(
            &["data.alignment.required"],
            "Alignment without targetUrl",
            &|c| {
                c["credentialSubject"]["achievement"]["alignment"] =
                    json!([{"type": ["Alignment"], "targetName": "Writing"}])
            },
        ),
        n(&["data.related.required"], "Related without id", &|c| {
            c["credentialSubject"]["achievement"]["related"] =
                json!([{"type": ["Related"], "version": "2"}])
        }),
        n(
            &["data.identifier-entry.required"],
            "IdentifierEntry without identifierType",
            &|c| {
                c["credentialSubject"]["achievement"]["otherIdentifier"] =
                    json!([{"type": ["IdentifierEntry"], "identifier": "W-101"}])
            },
        ),
        n(&["data.image.shape"], "image type is not Image", &|c| {
            c["credentialSubject"]["achievement"]["image"] =
                json!({"id": "https://example.edu/img.png", "type": "Picture"})
        }),
        n(&["data.evidence.type"], "Evidence without type", &|c| {
            c["evidence"] = json!([{"name": "Essay"}])
        }),
        invalid(
            "nested credential without a proof",
            &["Nested"],
            &["proof.nested.present"],
            {
                let mut c = small_clr();
                c["credentialSubject"]["verifiableCredential"] =
                    json!([super::college_nested_unsigned()]);
                build::sign_di(&c, &k.clr)
            },
        ),
        invalid(
            "nested VC-JWT that does not decode",
            &["Nested", "Jwt"],
            &["proof.nested.present"],
            {
                let mut c = small_clr();
                c["credentialSubject"]["verifiableCredential"] =
                    json!(["eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln"]);
                build::sign_di(&c, &k.clr)
            },
        ),
    ];
    let tampered = {
        let mut n = college_nested().clone();
        n = tamper(n, "/name");
        let mut c = small_clr();
        c["credentialSubject"]["verifiableCredential"] = json!([n]);
        build::sign_di(&c, &k.clr)
    };
    let displayer_only = vec![
        invalid(
            "nested credential changed after its issuer signed it (the record's own proof is fine)",
            &["Nested", "Tampered"],
            &["verify.nested.proof", "proof.di.signature"],
            tampered,
        ),
        invalid(
            "poison graph: two nested credentials whose identical Result holds eight identical \
             Alignments; RDFC-1.0 stops at its work limit and the proof fails, naming it",
            &["Nested", "Poison"],
            &["proof.di.signature"],
            poison(),
        ),
    ];
    let generic = generic_cases(false);
    let copy = both.to_vec();
    FileSpec {
        name: "nested.json",
        topic: "nested AchievementCredentials",
        header: vec![
            "ClrCredentials whose one nested AchievementCredential (issued by another issuer) breaks one rule.",
            "The nested credential is signed by its issuer after the mutation and the record by the CLR issuer, so only the named rule fails.",
        ],
        first_id: 2000,
        groups: vec![
            GroupSpec::new("issuer", both),
            GroupSpec::new(
                "displayer",
                [
                    copy,
                    displayer_only,
                    generic_cases(true),
                    generic_displayer_cases(),
                ]
                .concat(),
            ),
            // Appended last so earlier tcIds stay stable.
            GroupSpec::new("issuer", generic),
            GroupSpec::new("issuer", vec![standalone_untyped()]).profile("ob-3.0"),
        ],
    }
}

/// Inside a record a credential of another type is a generic one; given on
/// its own under ob-3.0 it is judged as the OpenBadgeCredential it should be.
fn standalone_untyped() -> super::CaseSpec {
    let mut c = super::college_nested_unsigned();
    c["type"] = json!(["VerifiableCredential"]);
    invalid(
        "a standalone credential under ob-3.0 whose type lacks AchievementCredential and OpenBadgeCredential",
        &[],
        &["data.achievement-credential.type"],
        build::sign_di(&c, &keys().college),
    )
}

/// A verifiable credential that is not an AchievementCredential (a degree in
/// the W3C examples vocabulary) issued by the college, unsigned: the CLR
/// schema allows any verifiable credential in `ClrSubject.verifiableCredential`.
fn generic_unsigned() -> Value {
    json!({
        "@context": [build::VC_V2, "https://www.w3.org/ns/credentials/examples/v2"],
        "id": "urn:uuid:00000000-0000-4000-8000-000000000900",
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "issuer": keys().college.id,
        "validFrom": build::VALID_FROM,
        "credentialSubject": {
            "id": build::LEARNER,
            "degree": {"type": "ExampleBachelorDegree", "name": "Bachelor of Science and Arts"}
        }
    })
}

/// The small CLR holding `nested`, signed by the CLR issuer.
fn holding(nested: Vec<Value>) -> Value {
    let mut c = small_clr();
    c["credentialSubject"]["verifiableCredential"] = json!(nested);
    build::sign_di(&c, &keys().clr)
}

/// Nested credentials of other types (audit D1, G5): judged as verifiable
/// credentials, never by the AchievementCredential rules.
/// For a displayer a record of only other credentials is simply valid (the
/// SHOULD is the issuer's).
fn generic_cases(displayer: bool) -> Vec<super::CaseSpec> {
    use crate::vectors::format::Verdict;
    let k = keys();
    let only_other = if displayer {
        Verdict::Valid
    } else {
        Verdict::Acceptable
    };
    let signed = build::sign_di(&generic_unsigned(), &k.college);
    vec![
        super::valid(
            "a record holding an AchievementCredential and a verifiable credential of another type: both verify, no AchievementCredential rule applies to the second",
            &["Nested", "Generic"],
            &[
                "data.clr-subject.nested-shape",
                "data.clr-subject.achievement-credentials",
            ],
            holding(vec![college_nested().clone(), signed.clone()]),
        ),
        super::spec(
            "a record whose only nested credential is not an AchievementCredential: valid (for an issuer the record holds no AchievementCredential, a SHOULD)",
            if displayer {
                &["Nested", "Generic"]
            } else {
                &["Nested", "Generic", "Should"]
            },
            &["data.clr-subject.achievement-credentials"],
            only_other,
            holding(vec![signed.clone()]),
        ),
        invalid(
            "a nested credential of another type without a proof",
            &["Nested", "Generic"],
            &["proof.nested.present"],
            holding(vec![college_nested().clone(), generic_unsigned()]),
        ),
    ]
}

/// A verifier checks a nested credential of another type like any other.
fn generic_displayer_cases() -> Vec<super::CaseSpec> {
    let signed = build::sign_di(&generic_unsigned(), &keys().college);
    vec![invalid(
        "a nested credential of another type changed after its issuer signed it: it must still verify",
        &["Nested", "Generic", "Tampered"],
        &["verify.nested.proof", "proof.di.signature"],
        holding(vec![
            college_nested().clone(),
            tamper(signed, "/credentialSubject/degree/name"),
        ]),
    )]
}

/// A record no verifier can canonicalize in bounded work: two nested credentials (each
/// valid, signed by its issuer) carry the same blank Result with eight identical blank
/// Alignments, so RDFC-1.0's N-degree hash recurses through the alignments' permutations
/// at two levels until the 4,000-call limit (`rdf-canon` and ours alike). The record's
/// proof is the small record's, so it would fail even if canonicalized.
fn poison() -> Value {
    let k = keys();
    let alignment = json!({
        "type": ["Alignment"],
        "targetName": "Same target",
        "targetUrl": "https://example.org/same-target"
    });
    let result = json!({"type": ["Result"], "alignment": vec![alignment; 8]});
    let nested = |n: u32| {
        let mut c = super::college_nested_unsigned();
        c["id"] = json!(format!("urn:uuid:5e0a51e2-0000-4000-8000-00000000000{n}"));
        c["credentialSubject"]["result"] = json!([result.clone()]);
        build::sign_di(&c, &k.college)
    };
    let mut c = build::sign_di(&small_clr(), &k.clr);
    c["credentialSubject"]["verifiableCredential"] = json!([nested(1), nested(2)]);
    c
}
