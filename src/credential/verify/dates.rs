//! Dates: format of validFrom/validUntil (issuanceDate/expirationDate for
//! VC 1.1), their order, and whether the credential is valid now.

use super::{Generation, Subject, VerifyOptions};
use crate::evidence::{Check, Recorder};
use chrono::{DateTime, Utc};

/// Parse an XML Schema / RFC 3339 dateTime with a timezone.
pub(crate) fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// The rows this step may judge, as the registry lists them.
pub(super) const CHECKS: &[crate::registry::CheckSpec] = &[crate::registry::CheckSpec {
    at: crate::registry::here!(),
    name: "dates",
    ids: &[
        "data.dates.format",
        "data.dates.valid-range",
        "verify.dates.not-before-valid-from",
        "verify.dates.not-expired",
        "verify.dates.vc11-expiration",
        "verify.dates.vc11-issuance",
    ],
}];

pub(super) fn run(s: &Subject, opts: &VerifyOptions, rec: &mut Recorder) {
    let v11 = s.generation == Generation::V11;
    let (from_f, until_f) = if v11 {
        ("issuanceDate", "expirationDate")
    } else {
        ("validFrom", "validUntil")
    };
    let (from_id, until_id) = if v11 {
        ("verify.dates.vc11-issuance", "verify.dates.vc11-expiration")
    } else {
        (
            "verify.dates.not-before-valid-from",
            "verify.dates.not-expired",
        )
    };
    let ids = [
        "data.dates.format",
        "data.dates.valid-range",
        from_id,
        until_id,
    ];
    let mut c = Check::new("dates", &ids);
    c.subject(&s.name);
    let mut get = |field: &str| -> Option<DateTime<Utc>> {
        let raw = s.cred.get(field)?;
        match raw.as_str().and_then(parse_date) {
            Some(d) => {
                c.pass("data.dates.format", format!("{field} is a dateTime"));
                Some(d)
            }
            None => {
                c.fail(
                    "data.dates.format",
                    format!("{field}: not an RFC 3339 dateTime with timezone"),
                )
                .actual(raw.to_string());
                None
            }
        }
    };
    let from = get(from_f);
    let until = get(until_f);
    let now = opts.now;
    if let Some(f) = from {
        if now >= f {
            c.pass(from_id, format!("{from_f} {f} is not in the future"));
        } else {
            c.fail(
                from_id,
                format!("not yet valid: {from_f} {f} is in the future"),
            )
            .expected(format!("<= {}", now.to_rfc3339()))
            .actual(f.to_rfc3339());
        }
    }
    if let Some(u) = until {
        if now <= u {
            c.pass(until_id, format!("{until_f} {u} has not passed"));
        } else {
            c.fail(until_id, format!("expired: {until_f} {u} has passed"))
                .expected(format!(">= {}", now.to_rfc3339()))
                .actual(u.to_rfc3339());
        }
    }
    if s.cred.get(until_f).is_none() {
        c.not_applicable(until_id, format!("no {until_f}"));
        c.not_applicable("data.dates.valid-range", format!("no {until_f}"));
    }
    if let (Some(f), Some(u)) = (from, until) {
        c.ensure(
            "data.dates.valid-range",
            f <= u,
            format!("{from_f} is not after {until_f}"),
        );
    }
    rec.finish(c);
}
