//! The registration request (RFC 7591 as profiled by OB §7.1.1): required
//! fields, arrays, https URLs on one host, allowed values, scopes.

use super::{Ctx, REGISTER, scopes};
use crate::evidence::{Check, Recorder};
use crate::judge::exchange::{header, json_body};
use crate::provider::oauth::register::{REQUIRED_STRINGS, URL_FIELDS};
use crate::registry::CheckSpec;
use serde_json::Value;

const ENDPOINT: &str = "oauth.registration.request.endpoint";
const REQUIRED: &str = "oauth.registration.request.required-fields";
const ARRAYS: &str = "oauth.registration.request.arrays";
const HTTPS: &str = "oauth.registration.request.https-same-host";
const LOGO: &str = "oauth.registration.request.logo";
const GRANTS: &str = "oauth.registration.request.grant-types";
const RESPONSES: &str = "oauth.registration.request.response-types";
const AUTH: &str = "oauth.registration.request.auth-method";
const SCOPE: &str = "oauth.registration.request.scope";
const NO_SS: &str = "oauth.registration.request.no-software-statement";

const IDS: &[&str] = &[
    ENDPOINT, REQUIRED, ARRAYS, HTTPS, LOGO, GRANTS, RESPONSES, AUTH, SCOPE, NO_SS,
];
const MUSTS: &[&str] = &[REQUIRED, ARRAYS, HTTPS, GRANTS, RESPONSES, AUTH, SCOPE];
/// The checks this step records, as the registry lists them.
pub const CHECKS: &[CheckSpec] = &[CheckSpec {
    at: crate::registry::here!(),
    name: "consumer registration request",
    ids: IDS,
}];

pub fn run(ctx: &Ctx, rec: &mut Recorder) {
    let mut c = CHECKS[0].start();
    let regs = ctx.find("", REGISTER);
    if regs.is_empty() {
        for id in MUSTS {
            c.fail(
                id,
                format!("registration never happened: no POST {REGISTER} was recorded"),
            );
        }
        for id in [ENDPOINT, LOGO, NO_SS] {
            c.skip(id, "registration never happened");
        }
        rec.finish(c);
        return;
    }
    for i in regs {
        ctx.cite(&mut c, i);
        request(ctx, &mut c, i);
    }
    rec.finish(c);
}

fn request(ctx: &Ctx, c: &mut Check, i: usize) {
    let e = &ctx.ex[i];
    let ctype = header(e, "content-type").unwrap_or("");
    let json_ok = ctype.to_ascii_lowercase().starts_with("application/json");
    c.ensure(
        ENDPOINT,
        e.method == "POST" && json_ok,
        format!("{} with Content-Type {ctype:?}", e.method),
    );
    let Some(Value::Object(body)) = json_body(e) else {
        for id in MUSTS {
            c.fail(id, "the registration request body is not a JSON object");
        }
        return;
    };
    // Required fields.
    let mut missing: Vec<&str> = REQUIRED_STRINGS
        .iter()
        .filter(|k| {
            body.get(**k)
                .and_then(Value::as_str)
                .is_none_or(|s| s.trim().is_empty())
        })
        .copied()
        .collect();
    if body.get("redirect_uris").is_none() {
        missing.push("redirect_uris");
    }
    c.ensure(
        REQUIRED,
        missing.is_empty(),
        if missing.is_empty() {
            "every required field is present".to_string()
        } else {
            format!("{}: required field(s) missing or empty", missing.join(", "))
        },
    );
    // Arrays.
    let mut not_arrays: Vec<&str> = ["redirect_uris", "grant_types", "response_types", "contacts"]
        .into_iter()
        .filter(|k| body.get(*k).is_some_and(|v| !v.is_array()))
        .collect();
    if body.get("scope").is_some_and(|v| !v.is_string()) {
        not_arrays.push("scope (must be a space-separated string)");
    }
    c.ensure(
        ARRAYS,
        not_arrays.is_empty(),
        if not_arrays.is_empty() {
            "array fields are JSON arrays and scope is a string".to_string()
        } else {
            format!("{}: wrong JSON type", not_arrays.join(", "))
        },
    );
    // https and one hostname.
    let mut urls: Vec<(String, String)> = URL_FIELDS
        .iter()
        .filter_map(|k| {
            body.get(*k)
                .and_then(Value::as_str)
                .map(|v| (k.to_string(), v.to_string()))
        })
        .collect();
    for u in body
        .get("redirect_uris")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        urls.push(("redirect_uris".into(), u.to_string()));
    }
    let mut problems = Vec::new();
    let mut host: Option<String> = None;
    for (k, raw) in &urls {
        match url::Url::parse(raw) {
            Ok(u) => {
                if u.scheme() != "https" {
                    problems.push(format!("{raw}: {k} is not https"));
                }
                let h = u.host_str().unwrap_or("").to_ascii_lowercase();
                match &host {
                    None => host = Some(h),
                    Some(first) if *first != h => {
                        problems.push(format!("{raw}: {k} host differs from {first}"))
                    }
                    _ => {}
                }
            }
            Err(_) => problems.push(format!("{raw}: {k} is not a URL")),
        }
    }
    if urls.is_empty() {
        problems.push("no URL in the registration request".into());
    }
    c.ensure(
        HTTPS,
        problems.is_empty(),
        if problems.is_empty() {
            format!("{} URLs, all https on one host", urls.len())
        } else {
            problems.join("; ")
        },
    );
    match body.get("logo_uri").and_then(Value::as_str) {
        Some(l) => c.skip(
            LOGO,
            format!("{l}: not fetched (the judge stays on loopback); check it serves an image"),
        ),
        None => c.fail(LOGO, "logo_uri: missing"),
    };
    allowed(
        c,
        &body,
        GRANTS,
        "grant_types",
        &["authorization_code", "refresh_token"],
    );
    allowed(c, &body, RESPONSES, "response_types", &["code"]);
    match body.get("token_endpoint_auth_method") {
        None => c.pass(
            AUTH,
            "token_endpoint_auth_method absent (client_secret_basic)",
        ),
        Some(Value::String(m)) if m == "client_secret_basic" => {
            c.pass(AUTH, "token_endpoint_auth_method is client_secret_basic")
        }
        Some(v) => c.fail(
            AUTH,
            format!("{v}: token_endpoint_auth_method must be client_secret_basic"),
        ),
    };
    let asked = body.get("scope").and_then(Value::as_str).unwrap_or("");
    let known: Vec<&str> = ctx
        .profile
        .all_scopes()
        .into_iter()
        .chain([ctx.profile.scopes.offline_access.as_str()])
        .collect();
    let unknown: Vec<&str> = scopes(asked)
        .into_iter()
        .filter(|s| !known.contains(s))
        .collect();
    let lacking: Vec<&str> = ctx
        .required_scopes()
        .into_iter()
        .filter(|s| !scopes(asked).contains(s))
        .collect();
    let mut msg = Vec::new();
    if !unknown.is_empty() {
        msg.push(format!("{}: not a scope of this API", unknown.join(" ")));
    }
    if !lacking.is_empty() {
        msg.push(format!(
            "{}: needed by the role but not registered",
            lacking.join(" ")
        ));
    }
    c.ensure(
        SCOPE,
        msg.is_empty(),
        if msg.is_empty() {
            "registered scopes are known and cover the role".to_string()
        } else {
            msg.join("; ")
        },
    );
    c.ensure(
        NO_SS,
        body.get("software_statement").is_none(),
        "no software_statement",
    );
}

fn allowed(c: &mut Check, body: &serde_json::Map<String, Value>, id: &str, key: &str, ok: &[&str]) {
    let Some(v) = body.get(key) else {
        c.pass(id, format!("{key} absent (default)"));
        return;
    };
    let items: Vec<String> = match v {
        Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect(),
        other => vec![
            other
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| other.to_string()),
        ],
    };
    let bad: Vec<&String> = items.iter().filter(|x| !ok.contains(&x.as_str())).collect();
    c.ensure(
        id,
        bad.is_empty(),
        if bad.is_empty() {
            format!("{key}: {}", items.join(", "))
        } else {
            format!(
                "{}: not allowed in {key} (only {})",
                bad.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                ok.join(", ")
            )
        },
    );
}

#[cfg(test)]
mod spec_lists {
    use super::{REQUIRED_STRINGS, URL_FIELDS};
    use std::collections::BTreeSet;

    /// The judge and the reference provider share one list of registration members, so
    /// a wrong list would be wrong on both sides: prove it against the spec's own table
    /// ("Properties in the client registration request", OB 3.0 §7.1).
    #[test]
    fn the_registration_lists_are_the_spec_table() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/reference/spec/ob_v3p0/security.html"
        );
        let Ok(html) = std::fs::read_to_string(path) else {
            println!("skipped: {path} not found");
            return;
        };
        let start = html
            .find("Properties in the client registration request")
            .expect("the registration table");
        let table = &html[start..start + html[start..].find("</table>").unwrap()];
        let cells = |row: &str| -> Vec<String> {
            row.split("<td>")
                .skip(1)
                .map(|c| {
                    let c = c.split("</td>").next().unwrap_or_default();
                    let mut text = String::new();
                    let mut tag = false;
                    for ch in c.chars() {
                        match ch {
                            '<' => tag = true,
                            '>' => tag = false,
                            _ if !tag => text.push(ch),
                            _ => {}
                        }
                    }
                    text.split_whitespace().collect::<Vec<_>>().join(" ")
                })
                .collect()
        };
        let rows: Vec<Vec<String>> = table.split("<tr>").skip(2).map(cells).collect();
        assert!(rows.len() >= 10, "{rows:?}");
        let required = |ty: &dyn Fn(&str) -> bool| -> BTreeSet<String> {
            rows.iter()
                .filter(|r| r.last().is_some_and(|x| x == "Required") && ty(&r[1]))
                .map(|r| r[0].clone())
                .collect()
        };
        let strings = required(&|t| t == "String" || t == "URL");
        let ours: BTreeSet<String> = REQUIRED_STRINGS.iter().map(|s| s.to_string()).collect();
        assert_eq!(ours, strings, "required single-valued members");
        let urls = required(&|t| t == "URL");
        let ours: BTreeSet<String> = URL_FIELDS.iter().map(|s| s.to_string()).collect();
        assert_eq!(ours, urls, "required URL members");
        assert!(required(&|t| t == "URL[]").contains("redirect_uris"));
    }
}
