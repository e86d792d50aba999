//! What a write consumer sends: every upserted credential goes through the
//! full verify engine (role issuer, expecting the certification recipient),
//! and every putProfile body must be a valid Profile with the cert id.

use super::Ctx;
use crate::catalog::Role;
use crate::credential::schema::{Generation, SchemaKind, validate};
use crate::credential::verify::{self, Kind, VerifyOptions};
use crate::evidence::{Check, Recorder, Verdict};
use crate::judge::exchange::json_body;
use crate::registry::CheckSpec;

const VERIFIABLE: &str = "consumer.write.verifiable-credential";
const RECIPIENT: &str = "consumer.write.recipient";
const PROFILE: &str = "consumer.write.profile-valid";
/// The checks this step records, as the registry lists them.
pub const CHECKS: &[CheckSpec] = &[CheckSpec {
    at: crate::registry::here!(),
    name: "consumer upserts",
    ids: &[VERIFIABLE, RECIPIENT, PROFILE],
}];

pub fn run(ctx: &Ctx, rec: &mut Recorder) {
    let mut c = CHECKS[0].start();
    let posts = ctx.find("POST", &ctx.api("credentials"));
    if posts.is_empty() {
        c.fail(
            VERIFIABLE,
            "upsertCredential never happened: no credential to judge",
        );
        c.fail(
            RECIPIENT,
            "upsertCredential never happened: no credential to judge",
        );
    }
    for &i in &posts {
        ctx.cite(&mut c, i);
        let subject = format!("upserted credential ({})", ctx.tx[i]);
        upsert(ctx, &mut c, rec, i, &subject);
    }
    c.clear_citations();
    let puts = ctx.find("PUT", &ctx.api("profile"));
    if puts.is_empty() {
        c.not_applicable(PROFILE, "putProfile was not called");
    }
    for &i in &puts {
        ctx.cite(&mut c, i);
        let Some(body) = json_body(&ctx.ex[i]) else {
            c.fail(PROFILE, "putProfile body is not JSON");
            continue;
        };
        let errs = validate(SchemaKind::Profile, Generation::V2, &body);
        let mut problems: Vec<String> = errs.iter().take(5).map(|e| e.to_string()).collect();
        let id = body.get("id").and_then(|v| v.as_str()).unwrap_or("(none)");
        if id != ctx.profile.cert_profile_id {
            problems.push(format!("{id}: id must be {}", ctx.profile.cert_profile_id));
        }
        c.ensure(
            PROFILE,
            problems.is_empty(),
            if problems.is_empty() {
                "a valid Profile with the certification id".to_string()
            } else {
                problems.join("; ")
            },
        );
    }
    rec.finish(c);
}

fn upsert(ctx: &Ctx, c: &mut Check, rec: &mut Recorder, i: usize, subject: &str) {
    let input = match crate::credential::parse::parse(ctx.ex[i].body.trim().as_bytes()) {
        Ok(x) => x,
        Err(e) => {
            c.fail(
                VERIFIABLE,
                format!("{e}: the upserted body is not a credential"),
            );
            c.fail(RECIPIENT, "the upserted body is not a credential");
            return;
        }
    };
    let mut opts = VerifyOptions::new(Role::Issuer, ctx.profile);
    opts.expect_recipient = Some(ctx.profile.cert_recipient.clone());
    let mut sub = rec.child();
    verify::verify(&input, &opts, &mut sub, subject);
    let kind = match &input {
        crate::credential::parse::Input::Json(v) => Some(Kind::of(v)),
        crate::credential::parse::Input::Jws(_) => None,
    };
    let mut failures: Vec<String> = Vec::new();
    let mut recipient = None;
    for (id, list) in sub.findings() {
        for f in list {
            if f.verdict == Verdict::Fail {
                failures.push(format!("{id}: {}", f.message));
            }
            if id == "data.cert.recipient" && matches!(f.verdict, Verdict::Pass | Verdict::Fail) {
                recipient = Some((f.verdict == Verdict::Pass, f.message.clone()));
            }
        }
    }
    let want = &ctx.profile.credential_type;
    if kind.is_some_and(|k| k != Kind::Clr) && want == "ClrCredential" {
        failures.insert(
            0,
            format!(
                "{}: not a ClrCredential",
                kind.map(|k| k.name()).unwrap_or("")
            ),
        );
    }
    let n = failures.len();
    c.ensure(
        VERIFIABLE,
        n == 0,
        if n == 0 {
            "the upserted credential verifies (data model, schema, proofs, nested credentials)"
                .to_string()
        } else {
            format!(
                "{n} verification failure(s): {}",
                failures.into_iter().take(4).collect::<Vec<_>>().join("; ")
            )
        },
    );
    match recipient {
        Some((ok, msg)) => {
            c.ensure(RECIPIENT, ok, msg);
        }
        None => {
            c.fail(
                RECIPIENT,
                format!(
                    "recipient not established: the upsert is not a {want} the verifier could read"
                ),
            );
        }
    }
    rec.merge(sub);
}
