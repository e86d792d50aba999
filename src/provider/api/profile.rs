//! GET and PUT `profile`: the Profile the provider keeps for the learner
//! (seeded with the certification profile id of the spec profile).

use super::super::faults::FaultId;
use super::super::http_util::{self, allow, json, media_type};
use super::super::state::{AppState, Shared};
use super::authorize;
use super::errors::{self, Minor};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The profile served before any PUT.
pub fn default_profile(s: &AppState) -> Value {
    json!({
        "@context": [s.profile.contexts.vc_v2, s.profile.contexts.ob],
        "id": s.profile.cert_profile_id,
        "type": ["Profile"],
        "name": "1EdTech Certification Issuer",
        "url": "https://1edtech.org",
        "email": s.users.first().map(|u| u.email.as_str()).unwrap_or("learner@example.edu"),
    })
}

pub async fn handle(
    State(s): State<Shared>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(r) = allow(&method, &[Method::GET, Method::PUT]) {
        return r;
    }
    if method == Method::PUT {
        return put(&s, &headers, body).await;
    }
    if let Err(r) = authorize(&s, &headers, &s.profile.scopes.profile_readonly) {
        return r;
    }
    if s.fault(FaultId::ProfileRejectsToken) {
        return errors::unauthorized("the access token is not accepted here", true);
    }
    if s.fault(FaultId::Profile404Bare) {
        return StatusCode::NOT_FOUND.into_response();
    }
    if s.fault(FaultId::ProfileGet501) {
        return errors::status_info(
            StatusCode::NOT_IMPLEMENTED,
            Minor::InvalidData,
            "getProfile is not implemented",
        );
    }
    let mut profile = match s.store.profile() {
        Ok(Some(text)) => serde_json::from_str(&text).unwrap_or_else(|_| default_profile(&s)),
        Ok(None) => default_profile(&s),
        Err(e) => {
            return errors::status_info(
                StatusCode::INTERNAL_SERVER_ERROR,
                Minor::InternalServerError,
                &format!("{e}: storage error"),
            );
        }
    };
    if s.fault(FaultId::ProfileMissingType)
        && let Some(o) = profile.as_object_mut()
    {
        o.remove("type");
    }
    if s.fault(FaultId::ProfileWrongId) {
        profile["id"] = json!("https://example.org/profiles/not-the-requested-one");
    }
    let mut resp = json(StatusCode::OK, &profile);
    if s.fault(FaultId::ProfileTextPlain) {
        resp.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/plain"),
        );
    }
    resp
}

async fn put(s: &AppState, headers: &HeaderMap, body: Body) -> Response {
    if let Err(r) = authorize(s, headers, &s.profile.scopes.profile_update) {
        return r;
    }
    let bytes = match http_util::read_body(headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mt = media_type(headers).unwrap_or_default();
    if (mt != "application/json" && mt != "application/ld+json")
        || s.fault(FaultId::PutProfileRejectsJson)
    {
        let shown = if mt.is_empty() { "(none)" } else { &mt };
        return errors::status_info(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Minor::InvalidData,
            &format!("{shown}: a Profile must be sent as application/json"),
        );
    }
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            return errors::status_info(
                StatusCode::BAD_REQUEST,
                Minor::InvalidData,
                &format!("{e}: body is not JSON"),
            );
        }
    };
    let checked = if s.fault(FaultId::AcceptInvalidProfile) {
        Ok(())
    } else {
        check_profile(&value)
    };
    if let Err(d) = checked {
        return errors::status_info(StatusCode::BAD_REQUEST, Minor::InvalidData, &d);
    }
    if !s.fault(FaultId::LoseProfile)
        && let Err(e) = s.store.put_profile(&value.to_string())
    {
        return errors::status_info(
            StatusCode::INTERNAL_SERVER_ERROR,
            Minor::InternalServerError,
            &format!("{e}: storage error"),
        );
    }
    if s.fault(FaultId::PutProfile204) {
        return StatusCode::NO_CONTENT.into_response();
    }
    json(StatusCode::OK, &value)
}

/// A Profile needs a non-empty string `id`, a `type` that is or contains
/// `Profile`, and to pass the Profile schema.
pub fn check_profile(v: &Value) -> Result<(), String> {
    let Some(obj) = v.as_object() else {
        return Err("a Profile must be a JSON object".into());
    };
    match obj.get("id") {
        Some(Value::String(id)) if !id.trim().is_empty() => {}
        Some(other) => return Err(format!("{other}: Profile id must be a non-empty string")),
        None => return Err("id: required Profile property missing".into()),
    }
    let typed = match obj.get("type") {
        Some(Value::String(t)) => t == "Profile",
        Some(Value::Array(a)) => a.iter().any(|t| t == "Profile"),
        _ => false,
    };
    if !typed {
        return Err("type: must be or contain \"Profile\"".into());
    }
    use crate::credential::schema::{Generation, SchemaKind, validate};
    let errs: Vec<String> = validate(SchemaKind::Profile, Generation::V2, v)
        .into_iter()
        .take(3)
        .map(|e| e.message)
        .collect();
    if !errs.is_empty() {
        return Err(format!("Profile fails its schema: {}", errs.join("; ")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_shape_is_checked() {
        assert!(check_profile(&json!({"id": "https://x", "type": "Profile"})).is_ok());
        assert!(check_profile(&json!({"id": "https://x", "type": ["Profile"]})).is_ok());
        assert!(check_profile(&json!({"id": "", "type": "Profile"})).is_err());
        assert!(check_profile(&json!({"type": "Profile"})).is_err());
        assert!(check_profile(&json!({"id": "x", "type": ["Achievement"]})).is_err());
        assert!(check_profile(&json!([1])).is_err());
    }
}
