//! ClrCredential cases (valid records in every proof format; one invalid case
//! per ClrCredential / ClrSubject / Association rule) and API payloads.

use super::{FileSpec, GroupSpec, clr_mutated, full_clr, invalid, rich_nested, small_clr, valid};
use crate::vectors::build::{self, Alg, remove, set};
use crate::vectors::keys::keys;
use serde_json::{Value, json};

pub fn clr_credential() -> FileSpec {
    let k = keys();
    let full = full_clr();
    let di = build::sign_di(&full, &k.clr);
    let rs = build::sign_jwt_as(&full, Alg::Rs256, &k.clr, |_| {});
    let es = build::sign_jwt_as(&full, Alg::Es256, &k.clr, |_| {});
    let ed = build::sign_jwt_as(&full, Alg::EdDsa, &k.clr, |_| {});
    let parts = [
        "data.clr.context-order",
        "data.clr.type",
        "data.clr.credential-subject",
        "data.clr-subject.verifiable-credential",
        "data.association.required",
        "verify.nested.each",
        "verify.nested.proof",
        "verify.endorsements",
        "data.result.status",
        "data.alignment.required",
        "data.evidence.type",
    ];
    let mut issuer_valid = vec![
        valid(
            "ClrCredential with an eddsa-rdfc-2022 proof; two nested AchievementCredentials signed by two other issuers (https and did:key), associations, an endorsement, results, evidence, alignments",
            &["Nested", "Endorsed"],
            &[&["proof.di.signature"][..], &parts[..]].concat(),
            di.clone(),
        ),
        valid(
            "the same record as a VC-JWT signed RS256 (key in the jwk header)",
            &["Nested", "Jwt"],
            &[
                &["proof.jwt.signature", "proof.jwt.alg-supported"][..],
                &parts[..],
            ]
            .concat(),
            rs.clone(),
        ),
        valid(
            "the same record as a VC-JWT signed ES256",
            &["Nested", "Jwt"],
            &["proof.jwt.signature", "proof.jwt.alg-supported"],
            es.clone(),
        ),
    ];
    issuer_valid.push(valid(
        "small record: one nested credential, no associations",
        &["Nested"],
        &["proof.di.signature"],
        build::sign_di(&small_clr(), &k.clr),
    ));
    let displayer_valid = vec![
        valid(
            "ClrCredential with an eddsa-rdfc-2022 proof (as judged by a displayer)",
            &["Nested", "Endorsed"],
            &parts,
            di,
        ),
        valid(
            "RS256 VC-JWT record: every verifier supports RS256",
            &["Nested", "Jwt"],
            &["proof.jwt.alg", "proof.jwt.signature"],
            rs,
        ),
        valid(
            "ES256 VC-JWT record",
            &["Nested", "Jwt"],
            &["proof.jwt.signature"],
            es,
        ),
        valid(
            "EdDSA VC-JWT record (kid is the issuer's verification method)",
            &["Nested", "Jwt"],
            &["proof.jwt.signature"],
            ed.clone(),
        ),
    ];
    let both = |reqs: &[&'static str], comment: &str, f: &dyn Fn(&mut Value)| {
        invalid(comment, &[], reqs, clr_mutated(f))
    };
    let as_is = |c: &Value| build::sign_di_as_is(c, &k.clr, &k.clr.method);
    // Appended after the older cases, so their tcIds stay.
    let data_loss = vec![
        invalid(
            "1EdTechJsonSchemaValidator2019 without the OB extensions context (signed as is): JSON-LD drops the type, the proof does not cover it",
            &["DataLoss"],
            &["data.jsonld.terms-defined"],
            as_is(&small_clr()),
        ),
        invalid(
            "a property no context defines on the ClrSubject (signed as is)",
            &["DataLoss"],
            &["data.jsonld.terms-defined"],
            {
                let mut c = build::defined(&small_clr());
                c["credentialSubject"]["gpa"] = json!("3.9");
                as_is(&c)
            },
        ),
        invalid(
            "nested credential: 1EdTechJsonSchemaValidator2019 without the OB extensions context (signed as is by its issuer)",
            &["DataLoss", "Nested"],
            &["data.jsonld.terms-defined"],
            {
                let mut n = super::college_nested_unsigned();
                n["credentialSchema"] =
                    json!([{"id": build::AC_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}]);
                let n = build::sign_di_as_is(&n, &k.college, &k.college.method);
                let mut c = small_clr();
                c["credentialSubject"]["verifiableCredential"] = json!([n]);
                build::sign_di(&c, &k.clr)
            },
        ),
        invalid(
            "a context that is not bundled (https://contexts.example.org/unbundled/v1): the proof cannot be verified offline (an error, not a bad signature)",
            &["ContextUnavailable"],
            &["proof.di.signature", "verify.proof.required"],
            {
                // Signed with the context's URL, then pointed at one no verifier can load.
                let mut c = build::sign_di(&small_clr(), &k.clr);
                if let Some(Value::Array(list)) = c.get_mut("@context") {
                    list.push(json!("https://contexts.example.org/unbundled/v1"));
                }
                c
            },
        ),
    ];
    // CLR-only rules (CLR-SOURCES-AUDIT G1, G2, G4), appended so earlier tcIds stay.
    let clr_terms = vec![
        both(
            &["data.clr.partial-type", "data.clr.schema"],
            "partial is the string \"yes\", not a boolean",
            &|c| c["partial"] = json!("yes"),
        ),
        invalid(
            "partial used under the CLR context.json, which does not define it: JSON-LD drops it, the proof does not cover it",
            &["DataLoss"],
            &[
                "data.clr.context-defines-used-terms",
                "data.jsonld.terms-defined",
            ],
            clr_mutated(|c| {
                c["partial"] = json!(true);
                c["@context"] = json!([build::VC_V2, build::CLR_ALIAS, build::OB_CTX]);
            }),
        ),
    ];
    let salt_cases = vec![super::spec(
        "a hashed identifier without a salt: a SHOULD, so either verdict is acceptable",
        &["Should"],
        &["data.clr-subject.identity-salted"],
        crate::vectors::format::Verdict::Acceptable,
        clr_mutated(|c| {
            c["credentialSubject"]["identifier"] = json!([{"type": "IdentityObject", "hashed": true, "identityType": "emailAddress",
                "identityHash": "sha256$b2f5ff47436671b6e533d8dc3614845d6fa9f0a0f5bd2e0b2d1d3e26b9b0fa1c"}]);
        }),
    )];
    let mut negatives = vec![
        both(
            &["data.clr.type"],
            "type lacks VerifiableCredential",
            &|c| c["type"] = json!(["ClrCredential"]),
        ),
        both(&["data.clr.id"], "id removed", &|c| remove(c, "/id")),
        both(&["data.clr.name"], "name removed", &|c| remove(c, "/name")),
        both(&["data.clr.issuer"], "issuer is a number", &|c| {
            c["issuer"] = json!(42)
        }),
        both(&["data.clr.valid-from"], "validFrom removed", &|c| {
            remove(c, "/validFrom")
        }),
        both(
            &["data.clr.credential-subject"],
            "credentialSubject is a string",
            &|c| c["credentialSubject"] = json!(build::LEARNER),
        ),
        both(&["data.clr.schema"], "description is a number", &|c| {
            c["description"] = json!(42)
        }),
        both(
            &["data.clr.credential-schema", "verify.conformance.schema"],
            "credentialSchema names the official schema and the credential breaks it (description is a number)",
            &|c| c["description"] = json!(42),
        ),
        both(
            &["data.clr.credential-schema-entry"],
            "credentialSchema entry without type",
            &|c| c["credentialSchema"] = json!([{"id": build::CLR_SCHEMA}]),
        ),
        both(
            &["data.clr-subject.type"],
            "credentialSubject.type is AchievementSubject",
            &|c| c["credentialSubject"]["type"] = json!(["AchievementSubject"]),
        ),
        both(
            &[
                "data.clr-subject.identified",
                "verify.conformance.subject-identified",
            ],
            "ClrSubject has neither id nor identifier",
            &|c| remove(c, "/credentialSubject/id"),
        ),
        both(
            &["data.clr-subject.verifiable-credential"],
            "verifiableCredential is empty",
            &|c| c["credentialSubject"]["verifiableCredential"] = json!([]),
        ),
        invalid(
            "nested entry lacks VerifiableCredential in type and validFrom (re-signed by its issuer)",
            &["Nested"],
            &["data.clr-subject.nested-shape"],
            super::nested_mutated(|n| {
                n["type"] = json!(["AchievementCredential"]);
                remove(n, "/validFrom");
            }),
        ),
        both(
            &["data.clr-subject.identifier"],
            "identifier entry has no identityHash",
            &|c| {
                c["credentialSubject"]["identifier"] = json!([{"type": "IdentityObject", "hashed": false, "identityType": "emailAddress"}]);
            },
        ),
        both(
            &["data.clr-subject.identity-hash"],
            "hashed identifier whose identityHash names no algorithm",
            &|c| {
                c["credentialSubject"]["identifier"] = json!([{"type": "IdentityObject", "hashed": true, "identityHash": "0123456789abcdef", "identityType": "emailAddress", "salt": "s"}]);
            },
        ),
        both(
            &["data.association.required"],
            "association without targetId",
            &|c| {
                let a = c["credentialSubject"]["achievement"][0]["id"].clone();
                c["credentialSubject"]["association"] =
                    json!([{"type": "Association", "associationType": "isPeerOf", "sourceId": a}]);
            },
        ),
        both(
            &["data.association.type"],
            "associationType outside the enumeration",
            &|c| {
                let a = c["credentialSubject"]["achievement"][0]["id"].clone();
                c["credentialSubject"]["association"] = json!([{"type": "Association", "associationType": "isCousinOf", "sourceId": a.clone(), "targetId": a}]);
            },
        ),
        both(
            &["data.issuer.profile"],
            "issuer object whose type lacks Profile",
            &|c| c["issuer"]["type"] = json!(["Organization"]),
        ),
        both(
            &["data.issuer.schema"],
            "issuer Profile with a numeric email",
            &|c| c["issuer"]["email"] = json!(42),
        ),
        both(
            &["data.serialization.json-types"],
            "a number given as a string (achievement creditsAvailable)",
            &|c| c["credentialSubject"]["achievement"][0]["creditsAvailable"] = json!("3"),
        ),
        both(
            &["data.enum.extension-prefix"],
            "achievementType neither a defined term nor ext:-prefixed",
            &|c| c["credentialSubject"]["achievement"][0]["achievementType"] = json!("Coursework"),
        ),
        both(
            &["data.clr-subject.nested-shape"],
            "a nested entry is a number",
            &|c| c["credentialSubject"]["verifiableCredential"] = json!([42]),
        ),
        both(
            &["verify.conformance.structure"],
            "type lacks ClrCredential: not a conforming ClrCredential",
            &|c| c["type"] = json!(["VerifiableCredential"]),
        ),
        both(
            &["data.credential-status.shape"],
            "credentialStatus without id",
            &|c| c["credentialStatus"] = json!({"type": "1EdTechRevocationList"}),
        ),
        both(
            &["data.refresh-service.shape"],
            "refreshService without type",
            &|c| c["refreshService"] = json!({"id": "https://records.example.edu/refresh/1"}),
        ),
        both(
            &["data.terms-of-use.shape"],
            "termsOfUse without type",
            &|c| c["termsOfUse"] = json!([{"id": "https://records.example.edu/terms"}]),
        ),
    ];
    let should = |reqs: &[&'static str], comment: &str, c: Value| {
        super::spec(
            comment,
            &["Should"],
            reqs,
            crate::vectors::format::Verdict::Acceptable,
            c,
        )
    };
    let issuer_should = vec![
        should(
            &["data.issuer.name"],
            "issuer Profile without a name: a SHOULD, so either verdict is acceptable",
            clr_mutated(|c| remove(c, "/issuer/name")),
        ),
        should(
            &["data.association.source-target"],
            "association targetId names no achievement in the record",
            clr_mutated(|c| {
                let a = c["credentialSubject"]["achievement"][0]["id"].clone();
                c["credentialSubject"]["association"] = json!([{"type": "Association", "associationType": "isPeerOf", "sourceId": a, "targetId": "https://elsewhere.example.org/achievements/unknown"}]);
            }),
        ),
        should(
            &["data.clr.context-current"],
            "an older CLR context version (context.json, 2.0.0)",
            clr_mutated(|c| c["@context"] = json!([build::VC_V2, build::CLR_ALIAS, build::OB_CTX])),
        ),
        should(
            &["proof.di.controller-matches-issuer"],
            "signed with the university's key: the verification method's controller is not the issuer",
            build::sign_di(&small_clr(), &k.university),
        ),
    ];
    let issuer_only = vec![
        invalid(
            "credentialSchema names a schema other than the official ClrCredential schema",
            &[],
            &["data.clr.credential-schema-official"],
            clr_mutated(
                |c| c["credentialSchema"] = json!([{"id": "https://records.example.edu/schemas/clr.json", "type": "1EdTechJsonSchemaValidator2019"}]),
            ),
        ),
        invalid(
            "a null value (description)",
            &[],
            &["data.serialization.no-null"],
            clr_mutated(|c| c["description"] = Value::Null),
        ),
        invalid(
            "issuer Profile id is not a URI",
            &[],
            &["data.profile.id"],
            clr_mutated(|c| c["issuer"]["id"] = json!("records office")),
        ),
        invalid(
            "issuer Profile type is Organization",
            &[],
            &["data.profile.type"],
            clr_mutated(|c| c["issuer"]["type"] = json!(["Organization"])),
        ),
        super::spec(
            "EdDSA VC-JWT: a valid signature with a registered algorithm, but only RS256 is one every verifier must support (an interop warning, not a failure)",
            &["Jwt", "Should"],
            &["proof.jwt.alg-supported"],
            crate::vectors::format::Verdict::Acceptable,
            ed,
        ),
    ];
    let _ = set;
    let displayer_neg: Vec<_> = negatives
        .iter()
        .map(|c| {
            super::spec(
                &c.comment,
                &c.flags,
                &c.requirements,
                c.result,
                c.credential.clone(),
            )
        })
        .collect();
    negatives.extend(issuer_only);
    let _ = rich_nested;
    let known = "conformance@imsglobal.org";
    let with_identifier = |ident: Value| {
        clr_mutated(move |c| c["credentialSubject"]["identifier"] = json!([ident.clone()]))
    };
    let salted = {
        use sha2::{Digest, Sha256};
        format!(
            "sha256${}",
            hex::encode(Sha256::digest(format!("{known}pepper").as_bytes()))
        )
    };
    let ident = |hashed: bool, hash: &str, salt: Option<&str>| {
        let mut v = json!({"type": "IdentityObject", "hashed": hashed, "identityHash": hash, "identityType": "emailAddress"});
        if let Some(s) = salt {
            v["salt"] = json!(s);
        }
        v
    };
    let mut cert = GroupSpec::new(
        "issuer",
        vec![
            valid(
                "issued to the certification recipient (plaintext emailAddress identifier)",
                &["Recipient"],
                &["data.cert.recipient"],
                with_identifier(ident(false, known, None)),
            ),
            valid(
                "issued to the certification recipient (salted sha256 identityHash)",
                &["Recipient"],
                &["data.cert.recipient"],
                with_identifier(ident(true, &salted, Some("pepper"))),
            ),
            invalid(
                "issued to someone else",
                &["Recipient"],
                &["data.cert.recipient"],
                with_identifier(ident(false, "learner@example.edu", None)),
            ),
        ],
    );
    cert.expect_recipient = Some(known);
    let mut recipient = GroupSpec::new(
        "displayer",
        vec![
            valid(
                "recipient matched by a salted sha256 identityHash",
                &["Recipient"],
                &["verify.recipient.hashed"],
                with_identifier(ident(true, &salted, Some("pepper"))),
            ),
            invalid(
                "hashed identifier whose identityHash names no algorithm",
                &["Recipient"],
                &["verify.recipient.hashed"],
                with_identifier(ident(true, "0123456789abcdef", Some("pepper"))),
            ),
        ],
    );
    recipient.expect_recipient = Some(known);
    FileSpec {
        name: "clr-credential.json",
        topic: "ClrCredential",
        header: vec![
            "ClrCredentials: valid records in both proof formats, then one invalid record per ClrCredential, ClrSubject, Association and shared data-model rule.",
            "Every invalid record is signed after its mutation, so its proof verifies and only the named rule fails.",
        ],
        first_id: 1000,
        groups: vec![
            GroupSpec::new(
                "issuer",
                [
                    issuer_valid,
                    negatives,
                    issuer_should,
                    data_loss.clone(),
                    clr_terms.clone(),
                    salt_cases,
                ]
                .concat(),
            ),
            GroupSpec::new(
                "displayer",
                [displayer_valid, displayer_neg, data_loss, clr_terms].concat(),
            ),
            cert,
            recipient,
        ],
    }
}

/// API bodies judged by their JSON Schema only.
pub fn api_payloads() -> FileSpec {
    let k = keys();
    let clr = build::sign_di(&small_clr(), &k.clr);
    let _ = &clr;
    let jws = build::sign_jwt_as(&small_clr(), Alg::Es256, &k.clr, |_| {});
    let resp = |reqs: &[&'static str], comment: &str, body: Value, ok: bool| {
        let f = if ok { super::valid } else { super::invalid };
        f(comment, &["Api"], reqs, body)
    };
    let body_req = &["api.get-credentials.body-schema"][..];
    let status_req = &["api.errors.status-info-schema"][..];
    let profile_req = &["data.profile.schema", "api.get-profile.body"][..];
    let mut get = GroupSpec::new(
        "service-provider-read",
        vec![
            resp(
                body_req,
                "credential and compactJwsString",
                json!({"credential": [clr.clone()], "compactJwsString": [jws.clone()]}),
                true,
            ),
            resp(body_req, "empty response", json!({}), true),
            resp(
                body_req,
                "a credential entry is a number",
                json!({"credential": [42]}),
                false,
            ),
            resp(
                body_req,
                "compactJwsString entry is not a compact JWS",
                json!({"compactJwsString": ["not a jws"]}),
                false,
            ),
        ],
    );
    get.schema_kind = Some("GetClrCredentialsResponse");
    let mut status = GroupSpec::new(
        "service-provider-read",
        vec![
            resp(
                status_req,
                "failure with codeMinor",
                json!({"imsx_codeMajor": "failure", "imsx_severity": "error", "imsx_description": "not found", "imsx_codeMinor": {"imsx_codeMinorField": [{"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": "not_found"}]}}),
                true,
            ),
            resp(
                status_req,
                "imsx_severity missing",
                json!({"imsx_codeMajor": "failure"}),
                false,
            ),
            resp(
                status_req,
                "imsx_codeMajor outside the enumeration",
                json!({"imsx_codeMajor": "broken", "imsx_severity": "error"}),
                false,
            ),
        ],
    );
    status.schema_kind = Some("Imsx_StatusInfo");
    let mut profile = GroupSpec::new(
        "service-provider-read",
        vec![
            resp(
                profile_req,
                "a Profile",
                json!({"id": k.clr.id, "type": ["Profile"], "name": k.clr.name, "email": "records@example.edu"}),
                true,
            ),
            resp(
                profile_req,
                "Profile without type",
                json!({"id": k.clr.id, "name": k.clr.name}),
                false,
            ),
            resp(
                profile_req,
                "Profile whose email is a number",
                json!({"id": k.clr.id, "type": ["Profile"], "email": 42}),
                false,
            ),
        ],
    );
    profile.schema_kind = Some("Profile");
    FileSpec {
        name: "api-payloads.json",
        topic: "API payloads",
        header: vec![
            "Bodies of the CLR 2.0 API (GetClrCredentialsResponse, Imsx_StatusInfo, Profile).",
            "Each group's schemaKind names the JSON Schema that judges its bodies; there is no proof or date to check.",
        ],
        first_id: 9000,
        groups: vec![get, status, profile],
    }
}
