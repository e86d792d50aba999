//! Status: 1EdTechRevocationList and BitstringStatusListEntry, judged
//! against documents fetched beforehand (offline runs may preload them).

use super::documents::Fetched;
use super::{Subject, VerifyOptions};
use crate::evidence::{Check, Recorder};
use base64::Engine;
use serde_json::Value;
use std::io::Read;

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
    let list = match opts.documents.get(url) {
        Some(Fetched::Json(v)) => v,
        Some(Fetched::Failed(w)) => return missing(c, id, url, opts, Some(w)),
        Some(Fetched::Text(_)) => return missing(c, id, url, opts, Some("not JSON")),
        None => return missing(c, id, url, opts, None),
    };
    c.cite(url.to_string());
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
