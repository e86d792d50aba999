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
    decide_with(req, findings, &Tally::default())
}

/// As [`decide`], counting also the findings `omitted` tallied but did not keep
/// (the first of each verdict is always kept, so messages come from `findings`).
fn decide_with(req: &Requirement, findings: &[Finding], omitted: &Tally) -> (Outcome, String) {
    let count =
        |v: Verdict| findings.iter().filter(|f| f.verdict == v).count() + omitted.omitted(v);
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
    if count(Verdict::NotApplicable) > 0 {
        return (Outcome::NotApplicable, first(Verdict::NotApplicable));
    }
    if count(Verdict::Skip) > 0 {
        return (Outcome::Skipped, first(Verdict::Skip));
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
            let (outcome, reason) = decide_with(req, &findings, &tally);
            let count =
                |v: Verdict| findings.iter().filter(|f| f.verdict == v).count() + tally.omitted(v);
            let (passed, failed) = (count(Verdict::Pass), count(Verdict::Fail));
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
            });
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
    for r in musts {
        match r.outcome {
            Outcome::Fail | Outcome::Error | Outcome::KnownFailure => blocking.push(r.id.clone()),
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

/// How the note that makes a `verify` run exit 3 for an unjudged MUST begins.
pub const NOT_VERIFIED: &str = "not verified (exit 3): ";

impl Report {
    /// For `verify`: a MUST the run needed (a proof, a key's provenance, a
    /// status) but could not judge, with why. A pass beside a skip is no pass
    /// for the credential that was skipped: "could not check" is never a pass.
    pub fn unjudged_must(&self) -> Option<String> {
        self.requirements.iter().find_map(|r| {
            let needed = NEEDED.iter().any(|p| r.id.starts_with(p))
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
