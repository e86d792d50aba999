//! Dates, status lists, @context order and endorsements.

use super::{FileSpec, GroupSpec, clr_mutated, invalid, spec, valid};
use crate::vectors::build::{self, Alg, remove};
use crate::vectors::format::Verdict;
use crate::vectors::keys::keys;
use base64::Engine;
use serde_json::{Map, Value, json};
use std::io::Write;

pub fn dates() -> FileSpec {
    let v11 = |f: &dyn Fn(&mut Value)| {
        let mut c = super::legacy_clr_unsigned();
        f(&mut c);
        build::sign_2020(&c, &keys().clr)
    };
    let both = vec![
        valid(
            "validUntil in the future",
            &[],
            &["verify.dates.not-expired"],
            clr_mutated(|c| c["validUntil"] = json!(build::VALID_UNTIL)),
        ),
        invalid(
            "validFrom without a time",
            &[],
            &["data.dates.format"],
            clr_mutated(|c| c["validFrom"] = json!("2025-01-15")),
        ),
        invalid(
            "validUntil before validFrom",
            &[],
            &["data.dates.valid-range"],
            clr_mutated(|c| {
                c["validFrom"] = json!("2025-03-01T00:00:00Z");
                c["validUntil"] = json!("2025-02-01T00:00:00Z");
            }),
        ),
    ];
    let displayer_only = vec![
        invalid(
            "not yet valid: validFrom after now",
            &[],
            &["verify.dates.not-before-valid-from"],
            clr_mutated(|c| c["validFrom"] = json!("2027-01-01T00:00:00Z")),
        ),
        invalid(
            "expired: validUntil before now",
            &[],
            &["verify.dates.not-expired"],
            clr_mutated(|c| c["validUntil"] = json!("2026-01-01T00:00:00Z")),
        ),
        valid(
            "VC 1.1 record with issuanceDate in the past",
            &["Vc11", "Legacy"],
            &["verify.dates.vc11-issuance"],
            v11(&|_| {}),
        ),
        invalid(
            "VC 1.1 record issued in the future",
            &["Vc11", "Legacy"],
            &["verify.dates.vc11-issuance"],
            v11(&|c| c["issuanceDate"] = json!("2027-01-01T00:00:00Z")),
        ),
        invalid(
            "VC 1.1 record past its expirationDate",
            &["Vc11", "Legacy"],
            &["verify.dates.vc11-expiration"],
            v11(&|c| c["expirationDate"] = json!("2026-01-01T00:00:00Z")),
        ),
    ];
    let copy = both.to_vec();
    FileSpec {
        name: "dates.json",
        topic: "validity dates",
        header: vec![
            "validFrom / validUntil (issuanceDate / expirationDate for VC 1.1): format, order and validity at the group's now.",
        ],
        first_id: 5000,
        groups: vec![
            GroupSpec::new("issuer", both),
            GroupSpec::new("displayer", [copy, displayer_only].concat()),
        ],
    }
}

const REVOCATION_LIST: &str = "https://records.example.edu/status/revocation-list/1";
const BITSTRING_LIST: &str = "https://records.example.edu/status/bitstring/1";

/// A GZIP'd, multibase base64url bitstring of 16 KiB with `set` bits on.
fn encoded_list(set: &[usize]) -> String {
    let mut bits = vec![0u8; 16 * 1024];
    for &i in set {
        bits[i / 8] |= 0x80 >> (i % 8);
    }
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    let _ = gz.write_all(&bits);
    let bytes = gz.finish().unwrap_or_default();
    format!(
        "u{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// An edit of a status list credential before it is signed.
type Edit = dyn Fn(&mut Value);

pub fn status() -> FileSpec {
    let k = keys();
    let revoked_id = "urn:uuid:00000000-0000-4000-8000-000000000666";
    let mut docs = Map::new();
    docs.insert(REVOCATION_LIST.into(), json!({
        "id": REVOCATION_LIST,
        "issuer": k.clr.id,
        "revokedCredentials": [{"id": revoked_id, "revoked": true, "revocationReason": "issued in error"}],
    }));
    // Status list credentials, signed by the CLR issuer; each broken one in its own way.
    let list = |url: &str, edit: &dyn Fn(&mut Value)| {
        let mut l = json!({
            "@context": [build::VC_V2],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": k.clr.id,
            "validFrom": build::VALID_FROM,
            "credentialSubject": {"id": format!("{url}#list"), "type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": encoded_list(&[7, 94567])},
        });
        edit(&mut l);
        build::sign_di(&l, &k.clr)
    };
    docs.insert(BITSTRING_LIST.into(), list(BITSTRING_LIST, &|_| {}));
    let broken: [(&str, &Edit); 4] = [
        ("expired", &|l| {
            l["validUntil"] = json!("2025-01-01T00:00:00Z")
        }),
        ("wrong-purpose", &|l| {
            l["credentialSubject"]["statusPurpose"] = json!("suspension")
        }),
        ("no-type", &|l| l["type"] = json!(["VerifiableCredential"])),
        ("unsigned", &|_| {}),
    ];
    for (name, edit) in broken {
        let url = format!("{BITSTRING_LIST}-{name}");
        let mut l = list(&url, edit);
        if name == "unsigned" {
            build::remove(&mut l, "/proof");
        }
        docs.insert(url, l);
    }
    let tampered = format!("{BITSTRING_LIST}-tampered");
    let mut l = list(&tampered, &|_| {});
    // Bit 8 set after signing: the list's proof no longer holds.
    l["credentialSubject"]["encodedList"] = json!(encoded_list(&[7, 8, 94567]));
    docs.insert(tampered, l);
    let rl = |id: Option<&str>| {
        let id = id.map(String::from);
        clr_mutated(move |c| {
            if let Some(i) = &id {
                c["id"] = json!(i);
            }
            c["credentialStatus"] = json!({"id": REVOCATION_LIST, "type": "1EdTechRevocationList"});
        })
    };
    let bs_at = |index: u64, list: String| {
        clr_mutated(move |c| {
            c["credentialStatus"] = json!({
                "id": format!("{list}#{index}"),
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": index.to_string(),
                "statusListCredential": list,
            });
        })
    };
    let bs = |index: u64| bs_at(index, BITSTRING_LIST.to_string());
    let on = |name: &str| bs_at(8, format!("{BITSTRING_LIST}-{name}"));
    let tests = vec![
        valid(
            "1EdTechRevocationList: not on the list",
            &["Status"],
            &["verify.status.revocation-list"],
            rl(None),
        ),
        invalid(
            "1EdTechRevocationList: revoked",
            &["Status"],
            &["verify.status.revocation-list"],
            rl(Some(revoked_id)),
        ),
        valid(
            "BitstringStatusListEntry: bit clear",
            &["Status"],
            &["verify.status.bitstring"],
            bs(8),
        ),
        invalid(
            "BitstringStatusListEntry: bit 94567 set: the credential is revoked, and a verifier reports it so (as for 1EdTechRevocationList)",
            &["Status"],
            &["verify.status.bitstring"],
            bs(94567),
        ),
        invalid(
            "the status list credential expired: it gives no status",
            &["Status"],
            &["verify.status.list-verified"],
            on("expired"),
        ),
        invalid(
            "the status list credential's statusPurpose (suspension) is not the entry's (revocation)",
            &["Status"],
            &["verify.status.list-verified"],
            on("wrong-purpose"),
        ),
        invalid(
            "the status list credential's type lacks BitstringStatusListCredential",
            &["Status"],
            &["verify.status.list-verified"],
            on("no-type"),
        ),
        invalid(
            "the status list credential has no proof",
            &["Status"],
            &["verify.status.list-verified"],
            on("unsigned"),
        ),
        invalid(
            "the status list credential was changed after signing (bit 8 set): its proof does not hold",
            &["Status", "Tampered"],
            &["verify.status.list-verified"],
            on("tampered"),
        ),
    ];
    let mut g = GroupSpec::new("displayer", tests);
    g.documents = docs;
    FileSpec {
        name: "status.json",
        topic: "credential status",
        header: vec![
            "Revocation: 1EdTechRevocationList and BitstringStatusListEntry, with the status lists given in the group's documents (no network needed).",
        ],
        first_id: 6000,
        groups: vec![g],
    }
}

/// Refresh (`1EdTechCredentialRefresh`): the refreshed copies are served from
/// the group's documents, by the URL each original names.
pub fn refresh() -> FileSpec {
    const METHOD: &str = "1EdTechCredentialRefresh";
    let url = |n: u32| format!("https://records.example.edu/refresh/{n}");
    // The small CLR naming refresh service `n`, signed.
    let original =
        |n: u32| clr_mutated(|c| c["refreshService"] = json!({"id": url(n), "type": METHOD}));
    // A re-issued copy (its own id), mutated by `f`, signed.
    let copy = |n: u32, f: &dyn Fn(&mut Value)| {
        clr_mutated(|c| {
            c["id"] = json!(format!("urn:uuid:00000000-0000-4000-8000-{:012}", 500 + n));
            f(c);
        })
    };
    let mut docs = Map::new();
    docs.insert(url(1), copy(1, &|_| {}));
    docs.insert(url(2), super::tamper(copy(2, &|_| {}), "/name"));
    docs.insert(
        url(3),
        copy(3, &|c| c["validUntil"] = json!("2026-01-01T00:00:00Z")),
    );
    docs.insert(url(4), copy(4, &|_| {}));
    // 5 is not served: the refresh fails.
    docs.insert(url(6), json!(["not", "a", "credential"]));
    docs.insert(
        url(7),
        copy(7, &|c| {
            c["refreshService"] = json!({"id": url(8), "type": METHOD});
        }),
    );
    docs.insert(url(8), super::tamper(copy(8, &|_| {}), "/name"));
    let tests = vec![
        valid(
            "the refresh service serves a valid re-issued copy: verified in full, valid",
            &["Refresh"],
            &["verify.refresh.after-proof"],
            original(1),
        ),
        invalid(
            "the refreshed copy was tampered with: the repeated proof check must reject it",
            &["Refresh", "Tampered"],
            &["verify.refresh.after-proof", "proof.di.signature"],
            original(2),
        ),
        invalid(
            "the refreshed copy has expired: the repeated checks must reject it",
            &["Refresh"],
            &["verify.refresh.after-proof", "verify.dates.not-expired"],
            original(3),
        ),
        invalid(
            "the original was tampered with and its refresh service serves a valid copy: refresh comes only after the original proof held, so the record is rejected",
            &["Refresh", "Tampered"],
            &["proof.di.signature"],
            super::tamper(original(4), "/name"),
        ),
        valid(
            "the refresh service is not reachable (not in documents): the original is verified",
            &["Refresh"],
            &["verify.refresh.fallback"],
            original(5),
        ),
        valid(
            "the refresh service returns no credential: the original is verified",
            &["Refresh"],
            &["verify.refresh.fallback"],
            original(6),
        ),
        valid(
            "the refreshed copy names another refresh service, serving a tampered copy: refresh happens once, so that copy is never used",
            &["Refresh"],
            &["verify.refresh.once"],
            original(7),
        ),
    ];
    let mut g = GroupSpec::new("displayer", tests);
    g.documents = docs;
    FileSpec {
        name: "refresh.json",
        topic: "credential refresh",
        header: vec![
            "Refresh (1EdTechCredentialRefresh): after the original proof holds, the copy served at refreshService.id is verified in full, once; when no copy can be had the original stands. The copies are in the group's documents (no network needed).",
        ],
        first_id: 12000,
        groups: vec![g],
    }
}

pub fn context() -> FileSpec {
    let both = vec![
        invalid(
            "CLR and OB contexts swapped",
            &[],
            &["data.clr.context-order"],
            clr_mutated(|c| c["@context"] = json!([build::VC_V2, build::OB_CTX, build::CLR_CTX])),
        ),
        invalid(
            "first @context is the OB context",
            &[],
            &["data.clr.context-order"],
            clr_mutated(|c| c["@context"] = json!([build::OB_CTX, build::VC_V2, build::CLR_CTX])),
        ),
    ];
    let displayer_only = vec![
        invalid(
            "first @context is neither VC 2.0 nor VC 1.1: no generation can be detected",
            &[],
            &["verify.generation.detect"],
            clr_mutated(|c| c["@context"] = json!([build::CLR_CTX, build::VC_V2, build::OB_CTX])),
        ),
        valid(
            "a further context after the three required ones",
            &[],
            &["data.clr.context-order"],
            clr_mutated(|c| {
                c["@context"] = json!([
                    build::VC_V2,
                    build::CLR_CTX,
                    build::OB_CTX,
                    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
                ])
            }),
        ),
    ];
    let copy = both.to_vec();
    FileSpec {
        name: "context.json",
        topic: "@context",
        header: vec![
            "@context order and generation detection of ClrCredentials (nested and endorsement contexts are in nested.json and endorsement.json).",
        ],
        first_id: 7000,
        groups: vec![
            GroupSpec::new("issuer", both),
            GroupSpec::new("displayer", [copy, displayer_only].concat()),
        ],
    }
}

pub fn endorsement() -> FileSpec {
    let k = keys();
    let subject = k.clr.id.clone();
    // A record whose issuer Profile carries one endorsement, mutated by `f` and signed by the endorser.
    let endorsed = |f: &dyn Fn(&mut Value)| {
        let mut e = build::endorsement(2, &subject);
        f(&mut e);
        let e = build::sign_di(&e, &k.endorser);
        clr_mutated(move |c| c["issuer"]["endorsement"] = json!([e.clone()]))
    };
    let ejwt = build::sign_jwt_as(
        &build::endorsement(3, &subject),
        Alg::EdDsa,
        &k.endorser,
        |_| {},
    );
    let both = vec![
        valid(
            "issuer Profile endorsed by the accreditor",
            &["Endorsed"],
            &["verify.endorsements"],
            endorsed(&|_| {}),
        ),
        invalid(
            "endorsement @context has no OB context",
            &["Endorsed"],
            &["data.endorsement.context-order"],
            endorsed(&|e| e["@context"] = json!([build::VC_V2])),
        ),
        invalid(
            "endorsement type lacks EndorsementCredential",
            &["Endorsed"],
            &["data.endorsement.type"],
            endorsed(&|e| e["type"] = json!(["VerifiableCredential", "EndorsementCredential2"])),
        ),
        invalid(
            "endorsement type lacks VerifiableCredential",
            &["Endorsed"],
            &["data.endorsement.type"],
            endorsed(&|e| e["type"] = json!(["EndorsementCredential"])),
        ),
        invalid(
            "endorsement without name",
            &["Endorsed"],
            &["data.endorsement.required"],
            endorsed(&|e| remove(e, "/name")),
        ),
        invalid(
            "endorsement subject type is not EndorsementSubject",
            &["Endorsed"],
            &["data.endorsement.subject"],
            endorsed(&|e| e["credentialSubject"]["type"] = json!(["AchievementSubject"])),
        ),
        invalid(
            "endorsement description is a number",
            &["Endorsed"],
            &["data.endorsement.schema"],
            endorsed(&|e| e["description"] = json!(42)),
        ),
        invalid(
            "endorsement without a proof",
            &["Endorsed"],
            &["proof.endorsement.present"],
            {
                let e = build::endorsement(4, &subject);
                clr_mutated(move |c| c["issuer"]["endorsement"] = json!([e.clone()]))
            },
        ),
        invalid(
            "endorsementJwt entry is not a compact JWS",
            &["Endorsed", "Jwt"],
            &["data.clr.endorsement-jwt"],
            clr_mutated(|c| c["endorsementJwt"] = json!(["not.a-jws"])),
        ),
    ];
    // Appended after the older cases, so their tcIds stay.
    let loss = vec![invalid(
        "endorsement uses a property its contexts do not define (signed as is: the proof does not cover it)",
        &["Endorsed", "DataLoss"],
        &["data.jsonld.terms-defined"],
        {
            let mut e = build::endorsement(6, &subject);
            e["credentialSubject"]["accreditationLevel"] = json!("gold");
            let e = build::sign_di_as_is(&e, &k.endorser, &k.endorser.method);
            clr_mutated(move |c| c["issuer"]["endorsement"] = json!([e.clone()]))
        },
    )];
    let issuer_should = vec![spec(
        "endorsementJwt on a record with an embedded proof: the published contexts do not define it, so the proof does not cover it",
        &["Endorsed", "Jwt", "Should"],
        &["proof.endorsement-jwt.covered"],
        Verdict::Acceptable,
        clr_mutated({
            let ejwt = ejwt.clone();
            move |c| c["endorsementJwt"] = json!([ejwt.clone()])
        }),
    )];
    let displayer_only = vec![
        // Acceptable, not valid: the published contexts do not define endorsementJwt, so
        // the record's proof does not cover it; a Data Integrity verifier in safe mode
        // refuses the record, one with the 1EdTech validator's local context accepts it.
        spec(
            "endorsementJwt (EdDSA, by the accreditor) on the record: not covered by the record's proof under the published contexts",
            &["Endorsed", "Jwt", "Should"],
            &["verify.endorsements.jwt"],
            Verdict::Acceptable,
            clr_mutated({
                let ejwt = ejwt.clone();
                move |c| c["endorsementJwt"] = json!([ejwt.clone()])
            }),
        ),
        invalid(
            "endorsement changed after the endorser signed it",
            &["Endorsed", "Tampered"],
            &["proof.di.signature", "verify.proof.required"],
            {
                let e = super::tamper(
                    build::sign_di(&build::endorsement(5, &subject), &k.endorser),
                    "/name",
                );
                clr_mutated(move |c| c["issuer"]["endorsement"] = json!([e.clone()]))
            },
        ),
    ];
    let copy = both.to_vec();
    FileSpec {
        name: "endorsement.json",
        topic: "EndorsementCredentials",
        header: vec![
            "EndorsementCredentials by a third issuer (the accreditor), embedded in the record's issuer Profile or given as endorsementJwt; each invalid one is signed by the endorser after its mutation.",
        ],
        first_id: 8000,
        groups: vec![
            GroupSpec::new("issuer", [both, loss.clone(), issuer_should].concat()),
            GroupSpec::new("displayer", [copy, displayer_only, loss].concat()),
        ],
    }
}
