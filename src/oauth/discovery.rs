//! The discovery endpoint and its Service Description Document (SDD): an
//! OpenAPI 3.0 document whose `OAuth2ACG` security scheme carries the OAuth
//! endpoints and scopes [OB §6.3, §7.1; FACTS §3].

use crate::catalog::Profile;
use crate::evidence::Recorder;
use crate::http::{Client, Exchange, Failure, Req};
use serde_json::Value;
use std::collections::BTreeMap;

/// What the harness needs from an SDD.
#[derive(Debug, Clone, PartialEq)]
pub struct Sdd {
    pub openapi: String,
    pub title: String,
    pub version: String,
    pub terms_of_service: Option<String>,
    /// `info.x-imssf-privacyPolicyUrl` (or, tolerated, the one inside `OAuth2ACG`).
    pub privacy_policy_url: Option<String>,
    pub registration_url: String,
    pub authorization_url: String,
    pub token_url: String,
    pub refresh_url: Option<String>,
    /// Not an SDD field; taken from an `x-...revocationUrl` extension when present.
    pub revocation_url: Option<String>,
    /// Scope URI -> description.
    pub scopes: BTreeMap<String, String>,
}

/// `{base}{profile.base_path}/discovery`.
pub fn discovery_url(base: &str, profile: &Profile) -> String {
    format!(
        "{}{}/discovery",
        base.trim_end_matches('/'),
        profile.base_path
    )
}

/// `GET` the discovery endpoint without credentials.
pub async fn fetch(
    c: &Client,
    rec: &mut Recorder,
    base: &str,
    profile: &Profile,
) -> Result<Exchange, Failure> {
    let req = Req::get(discovery_url(base, profile), "getServiceDescription")
        .header("Accept", "application/json");
    c.send(rec, req).await
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

const SCHEME: [&str; 3] = ["components", "securitySchemes", "OAuth2ACG"];
const FLOW: [&str; 5] = [
    "components",
    "securitySchemes",
    "OAuth2ACG",
    "flows",
    "authorizationCode",
];

/// Problems with the SDD's required structure, each naming the member (empty = fine).
pub fn structure_problems(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if !v.is_object() {
        return vec!["the document is not a JSON object".into()];
    }
    let need_str = |path: &[&str], out: &mut Vec<String>| {
        if str_at(v, path).is_none() {
            out.push(format!("{}: required string missing", path.join(".")));
        }
    };
    need_str(&["openapi"], &mut out);
    need_str(&["info", "title"], &mut out);
    need_str(&["info", "version"], &mut out);
    need_str(&["info", "termsOfService"], &mut out);
    need_str(&["info", "x-imssf-privacyPolicyUrl"], &mut out);
    if !v.get("components").is_some_and(Value::is_object) {
        out.push("components: required object missing".into());
    }
    match v
        .pointer("/components/securitySchemes/OAuth2ACG/type")
        .and_then(Value::as_str)
    {
        Some("oauth2") => {}
        Some(t) => out.push(format!(
            "{t}: components.securitySchemes.OAuth2ACG.type must be \"oauth2\""
        )),
        None => {
            out.push("components.securitySchemes.OAuth2ACG.type: required string missing".into())
        }
    }
    let mut reg = SCHEME.to_vec();
    reg.push("x-imssf-registrationUrl");
    need_str(&reg, &mut out);
    for k in ["authorizationUrl", "tokenUrl"] {
        let mut p = FLOW.to_vec();
        p.push(k);
        need_str(&p, &mut out);
    }
    let mut sp = FLOW.to_vec();
    sp.push("scopes");
    let mut cur = Some(v);
    for p in &sp {
        cur = cur.and_then(|c| c.get(p));
    }
    if !cur.is_some_and(Value::is_object) {
        out.push(format!("{}: required object missing", sp.join(".")));
    }
    out
}

/// Parse the parts the harness uses; errors list what is missing.
pub fn parse(v: &Value) -> Result<Sdd, Vec<String>> {
    let s = |path: &[&str]| str_at(v, path).map(str::to_string);
    let flow = |k: &str| {
        let mut p = FLOW.to_vec();
        p.push(k);
        s(&p)
    };
    let scheme = |k: &str| {
        let mut p = SCHEME.to_vec();
        p.push(k);
        s(&p)
    };
    let mut missing = Vec::new();
    let mut need = |name: &str, v: Option<String>| {
        v.unwrap_or_else(|| {
            missing.push(format!("{name}: required to continue, missing"));
            String::new()
        })
    };
    let registration_url = need("x-imssf-registrationUrl", scheme("x-imssf-registrationUrl"));
    let authorization_url = need("authorizationUrl", flow("authorizationUrl"));
    let token_url = need("tokenUrl", flow("tokenUrl"));
    if !missing.is_empty() {
        return Err(missing);
    }
    let scopes = v
        .pointer("/components/securitySchemes/OAuth2ACG/flows/authorizationCode/scopes")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, d)| (k.clone(), d.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    Ok(Sdd {
        openapi: s(&["openapi"]).unwrap_or_default(),
        title: s(&["info", "title"]).unwrap_or_default(),
        version: s(&["info", "version"]).unwrap_or_default(),
        terms_of_service: s(&["info", "termsOfService"]),
        privacy_policy_url: s(&["info", "x-imssf-privacyPolicyUrl"])
            .or_else(|| scheme("x-imssf-privacyPolicyUrl")),
        registration_url,
        authorization_url,
        token_url,
        refresh_url: flow("refreshUrl"),
        revocation_url: find_revocation_url(v),
        scopes,
    })
}

/// Any `x-...revocationUrl` member in the scheme, its flow or `info`.
fn find_revocation_url(v: &Value) -> Option<String> {
    for ptr in [
        "/components/securitySchemes/OAuth2ACG/flows/authorizationCode",
        "/components/securitySchemes/OAuth2ACG",
        "/info",
    ] {
        if let Some(obj) = v.pointer(ptr).and_then(Value::as_object) {
            for (k, val) in obj {
                if k.starts_with("x-")
                    && k.to_ascii_lowercase().ends_with("revocationurl")
                    && let Some(s) = val.as_str()
                {
                    return Some(s.to_string());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "openapi": "3.0.1",
            "info": {"title": "T", "version": "1", "termsOfService": "https://h/tos",
                     "x-imssf-privacyPolicyUrl": "https://h/privacy"},
            "components": {"securitySchemes": {"OAuth2ACG": {
                "type": "oauth2", "x-imssf-registrationUrl": "https://h/register",
                "x-example-revocationUrl": "https://h/revoke",
                "flows": {"authorizationCode": {
                    "authorizationUrl": "https://h/auth", "tokenUrl": "https://h/token",
                    "refreshUrl": "https://h/token", "scopes": {"s1": "d1"}}}}}}
        })
    }

    #[test]
    fn sample_parses_with_no_problems() {
        let v = sample();
        assert!(
            structure_problems(&v).is_empty(),
            "{:?}",
            structure_problems(&v)
        );
        let s = parse(&v).unwrap();
        assert_eq!(s.token_url, "https://h/token");
        assert_eq!(s.revocation_url.as_deref(), Some("https://h/revoke"));
        assert_eq!(s.scopes.len(), 1);
    }

    #[test]
    fn missing_members_are_named() {
        let mut v = sample();
        v["components"]["securitySchemes"]["OAuth2ACG"]["type"] = json!("apiKey");
        v["info"].as_object_mut().unwrap().remove("termsOfService");
        let p = structure_problems(&v);
        assert!(p.iter().any(|m| m.contains("termsOfService")), "{p:?}");
        assert!(p.iter().any(|m| m.starts_with("apiKey")), "{p:?}");
        v["components"]["securitySchemes"]["OAuth2ACG"]["flows"] = json!({});
        let err = parse(&v).unwrap_err();
        assert!(err.iter().any(|m| m.contains("tokenUrl")));
    }
}
