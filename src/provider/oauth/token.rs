//! The token endpoint (FACTS §2.5, §2.6): HTTP Basic client authentication,
//! the authorization_code grant (code, redirect_uri, PKCE S256 verifier; a
//! replayed code is refused and its tokens revoked) and the refresh_token grant
//! (new access and refresh token, scope never widened).

use super::super::faults::FaultId;
use super::super::http_util::{self, allow, json, random_token};
use super::super::state::{AppState, Shared};
use super::super::store::{Client, Code, Token, TokenKind};
use super::{ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_SECONDS, authenticate_client, error};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

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
    if s.fault(FaultId::TokenRejectsBasic) {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "send client_id and client_secret in the form body",
        );
    }
    if s.fault(FaultId::TokenRequiresJson)
        && http_util::media_type(&headers).as_deref() != Some("application/json")
    {
        return bad("invalid_request", "send the token request as JSON");
    }
    if s.fault(FaultId::TokenRequiresFormClientId)
        && http_util::parse_form(&bytes)
            .ok()
            .and_then(|f| f.get("client_id").cloned())
            .is_none()
    {
        return bad("invalid_request", "Missing required parameters");
    }
    if s.fault(FaultId::PasswordGrant)
        && let Ok(f) = http_util::parse_form(&bytes)
        && f.get("grant_type").map(String::as_str) == Some("password")
    {
        return password_grant(&s, &f);
    }
    let client = match authenticate_client(&s, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let form = match http_util::parse_form(&bytes) {
        Ok(f) => f,
        Err(name) => {
            return bad(
                "invalid_request",
                &format!("{name}: parameter given more than once"),
            );
        }
    };
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => authorization_code(&s, &client, &form),
        Some("refresh_token") => refresh(&s, &client, &form),
        Some(other) if s.fault(FaultId::WrongUnsupportedGrantError) => bad(
            "invalid_request",
            &format!("{other}: grant type not supported"),
        ),
        Some(other) => bad(
            "unsupported_grant_type",
            &format!("{other}: grant type not supported"),
        ),
        None => bad("invalid_request", "grant_type: required parameter missing"),
    }
}

/// The password-grant fault: any username, a password of 6+ characters, no
/// client authentication, full-scope tokens (the hole RFC 9700 §2.4 forbids).
fn password_grant(s: &AppState, form: &HashMap<String, String>) -> Response {
    let user = form.get("username").cloned().unwrap_or_default();
    if form.get("password").is_none_or(|p| p.len() < 6) || user.is_empty() {
        return bad("invalid_grant", "invalid username or password");
    }
    let scope = s.profile.all_scopes().join(" ");
    let anyone = Client {
        client_id: "password-grant".into(),
        secret: String::new(),
        redirect_uris: Vec::new(),
        scope: scope.clone(),
        grant_types: vec!["password".into()],
        metadata: String::new(),
    };
    issue(s, &anyone, &scope, &user, "password-grant", None)
}

fn bad(code: &str, d: &str) -> Response {
    error(StatusCode::BAD_REQUEST, code, d)
}

/// Token errors become plain text under the `token-error-not-json` fault.
async fn text_errors(
    axum::extract::State(s): axum::extract::State<Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let resp = next.run(req).await;
    if s.fault(FaultId::TokenErrorNotJson) && resp.status() == StatusCode::BAD_REQUEST {
        return super::error_with(StatusCode::BAD_REQUEST, "invalid_request", "", true);
    }
    resp
}

/// The token route with its error-format fault layer.
pub fn route(s: Shared) -> axum::routing::MethodRouter<Shared> {
    axum::routing::any(post).layer(axum::middleware::from_fn_with_state(s, text_errors))
}

fn server_error(e: anyhow::Error) -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        &format!("{e}"),
    )
}

/// S256: BASE64URL(SHA256(ASCII(verifier))).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

fn authorization_code(s: &AppState, client: &Client, form: &HashMap<String, String>) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(code_value) = get("code") else {
        return bad("invalid_request", "code: required parameter missing");
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return bad(
            "invalid_request",
            "redirect_uri: required parameter missing",
        );
    };
    let code = match s.store.code(code_value) {
        Ok(Some(c)) => c,
        Ok(None) => {
            return bad(
                "invalid_grant",
                &format!("{code_value}: unknown authorization code"),
            );
        }
        Err(e) => return server_error(e),
    };
    if code.client_id != client.client_id {
        return bad(
            "invalid_grant",
            "the authorization code was issued to another client",
        );
    }
    if code.used && !s.fault(FaultId::ReuseCode) {
        if !s.fault(FaultId::ReuseKeepsTokens)
            && let Err(e) = s.store.revoke_grant(&code.code)
        {
            return server_error(e);
        }
        return bad(
            "invalid_grant",
            "the authorization code was already used; tokens issued from it are revoked",
        );
    }
    if code.expires_at < http_util::now() {
        return bad("invalid_grant", "the authorization code has expired");
    }
    if code.redirect_uri != redirect_uri && !s.fault(FaultId::IgnoreCodeRedirectUri) {
        return bad(
            "invalid_grant",
            &format!("{redirect_uri}: redirect_uri differs from the authorization request"),
        );
    }
    let verifier = get("code_verifier");
    if !code.challenge.is_empty() || verifier.is_some() {
        let Some(verifier) = verifier else {
            if s.fault(FaultId::AcceptMissingVerifier) {
                return finish(s, client, form, &code);
            }
            return bad(
                "invalid_request",
                "code_verifier: required parameter missing",
            );
        };
        if !valid_verifier(verifier) {
            return bad(
                "invalid_grant",
                &format!("{verifier}: code_verifier must be 43 to 128 unreserved characters"),
            );
        }
        let matches = match code.method.as_str() {
            "S256" if s.fault(FaultId::RejectS256) => verifier == code.challenge,
            "S256" => s256(verifier) == code.challenge,
            _ => verifier == code.challenge,
        };
        if !matches && !s.fault(FaultId::AcceptWrongVerifier) {
            return bad(
                "invalid_grant",
                "code_verifier does not match the code_challenge",
            );
        }
    }
    finish(s, client, form, &code)
}

/// The checks after PKCE: scope, single use, then the tokens.
fn finish(s: &AppState, client: &Client, form: &HashMap<String, String>, code: &Code) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let scope = match get("scope") {
        Some(asked) if !super::scopes(asked).is_empty() => {
            if !super::subset(asked, &code.scope) {
                return bad(
                    "invalid_scope",
                    &format!("{asked}: scope exceeds what was authorized"),
                );
            }
            super::scopes(asked).join(" ")
        }
        _ => code.scope.clone(),
    };
    match s.store.use_code(&code.code) {
        Ok(true) => {}
        Ok(false) if s.fault(FaultId::ReuseCode) => {}
        Ok(false) => {
            if !s.fault(FaultId::ReuseKeepsTokens) {
                let _ = s.store.revoke_grant(&code.code);
            }
            return bad("invalid_grant", "the authorization code was already used");
        }
        Err(e) => return server_error(e),
    }
    issue(s, client, &scope, &code.username, &code.code, None)
}

fn refresh(s: &AppState, client: &Client, form: &HashMap<String, String>) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    if !client.grant_types.iter().any(|g| g == "refresh_token") {
        return bad(
            "unauthorized_client",
            "this client did not register the refresh_token grant",
        );
    }
    let Some(value) = get("refresh_token") else {
        return bad(
            "invalid_request",
            "refresh_token: required parameter missing",
        );
    };
    let old = match s.store.token(value) {
        Ok(Some(t)) if t.kind == TokenKind::Refresh => t,
        Ok(_) if s.fault(FaultId::RefreshBadToken401) => {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "unknown refresh token",
            );
        }
        Ok(_) => return bad("invalid_grant", "unknown refresh token"),
        Err(e) => return server_error(e),
    };
    if old.client_id != client.client_id && !s.fault(FaultId::RefreshAnyClient) {
        return bad(
            "invalid_grant",
            "the refresh token was issued to another client",
        );
    }
    if old.revoked {
        // A rotated (or revoked) refresh token presented again: someone holds
        // a stolen copy. The whole chain it started is revoked (OAuth 2.0
        // Security BCP §4.14.2), so neither party can go on with it.
        if let Err(e) = s.store.revoke_grant(&old.grant) {
            return server_error(e);
        }
        return bad(
            "invalid_grant",
            "the refresh token was already used or revoked; every token of its grant is now revoked",
        );
    }
    if old.expires_at < http_util::now() {
        return bad("invalid_grant", "the refresh token is revoked or expired");
    }
    let scope = match get("scope") {
        Some(asked) if !super::scopes(asked).is_empty() => {
            if !super::subset(asked, &old.scope) && !s.fault(FaultId::RefreshWidenScope) {
                return bad(
                    "invalid_scope",
                    &format!("{asked}: scope exceeds the original grant"),
                );
            }
            super::scopes(asked).join(" ")
        }
        _ => old.scope.clone(),
    };
    if !s.fault(FaultId::RefreshSameToken)
        && let Err(e) = s.store.revoke_token(&old.token)
    {
        return server_error(e);
    }
    // The refresh token keeps the original scope, so a narrowed access token
    // does not shrink later refreshes.
    issue(s, client, &scope, &old.username, &old.grant, Some(&old))
}

/// Store and return a new access token (and refresh token when the client may refresh).
fn issue(
    s: &AppState,
    client: &Client,
    scope: &str,
    username: &str,
    grant: &str,
    old: Option<&Token>,
) -> Response {
    let now = http_util::now();
    let access = match old {
        Some(o) if s.fault(FaultId::RefreshSameToken) => {
            // The fault hands back the previous access token of this chain.
            match last_access(s, o) {
                Some(t) => t,
                None => random_token(),
            }
        }
        _ if s.fault(FaultId::DeterministicTokens) => {
            // Derived from the grant and the issuing second, like a stateless token.
            let seed = format!("{}|{username}|{scope}|{grant}|{now}", client.client_id);
            URL_SAFE_NO_PAD.encode(Sha256::digest(seed.as_bytes()))
        }
        _ => random_token(),
    };
    // The accept-expired-tokens fault issues 1-second tokens (and never checks expiry).
    let short = s.short_lived_client.as_deref().is_some_and(|name| {
        serde_json::from_str::<serde_json::Value>(&client.metadata)
            .ok()
            .and_then(|m| {
                m.get("client_name")
                    .and_then(|n| n.as_str())
                    .map(|n| n == name)
            })
            .unwrap_or(false)
    });
    let lifetime = if s.fault(FaultId::AcceptExpiredTokens) {
        1
    } else if short {
        crate::provider::SHORT_TOKEN_SECONDS
    } else {
        ACCESS_TOKEN_SECONDS
    };
    let is_new_access = s.store.token(&access).ok().flatten().is_none();
    if is_new_access {
        let t = Token {
            token: access.clone(),
            kind: TokenKind::Access,
            client_id: client.client_id.clone(),
            scope: scope.to_string(),
            username: username.to_string(),
            grant: grant.to_string(),
            expires_at: now + lifetime,
            revoked: old.is_some() && s.fault(FaultId::RefreshedTokenDead),
        };
        if let Err(e) = s.store.insert_token(&t) {
            return server_error(e);
        }
    }
    let mut body = json!({
        "access_token": access,
        "token_type": if s.fault(FaultId::TokenTypeMac) { "mac" } else { "Bearer" },
        "expires_in": lifetime,
        "scope": scope,
    });
    if s.fault(FaultId::TokenNoExpiresIn)
        && let Some(o) = body.as_object_mut()
    {
        o.remove("expires_in");
    }
    let may_refresh = client.grant_types.iter().any(|g| g == "refresh_token");
    if may_refresh {
        let refresh_value = match old {
            Some(o) if s.fault(FaultId::RefreshSameToken) => o.token.clone(),
            _ => {
                let r = Token {
                    token: random_token(),
                    kind: TokenKind::Refresh,
                    client_id: client.client_id.clone(),
                    scope: old
                        .map(|o| o.scope.clone())
                        .unwrap_or_else(|| scope.to_string()),
                    username: username.to_string(),
                    grant: grant.to_string(),
                    expires_at: now + REFRESH_TOKEN_SECONDS,
                    revoked: false,
                };
                if let Err(e) = s.store.insert_token(&r) {
                    return server_error(e);
                }
                r.token
            }
        };
        let shown = if s.fault(FaultId::EmptyRefreshToken) {
            ""
        } else {
            refresh_value.as_str()
        };
        body["refresh_token"] = json!(shown);
    }
    if s.token_padding > 0 {
        body["x_padding"] = json!("x".repeat(s.token_padding));
    }
    let mut r = json(StatusCode::OK, &body);
    let h = r.headers_mut();
    if !s.fault(FaultId::TokenNoCacheControl) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !s.fault(FaultId::TokenNoPragma) {
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    r
}

/// For the refresh-same-token fault: the access token issued with `refresh`.
fn last_access(s: &AppState, refresh: &Token) -> Option<String> {
    s.store.access_tokens_of_grant(&refresh.grant).ok()?.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(valid_verifier(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!valid_verifier("short"));
    }
}
