//! The token endpoint: code exchange and refresh, both with HTTP Basic client
//! authentication and form-encoded bodies [OB §7.1, §7.2; RFC 6749 §4.1.3, §6].

use super::ClientCreds;
use crate::evidence::{Recorder, Redactor};
use crate::http::{Client, Exchange, Failure, Req};
use serde_json::Value;

/// A parsed successful token response.
#[derive(Debug, Clone, PartialEq)]
pub struct Tokens {
    pub access_token: String,
    pub token_type: String,
    pub scope: Option<String>,
    pub expires_in: Option<u64>,
    pub refresh_token: Option<String>,
}

/// The parameters of an authorization-code exchange.
#[derive(Debug, Clone)]
pub struct CodeExchange<'a> {
    pub code: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    /// `None` leaves `code_verifier` out.
    pub verifier: Option<&'a str>,
}

/// POST `grant_type=authorization_code`. `auth = None` sends no client authentication.
pub async fn exchange_code(
    c: &Client,
    rec: &mut Recorder,
    token_url: &str,
    auth: Option<&ClientCreds>,
    p: &CodeExchange<'_>,
    label: &str,
) -> Result<Exchange, Failure> {
    crate::http::client::secret(c.redactor(), p.code, "authorization-code");
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", p.code),
        ("redirect_uri", p.redirect_uri),
        ("scope", p.scope),
    ];
    if let Some(v) = p.verifier {
        crate::http::client::secret(c.redactor(), v, "code-verifier");
        form.push(("code_verifier", v));
    }
    let mut req = Req::post(token_url, label)
        .header("Accept", "application/json")
        .form(&form);
    if let Some(a) = auth {
        req = req.basic(&a.client_id, &a.client_secret);
    }
    c.send(rec, req).await
}

/// POST `grant_type=refresh_token`. `scope: None` leaves `scope` out, which
/// asks for the scope of the original grant (RFC 6749 §6); only checks about
/// narrowing or widening it give one.
pub async fn refresh(
    c: &Client,
    rec: &mut Recorder,
    token_url: &str,
    auth: &ClientCreds,
    refresh_token: &str,
    scope: Option<&str>,
) -> Result<Exchange, Failure> {
    crate::http::client::secret(c.redactor(), refresh_token, "refresh-token");
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    let req = Req::post(token_url, "token: refresh")
        .header("Accept", "application/json")
        .basic(&auth.client_id, &auth.client_secret)
        .form(&form);
    c.send(rec, req).await
}

/// Parse a token response (any status); registers the tokens for redaction.
pub fn parse(ex: &Exchange, redactor: &Redactor) -> Result<Tokens, String> {
    let v = ex
        .json()
        .ok_or_else(|| format!("{}: token response is not JSON", ex.brief()))?;
    if let Some(t) = v.get("access_token").and_then(Value::as_str) {
        crate::http::client::secret(redactor, t, "access-token");
    }
    if let Some(t) = v.get("refresh_token").and_then(Value::as_str) {
        crate::http::client::secret(redactor, t, "refresh-token");
    }
    if ex.status != 200 {
        let desc = v
            .get("error_description")
            .and_then(Value::as_str)
            .map(|d| format!(" ({})", d.chars().take(300).collect::<String>()))
            .unwrap_or_default();
        return Err(format!(
            "{}: token request refused: {}{desc}",
            ex.brief(),
            error_code(&v).unwrap_or("no error member")
        ));
    }
    let access_token = v
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{}: token response lacks access_token", ex.brief()))?;
    Ok(Tokens {
        access_token: access_token.to_string(),
        token_type: v
            .get("token_type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        scope: v.get("scope").and_then(Value::as_str).map(str::to_string),
        expires_in: v.get("expires_in").and_then(Value::as_u64),
        refresh_token: v
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// The `error` member of an OAuth error body.
pub fn error_code(v: &Value) -> Option<&str> {
    v.get("error").and_then(Value::as_str)
}

/// RFC 6749 §5.2 error codes for the token endpoint.
pub const TOKEN_ERRORS: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
];
