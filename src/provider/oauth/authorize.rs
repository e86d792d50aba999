//! The authorization endpoint (FACTS §2.4): GET shows an HTML login and
//! consent page for the seeded users, POST takes the form and redirects with a
//! code. PKCE S256 and `state` are required; an unknown redirect URI gets an
//! error page and is never redirected to.

use super::super::faults::FaultId;
use super::super::http_util::{self, allow, random_token};
use super::super::state::{AppState, Shared};
use super::super::store::Code;
use super::CODE_SECONDS;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;

/// A checked authorization request.
struct AuthRequest {
    client_id: String,
    client_name: String,
    /// client_uri, logo_uri, tos_uri, policy_uri as registered.
    client_links: Vec<(&'static str, String)>,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    challenge: String,
    method: String,
}

enum Refusal {
    /// Shown to the user; never redirected (bad client or redirect URI).
    Page(String),
    /// Sent back to the client's redirect URI.
    Redirect(Response),
}

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
    let params = if method == Method::POST {
        let bytes = match http_util::read_body(&headers, body).await {
            Ok(b) => b,
            Err(r) => return r,
        };
        http_util::parse_form(&bytes)
    } else {
        http_util::parse_form(uri.query().unwrap_or("").as_bytes())
    };
    let params = match params {
        Ok(p) => p,
        Err(name) => return error_page(&format!("{name}: parameter given more than once")),
    };
    let req = match check(&s, &params) {
        Ok(r) => r,
        Err(Refusal::Page(m)) => return error_page(&m),
        Err(Refusal::Redirect(r)) => return r,
    };
    // The passwordless variant: no login page; a signed-in session cookie or access_denied.
    let session_user = session_user(&s, &headers);
    if s.fault(FaultId::Passwordless) {
        let Some(user) = session_user else {
            return redirect_error(
                &s,
                &req.redirect_uri,
                "access_denied",
                "no signed-in session",
                req.state.as_deref(),
            );
        };
        if method == Method::GET {
            return consent_page(&req);
        }
        return match params.get("consent").map(String::as_str) {
            Some("approve") => issue(&s, &req, &user),
            Some("deny") => redirect_error(
                &s,
                &req.redirect_uri,
                "access_denied",
                "the user denied access",
                req.state.as_deref(),
            ),
            _ => consent_page(&req),
        };
    }
    // The no-consent fault approves on GET as the first user, without asking.
    let silent = method == Method::GET && s.fault(FaultId::NoConsent);
    if method == Method::GET && !silent {
        return login_page(&req, None);
    }
    let consent = if silent {
        Some("approve")
    } else {
        params.get("consent").map(String::as_str)
    };
    match consent {
        Some("approve") => {}
        Some("deny") if s.fault(FaultId::DenyNotRedirected) => {
            return error_page("access denied");
        }
        Some("deny") => {
            return redirect_error(
                &s,
                &req.redirect_uri,
                "access_denied",
                "the user denied access",
                req.state.as_deref(),
            );
        }
        _ => return login_page(&req, Some("Choose Allow or Deny.")),
    }
    let first = s.users.first();
    let (username, password) = if silent {
        (
            first.map(|u| u.username.as_str()).unwrap_or(""),
            first.map(|u| u.password.as_str()).unwrap_or(""),
        )
    } else {
        (
            params.get("username").map(String::as_str).unwrap_or(""),
            params.get("password").map(String::as_str).unwrap_or(""),
        )
    };
    let user_ok = s.user(username).is_some_and(|u| u.password == password);
    if !user_ok {
        return login_page(&req, Some("Unknown user or wrong password."));
    }
    issue(&s, &req, username)
}

/// The session cookie value that signs in `user` under the passwordless
/// variant (derived from the user's random password, so unguessable).
pub fn session_value(user: &crate::provider::TestUser) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!(
        "clr-session:{}",
        user.password
    )))
}

/// The user whose session cookie the request carries.
fn session_user(s: &AppState, headers: &HeaderMap) -> Option<String> {
    let name = crate::provider::faults::SESSION_COOKIE;
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .filter(|(k, _)| *k == name)
        .find_map(|(_, v)| s.users.iter().find(|u| session_value(u) == v))
        .map(|u| u.username.clone())
}

/// Redirect with a fresh code for `username`.
fn issue(s: &AppState, req: &AuthRequest, username: &str) -> Response {
    let code = Code {
        code: random_token(),
        client_id: req.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        scope: req.scope.clone(),
        challenge: req.challenge.clone(),
        method: req.method.clone(),
        username: username.to_string(),
        expires_at: http_util::now() + CODE_SECONDS,
        used: false,
    };
    if let Err(e) = s.store.insert_code(&code) {
        return error_page(&format!("{e}: could not store the authorization code"));
    }
    let mut pairs: Vec<(&str, &str)> = vec![("code", &code.code)];
    if !s.fault(FaultId::DropScopeParam) {
        pairs.push(("scope", &req.scope));
    }
    let altered = req.state.as_deref().map(|st| format!("{st}-altered"));
    let state = if s.fault(FaultId::WrongState) {
        altered.as_deref()
    } else {
        req.state.as_deref()
    };
    if let Some(st) = state
        && !s.fault(FaultId::DropState)
    {
        pairs.push(("state", st));
    }
    redirect(&req.redirect_uri, &pairs)
}

fn check(s: &AppState, p: &HashMap<String, String>) -> Result<AuthRequest, Refusal> {
    let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(client_id) = get("client_id") else {
        return Err(Refusal::Page(
            "client_id: required parameter missing".into(),
        ));
    };
    let client = match s.store.client(client_id) {
        Ok(Some(c)) => c,
        Ok(None) => {
            if s.fault(FaultId::RedirectUnknownClient)
                && let Some(uri) = get("redirect_uri").filter(|u| url::Url::parse(u).is_ok())
            {
                return Err(Refusal::Redirect(redirect_error(
                    s,
                    uri,
                    "unauthorized_client",
                    "unknown client",
                    get("state"),
                )));
            }
            return Err(Refusal::Page(format!("{client_id}: unknown client")));
        }
        Err(e) => return Err(Refusal::Page(format!("{e}: storage error"))),
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return Err(Refusal::Page(
            "redirect_uri: required parameter missing".into(),
        ));
    };
    let registered = client.redirect_uris.iter().any(|u| u == redirect_uri)
        || (s.fault(FaultId::RedirectPrefixMatch)
            && client
                .redirect_uris
                .iter()
                .any(|u| redirect_uri.starts_with(u.as_str())));
    if !registered {
        if s.fault(FaultId::RedirectUnknownUri) && url::Url::parse(redirect_uri).is_ok() {
            return Err(Refusal::Redirect(redirect_error(
                s,
                redirect_uri,
                "invalid_request",
                "redirect_uri is not registered",
                get("state"),
            )));
        }
        return Err(Refusal::Page(format!(
            "{redirect_uri}: redirect_uri is not registered for this client"
        )));
    }
    let state = get("state");
    let fail = |code: &str, d: &str| {
        Err(Refusal::Redirect(redirect_error(
            s,
            redirect_uri,
            code,
            d,
            state,
        )))
    };
    match get("response_type") {
        Some("code") if s.fault(FaultId::AuthorizeNoCode) => {
            return fail(
                "unsupported_response_type",
                "code: the authorization code grant is not offered",
            );
        }
        Some("code") => {}
        Some(_) if s.fault(FaultId::AcceptAnyResponseType) => {}
        Some(other) => {
            return fail(
                "unsupported_response_type",
                &format!("{other}: only response_type=code is supported"),
            );
        }
        None => {
            return fail(
                "invalid_request",
                "response_type: required parameter missing",
            );
        }
    }
    if state.is_none() {
        return fail("invalid_request", "state: required parameter missing");
    }
    let challenge = get("code_challenge").unwrap_or("");
    let method = get("code_challenge_method").unwrap_or("");
    if challenge.is_empty() && !s.fault(FaultId::AcceptMissingPkce) {
        return fail(
            "invalid_request",
            "code_challenge: required parameter missing (PKCE is mandatory)",
        );
    }
    if !challenge.is_empty() {
        let plain_ok =
            s.fault(FaultId::AcceptPlainPkce) && (method == "plain" || method.is_empty());
        if method != "S256" && !plain_ok {
            let shown = if method.is_empty() { "(none)" } else { method };
            return fail(
                "invalid_request",
                &format!("{shown}: code_challenge_method must be S256"),
            );
        }
        if method == "S256" && !valid_challenge(challenge) {
            return fail(
                "invalid_request",
                &format!("{challenge}: code_challenge is not a base64url SHA-256 value"),
            );
        }
    }
    let mut scope = match get("scope") {
        None => client.scope.clone(),
        Some(asked) if s.fault(FaultId::IgnoreUnknownScope) => {
            let allowed = super::scopes(&client.scope);
            let kept: Vec<&str> = super::scopes(asked)
                .into_iter()
                .filter(|a| allowed.contains(a))
                .collect();
            if kept.is_empty() {
                client.scope.clone()
            } else {
                kept.join(" ")
            }
        }
        Some(asked) => {
            if super::scopes(asked).is_empty() {
                client.scope.clone()
            } else if !super::subset(asked, &client.scope) {
                return fail(
                    "invalid_scope",
                    &format!("{asked}: scope exceeds what the client registered"),
                );
            } else {
                super::scopes(asked).join(" ")
            }
        }
    };
    if s.fault(FaultId::AuthorizeWidenScope) {
        scope = client.scope.clone();
    }
    let meta = serde_json::from_str::<serde_json::Value>(&client.metadata).unwrap_or_default();
    let text = |k: &str| meta.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let client_name = text("client_name").unwrap_or_else(|| client.client_id.clone());
    let client_links = ["client_uri", "logo_uri", "tos_uri", "policy_uri"]
        .into_iter()
        .filter_map(|k| text(k).map(|v| (k, v)))
        .collect();
    Ok(AuthRequest {
        client_id: client.client_id,
        client_name,
        client_links,
        redirect_uri: redirect_uri.to_string(),
        scope,
        state: state.map(str::to_string),
        challenge: challenge.to_string(),
        method: if method.is_empty() && !challenge.is_empty() {
            "plain".into()
        } else {
            method.to_string()
        },
    })
}

fn valid_challenge(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// 302 to `uri` with extra query parameters.
fn redirect(uri: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut u) = url::Url::parse(uri) else {
        return error_page(&format!("{uri}: redirect_uri is not a URL"));
    };
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(u.as_str()) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn redirect_error(
    s: &AppState,
    uri: &str,
    code: &str,
    description: &str,
    state: Option<&str>,
) -> Response {
    let mut d = super::clean_description(description);
    if s.fault(FaultId::BadErrorCharset) {
        d.push_str(" \"quoted\" \\ back");
    }
    let mut pairs = vec![("error", code), ("error_description", d.as_str())];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    redirect(uri, &pairs)
}

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:36em;margin:2em auto}}label{{display:block;margin:.5em 0}}\
         .error{{color:#a00}}</style></head><body>\n<h1>{t}</h1>\n{body}\n</body></html>\n",
        t = escape(title)
    );
    let mut r = (status, Html(html)).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

fn error_page(message: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Authorization error",
        &format!("<p class=\"error\" id=\"error\">{}</p>", escape(message)),
    )
}

/// The passwordless variant's page: who asks for what, Allow or Deny, no credentials.
fn consent_page(req: &AuthRequest) -> Response {
    let mut form = format!(
        "<p><strong id=\"client-name\">{}</strong> asks for access to:</p>\n<ul>\n",
        escape(&req.client_name)
    );
    for sc in super::scopes(&req.scope) {
        form.push_str(&format!("<li>{}</li>\n", escape(sc)));
    }
    form.push_str("</ul>\n<form method=\"post\" action=\"/oauth/authorize\">\n");
    for (k, v) in hidden_fields(req) {
        if !v.is_empty() {
            form.push_str(&format!(
                "<input type=\"hidden\" name=\"{k}\" value=\"{}\">\n",
                escape(v)
            ));
        }
    }
    form.push_str(
        "<button type=\"submit\" name=\"consent\" value=\"approve\">Allow</button>\n\
         <button type=\"submit\" name=\"consent\" value=\"deny\">Deny</button>\n</form>",
    );
    page(StatusCode::OK, "Authorize", &form)
}

fn hidden_fields(req: &AuthRequest) -> [(&'static str, &str); 7] {
    [
        ("response_type", "code"),
        ("client_id", req.client_id.as_str()),
        ("redirect_uri", req.redirect_uri.as_str()),
        ("scope", req.scope.as_str()),
        ("state", req.state.as_deref().unwrap_or("")),
        ("code_challenge", req.challenge.as_str()),
        ("code_challenge_method", req.method.as_str()),
    ]
}

fn login_page(req: &AuthRequest, problem: Option<&str>) -> Response {
    let hidden = [
        ("response_type", "code"),
        ("client_id", req.client_id.as_str()),
        ("redirect_uri", req.redirect_uri.as_str()),
        ("scope", req.scope.as_str()),
        ("state", req.state.as_deref().unwrap_or("")),
        ("code_challenge", req.challenge.as_str()),
        ("code_challenge_method", req.method.as_str()),
    ];
    let mut form = String::new();
    if let Some(p) = problem {
        form.push_str(&format!(
            "<p class=\"error\" id=\"error\">{}</p>\n",
            escape(p)
        ));
    }
    form.push_str(&format!(
        "<p><strong id=\"client-name\">{}</strong> asks for access to:</p>\n<ul>\n",
        escape(&req.client_name)
    ));
    for sc in super::scopes(&req.scope) {
        form.push_str(&format!("<li>{}</li>\n", escape(sc)));
    }
    form.push_str("</ul>\n<ul class=\"client\">\n");
    for (k, v) in &req.client_links {
        if *k == "logo_uri" {
            form.push_str(&format!(
                "<li><img src=\"{}\" alt=\"client logo\" height=\"32\"></li>\n",
                escape(v)
            ));
        } else {
            form.push_str(&format!(
                "<li>{k}: <a href=\"{0}\">{0}</a></li>\n",
                escape(v)
            ));
        }
    }
    form.push_str("</ul>\n<form method=\"post\" action=\"/oauth/authorize\">\n");
    for (k, v) in hidden {
        if !v.is_empty() {
            form.push_str(&format!(
                "<input type=\"hidden\" name=\"{k}\" value=\"{}\">\n",
                escape(v)
            ));
        }
    }
    form.push_str(
        "<label>Username <input type=\"text\" name=\"username\" autocomplete=\"username\" required></label>\n\
         <label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>\n\
         <button type=\"submit\" name=\"consent\" value=\"approve\">Allow</button>\n\
         <button type=\"submit\" name=\"consent\" value=\"deny\">Deny</button>\n</form>",
    );
    let status = if problem.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    page(status, "Sign in and authorize", &form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
    }

    #[test]
    fn challenge_shape() {
        assert!(valid_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!valid_challenge("short"));
        assert!(!valid_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"
        ));
    }
}
