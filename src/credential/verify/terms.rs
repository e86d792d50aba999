//! Data loss: JSON-LD expansion silently drops a property or type no context
//! defines, so an embedded proof does not cover it and a Data Integrity verifier in
//! safe mode refuses the credential (VC Data Integrity 1.0 §4). The fast expansion
//! walk records each dropped term with its JSON pointer; this step reports them.
//! Nested and endorsement credentials are judged as their own subjects, so the
//! outer credential leaves their members to them.

use super::{Subject, VerifyOptions};
use crate::credential::jsonld::{Dropped, JsonLdError, Loader, Unsigned};
use crate::evidence::{Check, Recorder};

const RULE: &str = "data.jsonld.terms-defined";
const ENDORSEMENT_JWT: &str = "proof.endorsement-jwt.covered";
/// At most this many dropped terms are listed per credential.
const MAX_LISTED: usize = 20;

/// The rows this step may judge, as the registry lists them.
pub(super) const CHECKS: &[crate::registry::CheckSpec] = &[crate::registry::CheckSpec {
    at: crate::registry::here!(),
    name: "JSON-LD terms",
    ids: &["data.jsonld.terms-defined", "proof.endorsement-jwt.covered"],
}];

/// Returns the credential without its proof as the walk left it, for the proof
/// check's documentHash (when the walk could keep it).
pub(super) fn run(s: &Subject, opts: &VerifyOptions, rec: &mut Recorder) -> Option<Unsigned> {
    let mut c = Check::new("json-ld terms defined", &[RULE, ENDORSEMENT_JWT]);
    c.subject(&s.name);
    let embedded = s.cred.get("proof").is_some();
    let (own, unsigned) = match walk(opts.loader(), s.cred) {
        Ok(walked) => walked,
        Err(e @ JsonLdError::UnknownContext(_)) => {
            c.error(RULE, format!("not judged: {e}"));
            rec.finish(c);
            return None;
        }
        Err(e) => {
            c.skip(RULE, format!("not judged: JSON-LD expansion failed: {e}"));
            rec.finish(c);
            return None;
        }
    };
    let (jwt, others): (Vec<&Dropped>, Vec<&Dropped>) =
        own.iter().partition(|d| d.term == "endorsementJwt");
    if others.is_empty() {
        c.pass(RULE, "every property and type is defined by the @context");
    }
    for d in others.iter().take(MAX_LISTED) {
        c.fail(
            RULE,
            format!(
                "{}: {:?} is defined by no @context entry; JSON-LD expansion drops it{}",
                d.pointer,
                d.term,
                hint(&d.term)
            ),
        );
    }
    if others.len() > MAX_LISTED {
        c.fail(
            RULE,
            format!("... and {} more undefined terms", others.len() - MAX_LISTED),
        );
    }
    if embedded {
        for d in &jwt {
            c.fail(
                ENDORSEMENT_JWT,
                format!(
                    "{}: endorsementJwt is defined by none of this credential's contexts (the published OB 3.0.3 and CLR 2.0.1 contexts lack it): the embedded proof does not cover it and safe-mode verifiers refuse the credential",
                    d.pointer
                ),
            );
        }
        if jwt.is_empty() && has_member(s.cred, "endorsementJwt") {
            c.pass(ENDORSEMENT_JWT, "endorsementJwt is defined by the @context");
        }
    }
    rec.finish(c);
    unsigned
}

/// The terms of `cred` itself that JSON-LD drops, as this rule judges them: without
/// those of its nested and endorsement credentials (their own subjects) and of proofs
/// no verifier here expands. `endorsementJwt` is among them (it has its own row).
pub fn judged_terms(
    loader: &Loader,
    cred: &serde_json::Value,
) -> Result<Vec<Dropped>, JsonLdError> {
    Ok(walk(loader, cred)?.0)
}

/// [`judged_terms`] and, from the same expansion, the credential without its proof for
/// the proof check.
fn walk(
    loader: &Loader,
    cred: &serde_json::Value,
) -> Result<(Vec<Dropped>, Option<Unsigned>), JsonLdError> {
    let (dropped, unsigned) = loader.dropped_terms_and_unsigned(cred)?;
    let judged = dropped
        .into_iter()
        .filter(|d| !in_sub_credential(d) && !in_foreign_proof(cred, d))
        .collect();
    Ok((judged, unsigned))
}

/// What to add when a 1EdTech extension type is undefined.
fn hint(term: &str) -> &'static str {
    match term {
        "1EdTechJsonSchemaValidator2019" | "1EdTechRevocationList" | "1EdTechCredentialRefresh" => {
            " (add https://purl.imsglobal.org/spec/ob/v3p0/extensions.json to @context)"
        }
        _ => "",
    }
}

/// Whether the dropped term lies inside a nested credential or an endorsement, which
/// are verified (and reported) as subjects of their own.
fn in_sub_credential(d: &Dropped) -> bool {
    let steps: Vec<&str> = d.pointer.split('/').skip(1).collect();
    steps
        .iter()
        .enumerate()
        .any(|(i, s)| (*s == "verifiableCredential" || *s == "endorsement") && i + 1 < steps.len())
}

/// Whether the dropped term lies in a proof of a type we do not verify: no verifier
/// expands that proof (each proof is canonicalized on its own, without the others), so
/// nothing it holds is lost from what a verified proof covers. Its type is reported by
/// the proof rows instead.
fn in_foreign_proof(cred: &serde_json::Value, d: &Dropped) -> bool {
    let Some(rest) = d.pointer.strip_prefix("/proof") else {
        return false;
    };
    let proof = match cred.get("proof") {
        Some(serde_json::Value::Array(a)) => {
            let index = rest
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or_default();
            index.parse::<usize>().ok().and_then(|i| a.get(i))
        }
        other => other,
    };
    let ty = proof.and_then(|p| p.get("type")).and_then(|t| t.as_str());
    !matches!(ty, Some("DataIntegrityProof" | "Ed25519Signature2020"))
}

fn has_member(v: &serde_json::Value, name: &str) -> bool {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .any(|(k, v)| k == name || (k != "proof" && has_member(v, name))),
        serde_json::Value::Array(a) => a.iter().any(|v| has_member(v, name)),
        _ => false,
    }
}
