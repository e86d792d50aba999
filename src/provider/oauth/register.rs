//! Dynamic client registration (RFC 7591, FACTS §2.3): every required field,
//! arrays where arrays are required, https URLs on one hostname, only the
//! allowed grant types, response types and auth method. 201 echoes the request.

use super::super::faults::FaultId;
use super::super::http_util::{self, allow, json, random_token};
use super::super::state::{AppState, Shared};
use super::super::store::Client;
use super::error;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

/// The string members a registration request must carry (the consumer judge
/// checks recorded requests against the same list).
pub const REQUIRED_STRINGS: &[&str] = &[
    "client_name",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "software_id",
    "software_version",
    "scope",
];
/// Members that must be https URLs.
pub const URL_FIELDS: &[&str] = &["client_uri", "logo_uri", "tos_uri", "policy_uri"];

pub async fn post(
    State(s): State<Shared>,
    peer: Option<axum::Extension<crate::provider::state::Peer>>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(r) = allow(&method, &[Method::POST]) {
        return r;
    }
    if s.fault(FaultId::RegistrationRequireToken) && !headers.contains_key(header::AUTHORIZATION) {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "an initial access token is required",
        );
    }
    if s.fault(FaultId::RegistrationRefused) {
        return error(
            StatusCode::FORBIDDEN,
            "access_denied",
            "registration is closed",
        );
    }
    // Open registration stores what it is sent: bounded per request and
    // per client IP, so a flood cannot fill the disk.
    if let Err(wait) = s
        .registration_limit
        .take(crate::provider::state::Peer::of(peer))
    {
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            &format!("{wait}: seconds to wait; registration is rate limited per client"),
        );
        if let Ok(v) = header::HeaderValue::from_str(&wait.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let bytes =
        match http_util::read_body_upto(&headers, body, crate::provider::MAX_REGISTRATION_BYTES)
            .await
        {
            Ok(b) => b,
            Err(r) => return r,
        };
    let bad = |code: &str, d: &str| {
        if s.fault(FaultId::RegistrationErrorFormat) {
            return json(StatusCode::BAD_REQUEST, &json!({ "message": d }));
        }
        error(StatusCode::BAD_REQUEST, code, d)
    };
    let request: Map<String, Value> = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            return bad(
                "invalid_client_metadata",
                "the registration request must be a JSON object",
            );
        }
        Err(e) => {
            return bad(
                "invalid_client_metadata",
                &format!("{e}: request body is not JSON"),
            );
        }
    };
    let client = match validate(&s, &request) {
        Ok(c) => c,
        Err((code, d)) => return bad(code, &d),
    };
    let mut out = request.clone();
    if !s.fault(FaultId::RegistrationMissingClientId) {
        out.insert("client_id".into(), json!(client.client_id));
    }
    if !s.fault(FaultId::RegistrationMissingSecret) {
        out.insert("client_secret".into(), json!(client.secret));
    }
    if !s.fault(FaultId::RegistrationMissingIssuedAt) {
        out.insert("client_id_issued_at".into(), json!(http_util::now()));
    }
    if !s.fault(FaultId::RegistrationMissingExpiresAt) {
        out.insert("client_secret_expires_at".into(), json!(0));
    }
    out.entry("token_endpoint_auth_method")
        .or_insert(json!("client_secret_basic"));
    out.entry("grant_types")
        .or_insert(json!(client.grant_types));
    out.entry("response_types").or_insert(json!(["code"]));
    if s.fault(FaultId::RegistrationNoEcho) {
        out.remove("redirect_uris");
        out.remove("scope");
    }
    let out = Value::Object(out);
    let stored = Client {
        metadata: out.to_string(),
        ..client
    };
    if let Err(e) = s.store.insert_client(&stored) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            &format!("{e}"),
        );
    }
    let status = if s.fault(FaultId::Registration200) {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut r = json(status, &out);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

type Refusal = (&'static str, String);

fn meta(d: String) -> Refusal {
    ("invalid_client_metadata", d)
}

fn string_array(req: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, Refusal> {
    match req.get(key) {
        None => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| meta(format!("{v}: {key} items must be strings")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(v) => Err(meta(format!("{v}: {key} must be an array"))),
    }
}

/// Check a registration request; the client it describes, or the refusal.
fn validate(s: &AppState, req: &Map<String, Value>) -> Result<Client, Refusal> {
    for key in REQUIRED_STRINGS {
        match req.get(*key) {
            Some(Value::String(v)) if !v.trim().is_empty() => {}
            Some(v) => return Err(meta(format!("{v}: {key} must be a non-empty string"))),
            None if s.fault(FaultId::RegistrationAcceptMissingFields) => {}
            None => return Err(meta(format!("{key}: required property missing"))),
        }
    }
    let redirect_uris = match string_array(req, "redirect_uris") {
        Ok(Some(v)) if !v.is_empty() => v,
        Ok(_) => {
            return Err((
                "invalid_redirect_uri",
                "redirect_uris: required non-empty array missing".into(),
            ));
        }
        Err((_, d)) => return Err(("invalid_redirect_uri", d)),
    };
    string_array(req, "contacts")?;
    let mut host: Option<String> = None;
    let mut check_url = |key: &str, raw: &str, code: &'static str| -> Result<(), Refusal> {
        let u =
            url::Url::parse(raw).map_err(|e| (code, format!("{raw}: {key} is not a URL ({e})")))?;
        if u.scheme() != "https" && !s.fault(FaultId::RegistrationAcceptHttp) {
            return Err((code, format!("{raw}: {key} must use https")));
        }
        let h = u.host_str().unwrap_or("").to_ascii_lowercase();
        match &host {
            None => host = Some(h),
            Some(first) if *first == h => {}
            Some(first) => {
                return Err((
                    code,
                    format!(
                        "{raw}: {key} host differs from {first}; all URLs must share one hostname"
                    ),
                ));
            }
        }
        if code == "invalid_redirect_uri" && u.fragment().is_some() {
            return Err((
                code,
                format!("{raw}: a redirect URI must not have a fragment"),
            ));
        }
        Ok(())
    };
    for key in URL_FIELDS {
        if let Some(raw) = req.get(*key).and_then(Value::as_str) {
            check_url(key, raw, "invalid_client_metadata")?;
        }
    }
    for uri in &redirect_uris {
        check_url("redirect_uris", uri, "invalid_redirect_uri")?;
    }
    match req.get("token_endpoint_auth_method") {
        None => {}
        Some(Value::String(m)) if m == "client_secret_basic" => {}
        Some(v) => {
            return Err(meta(format!(
                "{v}: token_endpoint_auth_method must be client_secret_basic"
            )));
        }
    }
    let grant_types =
        string_array(req, "grant_types")?.unwrap_or_else(|| vec!["authorization_code".into()]);
    if grant_types.is_empty() {
        return Err(meta("grant_types: must not be empty".into()));
    }
    for g in &grant_types {
        if g != "authorization_code" && g != "refresh_token" {
            return Err(meta(format!(
                "{g}: grant type not supported (authorization_code, refresh_token)"
            )));
        }
    }
    if s.fault(FaultId::RefuseRefreshGrant) && grant_types.iter().any(|g| g == "refresh_token") {
        return Err(meta(
            "grant_types: refresh_token is not offered by this server".into(),
        ));
    }
    if !grant_types.iter().any(|g| g == "authorization_code") {
        return Err(meta("grant_types: must include authorization_code".into()));
    }
    for r in string_array(req, "response_types")?.unwrap_or_default() {
        if r != "code" {
            return Err(meta(format!("{r}: response type not supported (code)")));
        }
    }
    let scope = req.get("scope").and_then(Value::as_str).unwrap_or("");
    let known = s.known_scopes();
    for sc in super::scopes(scope) {
        if !known.contains(&sc) {
            return Err(meta(format!("{sc}: unknown scope")));
        }
    }
    let client_id = if s.fault(FaultId::RegistrationReuseClientId) {
        format!(
            "client-{}",
            req.get("software_id").and_then(Value::as_str).unwrap_or("")
        )
    } else {
        random_token()
    };
    let client_id = if s.client_id_padding > 0 {
        format!("{client_id}{}", "x".repeat(s.client_id_padding))
    } else {
        client_id
    };
    Ok(Client {
        client_id,
        secret: random_token(),
        redirect_uris,
        // refuse-offline-access: registered without it, so asking for it later is invalid_scope.
        scope: super::scopes(scope)
            .into_iter()
            .filter(|sc| {
                !(s.fault(FaultId::RefuseOfflineAccess) && *sc == s.profile.scopes.offline_access)
            })
            .collect::<Vec<_>>()
            .join(" "),
        grant_types,
        metadata: String::new(),
    })
}
