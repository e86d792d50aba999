//! Trust cases: whose key signed (key provenance), and the rules that hold in
//! every role (dates). Each forged record verifies with the key it names; only
//! the documents its issuer publishes (in the group's documents) show the key
//! is not the issuer's. A positive control beside each shows the same route
//! proves a key that is the issuer's.

use super::{FileSpec, GroupSpec, clr_mutated, invalid, small_clr, spec, valid};
use crate::credential::proof::{
    JwtHeaderOptions, JwtSigningKey, attach_proof, keys::encode_multikey, sign_data_integrity,
    sign_jwt,
};
use crate::vectors::build::{self, Alg, CREATED};
use crate::vectors::format::Verdict;
use crate::vectors::keys::{self, keys};
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};

/// The CLR issuer as a did:web (its DID document is in the group's documents).
const DID_WEB: &str = "did:web:records.example.edu:issuers:clr";
const DID_DOC_URL: &str = "https://records.example.edu/issuers/clr/did.json";
const JWKS_URL: &str = "https://records.example.edu/.well-known/jwks.json";

/// The attacker's Ed25519 key (TEST ONLY, derived like the others).
fn attacker() -> SigningKey {
    SigningKey::from_bytes(&keys::seed("attacker"))
}

/// `cred` signed eddsa-rdfc-2022 by `key`, naming `method`.
fn sign_as(cred: &Value, key: &SigningKey, method: &str) -> Value {
    let cred = &build::defined(cred);
    match sign_data_integrity(cred, key, method, CREATED, "eddsa-rdfc-2022") {
        Ok(p) => attach_proof(cred, p),
        Err(_) => cred.clone(),
    }
}

fn jwt(cred: &Value, key: &JwtSigningKey, kid: Option<String>, embed_jwk: bool) -> Value {
    let opts = JwtHeaderOptions {
        kid,
        embed_jwk,
        typ: true,
        ..Default::default()
    };
    sign_jwt(&build::defined(cred), key, &opts).map_or(Value::Null, Value::String)
}

pub fn provenance() -> FileSpec {
    let k = keys();
    let evil = attacker();
    let evil_mk = encode_multikey(&evil.verifying_key());
    let base = small_clr();
    let mut web = base.clone();
    web["issuer"]["id"] = json!(DID_WEB);
    let web_method = format!("{DID_WEB}#{}", k.clr.multikey());
    let mut jwt_base = base.clone();
    build::remove(&mut jwt_base, "/proof");
    let evil_p256 = p256::ecdsa::SigningKey::from_bytes(&keys::seed("attacker-p-256").into())
        .expect("the fixed attacker seed is a valid scalar");
    let key_prov = "proof.key-provenance";
    let tests = vec![
        invalid(
            "re-signed by an attacker whose key sits in the fragment of the issuer's URL (issuer#z6Mk<attacker>): the issuer's key document does not list it",
            &[],
            &[key_prov],
            sign_as(&base, &evil, &format!("{}#{evil_mk}", k.clr.id)),
        ),
        invalid(
            "re-signed by an attacker's unrelated did:key: a did:key is controlled by itself, not by the https issuer",
            &[],
            &[key_prov],
            sign_as(&base, &evil, &format!("did:key:{evil_mk}#{evil_mk}")),
        ),
        valid(
            "did:web issuer signing with the key its DID document lists under assertionMethod (positive control)",
            &[],
            &[key_prov, "proof.di.signature"],
            sign_as(&web, &k.clr.key, &web_method),
        ),
        invalid(
            "did:web issuer, re-signed by an attacker whose key sits in the did:web fragment: the DID document does not list it",
            &[],
            &[key_prov],
            sign_as(&web, &evil, &format!("{DID_WEB}#{evil_mk}")),
        ),
        valid(
            "VC-JWT (ES256) with only a jwk header, the key being in the issuer's JWK Set (positive control)",
            &["Jwt"],
            &[key_prov, "proof.jwt.signature"],
            jwt(&jwt_base, &JwtSigningKey::Es256(k.p256.clone()), None, true),
        ),
        invalid(
            "VC-JWT (ES256) signed by an attacker with the attacker's key in the jwk header: not in the issuer's JWK Set",
            &["Jwt"],
            &[key_prov],
            jwt(&jwt_base, &JwtSigningKey::Es256(evil_p256), None, true),
        ),
        invalid(
            "VC-JWT (EdDSA) whose kid names an attacker's did:key: not the issuer's key",
            &["Jwt"],
            &[key_prov],
            jwt(
                &jwt_base,
                &JwtSigningKey::EdDsa(evil.clone()),
                Some(format!("did:key:{evil_mk}#{evil_mk}")),
                false,
            ),
        ),
        valid(
            "VC-JWT signed EdDSA with the issuer's published key: any registered JOSE algorithm that verifies is valid for a verifier",
            &["Jwt"],
            &["proof.jwt.signature", key_prov],
            build::sign_jwt_as(&build::defined(&jwt_base), Alg::EdDsa, &k.clr, |_| {}),
        ),
    ];
    let mut displayer = GroupSpec::new("displayer", tests);
    let did_doc = json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": DID_WEB,
        "verificationMethod": [{
            "id": web_method,
            "type": "Multikey",
            "controller": DID_WEB,
            "publicKeyMultibase": k.clr.multikey(),
        }],
        "assertionMethod": [web_method],
    });
    displayer.documents.insert(DID_DOC_URL.into(), did_doc);
    let (p256_public, _) = keys::p256_jwks(&k.p256, "p256-1");
    let (rsa_public, _) = keys::rsa_jwks(&k.rsa, "rsa-1");
    displayer
        .documents
        .insert(JWKS_URL.into(), json!({"keys": [p256_public, rsa_public]}));
    let issuer = GroupSpec::new(
        "issuer",
        vec![
            invalid(
                "an issuer's credential that has expired fails the date step in the issuer role too",
                &[],
                &["verify.dates.not-expired"],
                clr_mutated(|c| c["validUntil"] = json!("2026-01-01T00:00:00Z")),
            ),
            invalid(
                "an issuer's credential that is not yet valid fails the date step in the issuer role too",
                &[],
                &["verify.dates.not-before-valid-from"],
                clr_mutated(|c| c["validFrom"] = json!("2027-01-01T00:00:00Z")),
            ),
            spec(
                "an issuer's extra Ed25519Signature2020 proof beside a valid eddsa-rdfc-2022 proof: reported, not a failure",
                &["Legacy", "Should"],
                &["proof.legacy.issuer-extra"],
                Verdict::Acceptable,
                {
                    let mut c = base.clone();
                    c["@context"] = json!([
                        build::VC_V2,
                        build::CLR_CTX,
                        build::OB_CTX,
                        build::ED2020_CTX
                    ]);
                    let signed = build::sign_di(&c, &k.clr);
                    build::sign_2020(&signed, &k.clr)
                },
            ),
        ],
    );
    FileSpec {
        name: "provenance.json",
        topic: "key provenance and trust",
        header: vec![
            "Whose key signed: each forged record verifies with the key it names, and only the documents its issuer publishes (the group's documents: key documents, a did:web DID document, a JWK Set) show the key is not the issuer's (proof.key-provenance). A URL fragment is never evidence.",
            "Dates and extra proofs in the issuer role.",
        ],
        first_id: 13000,
        groups: vec![displayer, issuer],
    }
}
