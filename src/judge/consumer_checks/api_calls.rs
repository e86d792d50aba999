//! API calls: the bearer token in the Authorization header (never the
//! query), the API's media types, and the calls the role must make.

use super::{Ctx, given};
use crate::evidence::{Check, Recorder};
use crate::judge::consumer::ConsumerRole;
use crate::judge::exchange::{self, header, query, response_header};
use crate::registry::CheckSpec;

const BEARER: &str = "consumer.bearer.header";
const NO_QUERY: &str = "consumer.bearer.no-query";
const MEDIA: &str = "consumer.media-types";
const GET_CREDS: &str = "consumer.read.get-credentials";
const GET_PROFILE: &str = "consumer.read.get-profile";
const PAGING: &str = "consumer.read.paging";
const PAGING_HEADERS: &str = "consumer.read.paging-headers";
const UPSERT: &str = "consumer.write.upsert";
const PUT_PROFILE: &str = "consumer.write.put-profile";
const CERT_PUT_PROFILE: &str = "consumer.write.cert-put-profile";
/// The checks this step records, as the registry lists them.
pub const CHECKS: &[CheckSpec] = &[CheckSpec {
    at: crate::registry::here!(),
    name: "consumer API calls",
    ids: &[
        BEARER,
        NO_QUERY,
        MEDIA,
        GET_CREDS,
        GET_PROFILE,
        PAGING,
        PAGING_HEADERS,
        UPSERT,
        PUT_PROFILE,
        CERT_PUT_PROFILE,
    ],
}];

pub fn run(ctx: &Ctx, rec: &mut Recorder) {
    let mut c = CHECKS[0].start();
    let creds = ctx.api("credentials");
    let profile = ctx.api("profile");
    let calls: Vec<usize> = ctx
        .ex
        .iter()
        .enumerate()
        .filter(|(_, e)| e.path == creds || e.path == profile)
        .map(|(i, _)| i)
        .collect();
    if calls.is_empty() {
        c.fail(
            BEARER,
            "API calls never happened: no request to the API was recorded",
        );
        c.fail(MEDIA, "API calls never happened");
        c.skip(NO_QUERY, "API calls never happened");
    }
    for &i in &calls {
        ctx.cite(&mut c, i);
        call(ctx, &mut c, i);
    }
    c.clear_citations();
    match ctx.role {
        ConsumerRole::Read => {
            called(ctx, &mut c, GET_CREDS, "GET", &creds, "getCredentials");
            called(ctx, &mut c, GET_PROFILE, "GET", &profile, "getProfile");
            paging(ctx, &mut c, &creds);
        }
        ConsumerRole::Write => {
            called(ctx, &mut c, UPSERT, "POST", &creds, "upsertCredential");
            let puts = ctx.find("PUT", &profile);
            // CLR issuer test 5 ("Endpoint for sending a profile"): listed
            // with no optional marker, so a certification run asks for it.
            if ctx.certification {
                c.given(CERT_PUT_PROFILE, "--certification: a certification run");
                let ok = puts.iter().any(|&i| exchange::ok(&ctx.ex[i]));
                c.ensure(
                    CERT_PUT_PROFILE,
                    ok,
                    if ok {
                        "a Profile was sent (putProfile succeeded)"
                    } else {
                        "no successful putProfile: CLR issuer test 5 sends a Profile"
                    },
                );
            } else {
                c.not_applicable(
                    CERT_PUT_PROFILE,
                    "not a certification run (give --certification)",
                );
            }
            match puts.iter().find(|&&i| exchange::ok(&ctx.ex[i])) {
                Some(&i) => {
                    ctx.cite(&mut c, i);
                    c.pass(PUT_PROFILE, "putProfile called");
                }
                None if puts.is_empty() => {
                    c.not_applicable(PUT_PROFILE, "putProfile was not called");
                }
                None => {
                    ctx.cite(&mut c, puts[0]);
                    c.fail(
                        PUT_PROFILE,
                        format!(
                            "putProfile was called but answered {}",
                            ctx.ex[puts[0]].status
                        ),
                    );
                }
            }
        }
    }
    rec.finish(c);
}

fn call(ctx: &Ctx, c: &mut Check, i: usize) {
    let e = &ctx.ex[i];
    let q = query(e);
    c.ensure(
        NO_QUERY,
        given(&q, "access_token").is_none(),
        if given(&q, "access_token").is_none() {
            "no access_token in the query string"
        } else {
            "the access token was sent in the query string"
        },
    );
    let auth = header(e, "authorization").unwrap_or("");
    match auth.split_once(' ') {
        Some((scheme, tok)) if scheme.eq_ignore_ascii_case("bearer") && !tok.trim().is_empty() => {
            let known = ctx.tokens.iter().any(|t| t == tok.trim());
            c.ensure(
                BEARER,
                known,
                if known {
                    "Authorization: Bearer with an issued access token"
                } else {
                    "Authorization: Bearer with a token this provider never issued"
                },
            );
        }
        Some((scheme, _)) => {
            c.fail(
                BEARER,
                format!("{scheme}: Authorization scheme must be Bearer"),
            );
        }
        None => {
            c.fail(BEARER, "no Authorization: Bearer header");
        }
    }
    let accept = header(e, "accept").unwrap_or("").to_ascii_lowercase();
    let ctype = header(e, "content-type").unwrap_or("").to_ascii_lowercase();
    let (ok, what) = match e.method.as_str() {
        "GET" => (
            accept.contains("application/json"),
            format!("GET with Accept {accept:?}"),
        ),
        "POST" => {
            let jws = crate::credential::parse::is_compact_jws(e.body.trim());
            let want = if jws {
                "text/plain"
            } else {
                "application/json"
            };
            (
                ctype.starts_with(want),
                format!(
                    "upsert of a {} with Content-Type {ctype:?} (expected {want})",
                    if jws {
                        "compact JWS"
                    } else {
                        "JSON credential"
                    }
                ),
            )
        }
        "PUT" => (
            ctype.starts_with("application/json"),
            format!("putProfile with Content-Type {ctype:?}"),
        ),
        m => (true, format!("{m} request (no media type rule)")),
    };
    c.ensure(MEDIA, ok, what);
}

fn called(ctx: &Ctx, c: &mut Check, id: &str, method: &str, path: &str, name: &str) {
    let hits = ctx.find(method, path);
    match hits.iter().find(|&&i| exchange::ok(&ctx.ex[i])) {
        Some(&i) => {
            ctx.cite(c, i);
            c.pass(
                id,
                format!("{name} called and answered {}", ctx.ex[i].status),
            );
        }
        None if hits.is_empty() => {
            c.clear_citations();
            c.fail(
                id,
                format!("{name} never happened: no {method} {path} was recorded"),
            );
        }
        None => {
            ctx.cite(c, hits[0]);
            c.fail(
                id,
                format!(
                    "{name} was called but answered {} (token or scope wrong?)",
                    ctx.ex[hits[0]].status
                ),
            );
        }
    }
    c.clear_citations();
}

/// `rel="next"` target of a Link header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            p.trim()
                .replace(' ', "")
                .eq_ignore_ascii_case("rel=\"next\"")
                || p.trim().eq_ignore_ascii_case("rel=next")
        });
        is_next.then(|| {
            target
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

fn paging(ctx: &Ctx, c: &mut Check, creds: &str) {
    let gets = ctx.find("GET", creds);
    if gets.is_empty() {
        c.skip(PAGING, "getCredentials never happened");
        c.skip(PAGING_HEADERS, "getCredentials never happened");
        return;
    }
    let paged: Vec<usize> = gets
        .iter()
        .copied()
        .filter(|&i| {
            let q = query(&ctx.ex[i]);
            ["limit", "offset", "since"]
                .iter()
                .any(|k| given(&q, k).is_some())
        })
        .collect();
    if paged.is_empty() {
        c.not_applicable(
            PAGING,
            "getCredentials was called without limit, offset or since",
        );
        c.not_applicable(PAGING_HEADERS, "the consumer did not page");
        return;
    }
    ctx.cite(c, paged[0]);
    c.pass(
        PAGING,
        format!(
            "getCredentials called with {}",
            ctx.ex[paged[0]].query.as_deref().unwrap_or("")
        ),
    );
    let mut followed = 0;
    for &i in &paged {
        let Some(next) = response_header(&ctx.ex[i], "link").and_then(next_link) else {
            continue;
        };
        let want: Vec<(String, String)> = url::Url::parse(&next)
            .map(|u| {
                u.query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let same = |j: usize| {
            let q = query(&ctx.ex[j]);
            ["limit", "offset"]
                .iter()
                .all(|k| given(&q, k) == given(&want, k))
        };
        ctx.cite(c, i);
        if gets.iter().any(|&j| j > i && same(j)) {
            followed += 1;
        } else {
            c.fail(
                PAGING_HEADERS,
                format!("{next}: rel=\"next\" page never requested"),
            );
        }
    }
    if followed > 0 || c.findings().all(|(id, _)| id != PAGING_HEADERS) {
        c.pass(
            PAGING_HEADERS,
            format!("{followed} rel=\"next\" link(s) followed; no page left unread"),
        );
    }
}
