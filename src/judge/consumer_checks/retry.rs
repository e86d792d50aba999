//! Retry manners (OB §6.5): after a response with `Retry-After` the client
//! sends nothing to that endpoint before the time it names; after an error
//! without it, the same request is repeated neither within about 30 minutes
//! nor more than twice. An SDD revalidation names an ETag the server sent.

use super::Ctx;
use crate::evidence::Recorder;
use crate::judge::exchange::{header, response_header};
use crate::provider::RecordedExchange;
use crate::registry::CheckSpec;
use chrono::{DateTime, FixedOffset};

const RETRY_AFTER: &str = "consumer.retry.retry-after";
const BACKOFF: &str = "consumer.retry.backoff";
const REVALIDATE: &str = "consumer.discovery.revalidate";

/// "About 30 minutes", with slack for a client that rounds down.
const BACKOFF_SECS: i64 = 25 * 60;
/// The checks this step records, as the registry lists them.
pub const CHECKS: &[CheckSpec] = &[
    CheckSpec {
        at: crate::registry::here!(),
        name: "consumer retry manners",
        ids: &[RETRY_AFTER, BACKOFF],
    },
    CheckSpec {
        at: crate::registry::here!(),
        name: "consumer SDD revalidation",
        ids: &[REVALIDATE],
    },
];

fn at(e: &RecordedExchange) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(&e.timestamp).ok()
}

/// The wait a `Retry-After` value asks for, in milliseconds after `sent`.
pub fn wait_ms(value: &str, sent: DateTime<FixedOffset>) -> Option<i64> {
    let v = value.trim();
    if let Ok(s) = v.parse::<i64>() {
        return (s >= 0).then_some(s * 1000);
    }
    let date = DateTime::parse_from_rfc2822(v).ok()?;
    Some((date - sent).num_milliseconds().max(0))
}

/// The same request again: method, path, query, body and credentials.
fn same_request(a: &RecordedExchange, b: &RecordedExchange) -> bool {
    a.method == b.method
        && a.path == b.path
        && a.query == b.query
        && a.body == b.body
        && header(a, "authorization") == header(b, "authorization")
}

pub fn run(ctx: &Ctx, rec: &mut Recorder) {
    let mut c = CHECKS[0].start();
    let (mut waits, mut repeats) = (false, false);
    for (i, e) in ctx.ex.iter().enumerate() {
        let Some(t0) = at(e) else {
            continue;
        };
        let later = || ctx.ex.iter().enumerate().skip(i + 1);
        if let Some(ra) = response_header(e, "retry-after") {
            let Some(wait) = wait_ms(ra, t0) else {
                continue;
            };
            let next = later().find(|(_, n)| n.method == e.method && n.path == e.path);
            if let Some((j, n)) = next
                && let Some(t1) = at(n)
            {
                waits = true;
                let gap = (t1 - t0).num_milliseconds();
                ctx.cite(&mut c, j);
                // Timestamps carry milliseconds; a second of slack covers rounding.
                c.ensure(
                    RETRY_AFTER,
                    gap + 1000 >= wait,
                    format!(
                        "{} {}: next request {gap} ms after a Retry-After of {ra}",
                        e.method, e.path
                    ),
                );
            }
        } else if e.status >= 400 {
            let again: Vec<(usize, &RecordedExchange)> =
                later().filter(|(_, n)| same_request(e, n)).collect();
            let Some(&(j, first)) = again.first() else {
                continue;
            };
            repeats = true;
            ctx.cite(&mut c, j);
            let gap = at(first).map(|t1| (t1 - t0).num_seconds()).unwrap_or(0);
            c.ensure(
                BACKOFF,
                gap >= BACKOFF_SECS && again.len() <= 2,
                format!(
                    "{} {}: answered {}, repeated {} time(s), first after {gap} s (wait about 30 minutes, retry at most twice)",
                    e.method,
                    e.path,
                    e.status,
                    again.len()
                ),
            );
        }
    }
    if !waits {
        c.not_applicable(
            RETRY_AFTER,
            "no response with Retry-After was followed by another request to its endpoint",
        );
    }
    if !repeats {
        c.not_applicable(BACKOFF, "no failed request was sent again");
    }
    rec.finish(c);
    revalidate(ctx, rec);
}

/// `If-None-Match` on the SDD names an ETag the server sent earlier.
fn revalidate(ctx: &Ctx, rec: &mut Recorder) {
    let mut c = CHECKS[1].start();
    let mut tags: Vec<String> = Vec::new();
    let mut judged = false;
    for i in ctx.find("GET", &ctx.api("discovery")) {
        let e = &ctx.ex[i];
        if let Some(inm) = header(e, "if-none-match") {
            judged = true;
            ctx.cite(&mut c, i);
            let known = inm
                .split(',')
                .map(str::trim)
                .all(|t| tags.iter().any(|k| k == t));
            c.ensure(
                REVALIDATE,
                known,
                format!("If-None-Match {inm}: an ETag the server sent (sent: {tags:?})"),
            );
        }
        if let Some(tag) = response_header(e, "etag") {
            tags.push(tag.trim().to_string());
        }
    }
    if !judged {
        c.not_applicable(REVALIDATE, "the client never revalidated the SDD");
    }
    rec.finish(c);
}
