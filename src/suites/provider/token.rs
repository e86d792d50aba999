//! The token endpoint: the code exchange answers JSON with a bearer token,
//! its scope and no-cache headers; it requires the client's credentials, the
//! right PKCE verifier, the code's redirect URI and a code not used before;
//! refusals use the OAuth error format [OB §7.1; RFC 6749 §5; FACTS §2.5].

use super::{Ctx, Login};
use crate::evidence::Check;
use crate::http::{Exchange, Req};
use crate::oauth::authorize::AuthResult;
use crate::oauth::token::{self, CodeExchange, TOKEN_ERRORS};
use crate::oauth::{ClientCreds, pkce};
use crate::suites::CheckSpec;
use serde_json::Value;

pub const RESPONSE: CheckSpec = CheckSpec {
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
    name: "token: code and token lifetimes",
    ids: &["oauth.code.lifetime", "oauth.token.expired-refused"],
};
pub const CODE_USE: CheckSpec = CheckSpec {
    name: "token: a code is single-use and a replay revokes its tokens",
    ids: &["oauth.code.single-use", "oauth.code.reuse-revokes"],
};
pub const PKCE: CheckSpec = CheckSpec {
    name: "token: wrong or missing code_verifier refused",
    ids: &[
        "oauth.pkce.wrong-verifier-refused",
        "oauth.pkce.missing-verifier-refused",
    ],
};
pub const BOUND: CheckSpec = CheckSpec {
    name: "token: code bound to its redirect_uri",
    ids: &["oauth.code.bound"],
};
pub const CLIENT: CheckSpec = CheckSpec {
    name: "token: wrong client secret refused",
    ids: &["oauth.token.bad-client-refused"],
};
pub const GRANT: CheckSpec = CheckSpec {
    name: "token: unknown grant_type refused with unsupported_grant_type",
    ids: &["oauth.token.unsupported-grant"],
};
pub const ERROR_FORMAT: CheckSpec = CheckSpec {
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
    ERROR_FORMAT,
];

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
    let mut c = LIFETIMES.start();
    c.skip(
        "oauth.code.lifetime",
        "judging it means holding a code for over 600 s, beyond a bounded run",
    );
    expired_refused(ctx, &mut c).await;
    ctx.finish(c);
    if !ctx.can_login() {
        for spec in &CHECKS[2..] {
            ctx.blocked(
                spec.start(),
                "needs unattended logins (login strategy form)",
            );
        }
        return;
    }
    let url = sdd.token_url.clone();
    let mut errors = ERROR_FORMAT.start();

    // Single use: redeem a fresh code twice; the replay fails and should revoke the first tokens.
    let mut c = CODE_USE.start();
    match fresh(ctx, &mut c).await {
        Ok(f) => {
            let first = redeem(
                ctx,
                &url,
                Some(&client),
                &f,
                None,
                None,
                &mut c,
                "token: redeem code",
            )
            .await;
            let again = redeem(
                ctx,
                &url,
                Some(&client),
                &f,
                None,
                None,
                &mut c,
                "token: replay code",
            )
            .await;
            if let Some(ex) = &again {
                c.ensure(
                    "oauth.code.single-use",
                    ex.status != 200,
                    format!("a replayed code is refused: got {}", ex.brief()),
                );
                judge_error(&mut errors, ex, "replayed code");
            }
            let tokens = first
                .as_ref()
                .and_then(|ex| token::parse(ex, ctx.http.redactor()).ok());
            if let Some(t) = tokens {
                let probe = super::get_credentials::get(
                    ctx,
                    &t.access_token,
                    "?limit=1",
                    "getCredentials with replayed code's token",
                )
                .await;
                match probe {
                    Ok(ex) => {
                        c.cite(&ex.tx);
                        c.ensure(
                            "oauth.code.reuse-revokes",
                            ex.status == 401 || ex.status == 403,
                            format!("after a code replay, tokens issued from that code stop working: got {}", ex.brief()),
                        );
                    }
                    Err(e) => {
                        c.cite(&e.tx);
                        c.error("oauth.code.reuse-revokes", e.message);
                    }
                }
            }
        }
        Err(e) => c.all(crate::evidence::Verdict::Error, &e),
    }
    ctx.finish(c);

    let mut c = PKCE.start();
    for (id, verifier) in [
        ("oauth.pkce.wrong-verifier-refused", Some(pkce::verifier())),
        ("oauth.pkce.missing-verifier-refused", None),
    ] {
        match fresh(ctx, &mut c).await {
            Ok(f) => {
                let v = Some(verifier.as_deref());
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
                    c.ensure(
                        id,
                        ex.status != 200,
                        format!(
                            "{}: code_verifier refused: got {}",
                            if verifier.is_some() {
                                "wrong"
                            } else {
                                "missing"
                            },
                            ex.brief()
                        ),
                    );
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
                c.ensure(
                    "oauth.code.bound",
                    ex.status != 200,
                    format!(
                        "a redirect_uri differing from the code's is refused: got {}",
                        ex.brief()
                    ),
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
                c.ensure(
                    "oauth.token.bad-client-refused",
                    matches!(ex.status, 400 | 401),
                    format!(
                        "a wrong client secret is refused with 400/401: got {}",
                        ex.brief()
                    ),
                );
            }
        }
        Err(e) => {
            c.error("oauth.token.bad-client-refused", e);
        }
    }
    ctx.finish(c);

    let mut c = GRANT.start();
    let req = Req::post(&url, "token: unknown grant_type")
        .basic(&client.client_id, &client.client_secret)
        .form(&[
            ("grant_type", "password"),
            ("username", "x"),
            ("password", "y"),
        ]);
    match ctx.send(req).await {
        Ok(ex) => {
            c.cite(&ex.tx);
            let err = ex
                .json()
                .and_then(|v| token::error_code(&v).map(str::to_string));
            c.ensure(
                "oauth.token.unsupported-grant",
                ex.status == 400 && err.as_deref() == Some("unsupported_grant_type"),
                format!(
                    "grant_type=password: 400 unsupported_grant_type: got {} error={err:?}",
                    ex.brief()
                ),
            );
            judge_error(&mut errors, &ex, "unknown grant_type");
        }
        Err(e) => {
            c.cite(&e.tx);
            c.error("oauth.token.unsupported-grant", e.message);
        }
    }
    ctx.finish(c);
    ctx.finish(errors);
}

/// Tokens living at most `SHORT_LIFETIME` seconds are waited out and retried.
const SHORT_LIFETIME: u64 = 5;

/// An expired access token is refused: judged when the lifetime is short enough to wait out.
async fn expired_refused(ctx: &mut Ctx, c: &mut Check) {
    let id = "oauth.token.expired-refused";
    let Some(t) = ctx.tokens.clone() else {
        c.skip(id, "no access token");
        return;
    };
    match t.expires_in {
        Some(e) if e <= SHORT_LIFETIME => {
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
                            "an access token past its expires_in ({e} s) is refused: got {}",
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

/// Authorize again with the read scope and return a fresh code.
async fn fresh(ctx: &mut Ctx, c: &mut Check) -> Result<Fresh, String> {
    let verifier = pkce::verifier();
    let scope = ctx.target.profile.scopes.credential_readonly.clone();
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
    match token::exchange_code(&ctx.http, &mut ctx.rec, url, auth, &p, label).await {
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
    c.ensure_eq(id, 200, ex.status, "a valid code exchange is answered 200");
    let ok = ex.status == 200;
    c.ensure(
        "oauth.token.form-encoded",
        ok,
        "a form-encoded authorization_code request with all parameters is accepted",
    );
    c.ensure(
        "oauth.token.basic-auth",
        ok,
        "the client authenticated with HTTP Basic client_id:client_secret",
    );
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
