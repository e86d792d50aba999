//! Refresh and revocation requests (both optional for a consumer, judged
//! when made) and transport: every request reached the provider over TLS.

use super::{Ctx, TOKEN, given, scopes};
use crate::evidence::{Check, Recorder};
use crate::judge::exchange::{form, header};
use crate::registry::CheckSpec;

const REFRESH: &str = "oauth.refresh.client-request";
const REVOKE: &str = "oauth.revoke.client-request";
const TLS: &str = "transport.tls.client";
pub const REVOKE_PATH: &str = "/oauth/revoke";
/// The checks this step records, as the registry lists them.
pub const CHECKS: &[CheckSpec] = &[CheckSpec {
    at: crate::registry::here!(),
    name: "consumer refresh, revocation, transport",
    ids: &[REFRESH, REVOKE, TLS],
}];

pub fn run(ctx: &Ctx, rec: &mut Recorder) {
    let mut c = CHECKS[0].start();
    let refreshes: Vec<usize> = ctx
        .find("POST", TOKEN)
        .into_iter()
        .filter(|&i| given(&form(&ctx.ex[i]), "grant_type") == Some("refresh_token"))
        .collect();
    if refreshes.is_empty() {
        c.not_applicable(REFRESH, "the client did not refresh a token");
    }
    let granted: Vec<&str> = ctx
        .grants
        .iter()
        .flat_map(|g| scopes(given(&g.params, "scope").unwrap_or("")))
        .collect();
    for i in refreshes {
        ctx.cite(&mut c, i);
        let f = form(&ctx.ex[i]);
        let mut problems = form_problems(ctx, i);
        if given(&f, "refresh_token").is_none() {
            problems.push("refresh_token: missing".into());
        }
        let wider: Vec<&str> = scopes(given(&f, "scope").unwrap_or(""))
            .into_iter()
            .filter(|s| !granted.contains(s))
            .collect();
        if !wider.is_empty() {
            problems.push(format!("{}: scope wider than granted", wider.join(" ")));
        }
        judge(
            &mut c,
            REFRESH,
            problems,
            "a form-encoded refresh request with Basic auth",
        );
    }
    let revokes = ctx.find("", REVOKE_PATH);
    if revokes.is_empty() {
        c.not_applicable(REVOKE, "the client did not revoke a token");
    }
    for i in revokes {
        ctx.cite(&mut c, i);
        let f = form(&ctx.ex[i]);
        let mut problems = form_problems(ctx, i);
        if given(&f, "token").is_none() {
            problems.push("token: missing".into());
        }
        match given(&f, "token_type_hint") {
            Some("access_token" | "refresh_token") => {}
            Some(h) => problems.push(format!(
                "{h}: token_type_hint must be access_token or refresh_token"
            )),
            None => problems.push("token_type_hint: missing".into()),
        }
        judge(
            &mut c,
            REVOKE,
            problems,
            "token and token_type_hint, form-encoded, with Basic auth",
        );
    }
    c.clear_citations();
    if ctx.ex.is_empty() {
        c.skip(TLS, "the client made no request");
    } else if ctx.tls {
        c.pass(
            TLS,
            format!(
                "all {} requests arrived over TLS 1.2/1.3 (the provider serves nothing else)",
                ctx.ex.len()
            ),
        );
    } else {
        c.skip(
            TLS,
            "the session served plain HTTP (--plain-http): TLS not judged",
        );
    }
    rec.finish(c);
}

fn judge(c: &mut Check, id: &str, problems: Vec<String>, ok: &str) {
    if problems.is_empty() {
        c.pass(id, ok);
    } else {
        c.fail(id, problems.join("; "));
    }
}

/// POST, form-encoded, Basic credentials of a registered client.
fn form_problems(ctx: &Ctx, i: usize) -> Vec<String> {
    let e = &ctx.ex[i];
    let mut out = Vec::new();
    if e.method != "POST" {
        out.push(format!("{}: must be POST", e.method));
    }
    let ctype = header(e, "content-type").unwrap_or("");
    if !ctype
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        out.push(format!(
            "{ctype:?}: Content-Type must be application/x-www-form-urlencoded"
        ));
    }
    if !super::token::basic_client(ctx, i).is_some_and(|ok| ok) {
        out.push("no Basic credentials of the registered client".into());
    }
    out
}
