//! The authorization request (code grant with PKCE) and the ways a user can
//! log in to answer it:
//! - `form`: the harness fetches the login page, fills the HTML form with
//!   configured credentials, submits it and follows same-origin redirects
//!   until one points at the redirect URI, whose `code` and `state` it keeps;
//! - `session`: the same walk with no password, carrying cookies and headers
//!   of an existing session (passwordless and SSO sites); consent forms are
//!   submitted with the configured fields;
//! - `browser`: headless Chromium runs the target's declarative steps
//!   (`oauth/browser.rs`);
//! - `manual`: the URL is printed, a person logs in in a browser and pastes
//!   the final redirected URL back on standard input;
//! - `token` (pre-issued tokens) needs no authorization request at all.
//!
//! A password, cookie or header is sent only where `OriginPolicy` allows
//! (https, the target's origin or an allowed one); a form whose action is
//! elsewhere is not submitted, and the walk stops naming the action URL.

use super::origin::OriginPolicy;
use crate::evidence::Recorder;
use crate::http::client::same_origin;
use crate::http::{Client, Exchange, Failure, Req};
use std::collections::BTreeMap;

/// Hops (redirects and form submissions) followed before giving up.
const MAX_HOPS: usize = 10;

/// One authorization request's parameters. `None` leaves a parameter out.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    pub authorization_url: String,
    /// `code` for the code grant.
    pub response_type: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

impl AuthRequest {
    /// The full URL the browser is sent to.
    pub fn url(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("response_type", &self.response_type),
            ("client_id", &self.client_id),
            ("redirect_uri", &self.redirect_uri),
            ("scope", &self.scope),
        ];
        if let Some(s) = &self.state {
            pairs.push(("state", s));
        }
        if let Some(c) = &self.code_challenge {
            pairs.push(("code_challenge", c));
        }
        if let Some(m) = &self.code_challenge_method {
            pairs.push(("code_challenge_method", m));
        }
        let q = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let sep = if self.authorization_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}{q}", self.authorization_url)
    }
}

/// Credentials and field names for the `form` and `session` strategies.
#[derive(Debug, Clone)]
pub struct FormLogin {
    /// Empty for `session`: a form asking for a password then stops the walk.
    pub username: String,
    pub password: String,
    pub username_field: String,
    pub password_field: String,
    /// Extra fields to set (e.g. a consent checkbox).
    pub extra: Vec<(String, String)>,
    /// Press the deny/cancel button instead of the first one (to judge refusals).
    pub deny: bool,
    /// `session`: cookies (name, value) sent with every request of the walk.
    pub cookies: Vec<(String, String)>,
    /// `session`: headers (name, value) sent with every request of the walk.
    pub headers: Vec<(String, String)>,
    /// Where the password, cookies and headers may be sent.
    pub policy: OriginPolicy,
}

impl FormLogin {
    /// A `form` login with the usual field names and no session parts.
    pub fn password(username: &str, password: &str, policy: OriginPolicy) -> FormLogin {
        FormLogin {
            username: username.into(),
            password: password.into(),
            username_field: "username".into(),
            password_field: "password".into(),
            extra: Vec::new(),
            deny: false,
            cookies: Vec::new(),
            headers: Vec::new(),
            policy,
        }
    }

    /// True when the walk carries a credential (password, cookie or header).
    fn carries_credentials(&self) -> bool {
        !self.password.is_empty() || !self.cookies.is_empty() || !self.headers.is_empty()
    }
}

/// How the authorization request ended.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthResult {
    /// Redirected to the redirect URI with a code.
    Code {
        code: String,
        state: Option<String>,
        scope: Option<String>,
    },
    /// Redirected to the redirect URI with an error.
    Error {
        error: String,
        description: Option<String>,
        state: Option<String>,
    },
    /// Stopped without redirecting to the redirect URI (an error page, say).
    Stopped { status: u16, detail: String },
}

impl std::fmt::Display for AuthResult {
    /// What a person reads: the server's error and description, never a code.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthResult::Code { .. } => write!(f, "redirected with an authorization code"),
            AuthResult::Error {
                error, description, ..
            } => {
                let shown = if error.is_empty() {
                    "(no error code)"
                } else {
                    error
                };
                write!(f, "{shown}: the server refused the authorization request")?;
                if let Some(d) = description {
                    // Target-chosen text: cut short.
                    let d: String = d.chars().take(200).collect();
                    write!(f, " ({d})")?;
                }
                Ok(())
            }
            AuthResult::Stopped { status, detail } if *status == 0 => write!(f, "{detail}"),
            AuthResult::Stopped { status, detail } => write!(f, "stopped at {status}: {detail}"),
        }
    }
}

impl AuthResult {
    /// What to try next after this result, for login error messages.
    pub fn hint(&self, scope: &str) -> Option<String> {
        match self {
            AuthResult::Error { error, .. } if error == "invalid_scope" => Some(format!(
                "the scope asked for was {scope:?}: set login.offline_access = \"never\", or check the scopes the SDD advertises"
            )),
            AuthResult::Error { error, .. } if error == "access_denied" || error == "login_required" => Some(
                "the server wants a signed-in user: try login strategy \"session\" (login.cookies) or \"browser\" (login.steps)".into(),
            ),
            AuthResult::Stopped { detail, .. } if detail.contains("allowed_origins") => Some(
                "add the origin to allowed_origins in the config if it is the target's own login service".into(),
            ),
            AuthResult::Stopped { .. } => Some(
                "check login.username_field / login.password_field, or try login strategy \"browser\" or \"manual\"".into(),
            ),
            _ => None,
        }
    }

    /// `self` and, when there is one, the hint: one line for a finding.
    pub fn explain(&self, scope: &str) -> String {
        match self.hint(scope) {
            Some(h) => format!("{self}; {h}"),
            None => self.to_string(),
        }
    }
}

/// What the walk saw: the result and every transcript id along the way.
#[derive(Debug, Clone)]
pub struct Walk {
    pub result: AuthResult,
    pub txs: Vec<String>,
    /// The redirect that carried the result, when there was one.
    pub location: Option<String>,
    /// Whether a login or consent page named the client, when known other
    /// than from transcripts (the browser's page text, a person's answer),
    /// with where that comes from.
    pub consent: Option<(bool, String)>,
}

impl Walk {
    /// A walk with no transcripts (browser, manual).
    pub fn untraced(result: AuthResult, consent: Option<(bool, String)>) -> Walk {
        Walk {
            result,
            txs: Vec::new(),
            location: None,
            consent,
        }
    }
}

/// Read `code`/`error`, `state`, `scope` from a URL that starts with the redirect URI.
pub fn parse_redirect(location: &str, redirect_uri: &str) -> Option<AuthResult> {
    if !location.starts_with(redirect_uri) {
        return None;
    }
    let u = url::Url::parse(location).ok()?;
    let q: BTreeMap<String, String> = u
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let state = q.get("state").cloned();
    if let Some(code) = q.get("code") {
        return Some(AuthResult::Code {
            code: code.clone(),
            state,
            scope: q.get("scope").cloned(),
        });
    }
    Some(AuthResult::Error {
        error: q.get("error").cloned().unwrap_or_default(),
        description: q.get("error_description").cloned(),
        state,
    })
}

/// Run the `form` strategy for `req`.
pub async fn form(
    c: &Client,
    rec: &mut Recorder,
    req: &AuthRequest,
    login: &FormLogin,
) -> Result<Walk, Failure> {
    if !login.password.is_empty() {
        crate::http::client::secret(c.redactor(), &login.password, "password");
    }
    for (_, v) in login.cookies.iter().chain(&login.headers) {
        crate::http::client::secret(c.redactor(), v, "session-cookie");
    }
    let redirect_uri = req.redirect_uri.clone();
    let mut txs = Vec::new();
    let stop = |txs: Vec<String>, status: u16, detail: String| Walk {
        result: AuthResult::Stopped { status, detail },
        txs,
        location: None,
        consent: None,
    };
    if login.carries_credentials()
        && let Err(why) = login.policy.check(&req.authorization_url)
    {
        rec.note(format!("login not attempted: {why}"));
        return Ok(stop(txs, 0, why));
    }
    let mut cookies: BTreeMap<String, String> = login.cookies.iter().cloned().collect();
    let mut next = Req::get(req.url(), "authorize").header("Accept", "text/html");
    let mut submitted = 0;
    for _ in 0..MAX_HOPS {
        let current = next.url.clone();
        // Cookies and session headers go only to the authorization server's own origin.
        if same_origin(&current, &req.authorization_url) && login.policy.check(&current).is_ok() {
            if !cookies.is_empty() {
                let jar: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
                next = next.header("Cookie", jar.join("; "));
            }
            for (k, v) in &login.headers {
                next = next.header(k, v.clone());
            }
        }
        let ex = c.send(rec, next).await?;
        txs.push(ex.tx.clone());
        keep_cookies(&ex, &mut cookies);
        if (300..400).contains(&ex.status) {
            let Some(loc) = ex.location() else {
                let result = AuthResult::Stopped {
                    status: ex.status,
                    detail: "redirect without Location".into(),
                };
                return Ok(Walk {
                    result,
                    txs,
                    location: None,
                    consent: None,
                });
            };
            let abs = resolve(&current, loc);
            if let Some(r) = parse_redirect(&abs, &redirect_uri) {
                if let AuthResult::Code { code, .. } = &r {
                    crate::http::client::secret(c.redactor(), code, "authorization-code");
                }
                return Ok(Walk {
                    result: r,
                    txs,
                    location: Some(abs),
                    consent: None,
                });
            }
            // Another origin is followed only when credentials may go there too.
            if !same_origin(&abs, &req.authorization_url) && login.policy.check(&abs).is_err() {
                let result = AuthResult::Stopped {
                    status: ex.status,
                    detail: format!("{abs}: redirect to another origin, not followed"),
                };
                return Ok(Walk {
                    result,
                    txs,
                    location: Some(abs),
                    consent: None,
                });
            }
            next = Req::get(abs, "authorize: follow redirect");
            continue;
        }
        if ex.status == 200
            && submitted < 3
            && let Some(f) = parse_form(&ex.text())
        {
            submitted += 1;
            let asks_password = f
                .fields
                .iter()
                .any(|(n, _, t)| t == "password" || *n == login.password_field);
            if asks_password && login.password.is_empty() {
                let detail = format!(
                    "{current}: the page asks for a password, and this login has none (the session was not accepted: check login.cookies / login.headers, or use strategy form or browser)"
                );
                return Ok(stop(txs, ex.status, detail));
            }
            let sub = fill(&current, &f, login);
            if login.carries_credentials()
                && let Err(why) = login.policy.check(&sub.url)
            {
                let detail = format!("form action {} refused: {why}", sub.url);
                rec.note(format!("login form not submitted: {detail}"));
                return Ok(stop(txs, ex.status, detail));
            }
            next = sub;
            continue;
        }
        let detail = format!("{}: no redirect to the redirect URI", ex.brief());
        return Ok(stop(txs, ex.status, detail));
    }
    Ok(stop(txs, 0, format!("more than {MAX_HOPS} hops")))
}

/// Where the `manual` strategy asks its questions: standard input and error
/// for a person, a script in tests.
pub trait Ask: Send + Sync {
    /// Show `prompt`, return the answer line (without its newline).
    fn ask(&self, prompt: &str) -> Result<String, String>;
}

/// The `manual` strategy: who is asked, and whether the consent question was put.
#[derive(Clone)]
pub struct Manual {
    pub ask: std::sync::Arc<dyn Ask>,
    consent_asked: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Manual {
    pub fn new(ask: std::sync::Arc<dyn Ask>) -> Manual {
        Manual {
            ask,
            consent_asked: Default::default(),
        }
    }

    /// Walk `req` with the person: the URL they reach, and on the first
    /// login their answer about the consent page.
    pub fn walk(
        &self,
        req: &AuthRequest,
        redactor: &crate::evidence::Redactor,
        purpose: &str,
        client_name: &str,
    ) -> Result<Walk, String> {
        let r = manual(req, redactor, self.ask.as_ref(), purpose)?;
        let first = !self
            .consent_asked
            .swap(true, std::sync::atomic::Ordering::SeqCst);
        let consent = if first {
            ask_consent(self.ask.as_ref(), client_name)
                .map(|b| (b, "the answer of the person who logged in".to_string()))
        } else {
            None
        };
        Ok(Walk::untraced(r, consent))
    }
}

impl std::fmt::Debug for Manual {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Manual")
    }
}

/// A person at the terminal: prompts on stderr, answers on stdin.
pub struct Terminal;

impl Ask for Terminal {
    fn ask(&self, prompt: &str) -> Result<String, String> {
        crate::errln!("{prompt}");
        let mut line = String::new();
        let n = std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| format!("reading standard input: {e}"))?;
        if n == 0 {
            return Err(
                "standard input closed: no answer (strategy manual needs a person at the keyboard)"
                    .into(),
            );
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

/// The `manual` question for `req`.
pub fn manual_prompt(req: &AuthRequest, purpose: &str) -> String {
    format!(
        "Login needed ({purpose}). Open this URL in a browser, log in, and paste the URL you are redirected to\n(it starts with {}; the page itself will not load). If the browser shows an error page instead, press Enter:\n\n{}\n",
        req.redirect_uri,
        req.url()
    )
}

/// Ask whether the login or consent page named the client; `None` when the person did not say.
pub fn ask_consent(ask: &dyn Ask, client_name: &str) -> Option<bool> {
    let a = ask
        .ask(&format!(
            "Did the login or consent page show the client name {client_name:?}? [y/n]"
        ))
        .ok()?;
    match a.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Some(true),
        "n" | "no" => Some(false),
        _ => None,
    }
}

/// Run the `manual` strategy: ask for the final URL.
pub fn manual(
    req: &AuthRequest,
    redactor: &crate::evidence::Redactor,
    ask: &dyn Ask,
    purpose: &str,
) -> Result<AuthResult, String> {
    let line = ask.ask(&manual_prompt(req, purpose))?;
    let line = line.trim();
    let Some(r) = parse_redirect(line, &req.redirect_uri) else {
        // The pasted line may hold a code for another URI: it is not repeated.
        let detail = if line.is_empty() {
            "the person reported that the browser was not redirected to the redirect URI"
                .to_string()
        } else {
            format!(
                "the pasted URL does not start with the redirect URI {}",
                req.redirect_uri
            )
        };
        return Ok(AuthResult::Stopped { status: 0, detail });
    };
    if let AuthResult::Code { code, .. } = &r {
        crate::http::client::secret(redactor, code, "authorization-code");
    }
    Ok(r)
}

fn keep_cookies(ex: &Exchange, jar: &mut BTreeMap<String, String>) {
    for sc in ex.header_all("set-cookie") {
        let pair = sc.split(';').next().unwrap_or("");
        if let Some((k, v)) = pair.split_once('=') {
            jar.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
}

fn resolve(base: &str, href: &str) -> String {
    url::Url::parse(base)
        .and_then(|b| b.join(href))
        .map(|u| u.to_string())
        .unwrap_or_else(|_| href.to_string())
}

/// An HTML form: where it goes and its fields in document order.
#[derive(Debug, Clone, PartialEq)]
pub struct HtmlForm {
    pub action: String,
    pub method: String,
    /// (name, value, type) of every named input, select and textarea.
    pub fields: Vec<(String, String, String)>,
}

/// Parse the first `<form>` in `html` (enough for login and consent pages).
pub fn parse_form(html: &str) -> Option<HtmlForm> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<form")?;
    let end = lower[start..]
        .find("</form")
        .map(|e| start + e)
        .unwrap_or(html.len());
    let tag_end = lower[start..].find('>').map(|e| start + e)?;
    let attrs = attributes(&html[start + 5..tag_end]);
    let action = attrs.get("action").cloned().unwrap_or_default();
    let method = attrs
        .get("method")
        .cloned()
        .unwrap_or_else(|| "get".into())
        .to_ascii_lowercase();
    let mut fields = Vec::new();
    let body = &html[tag_end..end];
    let lbody = &lower[tag_end..end];
    let mut i = 0;
    while let Some(p) = lbody[i..].find('<') {
        let at = i + p;
        let Some(close) = lbody[at..].find('>').map(|e| at + e) else {
            break;
        };
        let tag = &lbody[at + 1..close];
        let name = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        if matches!(name, "input" | "button" | "select" | "textarea") {
            let a = attributes(&body[at + 1 + name.len()..close]);
            if let Some(n) = a.get("name") {
                let ty = a.get("type").cloned().unwrap_or_else(|| {
                    if name == "button" {
                        "submit".into()
                    } else {
                        name.to_string()
                    }
                });
                fields.push((
                    n.clone(),
                    a.get("value").cloned().unwrap_or_default(),
                    ty.to_ascii_lowercase(),
                ));
            }
        }
        i = close + 1;
    }
    Some(HtmlForm {
        action,
        method,
        fields,
    })
}

/// `name="value"` pairs of a tag (quoted with ' or ", or bare), HTML entities decoded.
fn attributes(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let ks = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        let key = s[ks..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut val = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                i = vs;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                val = s[vs..i.min(b.len())].to_string();
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                val = s[vs..i].to_string();
            }
        }
        if !key.is_empty() {
            out.insert(key, decode_entities(&val));
        }
        if i == ks {
            i += 1;
        }
    }
    out
}

fn decode_entities(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The submission of `form` found at `page_url`, filled with `login`.
fn fill(page_url: &str, form: &HtmlForm, login: &FormLogin) -> Req {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut submit_done = false;
    for (name, value, ty) in &form.fields {
        let v = if *name == login.username_field {
            login.username.clone()
        } else if *name == login.password_field {
            login.password.clone()
        } else if let Some((_, v)) = login.extra.iter().find(|(k, _)| k == name) {
            v.clone()
        } else if ty == "submit" || ty == "image" {
            // One button is pressed: the first, or with `deny` the first that refuses.
            let refusing = ["deny", "cancel", "reject", "decline"].iter().any(|w| {
                value.to_ascii_lowercase().contains(w) || name.to_ascii_lowercase().contains(w)
            });
            if submit_done || (login.deny && !refusing) {
                continue;
            }
            submit_done = true;
            value.clone()
        } else if ty == "checkbox" || ty == "radio" {
            if value.is_empty() {
                "on".into()
            } else {
                value.clone()
            }
        } else {
            value.clone()
        };
        pairs.push((name.clone(), v));
    }
    let action = if form.action.is_empty() {
        page_url.to_string()
    } else {
        resolve(page_url, &form.action)
    };
    let pairs_ref: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    if form.method == "post" {
        Req::post(action, "authorize: submit login form").form(&pairs_ref)
    } else {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs_ref)
            .finish();
        let sep = if action.contains('?') { '&' } else { '?' };
        Req::get(format!("{action}{sep}{q}"), "authorize: submit login form")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_login_form_with_hidden_inputs() {
        let html = r#"<html><body><h1>Log in</h1>
          <FORM method="POST" action='/oauth/login?x=1&amp;y=2'>
            <input type="hidden" name="request_id" value="abc&quot;d">
            <label>User <input name=username type=text></label>
            <input type="password" name="password"/>
            <button type="submit" name="decision" value="approve">Allow</button>
            <button type="submit" name="decision" value="deny">Deny</button>
          </FORM></body></html>"#;
        let f = parse_form(html).unwrap();
        assert_eq!(f.method, "post");
        assert_eq!(f.action, "/oauth/login?x=1&y=2");
        assert_eq!(
            f.fields[0],
            ("request_id".into(), "abc\"d".into(), "hidden".into())
        );
        assert_eq!(f.fields.len(), 5);
        let login = FormLogin::password("u1", "p w", OriginPolicy::default());
        let r = fill("https://h:1/oauth/authorize?a=b", &f, &login);
        assert_eq!(r.url, "https://h:1/oauth/login?x=1&y=2");
        match r.body {
            Some(crate::http::Body::Form(p)) => {
                assert!(p.contains(&("password".into(), "p w".into())));
                assert!(p.contains(&("decision".into(), "approve".into())));
                assert!(!p.contains(&("decision".into(), "deny".into())));
            }
            other => panic!("{other:?}"),
        }
        let denying = FormLogin {
            deny: true,
            ..login
        };
        match fill("https://h:1/a", &f, &denying).body {
            Some(crate::http::Body::Form(p)) => {
                assert!(p.contains(&("decision".into(), "deny".into())));
                assert!(!p.contains(&("decision".into(), "approve".into())));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn redirects_are_read_only_at_the_redirect_uri() {
        let r = parse_redirect(
            "https://127.0.0.1/callback?code=c1&state=s1&scope=a%20b",
            "https://127.0.0.1/callback",
        );
        assert_eq!(
            r,
            Some(AuthResult::Code {
                code: "c1".into(),
                state: Some("s1".into()),
                scope: Some("a b".into())
            })
        );
        let e = parse_redirect(
            "https://127.0.0.1/callback?error=invalid_request&state=s",
            "https://127.0.0.1/callback",
        );
        assert!(
            matches!(e, Some(AuthResult::Error { ref error, .. }) if error == "invalid_request")
        );
        assert_eq!(
            parse_redirect("https://evil/callback?code=1", "https://127.0.0.1/callback"),
            None
        );
    }

    #[test]
    fn url_leaves_out_absent_parameters() {
        let r = AuthRequest {
            authorization_url: "https://h/auth".into(),
            response_type: "code".into(),
            client_id: "c".into(),
            redirect_uri: "https://127.0.0.1/cb".into(),
            scope: "a b".into(),
            state: Some("s".into()),
            code_challenge: None,
            code_challenge_method: None,
        };
        let u = r.url();
        assert!(
            u.starts_with("https://h/auth?response_type=code&client_id=c&"),
            "{u}"
        );
        assert!(
            u.contains("scope=a+b") && !u.contains("code_challenge"),
            "{u}"
        );
    }
}
