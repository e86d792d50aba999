//! Unit tests of the displayer records (checked against our own verify
//! engine, so the truth the answers are judged by is real) and the judging.

use super::*;
use crate::catalog::{Profile, Role};
use crate::credential::parse::Input;
use crate::credential::verify::documents::{Documents, Fetched};
use crate::credential::verify::{VerifyOptions, verify};
use crate::evidence::Recorder;
use crate::evidence::Verdict;
use std::collections::HashMap;
use std::sync::OnceLock;

const BASE: &str = "http://127.0.0.1:9";

fn all() -> &'static Vec<Record> {
    static R: OnceLock<Vec<Record>> = OnceLock::new();
    R.get_or_init(|| records(BASE).unwrap())
}

/// Ids that failed when our engine verifies `r` as a displayer.
fn failures(r: &Record) -> Vec<String> {
    let mut opts = VerifyOptions::new(Role::Displayer, Profile::clr());
    let mut docs = HashMap::new();
    docs.insert(list_url(BASE), Fetched::Json(revocation_list(BASE, all())));
    opts.documents = Documents::new(docs);
    let mut rec = Recorder::new();
    let input = match &r.jwt {
        Some(t) => Input::Jws(t.clone()),
        None => Input::Json(r.doc.clone()),
    };
    verify(&input, &opts, &mut rec, r.slug);
    rec.findings()
        .iter()
        .filter(|(_, l)| l.iter().any(|f| f.verdict == Verdict::Fail))
        .map(|(id, l)| {
            let m = l.iter().find(|f| f.verdict == Verdict::Fail).unwrap();
            format!("{id}: {}", m.message)
        })
        .collect()
}

#[test]
fn records_verify_to_their_truth() {
    for r in all() {
        let f = failures(r);
        let has = |prefix: &str| f.iter().any(|x| x.starts_with(prefix));
        match r.truth {
            Truth::Valid => assert!(f.is_empty(), "{}: {f:#?}", r.slug),
            Truth::Expired => {
                assert!(
                    has("verify.dates") && !has("verify.status") && !has("proof."),
                    "{}: {f:#?}",
                    r.slug
                )
            }
            Truth::Revoked => assert!(
                has("verify.status.revocation-list") && !has("verify.dates") && !has("proof."),
                "{}: {f:#?}",
                r.slug
            ),
            Truth::Tampered => assert!(has("proof."), "{}: {f:#?}", r.slug),
            Truth::NotYetValid => assert!(has("verify.dates"), "{}: {f:#?}", r.slug),
        }
    }
}

fn right() -> Answers {
    let mut a = Answers::new();
    for r in all() {
        let status = match r.truth {
            Truth::Valid => Shown::Valid,
            Truth::Expired => Shown::Expired,
            Truth::Revoked => Shown::Revoked,
            Truth::Tampered | Truth::NotYetValid => Shown::Invalid,
        };
        a.insert(
            r.slug.to_string(),
            Answer {
                status: Some(status),
                shown: FIELDS.iter().map(|f| f.0.to_string()).collect(),
                viewer_verification: true,
            },
        );
    }
    a
}

fn failed(rec: &Recorder) -> Vec<String> {
    rec.findings()
        .iter()
        .filter(|(_, l)| l.iter().any(|f| f.verdict == Verdict::Fail))
        .map(|(id, _)| id.clone())
        .collect()
}

#[test]
fn right_answers_pass_and_a_wrong_one_fails_its_id() {
    let rec = judge_answers(all(), Some(&right()), &[]);
    assert!(failed(&rec).is_empty(), "{:?}", failed(&rec));
    assert!(rec.findings_for("displayer.verify.revoked")[0].verdict == Verdict::Pass);
    let mut wrong = right();
    wrong.get_mut("v2-revoked").unwrap().status = Some(Shown::Valid);
    let rec = judge_answers(all(), Some(&wrong), &[]);
    assert_eq!(failed(&rec), vec!["displayer.verify.revoked"]);
    let mut wrong = right();
    wrong.get_mut("v11-expired").unwrap().status = Some(Shown::Revoked);
    assert_eq!(
        failed(&judge_answers(all(), Some(&wrong), &[])),
        vec!["displayer.verify.vc11"]
    );
    assert_eq!(
        rec.findings_for("displayer.proof.rs256")[0].verdict,
        Verdict::Pass
    );
    // A displayer that cannot verify RS256 shows the valid VC-JWT as invalid.
    let mut wrong = right();
    wrong.get_mut("v2-jwt-rs256").unwrap().status = Some(Shown::Invalid);
    assert_eq!(
        failed(&judge_answers(all(), Some(&wrong), &[])),
        vec!["displayer.proof.rs256", "displayer.verify.valid"]
    );
}

#[test]
fn no_answers_fail_every_status_requirement() {
    let rec = judge_answers(all(), None, &[]);
    let f = failed(&rec);
    assert!(f.contains(&"displayer.verify.valid".to_string()), "{f:?}");
    assert!(
        rec.findings_for("displayer.verify.valid")[0]
            .message
            .contains("never submitted")
    );
}

#[test]
fn the_form_round_trips() {
    let page = page(BASE, all());
    for r in all() {
        assert!(page.contains(&format!("name=\"status.{}\"", r.slug)));
    }
    assert!(!page.contains("{{"), "placeholders left");
    let a = parse_answers(
        "status.v2-valid=valid&shown.v2-valid=name&shown.v2-valid=bogus&verify.v2-valid=yes&status.v2-expired=nonsense",
    );
    let v = &a["v2-valid"];
    assert_eq!(v.status, Some(Shown::Valid));
    assert_eq!(v.shown, vec!["name"]);
    assert!(v.viewer_verification);
    assert_eq!(a["v2-expired"].status, None);
}

#[test]
fn every_record_defines_its_terms_and_the_page_names_its_real_format() {
    for r in all() {
        let f = failures(r);
        assert!(
            !f.iter().any(|x| x.starts_with("data.jsonld.terms-defined")),
            "{}: {f:#?}",
            r.slug
        );
    }
    let page = page(BASE, all());
    for r in all() {
        let legend = format!("{} ({})</legend>", r.slug, record_format(r));
        assert!(page.contains(&legend), "{legend}");
    }
    let jwt = all()
        .iter()
        .find(|r| r.jwt.is_some())
        .expect("a VC-JWT record");
    assert_eq!(record_format(jwt), "VC 2.0, VC-JWT RS256");
    assert!(!page.contains(&format!("{} (VC 2.0, eddsa-rdfc-2022)", jwt.slug)));
}
