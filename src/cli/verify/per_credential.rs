//! `verify --per-credential FILE`: one compact JSON line per input, in input order,
//! written as each is verified, for runs too large to read per row. A line names the
//! input and its verdict and lists the requirement ids behind it; the report stays the
//! record of the run (baselines, for one, apply there, not here).

use crate::catalog::{Level, Requirement};
use crate::evidence::{Recorder, Verdict};
use crate::report::model::is_needed;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// The levels of the rows the run judges (rows outside the profile left out).
pub struct Levels(HashMap<String, Level>);

impl Levels {
    pub fn new(rows: &[&Requirement], profile: &crate::catalog::Profile) -> Levels {
        Levels(
            rows.iter()
                .filter(|r| !profile.excludes(&r.id))
                .map(|r| (r.id.clone(), r.level))
                .collect(),
        )
    }
}

/// One input's line.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Line<'a> {
    pub input: &'a str,
    /// `fail` (a MUST broken), `error` (not judged: harness or read error),
    /// `not-verified` (a needed MUST could not be judged), `warning` (only a SHOULD or
    /// MAY broken) or `pass`.
    pub verdict: &'static str,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub must: BTreeSet<&'a str>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub should: BTreeSet<&'a str>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub errors: BTreeSet<&'a str>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub unjudged: BTreeSet<&'a str>,
}

impl Line<'_> {
    /// The line as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The line for `input` from its own findings.
pub fn line<'a>(input: &'a str, one: &'a Recorder, levels: &Levels) -> Line<'a> {
    let mut l = Line {
        input,
        verdict: "pass",
        must: BTreeSet::new(),
        should: BTreeSet::new(),
        errors: BTreeSet::new(),
        unjudged: BTreeSet::new(),
    };
    for (id, findings) in one.findings() {
        let Some(level) = levels.0.get(id) else {
            continue;
        };
        let has = |v: Verdict| findings.iter().any(|f| f.verdict == v);
        if has(Verdict::Fail) {
            match level {
                Level::Must => l.must.insert(id),
                _ => l.should.insert(id),
            };
        } else if has(Verdict::Error) {
            l.errors.insert(id);
        } else if *level == Level::Must && is_needed(id) && has(Verdict::Skip) {
            l.unjudged.insert(id);
        }
    }
    l.verdict = if !l.must.is_empty() {
        "fail"
    } else if !l.errors.is_empty() {
        "error"
    } else if !l.unjudged.is_empty() {
        "not-verified"
    } else if !l.should.is_empty() {
        "warning"
    } else {
        "pass"
    };
    l
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, Profile, Role};
    use crate::evidence::Check;

    const SHOULD: &str = "data.clr-subject.achievement-credentials";

    fn levels() -> Levels {
        let catalog = Catalog::embedded();
        let rows: Vec<&Requirement> = catalog
            .requirements
            .iter()
            .filter(|r| r.roles.contains(&Role::Issuer))
            .collect();
        Levels::new(&rows, Profile::get("clr-2.0").unwrap())
    }

    fn one(f: impl FnOnce(&mut Check)) -> Recorder {
        let mut rec = Recorder::new();
        let mut c = Check::new("t", &["proof.di.signature", SHOULD]);
        f(&mut c);
        rec.finish(c);
        rec
    }

    #[test]
    fn each_verdict_comes_from_the_findings_behind_it() {
        let levels = levels();
        let pass = one(|c| {
            c.pass("proof.di.signature", "ok");
        });
        assert_eq!(line("a", &pass, &levels).verdict, "pass");
        let fail = one(|c| {
            c.fail("proof.di.signature", "bad");
            c.fail(SHOULD, "bad");
        });
        let l = line("a", &fail, &levels);
        assert_eq!(l.verdict, "fail");
        assert_eq!(
            l.must.iter().copied().collect::<Vec<_>>(),
            ["proof.di.signature"]
        );
        assert_eq!(l.should.iter().copied().collect::<Vec<_>>(), [SHOULD]);
        let warning = one(|c| {
            c.pass("proof.di.signature", "ok");
            c.fail(SHOULD, "bad");
        });
        assert_eq!(line("a", &warning, &levels).verdict, "warning");
        let skipped = one(|c| {
            c.skip("proof.di.signature", "no key");
        });
        let l = line("a", &skipped, &levels);
        assert_eq!(l.verdict, "not-verified");
        assert!(l.unjudged.contains("proof.di.signature"));
        let error = one(|c| {
            c.error("proof.di.signature", "harness");
        });
        assert_eq!(line("a", &error, &levels).verdict, "error");
        let text = serde_json::to_string(&line("x.json", &pass, &levels)).unwrap();
        assert_eq!(text, r#"{"input":"x.json","verdict":"pass"}"#);
    }
}
