//! Schema-driven negative cases: every property of a small valid credential is
//! removed, and every string replaced by a value no enumeration or format
//! admits; our JSON Schema decides which mutations are violations (a broken
//! `required`, `enum` or `format` keyword). The corpus grows with the schemas.

use super::build;
use super::cases::{self, CaseSpec, FileSpec, GroupSpec};
use super::keys::{Issuer, keys};
use crate::credential::schema::{self, Generation, SchemaKind};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The replacement for string values: no enum lists it, it is no URI, date or email.
const BROKEN: &str = "not a valid value";

/// Members never mutated: judged by other rules (or they change what the document is).
const SKIP: &[&str] = &[
    "/@context",
    "/type",
    "/proof",
    "/credentialSubject/verifiableCredential",
];

fn pointers(v: &Value, ptr: String, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{ptr}/{}", k.replace('~', "~0").replace('/', "~1"));
                if SKIP.contains(&p.as_str()) {
                    continue;
                }
                out.push((p.clone(), x.clone()));
                pointers(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{ptr}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The schema keyword a mutation breaks (`required`, `enum`, `format`), if any. An
/// extensible enumeration (`oneOf` of the terms or an `ext:` pattern) and a `const`
/// count as `enum`.
fn broken_keyword(kind: SchemaKind, v: &Value, wanted: &str) -> Option<String> {
    schema::validate(kind, Generation::V2, v)
        .into_iter()
        .find(|e| {
            let p = &e.schema_path;
            match wanted {
                "enum" => {
                    p.ends_with("/enum")
                        || p.ends_with("/const")
                        || (p.ends_with("/oneOf") && e.message.contains("allowed values"))
                }
                w => p.ends_with(&format!("/{w}")),
            }
        })
        .map(|e| e.schema_path)
}

/// Mechanical cases for one base credential.
fn mutations(
    kind: SchemaKind,
    base: &Value,
    signer: &Issuer,
    requirement: &'static str,
    label: &str,
) -> Vec<CaseSpec> {
    if !schema::validate(kind, Generation::V2, base).is_empty() {
        // A base our own schema rejects would make every mutation meaningless;
        // the unit test `bases_are_valid` catches it.
        return Vec::new();
    }
    let mut all = Vec::new();
    pointers(base, String::new(), &mut all);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (ptr, value) in all {
        let mut removed = base.clone();
        build::remove(&mut removed, &ptr);
        let mut tries = vec![("required", removed, "removed")];
        if value.is_string() {
            let mut broken = base.clone();
            build::set(&mut broken, &ptr, json!(BROKEN));
            tries.push(("enum", broken.clone(), "outside its enumeration"));
            tries.push(("format", broken, "breaks its format"));
        }
        for (keyword, mutated, what) in tries {
            let Some(at) = broken_keyword(kind, &mutated, keyword) else {
                continue;
            };
            if !seen.insert((ptr.clone(), keyword)) {
                continue;
            }
            out.push(cases::invalid(
                &format!("{label}: {ptr} {what} (schema keyword {at})"),
                &["SchemaMutation"],
                &[requirement],
                build::sign_di(&mutated, signer),
            ));
        }
    }
    out
}

pub fn schema_file() -> FileSpec {
    let k = keys();
    let mut ac = cases::rich_nested_unsigned();
    if let Some(Value::Object(a)) = ac.pointer_mut("/credentialSubject/achievement") {
        a.shift_remove("endorsement");
    }
    let mut clr = cases::small_clr();
    clr["credentialSubject"]["identifier"] = json!([{
        "type": "IdentityObject", "hashed": false, "identityHash": "learner@example.edu", "identityType": "emailAddress",
    }]);
    let a0 = clr["credentialSubject"]["achievement"][0]["id"].clone();
    clr["credentialSubject"]["association"] = json!([{
        "type": "Association", "associationType": "isPeerOf", "sourceId": a0.clone(), "targetId": a0,
    }]);
    let endorsement = build::endorsement(7, &k.clr.id);
    let tests = [
        mutations(
            SchemaKind::ClrCredential,
            &clr,
            &k.clr,
            "data.clr.schema",
            "ClrCredential",
        ),
        mutations(
            SchemaKind::AchievementCredential,
            &ac,
            &k.university,
            "data.achievement-credential.schema",
            "AchievementCredential",
        ),
        mutations(
            SchemaKind::EndorsementCredential,
            &endorsement,
            &k.endorser,
            "data.endorsement.schema",
            "EndorsementCredential",
        ),
    ]
    .concat();
    FileSpec {
        name: "schema.json",
        topic: "JSON Schema (mechanical)",
        header: vec![
            "Generated from our JSON Schemas: each property of a small valid credential removed, each string replaced by a value outside every enumeration and format; kept when the schema rejects the result (a required, enum or format keyword).",
            "Each mutated credential is then signed by its issuer, so the schema rule is what fails. Hand-written cases for the same rules are in the topic files.",
        ],
        first_id: 10000,
        groups: vec![GroupSpec::new("issuer", tests)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_are_valid_and_yield_every_keyword() {
        let f = schema_file();
        let tests = &f.groups[0].tests;
        // An invalid base yields no case at all; each kind must contribute.
        for label in [
            "ClrCredential:",
            "AchievementCredential:",
            "EndorsementCredential:",
        ] {
            assert!(
                tests.iter().any(|t| t.comment.starts_with(label)),
                "{label}"
            );
        }
        for what in ["removed", "outside its enumeration", "breaks its format"] {
            assert!(tests.iter().any(|t| t.comment.contains(what)), "{what}");
        }
    }

    #[test]
    fn pointers_skip_the_proof_and_nested_credentials() {
        let v = json!({"a": {"b": 1}, "proof": {"x": 1}, "credentialSubject": {"verifiableCredential": [1]}});
        let mut out = Vec::new();
        pointers(&v, String::new(), &mut out);
        let ptrs: Vec<&str> = out.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(ptrs, ["/a", "/a/b", "/credentialSubject"]);
    }
}
