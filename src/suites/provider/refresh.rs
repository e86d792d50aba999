//! Refresh (optional for the server): a refresh returns a new access token
//! that works for the read calls, may not widen the granted scope and only
//! works for the client it was issued to [OB §7.2; OB-CERT; FACTS §2.6].
//! Not applicable when the server issues no refresh token.

use super::Ctx;
use crate::oauth::register;
use crate::oauth::token;
use crate::registry::CheckSpec;

pub const NEW_TOKEN: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "refresh: a refresh returns a new, working access token",
    ids: &[
        "oauth.refresh.optional",
        "oauth.refresh.new-access-token",
        "oauth.refresh.new-token-works",
        "discovery.oauth2acg.refresh-url",
    ],
};
pub const ERRORS: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "refresh: an invalid refresh token gets 400 invalid_grant",
    ids: &["oauth.refresh.errors"],
};
pub const LIMITS: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
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
    let offered = "the token response carried a refresh_token: the server offers refresh tokens";
    let mut c = NEW_TOKEN.start();
    for i in NEW_TOKEN.ids {
        c.given(i, offered);
    }
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
                    ctx.refresh_worked = Some(ex.tx.clone());
                    if nt.access_token == t.access_token {
                        nt = same_second(ctx, &mut c, &url, &client, &rt, &t, nt).await;
                    } else {
                        c.pass(
                            id,
                            "the refresh answered a token response with a new access token (RFC 6749 §1.5 (H), §6)",
                        );
                    }
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
                Err(_) => {
                    let cause = crate::evidence::Cause::new(
                        id,
                        format!("the refresh was refused: {}", super::oauth_error(&ex)),
                    );
                    c.fail(id, cause.message.clone());
                    c.blocked_by("oauth.refresh.new-token-works", &cause);
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
    c.given("oauth.refresh.errors", offered);
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

/// A refreshed access token byte-identical to the old one. RFC 6749 §1.5 (H)
/// and §6 (and OB 3.0 §7.2, which follows them) say a refresh issues a new
/// access token; they do not say how tokens are made. A server whose tokens
/// are derived from the grant and the issuing second returns the same bytes
/// for a refresh in the same second: that is not the old token handed back.
/// So the verdict never depends on timing: wait past the second and refresh
/// once more with the latest refresh token; identical again is a failure
/// (the old token handed back), different is a pass that says what was seen.
#[allow(clippy::too_many_arguments)]
async fn same_second(
    ctx: &mut Ctx,
    c: &mut crate::evidence::Check,
    url: &str,
    client: &crate::oauth::ClientCreds,
    rt: &str,
    old: &token::Tokens,
    nt: token::Tokens,
) -> token::Tokens {
    let id = "oauth.refresh.new-access-token";
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let latest = nt.refresh_token.clone().unwrap_or_else(|| rt.to_string());
    // No scope: the refresh keeps the granted one (RFC 6749 §6).
    match token::refresh(&ctx.http, &mut ctx.rec, url, client, &latest, None).await {
        Ok(ex) => {
            c.cite(&ex.tx);
            match token::parse(&ex, ctx.http.redactor()) {
                Ok(again)
                    if again.access_token != old.access_token
                        && again.access_token != nt.access_token =>
                {
                    c.pass(
                        id,
                        "a refresh in the issuing second returned identical token bytes (time-derived tokens); a refresh 1.1 s later returned a new access token (RFC 6749 §6: a new access token is issued)",
                    );
                    return again;
                }
                Ok(_) => {
                    c.fail(
                        id,
                        "the refresh returned the old access token, also when repeated 1.1 s later (RFC 6749 §1.5 (H), §6: a new access token is issued)",
                    );
                }
                Err(_) => {
                    c.fail(
                        id,
                        format!("the refresh returned the old access token; a second refresh 1.1 s later was refused: {}", super::oauth_error(&ex)),
                    );
                }
            }
        }
        Err(f) => {
            c.cite(&f.tx);
            c.error(id, f.message);
        }
    }
    nt
}

async fn limits(ctx: &mut Ctx, url: &str, client: &crate::oauth::ClientCreds) {
    let mut c = LIMITS.start();
    for i in LIMITS.ids {
        c.given(
            i,
            "the token response carried a refresh_token: the server offers refresh tokens",
        );
    }
    if !ctx.can_login() {
        return ctx.blocked(c, "needs a further login (login strategy form)");
    }
    // A narrow grant with offline_access, refreshed asking for more.
    let sc = ctx.scopes.clone();
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
