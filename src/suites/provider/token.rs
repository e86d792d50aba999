//! The token endpoint: the code exchange answers JSON with a bearer token,
//! its scope and no-cache headers; it requires the client's credentials, the
//! right PKCE verifier, the code's redirect URI and a code not used before;
//! refusals use the OAuth error format [OB §7.1; RFC 6749 §5; FACTS §2.5].

use super::{Ctx, Login, Step, oauth_error};
use crate::evidence::{Check, Control, Refusal};
use crate::http::{Exchange, Req};
use crate::oauth::authorize::AuthResult;
use crate::oauth::token::{self, CodeExchange, TOKEN_ERRORS};
use crate::oauth::{ClientCreds, pkce};
use crate::registry::CheckSpec;
use serde_json::Value;

pub const RESPONSE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "token: code exchange answers a bearer token with its scope",
    ids: &[
        "oauth.token.form-encoded",
        "oauth.token.basic-auth",
        "oauth.token.response",
        "oauth.token.expires-in",
        "oauth.token.cache-control",
        "oauth.token.pragma",
        "oauth.token.refresh-token",
    ],
};
pub const LIFETIMES: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "token: code and token lifetimes",
    ids: &["oauth.code.lifetime", "oauth.token.expired-refused"],
};
pub const CODE_USE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "token: a code is single-use and a replay revokes its tokens",
    ids: &["oauth.code.single-use", "oauth.code.reuse-revokes"],
};
pub const PKCE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "token: wrong or missing code_verifier refused",
    ids: &[
        "oauth.pkce.wrong-verifier-refused",
        "oauth.pkce.missing-verifier-refused",
    ],
};
pub const BOUND: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "token: code bound to its redirect_uri",
    ids: &["oauth.code.bound"],
};
pub const CLIENT: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "token: wrong client secret refused",
    ids: &["oauth.token.bad-client-refused"],
};
pub const GRANT: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "token: unknown grant_type refused with unsupported_grant_type",
    ids: &["oauth.token.unsupported-grant"],
};
pub const PASSWORD: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "token: the resource owner password grant is refused",
    ids: &["oauth.token.password-grant-refused"],
};
pub const ERROR_FORMAT: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "token: refusals are 400 JSON OAuth errors",
    ids: &["oauth.token.error"],
};

pub const CHECKS: &[CheckSpec] = &[
    RESPONSE,
    LIFETIMES,
    CODE_USE,
    PKCE,
    BOUND,
    CLIENT,
    GRANT,
    PASSWORD,
    ERROR_FORMAT,
];

/// A grant type no server defines: ours (the unknown-grant probe must not
/// test a grant the server may implement, such as `password`).
pub const UNKNOWN_GRANT: &str = "urn:x-clr-conformance:grant-type:unknown";

/// A fresh code and what redeeming it needs.
struct Fresh {
    code: String,
    redirect_uri: String,
    scope: String,
    verifier: String,
}

pub async fn run(ctx: &mut Ctx) {
    if matches!(ctx.target.login, Login::Token { .. }) {
        for spec in CHECKS {
            ctx.blocked(
                spec.start(),
                "login strategy token: pre-issued tokens, token endpoint not exercised",
            );
        }
        return;
    }
    let (Some(first), Some(sdd), Some(client)) =
        (ctx.first.clone(), ctx.sdd.clone(), ctx.client.clone())
    else {
        for spec in CHECKS {
            ctx.blocked(
                spec.start(),
                "no authorization code was obtained (see the authorize checks)",
            );
        }
        return;
    };
    response(ctx, &first.exchange);
    // Every negative probe below is the first exchange with one defect: it
    // is their positive control.
    let control = if first.exchange.status == 200 {
        Control::Succeeded(first.exchange.tx.clone())
    } else {
        Control::Refused(oauth_error(&first.exchange))
    };
    if let Some(cause) = ctx.cause(Step::TokenExchange) {
        for spec in &CHECKS[1..] {
            if spec.name == PASSWORD.name || spec.name == GRANT.name {
                continue;
            }
            let mut c = spec.start();
            c.rest_blocked_by(&cause);
            ctx.finish(c);
        }
        let mut errors = ERROR_FORMAT.start();
        probes(ctx, &sdd.token_url, &client, &control, &mut errors).await;
        ctx.finish(errors);
        return;
    }
    let mut c = LIFETIMES.start();
    c.skip(
        "oauth.code.lifetime",
        "judging it means holding a code for over 600 s, beyond a bounded run",
    );
    expired_refused(ctx, &mut c).await;
    ctx.finish(c);
    if !ctx.can_login() {
        for spec in &CHECKS[2..] {
            if spec.name == PASSWORD.name
                || spec.name == GRANT.name
                || spec.name == ERROR_FORMAT.name
            {
                continue;
            }
            ctx.limited(
                spec.start(),
                "needs unattended logins (login strategy form)",
            );
        }
        let mut errors = ERROR_FORMAT.start();
        probes(ctx, &sdd.token_url, &client, &control, &mut errors).await;
        ctx.finish(errors);
        return;
    }
    let url = sdd.token_url.clone();
    let mut errors = ERROR_FORMAT.start();

    // Single use: redeem a fresh code, show its token works, replay the code;
    // the replay fails and should revoke the first tokens.
    let mut c = CODE_USE.start();
    match fresh(ctx, &mut c).await {
        Ok(f) => code_use(ctx, &url, &client, &f, &mut c, &mut errors).await,
        Err(e) => c.all(crate::evidence::Verdict::Error, &e),
    }
    ctx.finish(c);

    let mut c = PKCE.start();
    for (id, verifier, expected) in [
        (
            "oauth.pkce.wrong-verifier-refused",
            Some(pkce::verifier()),
            &["invalid_grant"][..],
        ),
        (
            "oauth.pkce.missing-verifier-refused",
            None,
            &["invalid_request", "invalid_grant"][..],
        ),
    ] {
        match fresh(ctx, &mut c).await {
            Ok(f) => {
                let v = Some(verifier.as_deref());
                let what = if verifier.is_some() {
                    "a wrong code_verifier"
                } else {
                    "a missing code_verifier"
                };
                if let Some(ex) = redeem(
                    ctx,
                    &url,
                    Some(&client),
                    &f,
                    v,
                    None,
                    &mut c,
                    "token: bad code_verifier",
                )
                .await
                {
                    c.refused(id, &control, &refusal(&ex), expected, what);
                    judge_error(&mut errors, &ex, id);
                }
            }
            Err(e) => {
                c.error(id, e);
            }
        }
    }
    ctx.finish(c);

    let mut c = BOUND.start();
    match fresh(ctx, &mut c).await {
        Ok(f) => {
            let other = format!("{}-other", f.redirect_uri);
            if let Some(ex) = redeem(
                ctx,
                &url,
                Some(&client),
                &f,
                None,
                Some(&other),
                &mut c,
                "token: other redirect_uri",
            )
            .await
            {
                c.refused(
                    "oauth.code.bound",
                    &control,
                    &refusal(&ex),
                    &["invalid_grant"],
                    "a redirect_uri differing from the code's",
                );
                judge_error(&mut errors, &ex, "other redirect_uri");
            }
        }
        Err(e) => {
            c.error("oauth.code.bound", e);
        }
    }
    ctx.finish(c);

    let mut c = CLIENT.start();
    match fresh(ctx, &mut c).await {
        Ok(f) => {
            let wrong = ClientCreds {
                client_id: client.client_id.clone(),
                client_secret: format!("{}x", client.client_secret),
            };
            crate::http::client::secret(ctx.http.redactor(), &wrong.client_secret, "client-secret");
            if let Some(ex) = redeem(
                ctx,
                &url,
                Some(&wrong),
                &f,
                None,
                None,
                &mut c,
                "token: wrong client secret",
            )
            .await
            {
                let got = if matches!(ex.status, 400 | 401) {
                    refusal(&ex)
                } else {
                    Refusal::Accepted(ex.brief())
                };
                c.refused(
                    "oauth.token.bad-client-refused",
                    &control,
                    &got,
                    &["invalid_client"],
                    "a wrong client secret (RFC 6749 §5.2: 400 or 401 invalid_client)",
                );
            }
        }
        Err(e) => {
            c.error("oauth.token.bad-client-refused", e);
        }
    }
    ctx.finish(c);
    probes(ctx, &url, &client, &control, &mut errors).await;
    ctx.finish(errors);
}

/// What a negative token probe got: accepted (200) or refused with its error.
fn refusal(ex: &Exchange) -> Refusal {
    if ex.status == 200 {
        Refusal::Accepted(ex.brief())
    } else {
        Refusal::Refused {
            error: super::error_of(ex),
            seen: oauth_error(ex),
        }
    }
}

/// Redeem `f`, show its token works, replay the code, show the token stops working.
async fn code_use(
    ctx: &mut Ctx,
    url: &str,
    client: &ClientCreds,
    f: &Fresh,
    c: &mut Check,
    errors: &mut Check,
) {
    let Some(first) = redeem(
        ctx,
        url,
        Some(client),
        f,
        None,
        None,
        c,
        "token: redeem code",
    )
    .await
    else {
        return;
    };
    let tokens = token::parse(&first, ctx.http.redactor());
    let Ok(t) = tokens else {
        let why = format!(
            "inconclusive: the first redemption of a fresh code was refused with {}",
            oauth_error(&first)
        );
        c.skip("oauth.code.single-use", &why);
        c.skip("oauth.code.reuse-revokes", &why);
        return;
    };
    // The before half: the token works before the replay.
    let before = super::get_credentials::get(
        ctx,
        &t.access_token,
        "?limit=1",
        "getCredentials with the code's token",
    )
    .await;
    let works_before = match &before {
        Ok(ex) => {
            c.cite(&ex.tx);
            ex.status == 200
        }
        Err(e) => {
            c.cite(&e.tx);
            false
        }
    };
    let Some(again) = redeem(
        ctx,
        url,
        Some(client),
        f,
        None,
        None,
        c,
        "token: replay code",
    )
    .await
    else {
        return;
    };
    c.refused(
        "oauth.code.single-use",
        &Control::Succeeded(first.tx.clone()),
        &refusal(&again),
        &["invalid_grant"],
        "a replayed authorization code",
    );
    judge_error(errors, &again, "replayed code");
    if !ctx.reads() {
        c.skip(
            "oauth.code.reuse-revokes",
            "judged through getCredentials, which the read role runs",
        );
        return;
    }
    if !works_before {
        let got = before.map(|e| e.brief()).unwrap_or_else(|e| e.message);
        c.skip(
            "oauth.code.reuse-revokes",
            format!(
                "inconclusive: the code's token did not work before the replay either: got {got}"
            ),
        );
        return;
    }
    match super::get_credentials::get(
        ctx,
        &t.access_token,
        "?limit=1",
        "getCredentials with replayed code's token",
    )
    .await
    {
        Ok(ex) => {
            c.cite(&ex.tx);
            c.ensure(
                "oauth.code.reuse-revokes",
                ex.status == 401 || ex.status == 403,
                format!("the code's token worked (200) before the replay; after it, it stops working: got {}", ex.brief()),
            );
        }
        Err(e) => {
            c.cite(&e.tx);
            c.error("oauth.code.reuse-revokes", e.message);
        }
    }
}

/// The grant probes, which need no login: an unknown grant type (a URN of
/// ours) and the password grant with plausible credentials and no client
/// authentication.
async fn probes(
    ctx: &mut Ctx,
    url: &str,
    client: &ClientCreds,
    control: &Control,
    errors: &mut Check,
) {
    let mut c = GRANT.start();
    let req = Req::post(url, "token: unknown grant_type")
        .basic(&client.client_id, &client.client_secret)
        .form(&[("grant_type", UNKNOWN_GRANT)]);
    match ctx.send(req).await {
        Ok(ex) => {
            c.cite(&ex.tx);
            let err = super::error_of(&ex);
            match control {
                Control::Succeeded(_) => {
                    c.ensure(
                        "oauth.token.unsupported-grant",
                        ex.status == 400 && err.as_deref() == Some("unsupported_grant_type"),
                        format!(
                            "grant_type={UNKNOWN_GRANT}: 400 unsupported_grant_type: got {}",
                            oauth_error(&ex)
                        ),
                    );
                }
                _ if ex.status == 400 && err.as_deref() == Some("unsupported_grant_type") => {
                    c.pass(
                        "oauth.token.unsupported-grant",
                        format!("grant_type={UNKNOWN_GRANT}: 400 unsupported_grant_type"),
                    );
                }
                Control::Refused(x) | Control::Missing(x) => {
                    c.skip(
                        "oauth.token.unsupported-grant",
                        format!("inconclusive: the control request was refused with {x}; grant_type={UNKNOWN_GRANT} got {}", oauth_error(&ex)),
                    );
                }
            }
            judge_error(errors, &ex, "unknown grant_type");
        }
        Err(e) => {
            c.cite(&e.tx);
            c.error("oauth.token.unsupported-grant", e.message);
        }
    }
    ctx.finish(c);

    // The password grant: a syntactically plausible password, no client authentication.
    let mut c = PASSWORD.start();
    let password = format!("Pw-{}", pkce::random(16));
    crate::http::client::secret(ctx.http.redactor(), &password, "password");
    let req = Req::post(url, "token: password grant")
        .header("Accept", "application/json")
        .form(&[
            ("grant_type", "password"),
            ("username", "conformance@imsglobal.org"),
            ("password", &password),
            ("scope", &ctx.full_scope()),
        ]);
    match ctx.send(req).await {
        Ok(ex) => {
            c.cite(&ex.tx);
            let issued =
                ex.status == 200 && ex.json().is_some_and(|v| v.get("access_token").is_some());
            if ex.status == 200 {
                let _ = token::parse(&ex, ctx.http.redactor());
            }
            c.ensure(
                "oauth.token.password-grant-refused",
                !issued,
                format!(
                    "grant_type=password with a plausible password and no client authentication is refused (RFC 9700 §2.4: MUST NOT be used): got {}",
                    if issued { format!("{}: tokens issued", ex.brief()) } else { oauth_error(&ex) }
                ),
            );
        }
        Err(e) => {
            c.cite(&e.tx);
            c.error("oauth.token.password-grant-refused", e.message);
        }
    }
    ctx.finish(c);
}

/// Tokens living at most `SHORT_LIFETIME` seconds are waited out and retried.
const SHORT_LIFETIME: u64 = 5;

/// An expired access token is refused: judged when the lifetime is short enough to wait out.
async fn expired_refused(ctx: &mut Ctx, c: &mut Check) {
    let id = "oauth.token.expired-refused";
    let Some(mut t) = ctx.tokens.clone() else {
        c.skip(id, "no access token");
        return;
    };
    if t.expires_in.is_none_or(|e| e > SHORT_LIFETIME)
        && let Some(name) = ctx.target.short_lived_client.clone()
        && ctx.can_login()
    {
        match short_lived(ctx, c, &name).await {
            Ok(s) => t = s,
            Err(e) => {
                c.error(id, format!("short-lived client {name:?}: {e}"));
                return;
            }
        }
    }
    match t.expires_in {
        Some(e) if e <= SHORT_LIFETIME => {
            // The before half: the token works now (same call, same run).
            let before = super::get_credentials::get(
                ctx,
                &t.access_token,
                "?limit=1",
                "getCredentials before expiry",
            )
            .await;
            if !super::step_ok(c, id, before, |ex| {
                format!(
                    "the token was refused before its expiry too: got {}",
                    ex.brief()
                )
            }) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_secs(e + 1)).await;
            match super::get_credentials::get(
                ctx,
                &t.access_token,
                "?limit=1",
                "getCredentials with an expired token",
            )
            .await
            {
                Ok(ex) => {
                    c.cite(&ex.tx);
                    c.ensure(
                        id,
                        matches!(ex.status, 401 | 403),
                        format!(
                            "an access token that worked before its expires_in ({e} s) is refused after it: got {}",
                            ex.brief()
                        ),
                    );
                }
                Err(f) => {
                    c.cite(&f.tx);
                    c.error(id, f.message);
                }
            }
        }
        other => {
            c.skip(
                id,
                format!(
                    "expires_in {other:?}: waiting out the token lifetime is beyond a bounded run"
                ),
            );
        }
    }
}

/// Tokens for a client registered as `name`, which the target is known to
/// give short-lived tokens (the builtin provider's per-client lifetime).
async fn short_lived(ctx: &mut Ctx, c: &mut Check, name: &str) -> Result<token::Tokens, String> {
    let reg = ctx
        .sdd
        .as_ref()
        .map(|s| s.registration_url.clone())
        .ok_or("no SDD")?;
    let mut meta = ctx.target.metadata.clone();
    meta.client_name = name.to_string();
    let body = meta.request_body(&ctx.full_scope());
    let ex = crate::oauth::register::send(
        &ctx.http,
        &mut ctx.rec,
        &reg,
        body,
        "register the short-lived client",
    )
    .await
    .map_err(|f| f.message)?;
    c.cite(&ex.tx);
    let client = crate::oauth::register::parse(&ex, ctx.http.redactor())?;
    let main = ctx.client.replace(client);
    let scope = ctx.scopes.credential_readonly.clone();
    let r = ctx.login(&scope).await;
    ctx.client = main;
    let (t, tx, _) = r?;
    c.cite(&tx);
    Ok(t)
}

/// Authorize again with the read scope and return a fresh code.
async fn fresh(ctx: &mut Ctx, c: &mut Check) -> Result<Fresh, String> {
    let verifier = pkce::verifier();
    let scope = ctx.scopes.credential_readonly.clone();
    let req = ctx
        .auth_request(&scope, &verifier)
        .ok_or("no SDD or client")?;
    let walk = ctx.walk(&req).await?;
    for tx in &walk.txs {
        c.cite(tx);
    }
    match walk.result {
        AuthResult::Code { code, .. } => Ok(Fresh {
            code,
            redirect_uri: req.redirect_uri,
            scope,
            verifier,
        }),
        other => Err(format!(
            "a further login returned no code: {}",
            super::outcome(&other)
        )),
    }
}

/// Redeem `f`, overriding the verifier (`Some(None)` leaves it out) or the redirect URI.
#[allow(clippy::too_many_arguments)]
async fn redeem(
    ctx: &mut Ctx,
    url: &str,
    auth: Option<&ClientCreds>,
    f: &Fresh,
    verifier: Option<Option<&str>>,
    redirect_uri: Option<&str>,
    c: &mut Check,
    label: &str,
) -> Option<Exchange> {
    let p = CodeExchange {
        code: &f.code,
        redirect_uri: redirect_uri.unwrap_or(&f.redirect_uri),
        scope: &f.scope,
        verifier: verifier.unwrap_or(Some(&f.verifier)),
    };
    match ctx.exchange(url, auth, &p, label, false).await {
        Ok(ex) => {
            c.cite(&ex.tx);
            let _ = token::parse(&ex, ctx.http.redactor());
            Some(ex)
        }
        Err(e) => {
            c.cite(&e.tx);
            for id in c.declared().to_vec() {
                c.error(&id, e.message.clone());
            }
            None
        }
    }
}

fn response(ctx: &mut Ctx, ex: &Exchange) {
    let mut c = RESPONSE.start();
    c.subject(&ex.url).cite(&ex.tx);
    let id = "oauth.token.response";
    if ex.status != 200 {
        // The exchange's own row fails once, in the server's words; every
        // member check is blocked by it (they judge a token response only).
        let cause = ctx.cause(Step::TokenExchange).unwrap_or_else(|| {
            crate::evidence::Cause::new(
                id,
                format!("the code exchange was refused: {}", oauth_error(ex)),
            )
        });
        if c.declared().contains(&cause.row) {
            c.fail(&cause.row.clone(), cause.message.clone());
        }
        c.rest_blocked_by(&cause);
        ctx.finish(c);
        return;
    }
    c.pass(id, "a valid code exchange is answered 200");
    c.pass(
        "oauth.token.form-encoded",
        "a form-encoded authorization_code request with all parameters is accepted",
    );
    match &ctx.client_id_in_form {
        Some(refusal) => c.fail(
            "oauth.token.basic-auth",
            format!("with HTTP Basic alone the code exchange was refused ({refusal}); it was accepted only with client_id repeated in the form (RFC 6749 §2.3.1: Basic must suffice)"),
        ),
        None => c.pass(
            "oauth.token.basic-auth",
            "the client authenticated with HTTP Basic client_id:client_secret",
        ),
    };
    c.ensure(
        id,
        ex.is_json_media_type(),
        format!("token response is application/json: got {}", ex.brief()),
    );
    let v = ex.json().unwrap_or(Value::Null);
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    c.ensure(
        id,
        s("access_token").is_some_and(|t| !t.is_empty()),
        "access_token: non-empty string",
    );
    let tt = s("token_type").unwrap_or("");
    c.ensure(
        id,
        tt.eq_ignore_ascii_case("bearer"),
        format!("{tt:?}: token_type is bearer (any case)"),
    );
    c.ensure(
        id,
        s("scope").is_some(),
        "scope: present in the token response",
    );
    let exp = v.get("expires_in").and_then(Value::as_u64);
    c.ensure(
        "oauth.token.expires-in",
        exp.is_some_and(|e| e > 0),
        format!(
            "expires_in: positive integer: got {:?}",
            v.get("expires_in")
        ),
    );
    match s("refresh_token") {
        Some(r) => c.ensure(
            "oauth.token.refresh-token",
            !r.is_empty(),
            "refresh_token: non-empty string when present",
        ),
        None => c.not_applicable(
            "oauth.token.refresh-token",
            "no refresh_token in the token response",
        ),
    };
    let cc = ex.header("cache-control").unwrap_or("");
    c.ensure(
        "oauth.token.cache-control",
        cc.to_ascii_lowercase().contains("no-store"),
        format!("Cache-Control: no-store on the token response: got {cc:?}"),
    );
    let pragma = ex.header("pragma").unwrap_or("");
    c.ensure(
        "oauth.token.pragma",
        pragma.eq_ignore_ascii_case("no-cache"),
        format!("Pragma: no-cache on the token response: got {pragma:?}"),
    );
    ctx.finish(c);
}

fn judge_error(c: &mut Check, ex: &Exchange, what: &str) {
    if ex.status == 200 {
        return;
    }
    c.cite(&ex.tx);
    let id = "oauth.token.error";
    c.ensure_eq(id, 400, ex.status, format!("{what}: token error status"));
    let err = ex
        .json()
        .and_then(|v| token::error_code(&v).map(str::to_string));
    let ok = ex.is_json_media_type() && err.as_deref().is_some_and(|e| TOKEN_ERRORS.contains(&e));
    c.ensure(
        id,
        ok,
        format!(
            "{what}: JSON body with an RFC 6749 error code: got {} error={err:?}",
            ex.brief()
        ),
    );
}
