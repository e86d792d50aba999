//! Rules only the CLR sources state (CLR-SOURCES-AUDIT §3.1 G1, G2, G4): `partial`
//! is a boolean; a record using `partial` or a ClrSubject `identifier` names a CLR
//! context that defines them (2.0.1 or later: under `context.json` and 2.0.0 JSON-LD
//! processing drops both, the errata's own example); a hashed identity carries a salt.

use super::{Subject, types};
use crate::evidence::{Check, Recorder};
use serde_json::Value;

const IDS: &[&str] = &[
    "data.clr.partial-type",
    "data.clr.context-defines-used-terms",
    "data.clr-subject.identity-salted",
];

pub(super) fn run(s: &Subject, rec: &mut Recorder) {
    let mut c = Check::new("clr terms", IDS);
    c.subject(&s.name);
    partial(s.cred, &mut c);
    defining_context(s.cred, &mut c);
    salted(s.cred, &mut c);
    rec.finish(c);
}

fn partial(cred: &Value, c: &mut Check) {
    let id = "data.clr.partial-type";
    match cred.get("partial") {
        None => c.not_applicable(
            id,
            "no `partial` member (absent means the record is complete)",
        ),
        Some(Value::Bool(_)) => c.pass(id, "`partial` is a boolean"),
        Some(other) => c.fail(id, format!("`partial` is {other}, not true or false")),
    };
}

/// The CLR context versions whose definitions include `partial` and ClrSubject `identifier`.
fn defines_new_terms(url: &str) -> bool {
    let Some(v) = url
        .strip_prefix("https://purl.imsglobal.org/spec/clr/v2p0/context-")
        .and_then(|r| r.strip_suffix(".json"))
    else {
        return false;
    };
    let n: Vec<u32> = v.split('.').filter_map(|x| x.parse().ok()).collect();
    n.len() == 3 && (n[0], n[1], n[2]) >= (2, 0, 1)
}

fn defining_context(cred: &Value, c: &mut Check) {
    let id = "data.clr.context-defines-used-terms";
    let mut used = Vec::new();
    if cred.get("partial").is_some() {
        used.push("partial");
    }
    if cred["credentialSubject"].get("identifier").is_some() {
        used.push("credentialSubject.identifier");
    }
    if used.is_empty() {
        c.not_applicable(
            id,
            "neither `partial` nor a ClrSubject `identifier` is used",
        );
        return;
    }
    let ctx: Vec<&str> = match cred.get("@context") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => Vec::new(),
    };
    match ctx.iter().find(|u| defines_new_terms(u)) {
        Some(u) => c.pass(id, format!("{} defined by {u}", used.join(" and "))),
        None => c
            .fail(
                id,
                format!(
                    "{} used, but no CLR context 2.0.1 or later is listed: JSON-LD processing drops them",
                    used.join(" and ")
                ),
            )
            .actual(ctx.join(", ")),
    };
}

fn salted(cred: &Value, c: &mut Check) {
    let id = "data.clr-subject.identity-salted";
    let mut hashed = Vec::new();
    collect(&cred["credentialSubject"], &mut hashed);
    if hashed.is_empty() {
        c.not_applicable(id, "no hashed IdentityObject");
        return;
    }
    for ident in hashed {
        let salt = ident.get("salt").and_then(Value::as_str).unwrap_or("");
        if salt.is_empty() {
            c.fail(id, "a hashed IdentityObject has no salt: the hash of a known identifier can be recomputed");
        } else {
            c.pass(id, "the hashed IdentityObject is salted");
        }
    }
}

fn collect<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            if (types(v).iter().any(|t| t == "IdentityObject") || m.contains_key("identityHash"))
                && m.get("hashed").and_then(Value::as_bool) == Some(true)
            {
                out.push(v);
            }
            for (k, x) in m {
                if k != "verifiableCredential" {
                    collect(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn context_versions_that_define_partial() {
        let base = "https://purl.imsglobal.org/spec/clr/v2p0/";
        assert!(super::defines_new_terms(&format!(
            "{base}context-2.0.1.json"
        )));
        assert!(super::defines_new_terms(&format!(
            "{base}context-2.1.0.json"
        )));
        assert!(!super::defines_new_terms(&format!(
            "{base}context-2.0.0.json"
        )));
        assert!(!super::defines_new_terms(&format!("{base}context.json")));
    }
}
