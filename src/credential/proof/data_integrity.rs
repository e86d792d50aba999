//! Embedded Data Integrity proofs: verify and sign with Ed25519 over RDFC-1.0 hashes.
//!
//! `eddsa-rdfc-2022` (OB §8.3, VC-DI-EDDSA): documentHash = SHA-256 of the canonical
//! N-Quads of the credential without `proof`; proofHash = SHA-256 of the canonical proof
//! options (the proof minus `proofValue`, given the document's `@context`); the signature
//! is Ed25519 over proofHash || documentHash, encoded as multibase base58btc. The legacy
//! `eddsa-2022` cryptosuite and `Ed25519Signature2020` (VC 1.1) use the same steps.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::keys::{self, KeyError, KeySource, ResolvedKey};
use super::{Check, is_xsd_datetime, issuer_id};
use crate::credential::jsonld::{JsonLdError, Loader, Unsigned};

/// Supported embedded proof suites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// `DataIntegrityProof` + `eddsa-rdfc-2022`: the one OB/CLR require.
    EddsaRdfc2022,
    /// `DataIntegrityProof` + `eddsa-2022`: deprecated draft name of the same algorithm.
    Eddsa2022,
    /// `Ed25519Signature2020`: VC 1.1-era suite, same hashing.
    Ed25519Signature2020,
}

impl Suite {
    /// Deprecated suites verify but deserve a warning.
    pub fn is_legacy(self) -> bool {
        !matches!(self, Suite::EddsaRdfc2022)
    }
}

/// Why verification or signing could not even start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiError {
    #[error("credential is not a JSON object")]
    NotAnObject,
    #[error("credential has no proof")]
    NoProof,
    #[error("{0}: proof is not an object or array of objects")]
    BadProof(String),
    #[error(transparent)]
    JsonLd(#[from] JsonLdError),
    #[error("{0}: unsupported cryptosuite for signing")]
    UnsupportedSuite(String),
}

/// Result of checking one embedded proof: one field per rule.
#[derive(Debug, Clone)]
pub struct DiProofReport {
    /// Position in the `proof` array (0 for a single object).
    pub index: usize,
    /// `type` is `DataIntegrityProof` or `Ed25519Signature2020`.
    pub proof_type: Check,
    /// `cryptosuite` is supported (`eddsa-rdfc-2022`, or legacy `eddsa-2022`).
    pub cryptosuite: Check,
    pub suite: Option<Suite>,
    /// `proofPurpose` == `assertionMethod`.
    pub proof_purpose: Check,
    /// `verificationMethod` resolves to an Ed25519 key.
    pub verification_method: Check,
    pub key: Option<ResolvedKey>,
    pub key_error: Option<KeyError>,
    /// The key's controller equals `issuer.id`.
    pub controller: Check,
    /// `proofValue` is multibase base58btc of 64 bytes.
    pub proof_value: Check,
    /// `created` is an XML Schema dateTime.
    pub created: Check,
    /// Document and proof options canonicalize (contexts known, JSON-LD valid).
    pub canonicalization: Check,
    /// The Ed25519 signature verifies.
    pub signature: Check,
    /// Evidence: SHA-256 of the canonical N-Quads of the document without proof (the
    /// documentHash; the text itself is not kept: it can be larger than the document).
    pub document_hash: Option<[u8; 32]>,
    /// Evidence: canonical N-Quads of the proof options.
    pub proof_nquads: Option<String>,
    /// A context URL that could not be loaded: the proof was not verified (neither
    /// valid nor invalid).
    pub missing_context: Option<String>,
}

impl DiProofReport {
    /// Every rule passed or was not applicable, and the signature verified.
    pub fn verified(&self) -> bool {
        self.signature.is_pass() && self.failures().is_empty()
    }

    /// `(rule, message)` for every failed rule.
    pub fn failures(&self) -> Vec<(&'static str, &str)> {
        [
            ("proof_type", &self.proof_type),
            ("cryptosuite", &self.cryptosuite),
            ("proof_purpose", &self.proof_purpose),
            ("verification_method", &self.verification_method),
            ("controller", &self.controller),
            ("proof_value", &self.proof_value),
            ("created", &self.created),
            ("canonicalization", &self.canonicalization),
            ("signature", &self.signature),
        ]
        .into_iter()
        .filter_map(|(rule, c)| match c {
            Check::Fail(m) => Some((rule, m.as_str())),
            _ => None,
        })
        .collect()
    }
}

/// Verifies every embedded proof of `credential` offline, with the built-in contexts.
pub fn verify_data_integrity(credential: &Value) -> Result<Vec<DiProofReport>, DiError> {
    verify_data_integrity_with(credential, Loader::builtin(), &keys::resolve)
}

/// Verifies every embedded proof with the given context loader and key resolver (e.g. one
/// that consults keys fetched beforehand with [`keys::resolve_with_network`]).
pub fn verify_data_integrity_with(
    credential: &Value,
    loader: &Loader,
    resolve: &dyn Fn(&str) -> Result<ResolvedKey, KeyError>,
) -> Result<Vec<DiProofReport>, DiError> {
    verify_data_integrity_prepared(credential, loader, resolve, None)
}

/// [`verify_data_integrity_with`], the credential without its proof already walked
/// ([`Loader::dropped_terms_and_unsigned`]) so it is not expanded twice.
pub fn verify_data_integrity_prepared(
    credential: &Value,
    loader: &Loader,
    resolve: &dyn Fn(&str) -> Result<ResolvedKey, KeyError>,
    unsigned: Option<Unsigned>,
) -> Result<Vec<DiProofReport>, DiError> {
    let Value::Object(map) = credential else {
        return Err(DiError::NotAnObject);
    };
    let proofs: Vec<&Value> = match map.get("proof") {
        None => return Err(DiError::NoProof),
        Some(Value::Array(items)) if items.is_empty() => return Err(DiError::NoProof),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(p @ Value::Object(_)) => vec![p],
        Some(other) => return Err(DiError::BadProof(other.to_string())),
    };
    let mut document: Option<Result<[u8; 32], JsonLdError>> =
        unsigned.map(|u| loader.document_hash(u));
    let issuer = issuer_id(credential);
    let reports = proofs
        .into_iter()
        .enumerate()
        .map(|(index, proof)| {
            check_proof(
                index,
                proof,
                credential,
                issuer,
                loader,
                resolve,
                &mut document,
            )
        })
        .collect();
    Ok(reports)
}

fn check_proof(
    index: usize,
    proof: &Value,
    credential: &Value,
    issuer: Option<&str>,
    loader: &Loader,
    resolve: &dyn Fn(&str) -> Result<ResolvedKey, KeyError>,
    document: &mut Option<Result<[u8; 32], JsonLdError>>,
) -> DiProofReport {
    let field = |name: &str| proof.get(name).and_then(Value::as_str);
    let skipped = |why: &str| Check::Skipped(why.to_string());
    let mut report = DiProofReport {
        index,
        proof_type: Check::Pass,
        cryptosuite: Check::Pass,
        suite: None,
        proof_purpose: Check::Pass,
        verification_method: Check::Pass,
        key: None,
        key_error: None,
        controller: skipped("no key"),
        proof_value: Check::Pass,
        created: Check::Pass,
        canonicalization: skipped("unsupported proof"),
        signature: skipped("unsupported proof"),
        document_hash: None,
        proof_nquads: None,
        missing_context: None,
    };
    if !proof.is_object() {
        report.proof_type = Check::Fail(format!("{proof}: proof is not an object"));
        return report;
    }

    let proof_type = field("type").unwrap_or_default();
    let cryptosuite = field("cryptosuite");
    report.suite = match (proof_type, cryptosuite) {
        ("DataIntegrityProof", Some("eddsa-rdfc-2022")) => Some(Suite::EddsaRdfc2022),
        ("DataIntegrityProof", Some("eddsa-2022")) => Some(Suite::Eddsa2022),
        ("Ed25519Signature2020", _) => Some(Suite::Ed25519Signature2020),
        _ => None,
    };
    report.proof_type = match proof_type {
        "DataIntegrityProof" | "Ed25519Signature2020" => Check::Pass,
        "" => Check::Fail("proof has no type".into()),
        other => Check::Fail(format!("{other}: unsupported proof type")),
    };
    report.cryptosuite = match (proof_type, cryptosuite) {
        ("DataIntegrityProof", Some("eddsa-rdfc-2022" | "eddsa-2022")) => Check::Pass,
        ("DataIntegrityProof", Some(other)) => {
            Check::Fail(format!("{other}: unsupported cryptosuite"))
        }
        ("DataIntegrityProof", None) => Check::Fail("DataIntegrityProof has no cryptosuite".into()),
        _ => skipped("no cryptosuite for this proof type"),
    };
    report.proof_purpose = match field("proofPurpose") {
        Some("assertionMethod") => Check::Pass,
        Some(other) => Check::Fail(format!("{other}: proofPurpose must be assertionMethod")),
        None => Check::Fail("proof has no proofPurpose".into()),
    };
    report.created = match proof.get("created") {
        None => skipped("no created"),
        Some(Value::String(s)) if is_xsd_datetime(s) => Check::Pass,
        Some(other) => Check::Fail(format!("{other}: created is not a dateTime")),
    };

    if report.suite.is_none() {
        let why = "unsupported proof type or cryptosuite";
        report.proof_value = skipped(why);
        report.verification_method = skipped(why);
        report.controller = skipped(why);
        return report;
    }

    let signature = match field("proofValue") {
        None => Err("proof has no proofValue".to_string()),
        Some(v) => decode_proof_value(v),
    };
    report.proof_value = match &signature {
        Ok(_) => Check::Pass,
        Err(m) => Check::Fail(m.clone()),
    };

    match field("verificationMethod") {
        None => report.verification_method = Check::Fail("proof has no verificationMethod".into()),
        Some(method) => match resolve(method) {
            Ok(key) => {
                report.controller = match (key.source, issuer) {
                    (KeySource::DidKey, _) if !method.contains('#') => {
                        skipped("did:key without fragment: key is self-certifying")
                    }
                    (_, None) => Check::Fail("credential has no issuer id".into()),
                    (_, Some(issuer)) => Check::from_bool(key.controller == issuer, || {
                        format!(
                            "{}: key controller does not match issuer {issuer}",
                            key.controller
                        )
                    }),
                };
                report.key = Some(key);
            }
            Err(e) => {
                report.verification_method = match &e {
                    KeyError::NeedsNetwork(_) => Check::Skipped(e.to_string()),
                    _ => Check::Fail(e.to_string()),
                };
                report.key_error = Some(e);
            }
        },
    }

    let doc_hash = document
        .get_or_insert_with(|| loader.canonical_sha256_without(credential, "proof"))
        .clone();
    let options = proof_options(proof, credential.get("@context"));
    let canon = doc_hash.and_then(|d| Ok((d, loader.canonicalize(&options)?)));
    let (doc_hash, proof_nquads) = match canon {
        Ok(pair) => pair,
        Err(JsonLdError::UnknownContext(url)) => {
            let why = JsonLdError::UnknownContext(url.clone()).to_string();
            report.canonicalization = Check::Skipped(why.clone());
            report.signature = Check::Skipped(why);
            report.missing_context = Some(url);
            return report;
        }
        Err(e) => {
            report.canonicalization = Check::Fail(e.to_string());
            report.signature = skipped("canonicalization failed");
            return report;
        }
    };
    report.canonicalization = Check::Pass;
    let data = hashed_signing_input(&proof_nquads, &doc_hash);
    report.document_hash = Some(doc_hash);
    report.proof_nquads = Some(proof_nquads);
    report.signature = match (&report.key, signature) {
        (None, _) => skipped("no key"),
        (_, Err(_)) => skipped("no usable proofValue"),
        (Some(key), Ok(sig)) => {
            let mut ok = key.key.verify(&data, &sig).is_ok();
            if !ok {
                // Before failing, rule out our fast JSON-LD walk: redo the expansion with the
                // json-ld crate.
                let mut unsigned = credential.clone();
                if let Value::Object(map) = &mut unsigned {
                    map.remove("proof");
                }
                if let (Ok(d), Ok(p)) = (
                    loader.canonicalize_expanded(&unsigned),
                    loader.canonicalize_expanded(&options),
                ) {
                    let d: [u8; 32] = Sha256::digest(d.as_bytes()).into();
                    if report.document_hash != Some(d) || report.proof_nquads.as_deref() != Some(&p)
                    {
                        ok = key.key.verify(&hashed_signing_input(&p, &d), &sig).is_ok();
                        report.document_hash = Some(d);
                        report.proof_nquads = Some(p);
                    }
                }
            }
            Check::from_bool(ok, || {
                format!(
                    "{}: signature does not verify",
                    field("proofValue").unwrap_or_default()
                )
            })
        }
    };
    report
}

/// The proof minus `proofValue`, with the document's `@context`.
fn proof_options(proof: &Value, context: Option<&Value>) -> Value {
    let mut options: Map<String, Value> = Map::new();
    if let Some(ctx) = context {
        options.insert("@context".into(), ctx.clone());
    }
    if let Value::Object(map) = proof {
        for (k, v) in map {
            if k != "proofValue" && k != "@context" {
                options.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(options)
}

/// [`signing_input`] from the document's hash.
fn hashed_signing_input(proof_nquads: &str, document_hash: &[u8; 32]) -> Vec<u8> {
    let mut data = Sha256::digest(proof_nquads.as_bytes()).to_vec();
    data.extend_from_slice(document_hash);
    data
}

/// SHA-256(proof options) || SHA-256(document), the bytes Ed25519 signs.
pub fn signing_input(proof_nquads: &str, document_nquads: &str) -> Vec<u8> {
    hashed_signing_input(
        proof_nquads,
        &Sha256::digest(document_nquads.as_bytes()).into(),
    )
}

fn decode_proof_value(value: &str) -> Result<Signature, String> {
    if !value.starts_with('z') {
        return Err(format!(
            "{value}: proofValue is not multibase base58btc ('z' prefix)"
        ));
    }
    let (_, bytes) = multibase::decode(value)
        .map_err(|e| format!("{value}: proofValue does not decode: {e}"))?;
    let bytes: [u8; 64] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| format!("{value}: proofValue has {} bytes, expected 64", b.len()))?;
    Ok(Signature::from_bytes(&bytes))
}

/// Signs `credential` (any existing `proof` is ignored) and returns the new proof object:
/// `DataIntegrityProof` with `cryptosuite` (`eddsa-rdfc-2022`, or `eddsa-2022` for legacy
/// vectors), `proofPurpose` `assertionMethod`. Deterministic for fixed inputs.
pub fn sign_data_integrity(
    credential: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: &str,
    cryptosuite: &str,
) -> Result<Value, DiError> {
    if cryptosuite != "eddsa-rdfc-2022" && cryptosuite != "eddsa-2022" {
        return Err(DiError::UnsupportedSuite(cryptosuite.to_string()));
    }
    let mut proof = Map::new();
    proof.insert("type".into(), "DataIntegrityProof".into());
    proof.insert("created".into(), created.into());
    proof.insert("verificationMethod".into(), verification_method.into());
    proof.insert("cryptosuite".into(), cryptosuite.into());
    proof.insert("proofPurpose".into(), "assertionMethod".into());
    sign_proof(credential, key, proof)
}

/// Signs `credential` with an `Ed25519Signature2020` proof (VC 1.1 vectors; the document's
/// `@context` must include `https://w3id.org/security/suites/ed25519-2020/v1`).
pub fn sign_ed25519_2020(
    credential: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: &str,
) -> Result<Value, DiError> {
    let mut proof = Map::new();
    proof.insert("type".into(), "Ed25519Signature2020".into());
    proof.insert("created".into(), created.into());
    proof.insert("verificationMethod".into(), verification_method.into());
    proof.insert("proofPurpose".into(), "assertionMethod".into());
    sign_proof(credential, key, proof)
}

fn sign_proof(
    credential: &Value,
    key: &SigningKey,
    mut proof: Map<String, Value>,
) -> Result<Value, DiError> {
    let Value::Object(map) = credential else {
        return Err(DiError::NotAnObject);
    };
    let mut unsigned = map.clone();
    unsigned.remove("proof");
    let unsigned = Value::Object(unsigned);
    // Signing takes the reference JSON-LD path: what we sign must be right for everyone.
    let loader = Loader::builtin();
    let document = loader.canonicalize_reference(&unsigned)?;
    let options = proof_options(&Value::Object(proof.clone()), unsigned.get("@context"));
    let options = loader.canonicalize_reference(&options)?;
    let signature = key.sign(&signing_input(&options, &document));
    let value = multibase::encode(multibase::Base::Base58Btc, signature.to_bytes());
    proof.insert("proofValue".into(), value.into());
    Ok(Value::Object(proof))
}

/// `credential` with `proof` added: set when absent, otherwise appended to a proof set.
pub fn attach_proof(credential: &Value, proof: Value) -> Value {
    let mut out = credential.clone();
    if let Value::Object(map) = &mut out {
        let merged = match map.remove("proof") {
            None => proof,
            Some(Value::Array(mut items)) => {
                items.push(proof);
                Value::Array(items)
            }
            Some(existing) => Value::Array(vec![existing, proof]),
        };
        map.insert("proof".into(), merged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn credential() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:a63a60be-f4af-491c-87fc-2c8fd3007a58",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": "Test badge",
            "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "Example"},
            "validFrom": "2010-01-01T00:00:00Z",
            "credentialSubject": {
                "id": "did:example:1", "type": ["AchievementSubject"],
                "achievement": {"id": "https://example.edu/a/1", "type": ["Achievement"], "name": "A",
                    "criteria": {"narrative": "Do it."}, "description": "D"}
            }
        })
    }

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[42u8; 32])
    }

    fn method() -> String {
        format!(
            "https://example.edu/issuers/1#{}",
            keys::encode_multikey(&key().verifying_key())
        )
    }

    #[test]
    fn sign_then_verify_round_trip() {
        let cred = credential();
        let proof = sign_data_integrity(
            &cred,
            &key(),
            &method(),
            "2024-01-01T00:00:00Z",
            "eddsa-rdfc-2022",
        )
        .unwrap();
        let signed = attach_proof(&cred, proof.clone());
        let reports = verify_data_integrity(&signed).unwrap();
        assert_eq!(reports.len(), 1);
        assert!(reports[0].verified(), "{:?}", reports[0].failures());
        assert_eq!(reports[0].suite, Some(Suite::EddsaRdfc2022));
        let again = sign_data_integrity(
            &cred,
            &key(),
            &method(),
            "2024-01-01T00:00:00Z",
            "eddsa-rdfc-2022",
        )
        .unwrap();
        assert_eq!(proof, again, "Ed25519 signing is deterministic");
    }

    #[test]
    fn tamper_breaks_only_the_signature() {
        let cred = credential();
        let proof = sign_data_integrity(
            &cred,
            &key(),
            &method(),
            "2024-01-01T00:00:00Z",
            "eddsa-rdfc-2022",
        )
        .unwrap();
        let mut signed = attach_proof(&cred, proof);
        signed["name"] = "Test badgf".into();
        let r = &verify_data_integrity(&signed).unwrap()[0];
        let failed: Vec<_> = r.failures().into_iter().map(|(rule, _)| rule).collect();
        assert_eq!(failed, vec!["signature"]);
    }

    #[test]
    fn rule_failures_are_separate() {
        let cred = credential();
        let mut proof = sign_data_integrity(
            &cred,
            &key(),
            &method(),
            "2024-01-01T00:00:00Z",
            "eddsa-rdfc-2022",
        )
        .unwrap();
        proof["proofPurpose"] = "authentication".into();
        proof["created"] = "yesterday".into();
        let mut signed = attach_proof(&cred, proof);
        signed["issuer"]["id"] = "https://other.example/i".into();
        let r = &verify_data_integrity(&signed).unwrap()[0];
        let failed: Vec<_> = r.failures().into_iter().map(|(rule, _)| rule).collect();
        assert_eq!(
            failed,
            vec!["proof_purpose", "controller", "created", "signature"]
        );
    }

    #[test]
    fn unsupported_proof_in_a_set_is_reported_alone() {
        let cred = credential();
        let proof = sign_data_integrity(
            &cred,
            &key(),
            &method(),
            "2024-01-01T00:00:00Z",
            "eddsa-rdfc-2022",
        )
        .unwrap();
        let set = attach_proof(
            &attach_proof(
                &cred,
                json!({"type": "SomeProofType", "proofPurpose": "assertionMethod"}),
            ),
            proof,
        );
        let reports = verify_data_integrity(&set).unwrap();
        assert!(reports[0].proof_type.is_fail());
        assert!(reports[1].verified(), "{:?}", reports[1].failures());
    }

    #[test]
    fn no_proof_is_an_error() {
        assert_eq!(
            verify_data_integrity(&credential()).unwrap_err(),
            DiError::NoProof
        );
    }
}
