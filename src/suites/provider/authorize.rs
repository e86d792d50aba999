//! The authorization endpoint: the code grant with PKCE S256 works and
//! returns `state` unchanged; a request without a challenge, or with the
//! `plain` method, gets no code; an unregistered redirect URI is never
//! redirected to [OB §7.1 "Obtaining Tokens"; FACTS §2.4]. The first,
//! full-scope login made here supplies the tokens every later check uses.

use super::{Ctx, FirstLogin, Login};
use crate::evidence::{Check, Control, Refusal};
use crate::oauth::authorize::{AuthRequest, AuthResult, Walk, parse_redirect};
use crate::oauth::pkce;
use crate::oauth::token::{self, CodeExchange};
use crate::registry::CheckSpec;

pub const CODE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "authorize: PKCE S256 request redirects with a code",
    ids: &[
        "oauth.authorize.acg",
        "oauth.authorize.redirect-back",
        "oauth.pkce.s256",
    ],
};
pub const CONSENT: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "authorize: the login page names the client",
    ids: &["oauth.authorize.consent"],
};
pub const STATE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "authorize: state returned unchanged",
    ids: &["oauth.state.echo"],
};
pub const PKCE_REQUIRED: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "authorize: missing or plain PKCE challenge refused",
    ids: &["oauth.pkce.missing-refused", "oauth.pkce.plain-refused"],
};
pub const REDIRECT_URI: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "authorize: unregistered redirect URIs are never redirected to",
    ids: &[
        "oauth.redirect-uri.unknown-not-redirected",
        "oauth.redirect-uri.exact-match",
    ],
};
pub const UNKNOWN_CLIENT: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "authorize: unknown client_id not redirected",
    ids: &["oauth.authorize.unknown-client"],
};
pub const RESPONSE_TYPE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "authorize: response_type other than code refused",
    ids: &["oauth.authorize.response-type"],
};
pub const INVALID_SCOPE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "authorize: unknown scope refused with invalid_scope",
    ids: &["oauth.authorize.invalid-scope"],
};
pub const ERROR_CHARSET: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "authorize: error redirects carry an error code, state and a clean description",
    ids: &[
        "oauth.authorize.error-redirect",
        "oauth.authorize.error-charset",
    ],
};

pub const CHECKS: &[CheckSpec] = &[
    CODE,
    CONSENT,
    STATE,
    PKCE_REQUIRED,
    REDIRECT_URI,
    UNKNOWN_CLIENT,
    RESPONSE_TYPE,
    INVALID_SCOPE,
    ERROR_CHARSET,
];

pub async fn run(ctx: &mut Ctx) {
    if let Login::Token {
        access_token,
        refresh_token,
    } = ctx.target.login.clone()
    {
        ctx.tokens = Some(token::Tokens {
            access_token,
            token_type: "Bearer".into(),
            scope: None,
            expires_in: None,
            refresh_token,
        });
        for spec in CHECKS {
            ctx.blocked(
                spec.start(),
                "login strategy token: pre-issued tokens, authorization not exercised",
            );
        }
        return;
    }
    let verifier = pkce::verifier();
    let scope = ctx.full_scope();
    let Some(req) = ctx.auth_request(&scope, &verifier) else {
        for spec in CHECKS {
            ctx.blocked(
                spec.start(),
                "no SDD or no registered client (see discovery and registration)",
            );
        }
        return;
    };
    first_login(ctx, &req, &verifier).await;
    if !ctx.can_login() {
        let why = "needs unattended logins (login strategy form)";
        for spec in &CHECKS[3..] {
            ctx.blocked(spec.start(), why);
        }
        return;
    }
    let mut descriptions = Vec::new();
    pkce_required(ctx, &scope, &mut descriptions).await;
    redirect_uri(ctx, &scope).await;
    unknown_client(ctx, &scope).await;
    response_type(ctx, &scope, &mut descriptions).await;
    invalid_scope(ctx, &scope, &mut descriptions).await;
    deny(ctx, &scope, &mut descriptions).await;
    error_charset(ctx, &descriptions);
}

async fn first_login(ctx: &mut Ctx, req: &AuthRequest, verifier: &str) {
    let mut c = CODE.start();
    c.subject(&req.authorization_url);
    let mut s = STATE.start();
    s.subject(&req.authorization_url);
    let walk = match ctx.walk(req).await {
        Ok(w) => w,
        Err(e) => {
            c.all(crate::evidence::Verdict::Error, &e);
            ctx.fail_step_from(super::Step::Authorization, &c);
            ctx.finish(c);
            ctx.blocked(s, "no authorization response");
            return;
        }
    };
    for tx in &walk.txs {
        c.cite(tx);
        s.cite(tx);
    }
    consent(ctx, &walk);
    let AuthResult::Code { code, state, .. } = walk.result.clone() else {
        let m = format!(
            "S256 authorization request with valid login: no code ({}{})",
            super::outcome(&walk.result),
            walk.result
                .hint(&req.scope)
                .map(|h| format!("; {h}"))
                .unwrap_or_default()
        );
        c.fail("oauth.authorize.acg", &m);
        let cause = crate::evidence::Cause::new("oauth.authorize.acg", m);
        c.rest_blocked_by(&cause);
        ctx.fail_step(super::Step::Authorization, cause);
        ctx.finish(c);
        ctx.blocked(s, "no code was issued");
        return;
    };
    c.pass(
        "oauth.authorize.acg",
        "response_type=code at authorizationUrl redirected with a code",
    );
    let has_scope = matches!(&walk.result, AuthResult::Code { scope: Some(_), .. });
    c.ensure(
        "oauth.authorize.redirect-back",
        has_scope && state.is_some(),
        format!("the redirect carries code, scope and state (scope present: {has_scope}, state present: {})", state.is_some()),
    );
    s.ensure_eq(
        "oauth.state.echo",
        req.state.clone(),
        state,
        "state in the redirect equals the state sent",
    );
    ctx.finish(s);
    // The S256 proof is only complete once the token endpoint accepts the verifier.
    let (sdd, client) = (ctx.sdd.clone(), ctx.client.clone());
    let (Some(sdd), Some(client)) = (sdd, client) else {
        c.error("oauth.pkce.s256", "no token URL or client");
        ctx.finish(c);
        return;
    };
    // Without offline_access when the server refused it during the walk.
    let scope = ctx.effective_scope(&req.scope);
    let p = CodeExchange {
        code: &code,
        redirect_uri: &req.redirect_uri,
        scope: &scope,
        verifier: Some(verifier),
    };
    let url = sdd.token_url.clone();
    let mut ex = match ctx
        .exchange(&url, Some(&client), &p, "token: exchange code", false)
        .await
    {
        Ok(ex) => ex,
        Err(f) => {
            c.cite(&f.tx);
            c.error("oauth.pkce.s256", f.message);
            ctx.finish(c);
            return;
        }
    };
    c.cite(&ex.tx);
    if ex.status != 200 && super::error_of(&ex).as_deref() != Some("invalid_grant") {
        // Refused for another reason than the code: try once more with
        // client_id repeated in the form, so one finding hides nothing else.
        let refusal = super::oauth_error(&ex);
        if let Ok(again) = ctx
            .exchange(
                &url,
                Some(&client),
                &p,
                "token: exchange code (client_id in form)",
                true,
            )
            .await
        {
            c.cite(&again.tx);
            if again.status == 200 {
                ctx.client_id_in_form = Some(refusal);
                ex = again;
            }
        }
    }
    let parsed = token::parse(&ex, ctx.http.redactor());
    match (&parsed, super::error_of(&ex)) {
        (Ok(_), _) => {
            c.pass(
                "oauth.pkce.s256",
                format!(
                    "code issued for an S256 challenge is exchanged with its verifier: {}",
                    ex.brief()
                ),
            );
        }
        (Err(_), Some(e)) if e == "invalid_grant" => {
            // The grant itself was refused: the S256 verifier is the cause.
            c.fail(
                "oauth.pkce.s256",
                format!(
                    "the code issued for an S256 challenge was refused with its verifier: {}",
                    super::oauth_error(&ex)
                ),
            );
            ctx.fail_step_from(super::Step::TokenExchange, &c);
        }
        (Err(_), e) => {
            // Refused for a reason the token checks judge: the row the
            // server's error names is the cause (correct Basic credentials
            // refused; a form-encoded request with every parameter refused).
            let row = match e.as_deref() {
                Some("invalid_client") => "oauth.token.basic-auth",
                Some("invalid_request") => "oauth.token.form-encoded",
                _ if ex.status == 415 => "oauth.token.form-encoded",
                _ => "oauth.token.response",
            };
            let cause = crate::evidence::Cause::new(
                row,
                format!(
                    "a valid authorization_code request (form-encoded, HTTP Basic, every parameter) was refused: {}",
                    super::oauth_error(&ex)
                ),
            );
            c.blocked_by("oauth.pkce.s256", &cause);
            ctx.fail_step(super::Step::TokenExchange, cause);
        }
    }
    ctx.tokens = parsed.ok();
    ctx.first = Some(FirstLogin {
        code,
        verifier: verifier.to_string(),
        redirect_uri: req.redirect_uri.clone(),
        scope: scope.clone(),
        exchange: ex,
    });
    ctx.finish(c);
}

/// A walk of `req` changed by `modify`: the request, the walk, the verifier.
async fn probe(
    ctx: &mut Ctx,
    scope: &str,
    c: &mut Check,
    modify: impl FnOnce(&mut AuthRequest),
) -> Result<(AuthRequest, Walk, String), String> {
    let verifier = pkce::verifier();
    let mut req = ctx
        .auth_request(scope, &verifier)
        .ok_or("no SDD or client")?;
    modify(&mut req);
    c.subject(&req.authorization_url).clear_citations();
    let w = ctx.walk(&req).await?;
    for tx in &w.txs {
        c.cite(tx);
    }
    Ok((req, w, verifier))
}

/// An error redirect seen: (error, description, state returned, state sent, transcript).
type ErrorSeen = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// Keep an error redirect for the error-redirect and charset checks.
fn keep_description(req: &AuthRequest, w: &Walk, out: &mut Vec<ErrorSeen>) {
    if let AuthResult::Error {
        error,
        description,
        state,
    } = &w.result
    {
        let tx = w.txs.last().cloned().unwrap_or_default();
        out.push((
            error.clone(),
            description.clone(),
            state.clone(),
            req.state.clone(),
            tx,
        ));
    }
}

/// Without a challenge, and with `plain`, no usable code may come back.
async fn pkce_required(ctx: &mut Ctx, scope: &str, descriptions: &mut Vec<ErrorSeen>) {
    let mut c = PKCE_REQUIRED.start();
    // The positive control: the first login, the same request with S256, gave a code.
    let control = match &ctx.first {
        Some(_) => Control::Succeeded("the first login (S256, same scope) got a code".into()),
        None => Control::Refused("no code for the S256 login (see oauth.authorize.acg)".into()),
    };
    for (id, what) in [
        ("oauth.pkce.missing-refused", "no code_challenge"),
        ("oauth.pkce.plain-refused", "code_challenge_method=plain"),
    ] {
        let plain = id.ends_with("plain-refused");
        let r = probe(ctx, scope, &mut c, |req| {
            if plain {
                req.code_challenge_method = Some("plain".into());
            } else {
                req.code_challenge = None;
                req.code_challenge_method = None;
            }
        })
        .await;
        match r {
            Ok((req, w, verifier)) => {
                keep_description(&req, &w, descriptions);
                match w.result {
                    AuthResult::Code { code, .. } => {
                        // A code must not be issued at all; redeem it so it does not linger.
                        let v = if plain {
                            req.code_challenge.clone().unwrap_or_default()
                        } else {
                            verifier
                        };
                        let accepted = redeem(ctx, &req, &code, &v, &mut c).await;
                        c.fail(id, format!("{what}: the authorization server issued a code (token endpoint accepted it: {accepted})"));
                    }
                    AuthResult::Error {
                        error, description, ..
                    } => {
                        // RFC 7636 §4.4.1: invalid_request, for both.
                        let got = Refusal::Refused {
                            seen: super::outcome(&AuthResult::Error {
                                error: error.clone(),
                                description,
                                state: None,
                            }),
                            error: Some(error),
                        };
                        c.refused(id, &control, &got, &["invalid_request"], what);
                    }
                    other @ AuthResult::Stopped { .. } => {
                        let got = Refusal::Refused {
                            error: None,
                            seen: super::outcome(&other),
                        };
                        c.refused(id, &control, &got, &["invalid_request"], what);
                    }
                }
            }
            Err(e) => {
                c.error(id, format!("{what}: {e}"));
            }
        }
    }
    ctx.finish(c);
}

/// Try to exchange `code`; true when tokens came back.
async fn redeem(
    ctx: &mut Ctx,
    req: &AuthRequest,
    code: &str,
    verifier: &str,
    c: &mut Check,
) -> bool {
    let (Some(sdd), Some(client)) = (ctx.sdd.clone(), ctx.client.clone()) else {
        return false;
    };
    let p = CodeExchange {
        code,
        redirect_uri: &req.redirect_uri,
        scope: &req.scope,
        verifier: Some(verifier),
    };
    match token::exchange_code(
        &ctx.http,
        &mut ctx.rec,
        &sdd.token_url,
        Some(&client),
        &p,
        "token: redeem code",
    )
    .await
    {
        Ok(ex) => {
            c.cite(&ex.tx);
            token::parse(&ex, ctx.http.redactor()).is_ok()
        }
        Err(f) => {
            c.cite(&f.tx);
            false
        }
    }
}

/// True when the walk ended in a redirect to `req.redirect_uri`.
fn redirected(req: &AuthRequest, w: &Walk) -> bool {
    w.location
        .as_deref()
        .is_some_and(|l| parse_redirect(l, &req.redirect_uri).is_some())
}

async fn redirect_uri(ctx: &mut Ctx, scope: &str) {
    let mut c = REDIRECT_URI.start();
    let registered = ctx.target.metadata.redirect_uri().to_string();
    let other = match url::Url::parse(&registered).and_then(|u| u.join("/not-registered")) {
        Ok(u) => u.to_string(),
        Err(_) => "https://127.0.0.1/not-registered".to_string(),
    };
    let extended = format!("{registered}-extended");
    for (id, uri) in [
        ("oauth.redirect-uri.unknown-not-redirected", other),
        ("oauth.redirect-uri.exact-match", extended),
    ] {
        let u = uri.clone();
        match probe(ctx, scope, &mut c, move |r| r.redirect_uri = u).await {
            Ok((req, w, _)) => {
                c.ensure(
                    id,
                    !redirected(&req, &w),
                    format!(
                        "{uri}: unregistered redirect URI gets an error page, not a redirect ({})",
                        super::outcome(&w.result)
                    ),
                );
            }
            Err(e) => {
                c.error(id, e);
            }
        }
    }
    ctx.finish(c);
}

async fn unknown_client(ctx: &mut Ctx, scope: &str) {
    let mut c = UNKNOWN_CLIENT.start();
    let id = "oauth.authorize.unknown-client";
    match probe(ctx, scope, &mut c, |r| {
        r.client_id = format!("unknown-{}", pkce::random(12))
    })
    .await
    {
        Ok((req, w, _)) => {
            c.ensure(
                id,
                !redirected(&req, &w),
                format!(
                    "unknown client_id: no redirect ({})",
                    super::outcome(&w.result)
                ),
            );
        }
        Err(e) => {
            c.error(id, e);
        }
    }
    ctx.finish(c);
}

async fn response_type(ctx: &mut Ctx, scope: &str, descriptions: &mut Vec<ErrorSeen>) {
    let mut c = RESPONSE_TYPE.start();
    let id = "oauth.authorize.response-type";
    match probe(ctx, scope, &mut c, |r| r.response_type = "token".into()).await {
        Ok((req, w, _)) => {
            keep_description(&req, &w, descriptions);
            let ok = match &w.result {
                AuthResult::Error { error, .. } => {
                    error == "unsupported_response_type" || error == "invalid_request"
                }
                AuthResult::Stopped { .. } => true,
                AuthResult::Code { .. } => false,
            };
            c.ensure(
                id,
                ok,
                format!(
                    "response_type=token: refused with unsupported_response_type ({})",
                    super::outcome(&w.result)
                ),
            );
        }
        Err(e) => {
            c.error(id, e);
        }
    }
    ctx.finish(c);
}

async fn invalid_scope(ctx: &mut Ctx, scope: &str, descriptions: &mut Vec<ErrorSeen>) {
    let mut c = INVALID_SCOPE.start();
    let id = "oauth.authorize.invalid-scope";
    let bad = format!("{scope} https://example.invalid/scope/unknown");
    match probe(ctx, &bad, &mut c, |_| {}).await {
        Ok((req, w, _)) => {
            keep_description(&req, &w, descriptions);
            let ok =
                matches!(&w.result, AuthResult::Error { error, .. } if error == "invalid_scope");
            c.ensure(
                id,
                ok,
                format!(
                    "an unknown scope is refused with error=invalid_scope ({})",
                    super::outcome(&w.result)
                ),
            );
        }
        Err(e) => {
            c.error(id, e);
        }
    }
    ctx.finish(c);
}

const AUTHORIZATION_ERRORS: &[&str] = &[
    "invalid_request",
    "unauthorized_client",
    "access_denied",
    "unsupported_response_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
];

/// The user denies: the server redirects with error=access_denied (judged with the other error redirects).
async fn deny(ctx: &mut Ctx, scope: &str, seen: &mut Vec<ErrorSeen>) {
    let verifier = pkce::verifier();
    let Some(req) = ctx.auth_request(scope, &verifier) else {
        return;
    };
    // A transport failure here is already recorded by the checks that need the target.
    if let Ok(w) = ctx.walk_as(&req, true).await {
        match &w.result {
            AuthResult::Error { .. } => keep_description(&req, &w, seen),
            AuthResult::Stopped { status, detail } => {
                // No redirect after a denial: record it as an error redirect that did not happen.
                let tx = w.txs.last().cloned().unwrap_or_default();
                seen.push((
                    format!("(no redirect: {status} {detail})"),
                    None,
                    None,
                    req.state.clone(),
                    tx,
                ));
            }
            AuthResult::Code { .. } => {}
        }
    }
}

/// Error redirects: a known error code and the state sent (RFC 6749 §4.1.2.1);
/// error_description only %x20-21 / %x23-5B / %x5D-7E.
fn error_charset(ctx: &mut Ctx, seen: &[ErrorSeen]) {
    let mut c = ERROR_CHARSET.start();
    if seen.is_empty() {
        c.all(
            crate::evidence::Verdict::NotApplicable,
            "no request ended in an error redirect",
        );
    }
    for (error, description, state, sent, tx) in seen {
        c.clear_citations().cite(tx);
        c.ensure(
            "oauth.authorize.error-redirect",
            AUTHORIZATION_ERRORS.contains(&error.as_str()) && state == sent,
            format!("error redirect: error={error:?} is an AuthorizationError and state is returned unchanged"),
        );
        if let Some(d) = description {
            let bad: Vec<char> = d
                .chars()
                .filter(|ch| !matches!(*ch as u32, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
                .collect();
            c.ensure(
                "oauth.authorize.error-charset",
                bad.is_empty(),
                format!("{d:?}: error_description characters allowed (bad: {bad:?})"),
            )
            .held("an error redirect carried error_description");
        }
    }
    ctx.finish(c);
}

/// The HTML pages of the login walk show the registered client_name.
fn consent(ctx: &mut Ctx, walk: &Walk) {
    let mut c = CONSENT.start();
    let name = ctx.target.metadata.client_name.clone();
    // The browser's page text or the person's answer, when no transcript holds the pages.
    if let Some((named, source)) = &walk.consent {
        c.ensure(
            "oauth.authorize.consent",
            *named,
            format!("the login/consent page shows client_name {name:?} (from {source})"),
        );
        return ctx.finish(c);
    }
    if walk.txs.is_empty() {
        c.skip(
            "oauth.authorize.consent",
            "the harness saw no page of this login and was given no answer about it",
        );
        return ctx.finish(c);
    }
    let txs = &walk.txs;
    let pages: Vec<(String, String)> = ctx
        .rec
        .transcripts()
        .iter()
        .filter(|t| txs.contains(&t.id))
        .filter_map(|t| {
            let r = t.response.as_ref()?;
            (r.status == 200).then(|| (t.id.clone(), r.message.body.clone().unwrap_or_default()))
        })
        .collect();
    if pages.is_empty() {
        // The harness keeps no cookies between logins, so a first login always needs one.
        c.fail(
            "oauth.authorize.consent",
            "a code was issued without any login or consent page",
        );
    }
    for (tx, body) in pages {
        c.cite(&tx);
        c.ensure(
            "oauth.authorize.consent",
            body.contains(&name),
            format!("the login/consent page shows client_name {name:?}"),
        );
    }
    ctx.finish(c);
}
