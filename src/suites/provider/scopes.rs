//! Scope enforcement: every API endpoint refuses a request without a token
//! (401 with WWW-Authenticate) and a token lacking its scope (401/403,
//! preferably 403); a narrow login is granted no more than it asked for
//! [FACTS §1.2, §2.1; OB §7].

use super::Ctx;
use crate::http::{Exchange, Req};
use crate::registry::CheckSpec;

pub const NO_TOKEN: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "scopes: requests without a valid token get 401 with WWW-Authenticate",
    ids: &[
        "api.auth.token-required",
        "api.auth.unauthenticated-401",
        "api.auth.www-authenticate",
    ],
};
pub const WRONG_SCOPE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "scopes: a token lacking an endpoint's scope is refused",
    ids: &[
        "api.auth.scope.get-credentials",
        "api.auth.scope.upsert-credential",
        "api.auth.scope.get-profile",
        "api.auth.scope.put-profile",
        "api.auth.insufficient-scope-403",
    ],
};
pub const GRANTED: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "scopes: a narrow login is granted only the requested scope",
    ids: &["oauth.authorize.scope", "oauth.token.scope-subset"],
};

pub const CHECKS: &[CheckSpec] = &[NO_TOKEN, WRONG_SCOPE, GRANTED];

/// (requirement id, method, path, whether it writes).
const ENDPOINTS: &[(&str, &str, &str, bool)] = &[
    (
        "api.auth.scope.get-credentials",
        "GET",
        "/credentials",
        false,
    ),
    (
        "api.auth.scope.upsert-credential",
        "POST",
        "/credentials",
        true,
    ),
    ("api.auth.scope.get-profile", "GET", "/profile", false),
    ("api.auth.scope.put-profile", "PUT", "/profile", true),
];

fn request(ctx: &Ctx, method: &str, path: &str, token: Option<&str>, label: &str) -> Req {
    let m = http::Method::from_bytes(method.as_bytes()).unwrap_or(http::Method::GET);
    let mut r = Req::new(m, ctx.api_url(path), label).header("Accept", "application/json");
    if let Some(t) = token {
        r = r.bearer(t);
    }
    if method != "GET" {
        // A harmless body: refusal must come before it is looked at.
        r = r.json(serde_json::json!({"id": "urn:uuid:00000000-0000-4000-a000-000000000000", "type": ["Profile"]}));
    }
    r
}

fn wanted(ctx: &Ctx, writes: bool) -> bool {
    if writes {
        ctx.writes()
    } else {
        ctx.reads() || ctx.writes()
    }
}

pub async fn run(ctx: &mut Ctx) {
    no_token(ctx).await;
    if ctx.unreachable.is_some() {
        ctx.blocked(WRONG_SCOPE.start(), "");
        ctx.blocked(GRANTED.start(), "");
        return;
    }
    if !ctx.can_login() {
        let why = "needs tokens with single scopes (login strategy form)";
        ctx.blocked(WRONG_SCOPE.start(), why);
        ctx.blocked(GRANTED.start(), why);
        return;
    }
    let sc = ctx.scopes.clone();
    let mut g = GRANTED.start();
    for scope in [sc.credential_readonly.clone(), sc.profile_readonly.clone()] {
        match ctx.login(&scope).await {
            Ok((t, tx, redirect_scope)) => {
                g.cite(&tx);
                let extra = |granted: &str| -> Vec<String> {
                    granted
                        .split_whitespace()
                        .filter(|s| *s != scope)
                        .map(str::to_string)
                        .collect()
                };
                let token_extra = extra(t.scope.as_deref().unwrap_or(&scope));
                let grant_extra = extra(redirect_scope.as_deref().unwrap_or(&scope));
                g.ensure(
                    "oauth.token.scope-subset",
                    token_extra.is_empty() && grant_extra.is_empty(),
                    format!("login asking for {scope}: granted and token scope are subsets: extra {grant_extra:?} / {token_extra:?}"),
                );
                g.ensure(
                    "oauth.authorize.scope",
                    grant_extra.is_empty(),
                    format!("login asking for {scope}: the authorization grants only the requested scope: extra {grant_extra:?}"),
                );
                ctx.narrow.push((scope, t));
            }
            Err(e) => {
                g.error(
                    "oauth.token.scope-subset",
                    format!("login asking for {scope}: {e}"),
                );
            }
        }
    }
    ctx.finish(g);
    wrong_scope(ctx).await;
}

async fn no_token(ctx: &mut Ctx) {
    let mut c = NO_TOKEN.start();
    for (_, method, path, writes) in ENDPOINTS {
        if !wanted(ctx, *writes) {
            continue;
        }
        for (token, what) in [
            (None, "no token"),
            (Some("invalid-token-0000"), "an unknown token"),
        ] {
            let label = format!("{method} {path} with {what}");
            let req = request(ctx, method, path, token, &label);
            match ctx.send(req).await {
                Ok(ex) => {
                    c.subject(&ex.url).cite(&ex.tx);
                    judge_no_token(&mut c, &ex, &label);
                }
                Err(f) => return ctx.transport_error(c, &f),
            }
        }
    }
    ctx.finish(c);
}

fn judge_no_token(c: &mut crate::evidence::Check, ex: &Exchange, label: &str) {
    c.ensure(
        "api.auth.token-required",
        ex.status >= 400,
        format!("{label}: refused: got {}", ex.brief()),
    );
    c.ensure_eq(
        "api.auth.unauthenticated-401",
        401,
        ex.status,
        format!("{label}: status"),
    );
    if ex.status == 401 {
        let wa = ex.header("www-authenticate").unwrap_or("");
        c.ensure(
            "api.auth.www-authenticate",
            wa.to_ascii_lowercase().starts_with("bearer"),
            format!("{label}: 401 carries WWW-Authenticate: Bearer: got {wa:?}"),
        );
    }
}

async fn wrong_scope(ctx: &mut Ctx) {
    let mut c = WRONG_SCOPE.start();
    let sc = ctx.scopes.clone();
    let token_for = |ctx: &Ctx, s: &str| {
        ctx.narrow
            .iter()
            .find(|(x, _)| x == s)
            .map(|(_, t)| t.access_token.clone())
    };
    // The credential-only token must fail on the profile and write endpoints; the profile-only one on getCredentials.
    let cred_only = token_for(ctx, &sc.credential_readonly);
    let profile_only = token_for(ctx, &sc.profile_readonly);
    for (id, method, path, writes) in ENDPOINTS {
        if !wanted(ctx, *writes) {
            continue;
        }
        let (token, holder) = if *id == "api.auth.scope.get-credentials" {
            (profile_only.clone(), "profile.readonly")
        } else {
            (cred_only.clone(), "credential.readonly")
        };
        let Some(token) = token else {
            c.skip(id, format!("no {holder}-only token was obtained"));
            continue;
        };
        let label = format!("{method} {path} with a {holder}-only token");
        let req = request(ctx, method, path, Some(&token), &label);
        match ctx.send(req).await {
            Ok(ex) => {
                c.subject(&ex.url).cite(&ex.tx);
                let f = c.ensure(
                    id,
                    matches!(ex.status, 401 | 403),
                    format!("{label}: refused with 401/403: got {}", ex.brief()),
                );
                if let Some(how) = ctx
                    .put_profile
                    .as_ref()
                    .filter(|_| *id == "api.auth.scope.put-profile")
                {
                    f.held(how.clone());
                }
                c.ensure_eq(
                    "api.auth.insufficient-scope-403",
                    403,
                    ex.status,
                    format!("{label}: status"),
                );
            }
            Err(f) => {
                c.cite(&f.tx);
                c.error(id, f.message);
            }
        }
    }
    ctx.finish(c);
}
