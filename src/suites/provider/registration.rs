//! Dynamic client registration (RFC 7591 as profiled by OB §7.1): a valid
//! request is answered 201 with the client's credentials and the submitted
//! metadata echoed; an invalid one with 400 and a JSON error [FACTS §2.3].

use super::{Ctx, Login};
use crate::evidence::Verdict;
use crate::evidence::{Control, Refusal};
use crate::oauth::register;
use crate::registry::CheckSpec;
use serde_json::Value;

pub const REGISTER: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "registration: valid request is registered",
    ids: &[
        "oauth.registration.endpoint",
        "oauth.registration.no-initial-token",
        "oauth.registration.created-201",
        "oauth.registration.client-id",
        "oauth.registration.client-secret",
        "oauth.registration.issued-at",
        "oauth.registration.expires-at",
        "oauth.registration.echo",
    ],
};
pub const UNIQUE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "registration: each registration gets its own client_id",
    ids: &["oauth.registration.client-id-unique"],
};
pub const INVALID: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "registration: invalid request refused with 400 JSON",
    ids: &[
        "oauth.registration.missing-required-refused",
        "oauth.registration.validates-metadata",
        "oauth.registration.error",
    ],
};

pub const CHECKS: &[CheckSpec] = &[REGISTER, INVALID, UNIQUE];

/// RFC 7591 §3.2.2 error codes.
const REGISTRATION_ERRORS: &[&str] = &[
    "invalid_redirect_uri",
    "invalid_client_metadata",
    "invalid_software_statement",
    "unapproved_software_statement",
];

pub async fn run(ctx: &mut Ctx) {
    if matches!(ctx.target.login, Login::Token { .. }) {
        ctx.client = ctx.target.client.clone();
        for spec in CHECKS {
            ctx.blocked(
                spec.start(),
                "login strategy token: pre-issued tokens, registration not exercised",
            );
        }
        return;
    }
    let Some(url) = ctx.sdd.as_ref().map(|s| s.registration_url.clone()) else {
        for spec in CHECKS {
            ctx.blocked(spec.start(), "no usable SDD (see the discovery checks)");
        }
        ctx.client = ctx.target.client.clone();
        return;
    };
    let mut body = ctx.target.metadata.request_body(&ctx.full_scope());
    let mut c = REGISTER.start();
    c.subject(&url);
    let mut ex = match register::send(
        &ctx.http,
        &mut ctx.rec,
        &url,
        body.clone(),
        "register client",
    )
    .await
    {
        Ok(ex) => ex,
        Err(f) => {
            ctx.transport_error(c, &f);
            ctx.transport_error(INVALID.start(), &f);
            ctx.transport_error(UNIQUE.start(), &f);
            ctx.client = ctx.target.client.clone();
            return;
        }
    };
    // One refusal must not hide the rest: refused, the registration is
    // retried once with the least the rules allow, and judged on that.
    if !(200..300).contains(&ex.status)
        && let Some(least) = register::least_body(&ctx.target.metadata, &body, ctx.target.profile)
        && let Ok(again) = register::send(
            &ctx.http,
            &mut ctx.rec,
            &url,
            least.clone(),
            "register client (least)",
        )
        .await
    {
        c.cite(&ex.tx);
        ctx.rec.note(format!(
            "registration refused ({}); retried once with {}: {}",
            register::refusal(&ex),
            register::least_summary(),
            again.brief()
        ));
        if !(200..300).contains(&again.status) {
            ctx.rec.note(format!(
                "registration refused again ({}): check [client_metadata] in the target config, or give a [registered_client]",
                register::refusal(&again)
            ));
        }
        if (200..300).contains(&again.status) {
            let sent = body["scope"].as_str().unwrap_or("");
            if crate::oauth::scope::without_offline(&ctx.scopes, sent).is_some() {
                ctx.offline_refused = true;
            }
            ex = again;
            body = least;
        }
    }
    c.cite(&ex.tx);
    let ok = (200..300).contains(&ex.status);
    c.ensure(
        "oauth.registration.endpoint",
        ok,
        format!("a JSON registration POST is accepted: got {}", ex.brief()),
    );
    c.ensure(
        "oauth.registration.no-initial-token",
        ok,
        format!(
            "a registration without an Authorization header is accepted: got {}",
            ex.brief()
        ),
    );
    c.ensure_eq(
        "oauth.registration.created-201",
        201,
        ex.status,
        "a valid registration is answered 201 Created",
    );
    let v = ex.json().unwrap_or(Value::Null);
    let str_member = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    let time_member = |k: &str| v.get(k).is_some_and(Value::is_u64);
    c.ensure(
        "oauth.registration.client-id",
        str_member("client_id"),
        "client_id: non-empty string in the response",
    );
    c.ensure(
        "oauth.registration.client-secret",
        str_member("client_secret"),
        "client_secret: non-empty string in the response",
    );
    c.ensure(
        "oauth.registration.issued-at",
        time_member("client_id_issued_at"),
        "client_id_issued_at: non-negative integer seconds",
    );
    c.ensure(
        "oauth.registration.expires-at",
        time_member("client_secret_expires_at"),
        "client_secret_expires_at: non-negative integer seconds (0 = never)",
    );
    if v.is_object() {
        for k in ["client_name", "redirect_uris", "scope"] {
            c.ensure(
                "oauth.registration.echo",
                v.get(k).is_some(),
                format!("{k}: submitted member echoed in the response"),
            );
        }
        if let Some(r) = v.get("redirect_uris") {
            c.ensure(
                "oauth.registration.echo",
                r == &body["redirect_uris"],
                "redirect_uris echoed unchanged (the flow depends on them)",
            );
        }
    } else {
        c.fail(
            "oauth.registration.echo",
            format!("{}: response is not a JSON object", ex.brief()),
        );
    }
    match register::parse(&ex, ctx.http.redactor()) {
        Ok(creds) => ctx.client = Some(creds),
        Err(_) => {
            ctx.fail_step_from(super::Step::Registration, &c);
            ctx.client = ctx.target.client.clone();
        }
    }
    ctx.finish(c);

    // Invalid: a required member missing, and a plain-http redirect URI.
    let mut c = INVALID.start();
    c.subject(&url);
    let mut missing = body.clone();
    let body_for_unique = body.clone();
    if let Some(o) = missing.as_object_mut() {
        o.remove("client_name");
    }
    let mut http_redirect = body.clone();
    http_redirect["redirect_uris"] = serde_json::json!(["http://127.0.0.1/callback"]);
    let mut cross_host = body.clone();
    cross_host["logo_uri"] = serde_json::json!("https://other-host.example/logo.png");
    // The positive control: the valid registration above, in this run.
    let control = match &ctx.client {
        Some(_) if ok => Control::Succeeded(ex.tx.clone()),
        _ => Control::Refused(super::oauth_error(&ex)),
    };
    for (id, what, b, expected) in [
        (
            "oauth.registration.missing-required-refused",
            "client_name missing",
            missing,
            &["invalid_client_metadata"][..],
        ),
        (
            "oauth.registration.validates-metadata",
            "http redirect URI",
            http_redirect,
            &["invalid_redirect_uri", "invalid_client_metadata"][..],
        ),
        (
            "oauth.registration.validates-metadata",
            "logo_uri on another host than the other URLs",
            cross_host,
            &["invalid_client_metadata"][..],
        ),
    ] {
        match register::send(
            &ctx.http,
            &mut ctx.rec,
            &url,
            b,
            &format!("register client: {what}"),
        )
        .await
        {
            Ok(ex) => {
                c.cite(&ex.tx);
                let err = super::error_of(&ex);
                let got = if (200..300).contains(&ex.status) {
                    Refusal::Accepted(ex.brief())
                } else {
                    Refusal::Refused {
                        error: err.clone(),
                        seen: super::oauth_error(&ex),
                    }
                };
                c.refused(id, &control, &got, expected, what);
                let ok = ex.is_json_media_type()
                    && err
                        .as_deref()
                        .is_some_and(|e| REGISTRATION_ERRORS.contains(&e));
                if ex.status >= 400 {
                    c.ensure(
                        "oauth.registration.error",
                        ok,
                        format!(
                            "{what}: JSON body with an RFC 7591 error code: got {} error={err:?}",
                            ex.brief()
                        ),
                    );
                }
                if (200..300).contains(&ex.status) {
                    // Keep the accidental client's secret out of the report.
                    let _ = register::parse(&ex, ctx.http.redactor());
                }
            }
            Err(f) => {
                c.cite(&f.tx);
                c.error(id, f.message.clone());
            }
        }
    }
    if c.findings().next().is_none() {
        c.all(Verdict::Error, "no invalid request could be sent");
    }
    ctx.finish(c);

    // A second registration must get another client_id.
    let mut c = UNIQUE.start();
    c.subject(&url);
    match register::send(
        &ctx.http,
        &mut ctx.rec,
        &url,
        body_for_unique,
        "register a second client",
    )
    .await
    {
        Ok(ex) => {
            c.cite(&ex.tx);
            match (register::parse(&ex, ctx.http.redactor()), &ctx.client) {
                (Ok(second), Some(first)) => {
                    c.ensure(
                        "oauth.registration.client-id-unique",
                        second.client_id != first.client_id,
                        "two registrations get different client_id values",
                    );
                }
                (Err(e), _) => {
                    c.fail("oauth.registration.client-id-unique", e);
                }
                (_, None) => {
                    c.skip(
                        "oauth.registration.client-id-unique",
                        "the first registration gave no client",
                    );
                }
            }
        }
        Err(f) => {
            c.cite(&f.tx);
            c.error("oauth.registration.client-id-unique", f.message);
        }
    }
    ctx.finish(c);
}
