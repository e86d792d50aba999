//! Discovery: the SDD is fetched before registration, and the OAuth
//! endpoints the client then calls are the ones the SDD named.

use super::{AUTHORIZE, Ctx, REGISTER, TOKEN};
use crate::evidence::{Check, Recorder};
use crate::judge::exchange::json_response;
use crate::registry::CheckSpec;
use serde_json::Value;

const FIRST: &str = "consumer.discovery.first";
const USES: &str = "consumer.discovery.uses-sdd";
const ONCE: &str = "consumer.registration.once";
/// The checks this step records, as the registry lists them.
pub const CHECKS: &[CheckSpec] = &[CheckSpec {
    at: crate::registry::here!(),
    name: "consumer discovery",
    ids: &[FIRST, USES, ONCE],
}];

pub fn run(ctx: &Ctx, rec: &mut Recorder) {
    let mut c = CHECKS[0].start();
    let path = ctx.api("discovery");
    let disc = ctx.find("GET", &path);
    let regs = ctx.find("POST", REGISTER);
    match (disc.first(), regs.first()) {
        (None, None) => {
            c.fail(
                FIRST,
                format!("discovery never happened: no GET {path} was recorded"),
            );
        }
        (None, Some(&r)) => {
            ctx.cite(&mut c, r);
            c.fail(
                FIRST,
                format!("the client registered without fetching {path} first"),
            );
        }
        (Some(&d), None) => {
            ctx.cite(&mut c, d);
            c.pass(FIRST, "the SDD was fetched (no registration followed)");
        }
        (Some(&d), Some(&r)) => {
            ctx.cite(&mut c, if d < r { d } else { r });
            c.ensure(
                FIRST,
                d < r,
                if d < r {
                    "the SDD was fetched before registering".to_string()
                } else {
                    format!("the client registered before fetching {path}")
                },
            );
        }
    }
    uses_sdd(ctx, &mut c, &disc);
    c.clear_citations();
    match regs.len() {
        0 => {
            c.skip(ONCE, "registration never happened");
        }
        1 => {
            ctx.cite(&mut c, regs[0]);
            c.pass(ONCE, "the client registered once");
        }
        n => {
            ctx.cite(&mut c, regs[1]);
            c.fail(
                ONCE,
                format!("the client registered {n} times in one session"),
            );
        }
    }
    rec.finish(c);
}

/// The path of `url`, or `url` itself when it does not parse.
fn path_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| url.to_string())
}

fn uses_sdd(ctx: &Ctx, c: &mut Check, disc: &[usize]) {
    let oauth: Vec<usize> = ctx
        .ex
        .iter()
        .enumerate()
        .filter(|(_, e)| [REGISTER, AUTHORIZE, TOKEN].contains(&e.path.as_str()))
        .map(|(i, _)| i)
        .collect();
    let Some(&d) = disc.first() else {
        match oauth.first() {
            Some(&i) => {
                ctx.cite(c, i);
                c.fail(
                    USES,
                    "the client called OAuth endpoints without fetching the SDD",
                );
            }
            None => {
                c.fail(
                    USES,
                    "discovery never happened, and no OAuth request either",
                );
            }
        }
        return;
    };
    let sdd = json_response(&ctx.ex[d]).unwrap_or(Value::Null);
    let scheme = sdd.pointer("/components/securitySchemes/OAuth2ACG");
    let named = |ptr: &str| {
        scheme
            .and_then(|s| s.pointer(ptr))
            .and_then(Value::as_str)
            .map(path_of)
    };
    let urls = [
        (REGISTER, named("/x-imssf-registrationUrl")),
        (
            AUTHORIZE,
            named("/flows/authorizationCode/authorizationUrl"),
        ),
        (TOKEN, named("/flows/authorizationCode/tokenUrl")),
    ];
    if oauth.is_empty() {
        ctx.cite(c, d);
        c.fail(USES, "no OAuth request followed the discovery fetch");
        return;
    }
    let mut bad = 0;
    for (p, sdd_path) in &urls {
        let used = oauth.iter().any(|&i| ctx.ex[i].path == *p);
        if used && sdd_path.as_deref() != Some(*p) {
            bad += 1;
            c.fail(USES, format!("{p}: called, but the SDD named {sdd_path:?}"));
        }
    }
    if bad == 0 {
        ctx.cite(c, d);
        c.pass(
            USES,
            "every OAuth endpoint called is the one the fetched SDD named",
        );
    }
}
