//! VC-JWT step: maps the JWT verifier's per-rule results onto catalog ids.

use super::{Subject, VerifyOptions};
use crate::credential::proof::{self, Check as Rule, KeyError};
use crate::evidence::{Check, Recorder};

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
];

/// Returns whether the JWT proof verified.
pub(super) fn run(s: &Subject, jws: &str, opts: &VerifyOptions, rec: &mut Recorder) -> bool {
    let mut c = Check::new("vc-jwt", IDS);
    c.subject(&s.name);
    let report = match proof::verify_jwt(jws) {
        Ok(r) => r,
        Err(e) => {
            c.fail("proof.jwt.compact", e.to_string());
            rec.finish(c);
            return false;
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
        c.ensure(
            "proof.jwt.alg-supported",
            alg == "RS256" || alg == "ES256",
            format!("alg {alg} is supported by the conformance suite"),
        );
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
    match &report.key_error {
        Some(KeyError::NeedsNetwork(u)) | Some(KeyError::Fetch { url: u, .. }) => {
            let why = format!("{u}: key needs the network (offline; use --online)");
            c.skip("proof.jwt.signature", why);
        }
        _ => map(
            &mut c,
            "proof.jwt.signature",
            &report.signature,
            "JWS signature verifies",
        ),
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
    report.verified()
}

/// The credential is not a VC-JWT: none of the JWT rules apply.
pub(super) fn not_applicable(s: &Subject, rec: &mut Recorder) {
    let mut c = Check::new("vc-jwt", IDS);
    c.subject(&s.name);
    for id in IDS {
        c.not_applicable(id, "not a VC-JWT");
    }
    rec.finish(c);
}
