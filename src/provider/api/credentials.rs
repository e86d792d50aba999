//! GET and POST `credentials` (FACTS §1.2-1.4): paging with `limit`, `offset`,
//! `since`, `X-Total-Count` and RFC 8288 `Link`; upsert of a JSON credential or
//! a compact JWS, replacing by the credential equality rule and echoing the
//! body in the media type it came in.

use super::super::faults::FaultId;
use super::super::http_util::{self, allow, json, media_type, percent_decode};
use super::super::state::{AppState, Shared};
use super::super::store::{Format, StoredCredential};
use super::authorize;
use super::errors::{self, Minor};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Value, json};

/// Page size when the client gives no `limit`.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page served: a larger `limit` is served as this one (the spec's
/// `limit` is a maximum; the links and X-Total-Count let a client page on).
/// Stated in the SDD (info.description) and in the README (Limits).
pub const MAX_LIMIT: usize = 1000;

pub async fn handle(
    State(s): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(r) = allow(&method, &[Method::GET, Method::POST]) {
        return r;
    }
    let unimplemented = if method == Method::POST {
        s.fault(FaultId::CredentialsPost501)
    } else {
        s.fault(FaultId::CredentialsGet501)
    };
    if unimplemented {
        return errors::status_info(
            StatusCode::NOT_IMPLEMENTED,
            Minor::InvalidData,
            &format!("{method}: not implemented"),
        );
    }
    if method == Method::POST {
        upsert(&s, &headers, body).await
    } else {
        list(&s, &uri, &headers)
    }
}

fn bad_query(d: &str) -> Response {
    errors::status_info(StatusCode::BAD_REQUEST, Minor::InvalidQueryParameter, d)
}

fn storage(e: anyhow::Error) -> Response {
    errors::status_info(
        StatusCode::INTERNAL_SERVER_ERROR,
        Minor::InternalServerError,
        &format!("{e}: storage error"),
    )
}

/// Parse `since`: RFC 3339, or `YYYY-MM-DDThh:mm:ss[.fff]` taken as UTC.
pub fn parse_time(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// The query, checked.
struct Query {
    limit: Option<usize>,
    offset: usize,
    since: Option<(String, DateTime<Utc>)>,
}

fn parse_query(s: &AppState, uri: &Uri) -> Result<Query, Response> {
    let params = http_util::parse_form(uri.query().unwrap_or("").as_bytes())
        .map_err(|n| bad_query(&format!("{n}: query parameter given more than once")))?;
    let lenient = s.fault(FaultId::AcceptBadPagingParams);
    let int = |name: &str, min: i64| -> Result<Option<usize>, Response> {
        let Some(raw) = params.get(name) else {
            return Ok(None);
        };
        match raw.trim().parse::<i64>() {
            Ok(n) if n >= min && n <= i32::MAX as i64 => Ok(Some(n as usize)),
            _ if lenient => Ok(None),
            _ => Err(bad_query(&format!(
                "{raw}: {name} must be an integer >= {min}"
            ))),
        }
    };
    Ok(Query {
        limit: int("limit", 1)?,
        offset: int("offset", 0)?.unwrap_or(0),
        since: match params.get("since") {
            None => None,
            Some(raw) => match parse_time(raw.trim()) {
                Some(t) => Some((raw.clone(), t)),
                None if lenient => None,
                None => {
                    return Err(bad_query(&format!(
                        "{raw}: since must be an ISO 8601 date-time"
                    )));
                }
            },
        },
    })
}

fn list(s: &AppState, uri: &Uri, headers: &HeaderMap) -> Response {
    if let Err(r) = authorize(s, headers, &s.profile.scopes.credential_readonly) {
        return r;
    }
    let q = match parse_query(s, uri) {
        Ok(q) => q,
        Err(r) => return r,
    };
    let mut all = match s.store.credentials() {
        Ok(a) => a,
        Err(e) => return storage(e),
    };
    if s.fault(FaultId::UnstableOrder) && !all.is_empty() {
        // One place further round on every call: any two consecutive calls differ, so a
        // walk of pages always meets a duplicate and a gap (a shuffle sometimes lines up).
        let n = s
            .list_calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            % all.len();
        all.rotate_left(n);
    }
    if let Some((_, since)) = &q.since
        && !s.fault(FaultId::IgnoreSince)
    {
        all.retain(|c| {
            c.valid_from
                .as_deref()
                .and_then(parse_time)
                .is_some_and(|t| t > *since)
        });
    }
    let total = all.len();
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    // The faults change what is sliced, never the links.
    let skip = if s.fault(FaultId::IgnoreOffset) {
        0
    } else {
        q.offset
    };
    let take = if s.fault(FaultId::IgnoreLimit) {
        usize::MAX
    } else {
        limit
    };
    let page: Vec<&StoredCredential> = all.iter().skip(skip).take(take).collect();
    let page_len = page.len();
    let mut credential = Vec::new();
    let mut jws = Vec::new();
    for c in page {
        match c.format {
            Format::Json => {
                let mut v: Value = serde_json::from_str(&c.body).unwrap_or(Value::Null);
                if s.fault(FaultId::UnsignedCredential)
                    && let Some(o) = v.as_object_mut()
                {
                    o.remove("proof");
                }
                if s.fault(FaultId::WrongCredentialType) && credential.is_empty() {
                    v["type"] = json!(["VerifiableCredential", "AchievementCredential"]);
                }
                if s.fault(FaultId::TamperedCredential) && v.get("proof").is_some() {
                    v["name"] = json!(format!("{} (tampered)", v["name"].as_str().unwrap_or("")));
                }
                credential.push(v);
            }
            Format::Jws if s.fault(FaultId::JwsInCredentialArray) => credential.push(json!(c.body)),
            Format::Jws => jws.push(json!(c.body)),
        }
    }
    let mut body = json!({ "credential": credential, "compactJwsString": jws });
    if s.fault(FaultId::ExtraResponseMember) {
        body["total"] = json!(total);
    }
    let status = if s.fault(FaultId::CredentialsStatus203) {
        StatusCode::NON_AUTHORITATIVE_INFORMATION
    } else {
        StatusCode::OK
    };
    let mut resp = json(status, &body);
    let h = resp.headers_mut();
    if s.fault(FaultId::WrongContentType) {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    }
    let count = if s.fault(FaultId::XTotalCountPageSize) {
        page_len
    } else {
        total
    };
    if !s.fault(FaultId::OmitXTotalCount)
        && let Ok(v) = HeaderValue::from_str(&count.to_string())
    {
        h.insert("x-total-count", v);
    }
    let mut link = links(s, &q, limit, total);
    if s.fault(FaultId::WrongLinkRels) {
        for (from, to) in [
            ("\"next\"", "\"forward\""),
            ("\"prev\"", "\"back\""),
            ("\"first\"", "\"start\""),
            ("\"last\"", "\"end\""),
        ] {
            link = link.replace(from, to);
        }
    }
    if s.fault(FaultId::LinkBadSyntax) {
        link = link.replace(['<', '>'], "").replace("\"", "");
    }
    if !s.fault(FaultId::NoLinkHeader)
        && let Ok(v) = HeaderValue::from_str(&link)
    {
        h.insert(header::LINK, v);
    }
    if s.fault(FaultId::BadRetryAfter) {
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
    }
    resp
}

/// The RFC 8288 `Link` value: first and last always, next while incomplete,
/// prev when offset > 0. Walking `next` from any page ends on `last`.
fn links(s: &AppState, q: &Query, limit: usize, total: usize) -> String {
    let base = s.api_url(if s.fault(FaultId::LinkUnfollowable) {
        "credentials/pages"
    } else {
        "credentials"
    });
    let url = |offset: usize| {
        let mut u = format!("{base}?limit={limit}&offset={offset}");
        if let Some((raw, _)) = &q.since {
            let enc: String = url::form_urlencoded::byte_serialize(raw.as_bytes()).collect();
            u.push_str(&format!("&since={enc}"));
        }
        u
    };
    let last = if total == 0 {
        0
    } else if q.offset < total {
        q.offset + ((total - 1 - q.offset) / limit) * limit
    } else {
        ((total - 1) / limit) * limit
    };
    let mut parts = Vec::new();
    if q.offset + limit < total && !s.fault(FaultId::NoLinkNext) {
        parts.push(format!("<{}>; rel=\"next\"", url(q.offset + limit)));
    }
    if !s.fault(FaultId::NoLinkLast) {
        parts.push(format!("<{}>; rel=\"last\"", url(last)));
    }
    if !s.fault(FaultId::NoLinkFirst) {
        parts.push(format!("<{}>; rel=\"first\"", url(0)));
    }
    if q.offset > 0 && !s.fault(FaultId::NoLinkPrev) {
        parts.push(format!(
            "<{}>; rel=\"prev\"",
            url(q.offset.saturating_sub(limit))
        ));
    }
    parts.join(", ")
}

/// What an upsert body identifies: equality key and `validFrom`.
#[derive(Debug, PartialEq)]
pub struct Identity {
    pub key: String,
    pub valid_from: Option<String>,
}

fn normalize(s: &str) -> String {
    percent_decode(s.trim()).trim().to_string()
}

/// The equality key (issuer id, credential id) and validFrom of a credential.
pub fn identify_json(s: &AppState, v: &Value) -> Result<Identity, String> {
    let Some(obj) = v.as_object() else {
        return Err("a credential must be a JSON object".into());
    };
    let want = &s.profile.credential_type;
    let typed = |t: &Value| {
        t == want.as_str() || (want == "OpenBadgeCredential" && t == "AchievementCredential")
    };
    let ok_type = match obj.get("type") {
        Some(Value::Array(a)) => a.iter().any(typed),
        Some(t) => typed(t),
        None => false,
    };
    if !ok_type {
        return Err(format!("type: must contain {want}"));
    }
    let id = match obj.get("id") {
        Some(Value::String(id)) if !id.trim().is_empty() => id,
        _ => return Err("id: required credential property missing".into()),
    };
    let issuer = match obj.get("issuer") {
        Some(Value::String(i)) => i.as_str(),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).unwrap_or(""),
        _ => "",
    };
    if issuer.trim().is_empty() {
        return Err("issuer: required credential property (with an id) missing".into());
    }
    let valid_from = obj
        .get("validFrom")
        .or_else(|| obj.get("issuanceDate"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let norm = |v: &str| {
        if s.fault(FaultId::EqualityExactMatch) {
            v.to_string()
        } else {
            normalize(v)
        }
    };
    // The upsert-match-id-only fault forgets the issuer half of the key.
    let issuer = if s.fault(FaultId::UpsertMatchIdOnly) {
        ""
    } else {
        issuer
    };
    Ok(Identity {
        key: format!("{}\n{}", norm(issuer), norm(id)),
        valid_from,
    })
}

/// Schema findings on an upserted credential, its `id` aside: the equality
/// rule has the server trim and percent-decode ids, so their form is not
/// refused. `None` when valid (or under the `upsert-skip-schema` fault).
fn schema_problem(s: &AppState, v: &Value) -> Option<String> {
    use crate::credential::schema::{Generation, SchemaKind, validate};
    if s.fault(FaultId::UpsertSkipSchema) {
        return None;
    }
    let kind = if s.profile.credential_type == "ClrCredential" {
        SchemaKind::ClrCredential
    } else {
        SchemaKind::AchievementCredential
    };
    let generation = if v.get("validFrom").is_none() && v.get("issuanceDate").is_some() {
        Generation::V11
    } else {
        Generation::V2
    };
    let errs: Vec<String> = validate(kind, generation, v)
        .into_iter()
        .filter(|e| e.instance_path != "/id")
        .take(3)
        .map(|e| e.message)
        .collect();
    (!errs.is_empty()).then(|| format!("credential fails its schema: {}", errs.join("; ")))
}

/// The credential a compact JWS carries: its payload (or a VC 1.1 `vc`
/// claim), with `id`, `issuer` and `validFrom` taken from `jti`, `iss`, `nbf`
/// where the credential lacks them.
pub fn jws_credential(text: &str) -> Result<Value, String> {
    let parts: Vec<&str> = text.split('.').collect();
    let b64 = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if parts.len() != 3 || !b64(parts[0]) || !b64(parts[1]) || !b64(parts[2]) {
        return Err("body is not a compact JWS (header.payload.signature)".into());
    }
    let payload = URL_SAFE_NO_PAD
        .decode(parts[1])
        .map_err(|e| format!("{e}: JWS payload is not base64url"))?;
    let claims: Value =
        serde_json::from_slice(&payload).map_err(|e| format!("{e}: JWS payload is not JSON"))?;
    let mut cred = claims.get("vc").cloned().unwrap_or_else(|| claims.clone());
    if let Some(o) = cred.as_object_mut() {
        if !o.contains_key("id")
            && let Some(j) = claims.get("jti")
        {
            o.insert("id".into(), j.clone());
        }
        if !o.contains_key("issuer")
            && let Some(i) = claims.get("iss")
        {
            o.insert("issuer".into(), i.clone());
        }
        if !o.contains_key("validFrom")
            && let Some(nbf) = claims.get("nbf").and_then(Value::as_i64)
            && let Some(t) = DateTime::from_timestamp(nbf, 0)
        {
            o.insert("validFrom".into(), json!(t.to_rfc3339()));
        }
    }
    Ok(cred)
}

async fn upsert(s: &AppState, headers: &HeaderMap, body: Body) -> Response {
    if s.fault(FaultId::UpsertScope403) {
        return errors::forbidden(&s.profile.scopes.credential_upsert);
    }
    if let Err(r) = authorize(s, headers, &s.profile.scopes.credential_upsert) {
        return r;
    }
    let bytes = match http_util::read_body(headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let invalid = |d: &str| errors::status_info(StatusCode::BAD_REQUEST, Minor::InvalidData, d);
    let mt = media_type(headers).unwrap_or_default();
    let known = ["application/json", "application/ld+json", "text/plain"];
    if !known.contains(&mt.as_str()) {
        let shown = if mt.is_empty() { "(none)" } else { mt.as_str() };
        return errors::status_info(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Minor::InvalidData,
            &format!("{shown}: send application/json (credential) or text/plain (compact JWS)"),
        );
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return invalid("body is not UTF-8");
    };
    if s.fault(FaultId::UpsertRejectsJson) && mt != "text/plain" {
        return invalid("JSON credentials are not accepted");
    }
    let (format, id) = match mt.as_str() {
        "application/json" | "application/ld+json" => {
            let v: Value = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(_) if s.fault(FaultId::MalformedJson500) => {
                    return errors::status_info(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        Minor::InternalServerError,
                        "parse failure",
                    );
                }
                Err(e) => return invalid(&format!("{e}: body is not JSON")),
            };
            (Format::Json, identify_json(s, &v).map(|i| (i, v)))
        }
        "text/plain" if s.fault(FaultId::RejectJwsUpsert) => {
            return invalid("compact JWS credentials are not accepted");
        }
        _ => {
            let id = jws_credential(text.trim()).and_then(|v| Ok((identify_json(s, &v)?, v)));
            (Format::Jws, id)
        }
    };
    let id = match id {
        Ok(i) => i,
        Err(_) if s.fault(FaultId::AcceptInvalidCredential) => {
            let ct = headers
                .get(header::CONTENT_TYPE)
                .cloned()
                .unwrap_or(HeaderValue::from_static("application/json"));
            return (StatusCode::CREATED, [(header::CONTENT_TYPE, ct)], bytes).into_response();
        }
        Err(d) => return invalid(&d),
    };
    let id = match schema_problem(s, &id.1) {
        Some(d) => return invalid(&d),
        None => id.0,
    };
    let stored = match format {
        Format::Json => text,
        Format::Jws => text.trim(),
    };
    let created = if s.fault(FaultId::LoseUpserts) {
        !s.store
            .credentials()
            .unwrap_or_default()
            .iter()
            .any(|c| c.key == id.key)
    } else {
        match s
            .store
            .upsert_credential(&id.key, format, stored, id.valid_from.as_deref())
        {
            Ok(c) => c,
            Err(e) => return storage(e),
        }
    };
    let status = if s.fault(FaultId::Always201) {
        StatusCode::CREATED
    } else if s.fault(FaultId::Always200OnUpsert) || !created {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut content_type = headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("application/json"));
    if s.fault(FaultId::EchoWrongMediaType) {
        content_type = HeaderValue::from_static("application/json");
    }
    if s.fault(FaultId::NoEcho) {
        let other = match format {
            Format::Json => json!({ "stored": true }).to_string(),
            Format::Jws => "stored".to_string(),
        };
        return (status, [(header::CONTENT_TYPE, content_type)], other).into_response();
    }
    (status, [(header::CONTENT_TYPE, content_type)], bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_rfc3339_and_plain_iso() {
        assert!(parse_time("2024-01-02T03:04:05Z").is_some());
        assert!(parse_time("2024-01-02T03:04:05+02:00").is_some());
        assert!(parse_time("2024-01-02T03:04:05").is_some());
        assert!(parse_time("yesterday").is_none());
        assert!(parse_time("2024-13-02T03:04:05Z").is_none());
    }
}
