//! Refresh (`1EdTechCredentialRefresh`): when the original proof holds and the
//! issuer's refresh service gave a fresh copy (fetched beforehand, like every
//! document), that copy is verified in full, once; a refreshed credential is
//! never refreshed again, and when no copy could be had the original stands.

use super::documents::{Documents, Fetched};
use crate::catalog::{Catalog, Level, Role};
use crate::evidence::{Recorder, Verdict};
use serde_json::Value;

/// The refresh method this step follows.
pub const METHOD: &str = "1EdTechCredentialRefresh";

/// The URL of the first `1EdTechCredentialRefresh` service `cred` names.
pub(super) fn service_url(cred: &Value) -> Option<&str> {
    let entries: Vec<&Value> = match cred.get("refreshService")? {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    entries
        .iter()
        .find(|e| e.get("type").and_then(Value::as_str) == Some(METHOD))?
        .get("id")?
        .as_str()
}

/// The refreshed credential for `cred`, if it names a 1EdTech refresh service
/// and a credential object was fetched from it.
pub(super) fn refreshed(cred: &Value, docs: &Documents) -> Option<Value> {
    match docs.get(service_url(cred)?)? {
        Fetched::Json(v @ Value::Object(_)) => Some(v.clone()),
        // A failed or unusable refresh: continue with the original.
        _ => None,
    }
}

/// MUST requirements of `role` that `rec` holds a failure for.
pub(super) fn must_failures(rec: &Recorder, role: Role) -> Vec<String> {
    let catalog = Catalog::embedded();
    rec.findings()
        .iter()
        .filter(|(_, f)| f.iter().any(|x| x.verdict == Verdict::Fail))
        .filter(|(id, _)| {
            catalog
                .get(id)
                .is_some_and(|r| r.level == Level::Must && r.roles.contains(&role))
        })
        .map(|(id, _)| id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    #[test]
    fn only_a_fetched_object_from_a_1edtech_service_counts() {
        let cred = json!({"refreshService": {"id": "https://r.example/1", "type": METHOD}});
        let mut m = HashMap::new();
        assert_eq!(refreshed(&cred, &Documents::new(m.clone())), None);
        m.insert(
            "https://r.example/1".to_string(),
            Fetched::Failed("404".into()),
        );
        assert_eq!(refreshed(&cred, &Documents::new(m.clone())), None);
        m.insert(
            "https://r.example/1".to_string(),
            Fetched::Json(json!({"id": "new"})),
        );
        assert_eq!(
            refreshed(&cred, &Documents::new(m.clone())),
            Some(json!({"id": "new"}))
        );
        let other = json!({"refreshService": {"id": "https://r.example/1", "type": "Other"}});
        assert_eq!(refreshed(&other, &Documents::new(m)), None);
    }
}
