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
    /// Spec profile id the cases are judged under: `clr-2.0` or `ob-3.0`.
    pub profile: String,
    /// The verification time, RFC 3339.
    pub now: String,
    /// When set, cases are API bodies judged by this JSON Schema only (no proof, no dates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_kind: Option<String>,
    /// The recipient the verifier checks the credential was issued to (certification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_recipient: Option<String>,
    /// Judged as a certification submission (`verify --certification`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub certification: bool,
    /// Documents a verifier would fetch (status lists), by URL.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub documents: Map<String, Value>,
    pub tests: Vec<Case>,
}

/// One test vector: a `credential` (JSON), or a `document` (raw bytes), never both.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", try_from = "RawCase")]
pub struct Case {
    pub tc_id: u32,
    pub comment: String,
    pub flags: Vec<String>,
    /// Catalog ids exercised; for `invalid` cases, the ids that must fail.
    pub requirements: Vec<String>,
    pub result: Verdict,
    /// A credential object, a compact JWS string, or an API body; `null`
    /// (and absent from the file) when the case is a `document`.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub credential: Value,
    /// The bytes of a whole credential document (a file, a web resource, a baked image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<ByteDocument>,
}

/// A credential document as bytes, for rules a JSON value cannot carry
/// (encoding, more than one credential, baked images).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ByteDocument {
    /// What the bytes are meant to be (`image/png`, `image/svg+xml`,
    /// `application/vc+ld+json`, `text/plain`, `application/octet-stream`);
    /// a verifier sniffs the bytes, as `clr-conformance verify` does.
    pub media_type: String,
    /// The bytes, standard base64 with padding.
    pub base64: String,
}

impl ByteDocument {
    pub fn new(media_type: &str, bytes: &[u8]) -> ByteDocument {
        use base64::Engine;
        ByteDocument {
            media_type: media_type.to_string(),
            base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }

    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(&self.base64)
            .map_err(|e| {
                format!(
                    "{}...: document.base64 is not base64: {e}",
                    head(&self.base64)
                )
            })
    }
}

fn head(s: &str) -> String {
    s.chars().take(16).collect()
}

/// What a case carries.
pub enum Payload<'a> {
    Credential(&'a Value),
    Document(&'a ByteDocument),
}

impl Case {
    pub fn payload(&self) -> Payload<'_> {
        match &self.document {
            Some(d) => Payload::Document(d),
            None => Payload::Credential(&self.credential),
        }
    }
}

/// The wire form of a case, checked into a `Case`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawCase {
    tc_id: u32,
    comment: String,
    flags: Vec<String>,
    requirements: Vec<String>,
    result: Verdict,
    #[serde(default)]
    credential: Value,
    #[serde(default)]
    document: Option<ByteDocument>,
}

impl TryFrom<RawCase> for Case {
    type Error = String;

    fn try_from(r: RawCase) -> Result<Case, String> {
        if r.credential.is_null() == r.document.is_none() {
            return Err(format!(
                "tcId {}: needs exactly one of credential and document",
                r.tc_id
            ));
        }
        Ok(Case {
            tc_id: r.tc_id,
            comment: r.comment,
            flags: r.flags,
            requirements: r.requirements,
            result: r.result,
            credential: r.credential,
            document: r.document,
        })
    }
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

    #[test]
    fn a_case_carries_a_credential_or_a_document_never_both() {
        let text = r#"{"$schema":"s","algorithm":"a","topic":"t","generatorVersion":"1","numberOfTests":1,"header":[],"notes":{},
            "testGroups":[{"role":"issuer","profile":"clr-2.0","now":"2026-01-01T00:00:00Z",
            "tests":[{"tcId":1,"comment":"c","flags":[],"requirements":[],"result":"valid","document":{"mediaType":"image/png","base64":"iVBORw=="}}]}]}"#;
        let f: CaseFile = serde_json::from_str(text).unwrap();
        let c = &f.test_groups[0].tests[0];
        assert!(matches!(c.payload(), Payload::Document(_)));
        assert_eq!(c.document.as_ref().unwrap().bytes().unwrap(), b"\x89PNG");
        assert_eq!(
            serde_json::from_slice::<CaseFile>(&to_bytes(&f)).unwrap(),
            f
        );
        let both = text.replace("\"document\"", "\"credential\":{},\"document\"");
        let e = serde_json::from_str::<CaseFile>(&both)
            .unwrap_err()
            .to_string();
        assert!(e.contains("exactly one"), "{e}");
        let neither = text.replace(
            ",\"document\":{\"mediaType\":\"image/png\",\"base64\":\"iVBORw==\"}",
            "",
        );
        assert!(serde_json::from_str::<CaseFile>(&neither).is_err());
        let stray = text.replace("\"base64\"", "\"surprise\":1,\"base64\"");
        assert!(serde_json::from_str::<CaseFile>(&stray).is_err());
    }
}
