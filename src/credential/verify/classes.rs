//! Per-class data-model rules (Result, Alignment, Image, ...) judged from the
//! JSON Schema run: a rule passes when instances of its class exist and no
//! schema error sits in that class's schema file; with no instance it does
//! not apply (never a vacuous pass).

use super::Subject;
use crate::credential::schema::SchemaError;
use crate::evidence::{Check, Recorder};
use serde_json::Value;

/// How instances of a class are found in a credential.
enum Find {
    /// Objects whose `type` contains this name.
    Type(&'static str),
    /// Values of members with this name (objects only).
    Key(&'static str),
}

/// (requirement ids, how to find instances, the schema file judging the class, what to call it).
const CLASSES: &[(&[&str], Find, &str, &str)] = &[
    (
        &["data.association.required", "data.association.type"],
        Find::Type("Association"),
        "association.json",
        "Association",
    ),
    (
        &["data.achievement.required"],
        Find::Type("Achievement"),
        "achievement.json",
        "Achievement",
    ),
    (
        &["data.result.type", "data.result.status"],
        Find::Key("result"),
        "result.json",
        "Result",
    ),
    (
        &["data.result-description.required"],
        Find::Type("ResultDescription"),
        "result-description.json",
        "ResultDescription",
    ),
    (
        &["data.alignment.required"],
        Find::Key("alignment"),
        "alignment.json",
        "Alignment",
    ),
    (
        &["data.related.required"],
        Find::Key("related"),
        "related.json",
        "Related",
    ),
    (
        &["data.identifier-entry.required"],
        Find::Key("otherIdentifier"),
        "identifier-entry.json",
        "IdentifierEntry",
    ),
    (
        &[
            "data.clr-subject.identifier",
            "data.clr-subject.identity-hash",
        ],
        Find::Type("IdentityObject"),
        "identity-object.json",
        "IdentityObject",
    ),
    (
        &["data.image.shape"],
        Find::Key("image"),
        "image.json",
        "Image",
    ),
    (
        &["data.evidence.type"],
        Find::Key("evidence"),
        "evidence.json",
        "Evidence",
    ),
    (
        &["data.credential-status.shape"],
        Find::Key("credentialStatus"),
        "credential-status.json",
        "credentialStatus",
    ),
    (
        &["data.refresh-service.shape"],
        Find::Key("refreshService"),
        "refresh-service.json",
        "refreshService",
    ),
    (
        &["data.terms-of-use.shape"],
        Find::Key("termsOfUse"),
        "terms-of-use.json",
        "termsOfUse",
    ),
    (
        &["data.issuer.schema", "data.profile.id", "data.profile.type"],
        Find::Key("issuer"),
        "profile.json",
        "issuer Profile",
    ),
];

/// Record per-class verdicts from `errors` (the schema run on `s`).
pub(super) fn attribute(s: &Subject, errors: &[SchemaError], rec: &mut Recorder) {
    let finds: Vec<&Find> = CLASSES.iter().map(|(_, find, _, _)| find).collect();
    let mut counts = vec![0; finds.len()];
    count(s.cred, &finds, true, &mut counts);
    for ((ids, find, file, label), n) in CLASSES.iter().zip(counts) {
        let mut c = Check::new(&format!("{label} shape"), ids);
        c.subject(&s.name);
        if n == 0 {
            for id in *ids {
                c.not_applicable(id, format!("no {label} in this credential"));
            }
            rec.finish(c);
            continue;
        }
        let mine: Vec<&SchemaError> = errors
            .iter()
            .filter(|e| {
                e.schema_path.starts_with(file)
                    || matches!(find, Find::Key(k) if e.instance_path.split('/').any(|seg| seg == *k))
            })
            .collect();
        for id in *ids {
            if mine.is_empty() {
                c.pass(id, format!("{n} {label} object(s) valid against {file}"));
            } else {
                for e in mine.iter().take(5) {
                    c.fail(id, e.message.clone())
                        .expected(e.schema_path.clone());
                }
            }
        }
        rec.finish(c);
    }
}

/// Members whose values come from an extensible vocabulary (`ext:` extensions allowed).
const VOCABULARY_KEYS: &[&str] = &[
    "achievementType",
    "resultType",
    "targetType",
    "identityType",
    "identifierType",
    "alignmentType",
];

/// Rules the whole schema run evidences: JSON value types and vocabulary values.
pub(super) fn whole(s: &Subject, errors: &[SchemaError], rec: &mut Recorder) {
    let ids = [
        "data.serialization.json-types",
        "data.enum.extension-prefix",
    ];
    let mut c = Check::new("value types and vocabularies", &ids);
    c.subject(&s.name);
    let type_errors: Vec<&SchemaError> = errors
        .iter()
        .filter(|e| e.schema_path.ends_with("/type"))
        .collect();
    if type_errors.is_empty() {
        c.pass(
            "data.serialization.json-types",
            "every value has its JSON type",
        );
    }
    for e in type_errors.iter().take(5) {
        c.fail("data.serialization.json-types", e.message.clone());
    }
    let keys: Vec<Find> = VOCABULARY_KEYS.iter().map(|k| Find::Key(k)).collect();
    let mut counts = vec![0; keys.len()];
    count(s.cred, &keys.iter().collect::<Vec<_>>(), true, &mut counts);
    strings(s.cred, VOCABULARY_KEYS, &mut counts);
    let n: usize = counts.iter().sum();
    let vocab_errors: Vec<&SchemaError> = errors
        .iter()
        .filter(|e| VOCABULARY_KEYS.iter().any(|k| e.instance_path.ends_with(k)))
        .collect();
    if n == 0 {
        c.not_applicable("data.enum.extension-prefix", "no vocabulary-valued member");
    } else if vocab_errors.is_empty() {
        c.pass(
            "data.enum.extension-prefix",
            format!("{n} vocabulary value(s) known or ext:-prefixed"),
        );
    } else {
        for e in vocab_errors.iter().take(5) {
            c.fail("data.enum.extension-prefix", e.message.clone());
        }
    }
    rec.finish(c);
}

/// Adds to `n[i]` the string values of members named `keys[i]` (outside nested credentials).
fn strings(v: &Value, keys: &[&str], n: &mut [usize]) {
    match v {
        Value::Object(m) => {
            for (k, x) in m
                .iter()
                .filter(|(k, _)| k.as_str() != "verifiableCredential")
            {
                if x.is_string()
                    && let Some(i) = keys.iter().position(|key| k == key)
                {
                    n[i] += 1;
                }
                strings(x, keys, n);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| strings(x, keys, n)),
        _ => {}
    }
}

/// Adds to `n[i]` the instances found by `finds[i]`, in one walk that does not descend
/// into nested credentials (judged on their own).
fn count(v: &Value, finds: &[&Find], top: bool, n: &mut [usize]) {
    match v {
        Value::Object(m) => {
            let ty = m.get("type");
            for (i, find) in finds.iter().enumerate() {
                if let Find::Type(t) = find
                    && match ty {
                        Some(Value::String(s)) => s == t,
                        Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(t)),
                        _ => false,
                    }
                {
                    n[i] += 1;
                }
            }
            for (k, x) in m {
                if k == "verifiableCredential" || k == "proof" || (!top && (k == "endorsement")) {
                    continue;
                }
                for (i, find) in finds.iter().enumerate() {
                    if let Find::Key(key) = find
                        && k == key
                    {
                        n[i] += match x {
                            Value::Object(_) => 1,
                            Value::Array(a) => a.iter().filter(|i| i.is_object()).count(),
                            _ => 0,
                        };
                    }
                }
                count(x, finds, false, n);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| count(x, finds, false, n)),
        _ => {}
    }
}
