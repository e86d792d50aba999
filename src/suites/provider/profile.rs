//! getProfile / putProfile: `GET {base}/profile` answers 200 JSON with a
//! Profile (id, type Profile), the certification Profile id; `PUT` stores a
//! changed Profile, which a later GET returns [FACTS §1.2, §1.4, §6].

use super::Ctx;
use crate::evidence::Control;
use crate::http::{Exchange, Failure, Req};
use crate::registry::CheckSpec;
use serde_json::Value;

pub const GET: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "getProfile: 200 JSON Profile with the certification id",
    ids: &[
        "api.get-profile.supported",
        "api.get-profile.status-200",
        "api.get-profile.body",
        "api.get-profile.cert-id",
        "oauth.token.access-token-works",
        "api.get-profile.not-found",
    ],
};
pub const PUT: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "putProfile: a changed Profile is stored",
    ids: &[
        "api.put-profile.supported",
        "api.put-profile.json",
        "api.put-profile.status",
        "api.put-profile.persisted",
    ],
};

pub const PUT_INVALID: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "putProfile: a body that is not a Profile refused with 400",
    ids: &["api.put-profile.invalid-400"],
};

/// The getProfile area's checks.
pub const GET_CHECKS: &[CheckSpec] = &[GET];
/// The putProfile area's checks.
pub const PUT_CHECKS: &[CheckSpec] = &[PUT, PUT_INVALID];

/// `GET /profile` with `token`.
pub async fn get(ctx: &mut Ctx, token: &str, label: &str) -> Result<Exchange, Failure> {
    let url = ctx.api_url("/profile");
    ctx.send(
        Req::get(url, label)
            .bearer(token)
            .header("Accept", "application/json"),
    )
    .await
}

fn is_profile(v: &Value) -> bool {
    let typed = match v.get("type") {
        Some(Value::String(s)) => s == "Profile",
        Some(Value::Array(a)) => a.iter().any(|t| t == "Profile"),
        _ => false,
    };
    typed
        && v.get("id")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
}

/// Status and shape of a getProfile response (also used after refresh).
pub fn judge_get(ctx: &mut Ctx, ex: &Exchange, what: &str, cert_id: bool) {
    let mut c = GET.start();
    c.subject(&ex.url).cite(&ex.tx);
    let v = ex.json().filter(|_| ex.status == 200);
    c.ensure(
        "oauth.token.access-token-works",
        !matches!(ex.status, 401 | 403),
        format!(
            "{what}: a token with profile.readonly is accepted: got {}",
            ex.brief()
        ),
    );
    c.ensure(
        "api.get-profile.supported",
        !matches!(ex.status, 404 | 405 | 501),
        format!(
            "{what}: GET {{base_path}}/profile is implemented: got {}",
            ex.brief()
        ),
    );
    c.ensure(
        "api.get-profile.status-200",
        ex.status == 200 && ex.media_type() == "application/json",
        format!("{what}: 200 application/json: got {}", ex.brief()),
    );
    match &v {
        Some(p) if is_profile(p) => {
            let errs = crate::credential::schema::validate(
                crate::credential::schema::SchemaKind::Profile,
                crate::credential::schema::Generation::V2,
                p,
            );
            let msgs: Vec<&str> = errs.iter().take(3).map(|e| e.message.as_str()).collect();
            c.ensure(
                "api.get-profile.body",
                errs.is_empty(),
                format!("{what}: Profile valid against its schema {msgs:?}"),
            );
        }
        _ => {
            c.fail(
                "api.get-profile.body",
                format!("{what}: body is not a Profile with id and type Profile"),
            );
        }
    }
    match ex.status {
        200 => c.not_applicable("api.get-profile.not-found", "the user has a profile"),
        404 => {
            c.given(
                "api.get-profile.not-found",
                "getProfile answered 404: the user has no profile",
            );
            let info = ex.json().is_some_and(|v| {
                crate::suites::provider::errors::status_info_problems(&v).is_empty()
            });
            c.ensure(
                "api.get-profile.not-found",
                info,
                "404 for a user without a profile has an Imsx_StatusInfo body",
            )
        }
        _ => c.not_applicable(
            "api.get-profile.not-found",
            format!("getProfile answered {}", ex.brief()),
        ),
    };
    if cert_id && !ctx.target.certification {
        c.not_applicable(
            "api.get-profile.cert-id",
            "not a certification run (give --certification or set certification = true)",
        );
    }
    if cert_id && ctx.target.certification {
        c.given(
            "api.get-profile.cert-id",
            "--certification: a certification run",
        );
        let want = &ctx.target.profile.cert_profile_id;
        let got = v
            .as_ref()
            .and_then(|v| v.get("id"))
            .and_then(Value::as_str)
            .unwrap_or("");
        c.ensure_eq(
            "api.get-profile.cert-id",
            want.as_str(),
            got,
            format!("{what}: the Profile id"),
        );
    }
    ctx.finish(c);
}

pub async fn run_get(ctx: &mut Ctx) {
    // Need::Login: without a token the runner closed these checks.
    let Ok(token) = ctx.token() else { return };
    match get(ctx, &token, "getProfile").await {
        Ok(ex) => judge_get(ctx, &ex, "getProfile", true),
        Err(f) => ctx.transport_error(GET.start(), &f),
    }
}

pub async fn run_put(ctx: &mut Ctx) {
    // Need::Login: without a token the runner closed these checks.
    let Ok(token) = ctx.token() else { return };
    let mut c = PUT.start();
    let original = match get(ctx, &token, "getProfile (before put)").await {
        Ok(ex) => {
            c.cite(&ex.tx);
            ex.json().filter(|v| ex.status == 200 && is_profile(v))
        }
        Err(f) => {
            ctx.transport_error(PUT_INVALID.start(), &f);
            return ctx.transport_error(c, &f);
        }
    };
    let Some(original) = original else {
        ctx.blocked(
            PUT_INVALID.start(),
            "getProfile returned no Profile to change",
        );
        return ctx.blocked(c, "getProfile returned no Profile to change");
    };
    let mut changed = original.clone();
    let name = format!("clr-conformance {}", crate::oauth::pkce::random(8));
    changed["name"] = Value::String(name.clone());
    let url = ctx.api_url("/profile");
    let control;
    let put = Req::new(http::Method::PUT, &url, "putProfile")
        .bearer(&token)
        .json(changed.clone());
    match ctx.send(put).await {
        Ok(ex) => {
            c.subject(&url).cite(&ex.tx);
            if matches!(ex.status, 404 | 405 | 501) {
                c.cite(&ex.tx);
                let why = format!("putProfile not implemented ({})", ex.brief());
                c.all(crate::evidence::Verdict::NotApplicable, &why);
                let mut d = PUT_INVALID.start();
                d.subject(&url).cite(&ex.tx);
                d.all(crate::evidence::Verdict::NotApplicable, &why);
                ctx.finish(c);
                return ctx.finish(d);
            }
            c.pass(
                "api.put-profile.supported",
                "PUT {base_path}/profile is implemented",
            );
            let how = format!(
                "putProfile answered {}, not 404/405/501: implemented",
                ex.status
            );
            ctx.put_profile = Some(how.clone());
            c.given("api.put-profile.json", &how)
                .given("api.put-profile.status", &how)
                .given(
                    "api.put-profile.persisted",
                    format!("{how}; getProfile answered 200 with a Profile"),
                );
            let ok = ex.status == 200 || ex.status == 202;
            control = if ok {
                Control::Succeeded(ex.brief())
            } else {
                Control::Refused(ex.brief())
            };
            c.ensure(
                "api.put-profile.json",
                ok,
                format!(
                    "an application/json Profile is accepted: got {}",
                    ex.brief()
                ),
            );
            c.ensure(
                "api.put-profile.status",
                ok,
                format!(
                    "putProfile answered 200 (or 202 accepted): got {}",
                    ex.brief()
                ),
            );
        }
        Err(f) => {
            ctx.transport_error(PUT_INVALID.start(), &f);
            return ctx.transport_error(c, &f);
        }
    }
    match get(ctx, &token, "getProfile (after put)").await {
        Ok(ex) => {
            c.cite(&ex.tx);
            let got = ex
                .json()
                .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_string));
            c.ensure(
                "api.put-profile.persisted",
                got.as_deref() == Some(name.as_str()),
                format!(
                    "getProfile after putProfile returns the stored name {name:?}: got {got:?}"
                ),
            );
        }
        Err(f) => {
            c.cite(&f.tx);
            c.error("api.put-profile.persisted", f.message);
        }
    }
    ctx.finish(c);
    put_invalid(ctx, &url, &token, &original, &control).await;
    // Put the original back so the target is left as found.
    let restore = Req::new(http::Method::PUT, &url, "putProfile (restore)")
        .bearer(&token)
        .json(original);
    let _ = ctx.send(restore).await;
}

/// The invalid-Profile probe: the user's own Profile typed as an Achievement.
pub fn not_a_profile(original: &Value) -> Value {
    let mut v = original.clone();
    v["type"] = serde_json::json!(["Achievement"]);
    v
}

/// A body that is not a Profile is refused with 400, judged only after the
/// valid putProfile (the positive control) succeeded in this run.
async fn put_invalid(ctx: &mut Ctx, url: &str, token: &str, original: &Value, control: &Control) {
    let mut c = PUT_INVALID.start();
    let id = "api.put-profile.invalid-400";
    c.given(
        id,
        "putProfile answered other than 404/405/501: implemented",
    );
    if c.without_control(id, control, "a valid putProfile") {
        return ctx.finish(c);
    }
    let put = Req::new(http::Method::PUT, url, "putProfile (not a Profile)")
        .bearer(token)
        .json(not_a_profile(original));
    match ctx.send(put).await {
        Ok(ex) => {
            c.subject(url).cite(&ex.tx);
            let stored = if (200..300).contains(&ex.status) {
                " (accepted: the user's Profile is put back next)"
            } else {
                ""
            };
            c.ensure_eq(
                id,
                400,
                ex.status,
                format!("the user's Profile with type [\"Achievement\"]: refused with 400{stored}"),
            );
        }
        Err(f) => {
            c.cite(&f.tx);
            c.error(id, f.message);
        }
    }
    ctx.finish(c);
}
