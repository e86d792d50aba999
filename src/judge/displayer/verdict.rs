//! Judging a displayer: the operator's answers against the records' truth,
//! one finding per record and requirement, as two registered units (status,
//! what was shown) that need the answers form (`Need::Answers`).

use super::{Answer, Answers, FIELDS, Fetch, Gen, Record, Shown, Truth, records::label};
use crate::evidence::Recorder;
use crate::evidence::transcript::{Message, Request, Transcript};
use crate::registry::{self, CheckSpec};

/// The status answer that is right for `truth`.
fn correct(truth: Truth, shown: Option<Shown>) -> bool {
    match (truth, shown) {
        (Truth::Valid, Some(Shown::Valid)) => true,
        (Truth::Expired, Some(Shown::Expired)) => true,
        (Truth::Revoked, Some(Shown::Revoked)) => true,
        (Truth::Tampered, Some(Shown::Invalid)) => true,
        (Truth::NotYetValid, Some(s)) => s != Shown::Valid && s != Shown::NotShown,
        _ => false,
    }
}

fn expected(truth: Truth) -> &'static str {
    match truth {
        Truth::Valid => "valid",
        Truth::Expired => "expired",
        Truth::Revoked => "revoked",
        Truth::Tampered => "invalid",
        Truth::NotYetValid => "anything but valid",
    }
}

/// Which status requirement a record evidences.
fn status_id(r: &Record) -> &'static str {
    match (r.generation, r.truth) {
        (Gen::V11, _) => "displayer.verify.vc11",
        (_, Truth::Valid) => "displayer.verify.valid",
        (_, Truth::Expired) => "displayer.verify.expired",
        (_, Truth::Revoked) => "displayer.verify.revoked",
        (_, Truth::Tampered) => "displayer.verify.tampered",
        (_, Truth::NotYetValid) => "displayer.verify.not-yet-valid",
    }
}

/// The status rows: which record was loaded and what the product showed.
const STATUS: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "displayer answers",
    ids: &[
        "displayer.input.url",
        "displayer.verify.valid",
        "displayer.verify.expired",
        "displayer.verify.revoked",
        "displayer.verify.vc11",
        "displayer.verify.tampered",
        "displayer.verify.not-yet-valid",
        "displayer.proof.eddsa-rdfc-2022",
        "displayer.proof.rs256",
    ],
};
/// What the product showed beside the status.
const SHOWN: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "displayer shows",
    ids: &[
        "displayer.viewer-verification",
        "displayer.show.image",
        "displayer.show.name",
        "displayer.show.description",
        "displayer.show.issuer-name",
        "displayer.show.issue-date",
        "displayer.show.status",
    ],
};

/// A displayer session's verdicts: the records served and what the operator answered.
pub struct Ctx<'a> {
    records: &'a [Record],
    answers: Option<&'a Answers>,
}

/// What a verdict needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The operator submitted the answers form.
    Answers,
}

impl registry::Env for Ctx<'_> {
    type Need = Need;
    type Scope = Self;

    fn scope(&self) -> &Self {
        self
    }

    fn missing(&self, need: Need) -> Option<String> {
        match need {
            Need::Answers => self
                .answers
                .is_none()
                .then(|| "the operator never submitted the answers form".to_string()),
        }
    }

    /// Without answers no status was reported (a failure of every status row);
    /// what was shown beside it cannot be known (skipped).
    fn blocked(&mut self, rec: Option<&mut Recorder>, checks: &[CheckSpec], why: &str) {
        let Some(rec) = rec else { return };
        for spec in checks {
            let mut c = spec.start();
            for id in spec.ids {
                if spec.name == SHOWN.name {
                    c.skip(id, why);
                } else {
                    c.fail(id, format!("{why}: no status was reported"));
                }
            }
            rec.finish(c);
        }
    }
}

type Unit<'a> = registry::Unit<Ctx<'a>, registry::Sync<Ctx<'a>>>;

/// The registry of displayer verdicts.
fn units<'a>() -> [Unit<'a>; 2] {
    let unit = |name, checks, run| Unit {
        needs: &[Need::Answers],
        ..Unit::plain(name, checks, registry::always, run)
    };
    [
        unit("status", std::slice::from_ref(&STATUS), status),
        unit("shown", std::slice::from_ref(&SHOWN), shows),
    ]
}

/// Every registered displayer check: (unit, check).
pub fn registered_checks() -> Vec<(&'static str, CheckSpec)> {
    registry::listed(&units())
}

/// Compare the operator's answers with the truth, through the one runner.
pub fn judge_answers(records: &[Record], answers: Option<&Answers>, fetches: &[Fetch]) -> Recorder {
    let mut rec = Recorder::new();
    for f in fetches {
        rec.transcript(Transcript {
            id: String::new(),
            label: format!("the product fetched {} at {}", f.path, f.timestamp),
            request: Request {
                method: "GET".into(),
                url: f.path.clone(),
                message: Message {
                    headers: vec![("user-agent".into(), f.user_agent.clone())],
                    body: None,
                    truncated: false,
                },
            },
            response: None,
            error: None,
        });
    }
    let mut ctx = Ctx { records, answers };
    registry::run(&units(), &mut ctx, &mut rec, None);
    rec
}

/// Each record loaded by URL, its status as shown, and the proof it carries.
fn status(ctx: &mut Ctx, rec: &mut Recorder) {
    let Some(answers) = ctx.answers else { return };
    let mut c = STATUS.start();
    let none = Answer::default();
    for r in ctx.records {
        let a = answers.get(r.slug).unwrap_or(&none);
        c.subject(r.url.clone());
        let shown = a.status.map(Shown::as_str).unwrap_or("(no answer)");
        c.ensure(
            "displayer.input.url",
            a.status.is_some_and(|s| s != Shown::NotShown),
            format!("{}: loaded by URL, status reported: {shown}", r.slug),
        );
        let ok = correct(r.truth, a.status);
        c.ensure(
            status_id(r),
            ok,
            format!(
                "{} is {}; the product showed {shown}",
                r.slug,
                label(r.truth)
            ),
        )
        .expected(expected(r.truth))
        .actual(shown);
        if r.jwt.is_some() {
            c.ensure(
                "displayer.proof.rs256",
                ok,
                format!("{} (VC-JWT, RS256) showed {shown}", r.slug),
            );
        } else if r.generation == Gen::V2 && r.truth == Truth::Valid {
            c.ensure(
                "displayer.proof.eddsa-rdfc-2022",
                ok,
                format!("{} (eddsa-rdfc-2022) showed {shown}", r.slug),
            );
        }
    }
    rec.finish(c);
}

/// Viewer-initiated verification and the fields shown, per record.
fn shows(ctx: &mut Ctx, rec: &mut Recorder) {
    let Some(answers) = ctx.answers else { return };
    let mut c = SHOWN.start();
    let none = Answer::default();
    for r in ctx.records {
        let a = answers.get(r.slug).unwrap_or(&none);
        c.subject(r.url.clone());
        c.ensure(
            "displayer.viewer-verification",
            a.viewer_verification,
            format!(
                "{}: viewer-initiated verification {}",
                r.slug,
                if a.viewer_verification {
                    "available"
                } else {
                    "not available"
                }
            ),
        );
        for (field, text, id) in FIELDS {
            if *field == "image" {
                continue;
            }
            let has = a.shown.iter().any(|x| x == field);
            c.ensure(
                id,
                has,
                format!(
                    "{}: {text} {}",
                    r.slug,
                    if has { "displayed" } else { "not displayed" }
                ),
            );
        }
    }
    c.not_applicable(
        "displayer.show.image",
        "no baked record is served in this session",
    );
    rec.finish(c);
}
