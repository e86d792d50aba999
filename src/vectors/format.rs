//! The case-file format (`vectors/*.json`), in the manner of Wycheproof:
//! a header, then groups sharing a judging context, each with its cases.
//! `vectors/schema/case-file.schema.json` describes the same shape.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One `vectors/<topic>.json` file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseFile {
    #[serde(rename = "$schema")]
    pub schema: String,
    pub algorithm: String,
    pub topic: String,
    pub generator_version: String,
    pub number_of_tests: usize,
    /// Prose lines describing the file.
    pub header: Vec<String>,
    /// What each flag used in the file means.
    pub notes: Map<String, Value>,
    pub test_groups: Vec<Group>,
}

/// Cases judged in the same context.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Group {
    /// `issuer` (what an issuer must produce) or `displayer` (what a verifier must accept).
    pub role: String,
    /// Spec profile id: `clr-2.0`.
    pub profile: String,
    /// The verification time, RFC 3339.
    pub now: String,
    /// When set, cases are API bodies judged by this JSON Schema only (no proof, no dates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_kind: Option<String>,
    /// The recipient the verifier checks the credential was issued to (certification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_recipient: Option<String>,
    /// Documents a verifier would fetch (status lists), by URL.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub documents: Map<String, Value>,
    pub tests: Vec<Case>,
}

/// One test vector.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Case {
    pub tc_id: u32,
    pub comment: String,
    pub flags: Vec<String>,
    /// Catalog ids exercised; for `invalid` cases, the ids that must fail.
    pub requirements: Vec<String>,
    pub result: Verdict,
    /// A credential object, a compact JWS string, or an API body.
    pub credential: Value,
}

/// The expected verdict.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No MUST requirement fails.
    Valid,
    /// At least one MUST requirement fails, including every id in `requirements`.
    Invalid,
    /// Either verdict is acceptable (the spec leaves it open); `requirements` names why.
    Acceptable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
            Verdict::Acceptable => "acceptable",
        }
    }
}

/// Stable pretty JSON with a trailing newline.
pub fn to_bytes<T: Serialize>(v: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_file_round_trips_and_refuses_unknown_fields() {
        let text = r#"{"$schema":"s","algorithm":"a","topic":"t","generatorVersion":"1","numberOfTests":1,"header":[],"notes":{},
            "testGroups":[{"role":"issuer","profile":"clr-2.0","now":"2026-01-01T00:00:00Z",
            "tests":[{"tcId":1,"comment":"c","flags":[],"requirements":["data.clr.id"],"result":"invalid","credential":"a.b.c"}]}]}"#;
        let f: CaseFile = serde_json::from_str(text).unwrap();
        assert_eq!(f.test_groups[0].tests[0].result, Verdict::Invalid);
        let again: CaseFile = serde_json::from_slice(&to_bytes(&f)).unwrap();
        assert_eq!(f, again);
        assert!(to_bytes(&f).ends_with(b"}\n"));
        let extra = text.replace("\"tcId\":1,", "\"tcId\":1,\"surprise\":true,");
        assert!(serde_json::from_str::<CaseFile>(&extra).is_err());
    }
}
