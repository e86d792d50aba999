//! VC-JWT step: maps the JWT verifier's per-rule results onto catalog ids.

use super::documents::Fetched;
use super::provenance;
use super::{Subject, VerifyOptions};
use crate::credential::proof::{self, Check as Rule, KeyError};
use crate::evidence::{Check, Recorder};
use serde_json::Value;

const IDS: &[&str] = &[
    "proof.jwt.compact",
    "proof.jwt.alg",
    "proof.jwt.alg-supported",
    "proof.jwt.key",
    "proof.jwt.jwk-private",
    "proof.jwt.typ",
    "proof.jwt.extra-headers",
    "proof.jwt.signature",
    "proof.jwt.payload",
    "proof.jwt.vc-claim-generation",
    "proof.jwt.claim-iss",
    "proof.jwt.claim-jti",
    "proof.jwt.claim-nbf",
    "proof.jwt.claim-sub",
    "proof.jwt.claim-exp",
    "proof.jwt.embedded-first",
    "verify.generation.consistent",
    "proof.key-provenance",
    "proof.issuer.key-published",
];

/// A `kid` resolved offline (did:key, fragment) or from the documents fetched beforehand.
pub(super) fn resolve_kid(kid: &str, opts: &VerifyOptions) -> Result<Value, KeyError> {
    match proof::jwt::resolve_kid(kid) {
        Err(KeyError::NeedsNetwork(u)) => {
            let url = proof::keys::document_url(kid).unwrap_or_else(|_| u.clone());
            match opts.documents.get(&url) {
                Some(Fetched::Json(doc)) => proof::jwt::jwk_from_document(doc, kid),
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

/// Returns whether the JWT proof verified, or why it could not be checked.
pub(super) fn run(
    s: &Subject,
    jws: &str,
    opts: &VerifyOptions,
    rec: &mut Recorder,
) -> Result<bool, String> {
    let mut c = Check::new("vc-jwt", IDS);
    c.subject(&s.name);
    let resolve = |kid: &str| resolve_kid(kid, opts);
    let report = match proof::verify_jwt_with(jws, &resolve) {
        Ok(r) => r,
        Err(e) => {
            c.fail("proof.jwt.compact", e.to_string());
            rec.finish(c);
            return Ok(false);
        }
    };
    c.pass("proof.jwt.compact", "three base64url segments");
    if s.cred.get("proof").is_some() {
        c.pass(
            "proof.jwt.embedded-first",
            "the embedded proof sits inside the signed JWT payload",
        );
    } else {
        c.not_applicable(
            "proof.jwt.embedded-first",
            "no embedded proof inside the VC-JWT",
        );
    }
    let map = |c: &mut Check, id: &str, rule: &Rule, ok: &str| match rule {
        Rule::Pass => {
            c.pass(id, ok.to_string());
        }
        Rule::Fail(m) => {
            c.fail(id, m.clone());
        }
        Rule::Skipped(m) => {
            c.not_applicable(id, m.clone());
        }
    };
    let alg = report
        .header
        .get("alg")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    if opts.issuer() {
        // RS256 is what every verifier must support; any other registered
        // algorithm that verifies is valid, with an interop warning.
        match &report.alg {
            Rule::Pass if alg == "RS256" => {
                c.pass(
                    "proof.jwt.alg-supported",
                    "alg RS256, which every verifier supports",
                );
            }
            Rule::Pass => {
                c.fail(
                    "proof.jwt.alg-supported",
                    format!("alg {alg}: valid, but verifiers need support only RS256"),
                );
            }
            Rule::Fail(m) | Rule::Skipped(m) => {
                c.fail("proof.jwt.alg-supported", m.clone());
            }
        }
        let vc11 = report.payload.contains_key("vc");
        c.ensure(
            "proof.jwt.payload",
            !vc11,
            "VC 2.0 payload is the credential itself (no vc claim)",
        );
    } else if alg == "RS256" {
        map(
            &mut c,
            "proof.jwt.alg",
            &report.signature,
            "RS256 VC-JWT verified",
        );
    }
    map(
        &mut c,
        "proof.jwt.key",
        &report.key_header,
        "kid or jwk present",
    );
    map(
        &mut c,
        "proof.jwt.jwk-private",
        &report.jwk_public_only,
        "jwk has no private part",
    );
    map(
        &mut c,
        "proof.jwt.typ",
        &report.typ,
        "typ is JWT when present",
    );
    map(
        &mut c,
        "proof.jwt.extra-headers",
        &report.other_headers,
        "only alg, kid, jwk, typ headers",
    );
    let mut unchecked = None;
    match (&report.key_error, &report.signature) {
        (Some(KeyError::NeedsNetwork(u)), _) => {
            let why = if opts.online {
                format!("{u}: the key document was not fetched")
            } else {
                format!("{u}: key needs the network (offline; run with --online)")
            };
            c.skip("proof.jwt.signature", why.clone());
            unchecked = Some(why);
        }
        (Some(KeyError::Fetch { url, reason }), _) => {
            let why = format!("{url}: key document could not be fetched: {reason}");
            c.error("proof.jwt.signature", why.clone());
            unchecked = Some(why);
        }
        (_, Rule::Skipped(m)) => {
            c.skip("proof.jwt.signature", m.clone());
            unchecked = Some(m.clone());
        }
        _ => map(
            &mut c,
            "proof.jwt.signature",
            &report.signature,
            "JWS signature verifies",
        ),
    }
    if report.signature.is_pass() {
        let kid = report.header.get("kid").and_then(Value::as_str);
        let used = match report.header.get("jwk") {
            Some(j) => Some(j.clone()),
            None => kid.and_then(|k| resolve(k).ok()),
        };
        if let Some(jwk) = used {
            let p = provenance::of_key(
                kid,
                &jwk,
                super::issuer_id(s.cred),
                &opts.documents,
                opts.online,
            );
            super::proofs::record_provenance(&mut c, opts, p, "");
        }
    }
    map(
        &mut c,
        "verify.generation.consistent",
        &report.style_matches_context,
        "the vc claim agrees with the first @context",
    );
    map(
        &mut c,
        "proof.jwt.vc-claim-generation",
        &report.style_matches_context,
        "vc claim agrees with the generation",
    );
    map(
        &mut c,
        "proof.jwt.claim-iss",
        &report.iss,
        "iss equals issuer.id",
    );
    map(&mut c, "proof.jwt.claim-jti", &report.jti, "jti equals id");
    map(
        &mut c,
        "proof.jwt.claim-nbf",
        &report.nbf,
        "nbf equals validFrom",
    );
    map(
        &mut c,
        "proof.jwt.claim-sub",
        &report.sub,
        "sub equals credentialSubject.id",
    );
    map(
        &mut c,
        "proof.jwt.claim-exp",
        &report.exp,
        "exp equals validUntil",
    );
    rec.finish(c);
    match unchecked {
        Some(why) if !report.verified() && report.failures().is_empty() => Err(why),
        _ => Ok(report.verified()),
    }
}

/// The credential is not a VC-JWT: none of the JWT rules apply.
pub(super) fn not_applicable(s: &Subject, rec: &mut Recorder) {
    let mut c = Check::new("vc-jwt", IDS);
    c.subject(&s.name);
    // The provenance rows belong to whichever proof the credential has.
    for id in IDS
        .iter()
        .filter(|id| !super::proofs::PROVENANCE_IDS.contains(id))
    {
        c.not_applicable(id, "not a VC-JWT");
    }
    rec.finish(c);
}
