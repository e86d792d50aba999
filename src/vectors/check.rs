//! Judge every case of a corpus with our verify engine and compare with its
//! expected `result` and `requirements`: the corpus tests the engine, and the
//! engine tests the corpus.

use super::format::{Case, CaseFile, Group, Payload, Verdict};
use crate::catalog::{Catalog, Profile, Role};
use crate::credential::parse::Input;
use crate::credential::schema::{self, Generation, SchemaKind};
use crate::credential::verify::{self, Documents, VerifyOptions, documents::Fetched};
use crate::evidence::Recorder;
use crate::report::Outcome;
use crate::report::run_info::{self, Everything, RunInfo};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What the engine made of one case.
#[derive(Debug, Clone)]
pub struct Judged {
    /// No MUST requirement failed.
    pub conforms: bool,
    /// Ids that came out fail or error.
    pub failing: BTreeSet<String>,
    /// Ids that came out fail, error or warning (a SHOULD or MAY not met).
    pub unmet: BTreeSet<String>,
}

/// A case whose verdict differs from the expected one.
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub file: String,
    pub tc_id: u32,
    pub message: String,
}

/// Cases our verify engine is known to judge wrongly (the case's expected result is
/// right): (tcId, what the engine does). `vectors check` reports them without failing,
/// and fails once one of them passes, so the entry is removed when the engine is fixed.
pub const KNOWN_ENGINE_GAPS: &[(u32, &str)] = &[];

/// The schema kind named by a group's `schemaKind`.
pub fn schema_kind(name: &str) -> Option<SchemaKind> {
    Some(match name {
        "GetClrCredentialsResponse" => SchemaKind::GetClrCredentialsResponse,
        "GetOpenBadgeCredentialsResponse" => SchemaKind::GetOpenBadgeCredentialsResponse,
        "Imsx_StatusInfo" => SchemaKind::ImsxStatusInfo,
        "Profile" => SchemaKind::Profile,
        _ => return None,
    })
}

/// Judge `case` in the context of `group`.
pub fn judge(group: &Group, case: &Case) -> Result<Judged, String> {
    if let Some(kind) = &group.schema_kind {
        let k = schema_kind(kind).ok_or_else(|| format!("{kind}: unknown schemaKind"))?;
        let Payload::Credential(body) = case.payload() else {
            return Err(format!(
                "tcId {}: a schemaKind group takes credential, not document",
                case.tc_id
            ));
        };
        let errors = schema::validate(k, Generation::V2, body);
        let failing = if errors.is_empty() {
            BTreeSet::new()
        } else {
            case.requirements.iter().cloned().collect()
        };
        return Ok(Judged {
            conforms: errors.is_empty(),
            unmet: failing.clone(),
            failing,
        });
    }
    let role = Role::parse(&group.role).ok_or_else(|| format!("{}: unknown role", group.role))?;
    let profile = Profile::get(&group.profile)
        .ok_or_else(|| format!("{}: unknown profile", group.profile))?;
    let now = chrono::DateTime::parse_from_rfc3339(&group.now)
        .map_err(|e| format!("{}: now is not RFC 3339: {e}", group.now))?;
    let mut opts = VerifyOptions::new(role, profile);
    opts.now = now.into();
    let docs: HashMap<String, Fetched> = group
        .documents
        .iter()
        .map(|(u, v)| (u.clone(), Fetched::Json(v.clone())))
        .collect();
    opts.documents = Documents::new(docs);
    opts.expect_recipient = group.expect_recipient.clone();
    opts.certification = group.certification;
    let mut rec = Recorder::new();
    let name = format!("tc{}", case.tc_id);
    match case.payload() {
        Payload::Credential(Value::String(s)) => {
            verify::verify(&Input::Jws(s.clone()), &opts, &mut rec, &name)
        }
        Payload::Credential(v) => verify::verify(&Input::Json(v.clone()), &opts, &mut rec, &name),
        // The bytes go where `clr-conformance verify` puts a file's bytes.
        Payload::Document(d) => verify::verify_bytes(&d.bytes()?, &opts, &mut rec, &name),
    }
    let rows = run_info::rows(Catalog::embedded(), &Everything, &[role], verify::SCOPE);
    let report = RunInfo::new("vectors", &name, &profile.id, &[role], verify::SCOPE).report(
        &Everything,
        &rows,
        &rec,
        false,
    );
    let failing = report
        .requirements
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Fail | Outcome::Error))
        .map(|r| r.id.clone())
        .collect();
    let unmet = report
        .requirements
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Fail | Outcome::Error | Outcome::Warning))
        .map(|r| r.id.clone())
        .collect();
    Ok(Judged {
        // As `verify` decides: a MUST it needed but could not judge is no pass.
        conforms: report.exit_code == 0 && report.unjudged_must().is_none(),
        failing,
        unmet,
    })
}

/// Why `judged` disagrees with what `case` expects, if it does. A listed SHOULD of an
/// invalid case counts when it comes out as a warning.
pub fn disagreement(case: &Case, judged: &Judged) -> Option<String> {
    let failing = || {
        judged
            .failing
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    };
    match case.result {
        Verdict::Valid if !judged.conforms => Some(format!(
            "expected valid, got invalid (failing: {})",
            failing()
        )),
        Verdict::Invalid if judged.conforms => Some(format!(
            "expected invalid ({}), got valid",
            case.requirements.join(", ")
        )),
        Verdict::Invalid => {
            let missed: Vec<&str> = case
                .requirements
                .iter()
                .filter(|r| !judged.unmet.contains(*r))
                .map(String::as_str)
                .collect();
            if missed.is_empty() {
                None
            } else {
                Some(format!(
                    "{} did not fail (failing: {})",
                    missed.join(", "),
                    failing()
                ))
            }
        }
        // Acceptable: either verdict (a SHOULD, or a choice the spec leaves open).
        _ => None,
    }
}

/// Judge every case of `files`, by tcId.
pub fn judge_all(files: &[(String, CaseFile)]) -> BTreeMap<u32, Result<Judged, String>> {
    files
        .iter()
        .flat_map(|(_, f)| &f.test_groups)
        .flat_map(|g| g.tests.iter().map(move |c| (c.tc_id, judge(g, c))))
        .collect()
}

/// Judge every case of `files` (name, parsed file); returns the mismatches.
pub fn run(files: &[(String, CaseFile)]) -> Vec<Mismatch> {
    compare(files, &judge_all(files))
}

/// Compare the expected verdicts of `files` with `judged` (by tcId).
pub fn compare(
    files: &[(String, CaseFile)],
    judged: &BTreeMap<u32, Result<Judged, String>>,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for (name, file) in files {
        for g in &file.test_groups {
            for case in &g.tests {
                let message = match judged.get(&case.tc_id) {
                    Some(Ok(j)) => disagreement(case, j),
                    Some(Err(e)) => Some(e.clone()),
                    None => Some(format!("tcId {} was not judged", case.tc_id)),
                };
                if let Some(message) = message {
                    out.push(Mismatch {
                        file: name.clone(),
                        tc_id: case.tc_id,
                        message,
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn case(result: Verdict, reqs: &[&str]) -> Case {
        Case {
            tc_id: 1,
            comment: String::new(),
            flags: vec![],
            requirements: reqs.iter().map(|s| s.to_string()).collect(),
            result,
            credential: json!({}),
            document: None,
        }
    }

    fn judged(conforms: bool, failing: &[&str]) -> Judged {
        Judged {
            conforms,
            failing: failing.iter().map(|s| s.to_string()).collect(),
            unmet: failing.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn verdicts_and_reasons_are_compared() {
        assert!(disagreement(&case(Verdict::Valid, &[]), &judged(true, &[])).is_none());
        assert!(disagreement(&case(Verdict::Valid, &[]), &judged(false, &["a.b"])).is_some());
        let inv = case(Verdict::Invalid, &["a.b"]);
        assert!(disagreement(&inv, &judged(true, &[])).is_some());
        assert!(disagreement(&inv, &judged(false, &["a.b", "c.d"])).is_none());
        let wrong = disagreement(&inv, &judged(false, &["c.d"])).unwrap();
        assert!(wrong.starts_with("a.b did not fail"), "{wrong}");
        let acc = case(Verdict::Acceptable, &["a.b"]);
        assert!(disagreement(&acc, &judged(true, &[])).is_none());
        assert!(disagreement(&acc, &judged(false, &["a.b"])).is_none());
    }

    #[test]
    fn a_group_is_judged_under_the_profile_it_names() {
        let file = crate::vectors::case_file(crate::vectors::cases::seeds::provider_seeds());
        let group = |p: &str| file.test_groups.iter().find(|g| g.profile == p).unwrap();
        let ob = group("ob-3.0");
        let j = judge(ob, &ob.tests[0]).unwrap();
        assert!(j.conforms, "{:?}", j.failing);
        let mut g = group("clr-2.0").clone();
        let c = g.tests[0].clone();
        let j = judge(&g, &c).unwrap();
        assert!(j.conforms, "{:?}", j.failing);
        // Under OB 3.0 the ClrCredential's schema is not the profile's.
        g.profile = "ob-3.0".into();
        let j = judge(&g, &c).unwrap();
        assert!(
            !j.conforms && j.failing.contains("data.clr.credential-schema-official"),
            "{:?}",
            j.failing
        );
        g.profile = "nope".into();
        assert!(judge(&g, &c).unwrap_err().starts_with("nope:"));
    }

    #[test]
    fn schema_groups_judge_by_schema_only() {
        let mut g = Group {
            role: "service-provider-read".into(),
            profile: "clr-2.0".into(),
            now: "2026-06-01T00:00:00Z".into(),
            schema_kind: Some("Imsx_StatusInfo".into()),
            expect_recipient: None,
            certification: false,
            documents: Default::default(),
            tests: vec![],
        };
        let mut c = case(Verdict::Invalid, &["api.errors.status-info-schema"]);
        c.credential = json!({"imsx_codeMajor": "failure"});
        let j = judge(&g, &c).unwrap();
        assert!(!j.conforms && j.failing.contains("api.errors.status-info-schema"));
        g.schema_kind = Some("Nope".into());
        assert!(judge(&g, &c).unwrap_err().starts_with("Nope:"));
    }
}
