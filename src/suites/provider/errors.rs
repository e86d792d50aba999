//! Error responses: every non-success API answer (400, 401, 403, 405) has an
//! `Imsx_StatusInfo` JSON body valid against its schema; 405 carries `Allow`;
//! a bad request gets 400, never 500 [FACTS §1.2, §1.4; OB §C.3].

use super::Ctx;
use crate::http::{Exchange, Req};
use crate::registry::CheckSpec;
use serde_json::Value;

pub const STATUS_INFO: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "errors: non-success bodies are valid Imsx_StatusInfo",
    ids: &[
        "api.errors.status-info",
        "api.errors.status-info-schema",
        "api.errors.explained",
    ],
};
pub const METHOD: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "errors: unknown method 405 with Allow, unknown path 404",
    ids: &[
        "api.errors.method-405",
        "api.errors.allow-header",
        "api.errors.not-found-404",
    ],
};
pub const BAD_REQUEST: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "errors: a bad request gets 400, not 500",
    ids: &["api.errors.bad-request-400", "api.errors.avoid-500"],
};

pub const CHECKS: &[CheckSpec] = &[STATUS_INFO, METHOD, BAD_REQUEST];

const CODE_MAJOR: &[&str] = &["success", "processing", "failure", "unsupported"];
const SEVERITY: &[&str] = &["status", "warning", "error"];
const CODE_MINOR: &[&str] = &[
    "forbidden",
    "fullsuccess",
    "internal_server_error",
    "invalid_data",
    "invalid_query_parameter",
    "misdirected_request",
    "not_acceptable",
    "not_allowed",
    "not_found",
    "not_modified",
    "server_busy",
    "unauthorizedrequest",
    "unknown",
];

/// Problems of an Imsx_StatusInfo body (empty = valid), per its JSON Schema.
pub fn status_info_problems(v: &Value) -> Vec<String> {
    let Some(o) = v.as_object() else {
        return vec!["body is not a JSON object".into()];
    };
    let mut out = Vec::new();
    for k in o.keys() {
        if !matches!(
            k.as_str(),
            "imsx_codeMajor" | "imsx_severity" | "imsx_description" | "imsx_codeMinor"
        ) {
            out.push(format!("{k}: member not allowed"));
        }
    }
    let enum_member =
        |k: &str, allowed: &[&str], out: &mut Vec<String>| match o.get(k).and_then(Value::as_str) {
            Some(s) if allowed.contains(&s) => {}
            Some(s) => out.push(format!("{s}: {k} not one of {allowed:?}")),
            None => out.push(format!("{k}: required string missing")),
        };
    enum_member("imsx_codeMajor", CODE_MAJOR, &mut out);
    enum_member("imsx_severity", SEVERITY, &mut out);
    if let Some(d) = o.get("imsx_description")
        && !d.is_string()
    {
        out.push("imsx_description: not a string".into());
    }
    if let Some(m) = o.get("imsx_codeMinor") {
        let fields = m
            .as_object()
            .filter(|mo| mo.len() == 1)
            .and_then(|mo| mo.get("imsx_codeMinorField"))
            .and_then(Value::as_array);
        match fields {
            None => out.push("imsx_codeMinor: must be {imsx_codeMinorField: [...]} only".into()),
            Some(list) => {
                for f in list {
                    let fo = f.as_object();
                    let ok_keys = fo.is_some_and(|fo| {
                        fo.keys().all(|k| {
                            k == "imsx_codeMinorFieldName" || k == "imsx_codeMinorFieldValue"
                        })
                    });
                    let name = f.get("imsx_codeMinorFieldName").and_then(Value::as_str);
                    let value = f.get("imsx_codeMinorFieldValue").and_then(Value::as_str);
                    if !ok_keys || name.is_none() {
                        out.push(format!("{f}: imsx_codeMinorField entry malformed"));
                    }
                    match value {
                        Some(v) if CODE_MINOR.contains(&v) => {}
                        other => out.push(format!(
                            "{other:?}: imsx_codeMinorFieldValue not in the enumeration"
                        )),
                    }
                }
            }
        }
    }
    out
}

/// Judge one error response's body into `c`.
pub fn judge_body(c: &mut crate::evidence::Check, ex: &Exchange, what: &str) {
    c.cite(&ex.tx);
    let id = "api.errors.status-info-schema";
    let json = ex.json().filter(|_| ex.is_json_media_type());
    c.ensure(
        "api.errors.status-info",
        json.as_ref()
            .is_some_and(|v| v.get("imsx_codeMajor").is_some()),
        format!(
            "{what} ({}): application/json Imsx_StatusInfo body: got {}",
            ex.status,
            ex.brief()
        ),
    );
    if let Some(v) = &json {
        let explained = v
            .get("imsx_description")
            .and_then(Value::as_str)
            .is_some_and(|d| !d.trim().is_empty())
            || v.get("imsx_codeMinor").is_some();
        c.ensure(
            "api.errors.explained",
            explained,
            format!("{what}: imsx_description or imsx_codeMinor explains the error"),
        );
    }
    match json {
        Some(v) => {
            let p = status_info_problems(&v);
            let sent = v.get("imsx_codeMajor").is_some();
            let f = c.ensure(
                id,
                p.is_empty(),
                format!(
                    "{what} ({}): Imsx_StatusInfo body valid{}",
                    ex.status,
                    if p.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", p.join("; "))
                    }
                ),
            );
            if sent {
                f.held("an Imsx_StatusInfo body (imsx_codeMajor) was sent");
            }
        }
        _ => {
            c.fail(
                id,
                format!(
                    "{what}: {} body is not an Imsx_StatusInfo JSON object",
                    ex.brief()
                ),
            );
        }
    }
}

pub async fn run(ctx: &mut Ctx) {
    let mut info = STATUS_INFO.start();
    let creds = ctx.api_url("/credentials");
    // 401: no token.
    match ctx
        .send(Req::get(&creds, "getCredentials without token"))
        .await
    {
        Ok(ex) if ex.status >= 400 => judge_body(&mut info, &ex, "no token"),
        Ok(_) => {}
        Err(f) => return ctx.transport_error(info, &f),
    }
    let token = ctx.token().ok();
    if let Some(t) = &token {
        // 400: invalid paging parameter.
        let mut c = BAD_REQUEST.start();
        match ctx
            .send(Req::get(format!("{creds}?limit=0"), "getCredentials limit=0").bearer(t))
            .await
        {
            Ok(ex) => {
                c.subject(&ex.url).cite(&ex.tx);
                if ex.status >= 400 {
                    judge_body(&mut info, &ex, "limit=0");
                }
                c.ensure(
                    "api.errors.avoid-500",
                    ex.status < 500,
                    format!("limit=0: not a 5xx: got {}", ex.brief()),
                );
                if !ctx.writes() {
                    c.ensure_eq(
                        "api.errors.bad-request-400",
                        400,
                        ex.status,
                        "limit=0 is refused with 400",
                    );
                }
            }
            Err(f) => {
                c.cite(&f.tx);
                c.error("api.errors.avoid-500", f.message);
            }
        }
        if ctx.writes() {
            let req = Req::post(&creds, "upsertCredential malformed JSON")
                .bearer(t)
                .text("application/json", "{\"id\": ");
            match ctx.send(req).await {
                Ok(ex) => {
                    c.cite(&ex.tx);
                    if ex.status >= 400 {
                        judge_body(&mut info, &ex, "malformed JSON upsert");
                    }
                    // Evidence only with its positive control: a valid create succeeded.
                    match ctx.cause(super::Step::Upsert) {
                        Some(cause) => {
                            c.skip(
                                "api.errors.bad-request-400",
                                format!(
                                    "inconclusive: the control request was refused ({}): {}",
                                    cause.row, cause.message
                                ),
                            );
                        }
                        None => {
                            c.ensure_eq(
                                "api.errors.bad-request-400",
                                400,
                                ex.status,
                                "a malformed JSON upsert is refused with 400 (a valid create succeeded in this run)",
                            );
                        }
                    }
                    c.ensure(
                        "api.errors.avoid-500",
                        ex.status < 500,
                        format!("malformed JSON upsert: not a 5xx: got {}", ex.brief()),
                    );
                }
                Err(f) => {
                    c.cite(&f.tx);
                    c.error("api.errors.bad-request-400", f.message);
                }
            }
        }
        ctx.finish(c);
        // 405: a method the endpoint does not have.
        let mut c = METHOD.start();
        match ctx
            .send(Req::new(http::Method::DELETE, &creds, "DELETE credentials").bearer(t))
            .await
        {
            Ok(ex) => {
                c.subject(&ex.url).cite(&ex.tx);
                c.ensure_eq(
                    "api.errors.method-405",
                    405,
                    ex.status,
                    "DELETE /credentials is answered 405",
                );
                let allow = ex.header("allow").unwrap_or("");
                let f = c.ensure(
                    "api.errors.allow-header",
                    allow.to_ascii_uppercase().contains("GET"),
                    format!("405 names the allowed methods in Allow: got {allow:?}"),
                );
                if ex.status == 405 {
                    f.held("the server answered 405");
                }
                if ex.status >= 400 {
                    judge_body(&mut info, &ex, "DELETE /credentials");
                }
            }
            Err(f) => {
                c.cite(&f.tx);
                c.error("api.errors.allow-header", f.message);
            }
        }
        let unknown = ctx.api_url("/no-such-endpoint");
        match ctx
            .send(Req::get(&unknown, "GET an unknown path").bearer(t))
            .await
        {
            Ok(ex) => {
                c.cite(&ex.tx);
                c.ensure_eq(
                    "api.errors.not-found-404",
                    404,
                    ex.status,
                    format!("{unknown}: unknown path is answered 404"),
                );
                if ex.status >= 400 {
                    judge_body(&mut info, &ex, "unknown path");
                }
            }
            Err(f) => {
                c.cite(&f.tx);
                c.error("api.errors.not-found-404", f.message);
            }
        }
        ctx.finish(c);
    } else {
        let why = ctx.token().err().unwrap_or_default();
        ctx.blocked(BAD_REQUEST.start(), &why);
        ctx.blocked(METHOD.start(), &why);
    }
    // 403: a token lacking the scope (from scopes.rs).
    let narrow = ctx
        .narrow
        .iter()
        .find(|(s, _)| *s == ctx.scopes.profile_readonly)
        .map(|(_, t)| t.access_token.clone());
    if let Some(t) = narrow {
        match ctx
            .send(Req::get(&creds, "getCredentials with a profile-only token").bearer(&t))
            .await
        {
            Ok(ex) if ex.status >= 400 => judge_body(&mut info, &ex, "insufficient scope"),
            Ok(_) => {}
            Err(f) => {
                info.cite(&f.tx);
                info.error("api.errors.status-info-schema", f.message);
            }
        }
    }
    if info.findings().next().is_none() {
        info.not_applicable(
            "api.errors.status-info-schema",
            "no error response was provoked",
        );
    }
    ctx.finish(info);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_info_schema_rules() {
        let ok = json!({"imsx_codeMajor": "failure", "imsx_severity": "error", "imsx_description": "x",
            "imsx_codeMinor": {"imsx_codeMinorField": [{"imsx_codeMinorFieldName": "sys", "imsx_codeMinorFieldValue": "forbidden"}]}});
        assert!(
            status_info_problems(&ok).is_empty(),
            "{:?}",
            status_info_problems(&ok)
        );
        let bad = json!({"imsx_codeMajor": "failure", "imsx_severity": "error", "extra": 1,
            "imsx_codeMinor": {"imsx_codeMinorField": [{"imsx_codeMinorFieldName": "sys", "imsx_codeMinorFieldValue": "nope"}]}});
        assert_eq!(status_info_problems(&bad).len(), 2);
        assert!(!status_info_problems(&json!({"imsx_codeMajor": "bad"})).is_empty());
    }
}
