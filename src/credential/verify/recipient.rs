//! Recipient: does the credential name a known recipient (by id, or by an
//! identifier, plaintext or salted hash)? Used for the certification rule
//! that the ClrCredential is issued to `conformance@imsglobal.org`.

use super::{Subject, VerifyOptions};
use crate::evidence::{Check, Recorder};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The rows this step may judge, as the registry lists them.
pub(super) const CHECKS: &[crate::registry::CheckSpec] = &[crate::registry::CheckSpec {
    at: crate::registry::here!(),
    name: "recipient",
    ids: &[
        "data.cert.recipient",
        "verify.recipient.hashed",
        "verify.recipient.id",
        "verify.recipient.plaintext",
    ],
}];

pub(super) fn run(s: &Subject, opts: &VerifyOptions, rec: &mut Recorder) {
    let ids = [
        "data.cert.recipient",
        "verify.recipient.id",
        "verify.recipient.hashed",
        "verify.recipient.plaintext",
    ];
    let mut c = Check::new("recipient", &ids);
    c.subject(&s.name);
    let Some(known) = &opts.expect_recipient else {
        c.skip(
            "data.cert.recipient",
            "no known recipient given (use --expect-recipient conformance@imsglobal.org)",
        );
        rec.finish(c);
        return;
    };
    let cs = s
        .cred
        .get("credentialSubject")
        .cloned()
        .unwrap_or(Value::Null);
    let mut matched = false;
    if let Some(id) = cs.get("id").and_then(Value::as_str) {
        let hit = id == known || id.strip_prefix("mailto:") == Some(known.as_str());
        if hit {
            c.pass(
                "verify.recipient.id",
                format!("credentialSubject.id is {id}"),
            );
        }
        matched |= hit;
    }
    let identifiers: Vec<&Value> = match cs.get("identifier") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => vec![],
    };
    for (i, ident) in identifiers.iter().enumerate() {
        let hash = ident
            .get("identityHash")
            .and_then(Value::as_str)
            .unwrap_or("");
        let hashed = ident
            .get("hashed")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if hashed {
            let salt = ident.get("salt").and_then(Value::as_str).unwrap_or("");
            match identity_hash_matches(hash, known, salt) {
                Some(true) => {
                    c.pass(
                        "verify.recipient.hashed",
                        format!("identifier[{i}]: salted hash matches"),
                    );
                    matched = true;
                }
                Some(false) => {}
                None => {
                    c.fail(
                        "verify.recipient.hashed",
                        format!("identifier[{i}]: identityHash {hash} is not md5$ or sha256$ hex"),
                    );
                }
            }
        } else if hash == known {
            c.pass(
                "verify.recipient.plaintext",
                format!("identifier[{i}]: plaintext match"),
            );
            matched = true;
        }
    }
    c.ensure(
        "data.cert.recipient",
        matched,
        if matched {
            format!("issued to {known}")
        } else {
            format!("not issued to {known}: no id or identifier matches")
        },
    );
    rec.finish(c);
}

/// `sha256$<hex>` or `md5$<hex>` of known+salt; None when the hash has another form.
fn identity_hash_matches(hash: &str, known: &str, salt: &str) -> Option<bool> {
    let (alg, hex_value) = hash.split_once('$')?;
    let input = format!("{known}{salt}");
    let computed = match alg {
        "sha256" => hex::encode(Sha256::digest(input.as_bytes())),
        "md5" => return Some(false),
        _ => return None,
    };
    Some(computed.eq_ignore_ascii_case(hex_value))
}
