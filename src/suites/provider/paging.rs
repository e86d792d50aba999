//! getCredentials paging: `limit` and `offset` are honoured, `X-Total-Count`
//! gives the total, `Link` (RFC 8288) carries first/last always, next while
//! the list is incomplete and prev past offset 0, walking `next` visits every
//! credential exactly once, and `since` filters [FACTS §1.3; OB §6.4].

use super::Ctx;
use super::get_credentials::{self, Item, items};
use crate::evidence::Check;
use crate::http::Exchange;
use crate::http::client::same_origin;
use crate::registry::CheckSpec;
use std::collections::BTreeSet;

pub const LIMIT: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "paging: limit honoured",
    ids: &["api.paging.limit", "api.paging.supported"],
};
pub const OFFSET: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "paging: offset honoured",
    ids: &["api.paging.offset"],
};
pub const TOTAL: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "paging: X-Total-Count equals the total",
    ids: &[
        "api.paging.x-total-count",
        "api.paging.link-when-complete",
        "api.paging.retry-after",
    ],
};
pub const LINK: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "paging: Link header relations",
    ids: &[
        "api.paging.link-when-incomplete",
        "api.paging.link-syntax",
        "api.paging.link-next",
        "api.paging.link-prev",
        "api.paging.link-first",
        "api.paging.link-last",
    ],
};
pub const WALK: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "paging: following next visits every credential once",
    ids: &["api.paging.walk-consistent", "api.paging.link-followable"],
};
pub const SINCE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "paging: since filters by issue time",
    ids: &["api.paging.since"],
};
pub const INVALID: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "paging: invalid limit/offset/since refused with 400",
    ids: &["api.paging.invalid-params"],
};

pub const CHECKS: &[CheckSpec] = &[LIMIT, OFFSET, TOTAL, LINK, WALK, SINCE, INVALID];

/// One parsed Link value: target and its relation types (lowercased).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub target: String,
    pub rels: Vec<String>,
}

/// Parse a `Link` header value (RFC 8288 §3). Errors name the offending text.
pub fn parse_link(header: &str) -> Result<Vec<Link>, String> {
    let mut out = Vec::new();
    let s = header.trim();
    let mut rest = s;
    while !rest.trim_start().is_empty() {
        rest = rest.trim_start().trim_start_matches(',').trim_start();
        if rest.is_empty() {
            break;
        }
        let Some(after) = rest.strip_prefix('<') else {
            return Err(format!("{rest:?}: link value must start with <uri>"));
        };
        let Some(end) = after.find('>') else {
            return Err(format!("{rest:?}: unterminated <uri>"));
        };
        let target = after[..end].to_string();
        rest = &after[end + 1..];
        let mut rels = Vec::new();
        loop {
            rest = rest.trim_start();
            if rest.is_empty() || rest.starts_with(',') {
                break;
            }
            let Some(p) = rest.strip_prefix(';') else {
                return Err(format!("{rest:?}: expected ; or , after a link"));
            };
            let p = p.trim_start();
            let name_end = p
                .find(|c: char| c == '=' || c == ';' || c == ',' || c.is_whitespace())
                .unwrap_or(p.len());
            let name = p[..name_end].to_ascii_lowercase();
            if name.is_empty() {
                return Err(format!("{p:?}: empty parameter name"));
            }
            let mut q = p[name_end..].trim_start();
            let mut value = String::new();
            if let Some(v) = q.strip_prefix('=') {
                let v = v.trim_start();
                if let Some(quoted) = v.strip_prefix('"') {
                    let Some(e) = quoted.find('"') else {
                        return Err(format!("{v:?}: unterminated quoted string"));
                    };
                    value = quoted[..e].to_string();
                    q = &quoted[e + 1..];
                } else {
                    let e = v.find([';', ',']).unwrap_or(v.len());
                    value = v[..e].trim().to_string();
                    q = &v[e..];
                }
            }
            if name == "rel" {
                rels.extend(value.split_whitespace().map(str::to_ascii_lowercase));
            }
            rest = q;
        }
        out.push(Link { target, rels });
    }
    Ok(out)
}

/// The target of relation `rel`, resolved against `base`.
fn rel(links: &[Link], rel: &str, base: &str) -> Option<String> {
    let l = links.iter().find(|l| l.rels.iter().any(|r| r == rel))?;
    url::Url::parse(base)
        .and_then(|b| b.join(&l.target))
        .map(|u| u.to_string())
        .ok()
}

fn links_of(ex: &Exchange) -> Result<Vec<Link>, String> {
    let mut all = Vec::new();
    for h in ex.header_all("link") {
        all.extend(parse_link(h)?);
    }
    Ok(all)
}

/// RFC 9110 `Retry-After`: a non-negative integer of seconds, or an HTTP-date.
fn retry_after_valid(v: &str) -> bool {
    let v = v.trim();
    (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        || chrono::DateTime::parse_from_rfc2822(v).is_ok()
}

fn keys(list: &[Item]) -> Vec<Option<(String, String)>> {
    list.iter().map(Item::key).collect()
}

pub async fn run(ctx: &mut Ctx) {
    // Need::Login: without a token the runner closed these checks.
    let Ok(token) = ctx.token() else { return };
    // The whole list: ask for a large page so a default page size does not hide items.
    let all = match get_credentials::get(
        ctx,
        &token,
        "?limit=1000&offset=0",
        "getCredentials limit=1000",
    )
    .await
    {
        Ok(ex) => ex,
        Err(f) => {
            for spec in CHECKS {
                ctx.transport_error(spec.start(), &f);
            }
            return;
        }
    };
    let Some(all_v) = all.json().filter(|_| all.status == 200) else {
        for spec in CHECKS {
            let mut c = spec.start();
            c.cite(&all.tx);
            ctx.blocked(
                c,
                &format!("getCredentials with limit=1000 answered {}", all.brief()),
            );
        }
        return;
    };
    let full = items(&all_v);
    let n = full.len();
    let header_total = all
        .header("x-total-count")
        .and_then(|s| s.trim().parse::<usize>().ok());
    let total = header_total.unwrap_or(n);

    let mut tc = TOTAL.start();
    tc.subject(&all.url).cite(&all.tx);
    judge_total(&mut tc, &all, total, n);
    if n == total {
        match all.header_all("link").is_empty() {
            true => tc.not_applicable(
                "api.paging.link-when-complete",
                "no Link header on a complete list",
            ),
            false => tc.ensure(
                "api.paging.link-when-complete",
                links_of(&all).is_ok(),
                "Link on a complete list parses",
            ),
        };
    }
    match all.header("retry-after") {
        Some(r) => tc.ensure(
            "api.paging.retry-after",
            retry_after_valid(r),
            format!("Retry-After {r:?} is delay-seconds or an HTTP-date (RFC 9110 §10.2.3)"),
        ),
        None => tc.not_applicable("api.paging.retry-after", "no Retry-After was sent"),
    };

    if total < 2 {
        ctx.finish(tc);
        for spec in [LIMIT, OFFSET, LINK, WALK] {
            let mut c = spec.start();
            c.cite(&all.tx);
            ctx.blocked(
                c,
                &format!("the account holds {total} credential(s); paging needs at least 2"),
            );
        }
        since(ctx, &token, n).await;
        invalid(ctx, &token).await;
        return;
    }

    // limit=1 at offsets 0 and 1.
    let mut pages = Vec::new();
    for offset in [0usize, 1] {
        let q = format!("?limit=1&offset={offset}");
        match get_credentials::get(
            ctx,
            &token,
            &q,
            &format!("getCredentials limit=1 offset={offset}"),
        )
        .await
        {
            Ok(ex) => pages.push((offset, ex)),
            Err(f) => {
                for spec in [LIMIT, OFFSET, LINK, WALK, SINCE, INVALID] {
                    ctx.transport_error(spec.start(), &f);
                }
                ctx.finish(tc);
                return;
            }
        }
    }
    let mut lc = LIMIT.start();
    let mut oc = OFFSET.start();
    let mut kc = LINK.start();
    for (offset, ex) in &pages {
        lc.subject(&ex.url).cite(&ex.tx);
        oc.subject(&ex.url).cite(&ex.tx);
        kc.subject(&ex.url).cite(&ex.tx);
        tc.cite(&ex.tx);
        let got = ex.json().map(|v| items(&v)).unwrap_or_default();
        lc.ensure_eq(
            "api.paging.limit",
            1,
            got.len(),
            format!("limit=1 offset={offset}: exactly one credential"),
        );
        lc.ensure(
            "api.paging.supported",
            ex.status == 200 && got.len() == 1,
            format!("limit=1 offset={offset}: a page of one: got {}", ex.brief()),
        );
        if let Some(first) = got.first() {
            let expected = full.get(*offset).and_then(Item::key);
            oc.ensure(
                "api.paging.offset",
                expected.is_some() && first.key() == expected,
                format!("limit=1 offset={offset}: returns the credential at position {offset} of the full list"),
            );
        }
        judge_total(&mut tc, ex, total, n);
        judge_links(&mut kc, ex, *offset, total);
    }
    ctx.finish(lc);
    ctx.finish(oc);
    ctx.finish(tc);
    ctx.finish(kc);
    walk(ctx, &token, &full).await;
    since(ctx, &token, n).await;
    invalid(ctx, &token).await;
}

fn judge_total(c: &mut Check, ex: &Exchange, total: usize, n: usize) {
    match ex.header("x-total-count") {
        Some(v) => {
            let parsed = v.trim().parse::<usize>().ok();
            c.ensure(
                "api.paging.x-total-count",
                parsed == Some(total) && total >= n,
                format!(
                    "X-Total-Count {v:?} equals the number of credentials ({n} returned unpaged)"
                ),
            );
        }
        None => {
            c.fail(
                "api.paging.x-total-count",
                "X-Total-Count missing although the server knows the total",
            );
        }
    }
}

fn judge_links(c: &mut Check, ex: &Exchange, offset: usize, total: usize) {
    let raw = ex.header_all("link");
    // limit=1 with total > 1: the list is always incomplete here.
    c.ensure(
        "api.paging.link-when-incomplete",
        !raw.is_empty(),
        format!("offset={offset} limit=1 of {total}: Link header on an incomplete list"),
    );
    if raw.is_empty() {
        // first/last/prev/syntax apply only when a Link header is sent.
        c.fail(
            "api.paging.link-next",
            format!("offset={offset} limit=1 of {total}: no Link header"),
        );
        return;
    }
    let sent = format!("offset={offset}: a Link header was sent");
    let links = match links_of(ex) {
        Ok(l) => l,
        Err(e) => {
            let m = format!("offset={offset}: Link does not parse per RFC 8288: {e}");
            for id in c.declared().to_vec() {
                if id == "api.paging.link-prev" && offset == 0 {
                    continue;
                }
                c.fail(&id, &m).held(&sent);
            }
            return;
        }
    };
    let resolvable = links.iter().all(|l| {
        url::Url::parse(&ex.url)
            .and_then(|b| b.join(&l.target))
            .is_ok_and(|u| u.path().ends_with("/credentials"))
    });
    c.ensure(
        "api.paging.link-syntax",
        resolvable,
        format!("offset={offset}: Link parses per RFC 8288 and every target is the getCredentials endpoint"),
    )
    .held(&sent);
    let has = |r: &str| links.iter().any(|l| l.rels.iter().any(|x| x == r));
    for (id, r) in [
        ("api.paging.link-first", "first"),
        ("api.paging.link-last", "last"),
    ] {
        c.ensure(id, has(r), format!("offset={offset}: rel=\"{r}\" present"))
            .held(&sent);
    }
    if offset + 1 < total {
        c.ensure(
            "api.paging.link-next",
            has("next"),
            format!("offset={offset}: rel=\"next\" present (more follow)"),
        );
    }
    if offset > 0 {
        c.ensure(
            "api.paging.link-prev",
            has("prev"),
            format!("offset={offset}: rel=\"prev\" present (offset > 0)"),
        )
        .held(format!("{sent} with offset > 0"));
    }
}

/// Invalid paging parameters are refused with 400 (and an Imsx_StatusInfo body, judged in errors.rs).
async fn invalid(ctx: &mut Ctx, token: &str) {
    let mut c = INVALID.start();
    for q in ["?limit=0", "?offset=-1", "?limit=abc", "?since=not-a-date"] {
        match get_credentials::get(ctx, token, q, &format!("getCredentials {q}")).await {
            Ok(ex) => {
                c.subject(&ex.url).cite(&ex.tx);
                c.ensure_eq(
                    "api.paging.invalid-params",
                    400,
                    ex.status,
                    format!("{q}: refused with 400"),
                );
            }
            Err(f) => {
                c.cite(&f.tx);
                c.error("api.paging.invalid-params", f.message);
            }
        }
    }
    ctx.finish(c);
}

/// Follow `next` from `limit=2&offset=0` to the end; every credential exactly once.
async fn walk(ctx: &mut Ctx, token: &str, full: &[Item]) {
    let mut c = WALK.start();
    let mut url = ctx.api_url("/credentials?limit=2&offset=0");
    c.subject(&url);
    let mut seen: Vec<Option<(String, String)>> = Vec::new();
    let max_pages = full.len() + 3;
    let origin = url.clone();
    for page in 0..max_pages {
        let req =
            crate::http::Req::get(&url, format!("getCredentials walk page {page}")).bearer(token);
        let ex = match ctx.send(req).await {
            Ok(ex) => ex,
            Err(f) => {
                c.cite(&f.tx);
                c.error("api.paging.walk-consistent", f.message);
                ctx.finish(c);
                return;
            }
        };
        c.cite(&ex.tx);
        if page > 0 {
            c.ensure(
                "api.paging.link-followable",
                ex.status == 200,
                format!("{url}: the next link answers 200: got {}", ex.brief()),
            )
            .held("a Link header was sent and its next link followed");
        }
        if ex.status != 200 {
            c.fail(
                "api.paging.walk-consistent",
                format!("{url}: page answered {}", ex.brief()),
            );
            ctx.finish(c);
            return;
        }
        seen.extend(keys(&ex.json().map(|v| items(&v)).unwrap_or_default()));
        let next = links_of(&ex).ok().and_then(|l| rel(&l, "next", &url));
        match next {
            Some(n) if !same_origin(&n, &origin) => {
                c.fail(
                    "api.paging.walk-consistent",
                    format!("{n}: next link points to another origin; the token is not sent there"),
                );
                ctx.finish(c);
                return;
            }
            Some(n) => url = n,
            None => break,
        }
    }
    let expected: BTreeSet<_> = keys(full).into_iter().collect();
    let got: BTreeSet<_> = seen.iter().cloned().collect();
    let dups = seen.len() - got.len();
    let missing = expected.difference(&got).count();
    let extra = got.difference(&expected).count();
    c.ensure(
        "api.paging.walk-consistent",
        dups == 0 && missing == 0 && extra == 0,
        format!(
            "walking next from limit=2: {} credentials seen, {dups} duplicate(s), {missing} missing, {extra} unexpected (of {})",
            seen.len(),
            full.len()
        ),
    );
    ctx.finish(c);
}

/// `since` far in the future gives nothing; far in the past gives everything.
async fn since(ctx: &mut Ctx, token: &str, n: usize) {
    let mut c = SINCE.start();
    for (when, want) in [
        ("2999-01-01T00:00:00Z", 0usize),
        ("1970-01-01T00:00:00Z", n),
    ] {
        let q = format!("?since={when}&limit=1000");
        match get_credentials::get(ctx, token, &q, &format!("getCredentials since={when}")).await {
            Ok(ex) => {
                c.subject(&ex.url).cite(&ex.tx);
                let got = ex
                    .json()
                    .filter(|_| ex.status == 200)
                    .map(|v| items(&v).len());
                c.ensure(
                    "api.paging.since",
                    got == Some(want),
                    format!(
                        "since={when}: {want} credential(s) expected, got {got:?} ({})",
                        ex.brief()
                    ),
                );
            }
            Err(f) => {
                c.cite(&f.tx);
                c.error("api.paging.since", f.message);
            }
        }
    }
    ctx.finish(c);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc8288_links() {
        let h = r#"<https://h/c?limit=2&offset=2>; rel="next", <https://h/c?offset=0>;rel=first, <x>; title="a,b"; rel="last prev""#;
        let l = parse_link(h).unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].rels, vec!["next"]);
        assert_eq!(l[1].rels, vec!["first"]);
        assert_eq!(l[2].rels, vec!["last", "prev"]);
        assert_eq!(
            rel(&l, "next", "https://h/c").as_deref(),
            Some("https://h/c?limit=2&offset=2")
        );
    }

    #[test]
    fn refuses_broken_links() {
        assert!(parse_link("https://h/c; rel=next").is_err());
        assert!(parse_link("<https://h/c; rel=next").is_err());
        assert!(parse_link(r#"<a>; rel="next"#).is_err());
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        assert!(retry_after_valid("120"));
        assert!(retry_after_valid("Fri, 31 Dec 1999 23:59:59 GMT"));
        assert!(!retry_after_valid("soon"));
        assert!(!retry_after_valid("-5"));
        assert!(!retry_after_valid(" "));
    }
}
