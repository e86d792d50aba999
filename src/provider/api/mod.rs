//! The resource API (FACTS §1): credentials and profile, each behind its
//! scope, with Imsx_StatusInfo error bodies.

pub mod credentials;
pub mod errors;
pub mod profile;

use super::http_util;
use super::state::AppState;
use super::store::{Token, TokenKind};
use axum::http::HeaderMap;
use axum::response::Response;

/// The token of a request if it may use an endpoint needing `scope`:
/// 401 without a valid token, 403 without the scope.
pub fn authorize(
    s: &AppState,
    headers: &HeaderMap,
    scope: &str,
) -> Result<Option<Token>, Response> {
    check_token(s, headers, scope).map_err(|mut r| {
        if r.status() == axum::http::StatusCode::UNAUTHORIZED {
            if s.fault("no-www-authenticate") {
                r.headers_mut().remove(axum::http::header::WWW_AUTHENTICATE);
            }
            if s.fault("unauthenticated-403") {
                *r.status_mut() = axum::http::StatusCode::FORBIDDEN;
            }
        }
        r
    })
}

fn check_token(s: &AppState, headers: &HeaderMap, scope: &str) -> Result<Option<Token>, Response> {
    let Some(value) = http_util::bearer(headers) else {
        if s.fault("accept-no-token") {
            return Ok(None);
        }
        return Err(errors::unauthorized(
            "an access token is required (Authorization: Bearer)",
            false,
        ));
    };
    let token = match s.store.token(&value) {
        Ok(Some(t)) if t.kind == TokenKind::Access => t,
        Ok(_) => return Err(errors::unauthorized("unknown access token", true)),
        Err(e) => {
            return Err(errors::status_info(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                errors::Minor::InternalServerError,
                &format!("{e}: storage error"),
            ));
        }
    };
    if token.revoked {
        return Err(errors::unauthorized("the access token was revoked", true));
    }
    if token.expires_at < http_util::now() {
        return Err(errors::unauthorized("the access token has expired", true));
    }
    if !super::oauth::scopes(&token.scope).contains(&scope) && !s.fault("accept-no-scope") {
        return Err(errors::forbidden(scope));
    }
    Ok(Some(token))
}
