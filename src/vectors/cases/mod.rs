//! The hand-written cases, one module per topic file. Each case mutates a
//! small valid credential and signs it after the mutation, so only the
//! requirement it names fails (tampering cases change bytes after signing).

mod bytes;
mod clr;
mod misc;
mod nested;
mod proofs;
mod provenance;
pub mod seeds;

use super::build::{self, NOW};
use super::format::{ByteDocument, Verdict};
use super::keys::keys;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

pub use bytes::documents;
pub use clr::{api_payloads, clr_credential};
pub use misc::{context, dates, endorsement, refresh, status};
pub use nested::nested;
pub use proofs::{proofs_di, proofs_jwt};
pub use provenance::provenance;

/// A case before it gets its `tcId`.
#[derive(Clone)]
pub struct CaseSpec {
    pub comment: String,
    pub flags: Vec<&'static str>,
    pub requirements: Vec<&'static str>,
    pub result: Verdict,
    pub credential: Value,
    /// When set, the case is these bytes and `credential` is ignored.
    pub document: Option<ByteDocument>,
}

/// A group before numbering.
pub struct GroupSpec {
    pub role: &'static str,
    /// Spec profile id the group is judged under (`clr-2.0` unless set).
    pub profile: &'static str,
    pub now: &'static str,
    pub schema_kind: Option<&'static str>,
    pub expect_recipient: Option<&'static str>,
    /// Judged as a certification submission.
    pub certification: bool,
    pub documents: Map<String, Value>,
    pub tests: Vec<CaseSpec>,
}

impl GroupSpec {
    pub fn new(role: &'static str, tests: Vec<CaseSpec>) -> GroupSpec {
        GroupSpec {
            role,
            profile: "clr-2.0",
            now: NOW,
            schema_kind: None,
            expect_recipient: None,
            certification: false,
            documents: Map::new(),
            tests,
        }
    }

    /// The same group, judged under spec profile `profile`.
    pub fn profile(self, profile: &'static str) -> GroupSpec {
        GroupSpec { profile, ..self }
    }
}

/// A topic file before numbering.
pub struct FileSpec {
    pub name: &'static str,
    pub topic: &'static str,
    pub header: Vec<&'static str>,
    /// First `tcId` of the file; ids are stable as long as cases are appended.
    pub first_id: u32,
    pub groups: Vec<GroupSpec>,
}

pub fn valid(comment: &str, flags: &[&'static str], reqs: &[&'static str], c: Value) -> CaseSpec {
    spec(comment, flags, reqs, Verdict::Valid, c)
}

pub fn invalid(comment: &str, flags: &[&'static str], reqs: &[&'static str], c: Value) -> CaseSpec {
    spec(comment, flags, reqs, Verdict::Invalid, c)
}

pub fn spec(
    comment: &str,
    flags: &[&'static str],
    reqs: &[&'static str],
    result: Verdict,
    credential: Value,
) -> CaseSpec {
    CaseSpec {
        comment: comment.to_string(),
        flags: flags.to_vec(),
        requirements: reqs.to_vec(),
        result,
        credential,
        document: None,
    }
}

/// A nested AchievementCredential by the university, unsigned, with results,
/// alignments, evidence and an embedded endorsement of its achievement.
pub fn rich_nested_unsigned() -> Value {
    let k = keys();
    let mut a = build::achievement(&k.university, "calculus-1", "Calculus I");
    a["alignment"] = json!([{
        "type": ["Alignment"],
        "targetName": "Differential calculus",
        "targetUrl": "https://standards.example.org/math/calculus/1",
        "targetType": "CFItem",
    }]);
    a["resultDescription"] = json!([{
        "id": "https://university.example.edu/achievements/calculus-1/results/grade",
        "type": ["ResultDescription"],
        "name": "Final grade",
        "resultType": "LetterGrade",
        "allowedValue": ["A", "B", "C", "D", "F"],
    }]);
    let endorsed = a["id"].as_str().unwrap_or_default().to_string();
    a["endorsement"] = json!([build::sign_di(
        &build::endorsement(1, &endorsed),
        &k.endorser
    )]);
    let mut c = build::achievement_credential(&k.university, 1, a);
    c["credentialSubject"]["result"] = json!([{
        "type": ["Result"],
        "resultDescription": "https://university.example.edu/achievements/calculus-1/results/grade",
        "value": "A",
        "status": "Completed",
    }]);
    c["evidence"] = json!([{
        "id": "https://university.example.edu/evidence/calculus-1/final-exam",
        "type": ["Evidence"],
        "name": "Final exam",
        "narrative": "Proctored final examination.",
    }]);
    c["credentialSchema"] =
        json!([{"id": build::AC_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}]);
    c
}

/// The rich nested credential, signed by the university.
pub fn rich_nested() -> &'static Value {
    static V: OnceLock<Value> = OnceLock::new();
    V.get_or_init(|| build::sign_di(&rich_nested_unsigned(), &keys().university))
}

/// A plain nested AchievementCredential by the college (did:key), unsigned.
pub fn college_nested_unsigned() -> Value {
    let k = keys();
    build::achievement_credential(
        &k.college,
        2,
        build::achievement(&k.college, "writing-101", "Academic Writing"),
    )
}

/// The college credential, signed by the college.
pub fn college_nested() -> &'static Value {
    static V: OnceLock<Value> = OnceLock::new();
    V.get_or_init(|| build::sign_di(&college_nested_unsigned(), &keys().college))
}

/// The achievements of both nested credentials (what a ClrSubject restates).
pub fn both_achievements() -> Vec<Value> {
    vec![
        rich_nested()["credentialSubject"]["achievement"].clone(),
        college_nested()["credentialSubject"]["achievement"].clone(),
    ]
    .into_iter()
    .map(|mut a| {
        if let Value::Object(m) = &mut a {
            m.shift_remove("endorsement");
        }
        a
    })
    .collect()
}

/// The full unsigned ClrCredential: two nested credentials from two issuers.
pub fn full_clr() -> Value {
    build::clr(
        1,
        vec![rich_nested().clone(), college_nested().clone()],
        both_achievements(),
    )
}

/// A small unsigned ClrCredential (one nested credential) for negative cases.
pub fn small_clr() -> Value {
    let a = college_nested()["credentialSubject"]["achievement"].clone();
    let mut c = build::clr(2, vec![college_nested().clone()], vec![a]);
    build::remove(&mut c, "/credentialSubject/association");
    c
}

/// The small CLR mutated by `f`, then signed by the CLR issuer.
pub fn clr_mutated(f: impl Fn(&mut Value)) -> Value {
    let mut c = small_clr();
    f(&mut c);
    build::sign_di(&c, &keys().clr)
}

/// A small CLR whose one nested credential (the college's) is mutated by `f`
/// and re-signed by the college before the CLR is signed.
pub fn nested_mutated(f: impl Fn(&mut Value)) -> Value {
    let k = keys();
    let mut n = college_nested_unsigned();
    f(&mut n);
    let n = build::sign_di(&n, &k.college);
    let mut c = small_clr();
    c["credentialSubject"]["verifiableCredential"] = json!([n]);
    build::sign_di(&c, &k.clr)
}

/// Flip one character in the middle of a string value at `ptr` (after signing).
pub fn tamper(mut v: Value, ptr: &str) -> Value {
    if let Some(Value::String(s)) = v.pointer_mut(ptr) {
        let mut chars: Vec<char> = s.chars().collect();
        let i = chars.len() / 2;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        *s = chars.into_iter().collect();
    }
    v
}

/// A VC 1.1 AchievementCredential by the college, signed with Ed25519Signature2020.
pub fn legacy_nested() -> &'static Value {
    static V: OnceLock<Value> = OnceLock::new();
    V.get_or_init(|| {
        let k = keys();
        let mut c = college_nested_unsigned();
        c["@context"] = json!([build::VC_V1, build::OB_ALIAS, build::ED2020_CTX]);
        to_v11(&mut c);
        build::sign_2020(&c, &k.college)
    })
}

/// `validFrom` renamed `issuanceDate` (VC 1.1), `credentialSchema` dropped.
pub fn to_v11(c: &mut Value) {
    if let Some(from) = c.get("validFrom").cloned() {
        build::remove(c, "/validFrom");
        c["issuanceDate"] = from;
    }
    build::remove(c, "/credentialSchema");
}

/// An unsigned VC 1.1 ClrCredential holding the legacy nested credential.
pub fn legacy_clr_unsigned() -> Value {
    let mut c = small_clr();
    c["@context"] = json!([
        build::VC_V1,
        build::CLR_ALIAS,
        build::OB_ALIAS,
        build::ED2020_CTX
    ]);
    c["credentialSubject"]["verifiableCredential"] = json!([legacy_nested().clone()]);
    c["credentialSubject"]["achievement"] =
        json!([legacy_nested()["credentialSubject"]["achievement"].clone()]);
    to_v11(&mut c);
    c
}
