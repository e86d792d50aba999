//! Signed results: a run's outcome issued as an Open Badges 3.0
//! AchievementCredential (eddsa-rdfc-2022, did:key issuer) that carries the
//! verdict per role and the SHA-256 of `report.json`. It proves who ran the
//! harness (whoever holds the key) and that the report was not changed since;
//! it does not prove the run was honest, that the key belongs to anyone in
//! particular, or which product was behind the target URL.

use crate::credential::proof::data_integrity::{
    attach_proof, sign_data_integrity, verify_data_integrity,
};
use crate::credential::proof::keys::{
    decode_secret_multikey, encode_multikey, encode_secret_multikey,
};
use crate::report::Report;
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The file a signed result is written to, beside report.json.
pub const RESULT_FILE: &str = "result.json";

const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
const HASH_RESULT: &str = "urn:clr-conformance:result:report-sha256";

/// A signing key file: the did:key, its verification method and the secret.
pub fn keygen(path: &Path) -> anyhow::Result<String> {
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
    let key = SigningKey::from_bytes(&seed);
    let mk = encode_multikey(&key.verifying_key());
    let did = format!("did:key:{mk}");
    let doc = json!({
        "comment": "clr-conformance result-signing key: keep secretKeyMultibase private",
        "id": did,
        "verificationMethod": format!("{did}#{mk}"),
        "publicKeyMultibase": mk,
        "secretKeyMultibase": encode_secret_multikey(&key),
    });
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(|e| {
        anyhow::anyhow!(
            "{}: {e} (an existing key is never overwritten)",
            path.display()
        )
    })?;
    std::io::Write::write_all(&mut f, serde_json::to_string_pretty(&doc)?.as_bytes())?;
    Ok(did)
}

/// The key and its did:key from a key file `keygen` wrote.
pub fn load_key(path: &Path) -> anyhow::Result<(SigningKey, String)> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: not JSON: {e}", path.display()))?;
    let secret = v["secretKeyMultibase"].as_str().ok_or_else(|| {
        anyhow::anyhow!(
            "{}: no secretKeyMultibase (make one with `clr-conformance keygen`)",
            path.display()
        )
    })?;
    let key = decode_secret_multikey(secret)
        .map_err(|e| anyhow::anyhow!("{}: secretKeyMultibase: {e}", path.display()))?;
    Ok((
        key.clone(),
        format!("did:key:{}", encode_multikey(&key.verifying_key())),
    ))
}

/// `sha256:<hex>` of the report file's bytes.
pub fn report_hash(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn certifiable_word(v: &crate::report::Certifiable) -> &'static str {
    match v {
        crate::report::Certifiable::Yes => "certifiable",
        crate::report::Certifiable::No => "not certifiable",
        crate::report::Certifiable::Incomplete => "incomplete",
    }
}

/// The signed AchievementCredential for `report`, whose report.json bytes are `report_json`.
pub fn sign_result(report: &Report, report_json: &[u8], key: &SigningKey) -> anyhow::Result<Value> {
    let mk = encode_multikey(&key.verifying_key());
    let did = format!("did:key:{mk}");
    let h = &report.header;
    let hash = report_hash(report_json);
    let roles: Vec<String> = report
        .certification
        .iter()
        .map(|v| v.role.to_string())
        .collect();
    let achievement_id = format!(
        "urn:clr-conformance:achievement:{}:{}",
        h.profile,
        if roles.is_empty() {
            "none".to_string()
        } else {
            roles.join("+")
        }
    );
    let mut descriptions = vec![json!({
        "id": HASH_RESULT,
        "type": ["ResultDescription"],
        "name": "SHA-256 of the report.json this result was signed with",
        "resultType": "ext:ReportHash",
    })];
    let mut results =
        vec![json!({"type": ["Result"], "resultDescription": HASH_RESULT, "value": hash})];
    for v in &report.certification {
        let id = format!("urn:clr-conformance:result:role:{}", v.role);
        descriptions.push(json!({
            "id": id, "type": ["ResultDescription"],
            "name": format!("Verdict for the {} role", v.role), "resultType": "Status",
        }));
        results.push(json!({
            "type": ["Result"], "resultDescription": id,
            "status": if v.certifiable == crate::report::Certifiable::Yes { "Completed" } else { "Failed" },
            "value": certifiable_word(&v.certifiable),
        }));
    }
    let cred = json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": format!("urn:uuid:{}", uuid_from(&hash, &h.finished)),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "clr-conformance run signer"},
        "validFrom": h.finished,
        "name": format!("clr-conformance result: {}", h.target),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject", "hashed": false,
                "identityHash": h.target, "identityType": "ext:ConformanceTarget",
            }],
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "name": format!("{} conformance run ({})", h.profile, roles.join(", ")),
                "description": format!(
                    "{} {} judged `{}` ({}); exit code {}.",
                    h.tool.name, h.tool.version, h.target, h.command, report.exit_code
                ),
                "criteria": {"narrative": format!(
                    "The verdicts of clr-conformance {} (git {}, catalog {}) in report.json.",
                    h.tool.version, h.tool.git_revision, h.catalog_hash
                )},
                "resultDescription": descriptions,
            },
            "result": results,
        },
    });
    let proof = sign_data_integrity(
        &cred,
        key,
        &format!("{did}#{mk}"),
        &h.finished,
        "eddsa-rdfc-2022",
    )
    .map_err(|e| anyhow::anyhow!("signing the result: {e}"))?;
    Ok(attach_proof(&cred, proof))
}

/// A UUID-shaped id derived from the report hash and time (stable for one report).
fn uuid_from(hash: &str, when: &str) -> String {
    let d = Sha256::digest(format!("{hash}{when}").as_bytes());
    let h = hex::encode(&d[..16]);
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// What `report check` found.
pub struct Checked {
    pub signer: String,
    pub problems: Vec<String>,
}

/// Does `result` carry a valid proof by its did:key issuer over a hash of `report_json`?
pub fn check(report_json: &[u8], result: &Value) -> Checked {
    let mut problems = Vec::new();
    let signer = result["issuer"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if !signer.starts_with("did:key:z6Mk") {
        problems.push(format!("{signer}: issuer is not an Ed25519 did:key"));
    }
    match verify_data_integrity(result) {
        Ok(reports) if reports.is_empty() => problems.push("the result carries no proof".into()),
        Ok(reports) => {
            for r in &reports {
                if !r.verified() {
                    for (rule, m) in r.failures() {
                        problems.push(format!("proof {rule}: {m}"));
                    }
                }
            }
            let methods: Vec<&str> = result["proof"]
                .as_array()
                .map(|a| a.iter().collect::<Vec<_>>())
                .unwrap_or_else(|| vec![&result["proof"]])
                .into_iter()
                .filter_map(|p| p["verificationMethod"].as_str())
                .collect();
            if methods
                .iter()
                .any(|m| !m.starts_with(&format!("{signer}#")))
            {
                problems.push(format!("a proof is not by the issuer's own key ({signer})"));
            }
        }
        Err(e) => problems.push(format!("proof not verified: {e}")),
    }
    let want = report_hash(report_json);
    let carried: Vec<&str> = result["credentialSubject"]["result"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|r| r["resultDescription"] == HASH_RESULT)
                .filter_map(|r| r["value"].as_str())
                .collect()
        })
        .unwrap_or_default();
    match carried.as_slice() {
        [one] if *one == want => {}
        [one] => problems.push(format!(
            "report hash {want} differs from the signed {one}: the report changed"
        )),
        _ => problems.push("the result carries no report hash".into()),
    }
    Checked { signer, problems }
}
