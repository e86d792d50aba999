//! Refresh (optional for the server): a refresh returns a new access token
//! that works for the read calls, may not widen the granted scope and only
//! works for the client it was issued to [OB §7.2; OB-CERT; FACTS §2.6].
//! Not applicable when the server issues no refresh token.

use super::Ctx;
use crate::oauth::register;
use crate::oauth::token;
use crate::suites::CheckSpec;

pub const NEW_TOKEN: CheckSpec = CheckSpec {
    name: "refresh: a refresh returns a new, working access token",
    ids: &[
        "oauth.refresh.optional",
        "oauth.refresh.new-access-token",
        "oauth.refresh.new-token-works",
        "discovery.oauth2acg.refresh-url",
    ],
};
pub const ERRORS: CheckSpec = CheckSpec {
    name: "refresh: an invalid refresh token gets 400 invalid_grant",
    ids: &["oauth.refresh.errors"],
};
pub const LIMITS: CheckSpec = CheckSpec {
    name: "refresh: no wider scope, no other client",
    ids: &[
        "oauth.refresh.scope-not-exceed",
        "oauth.refresh.client-auth",
    ],
};

pub const CHECKS: &[CheckSpec] = &[NEW_TOKEN, ERRORS, LIMITS];

pub async fn run(ctx: &mut Ctx) {
    let (Some(t), Some(sdd), Some(client)) =
        (ctx.tokens.clone(), ctx.sdd.clone(), ctx.client.clone())
    else {
        let why = if ctx.tokens.is_some() {
            "no token URL or client to refresh with"
        } else {
            "no tokens were obtained"
        };
        for spec in CHECKS {
            ctx.blocked(spec.start(), why);
        }
        return;
    };
    let Some(rt) = t.refresh_token.clone() else {
        for spec in CHECKS {
            let mut c = spec.start();
            c.all(
                crate::evidence::Verdict::NotApplicable,
                "the server issued no refresh token (refresh not offered)",
            );
            ctx.finish(c);
        }
        return;
    };
    let url = sdd.refresh_url.clone().unwrap_or(sdd.token_url.clone());
    let mut c = NEW_TOKEN.start();
    let id = "oauth.refresh.new-access-token";
    c.pass("oauth.refresh.optional", "the server issues refresh tokens");
    c.ensure(
        "discovery.oauth2acg.refresh-url",
        sdd.refresh_url.is_some(),
        "the server issues refresh tokens and the SDD gives OAuth2ACG.flows.authorizationCode.refreshUrl",
    );
    match token::refresh(&ctx.http, &mut ctx.rec, &url, &client, &rt, None).await {
        Ok(ex) => {
            c.subject(&url).cite(&ex.tx);
            match token::parse(&ex, ctx.http.redactor()) {
                Ok(mut nt) => {
                    c.ensure(
                        id,
                        nt.access_token != t.access_token,
                        "the refreshed access token differs from the old one",
                    );
                    if nt.refresh_token.is_none() {
                        nt.refresh_token = Some(rt.clone());
                    }
                    ctx.tokens = Some(nt.clone());
                    // The read calls again, with the new token.
                    if ctx.reads() {
                        if let Ok(ex) = super::get_credentials::get(
                            ctx,
                            &nt.access_token,
                            "",
                            "getCredentials (refreshed token)",
                        )
                        .await
                        {
                            c.cite(&ex.tx);
                            c.ensure(
                                "oauth.refresh.new-token-works",
                                ex.status == 200,
                                format!(
                                    "getCredentials works with the refreshed token: got {}",
                                    ex.brief()
                                ),
                            );
                            super::get_credentials::judge_status(
                                ctx,
                                &ex,
                                "getCredentials (refreshed token)",
                            );
                        }
                        if let Ok(ex) = super::profile::get(
                            ctx,
                            &nt.access_token,
                            "getProfile (refreshed token)",
                        )
                        .await
                        {
                            c.cite(&ex.tx);
                            c.ensure(
                                "oauth.refresh.new-token-works",
                                ex.status == 200,
                                format!(
                                    "getProfile works with the refreshed token: got {}",
                                    ex.brief()
                                ),
                            );
                            super::profile::judge_get(
                                ctx,
                                &ex,
                                "getProfile (refreshed token)",
                                false,
                            );
                        }
                    }
                }
                Err(e) => {
                    c.fail(id, format!("the refresh was refused: {e}"));
                }
            }
        }
        Err(f) => {
            c.cite(&f.tx);
            c.error(id, f.message);
        }
    }
    ctx.finish(c);
    let mut c = ERRORS.start();
    match token::refresh(
        &ctx.http,
        &mut ctx.rec,
        &url,
        &client,
        "invalid-refresh-token-0000",
        None,
    )
    .await
    {
        Ok(ex) => {
            c.subject(&url).cite(&ex.tx);
            let err = ex
                .json()
                .and_then(|v| token::error_code(&v).map(str::to_string));
            c.ensure(
                "oauth.refresh.errors",
                ex.status == 400
                    && ex.is_json_media_type()
                    && err.as_deref() == Some("invalid_grant"),
                format!(
                    "an invalid refresh token: 400 JSON invalid_grant: got {} error={err:?}",
                    ex.brief()
                ),
            );
        }
        Err(f) => {
            c.cite(&f.tx);
            c.error("oauth.refresh.errors", f.message);
        }
    }
    ctx.finish(c);
    limits(ctx, &url, &client).await;
}

async fn limits(ctx: &mut Ctx, url: &str, client: &crate::oauth::ClientCreds) {
    let mut c = LIMITS.start();
    if !ctx.can_login() {
        return ctx.blocked(c, "needs a further login (login strategy form)");
    }
    // A narrow grant with offline_access, refreshed asking for more.
    let sc = ctx.target.profile.scopes.clone();
    let narrow = format!("{} {}", sc.credential_readonly, sc.offline_access);
    match ctx.login(&narrow).await {
        Ok((t, tx, _)) => {
            c.cite(&tx);
            let Some(rt) = t.refresh_token.clone() else {
                c.all(
                    crate::evidence::Verdict::Skip,
                    "the narrow login got no refresh token",
                );
                return ctx.finish(c);
            };
            let wide = ctx.full_scope();
            match token::refresh(&ctx.http, &mut ctx.rec, url, client, &rt, Some(&wide)).await {
                Ok(ex) => {
                    c.cite(&ex.tx);
                    let _ = token::parse(&ex, ctx.http.redactor());
                    c.ensure(
                        "oauth.refresh.scope-not-exceed",
                        ex.status != 200,
                        format!(
                            "a refresh asking for more than the granted scope is refused: got {}",
                            ex.brief()
                        ),
                    );
                }
                Err(f) => {
                    c.cite(&f.tx);
                    c.error("oauth.refresh.scope-not-exceed", f.message);
                }
            }
            // Another client presenting this client's refresh token.
            let reg = ctx
                .sdd
                .as_ref()
                .map(|s| s.registration_url.clone())
                .unwrap_or_default();
            let body = ctx.target.metadata.request_body(&ctx.full_scope());
            match register::send(
                &ctx.http,
                &mut ctx.rec,
                &reg,
                body,
                "register a second client",
            )
            .await
            {
                Ok(ex) => match register::parse(&ex, ctx.http.redactor()) {
                    Ok(other) => {
                        match token::refresh(&ctx.http, &mut ctx.rec, url, &other, &rt, None).await
                        {
                            Ok(ex) => {
                                c.cite(&ex.tx);
                                let _ = token::parse(&ex, ctx.http.redactor());
                                c.ensure(
                                    "oauth.refresh.client-auth",
                                    ex.status != 200,
                                    format!(
                                        "another client's refresh token is refused: got {}",
                                        ex.brief()
                                    ),
                                );
                            }
                            Err(f) => {
                                c.cite(&f.tx);
                                c.error("oauth.refresh.client-auth", f.message);
                            }
                        }
                    }
                    Err(e) => {
                        c.skip(
                            "oauth.refresh.client-auth",
                            format!("no second client: {e}"),
                        );
                    }
                },
                Err(f) => {
                    c.cite(&f.tx);
                    c.error("oauth.refresh.client-auth", f.message);
                }
            }
        }
        Err(e) => c.all(
            crate::evidence::Verdict::Error,
            &format!("narrow login: {e}"),
        ),
    }
    ctx.finish(c);
}
