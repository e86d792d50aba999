//! Status: 1EdTechRevocationList and BitstringStatusListEntry, judged
//! against documents fetched beforehand (offline runs may preload them).

use super::documents::Fetched;
use super::{Subject, VerifyOptions};
use crate::evidence::{Check, Recorder};
use base64::Engine;
use serde_json::Value;
use std::io::Read;

/// The rows this step may judge, as the registry lists them.
pub(super) const CHECKS: &[crate::registry::CheckSpec] = &[crate::registry::CheckSpec {
    at: crate::registry::here!(),
    name: "status",
    ids: &[
        "data.credential-status.shape",
        "verify.status.bitstring",
        "verify.status.list-verified",
        "verify.status.revocation-list",
    ],
}];

pub(super) fn run(s: &Subject, opts: &VerifyOptions, rec: &mut Recorder) {
    let entries: Vec<&Value> = match s.cred.get("credentialStatus") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => return,
    };
    for e in entries {
        let ty = e.get("type").and_then(Value::as_str).unwrap_or("");
        let mut c = Check::new(
            "credential status",
            &[
                "data.credential-status.shape",
                "verify.status.revocation-list",
                "verify.status.bitstring",
                "verify.status.list-verified",
            ],
        );
        c.subject(&s.name);
        let shape_ok = !ty.is_empty()
            && e.get("id")
                .and_then(Value::as_str)
                .is_some_and(super::shape::is_uri);
        c.ensure(
            "data.credential-status.shape",
            shape_ok,
            "credentialStatus has a type and a URL id",
        );
        match ty {
            "1EdTechRevocationList" => revocation_list(s, e, opts, &mut c),
            "BitstringStatusListEntry" => bitstring(e, opts, &mut c),
            other => {
                c.skip(
                    "verify.status.revocation-list",
                    format!("status method {other} is not evaluated"),
                );
            }
        }
        rec.finish(c);
    }
}

fn missing(c: &mut Check, id: &str, url: &str, opts: &VerifyOptions, why: Option<&str>) {
    let msg = match (why, opts.online) {
        (Some(w), _) => format!("{url}: status list could not be fetched: {w}"),
        (None, false) => format!("{url}: status list not checked (offline; use --online)"),
        (None, true) => format!("{url}: status list was not fetched"),
    };
    if why.is_some() {
        c.error(id, msg);
    } else {
        c.skip(id, msg);
    }
}

fn revocation_list(s: &Subject, e: &Value, opts: &VerifyOptions, c: &mut Check) {
    let id = "verify.status.revocation-list";
    let Some(url) = e.get("id").and_then(Value::as_str) else {
        return;
    };
    let list = match opts.documents.get(url) {
        Some(Fetched::Json(v)) => v,
        Some(Fetched::Failed(w)) => return missing(c, id, url, opts, Some(w)),
        Some(Fetched::Text(_)) => return missing(c, id, url, opts, Some("not JSON")),
        None => return missing(c, id, url, opts, None),
    };
    c.cite(url.to_string());
    let cred_id = s.cred.get("id").and_then(Value::as_str).unwrap_or("");
    let revoked = list
        .get("revokedCredentials")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter().any(|r| {
                r.get("id").and_then(Value::as_str) == Some(cred_id)
                    && r.get("revoked").and_then(Value::as_bool).unwrap_or(true)
            })
        });
    match revoked {
        Some(r) => {
            c.ensure(
                id,
                !r,
                format!(
                    "{cred_id} is {}on the revocation list",
                    if r { "" } else { "not " }
                ),
            );
        }
        None => {
            c.error(
                id,
                format!("{url}: no revokedCredentials array in the revocation list"),
            );
        }
    }
}

fn bitstring(e: &Value, opts: &VerifyOptions, c: &mut Check) {
    let id = "verify.status.bitstring";
    let Some(url) = e.get("statusListCredential").and_then(Value::as_str) else {
        c.fail(id, "BitstringStatusListEntry without statusListCredential");
        return;
    };
    let index = e.get("statusListIndex").and_then(|v| {
        v.as_str()
            .and_then(|s| s.parse::<u64>().ok())
            .or_else(|| v.as_u64())
    });
    let Some(index) = index else {
        c.fail(id, "statusListIndex is not a non-negative integer");
        return;
    };
    let purpose = e
        .get("statusPurpose")
        .and_then(Value::as_str)
        .unwrap_or("revocation");
    let decoded;
    let list = match opts.documents.get(url) {
        Some(Fetched::Json(v)) => v,
        Some(Fetched::Failed(w)) => return missing(c, id, url, opts, Some(w)),
        Some(Fetched::Text(t)) if crate::credential::parse::is_compact_jws(t.trim()) => {
            match super::proofs::decode_jwt_credential(t) {
                Ok(v) => {
                    decoded = v;
                    &decoded
                }
                Err(e) => {
                    c.fail(
                        "verify.status.list-verified",
                        format!("{url}: the status list VC-JWT does not decode: {e}"),
                    );
                    return;
                }
            }
        }
        Some(Fetched::Text(_)) => return missing(c, id, url, opts, Some("not JSON")),
        None => return missing(c, id, url, opts, None),
    };
    c.cite(url.to_string());
    let jws = match opts.documents.get(url) {
        Some(Fetched::Text(t)) => Some(t.trim()),
        _ => None,
    };
    match list_verified(list, jws, purpose, opts) {
        Ok(how) => {
            c.pass(
                "verify.status.list-verified",
                format!("{url}: status list credential verified ({how})"),
            );
        }
        Err(ListProblem::Defect(why)) => {
            c.fail(
                "verify.status.list-verified",
                format!("{url}: status list credential not usable: {why}"),
            );
            c.error(
                id,
                format!("{url}: no status: the status list credential is not usable"),
            );
            return;
        }
        Err(ListProblem::Unchecked(why)) => {
            let msg = format!("{url}: status list credential not verified: {why}");
            c.skip("verify.status.list-verified", msg.clone());
            c.skip(id, msg);
            return;
        }
    }
    let Some(encoded) = list
        .pointer("/credentialSubject/encodedList")
        .and_then(Value::as_str)
    else {
        c.error(id, format!("{url}: no credentialSubject.encodedList"));
        return;
    };
    match bit(encoded, index) {
        Ok(set) => {
            c.ensure(
                id,
                !set,
                format!(
                    "{purpose} bit {index} is {}",
                    if set { "set" } else { "clear" }
                ),
            );
        }
        Err(err) => {
            c.error(id, format!("{url}: {err}"));
        }
    }
}

/// Why a status list credential cannot be used.
enum ListProblem {
    /// It is shown to be wrong (bad proof, expired, wrong type or purpose).
    Defect(String),
    /// It could not be checked (a key or document needs the network).
    Unchecked(String),
}

/// Verify a status list credential in full (BSL §3.2): proof with a key shown
/// to be its issuer's, validity period, type, purpose. Returns how its key was shown.
fn list_verified(
    list: &Value,
    jws: Option<&str>,
    purpose: &str,
    opts: &VerifyOptions,
) -> Result<String, ListProblem> {
    use super::provenance::{self, Provenance};
    use crate::credential::proof;
    use ListProblem::{Defect, Unchecked};
    if !super::has_type(list, "BitstringStatusListCredential") {
        return Err(Defect(
            "its type does not include BitstringStatusListCredential".into(),
        ));
    }
    let purposes: Vec<&str> = match list.pointer("/credentialSubject/statusPurpose") {
        Some(Value::String(p)) => vec![p.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !purposes.contains(&purpose) {
        return Err(Defect(format!(
            "its statusPurpose is {}, the entry's is {purpose}",
            if purposes.is_empty() {
                "absent".to_string()
            } else {
                purposes.join(", ")
            }
        )));
    }
    let v11 = super::generation(list, opts.profile) == super::Generation::V11;
    let (from_f, until_f) = if v11 {
        ("issuanceDate", "expirationDate")
    } else {
        ("validFrom", "validUntil")
    };
    let date = |f: &str| {
        list.get(f)
            .and_then(Value::as_str)
            .and_then(super::dates::parse_date)
    };
    if let Some(f) = date(from_f)
        && opts.now < f
    {
        return Err(Defect(format!(
            "not yet valid: {from_f} {f} is in the future"
        )));
    }
    if let Some(u) = date(until_f)
        && opts.now > u
    {
        return Err(Defect(format!("expired: {until_f} {u} has passed")));
    }
    let issuer = super::issuer_id(list);
    let prov = |method: Option<&str>, jwk: &Value| match provenance::of_key(
        method,
        jwk,
        issuer,
        &opts.documents,
        opts.online,
    ) {
        Provenance::Proven(how) => Ok(how),
        Provenance::Refuted(why) => Err(Defect(format!("its signing key: {why}"))),
        Provenance::NotJudged(why) | Provenance::Unavailable(why) => {
            Err(Unchecked(format!("its signing key: {why}")))
        }
    };
    if let Some(jws) = jws {
        let resolve = |kid: &str| super::jwt_step::resolve_kid(kid, opts);
        let r = proof::verify_jwt_with(jws, &resolve)
            .map_err(|e| Defect(format!("its VC-JWT: {e}")))?;
        if !r.verified() {
            return Err(match &r.key_error {
                Some(e @ (proof::KeyError::NeedsNetwork(_) | proof::KeyError::Fetch { .. })) => {
                    Unchecked(e.to_string())
                }
                _ => Defect(format!(
                    "its VC-JWT does not verify ({})",
                    r.failures()
                        .iter()
                        .map(|(k, m)| format!("{k}: {m}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
            });
        }
        let kid = r.header.get("kid").and_then(Value::as_str);
        let jwk = match r.header.get("jwk") {
            Some(j) => j.clone(),
            None => kid.and_then(|k| resolve(k).ok()).unwrap_or(Value::Null),
        };
        return prov(kid, &jwk);
    }
    if list.get("proof").is_none() {
        return Err(Defect("it has no proof".into()));
    }
    let resolve = |m: &str| super::proofs::resolve_method(m, &opts.documents);
    let reports = proof::verify_data_integrity_with(list, opts.loader(), &resolve)
        .map_err(|e| Defect(format!("its proof: {e}")))?;
    let Some(ok) = reports.iter().find(|r| r.verified()) else {
        let unchecked = reports.iter().find_map(|r| match &r.key_error {
            Some(e @ (proof::KeyError::NeedsNetwork(_) | proof::KeyError::Fetch { .. })) => {
                Some(e.to_string())
            }
            _ => None,
        });
        return Err(match unchecked {
            Some(why) => Unchecked(why),
            None => Defect(format!(
                "its proof does not verify ({})",
                reports
                    .iter()
                    .flat_map(|r| r.failures())
                    .map(|(k, m)| format!("{k}: {m}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        });
    };
    let method = match list.get("proof") {
        Some(Value::Array(a)) => a.get(ok.index),
        p => p,
    }
    .and_then(|p| p.get("verificationMethod"))
    .and_then(Value::as_str);
    let key = ok
        .key
        .as_ref()
        .map(|k| provenance::okp_jwk(&k.key))
        .unwrap_or(Value::Null);
    prov(method, &key)
}

/// Read bit `index` (most significant bit first) of a multibase base64url GZIP bitstring.
pub(crate) fn bit(encoded: &str, index: u64) -> Result<bool, String> {
    let b64 = encoded.strip_prefix('u').unwrap_or(encoded);
    let gz = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64.trim_end_matches('='))
        .map_err(|e| format!("encodedList is not base64url: {e}"))?;
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .take(16 * 1024 * 1024)
        .read_to_end(&mut bits)
        .map_err(|e| format!("encodedList is not GZIP: {e}"))?;
    let byte = (index / 8) as usize;
    let Some(b) = bits.get(byte) else {
        return Err(format!(
            "statusListIndex {index} is beyond the list ({} bits)",
            bits.len() * 8
        ));
    };
    Ok(b & (0x80 >> (index % 8)) != 0)
}
