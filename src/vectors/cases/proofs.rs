//! Proof cases: embedded Data Integrity proofs (and VC 1.1 legacy suites),
//! and VC-JWT headers, claims and signatures.

use super::{FileSpec, GroupSpec, invalid, small_clr, tamper, valid};
use crate::vectors::build::{self, Alg, CREATED, VALID_UNTIL};
use crate::vectors::keys::keys;
use base64::Engine;
use serde_json::{Map, Value, json};

/// A VC 1.1 ClrCredential signed with Ed25519Signature2020 by the CLR issuer.
pub fn legacy_clr() -> Value {
    build::sign_2020(&super::legacy_clr_unsigned(), &keys().clr)
}

pub fn proofs_di() -> FileSpec {
    let k = keys();
    let base = build::defined(&small_clr());
    let edit = |f: &dyn Fn(&mut Value)| build::sign_di_proof_edit(&base, &k.clr, f);
    // The record signed with the deprecated eddsa-2022 cryptosuite.
    let eddsa_2022 = match crate::credential::proof::sign_data_integrity(
        &base,
        &k.clr.key,
        &k.clr.method,
        CREATED,
        "eddsa-2022",
    ) {
        Ok(p) => crate::credential::proof::attach_proof(&base, p),
        Err(_) => base.clone(),
    };
    let secret_fragment = format!(
        "{}#{}",
        k.clr.id,
        crate::credential::proof::keys::encode_secret_multikey(&k.clr.key)
    );
    let both = vec![
        invalid("no proof at all", &[], &["proof.present"], base.clone()),
        invalid("proof is a string", &[], &["proof.embedded.location"], {
            let mut c = base.clone();
            c["proof"] = json!("z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk");
            c
        }),
        invalid(
            "proofPurpose is authentication",
            &[],
            &["proof.di.proof-purpose"],
            edit(&|p| p["proofPurpose"] = json!("authentication")),
        ),
        invalid(
            "verificationMethod names a did:key fragment that is not the key",
            &[],
            &["proof.di.verification-method"],
            edit(&|p| {
                p["verificationMethod"] = json!(format!("did:key:{}#key-2", k.clr.multikey()))
            }),
        ),
        invalid(
            "verificationMethod fragment is a secret-key multibase, not an Ed25519 public Multikey",
            &[],
            &["proof.di.multikey"],
            edit(&|p| p["verificationMethod"] = json!(secret_fragment.clone())),
        ),
        invalid(
            "proofValue is the real signature in base64url (multibase 'u'), not base58btc",
            &[],
            &["proof.di.proof-value-encoding"],
            {
                // proofValue is not signed: re-encoding the real signature changes only
                // the encoding, so the case fails the encoding rule and nothing else.
                let mut c = build::sign_di(&base, &k.clr);
                let b58 = c["proof"]["proofValue"].as_str().unwrap_or_default();
                let sig = multibase::decode(b58).map(|(_, b)| b).unwrap_or_default();
                c["proof"]["proofValue"] = json!(format!(
                    "u{}",
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig)
                ));
                c
            },
        ),
        invalid(
            "created is not a dateTime (and is signed)",
            &[],
            &["proof.di.created"],
            edit(&|p| p["created"] = json!("15 January 2025")),
        ),
        invalid(
            "name changed after signing",
            &["Tampered"],
            &["proof.di.signature"],
            tamper(build::sign_di(&base, &k.clr), "/name"),
        ),
        invalid(
            "proofValue changed after signing",
            &["Tampered"],
            &["proof.di.signature"],
            tamper(build::sign_di(&base, &k.clr), "/proof/proofValue"),
        ),
    ];
    let issuer_only = vec![
        invalid(
            "Ed25519Signature2020 proof on a VC 2.0 record",
            &["Legacy"],
            &["proof.di.type", "proof.legacy.issuer-not-used"],
            {
                let mut c = base.clone();
                c["@context"] = json!([
                    build::VC_V2,
                    build::CLR_CTX,
                    build::OB_CTX,
                    build::ED2020_CTX
                ]);
                build::sign_2020(&c, &k.clr)
            },
        ),
        invalid(
            "DataIntegrityProof with the deprecated eddsa-2022 cryptosuite",
            &["Legacy"],
            &["proof.di.cryptosuite", "proof.legacy.issuer-not-used"],
            eddsa_2022.clone(),
        ),
        invalid(
            "VC 1.1 record with Ed25519Signature2020: issuers must produce VC 2.0",
            &["Vc11", "Legacy"],
            &["data.clr.context-order"],
            legacy_clr(),
        ),
    ];
    let displayer_only = vec![
        valid(
            "VC 1.1 record with Ed25519Signature2020: a displayer accepts it",
            &["Vc11", "Legacy"],
            &["verify.generation.vc11", "proof.legacy.ed25519-2020"],
            legacy_clr(),
        ),
        valid(
            "eddsa-2022 (deprecated draft cryptosuite) verifies for a displayer",
            &["Legacy"],
            &["proof.legacy.eddsa-2022"],
            eddsa_2022.clone(),
        ),
        valid(
            "record signed with a did:key verification method",
            &[],
            &["proof.di.verification-method"],
            {
                let mut c = base.clone();
                c["issuer"]["id"] = json!(format!("did:key:{}", k.clr.multikey()));
                build::sign_di_with(&c, &k.clr, &format!("did:key:{0}#{0}", k.clr.multikey()))
            },
        ),
        invalid(
            "VC 1.1 record with Ed25519Signature2020, changed after signing",
            &["Vc11", "Legacy", "Tampered"],
            &["proof.legacy.ed25519-2020", "proof.di.signature"],
            tamper(legacy_clr(), "/name"),
        ),
        invalid(
            "record changed after signing: the verifier must not accept it",
            &["Tampered"],
            &["verify.proof.required", "proof.di.signature"],
            tamper(build::sign_di(&base, &k.clr), "/name"),
        ),
    ];
    let copy = both.to_vec();
    FileSpec {
        name: "proofs-di.json",
        topic: "embedded proofs",
        header: vec![
            "Embedded proofs on a small ClrCredential: eddsa-rdfc-2022 DataIntegrityProof, and the legacy eddsa-2022 and Ed25519Signature2020 suites.",
            "Proof fields changed on purpose are signed over (the proof options are part of the signed hash), so only the named rule fails; Tampered cases change bytes after signing.",
        ],
        first_id: 3000,
        groups: vec![
            GroupSpec::new("issuer", [both, issuer_only].concat()),
            GroupSpec::new("displayer", [copy, displayer_only].concat()),
        ],
    }
}

/// An ES256 compact JWS over `header` and `payload` exactly as given.
pub fn raw_es256(header: &Value, payload: &Value) -> Value {
    use p256::ecdsa::signature::Signer;
    let b64 = |v: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(v).unwrap_or_default())
    };
    let input = format!("{}.{}", b64(header), b64(payload));
    let sig: p256::ecdsa::Signature = keys().p256.sign(input.as_bytes());
    Value::String(format!(
        "{input}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig.to_bytes())
    ))
}

/// The header and claims `sign_jwt` would produce for `cred` with ES256.
fn es256_parts(cred: &Value) -> (Value, Value) {
    let k = keys();
    let (public, _) = crate::vectors::keys::p256_jwks(&k.p256, &format!("{}#p256-1", k.clr.id));
    let jwk: Map<String, Value> = public
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| ["kty", "crv", "x", "y"].contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let header =
        json!({"alg": "ES256", "typ": "JWT", "kid": format!("{}#p256-1", k.clr.id), "jwk": jwk});
    let mut payload = cred.clone();
    let ts = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|d| d.timestamp())
            .unwrap_or(0)
    };
    payload["iss"] = json!(k.clr.id);
    payload["jti"] = cred["id"].clone();
    payload["sub"] = json!(build::LEARNER);
    payload["nbf"] = json!(ts(build::VALID_FROM));
    if cred.get("validUntil").is_some() {
        payload["exp"] = json!(ts(VALID_UNTIL));
    }
    (header, payload)
}

pub fn proofs_jwt() -> FileSpec {
    let k = keys();
    let base = build::defined(&small_clr());
    let es = |f: &dyn Fn(&mut crate::credential::proof::JwtHeaderOptions)| {
        build::sign_jwt_as(&base, Alg::Es256, &k.clr, f)
    };
    let claims = |f: &dyn Fn(&mut Value, &mut Value)| {
        let (mut h, mut p) = es256_parts(&base);
        f(&mut h, &mut p);
        raw_es256(&h, &p)
    };
    let (_, private_jwk) = crate::vectors::keys::p256_jwks(&k.p256, "p256-1");
    let with_until = {
        let mut c = base.clone();
        c["validUntil"] = json!(VALID_UNTIL);
        c
    };
    let until_claims = |f: &dyn Fn(&mut Value)| {
        let (h, mut p) = es256_parts(&with_until);
        f(&mut p);
        raw_es256(&h, &p)
    };
    let both = vec![
        valid(
            "raw ES256 VC-JWT built field by field (the same shape sign_jwt makes)",
            &["Jwt"],
            &["proof.jwt.signature"],
            claims(&|_, _| {}),
        ),
        valid(
            "ES256 VC-JWT with validUntil and a matching exp",
            &["Jwt"],
            &["proof.jwt.claim-exp"],
            until_claims(&|_| {}),
        ),
        invalid(
            "two segments, not a compact JWS",
            &["Jwt"],
            &["proof.jwt.compact"],
            json!("eyJhbGciOiJFUzI1NiJ9.e30"),
        ),
        invalid(
            "header has neither kid nor jwk",
            &["Jwt"],
            &["proof.jwt.key"],
            es(&|o| {
                o.kid = None;
                o.embed_jwk = false;
            }),
        ),
        invalid(
            "jwk header carries the private key (d)",
            &["Jwt"],
            &["proof.jwt.jwk-private"],
            es(&|o| {
                o.embed_jwk = false;
                o.extra.insert("jwk".into(), private_jwk.clone());
            }),
        ),
        invalid(
            "typ is not JWT",
            &["Jwt"],
            &["proof.jwt.typ"],
            es(&|o| {
                o.typ = false;
                o.extra.insert("typ".into(), json!("vc+ld+json+jwt"));
            }),
        ),
        invalid(
            "extra cty header",
            &["Jwt"],
            &["proof.jwt.extra-headers"],
            es(&|o| {
                o.extra.insert("cty".into(), json!("vc"));
            }),
        ),
        invalid(
            "signature changed",
            &["Jwt", "Tampered"],
            &["proof.jwt.signature"],
            {
                let t = es(&|_| {});
                let s = t.as_str().unwrap_or_default();
                let (head, sig) = s.rsplit_once('.').unwrap_or((s, ""));
                let mut b = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(sig)
                    .unwrap_or_default();
                if let Some(x) = b.get_mut(10) {
                    *x ^= 1;
                }
                json!(format!(
                    "{head}.{}",
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
                ))
            },
        ),
        invalid(
            "iss differs from issuer.id",
            &["Jwt"],
            &["proof.jwt.claim-iss"],
            claims(&|_, p| p["iss"] = json!("https://other.example.org/issuers/9")),
        ),
        invalid(
            "jti differs from id",
            &["Jwt"],
            &["proof.jwt.claim-jti"],
            claims(&|_, p| p["jti"] = json!("urn:uuid:00000000-0000-4000-8000-999999999999")),
        ),
        invalid(
            "nbf one day after validFrom",
            &["Jwt"],
            &["proof.jwt.claim-nbf"],
            claims(&|_, p| p["nbf"] = json!(p["nbf"].as_i64().unwrap_or(0) + 86400)),
        ),
        invalid(
            "sub differs from credentialSubject.id",
            &["Jwt"],
            &["proof.jwt.claim-sub"],
            claims(&|_, p| p["sub"] = json!("did:example:someone-else")),
        ),
        invalid(
            "exp differs from validUntil",
            &["Jwt"],
            &["proof.jwt.claim-exp"],
            until_claims(&|p| p["exp"] = json!(p["exp"].as_i64().unwrap_or(0) - 86400)),
        ),
    ];
    let issuer_only = vec![invalid(
        "VC 2.0 credential wrapped in a vc claim",
        &["Jwt"],
        &["proof.jwt.payload"],
        es(&|o| o.vc_claim = true),
    )];
    let legacy_jwt_no_vc =
        build::sign_jwt_as(&super::legacy_clr_unsigned(), Alg::Rs256, &k.clr, |_| {});
    let legacy_jwt = build::sign_jwt_as(&super::legacy_clr_unsigned(), Alg::Rs256, &k.clr, |o| {
        o.vc_claim = true
    });
    let displayer_only = vec![
        valid(
            "VC 1.1 VC-JWT with a vc claim (RS256)",
            &["Jwt", "Vc11", "Legacy"],
            &["proof.jwt.alg"],
            legacy_jwt,
        ),
        invalid(
            "VC 1.1 credential as a JWT payload without a vc claim",
            &["Jwt", "Vc11"],
            &["proof.jwt.vc-claim-generation"],
            legacy_jwt_no_vc.clone(),
        ),
        invalid(
            "generation markers disagree (VC 1.1 context, no vc claim)",
            &["Jwt", "Vc11"],
            &["verify.generation.consistent"],
            legacy_jwt_no_vc,
        ),
        invalid(
            "VC-JWT with a bad signature: the verifier must not accept it",
            &["Jwt", "Tampered"],
            &["verify.proof.required"],
            {
                let t = es(&|_| {});
                let s = t.as_str().unwrap_or_default().to_string();
                let (head, _) = s.rsplit_once('.').unwrap_or((&s, ""));
                json!(format!(
                    "{head}.{}",
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([1u8; 64])
                ))
            },
        ),
    ];
    let copy = both.to_vec();
    FileSpec {
        name: "proofs-jwt.json",
        topic: "VC-JWT",
        header: vec![
            "VC-JWT (compact JWS) records: RS256, ES256 and EdDSA signatures, header rules and the registered claims.",
            "Claim mismatches are signed as given, so only the named claim rule fails.",
        ],
        first_id: 4000,
        groups: vec![
            GroupSpec::new("issuer", [both, issuer_only].concat()),
            GroupSpec::new("displayer", [copy, displayer_only].concat()),
        ],
    }
}
