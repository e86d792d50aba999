//! OAuth 2.0 for the provider (FACTS §2): dynamic client registration
//! (RFC 7591), the authorization endpoint with its login and consent page,
//! the token endpoint (authorization code with PKCE S256, refresh with
//! rotation) and RFC 7009 revocation.

pub mod authorize;
pub mod register;
pub mod revoke;
pub mod token;

use super::faults::FaultId;
use super::http_util::{self, json};
use super::state::AppState;
use super::store::Client;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::json;

/// Lifetime of an access token, seconds.
pub const ACCESS_TOKEN_SECONDS: i64 = 3600;
/// Lifetime of an authorization code, seconds.
pub const CODE_SECONDS: i64 = 600;
/// Lifetime of a refresh token, seconds.
pub const REFRESH_TOKEN_SECONDS: i64 = 30 * 24 * 3600;

/// Keep only the characters RFC 6749 allows in `error_description`
/// (%x20-21 / %x23-5B / %x5D-7E); others become `?`.
pub fn clean_description(d: &str) -> String {
    d.chars()
        .map(|c| match c {
            '\x20'..='\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e' => c,
            _ => '?',
        })
        .collect()
}

/// An OAuth error response `{error, error_description}` (RFC 6749 §5.2).
pub fn error(status: StatusCode, code: &str, description: &str) -> Response {
    error_with(status, code, description, false)
}

/// `error`, or with `text` a plain-text body (the `token-error-not-json` fault).
pub fn error_with(status: StatusCode, code: &str, description: &str, text: bool) -> Response {
    if text {
        return axum::response::IntoResponse::into_response((status, format!("error: {code}")));
    }
    let d = clean_description(description);
    let mut r = json(status, &json!({ "error": code, "error_description": d }));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"clr-conformance\""),
        );
    }
    r
}

/// The client authenticated by HTTP Basic, or a 401 invalid_client.
pub fn authenticate_client(s: &AppState, headers: &HeaderMap) -> Result<Client, Response> {
    let bad = |d: &str| error(StatusCode::UNAUTHORIZED, "invalid_client", d);
    let Some((id, secret)) = http_util::basic_auth(headers) else {
        return Err(bad("client authentication with HTTP Basic is required"));
    };
    match s.store.client(&id) {
        Ok(Some(c)) if s.fault(FaultId::AcceptBadClientSecret) => Ok(c),
        Ok(Some(c)) if constant_eq(c.secret.as_bytes(), secret.as_bytes()) => Ok(c),
        Ok(_) => Err(bad(&format!("{id}: unknown client or wrong secret"))),
        Err(e) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            &format!("{e}"),
        )),
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Split a space-separated scope string into its parts.
pub fn scopes(s: &str) -> Vec<&str> {
    s.split(' ').filter(|x| !x.is_empty()).collect()
}

/// Whether every scope in `asked` is in `granted`.
pub fn subset(asked: &str, granted: &str) -> bool {
    let g = scopes(granted);
    scopes(asked).iter().all(|a| g.contains(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_lose_forbidden_characters() {
        assert_eq!(clean_description("a \"b\" \\ é ok!"), "a ?b? ? ? ok!");
    }

    #[test]
    fn scope_subset() {
        assert!(subset("a b", "b a c"));
        assert!(!subset("a d", "a b"));
        assert!(subset("", "a"));
    }
}
