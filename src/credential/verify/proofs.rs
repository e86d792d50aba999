//! Proof step: maps the proof layer's per-rule results (Data Integrity and
//! VC-JWT) onto catalog ids. Any one verifying proof suffices; issuers are
//! also judged on which suite they chose.

use super::documents::Fetched;
use super::{Kind, Subject, VerifyOptions};
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

/// Returns whether at least one proof verified.
pub(super) fn run(s: &Subject, opts: &VerifyOptions, rec: &mut Recorder) -> bool {
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
    if let Some(jws) = s.jws {
        verified |= super::jwt_step::run(s, jws, opts, rec);
    } else if s.depth == 0 {
        super::jwt_step::not_applicable(s, rec);
    }
    if has_embedded {
        verified |= embedded(s, opts, rec);
    } else if s.depth == 0 {
        let mut c = Check::new("embedded proof", DI_IDS);
        c.subject(&s.name);
        for id in DI_IDS {
            c.not_applicable(id, "no embedded proof");
        }
        rec.finish(c);
    }
    let mut c = Check::new(
        "proof verified",
        &["verify.proof.required", "verify.nested.proof"],
    );
    c.subject(&s.name);
    let id = if s.depth > 0 && s.kind == Kind::Achievement {
        "verify.nested.proof"
    } else {
        "verify.proof.required"
    };
    if has_embedded || s.jws.is_some() {
        c.ensure(id, verified, "at least one proof verifies");
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
];

/// Embedded proofs; returns whether one verified.
fn embedded(s: &Subject, opts: &VerifyOptions, rec: &mut Recorder) -> bool {
    let mut c = Check::new("embedded proof", DI_IDS);
    c.subject(&s.name);
    let docs = &opts.documents;
    let resolve = |method: &str| match proof::keys::resolve(method) {
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
    };
    let loader = opts.loader();
    let reports = match proof::verify_data_integrity_with(s.cred, loader, &resolve) {
        Ok(r) => r,
        Err(e) => {
            c.fail("proof.di.signature", e.to_string());
            rec.finish(c);
            return false;
        }
    };
    let any_ok = reports.iter().any(|r| r.verified());
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
        // With one verified proof, the others are not needed (any one suffices).
        if any_ok && !r.verified() {
            continue;
        }
        let at = |m: &str| format!("proof[{}]: {m}", r.index);
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
            Some(KeyError::NeedsNetwork(u)) | Some(KeyError::Fetch { url: u, .. }) => {
                let why = if opts.online {
                    format!("{u}: key could not be fetched")
                } else {
                    format!("{u}: key needs the network (offline; use --online)")
                };
                if opts.online {
                    c.error("proof.di.verification-method", at(&why));
                } else {
                    c.skip("proof.di.verification-method", at(&why));
                }
                c.skip("proof.di.signature", at(&why));
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
            let vm = s
                .cred
                .get("proof")
                .map(|p| p.to_string())
                .unwrap_or_default();
            if vm.contains("did:key:") {
                c.pass("proof.dereference.did", at("did:key resolved"));
            }
        }
        map(
            &mut c,
            "proof.di.controller-matches-issuer",
            &r.controller,
            "controller matches issuer.id",
        );
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
            Some(Suite::Ed25519Signature2020) => {
                c.ensure(
                    "proof.legacy.ed25519-2020",
                    r.verified(),
                    at("Ed25519Signature2020 proof verified"),
                );
            }
            Some(Suite::Eddsa2022) => {
                c.ensure(
                    "proof.legacy.eddsa-2022",
                    r.verified(),
                    at("eddsa-2022 proof verified"),
                );
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
    any_ok
}
