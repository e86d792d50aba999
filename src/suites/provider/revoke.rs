//! Revocation (RFC 7009, optional for the server): revoking answers 200
//! (also for an unknown token), a revoked access token stops working and a
//! revoked refresh token can no longer refresh [OB §7.3; OB-CERT; FACTS §2.6].
//! The SDD has no revocation field: the URL comes from the target config or
//! an `x-...revocationUrl` extension; without one this is not applicable.

use super::Ctx;
use crate::oauth::revoke::revoke;
use crate::oauth::token;
use crate::suites::CheckSpec;

pub const REVOKE: CheckSpec = CheckSpec {
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

pub const CHECKS: &[CheckSpec] = &[REVOKE];

pub async fn run(ctx: &mut Ctx) {
    let mut c = REVOKE.start();
    let Some(url) = ctx.sdd.as_ref().and_then(|s| s.revocation_url.clone()) else {
        c.all(
            crate::evidence::Verdict::NotApplicable,
            "no revocation endpoint known (set revocation_url in the target config if the server has one)",
        );
        return ctx.finish(c);
    };
    let (Some(t), Some(client)) = (ctx.tokens.clone(), ctx.client.clone()) else {
        return ctx.blocked(c, "no tokens or client to revoke with");
    };
    c.subject(&url);
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
            match super::get_credentials::get(
                ctx,
                &t.access_token,
                "?limit=1",
                "getCredentials with a revoked token",
            )
            .await
            {
                Ok(ex) => {
                    c.cite(&ex.tx);
                    c.ensure(
                        "oauth.revoke.later-calls-fail",
                        matches!(ex.status, 401 | 403),
                        format!("a revoked access token is refused: got {}", ex.brief()),
                    );
                }
                Err(f) => {
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
                    c.ensure(
                        "oauth.revoke.refresh-tokens",
                        ex.status != 200,
                        format!("a revoked refresh token cannot refresh: got {}", ex.brief()),
                    );
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
}
