//! The document a credential arrives in, the verify family's first table:
//! decoding, the baked image, the certification submission, the encoding; its
//! last unit verifies the credential itself (through the steps table,
//! `steps.rs`). All of them run through the one runner.

use super::{Kind, VerifyOptions, proofs, verify};
use crate::credential::parse::{Document, Input, ParseError};
use crate::evidence::{Check, Recorder};
use crate::registry::{self, CheckSpec};

/// Checks of the document a credential arrives in.
const DECODE: &[CheckSpec] = &[
    CheckSpec {
        at: crate::registry::here!(),
        name: "decode input",
        ids: &[
            "data.serialization.utf8",
            "data.baked.png",
            "data.baked.svg",
            "data.document.jws-or-json",
            "verify.input.formats",
        ],
    },
    CheckSpec {
        at: crate::registry::here!(),
        name: "baked image",
        ids: &["data.baked.png", "data.baked.svg", "verify.input.formats"],
    },
    CheckSpec {
        at: crate::registry::here!(),
        name: "certification submission baked",
        ids: &["data.cert.baked"],
    },
    CheckSpec {
        at: crate::registry::here!(),
        name: "document encoding",
        ids: &[
            "data.serialization.utf8",
            "data.document.jws-or-json",
            "data.document.single-credential",
            "data.serialization.no-bom",
            "data.serialization.unique-members",
        ],
    },
    CheckSpec {
        at: crate::registry::here!(),
        name: "vc-jwt decode",
        ids: &["proof.jwt.compact"],
    },
];

/// What the document units judge: the parsed document (or why it is not one).
pub(super) struct Doc<'d> {
    parsed: Result<&'d Document, &'d ParseError>,
    opts: &'d VerifyOptions,
    subject: &'d str,
}

registry::without_needs!(Doc<'_>);

type Unit<'d> = registry::Unit<Doc<'d>, registry::Sync<Doc<'d>>>;

/// The document units, in order.
pub(super) fn units<'d>() -> [Unit<'d>; 5] {
    let unit = Unit::plain;
    [
        unit("decode", &DECODE[0..1], |d: &Doc| d.parsed.is_err(), decode),
        unit(
            "baked image",
            &DECODE[1..2],
            |d: &Doc| d.parsed.is_ok_and(|doc| doc.baked.is_some()),
            baked,
        ),
        unit(
            "certification submission",
            &DECODE[2..3],
            |d: &Doc| d.parsed.is_ok() && d.opts.issuer(),
            certification,
        ),
        unit(
            "document encoding",
            &DECODE[3..4],
            |d: &Doc| d.parsed.is_ok_and(|doc| !doc.problems.is_empty()),
            encoding,
        ),
        unit(
            "credential",
            &DECODE[4..5],
            |d: &Doc| d.parsed.is_ok(),
            credential,
        ),
    ]
}

/// Judge `parsed` under `subject` through the one runner.
pub(super) fn run(
    parsed: Result<&Document, &ParseError>,
    opts: &VerifyOptions,
    rec: &mut Recorder,
    subject: &str,
) {
    let mut d = Doc {
        parsed,
        opts,
        subject,
    };
    registry::run(&units(), &mut d, rec, None);
}

fn decode(d: &mut Doc, rec: &mut Recorder) {
    let (Err(e), subject) = (d.parsed, d.subject) else {
        return;
    };
    let specific = match e {
        ParseError::NotText => Some("data.serialization.utf8"),
        ParseError::Baked(m) if m.starts_with("PNG") => Some("data.baked.png"),
        ParseError::Baked(_) => Some("data.baked.svg"),
        _ => None,
    };
    let document = match e {
        ParseError::Baked(_) => None,
        _ => Some("data.document.jws-or-json"),
    };
    let ids: Vec<&str> = [specific, document, Some("verify.input.formats")]
        .into_iter()
        .flatten()
        .collect();
    let mut c = Check::new("decode input", &ids);
    c.subject(subject);
    for id in specific.into_iter().chain(document) {
        c.fail(id, format!("{subject}: {e}"));
    }
    c.error(
        "verify.input.formats",
        format!("{subject}: cannot be decoded: {e}"),
    );
    rec.finish(c);
}

fn baked(d: &mut Doc, rec: &mut Recorder) {
    let (Ok(doc), subject) = (d.parsed, d.subject) else {
        return;
    };
    if let Some(b) = &doc.baked {
        use crate::credential::baked::{self, Image};
        let id = if b.image == Image::Png {
            "data.baked.png"
        } else {
            "data.baked.svg"
        };
        let mut c = Check::new("baked image", &[id, "verify.input.formats"]);
        c.subject(subject);
        let mut problems = b.problems.clone();
        let kind = match &doc.input {
            Input::Json(v) => Some(Kind::of(v)),
            Input::Jws(j) => proofs::decode_jwt_credential(j).ok().map(|v| Kind::of(&v)),
        };
        let want = kind.map(|k| baked::expected_carrier(b.image, k == Kind::Clr));
        if let (Some(k), Some(want)) = (kind, want)
            && matches!(k, Kind::Clr | Kind::Achievement)
            && b.carrier != want
        {
            problems.push(format!(
                "{} carried by {:?}; a {} belongs in {want}",
                k.name(),
                b.carrier,
                k.name()
            ));
        }
        if problems.is_empty() {
            c.pass(id, "one credential carrier, as the baking rules say");
        }
        for p in &problems {
            c.fail(id, p.clone());
        }
        c.pass(
            "verify.input.formats",
            format!("credential extracted from a baked {:?}", b.image),
        );
        rec.finish(c);
    }
}

fn certification(d: &mut Doc, rec: &mut Recorder) {
    let (Ok(doc), subject, opts) = (d.parsed, d.subject, d.opts) else {
        return;
    };
    // CLR issuer certification submits a baked record [CLR-CERT-TS].
    {
        let id = "data.cert.baked";
        let mut c = Check::new("certification submission baked", &[id]);
        c.subject(subject);
        match (&doc.baked, opts.certification) {
            (_, false) => {
                c.not_applicable(id, "not a certification submission (give --certification)");
            }
            (Some(b), true) => {
                c.given(id, "--certification: a certification submission");
                c.pass(id, format!("the credential is baked in a {:?}", b.image));
            }
            (None, true) => {
                c.given(id, "--certification: a certification submission");
                c.fail(
                    id,
                    "the credential is a bare document: CLR issuer certification asks for a baked ClrCredential (PNG or SVG)",
                );
            }
        }
        rec.finish(c);
    }
}

fn encoding(d: &mut Doc, rec: &mut Recorder) {
    let (Ok(doc), subject) = (d.parsed, d.subject) else {
        return;
    };
    if !doc.problems.is_empty() {
        let ids: Vec<&str> = doc.problems.iter().map(|p| p.id).collect();
        let mut c = Check::new("document encoding", &ids);
        c.subject(subject);
        for p in &doc.problems {
            c.fail(p.id, p.message.clone());
        }
        rec.finish(c);
    }
}

/// The credential the document holds, through the steps table (`verify`).
fn credential(d: &mut Doc, rec: &mut Recorder) {
    if let Ok(doc) = d.parsed {
        verify(&doc.input, d.opts, rec, d.subject);
    }
}
