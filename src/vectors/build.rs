//! Credential builders and signers for the vectors: small, readable
//! credentials with fixed ids and dates, signed with the TEST ONLY keys.

use super::keys::{Issuer, keys};
use crate::credential::proof::{
    JwtHeaderOptions, JwtSigningKey, attach_proof, sign_data_integrity, sign_ed25519_2020, sign_jwt,
};
use serde_json::{Value, json};

pub const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
pub const VC_V1: &str = "https://www.w3.org/2018/credentials/v1";
pub const CLR_CTX: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json";
pub const OB_CTX: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The unversioned aliases VC 1.1 credentials used.
pub const CLR_ALIAS: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context.json";
pub const OB_ALIAS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context.json";
pub const ED2020_CTX: &str = "https://w3id.org/security/suites/ed25519-2020/v1";
pub const CLR_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json";
pub const AC_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";

/// The verification time of every group unless a case needs another.
pub const NOW: &str = "2026-06-01T00:00:00Z";
pub const VALID_FROM: &str = "2025-01-15T00:00:00Z";
pub const VALID_UNTIL: &str = "2030-01-15T00:00:00Z";
/// `created` of every proof.
pub const CREATED: &str = "2025-01-15T00:00:00Z";
pub const LEARNER: &str = "did:example:learner-3fa85f64";

/// An Achievement created by `creator`.
pub fn achievement(creator: &Issuer, slug: &str, name: &str) -> Value {
    json!({
        "id": format!("{}/achievements/{slug}", base(creator)),
        "type": ["Achievement"],
        "creator": {"id": creator.id, "type": ["Profile"], "name": creator.name},
        "name": name,
        "description": format!("{name} (TEST ONLY achievement)"),
        "criteria": {"narrative": "Completed every required activity."},
        "achievementType": "Course",
    })
}

/// A namespace for ids under an issuer (its URL, or a urn for a did:key issuer).
pub fn base(issuer: &Issuer) -> String {
    if issuer.id.starts_with("https://") {
        issuer
            .id
            .rsplit_once("/issuers/")
            .map(|(b, _)| b.to_string())
            .unwrap_or_else(|| issuer.id.clone())
    } else {
        format!("urn:example:{}", issuer.slug)
    }
}

/// An unsigned AchievementCredential from `issuer` awarding `achievement`.
pub fn achievement_credential(issuer: &Issuer, n: u32, achievement: Value) -> Value {
    json!({
        "@context": [VC_V2, OB_CTX],
        "id": format!("urn:uuid:00000000-0000-4000-8000-{:012}", 100 + n),
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": issuer.profile(),
        "validFrom": VALID_FROM,
        "name": achievement["name"].clone(),
        "credentialSubject": {
            "id": LEARNER,
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
    })
}

/// An unsigned EndorsementCredential by the endorser about `subject`.
pub fn endorsement(n: u32, subject: &str) -> Value {
    let e = &keys().endorser;
    json!({
        "@context": [VC_V2, OB_CTX],
        "id": format!("urn:uuid:00000000-0000-4000-8000-{:012}", 900 + n),
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": e.profile(),
        "validFrom": VALID_FROM,
        "name": "Endorsement of a TEST ONLY achievement",
        "credentialSubject": {
            "id": subject,
            "type": ["EndorsementSubject"],
            "endorsementComment": "Meets the accreditor's standard.",
        },
    })
}

/// An unsigned ClrCredential from the CLR issuer holding `nested` credentials,
/// restating their achievements and linking the first two with an association.
pub fn clr(n: u32, nested: Vec<Value>, achievements: Vec<Value>) -> Value {
    let k = keys();
    let mut subject = json!({
        "id": LEARNER,
        "type": ["ClrSubject"],
        "verifiableCredential": nested,
    });
    if achievements.len() >= 2 {
        subject["association"] = json!([{
            "type": "Association",
            "associationType": "isChildOf",
            "sourceId": achievements[1]["id"].clone(),
            "targetId": achievements[0]["id"].clone(),
        }]);
    }
    if !achievements.is_empty() {
        subject["achievement"] = Value::Array(achievements);
    }
    json!({
        "@context": [VC_V2, CLR_CTX, OB_CTX],
        "id": format!("urn:uuid:00000000-0000-4000-8000-{:012}", n),
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": k.clr.profile(),
        "validFrom": VALID_FROM,
        "name": "Comprehensive Learner Record (TEST ONLY)",
        "credentialSubject": subject,
        "credentialSchema": [{"id": CLR_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    })
}

/// `cred` with an `eddsa-rdfc-2022` proof by `issuer`.
pub fn sign_di(cred: &Value, issuer: &Issuer) -> Value {
    sign_di_with(cred, issuer, &issuer.method)
}

/// `cred` with the OB extensions context appended when it uses an extension type the
/// other contexts do not define: every credential we sign defines every term it uses
/// (`data.jsonld.terms-defined`); only the data-loss cases sign without it.
pub fn defined(cred: &Value) -> Value {
    let mut c = cred.clone();
    crate::credential::jsonld::add_extensions_context(&mut c);
    c
}

/// `cred` with an `eddsa-rdfc-2022` proof naming `method`, signed by `issuer`'s key.
pub fn sign_di_with(cred: &Value, issuer: &Issuer, method: &str) -> Value {
    sign_di_as_is(&defined(cred), issuer, method)
}

/// [`sign_di_with`] without adding a context: the signature covers exactly what JSON-LD
/// keeps of `cred` (the data-loss cases).
pub fn sign_di_as_is(cred: &Value, issuer: &Issuer, method: &str) -> Value {
    match sign_data_integrity(cred, &issuer.key, method, CREATED, "eddsa-rdfc-2022") {
        Ok(p) => attach_proof(cred, p),
        // Cannot canonicalize (a mutated @context): leave unsigned, the case says so.
        Err(_) => cred.clone(),
    }
}

/// `cred` with a proof object edited by `edit` before signing (the signature covers the edit).
pub fn sign_di_proof_edit(cred: &Value, issuer: &Issuer, edit: impl Fn(&mut Value)) -> Value {
    use crate::credential::jsonld::Loader;
    let cred = &defined(cred);
    use crate::credential::proof::data_integrity::signing_input;
    use ed25519_dalek::Signer;
    let mut proof = json!({
        "type": "DataIntegrityProof",
        "created": CREATED,
        "verificationMethod": issuer.method,
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
    });
    edit(&mut proof);
    let mut unsigned = cred.clone();
    if let Value::Object(m) = &mut unsigned {
        m.remove("proof");
    }
    let loader = Loader::builtin();
    let mut options = proof.clone();
    if let Value::Object(m) = &mut options {
        m.remove("proofValue");
        if let Some(c) = unsigned.get("@context") {
            m.insert("@context".into(), c.clone());
        }
    }
    if let (Ok(doc), Ok(opts)) = (
        loader.canonicalize(&unsigned),
        loader.canonicalize(&options),
    ) {
        let sig = issuer.key.sign(&signing_input(&opts, &doc));
        if proof.get("proofValue").is_none() {
            proof["proofValue"] =
                multibase::encode(multibase::Base::Base58Btc, sig.to_bytes()).into();
        }
    }
    attach_proof(cred, proof)
}

/// `cred` with an `Ed25519Signature2020` proof by `issuer` (VC 1.1 legacy).
pub fn sign_2020(cred: &Value, issuer: &Issuer) -> Value {
    let cred = &defined(cred);
    match sign_ed25519_2020(cred, &issuer.key, &issuer.method, CREATED) {
        Ok(p) => attach_proof(cred, p),
        Err(_) => cred.clone(),
    }
}

/// The JOSE algorithms the vectors use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Rs256,
    Es256,
    EdDsa,
}

/// `cred` as a compact VC-JWT signed by the CLR issuer (RS256/ES256, key in a `jwk`
/// header) or by `issuer`'s Ed25519 key (EdDSA, `kid` = its verification method).
pub fn sign_jwt_as(
    cred: &Value,
    alg: Alg,
    issuer: &Issuer,
    edit: impl Fn(&mut JwtHeaderOptions),
) -> Value {
    let k = keys();
    let (key, mut opts) = match alg {
        Alg::Rs256 => (
            JwtSigningKey::Rs256(Box::new(k.rsa.clone())),
            JwtHeaderOptions {
                kid: Some(format!("{}#rsa-1", k.clr.id)),
                embed_jwk: true,
                ..Default::default()
            },
        ),
        Alg::Es256 => (
            JwtSigningKey::Es256(k.p256.clone()),
            JwtHeaderOptions {
                kid: Some(format!("{}#p256-1", k.clr.id)),
                embed_jwk: true,
                ..Default::default()
            },
        ),
        Alg::EdDsa => (
            JwtSigningKey::EdDsa(issuer.key.clone()),
            JwtHeaderOptions {
                kid: Some(issuer.method.clone()),
                ..Default::default()
            },
        ),
    };
    opts.typ = true;
    edit(&mut opts);
    match sign_jwt(&defined(cred), &key, &opts) {
        Ok(s) => Value::String(s),
        Err(_) => Value::Null,
    }
}

/// Sets `ptr` (a JSON pointer whose parent exists) to `v`.
pub fn set(cred: &mut Value, ptr: &str, v: Value) {
    let (parent, key) = ptr.rsplit_once('/').unwrap_or(("", ptr));
    let target = if parent.is_empty() {
        Some(cred)
    } else {
        cred.pointer_mut(parent)
    };
    match target {
        Some(Value::Object(m)) => {
            m.insert(unescape(key), v);
        }
        Some(Value::Array(a)) => {
            if let Ok(i) = key.parse::<usize>()
                && i < a.len()
            {
                a[i] = v;
            }
        }
        _ => {}
    }
}

/// Removes `ptr` (a JSON pointer) if present.
pub fn remove(cred: &mut Value, ptr: &str) {
    let (parent, key) = ptr.rsplit_once('/').unwrap_or(("", ptr));
    let target = if parent.is_empty() {
        Some(cred)
    } else {
        cred.pointer_mut(parent)
    };
    match target {
        Some(Value::Object(m)) => {
            m.shift_remove(&unescape(key));
        }
        Some(Value::Array(a)) => {
            if let Ok(i) = key.parse::<usize>()
                && i < a.len()
            {
                a.remove(i);
            }
        }
        _ => {}
    }
}

fn unescape(k: &str) -> String {
    k.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::proof::verify_data_integrity;

    #[test]
    fn set_and_remove_follow_json_pointers() {
        let mut v = json!({"a": {"b/c": 1}, "l": [1, 2]});
        set(&mut v, "/a/b~1c", json!(2));
        set(&mut v, "/l/1", json!(3));
        set(&mut v, "/missing/x", json!(4));
        assert_eq!(v, json!({"a": {"b/c": 2}, "l": [1, 3]}));
        remove(&mut v, "/l/0");
        remove(&mut v, "/a");
        assert_eq!(v, json!({"l": [3]}));
    }

    #[test]
    fn signatures_are_deterministic_and_verify() {
        let k = keys();
        let c = achievement_credential(&k.college, 1, achievement(&k.college, "x", "X"));
        let a = sign_di(&c, &k.college);
        assert_eq!(a, sign_di(&c, &k.college));
        let reports = verify_data_integrity(&a).unwrap();
        assert!(reports[0].verified(), "{:?}", reports[0].failures());
        for alg in [Alg::Rs256, Alg::Es256, Alg::EdDsa] {
            let j = sign_jwt_as(&c, alg, &k.college, |_| {});
            assert!(j.is_string());
            assert_eq!(j, sign_jwt_as(&c, alg, &k.college, |_| {}), "{alg:?}");
        }
    }
}
