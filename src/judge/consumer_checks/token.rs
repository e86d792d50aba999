//! The token request: HTTP Basic client authentication, a form body with
//! the code, the same redirect_uri, scope, and a code_verifier matching the
//! challenge of the authorization request that produced the code.

use super::{Ctx, TOKEN, given};
use crate::evidence::{Check, Recorder};
use crate::judge::exchange::{form, header};
use crate::registry::CheckSpec;
use base64::Engine;
use sha2::{Digest, Sha256};

const BASIC: &str = "consumer.token.basic-auth";
const PARAMS: &str = "consumer.token.params";
const S256: &str = "consumer.pkce.s256";
const VERIFIER: &str = "consumer.pkce.verifier";
/// The checks this step records, as the registry lists them.
pub const CHECKS: &[CheckSpec] = &[CheckSpec {
    at: crate::registry::here!(),
    name: "consumer token request",
    ids: &[BASIC, PARAMS, S256, VERIFIER],
}];

pub fn run(ctx: &Ctx, rec: &mut Recorder) {
    let mut c = CHECKS[0].start();
    let posts = ctx.find("POST", TOKEN);
    let codes: Vec<usize> = posts
        .iter()
        .copied()
        .filter(|&i| given(&form(&ctx.ex[i]), "grant_type") == Some("authorization_code"))
        .collect();
    if codes.is_empty() {
        let why = format!(
            "token request never happened: no POST {TOKEN} with grant_type=authorization_code was recorded"
        );
        for id in [BASIC, PARAMS, VERIFIER] {
            c.fail(id, why.clone());
        }
        rec.finish(c);
        return;
    }
    let mut verifiers: Vec<String> = Vec::new();
    for &i in &posts {
        ctx.cite(&mut c, i);
        basic(ctx, &mut c, i);
        if !codes.contains(&i) {
            continue;
        }
        let f = form(&ctx.ex[i]);
        let ctype = header(&ctx.ex[i], "content-type").unwrap_or("");
        let mut problems = Vec::new();
        if !ctype
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
        {
            problems.push(format!(
                "{ctype}: Content-Type must be application/x-www-form-urlencoded"
            ));
        }
        for k in ["code", "redirect_uri", "scope", "code_verifier"] {
            if given(&f, k).is_none() {
                problems.push(format!("{k}: missing"));
            }
        }
        let grant = given(&f, "code").and_then(|code| ctx.grant(code));
        if let (Some(g), Some(r)) = (grant, given(&f, "redirect_uri"))
            && given(&g.params, "redirect_uri") != Some(r)
        {
            problems.push(format!(
                "{r}: redirect_uri differs from the authorization request"
            ));
        }
        if given(&f, "code").is_some() && grant.is_none() {
            problems.push("code: not one this provider issued".into());
        }
        c.ensure(
            PARAMS,
            problems.is_empty(),
            if problems.is_empty() {
                "grant_type, code, redirect_uri, scope and code_verifier in a form body".to_string()
            } else {
                ctx.red.text(&problems.join("; "))
            },
        );
        let Some(v) = given(&f, "code_verifier") else {
            c.fail(VERIFIER, "no code_verifier: PKCE not used");
            continue;
        };
        let shape = (43..=128).contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !shape {
            c.fail(
                VERIFIER,
                format!(
                    "code_verifier of {} characters: must be 43 to 128 unreserved characters",
                    v.len()
                ),
            );
        } else if verifiers.iter().any(|x| x == v) {
            c.fail(VERIFIER, "code_verifier reused across token requests");
        } else {
            c.pass(
                VERIFIER,
                format!("a fresh {}-character code_verifier", v.len()),
            );
        }
        verifiers.push(v.to_string());
        if let Some(g) = grant
            && given(&g.params, "code_challenge_method") == Some("S256")
        {
            let ok = given(&g.params, "code_challenge") == Some(s256(v).as_str());
            c.ensure(
                S256,
                ok,
                if ok {
                    "BASE64URL(SHA256(code_verifier)) equals the code_challenge"
                } else {
                    "code_verifier does not match the code_challenge"
                },
            );
        }
    }
    rec.finish(c);
}

/// BASE64URL(SHA256(ASCII(verifier))) without padding.
pub fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether exchange `i` carries Basic credentials of a registered client
/// (None when there is no Basic header at all).
pub fn basic_client(ctx: &Ctx, i: usize) -> Option<bool> {
    let auth = header(&ctx.ex[i], "authorization")?;
    let (scheme, cred) = auth.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(cred.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())?;
    let (id, secret) = decoded.split_once(':')?;
    let (id, secret) = (unform(id), unform(secret));
    Some(ctx.client(&id).is_some_and(|cl| cl.secret == secret))
}

/// Undo the form-encoding RFC 6749 §2.3.1 applies to Basic credentials.
fn unform(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn basic(ctx: &Ctx, c: &mut Check, i: usize) {
    let auth = header(&ctx.ex[i], "authorization").unwrap_or("");
    let Some((scheme, cred)) = auth.split_once(' ') else {
        c.fail(BASIC, "no Authorization: Basic header");
        return;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        c.fail(
            BASIC,
            format!("{scheme}: Authorization scheme must be Basic"),
        );
        return;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(cred.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
        c.fail(
            BASIC,
            "Authorization: Basic value is not base64 of client_id:client_secret",
        );
        return;
    };
    let (id, secret) = (unform(id), unform(secret));
    match ctx.client(&id) {
        Some(cl) if cl.secret == secret => {
            c.pass(BASIC, "Basic credentials of the registered client")
        }
        Some(_) => c.fail(
            BASIC,
            format!("{id}: Basic secret is not the registered client_secret"),
        ),
        None => c.fail(
            BASIC,
            format!("{id}: Basic user is not a registered client_id"),
        ),
    };
}
