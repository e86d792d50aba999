//! The authorization request: a browser GET to the authorization URL with
//! response_type=code, a registered client and redirect URI, the role's
//! scopes, an unguessable state and a PKCE S256 challenge. Whether the
//! client rejects a wrong state in the response is not judged: that needs a
//! provider that answers with a wrong state.

use super::{AUTHORIZE, Ctx, given, scopes};
use crate::evidence::{Check, Recorder};
use crate::judge::exchange::{count, query};
use crate::registry::CheckSpec;

const REDIRECT: &str = "consumer.authorize.browser-redirect";
const PARAMS: &str = "consumer.authorize.params";
const S256: &str = "consumer.pkce.s256";
const STATE: &str = "consumer.state.present";
const REQUIRED: &str = "consumer.scope.required";
const MINIMAL: &str = "consumer.scope.minimal";

/// Shortest state we accept as unguessable.
const MIN_STATE: usize = 8;
/// The checks this step records, as the registry lists them.
pub const CHECKS: &[CheckSpec] = &[CheckSpec {
    at: crate::registry::here!(),
    name: "consumer authorization request",
    ids: &[REDIRECT, PARAMS, S256, STATE, REQUIRED, MINIMAL],
}];

pub fn run(ctx: &Ctx, rec: &mut Recorder) {
    let mut c = CHECKS[0].start();
    let gets = ctx.find("GET", AUTHORIZE);
    if gets.is_empty() {
        let why = format!("authorization request never happened: no GET {AUTHORIZE} was recorded");
        for id in [REDIRECT, PARAMS, S256, STATE, REQUIRED] {
            c.fail(id, why.clone());
        }
        c.skip(MINIMAL, "authorization request never happened");
        rec.finish(c);
        return;
    }
    let mut states: Vec<String> = Vec::new();
    let mut asked: Vec<String> = Vec::new();
    for &i in &gets {
        ctx.cite(&mut c, i);
        let q = query(&ctx.ex[i]);
        c.ensure(
            REDIRECT,
            given(&q, "client_id").is_some(),
            "GET with the parameters in the query string",
        );
        params(ctx, &mut c, &q);
        let method = given(&q, "code_challenge_method").unwrap_or("(none)");
        match given(&q, "code_challenge") {
            None => c.fail(S256, "no code_challenge: PKCE not used"),
            Some(_) if method != "S256" => c.fail(
                S256,
                format!("{method}: code_challenge_method must be S256"),
            ),
            Some(ch) if !is_s256_challenge(ch) => c.fail(
                S256,
                format!("{ch}: code_challenge is not 43 base64url characters (a SHA-256 value)"),
            ),
            Some(_) => c.pass(
                S256,
                "code_challenge_method=S256 with a 43-character challenge",
            ),
        };
        match given(&q, "state") {
            None => c.fail(STATE, "no state parameter"),
            Some(s) if s.len() < MIN_STATE => c.fail(
                STATE,
                format!("{s}: state too short to be unguessable (under {MIN_STATE} characters)"),
            ),
            Some(s) if states.iter().any(|x| x == s) => c.fail(
                STATE,
                format!("{s}: state reused across authorization requests"),
            ),
            Some(s) => {
                states.push(s.to_string());
                c.pass(STATE, "a fresh state value")
            }
        };
        for s in scopes(given(&q, "scope").unwrap_or("")) {
            if !asked.iter().any(|a| a == s) {
                asked.push(s.to_string());
            }
        }
    }
    c.clear_citations();
    ctx.cite(&mut c, gets[0]);
    let lacking: Vec<&str> = ctx
        .required_scopes()
        .into_iter()
        .filter(|s| !asked.iter().any(|a| a == s))
        .collect();
    c.ensure(
        REQUIRED,
        lacking.is_empty(),
        if lacking.is_empty() {
            format!("requested: {}", asked.join(" "))
        } else {
            format!(
                "{}: needed by the role but never requested",
                lacking.join(" ")
            )
        },
    );
    let allowed = ctx.allowed_scopes();
    let extra: Vec<&String> = asked
        .iter()
        .filter(|a| !allowed.contains(&a.as_str()))
        .collect();
    c.ensure(
        MINIMAL,
        extra.is_empty(),
        if extra.is_empty() {
            "no scope beyond the role's".to_string()
        } else {
            format!(
                "{}: beyond what the role needs",
                extra
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        },
    );
    rec.finish(c);
}

fn params(ctx: &Ctx, c: &mut Check, q: &[(String, String)]) {
    let mut problems = Vec::new();
    for k in [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ] {
        if given(q, k).is_none() {
            problems.push(format!("{k}: missing"));
        } else if count(q, k) > 1 {
            problems.push(format!("{k}: given more than once"));
        }
    }
    if let Some(rt) = given(q, "response_type")
        && rt != "code"
    {
        problems.push(format!("{rt}: response_type must be code"));
    }
    if let Some(id) = given(q, "client_id") {
        match ctx.client(id) {
            None => problems.push(format!("{id}: client_id was not registered")),
            Some(client) => {
                if let Some(r) = given(q, "redirect_uri")
                    && !client.redirect_uris.iter().any(|u| u == r)
                {
                    problems.push(format!(
                        "{r}: redirect_uri is not one the client registered"
                    ));
                }
            }
        }
    }
    c.ensure(
        PARAMS,
        problems.is_empty(),
        if problems.is_empty() {
            "every authorization parameter present, client and redirect_uri registered".to_string()
        } else {
            ctx.red.text(&problems.join("; "))
        },
    );
}

/// 43 base64url characters: BASE64URL(SHA-256) without padding.
pub fn is_s256_challenge(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
