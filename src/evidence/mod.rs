//! Evidence: what checks observed, recorded per requirement id.
//!
//! A check is a small named unit that declares the requirement ids it evidences
//! and records findings against them. Severity is not decided here: the report
//! derives it from the catalog level. A requirement with no executed assertion
//! can never come out as passed.

pub mod redact;
pub mod transcript;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

pub use redact::Redactor;
pub use transcript::Transcript;

/// What one assertion found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The behaviour was observed and met the requirement.
    Pass,
    /// The behaviour was observed and broke the requirement.
    Fail,
    /// The check could not run (reason given); not evidence either way.
    Skip,
    /// The requirement does not apply to this target (e.g. an optional feature not offered).
    NotApplicable,
    /// A harness or transport problem prevented judging; distinct from a failure.
    Error,
}

/// One recorded assertion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub verdict: Verdict,
    /// The check that recorded it.
    pub check: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// What was judged: a file, a credential (JSON pointer), an endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Transcript ids (`tx-0001`) or vector ids backing the finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// For a skip: the requirement whose failure made this one unjudgeable
    /// (the root cause the report groups it under).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
    /// For a conditional requirement: what the check observed that shows the
    /// catalog condition holds. Without it a pass or failure of a conditional
    /// row does not count (the row is not applicable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition_held: Option<String>,
}

/// Why a step failed: the requirement whose row failed for it, and the
/// server's own words. Dependent checks are skipped "blocked by" it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub row: String,
    pub message: String,
}

impl Cause {
    pub fn new(row: &str, message: impl Into<String>) -> Cause {
        Cause {
            row: row.to_string(),
            message: message.into(),
        }
    }
}

/// The positive control of a negative check: the same request without the
/// defect, sent in the same run. A refusal is evidence only when it succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// The control request succeeded (a transcript or a short description).
    Succeeded(String),
    /// The control request was refused: with what (status and error).
    Refused(String),
    /// No control request could be made, and why.
    Missing(String),
}

/// What a negative probe got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The defective request was accepted (what was observed).
    Accepted(String),
    /// It was refused with this error code (if any) and description.
    Refused { error: Option<String>, seen: String },
}

/// A check in progress: collects findings for the ids it declared.
#[derive(Debug)]
pub struct Check {
    name: String,
    declared: Vec<String>,
    subject: Option<String>,
    evidence: Vec<String>,
    findings: Vec<(Slot, Finding)>,
    /// Ids whose catalog condition this check established, and how.
    given: BTreeMap<String, String>,
    started: Instant,
}

/// The requirement a finding of a check is for: a declared id by its index (no copy
/// of the id per finding), or an undeclared one.
#[derive(Debug)]
enum Slot {
    Declared(usize),
    Undeclared(String),
}

impl Check {
    /// Start a check named `name` that evidences `ids`.
    pub fn new(name: &str, ids: &[&str]) -> Check {
        Check {
            name: name.to_string(),
            declared: ids.iter().map(|s| s.to_string()).collect(),
            subject: None,
            evidence: Vec::new(),
            findings: Vec::with_capacity(ids.len()),
            given: BTreeMap::new(),
            started: Instant::now(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn declared(&self) -> &[String] {
        &self.declared
    }

    /// Findings recorded from now on name this subject.
    pub fn subject(&mut self, subject: impl Into<String>) -> &mut Self {
        self.subject = Some(subject.into());
        self
    }

    /// Findings recorded from now on cite this evidence (transcript or vector id).
    pub fn cite(&mut self, evidence: impl Into<String>) -> &mut Self {
        let e = evidence.into();
        if !self.evidence.contains(&e) {
            self.evidence.push(e);
        }
        self
    }

    /// Stop citing earlier evidence.
    pub fn clear_citations(&mut self) -> &mut Self {
        self.evidence.clear();
        self
    }

    /// The requirement id of a finding.
    fn id<'a>(&'a self, slot: &'a Slot) -> &'a str {
        match slot {
            Slot::Declared(i) => &self.declared[*i],
            Slot::Undeclared(id) => id,
        }
    }

    fn push(&mut self, id: &str, verdict: Verdict, message: String) -> &mut Finding {
        let (slot, verdict, message) = match self.declared.iter().position(|d| d == id) {
            Some(i) => (Slot::Declared(i), verdict, message),
            // An undeclared id is a harness bug: record it loudly, never as a pass.
            None => (
                Slot::Undeclared(id.to_string()),
                Verdict::Error,
                format!(
                    "check {} recorded undeclared requirement {id}: {message}",
                    self.name
                ),
            ),
        };
        let finding = Finding {
            verdict,
            check: self.name.clone(),
            message,
            expected: None,
            actual: None,
            subject: self.subject.clone(),
            evidence: self.evidence.clone(),
            blocked_by: None,
            condition_held: self.given.get(id).cloned(),
        };
        self.findings.push((slot, finding));
        &mut self.findings.last_mut().expect("just pushed").1
    }

    /// Record a pass when `ok`, else a failure, with one message for both.
    pub fn ensure(&mut self, id: &str, ok: bool, message: impl Into<String>) -> &mut Finding {
        let v = if ok { Verdict::Pass } else { Verdict::Fail };
        self.push(id, v, message.into())
    }

    /// Compare `expected` with `actual`; the finding carries both.
    pub fn ensure_eq<T: PartialEq + std::fmt::Debug>(
        &mut self,
        id: &str,
        expected: T,
        actual: T,
        message: impl Into<String>,
    ) -> &mut Finding {
        let ok = expected == actual;
        let f = self.ensure(id, ok, message);
        f.expected = Some(format!("{expected:?}"));
        f.actual = Some(format!("{actual:?}"));
        f
    }

    pub fn pass(&mut self, id: &str, message: impl Into<String>) -> &mut Finding {
        self.push(id, Verdict::Pass, message.into())
    }

    pub fn fail(&mut self, id: &str, message: impl Into<String>) -> &mut Finding {
        self.push(id, Verdict::Fail, message.into())
    }

    pub fn skip(&mut self, id: &str, reason: impl Into<String>) -> &mut Finding {
        self.push(id, Verdict::Skip, reason.into())
    }

    pub fn not_applicable(&mut self, id: &str, reason: impl Into<String>) -> &mut Finding {
        self.push(id, Verdict::NotApplicable, reason.into())
    }

    pub fn error(&mut self, id: &str, message: impl Into<String>) -> &mut Finding {
        self.push(id, Verdict::Error, message.into())
    }

    /// The catalog condition of `id` holds, as `how` shows: findings recorded
    /// for `id` from now on count (without this, a conditional row is not
    /// applicable whatever the check records).
    pub fn given(&mut self, id: &str, how: impl Into<String>) -> &mut Self {
        self.given.insert(id.to_string(), how.into());
        self
    }

    /// Skip `id` because `cause` failed: "blocked by <row>: <message>".
    pub fn blocked_by(&mut self, id: &str, cause: &Cause) -> &mut Finding {
        let f = self.push(
            id,
            Verdict::Skip,
            format!("blocked by {}: {}", cause.row, cause.message),
        );
        f.blocked_by = Some(cause.row.clone());
        f
    }

    /// Skip every declared id without a finding yet because `cause` failed
    /// (the cause's own row, if declared here, is left to the caller).
    pub fn rest_blocked_by(&mut self, cause: &Cause) {
        for i in 0..self.declared.len() {
            let id = &self.declared[i];
            if *id != cause.row && !self.findings.iter().any(|(s, _)| self.id(s) == id) {
                let id = id.clone();
                self.blocked_by(&id, cause);
            }
        }
    }

    /// Skip `id` as inconclusive unless its positive control (`what`, e.g.
    /// "a valid create") succeeded in this run; true when it skipped.
    pub fn without_control(&mut self, id: &str, control: &Control, what: &str) -> bool {
        let what = if what.is_empty() {
            String::new()
        } else {
            format!(" ({what})")
        };
        let why = match control {
            Control::Succeeded(_) => return false,
            Control::Refused(x) => format!("the control request{what} was refused with {x}"),
            Control::Missing(why) => format!("no control request{what}: {why}"),
        };
        self.skip(id, format!("inconclusive: {why}"));
        true
    }

    /// Judge a negative probe by its positive control: `what` was refused
    /// (pass) only when the control succeeded in this run and the refusal is
    /// one of `expected` (any refusal when `expected` is empty); accepted is a
    /// failure once the control succeeded; anything else is inconclusive.
    pub fn refused(
        &mut self,
        id: &str,
        control: &Control,
        got: &Refusal,
        expected: &[&str],
        what: &str,
    ) -> &mut Finding {
        if self.without_control(id, control, "") {
            return &mut self.findings.last_mut().expect("just skipped").1;
        }
        match got {
            Refusal::Accepted(seen) => self.fail(
                id,
                format!("{what}: accepted ({seen}); the rule requires a refusal"),
            ),
            Refusal::Refused { error, seen } => {
                let e = error.as_deref().unwrap_or("");
                if expected.is_empty() || expected.contains(&e) {
                    self.pass(
                        id,
                        format!("{what}: refused ({seen}) while the control request succeeded"),
                    )
                } else {
                    self.skip(
                        id,
                        format!(
                            "inconclusive: {what} was refused with {seen}, not with {} as the rule expects, so the refusal may have another cause",
                            expected.join(" or ")
                        ),
                    )
                }
            }
        }
    }

    /// Record `verdict` for every declared id (e.g. skip all when a prerequisite failed).
    pub fn all(&mut self, verdict: Verdict, message: &str) {
        for id in self.declared.clone() {
            self.push(&id, verdict, message.to_string());
        }
    }

    pub fn findings(&self) -> impl Iterator<Item = (&str, &Finding)> {
        self.findings.iter().map(|(s, f)| (self.id(s), f))
    }

    /// Declared ids that have no finding yet.
    pub fn unjudged(&self) -> Vec<String> {
        self.declared
            .iter()
            .filter(|d| !self.findings.iter().any(|(s, _)| self.id(s) == *d))
            .cloned()
            .collect()
    }
}

impl Finding {
    /// This finding's requirement condition holds, as `how` shows.
    pub fn held(&mut self, how: impl Into<String>) -> &mut Self {
        self.condition_held = Some(how.into());
        self
    }
    pub fn expected(&mut self, v: impl Into<String>) -> &mut Self {
        self.expected = Some(v.into());
        self
    }
    pub fn actual(&mut self, v: impl Into<String>) -> &mut Self {
        self.actual = Some(v.into());
        self
    }
    pub fn evidence(&mut self, v: impl Into<String>) -> &mut Self {
        self.evidence.push(v.into());
        self
    }
}

/// Finding texts (message, expected, actual, subject) are kept up to this
/// many bytes: they may quote target-controlled values (a client_id, a URL).
pub const FINDING_CAP: usize = 4 * 1024;

impl Finding {
    /// Cut every text to `FINDING_CAP`.
    fn cap(&mut self) {
        let cap = |s: &mut String| {
            if s.len() > FINDING_CAP {
                *s = transcript::cut(s, FINDING_CAP).0;
            }
        };
        cap(&mut self.message);
        for o in [&mut self.expected, &mut self.actual, &mut self.subject]
            .into_iter()
            .flatten()
        {
            cap(o);
        }
    }
}

impl Verdict {
    pub const ALL: [Verdict; 5] = [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Skip,
        Verdict::NotApplicable,
        Verdict::Error,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// Per requirement, what a capped recorder counted: findings kept and not
/// kept for each verdict, and the evidence the dropped ones cited.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    kept: [usize; 5],
    omitted: [usize; 5],
    /// Evidence ids cited only by findings that were not kept.
    pub omitted_evidence: Vec<String>,
}

impl Tally {
    /// Findings of `v` that were counted but not kept.
    pub fn omitted(&self, v: Verdict) -> usize {
        self.omitted[v.index()]
    }

    /// Findings counted but not kept, all verdicts.
    pub fn omitted_total(&self) -> usize {
        self.omitted.iter().sum()
    }

    /// Count `f`; true when it is to be kept (fewer than `cap` of its verdict kept so far).
    pub fn admit(&mut self, f: &Finding, cap: usize) -> bool {
        let i = f.verdict.index();
        if self.kept[i] < cap {
            self.kept[i] += 1;
            return true;
        }
        self.omitted[i] += 1;
        for e in &f.evidence {
            if !self.omitted_evidence.contains(e) {
                self.omitted_evidence.push(e.clone());
            }
        }
        false
    }

    /// Add another tally's omissions (its kept findings are admitted one by one).
    pub fn absorb_omitted(&mut self, other: &Tally) {
        for (a, b) in self.omitted.iter_mut().zip(other.omitted) {
            *a += b;
        }
        for e in &other.omitted_evidence {
            if !self.omitted_evidence.contains(e) {
                self.omitted_evidence.push(e.clone());
            }
        }
    }
}

/// Everything a run observed: findings per requirement, check durations, transcripts.
#[derive(Debug, Default)]
pub struct Recorder {
    findings: BTreeMap<String, Vec<Finding>>,
    /// Looked up per declared id of every check, never listed in order: hashed.
    durations: foldhash::HashMap<String, Duration>,
    checks_run: usize,
    transcripts: Vec<Transcript>,
    notes: Vec<String>,
    /// Keep at most this many findings per requirement and verdict (None: all).
    cap: Option<usize>,
    tallies: BTreeMap<String, Tally>,
    /// Conditional rows count only findings whose check established the
    /// condition (set by the provider suites, whose checks do).
    conditions_enforced: bool,
    /// Debug builds: the running registered units and the ids they declare
    /// (innermost last, `crate::registry`); a check finishing with a finding
    /// outside the innermost unit's ids is a bug of the tables.
    #[cfg(debug_assertions)]
    units: Vec<(&'static str, Vec<&'static str>)>,
}

impl Recorder {
    /// A recorder whose conditional rows count a pass or failure only from a
    /// finding that carries `condition_held` (see `Check::given`).
    pub fn enforcing_conditions() -> Recorder {
        Recorder {
            conditions_enforced: true,
            ..Recorder::default()
        }
    }

    /// Whether conditions are enforced (see [`Recorder::enforcing_conditions`]).
    pub fn conditions_enforced(&self) -> bool {
        self.conditions_enforced
    }

    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// A recorder that keeps at most `cap` findings per requirement and
    /// verdict, and counts the rest (a huge input stays small in memory).
    /// Outcomes are unchanged: the first finding of each verdict is always kept.
    pub fn capped(cap: usize) -> Recorder {
        Recorder {
            cap: Some(cap.max(1)),
            ..Recorder::default()
        }
    }

    /// A registered unit starts: until [`Recorder::leave_unit`], debug builds
    /// assert that every finished check records only under `ids`.
    pub fn enter_unit(&mut self, _name: &'static str, _ids: impl Iterator<Item = &'static str>) {
        #[cfg(debug_assertions)]
        self.units.push((_name, _ids.collect()));
    }

    /// A fresh recorder for findings judged on behalf of the running unit (a
    /// step's scratch recorder, a nested verification merged later): in debug
    /// builds it keeps the running units, so what it records is held to them too.
    pub fn child(&self) -> Recorder {
        Recorder {
            #[cfg(debug_assertions)]
            units: self.units.clone(),
            ..Recorder::default()
        }
    }

    /// The innermost registered unit ended.
    pub fn leave_unit(&mut self) {
        #[cfg(debug_assertions)]
        self.units.pop();
    }

    /// Take a finished check's findings.
    pub fn finish(&mut self, check: Check) {
        #[cfg(debug_assertions)]
        if let Some((unit, ids)) = self.units.last() {
            for (id, _) in check.findings() {
                assert!(
                    ids.contains(&id),
                    "unit {unit:?} recorded a finding for {id}, which none of its checks declares (check {:?})",
                    check.name()
                );
            }
        }
        let elapsed = check.started.elapsed();
        self.checks_run += 1;
        for (slot, f) in check.findings {
            let id = match &slot {
                Slot::Declared(i) => &check.declared[*i],
                Slot::Undeclared(id) => id,
            };
            self.add(id, f);
        }
        // The declared ids become the duration keys (no copy).
        for id in check.declared {
            *self.durations.entry(id).or_default() += elapsed;
        }
    }

    /// Keep `f` for `id`; the id is copied only when it is new to this recorder.
    fn add(&mut self, id: &str, mut f: Finding) {
        f.cap();
        if let Some(cap) = self.cap {
            let tally = match self.tallies.get_mut(id) {
                Some(t) => t,
                None => self.tallies.entry(id.to_string()).or_default(),
            };
            if !tally.admit(&f, cap) {
                return;
            }
        }
        match self.findings.get_mut(id) {
            Some(list) => list.push(f),
            None => {
                self.findings.insert(id.to_string(), vec![f]);
            }
        }
    }

    /// Pass every finding, note and transcript through `r` once more, with
    /// every secret the run met registered by now: a finding message quoting
    /// a target's response (a code it should not have issued, say) is
    /// redacted the same way as the transcripts.
    pub fn redact(&mut self, r: &Redactor) {
        for list in self.findings.values_mut() {
            for f in list {
                f.message = r.text(&f.message);
                for o in [&mut f.expected, &mut f.actual, &mut f.subject]
                    .into_iter()
                    .flatten()
                {
                    *o = r.text(o);
                }
            }
        }
        for n in &mut self.notes {
            *n = r.text(n);
        }
        for t in &mut self.transcripts {
            r.transcript(t);
        }
    }

    /// What was counted but not kept for `id` (None when nothing was dropped).
    pub fn omitted_for(&self, id: &str) -> Option<&Tally> {
        self.tallies.get(id).filter(|t| t.omitted_total() > 0)
    }

    /// Add a transcript and return its id (`tx-0001`, ...).
    pub fn transcript(&mut self, mut t: Transcript) -> String {
        let id = format!("tx-{:04}", self.transcripts.len() + 1);
        t.id = id.clone();
        self.transcripts.push(t);
        id
    }

    /// A free-text note for the report header (e.g. "--insecure was given").
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    pub fn findings_for(&self, id: &str) -> &[Finding] {
        self.findings.get(id).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn findings(&self) -> &BTreeMap<String, Vec<Finding>> {
        &self.findings
    }

    pub fn duration_for(&self, id: &str) -> Duration {
        self.durations.get(id).copied().unwrap_or_default()
    }

    pub fn checks_run(&self) -> usize {
        self.checks_run
    }

    pub fn transcripts(&self) -> &[Transcript] {
        &self.transcripts
    }

    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Merge another recorder (e.g. from a parallel worker). Transcript ids are renumbered.
    pub fn merge(&mut self, other: Recorder) {
        let mut renumber = BTreeMap::new();
        for t in other.transcripts {
            let old = t.id.clone();
            let new = self.transcript(t);
            renumber.insert(old, new);
        }
        for (id, mut list) in other.findings {
            for f in &mut list {
                for e in &mut f.evidence {
                    if let Some(n) = renumber.get(e) {
                        *e = n.clone();
                    }
                }
            }
            if self.cap.is_some() {
                for f in list {
                    self.add(&id, f);
                }
            } else {
                self.findings.entry(id).or_default().extend(list);
            }
        }
        for (id, mut t) in other.tallies {
            if t.omitted_total() == 0 {
                continue;
            }
            for e in &mut t.omitted_evidence {
                if let Some(n) = renumber.get(e) {
                    *e = n.clone();
                }
            }
            self.tallies.entry(id).or_default().absorb_omitted(&t);
        }
        for (id, d) in other.durations {
            *self.durations.entry(id).or_default() += d;
        }
        self.checks_run += other.checks_run;
        self.conditions_enforced |= other.conditions_enforced;
        self.notes.extend(other.notes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refusal is evidence only with its positive control and the expected error.
    #[test]
    fn refusals_need_their_positive_control() {
        let ok = Control::Succeeded("tx-0001".into());
        let refused = |e: &str| Refusal::Refused {
            error: Some(e.into()),
            seen: format!("400 error={e}"),
        };
        let verdict = |control: &Control, got: &Refusal| {
            let mut c = Check::new("demo", &["a.b"]);
            let f = c.refused("a.b", control, got, &["invalid_request"], "no PKCE");
            (f.verdict, f.message.clone())
        };
        assert_eq!(verdict(&ok, &refused("invalid_request")).0, Verdict::Pass);
        let accepted = Refusal::Accepted("302 with a code".into());
        assert_eq!(verdict(&ok, &accepted).0, Verdict::Fail);
        // Refused for another reason: inconclusive, never a pass.
        let (v, m) = verdict(&ok, &refused("invalid_scope"));
        assert_eq!(v, Verdict::Skip);
        assert!(
            m.starts_with("inconclusive: no PKCE was refused with 400 error=invalid_scope"),
            "{m}"
        );
        // The control itself refused: inconclusive whatever the probe got.
        let bad = Control::Refused("400 error=invalid_scope".into());
        for got in [refused("invalid_request"), accepted] {
            let (v, m) = verdict(&bad, &got);
            assert_eq!(v, Verdict::Skip);
            assert_eq!(
                m,
                "inconclusive: the control request was refused with 400 error=invalid_scope"
            );
        }
    }

    #[test]
    fn conditions_and_causes_are_carried_by_findings() {
        let mut c = Check::new("demo", &["a.b", "a.c", "a.d"]);
        c.given("a.b", "a Link header was sent");
        c.fail("a.b", "no rel=first");
        c.pass("a.c", "x").held("per finding");
        let cause = Cause::new("a.b", "no rel=first");
        c.rest_blocked_by(&cause);
        let f: Vec<(&str, &Finding)> = c.findings().collect();
        assert_eq!(
            f[0].1.condition_held.as_deref(),
            Some("a Link header was sent")
        );
        assert_eq!(f[1].1.condition_held.as_deref(), Some("per finding"));
        // Only a.d had no finding: it alone is blocked.
        assert_eq!(f.len(), 3);
        assert_eq!(f[2].0, "a.d");
        assert_eq!(f[2].1.blocked_by.as_deref(), Some("a.b"));
        assert_eq!(f[2].1.message, "blocked by a.b: no rel=first");
    }

    #[test]
    fn undeclared_ids_become_errors() {
        let mut c = Check::new("demo", &["a.b"]);
        c.pass("a.c", "sneaky");
        let (id, f) = c.findings().next().unwrap();
        assert_eq!(id, "a.c");
        assert_eq!(f.verdict, Verdict::Error);
    }

    #[test]
    fn capped_recorders_count_what_they_drop_across_merges() {
        let part = |tx: &str| {
            let mut r = Recorder::capped(2);
            let id = r.transcript(Transcript {
                id: String::new(),
                label: tx.to_string(),
                request: transcript::Request {
                    method: "GET".into(),
                    url: "https://example.org/".into(),
                    message: transcript::Message {
                        headers: Vec::new(),
                        body: None,
                        truncated: false,
                    },
                },
                response: None,
                error: None,
            });
            assert_eq!(id, "tx-0001");
            let mut c = Check::new("demo", &["a.b"]);
            for i in 0..4 {
                if i == 3 {
                    c.cite(id.clone());
                }
                c.pass("a.b", format!("{tx} pass {i}"));
            }
            c.fail("a.b", format!("{tx} fail"));
            r.finish(c);
            r
        };
        let one = part("one");
        assert_eq!(one.findings_for("a.b").len(), 3);
        let t = one.omitted_for("a.b").unwrap();
        assert_eq!((t.omitted(Verdict::Pass), t.omitted(Verdict::Fail)), (2, 0));
        assert_eq!(t.omitted_evidence, vec!["tx-0001"]);
        let mut all = Recorder::capped(2);
        all.merge(one);
        all.merge(part("two"));
        // Two passes and the first failure of each part kept; the rest counted.
        let kept: Vec<&str> = all
            .findings_for("a.b")
            .iter()
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(kept, ["one pass 0", "one pass 1", "one fail", "two fail"]);
        let t = all.omitted_for("a.b").unwrap();
        assert_eq!((t.omitted(Verdict::Pass), t.omitted_total()), (6, 6));
        // The second part's transcript was renumbered, in the dropped evidence too.
        assert_eq!(t.omitted_evidence, vec!["tx-0001", "tx-0002"]);
        // An uncapped recorder keeps everything and reports nothing dropped.
        let mut plain = Recorder::new();
        plain.merge(part("three"));
        assert_eq!(plain.findings_for("a.b").len(), 3);
        assert!(plain.omitted_for("a.b").is_some());
    }

    #[test]
    fn ensure_eq_keeps_expected_and_actual() {
        let mut c = Check::new("demo", &["a.b"]);
        c.subject("file.json").cite("tx-0001");
        c.ensure_eq("a.b", 201, 200, "status");
        let mut r = Recorder::new();
        r.finish(c);
        let f = &r.findings_for("a.b")[0];
        assert_eq!(f.verdict, Verdict::Fail);
        assert_eq!(f.expected.as_deref(), Some("201"));
        assert_eq!(f.actual.as_deref(), Some("200"));
        assert_eq!(f.subject.as_deref(), Some("file.json"));
        assert_eq!(f.evidence, vec!["tx-0001"]);
    }
}
