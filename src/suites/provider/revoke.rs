//! Revocation (RFC 7009, optional for the server): revoking answers 200
//! (also for an unknown token), a revoked access token stops working and a
//! revoked refresh token can no longer refresh [OB §7.3; OB-CERT; FACTS §2.6].
//! The SDD has no revocation field: the URL comes from the target config or
//! an `x-...revocationUrl` extension; without one this is not applicable.

use super::Ctx;
use crate::oauth::revoke::revoke;
use crate::oauth::token;
use crate::registry::CheckSpec;

pub const REVOKE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "revoke: revoked tokens stop working",
    ids: &[
        "oauth.revoke.optional",
        "oauth.revoke.request",
        "oauth.revoke.status-200",
        "oauth.revoke.later-calls-fail",
        "oauth.revoke.refresh-tokens",
        "oauth.revoke.unsupported-token-type",
    ],
};

pub const MORE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "revoke: a wrong token_type_hint still revokes; revoking a refresh token ends its access tokens",
    ids: &[
        "oauth.revoke.wrong-hint",
        "oauth.revoke.refresh-ends-access",
    ],
};

pub const CHECKS: &[CheckSpec] = &[REVOKE, MORE];

/// An API call with `token` (getCredentials for readers, else getProfile).
async fn call(
    ctx: &mut Ctx,
    token: &str,
    label: &str,
) -> Result<crate::http::Exchange, crate::http::Failure> {
    if ctx.reads() {
        super::get_credentials::get(ctx, token, "?limit=1", label).await
    } else {
        super::profile::get(ctx, token, label).await
    }
}

/// Before and after: `token` works now; `revoke_what` is revoked with
/// `hint`; then `token` must be refused. Records `id` (inconclusive when the
/// token did not work before).
#[allow(clippy::too_many_arguments)]
async fn before_after(
    ctx: &mut Ctx,
    c: &mut crate::evidence::Check,
    url: &str,
    client: &crate::oauth::ClientCreds,
    id: &str,
    token: &str,
    revoke_what: &str,
    hint: &str,
    what: &str,
) {
    let before = call(ctx, token, &format!("{what}: call before revocation")).await;
    if !super::step_ok(c, id, before, |ex| {
        format!(
            "the access token did not work before revocation either: got {}",
            ex.brief()
        )
    }) {
        return;
    }
    let revoked = revoke(&ctx.http, &mut ctx.rec, url, client, revoke_what, hint).await;
    if !super::step_ok(c, id, revoked, |ex| {
        format!(
            "the revocation itself was refused: {}",
            super::oauth_error(ex)
        )
    }) {
        return;
    }
    match call(ctx, token, &format!("{what}: call after revocation")).await {
        Ok(ex) => {
            c.cite(&ex.tx);
            c.ensure(
                id,
                matches!(ex.status, 401 | 403),
                format!("{what}: the access token worked (200) before; after the revocation (answered 200) it is refused: got {}", ex.brief()),
            );
        }
        Err(f) => {
            c.cite(&f.tx);
            c.error(id, f.message);
        }
    }
}

/// RFC 7009 §2.1, with fresh logins so the main tokens are not spent.
async fn more(ctx: &mut Ctx, url: &str, client: &crate::oauth::ClientCreds) {
    let mut c = MORE.start();
    c.subject(url);
    if !ctx.can_login() {
        return ctx.limited(c, "needs further logins (login strategy form)");
    }
    c.given(
        "oauth.revoke.wrong-hint",
        format!("{url}: a revocation endpoint is known"),
    );
    let scope = ctx.full_scope();
    match ctx.login(&scope).await {
        Ok((t, tx, _)) => {
            c.cite(&tx);
            let a = t.access_token.clone();
            before_after(
                ctx,
                &mut c,
                url,
                client,
                "oauth.revoke.wrong-hint",
                &a,
                &a,
                "refresh_token",
                "an access token revoked with token_type_hint=refresh_token",
            )
            .await;
        }
        Err(e) => {
            c.error("oauth.revoke.wrong-hint", format!("further login: {e}"));
        }
    }
    match ctx.login(&scope).await {
        Ok((t, tx, _)) => {
            c.cite(&tx);
            match &t.refresh_token {
                Some(r) => {
                    c.given(
                        "oauth.revoke.refresh-ends-access",
                        format!("{url}: revocation offered, and a refresh token was issued"),
                    );
                    let (a, r) = (t.access_token.clone(), r.clone());
                    before_after(
                        ctx,
                        &mut c,
                        url,
                        client,
                        "oauth.revoke.refresh-ends-access",
                        &a,
                        &r,
                        "refresh_token",
                        "the access token of a grant whose refresh token was revoked",
                    )
                    .await;
                }
                None => {
                    c.not_applicable(
                        "oauth.revoke.refresh-ends-access",
                        "no refresh token was issued",
                    );
                }
            }
        }
        Err(e) => {
            c.error(
                "oauth.revoke.refresh-ends-access",
                format!("further login: {e}"),
            );
        }
    }
    ctx.finish(c);
}

pub async fn run(ctx: &mut Ctx) {
    let mut c = REVOKE.start();
    let Some(url) = ctx.sdd.as_ref().and_then(|s| s.revocation_url.clone()) else {
        let why = "no revocation endpoint known (set revocation_url in the target config if the server has one)";
        c.all(crate::evidence::Verdict::NotApplicable, why);
        ctx.finish(c);
        let mut m = MORE.start();
        m.all(crate::evidence::Verdict::NotApplicable, why);
        return ctx.finish(m);
    };
    let (Some(t), Some(client)) = (ctx.tokens.clone(), ctx.client.clone()) else {
        ctx.blocked(MORE.start(), "no tokens or client to revoke with");
        return ctx.blocked(c, "no tokens or client to revoke with");
    };
    c.subject(&url);
    let offered = format!("{url}: a revocation endpoint is known");
    for i in [
        "oauth.revoke.request",
        "oauth.revoke.status-200",
        "oauth.revoke.later-calls-fail",
    ] {
        c.given(i, &offered);
    }
    if t.refresh_token.is_some() {
        c.given(
            "oauth.revoke.refresh-tokens",
            format!("{offered} and a refresh token was issued"),
        );
    }
    c.pass(
        "oauth.revoke.optional",
        format!("{url}: revocation endpoint offered"),
    );
    match revoke(
        &ctx.http,
        &mut ctx.rec,
        &url,
        &client,
        "unknown-token-0000",
        "access_token",
    )
    .await
    {
        Ok(ex) => {
            c.cite(&ex.tx);
            c.ensure_eq(
                "oauth.revoke.status-200",
                200,
                ex.status,
                "revoking an unknown token is answered 200",
            );
        }
        Err(f) => return ctx.transport_error(c, &f),
    }
    // The before half: the access token works now, with the call judged after revocation.
    let before = if ctx.reads() {
        super::get_credentials::get(
            ctx,
            &t.access_token,
            "?limit=1",
            "getCredentials before revocation",
        )
        .await
    } else {
        super::profile::get(ctx, &t.access_token, "getProfile before revocation").await
    };
    let worked_before = match &before {
        Ok(ex) => {
            c.cite(&ex.tx);
            ex.status == 200
        }
        Err(f) => {
            c.cite(&f.tx);
            false
        }
    };
    match revoke(
        &ctx.http,
        &mut ctx.rec,
        &url,
        &client,
        &t.access_token,
        "access_token",
    )
    .await
    {
        Ok(ex) => {
            c.cite(&ex.tx);
            c.ensure_eq(
                "oauth.revoke.status-200",
                200,
                ex.status,
                "revoking the access token is answered 200",
            );
            c.ensure(
                "oauth.revoke.request",
                ex.status == 200,
                format!("a form-encoded token + token_type_hint request with Basic auth is accepted: got {}", ex.brief()),
            );
            let after = if !worked_before {
                None
            } else if ctx.reads() {
                Some(
                    super::get_credentials::get(
                        ctx,
                        &t.access_token,
                        "?limit=1",
                        "getCredentials with a revoked token",
                    )
                    .await,
                )
            } else {
                Some(
                    super::profile::get(ctx, &t.access_token, "getProfile with a revoked token")
                        .await,
                )
            };
            match after {
                None => {
                    let got = before.map(|e| e.brief()).unwrap_or_else(|f| f.message);
                    c.skip(
                        "oauth.revoke.later-calls-fail",
                        format!("inconclusive: the token did not work before revocation either: got {got}"),
                    );
                }
                Some(Ok(ex)) => {
                    c.cite(&ex.tx);
                    c.ensure(
                        "oauth.revoke.later-calls-fail",
                        matches!(ex.status, 401 | 403),
                        format!("the access token worked (200) before revocation; after it, it is refused: got {}", ex.brief()),
                    );
                }
                Some(Err(f)) => {
                    c.cite(&f.tx);
                    c.error("oauth.revoke.later-calls-fail", f.message);
                }
            }
        }
        Err(f) => return ctx.transport_error(c, &f),
    }
    match (&t.refresh_token, ctx.sdd.clone()) {
        (Some(rt), Some(sdd)) => {
            match revoke(&ctx.http, &mut ctx.rec, &url, &client, rt, "refresh_token").await {
                Ok(ex) => {
                    c.cite(&ex.tx);
                    c.ensure_eq(
                        "oauth.revoke.status-200",
                        200,
                        ex.status,
                        "revoking the refresh token is answered 200",
                    );
                }
                Err(f) => return ctx.transport_error(c, &f),
            }
            let refresh_url = sdd.refresh_url.unwrap_or(sdd.token_url);
            match token::refresh(&ctx.http, &mut ctx.rec, &refresh_url, &client, rt, None).await {
                Ok(ex) => {
                    c.cite(&ex.tx);
                    let _ = token::parse(&ex, ctx.http.redactor());
                    match &ctx.refresh_worked {
                        Some(tx) => {
                            c.refused(
                                "oauth.revoke.refresh-tokens",
                                &crate::evidence::Control::Succeeded(tx.clone()),
                                &if ex.status == 200 {
                                    crate::evidence::Refusal::Accepted(ex.brief())
                                } else {
                                    crate::evidence::Refusal::Refused { error: super::error_of(&ex), seen: super::oauth_error(&ex) }
                                },
                                &["invalid_grant"],
                                "a refresh with a revoked refresh token (refreshing worked earlier in this run)",
                            );
                        }
                        None => {
                            c.skip(
                                "oauth.revoke.refresh-tokens",
                                format!("inconclusive: no refresh succeeded earlier in this run to compare with; after revocation: {}", super::oauth_error(&ex)),
                            );
                        }
                    }
                }
                Err(f) => {
                    c.cite(&f.tx);
                    c.error("oauth.revoke.refresh-tokens", f.message);
                }
            }
        }
        _ => {
            c.not_applicable("oauth.revoke.refresh-tokens", "no refresh token was issued");
        }
    }
    // An unsupported token_type_hint: accepted (200), or refused with unsupported_token_type.
    match revoke(
        &ctx.http,
        &mut ctx.rec,
        &url,
        &client,
        "some-token-0000",
        "id_token",
    )
    .await
    {
        Ok(ex) if ex.status == 200 => {
            c.cite(&ex.tx);
            c.not_applicable(
                "oauth.revoke.unsupported-token-type",
                "token_type_hint=id_token was accepted, not refused",
            );
        }
        Ok(ex) => {
            c.cite(&ex.tx);
            let err = ex
                .json()
                .and_then(|v| token::error_code(&v).map(str::to_string));
            c.given(
                "oauth.revoke.unsupported-token-type",
                format!(
                    "the server refused token_type_hint=id_token ({})",
                    ex.status
                ),
            );
            c.ensure(
                "oauth.revoke.unsupported-token-type",
                ex.status == 400 && err.as_deref() == Some("unsupported_token_type"),
                format!("a refused token_type_hint=id_token: 400 unsupported_token_type: got {} error={err:?}", ex.brief()),
            );
        }
        Err(f) => {
            c.cite(&f.tx);
            c.error("oauth.revoke.unsupported-token-type", f.message);
        }
    }
    ctx.tokens = None;
    ctx.finish(c);
    more(ctx, &url, &client).await;
}
