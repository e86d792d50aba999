//! Proof step: maps the proof layer's per-rule results (Data Integrity and
//! VC-JWT) onto catalog ids. Any one verifying proof suffices; issuers are
//! also judged on which suite they chose.

use super::documents::Fetched;
use super::provenance::{self, Provenance};
use super::{Kind, Subject, VerifyOptions};
use crate::credential::jsonld::Unsigned;
use crate::credential::proof::{self, Check as Rule, KeyError, Suite};
use crate::evidence::{Check, Recorder};
use base64::Engine;
use serde_json::Value;

/// Registered JWT claims (RFC 7519 §4.1): not part of the credential.
const JWT_CLAIMS: &[&str] = &["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// Decode the credential carried by a compact JWS (payload itself, or its `vc` claim).
pub fn decode_jwt_credential(jws: &str) -> Result<Value, String> {
    let parts: Vec<&str> = jws.trim().split('.').collect();
    if parts.len() != 3 {
        return Err(format!("{} parts where a compact JWS has 3", parts.len()));
    }
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[1].trim_end_matches('='))
        .map_err(|e| format!("payload is not base64url: {e}"))?;
    let payload: Value =
        serde_json::from_slice(&raw).map_err(|e| format!("payload is not JSON: {e}"))?;
    match payload {
        Value::Object(mut map) => match map.remove("vc") {
            Some(vc @ Value::Object(_)) => Ok(vc),
            _ => {
                // VC 2.0: the payload is the credential plus registered JWT claims.
                for claim in JWT_CLAIMS {
                    map.remove(*claim);
                }
                Ok(Value::Object(map))
            }
        },
        _ => Err("payload is not a JSON object".into()),
    }
}

fn presence_id(s: &Subject) -> &'static str {
    match s.kind {
        Kind::Endorsement => "proof.endorsement.present",
        _ if s.depth > 0 => "proof.nested.present",
        _ => "proof.present",
    }
}

/// The rows this step may judge, as the registry lists them.
pub(super) const CHECKS: &[crate::registry::CheckSpec] = &[crate::registry::CheckSpec {
    at: crate::registry::here!(),
    name: "proofs",
    ids: &[
        "proof.dereference.did",
        "proof.dereference.http",
        "proof.di.controller-matches-issuer",
        "proof.di.created",
        "proof.di.cryptosuite",
        "proof.di.multikey",
        "proof.di.proof-purpose",
        "proof.di.proof-value-encoding",
        "proof.di.signature",
        "proof.di.type",
        "proof.di.verification-method",
        "proof.embedded.location",
        "proof.endorsement.present",
        "proof.issuer.key-published",
        "proof.jwt.alg",
        "proof.jwt.alg-supported",
        "proof.jwt.claim-exp",
        "proof.jwt.claim-iss",
        "proof.jwt.claim-jti",
        "proof.jwt.claim-nbf",
        "proof.jwt.claim-sub",
        "proof.jwt.compact",
        "proof.jwt.embedded-first",
        "proof.jwt.extra-headers",
        "proof.jwt.jwk-private",
        "proof.jwt.key",
        "proof.jwt.payload",
        "proof.jwt.signature",
        "proof.jwt.typ",
        "proof.jwt.vc-claim-generation",
        "proof.key-provenance",
        "proof.legacy.ed25519-2020",
        "proof.legacy.eddsa-2022",
        "proof.legacy.issuer-extra",
        "proof.legacy.issuer-not-used",
        "proof.multiple",
        "proof.nested.present",
        "proof.present",
        "verify.generation.consistent",
        "verify.nested.proof",
        "verify.proof.required",
    ],
}];

/// Returns whether at least one proof verified. `unsigned`: the credential without
/// its proof, already walked by the data-loss rule (not expanded again).
pub(super) fn run(
    s: &Subject,
    opts: &VerifyOptions,
    rec: &mut Recorder,
    unsigned: Option<Unsigned>,
) -> bool {
    let presence = presence_id(s);
    let has_embedded = s.cred.get("proof").is_some();
    let mut verified = false;
    let mut pc = Check::new("proof present", &[presence, "proof.embedded.location"]);
    pc.subject(&s.name);
    pc.ensure(
        presence,
        has_embedded || s.jws.is_some(),
        "an embedded proof or a VC-JWT",
    );
    if let Some(p) = s.cred.get("proof") {
        pc.ensure(
            "proof.embedded.location",
            p.is_object() || p.is_array(),
            "proof is an object or an array",
        );
    }
    rec.finish(pc);
    // Why a proof could not be checked (a proof that could not be checked is
    // "not verified", never "invalid").
    let mut unchecked: Option<String> = None;
    let mut note = |r: Result<bool, String>| match r {
        Ok(ok) => verified |= ok,
        Err(why) => {
            unchecked.get_or_insert(why);
        }
    };
    if let Some(jws) = s.jws {
        note(super::jwt_step::run(s, jws, opts, rec));
    } else if s.depth == 0 {
        super::jwt_step::not_applicable(s, rec);
    }
    if has_embedded {
        note(embedded(s, opts, rec, unsigned));
    } else if s.depth == 0 {
        let mut c = Check::new("embedded proof", DI_IDS);
        c.subject(&s.name);
        // The provenance rows belong to whichever proof the credential has.
        for id in DI_IDS
            .iter()
            .filter(|id| !super::proofs::PROVENANCE_IDS.contains(id))
        {
            c.not_applicable(id, "no embedded proof");
        }
        rec.finish(c);
    }
    let mut c = Check::new(
        "proof verified",
        &["verify.proof.required", "verify.nested.proof"],
    );
    c.subject(&s.name);
    let id = if s.depth > 0 && matches!(s.kind, Kind::Achievement | Kind::Generic) {
        "verify.nested.proof"
    } else {
        "verify.proof.required"
    };
    if has_embedded || s.jws.is_some() {
        match (&unchecked, verified) {
            (_, true) => {
                c.pass(id, "at least one proof verifies");
            }
            (Some(why), false) => {
                c.skip(
                    id,
                    format!("not verified: no proof could be checked: {why}"),
                );
            }
            (None, false) => {
                c.fail(id, "no proof verifies");
            }
        }
    }
    rec.finish(c);
    verified
}

const DI_IDS: &[&str] = &[
    "proof.di.type",
    "proof.di.cryptosuite",
    "proof.di.proof-purpose",
    "proof.di.verification-method",
    "proof.di.multikey",
    "proof.di.controller-matches-issuer",
    "proof.di.proof-value-encoding",
    "proof.di.created",
    "proof.di.signature",
    "proof.legacy.ed25519-2020",
    "proof.legacy.eddsa-2022",
    "proof.legacy.issuer-not-used",
    "proof.multiple",
    "proof.dereference.did",
    "proof.dereference.http",
    "proof.key-provenance",
    "proof.issuer.key-published",
    "proof.legacy.issuer-extra",
];

/// The key-provenance rows (one per role).
pub(super) const PROVENANCE_IDS: &[&str] = &["proof.key-provenance", "proof.issuer.key-published"];

/// The provenance row of the role: required of a verifier, reported for an issuer.
pub(super) fn provenance_id(opts: &VerifyOptions) -> &'static str {
    if opts.issuer() {
        "proof.issuer.key-published"
    } else {
        "proof.key-provenance"
    }
}

/// Record what the documents show about the signing key.
pub(super) fn record_provenance(c: &mut Check, opts: &VerifyOptions, p: Provenance, at: &str) {
    let id = provenance_id(opts);
    match p {
        Provenance::Proven(m) => c.pass(id, format!("{at}{m}")),
        Provenance::Refuted(m) => c.fail(id, format!("{at}{m}")),
        Provenance::NotJudged(m) => c.skip(id, format!("{at}{m}")),
        Provenance::Unavailable(m) => c.error(id, format!("{at}{m}")),
    };
}

/// The `verificationMethod` of proof `index` of `cred`.
fn method_of(cred: &Value, index: usize) -> Option<&str> {
    match cred.get("proof")? {
        Value::Array(a) => a.get(index)?,
        p => p,
    }
    .get("verificationMethod")?
    .as_str()
}

/// A verification method resolved offline (did:key, fragment) or from the
/// documents fetched beforehand.
pub(super) fn resolve_method(
    method: &str,
    docs: &super::Documents,
) -> Result<proof::ResolvedKey, KeyError> {
    match proof::keys::resolve(method) {
        Err(KeyError::NeedsNetwork(u)) => {
            let url = proof::keys::document_url(method).unwrap_or_else(|_| u.clone());
            match docs.get(&url) {
                Some(Fetched::Json(doc)) => proof::keys::key_from_document(doc, method),
                Some(Fetched::Failed(why)) => Err(KeyError::Fetch {
                    url,
                    reason: why.clone(),
                }),
                Some(Fetched::Text(_)) => Err(KeyError::BadDocument(url)),
                None => Err(KeyError::NeedsNetwork(u)),
            }
        }
        other => other,
    }
}

/// Embedded proofs; returns whether one verified, or why none could be checked.
fn embedded(
    s: &Subject,
    opts: &VerifyOptions,
    rec: &mut Recorder,
    unsigned: Option<Unsigned>,
) -> Result<bool, String> {
    let mut c = Check::new("embedded proof", DI_IDS);
    c.subject(&s.name);
    let docs = &opts.documents;
    let resolve = |method: &str| resolve_method(method, docs);
    let loader = opts.loader();
    let reports = match proof::verify_data_integrity_prepared(s.cred, loader, &resolve, unsigned) {
        Ok(r) => r,
        Err(e) => {
            c.fail("proof.di.signature", e.to_string());
            rec.finish(c);
            return Ok(false);
        }
    };
    let mut unchecked: Option<String> = None;
    let any_ok = reports.iter().any(|r| r.verified());
    // A deprecated proof beside a valid eddsa-rdfc-2022 one is an issuer's extra, not its choice.
    let rdfc_ok = reports
        .iter()
        .any(|r| r.suite == Some(Suite::EddsaRdfc2022) && r.verified());
    if opts.issuer()
        && !(rdfc_ok
            && reports
                .iter()
                .any(|r| r.suite.is_some_and(Suite::is_legacy)))
    {
        c.not_applicable(
            "proof.legacy.issuer-extra",
            "no deprecated proof beside a valid eddsa-rdfc-2022 proof",
        );
    }
    if reports.len() == 1 {
        c.not_applicable("proof.multiple", "a single proof");
    }
    if reports.len() > 1 {
        c.ensure(
            "proof.multiple",
            any_ok,
            format!("{} proofs; at least one verifies", reports.len()),
        );
    }
    for r in &reports {
        let at = |m: &str| format!("proof[{}]: {m}", r.index);
        if opts.issuer() && rdfc_ok && r.suite.is_some_and(Suite::is_legacy) {
            let name = if r.suite == Some(Suite::Ed25519Signature2020) {
                "Ed25519Signature2020"
            } else {
                "eddsa-2022"
            };
            c.fail(
                "proof.legacy.issuer-extra",
                at(&format!(
                    "a deprecated {name} proof beside the valid eddsa-rdfc-2022 proof ({})",
                    if r.verified() {
                        "it verifies too"
                    } else {
                        "it does not verify"
                    }
                )),
            );
            continue;
        }
        // With one verified proof, the others are not needed (any one suffices).
        if any_ok && !r.verified() {
            continue;
        }
        let map = |c: &mut Check, id: &str, rule: &Rule, ok_msg: &str| match rule {
            Rule::Pass => {
                c.pass(id, at(ok_msg));
            }
            Rule::Fail(m) => {
                c.fail(id, at(m));
            }
            Rule::Skipped(m) => {
                c.skip(id, at(m));
            }
        };
        map(
            &mut c,
            "proof.di.proof-purpose",
            &r.proof_purpose,
            "proofPurpose is assertionMethod",
        );
        match &r.key_error {
            Some(KeyError::NeedsNetwork(u)) => {
                let why = if opts.online {
                    format!("{u}: the key document was not fetched")
                } else {
                    format!("{u}: key needs the network (offline; run with --online)")
                };
                c.skip("proof.di.verification-method", at(&why));
                c.skip("proof.di.signature", at(&why));
                unchecked.get_or_insert(at(&why));
                continue;
            }
            Some(KeyError::Fetch { url, reason })
                if reason.contains("HTTP 404") || reason.contains("HTTP 410") =>
            {
                // A did:web (or key URL) whose document does not exist names no key.
                c.fail(
                    "proof.di.verification-method",
                    at(&format!("{url}: the key document does not exist: {reason}")),
                );
                continue;
            }
            Some(KeyError::Fetch { url, reason }) => {
                let why = format!("{url}: key document could not be fetched: {reason}");
                c.error("proof.di.verification-method", at(&why));
                c.skip("proof.di.signature", at(&why));
                unchecked.get_or_insert(at(&why));
                continue;
            }
            Some(
                e @ (KeyError::BadMultibase { .. }
                | KeyError::WrongMulticodec { .. }
                | KeyError::WrongLength { .. }),
            ) => {
                c.fail("proof.di.multikey", at(&e.to_string()));
            }
            _ => {}
        }
        map(
            &mut c,
            "proof.di.verification-method",
            &r.verification_method,
            "verificationMethod resolves to an Ed25519 key",
        );
        if let Some(k) = &r.key {
            if k.source == proof::KeySource::Document {
                c.pass(
                    "proof.dereference.http",
                    at("key dereferenced from its document"),
                );
            }
            c.pass("proof.di.multikey", at("Ed25519 multikey"));
            let method = method_of(s.cred, r.index).unwrap_or_default();
            if method.starts_with("did:key:") {
                c.pass("proof.dereference.did", at("did:key resolved"));
            }
            if r.signature.is_pass() {
                let p = provenance::of_key(
                    Some(method),
                    &provenance::okp_jwk(&k.key),
                    super::issuer_id(s.cred),
                    docs,
                    opts.online,
                );
                if method.starts_with("did:web:") && matches!(p, Provenance::Proven(_)) {
                    c.pass(
                        "proof.dereference.did",
                        at("did:web DID document dereferenced"),
                    );
                }
                record_provenance(&mut c, opts, p, &at(""));
            }
        }
        match &r.controller {
            Rule::Pass => {
                c.pass(
                    "proof.di.controller-matches-issuer",
                    at("the verification method URL names issuer.id (the URL only; the key's provenance is judged apart)"),
                );
            }
            Rule::Fail(m) => {
                c.fail("proof.di.controller-matches-issuer", at(m));
            }
            Rule::Skipped(m) => {
                c.skip("proof.di.controller-matches-issuer", at(m));
            }
        }
        map(
            &mut c,
            "proof.di.proof-value-encoding",
            &r.proof_value,
            "proofValue is base58btc of 64 bytes",
        );
        map(
            &mut c,
            "proof.di.created",
            &r.created,
            "created is a dateTime",
        );
        if let Some(url) = &r.missing_context {
            c.error(
                "proof.di.signature",
                at(&format!(
                    "not verified: {url}: JSON-LD context not available (supply it with --context {url}=FILE, or fetch it with --online)"
                )),
            );
        } else if let Rule::Fail(m) = &r.canonicalization {
            c.fail(
                "proof.di.signature",
                at(&format!("canonicalization failed: {m}")),
            );
        } else {
            map(
                &mut c,
                "proof.di.signature",
                &r.signature,
                "Ed25519 signature over the RDFC-1.0 hashes verifies",
            );
        }
        match r.suite {
            Some(suite) if opts.issuer() => {
                c.ensure(
                    "proof.di.type",
                    suite != Suite::Ed25519Signature2020,
                    at("type is DataIntegrityProof"),
                );
                c.ensure(
                    "proof.di.cryptosuite",
                    suite == Suite::EddsaRdfc2022,
                    at("cryptosuite is eddsa-rdfc-2022"),
                );
                c.ensure(
                    "proof.legacy.issuer-not-used",
                    !suite.is_legacy(),
                    at("no deprecated proof suite"),
                );
            }
            Some(suite @ (Suite::Ed25519Signature2020 | Suite::Eddsa2022)) => {
                let (id, name) = if suite == Suite::Ed25519Signature2020 {
                    ("proof.legacy.ed25519-2020", "Ed25519Signature2020")
                } else {
                    ("proof.legacy.eddsa-2022", "eddsa-2022")
                };
                if r.verified() {
                    c.pass(id, at(&format!("{name} proof verified")));
                } else {
                    let why: Vec<String> = r
                        .failures()
                        .iter()
                        .map(|(rule, m)| format!("{rule}: {m}"))
                        .collect();
                    let why = if why.is_empty() {
                        "its signature could not be checked".to_string()
                    } else {
                        why.join("; ")
                    };
                    c.fail(id, at(&format!("{name} proof does not verify: {why}")));
                }
            }
            Some(Suite::EddsaRdfc2022) => {
                c.pass("proof.di.type", at("type is DataIntegrityProof"));
                c.pass("proof.di.cryptosuite", at("cryptosuite is eddsa-rdfc-2022"));
            }
            None => {
                map(&mut c, "proof.di.type", &r.proof_type, "proof type");
                map(
                    &mut c,
                    "proof.di.cryptosuite",
                    &r.cryptosuite,
                    "cryptosuite",
                );
            }
        }
    }
    rec.finish(c);
    match unchecked {
        Some(why) if !any_ok => Err(why),
        _ => Ok(any_ok),
    }
}
