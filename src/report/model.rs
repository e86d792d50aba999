//! The report model: one canonical `report.json`, from which every other
//! format is rendered. Built from the catalog rows a run selected and the
//! findings its checks recorded; this is where outcomes are decided.

use crate::catalog::{Level, Requirement, Role, Source};
use crate::evidence::{Finding, Recorder, Tally, Transcript, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `format` member of every report.json.
pub const FORMAT: &str = "clr-conformance-report";
/// Bumped on any incompatible change to report.json (see schemas/report.schema.json).
pub const FORMAT_VERSION: u32 = 1;
/// A row keeps at most this many findings of each verdict; the rest are
/// counted (`findings_omitted`), so a huge input gives a bounded report.
pub const MAX_ROW_FINDINGS: usize = 100;

/// The verdict for one requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Assertions ran and all held.
    Pass,
    /// A MUST was broken.
    Fail,
    /// A SHOULD (or MAY) was not met.
    Warning,
    /// Nothing was judged, for a stated reason.
    Skipped,
    /// Does not apply to this target.
    NotApplicable,
    /// A harness or transport problem prevented judging.
    Error,
    /// No check executed an assertion for it.
    NotRun,
    /// A failure (or unmet SHOULD) listed in the run's `--baseline`: still a
    /// failure of the product, but it does not fail the run.
    KnownFailure,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::Fail,
        Outcome::KnownFailure,
        Outcome::Error,
        Outcome::Warning,
        Outcome::NotRun,
        Outcome::Skipped,
        Outcome::NotApplicable,
        Outcome::Pass,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Warning => "warning",
            Outcome::Skipped => "skipped",
            Outcome::NotApplicable => "not-applicable",
            Outcome::Error => "error",
            Outcome::NotRun => "not-run",
            Outcome::KnownFailure => "known-failure",
        }
    }
}

/// When a run's exit code turns non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Only a failed MUST fails the run.
    #[default]
    Must,
    /// A SHOULD not met fails the run too (strict mode).
    Should,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
    pub git_revision: String,
}

impl Tool {
    pub fn current() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            // Set by build.rs: the CI variable, else `git rev-parse HEAD`, else "unknown".
            git_revision: env!("CLR_CONFORMANCE_BUILT_REVISION").to_string(),
        }
    }
}

/// Who ran what, against what, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub tool: Tool,
    pub catalog_hash: String,
    /// The subcommand: verify, run, judge.
    pub command: String,
    /// What was judged: files, a base URL, "builtin".
    pub target: String,
    pub profile: String,
    pub roles: Vec<Role>,
    /// Requirement id prefixes this command can evidence at all.
    pub scope: Vec<String>,
    pub only: Vec<String>,
    pub skip: Vec<String>,
    pub fail_on: FailOn,
    pub started: String,
    pub finished: String,
    /// `sha256:` of the effective configuration with secrets removed.
    pub config_fingerprint: String,
    #[serde(default)]
    pub interrupted: bool,
    #[serde(default)]
    pub notes: Vec<String>,
    /// The `--baseline` the run applied, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<super::baseline::Applied>,
}

/// One row per requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    pub level: Level,
    pub roles: Vec<Role>,
    pub statement: String,
    pub source: Source,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// What the rule rests on for CLR 2.0 (`clr`, `clr-schema`, `ob-inherited`, `inferred`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<crate::catalog::Basis>,
    pub outcome: Outcome,
    /// Why the outcome is what it is, in one line.
    pub reason: String,
    /// Assertions that judged the requirement (passes + failures).
    pub assertions: usize,
    pub passed: usize,
    pub failed: usize,
    pub findings: Vec<Finding>,
    /// Findings counted in `passed`/`failed` but not listed in `findings`
    /// (more than [`MAX_ROW_FINDINGS`] of one verdict).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub findings_omitted: usize,
    /// Every transcript or vector id cited by the findings.
    pub evidence: Vec<String>,
    pub duration_ms: u64,
    /// A skipped row's root cause: the requirement whose failure blocked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
    /// The rows this one's failure blocked (they are reported under it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<String>,
    /// The catalog marks the requirement untestable by design: its skip does
    /// not make a role incomplete.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub untestable: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub warning: usize,
    pub skipped: usize,
    pub not_applicable: usize,
    pub error: usize,
    pub not_run: usize,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub known_failure: usize,
}

impl Counts {
    pub(super) fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Pass => self.pass += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Warning => self.warning += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::NotApplicable => self.not_applicable += 1,
            Outcome::Error => self.error += 1,
            Outcome::NotRun => self.not_run += 1,
            Outcome::KnownFailure => self.known_failure += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.pass
            + self.fail
            + self.warning
            + self.skipped
            + self.not_applicable
            + self.error
            + self.not_run
            + self.known_failure
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Role -> level -> counts.
    pub by_role: BTreeMap<Role, BTreeMap<Level, Counts>>,
    pub totals: Counts,
    pub assertions: usize,
    pub checks_run: usize,
}

/// Whether the run supports certifying a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Certifiable {
    /// Every MUST of the role in this run's scope passed or does not apply.
    Yes,
    /// At least one MUST failed or could not be judged because of an error.
    No,
    /// No MUST failed, but some were not run or skipped.
    Incomplete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleVerdict {
    pub role: Role,
    pub certifiable: Certifiable,
    /// MUSTs that failed or errored.
    pub blocking: Vec<String>,
    /// MUSTs not run or skipped.
    pub unjudged: Vec<String>,
    /// MUSTs the catalog marks untestable by design (listed, not counted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub untestable: Vec<String>,
    /// The blocking MUSTs whose rule no CLR text confirms (basis `ob-inherited` or `inferred`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocking_unconfirmed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub format: String,
    pub version: u32,
    pub header: Header,
    pub summary: Summary,
    pub certification: Vec<RoleVerdict>,
    pub requirements: Vec<Row>,
    #[serde(default)]
    pub transcripts: Vec<Transcript>,
    pub exit_code: i32,
}

/// Exit codes for CI.
pub mod exit {
    pub const OK: i32 = 0;
    pub const MUST_FAILED: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const HARNESS: i32 = 3;
    pub const NOTHING_RAN: i32 = 4;
    /// Ctrl-C: 128 + SIGINT, as shells report it.
    pub const INTERRUPTED: i32 = 130;

    /// `exit 130 (interrupted)`: the words every format prints.
    pub fn describe(code: i32) -> String {
        format!("exit {code} ({})", meaning(code))
    }

    /// What an exit code means, in the words every format prints.
    pub fn meaning(code: i32) -> &'static str {
        match code {
            OK => "passed",
            MUST_FAILED => "failed",
            USAGE => "usage error",
            HARNESS => "harness or transport error",
            NOTHING_RAN => "nothing judged",
            INTERRUPTED => "interrupted",
            _ => "unknown exit code",
        }
    }
}

/// The line every format prints for a row whose findings were capped.
pub fn omitted_note(row: &Row) -> String {
    format!(
        "{} more findings were counted but not stored (at most {MAX_ROW_FINDINGS} of each verdict are kept)",
        row.findings_omitted
    )
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Decide one requirement's outcome from its findings.
pub fn decide(req: &Requirement, findings: &[Finding]) -> (Outcome, String) {
    decide_with(req, findings, &Tally::default(), false)
}

/// As [`decide`], with catalog conditions enforced: a conditional row counts a
/// pass or failure only from a finding whose check established the condition.
pub fn decide_enforcing(req: &Requirement, findings: &[Finding]) -> (Outcome, String) {
    decide_with(req, findings, &Tally::default(), true)
}

/// As [`decide`], counting also the findings `omitted` tallied but did not keep
/// (the first of each verdict is always kept, so messages come from `findings`).
fn decide_with(
    req: &Requirement,
    findings: &[Finding],
    omitted: &Tally,
    enforce: bool,
) -> (Outcome, String) {
    // A conditional row counts passes and failures only from a check that
    // established its condition; the others make it not applicable.
    let conditional = enforce && req.condition.is_some();
    let held = !conditional || findings.iter().any(|f| f.condition_held.is_some());
    let judged = |v: Verdict| matches!(v, Verdict::Pass | Verdict::Fail);
    // Per finding: a pass or failure counts only where its condition was shown.
    let counts = |f: &Finding| !conditional || f.condition_held.is_some() || !judged(f.verdict);
    let count = |v: Verdict| {
        findings
            .iter()
            .filter(|f| f.verdict == v && counts(f))
            .count()
            + if held || !judged(v) {
                omitted.omitted(v)
            } else {
                0
            }
    };
    let first = |v: Verdict| {
        findings
            .iter()
            .find(|f| f.verdict == v)
            .map(|f| f.message.clone())
            .unwrap_or_default()
    };
    let (pass, fail, err) = (
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Error),
    );
    if fail > 0 {
        let o = if req.level == Level::Must {
            Outcome::Fail
        } else {
            Outcome::Warning
        };
        let more = if fail > 1 {
            format!(" (and {} more)", fail - 1)
        } else {
            String::new()
        };
        return (o, format!("{}{more}", first(Verdict::Fail)));
    }
    if err > 0 {
        return (Outcome::Error, first(Verdict::Error));
    }
    if pass > 0 {
        return (Outcome::Pass, format!("{pass} assertion(s) held"));
    }
    if conditional && findings.iter().any(|f| judged(f.verdict)) {
        let cond = req.condition.as_deref().unwrap_or_default();
        let seen = findings
            .iter()
            .find(|f| judged(f.verdict) && f.condition_held.is_none())
            .map(|f| f.message.clone())
            .unwrap_or_default();
        return (
            Outcome::NotApplicable,
            format!(
                "not applicable: the run did not establish that it applies ({cond}); seen: {seen}"
            ),
        );
    }
    if count(Verdict::NotApplicable) > 0 {
        let m = first(Verdict::NotApplicable);
        return match &req.condition {
            Some(cond) if !m.contains(cond.as_str()) => {
                (Outcome::NotApplicable, format!("{m} (applies {cond})"))
            }
            _ => (Outcome::NotApplicable, m),
        };
    }
    if count(Verdict::Skip) > 0 {
        let blocked = findings
            .iter()
            .find(|f| f.verdict == Verdict::Skip && f.blocked_by.is_some());
        return match blocked {
            Some(f) => (Outcome::Skipped, f.message.clone()),
            None => (Outcome::Skipped, first(Verdict::Skip)),
        };
    }
    if let Some(why) = &req.untestable {
        return (
            Outcome::Skipped,
            format!("not testable by this harness: {why}"),
        );
    }
    (
        Outcome::NotRun,
        "no check executed an assertion for it".to_string(),
    )
}

/// The root cause a skipped row names, if it was blocked.
fn blocked_by(outcome: Outcome, findings: &[Finding]) -> Option<String> {
    if outcome != Outcome::Skipped {
        return None;
    }
    findings
        .iter()
        .filter(|f| f.verdict == Verdict::Skip)
        .find_map(|f| f.blocked_by.clone())
}

impl Report {
    /// Build the report for `rows` (already selected and scoped) from `rec`.
    pub fn build(
        mut header: Header,
        rows: &[&Requirement],
        rec: &Recorder,
        known: impl Fn(&str) -> bool,
    ) -> Report {
        let mut out = Vec::with_capacity(rows.len());
        let mut summary = Summary {
            checks_run: rec.checks_run(),
            ..Summary::default()
        };
        for req in rows {
            // Keep at most MAX_ROW_FINDINGS of each verdict; count the rest.
            let mut tally = Tally::default();
            if let Some(t) = rec.omitted_for(&req.id) {
                tally.absorb_omitted(t);
            }
            let findings: Vec<Finding> = rec
                .findings_for(&req.id)
                .iter()
                .filter(|f| tally.admit(f, MAX_ROW_FINDINGS))
                .cloned()
                .collect();
            let (outcome, reason) = decide_with(req, &findings, &tally, rec.conditions_enforced());
            let cause = blocked_by(outcome, &findings);
            let count =
                |v: Verdict| findings.iter().filter(|f| f.verdict == v).count() + tally.omitted(v);
            let (passed, failed) = match outcome {
                // A demoted conditional row judged nothing.
                Outcome::NotApplicable | Outcome::Skipped | Outcome::NotRun => (0, 0),
                _ => (count(Verdict::Pass), count(Verdict::Fail)),
            };
            let mut evidence: Vec<String> = Vec::new();
            for e in findings
                .iter()
                .flat_map(|f| &f.evidence)
                .chain(&tally.omitted_evidence)
            {
                if !evidence.contains(e) {
                    evidence.push(e.clone());
                }
            }
            summary.totals.add(outcome);
            summary.assertions += passed + failed;
            for role in &req.roles {
                summary
                    .by_role
                    .entry(*role)
                    .or_default()
                    .entry(req.level)
                    .or_default()
                    .add(outcome);
            }
            out.push(Row {
                id: req.id.clone(),
                level: req.level,
                roles: req.roles.clone(),
                statement: req.statement.clone(),
                source: req.source.clone(),
                condition: req.condition.clone(),
                basis: Some(req.basis()),
                outcome,
                reason,
                assertions: passed + failed,
                passed,
                failed,
                findings,
                findings_omitted: tally.omitted_total(),
                evidence,
                duration_ms: rec.duration_for(&req.id).as_millis() as u64,
                blocked_by: cause,
                blocks: Vec::new(),
                untestable: req.untestable.is_some(),
            });
        }
        // Group every blocked row under its cause.
        let pairs: Vec<(String, String)> = out
            .iter()
            .filter_map(|r| r.blocked_by.clone().map(|c| (c, r.id.clone())))
            .collect();
        for (cause, id) in pairs {
            if let Some(r) = out.iter_mut().find(|r| r.id == cause) {
                r.blocks.push(id);
            }
        }
        // Findings for ids outside the catalog are a harness defect: say so.
        let mut harness_error = false;
        for id in rec.findings().keys() {
            if !known(id) {
                harness_error = true;
                header.notes.push(format!(
                    "harness error: a check recorded unknown requirement id {id}"
                ));
            }
        }
        let omitted: usize = out.iter().map(|r| r.findings_omitted).sum();
        if omitted > 0 {
            header.notes.push(format!(
                "{omitted} findings were counted but not stored: a requirement keeps at most \
                 {MAX_ROW_FINDINGS} findings of each verdict (see findings_omitted)"
            ));
        }
        harness_error |= rec.notes().iter().any(|n| n.starts_with("harness error"));
        header.notes.extend(rec.notes().iter().cloned());
        let certification = header
            .roles
            .iter()
            .map(|role| role_verdict(*role, &out))
            .collect();
        let mut report = Report {
            format: FORMAT.to_string(),
            version: FORMAT_VERSION,
            header,
            summary,
            certification,
            requirements: out,
            transcripts: rec.transcripts().to_vec(),
            exit_code: 0,
        };
        report.exit_code = report.compute_exit_code(harness_error);
        report
    }

    /// 0 all MUSTs pass; 1 a MUST fails (or a SHOULD with --fail-on should);
    /// 3 harness/transport error; 4 nothing selected or zero assertions ran.
    pub fn compute_exit_code(&self, harness_error: bool) -> i32 {
        let any = |o: Outcome| self.requirements.iter().any(|r| r.outcome == o);
        if self.requirements.is_empty() {
            return exit::NOTHING_RAN;
        }
        if any(Outcome::Fail) || (self.header.fail_on == FailOn::Should && any(Outcome::Warning)) {
            return exit::MUST_FAILED;
        }
        // --strict-baseline: an entry that now passes or has expired fails the run.
        if let Some(b) = &self.header.baseline
            && b.strict
            && !b.stale.is_empty()
        {
            return exit::MUST_FAILED;
        }
        // An unreachable target errors every check: that is a harness/transport
        // problem (3), not an empty run (4).
        if harness_error || any(Outcome::Error) || self.header.interrupted {
            return exit::HARNESS;
        }
        if self.summary.assertions == 0 {
            return exit::NOTHING_RAN;
        }
        exit::OK
    }

    /// Rows whose outcome fails the run under its `fail_on` setting.
    pub fn failing(&self) -> impl Iterator<Item = &Row> {
        let strict = self.header.fail_on == FailOn::Should;
        self.requirements.iter().filter(move |r| {
            r.outcome == Outcome::Fail || (strict && r.outcome == Outcome::Warning)
        })
    }
}

pub(super) fn role_verdict(role: Role, rows: &[Row]) -> RoleVerdict {
    let musts: Vec<&Row> = rows
        .iter()
        .filter(|r| r.level == Level::Must && r.roles.contains(&role))
        .collect();
    let judged_any = musts.iter().any(|r| r.outcome == Outcome::Pass);
    let mut blocking = Vec::new();
    let mut unjudged = Vec::new();
    let mut untestable = Vec::new();
    for r in musts {
        match r.outcome {
            Outcome::Fail | Outcome::Error | Outcome::KnownFailure => blocking.push(r.id.clone()),
            Outcome::NotRun | Outcome::Skipped if r.untestable => untestable.push(r.id.clone()),
            Outcome::NotRun | Outcome::Skipped => unjudged.push(r.id.clone()),
            _ => {}
        }
    }
    let certifiable = if !blocking.is_empty() {
        Certifiable::No
    } else if !unjudged.is_empty() || !judged_any {
        Certifiable::Incomplete
    } else {
        Certifiable::Yes
    };
    let blocking_unconfirmed = blocking
        .iter()
        .filter(|id| {
            rows.iter()
                .find(|r| &r.id == *id)
                .and_then(|r| r.basis)
                .is_some_and(|b| b.unconfirmed())
        })
        .cloned()
        .collect();
    RoleVerdict {
        role,
        certifiable,
        blocking,
        unjudged,
        untestable,
        blocking_unconfirmed,
    }
}

impl Counts {
    /// The count for one outcome.
    pub fn get(&self, o: Outcome) -> usize {
        match o {
            Outcome::Pass => self.pass,
            Outcome::Fail => self.fail,
            Outcome::Warning => self.warning,
            Outcome::Skipped => self.skipped,
            Outcome::NotApplicable => self.not_applicable,
            Outcome::Error => self.error,
            Outcome::NotRun => self.not_run,
            Outcome::KnownFailure => self.known_failure,
        }
    }
}

impl Report {
    /// The outcomes the summaries show: all of them, `known-failure` only when a baseline was applied.
    pub fn shown_outcomes(&self) -> Vec<Outcome> {
        Outcome::ALL
            .into_iter()
            .filter(|o| *o != Outcome::KnownFailure || self.header.baseline.is_some())
            .collect()
    }

    /// The roles the run judges: the header's, or (when it names none) every role a row names.
    pub fn judged_roles(&self) -> Vec<Role> {
        if !self.header.roles.is_empty() {
            return self.header.roles.clone();
        }
        let mut roles: Vec<Role> = self
            .requirements
            .iter()
            .flat_map(|r| r.roles.iter().copied())
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }

    /// The roles `row` counts under in this run.
    pub fn roles_of(&self, row: &Row) -> Vec<Role> {
        if self.header.roles.is_empty() {
            return row.roles.clone();
        }
        row.roles
            .iter()
            .copied()
            .filter(|r| self.header.roles.contains(r))
            .collect()
    }
}

/// Rows a verification needs judged: proofs, the key's provenance, status.
const NEEDED: &[&str] = &[
    "proof.",
    "verify.proof.",
    "verify.status.",
    "verify.nested.proof",
];

/// True for a row whose skip means a credential was not verified (a proof,
/// a key's provenance, a status), see [`Report::unjudged_must`].
pub fn is_needed(id: &str) -> bool {
    NEEDED.iter().any(|p| id.starts_with(p))
}

/// How the note that makes a `verify` run exit 3 for an unjudged MUST begins.
pub const NOT_VERIFIED: &str = "not verified (exit 3): ";

impl Report {
    /// For `verify`: a MUST the run needed (a proof, a key's provenance, a
    /// status) but could not judge, with why. A pass beside a skip is no pass
    /// for the credential that was skipped: "could not check" is never a pass.
    pub fn unjudged_must(&self) -> Option<String> {
        self.requirements.iter().find_map(|r| {
            let needed = is_needed(&r.id)
                && r.level == Level::Must
                && matches!(r.outcome, Outcome::Skipped | Outcome::Pass)
                && !self.roles_of(r).is_empty();
            let skip = r.findings.iter().find(|f| f.verdict == Verdict::Skip)?;
            needed.then(|| format!("{}: {}", r.id, skip.message))
        })
    }

    /// For `verify`: exit 3 when the run would pass but a needed MUST was not
    /// judged; the reason leads the notes (and so the summary).
    pub fn mark_not_verified(&mut self) {
        if self.exit_code != exit::OK {
            return;
        }
        if let Some(why) = self.unjudged_must() {
            self.exit_code = exit::HARNESS;
            self.header.notes.insert(0, format!("{NOT_VERIFIED}{why}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::evidence::{Cause, Check};

    fn header() -> Header {
        Header {
            tool: Tool::current(),
            catalog_hash: String::new(),
            command: "run".into(),
            target: "test".into(),
            profile: "clr".into(),
            roles: vec![Role::Host],
            scope: vec!["api".into(), "oauth".into(), "discovery".into()],
            only: vec![],
            skip: vec![],
            fail_on: FailOn::Must,
            started: String::new(),
            finished: String::new(),
            config_fingerprint: String::new(),
            interrupted: false,
            notes: vec![],
            baseline: None,
        }
    }

    /// Every conditional row of the catalog: a check that did not establish
    /// the condition cannot fail (or pass) it; it is not applicable, quoting
    /// the condition. Once established, the same finding counts.
    #[test]
    fn no_conditional_row_fails_while_its_condition_is_not_established() {
        let cat = Catalog::embedded();
        let conditional: Vec<&Requirement> = cat
            .requirements
            .iter()
            .filter(|r| r.condition.is_some())
            .collect();
        assert!(
            conditional.len() > 20,
            "{} conditional rows",
            conditional.len()
        );
        for req in conditional {
            let cond = req.condition.as_deref().unwrap();
            for verdict in [Verdict::Fail, Verdict::Pass] {
                let mut c = Check::new("walk", &[req.id.as_str()]);
                c.ensure(&req.id, verdict == Verdict::Pass, "observed");
                let found: Vec<Finding> = c.findings().map(|(_, f)| f.clone()).collect();
                let (o, why) = decide_enforcing(req, &found);
                assert_eq!(o, Outcome::NotApplicable, "{}: {why}", req.id);
                assert!(
                    why.contains(cond),
                    "{}: {why} does not quote {cond:?}",
                    req.id
                );
            }
            let mut c = Check::new("walk", &[req.id.as_str()]);
            c.given(&req.id, "shown");
            c.fail(&req.id, "observed");
            let found: Vec<Finding> = c.findings().map(|(_, f)| f.clone()).collect();
            let (o, _) = decide_enforcing(req, &found);
            let want = if req.level == Level::Must {
                Outcome::Fail
            } else {
                Outcome::Warning
            };
            assert_eq!(o, want, "{}: an established condition counts", req.id);
        }
    }

    /// A failing step's row lists what it blocked; the blocked rows name it,
    /// are skipped (never failed), and the role's blocking list names only the cause.
    #[test]
    fn blocked_rows_are_grouped_under_their_cause() {
        let cat = Catalog::embedded();
        let ids = [
            "oauth.token.form-encoded",
            "oauth.token.expires-in",
            "oauth.token.pragma",
        ];
        let rows: Vec<&Requirement> = ids.iter().map(|i| cat.get(i).unwrap()).collect();
        let mut rec = Recorder::new();
        let mut c = Check::new("token", &ids);
        let cause = Cause::new(ids[0], "400 error=invalid_request: \"send JSON\"");
        c.fail(ids[0], cause.message.clone());
        c.rest_blocked_by(&cause);
        rec.finish(c);
        let r = Report::build(header(), &rows, &rec, |_| true);
        let row = |id: &str| r.requirements.iter().find(|x| x.id == id).unwrap();
        assert_eq!(row(ids[0]).outcome, Outcome::Fail);
        assert_eq!(row(ids[0]).blocks, vec![ids[1], ids[2]]);
        for id in &ids[1..] {
            assert_eq!(row(id).outcome, Outcome::Skipped);
            assert_eq!(row(id).blocked_by.as_deref(), Some(ids[0]));
            assert!(
                row(id)
                    .reason
                    .starts_with("blocked by oauth.token.form-encoded: 400")
            );
        }
        assert_eq!(r.certification[0].blocking, vec![ids[0]]);
        for text in [
            crate::report::markdown::render(&r),
            crate::report::junit::render(&r),
        ] {
            assert!(text.contains("oauth.token.expires-in"), "{text}");
            assert!(text.contains("blocked by this row"), "{text}");
        }
    }

    /// Rows untestable by design are listed, not counted: they do not make a role incomplete.
    #[test]
    fn untestable_rows_do_not_make_a_role_incomplete() {
        let cat = Catalog::embedded();
        let un = cat
            .requirements
            .iter()
            .find(|r| {
                r.untestable.is_some() && r.level == Level::Must && r.roles.contains(&Role::Host)
            })
            .expect("an untestable host MUST");
        let judged = cat.get("oauth.token.response").unwrap();
        let mut rec = Recorder::new();
        let mut c = Check::new("x", &[judged.id.as_str()]);
        c.pass(&judged.id, "ok");
        rec.finish(c);
        let r = Report::build(header(), &[un, judged], &rec, |_| true);
        let v = &r.certification[0];
        assert_eq!(v.certifiable, Certifiable::Yes, "{v:?}");
        assert_eq!(v.untestable, vec![un.id.clone()]);
        assert!(v.unjudged.is_empty());
    }
}

#[cfg(test)]
mod revision_tests {
    #[test]
    fn a_build_from_a_git_checkout_names_its_revision() {
        let rev = super::Tool::current().git_revision;
        let in_git = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.git")).exists();
        if in_git && std::env::var_os("CLR_CONFORMANCE_GIT_REVISION").is_none() {
            assert!(
                rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
                "{rev}: not a commit id"
            );
        } else {
            assert!(!rev.is_empty());
        }
    }
}
