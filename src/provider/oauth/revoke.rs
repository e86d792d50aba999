//! Token revocation (RFC 7009, FACTS §2.6): Basic client auth, `token` and
//! `token_type_hint` required, 200 whether or not the token was known.
//! Revoking a refresh token also revokes the access tokens of its grant; a
//! token issued to another client is refused (RFC 7009 §2.1).

use super::super::faults::FaultId;
use super::super::http_util::{self, allow};
use super::super::state::Shared;
use super::super::store::TokenKind;
use super::{authenticate_client, error};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn post(
    State(s): State<Shared>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(r) = allow(&method, &[Method::POST]) {
        return r;
    }
    let bytes = match http_util::read_body(&headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let client = match authenticate_client(&s, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if s.fault(FaultId::RevocationRequiresJson)
        && http_util::media_type(&headers).as_deref() != Some("application/json")
    {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send the revocation request as JSON",
        );
    }
    let form = match http_util::parse_form(&bytes) {
        Ok(f) => f,
        Err(name) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("{name}: parameter given more than once"),
            );
        }
    };
    let Some(token) = form.get("token").filter(|t| !t.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token: required parameter missing",
        );
    };
    match form.get("token_type_hint").map(String::as_str) {
        Some("access_token") | Some("refresh_token") => {}
        Some(other) => {
            let code = if s.fault(FaultId::RevocationWrongTypeError) {
                "invalid_request"
            } else {
                "unsupported_token_type"
            };
            return error(
                StatusCode::BAD_REQUEST,
                code,
                &format!("{other}: token_type_hint must be access_token or refresh_token"),
            );
        }
        None => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "token_type_hint: required parameter missing",
            );
        }
    }
    let found = match s.store.token(token) {
        Ok(t) => t,
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                &format!("{e}"),
            );
        }
    };
    if found.is_none() && s.fault(FaultId::RevocationUnknown400) {
        return error(StatusCode::BAD_REQUEST, "invalid_request", "unknown token");
    }
    let no_effect = |t: &super::super::store::Token| match t.kind {
        TokenKind::Access => s.fault(FaultId::RevocationNoEffect),
        TokenKind::Refresh => s.fault(FaultId::RevocationKeepsRefresh),
    };
    // RFC 7009 §2.1: the server verifies that the token was issued to the
    // client asking; if not, the request is refused.
    if let Some(t) = &found
        && t.client_id != client.client_id
    {
        return error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "the token was issued to another client",
        );
    }
    let hint = form.get("token_type_hint").map(String::as_str);
    let hint_matches = |t: &super::super::store::Token| match t.kind {
        TokenKind::Access => hint == Some("access_token"),
        TokenKind::Refresh => hint == Some("refresh_token"),
    };
    let trusts_hint = s.fault(FaultId::RevocationTrustsHint);
    if let Some(t) = found.filter(|t| !no_effect(t) && (!trusts_hint || hint_matches(t))) {
        let done = match t.kind {
            TokenKind::Access => s.store.revoke_token(&t.token),
            TokenKind::Refresh if s.fault(FaultId::RevokeRefreshKeepsAccess) => {
                s.store.revoke_token(&t.token)
            }
            TokenKind::Refresh => s.store.revoke_grant(&t.grant).map(|_| ()),
        };
        if let Err(e) = done {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                &format!("{e}"),
            );
        }
    }
    let mut r = StatusCode::OK.into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
