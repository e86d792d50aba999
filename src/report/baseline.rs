//! Known-failure baselines (`--baseline FILE`), in the manner of rustls' list of
//! disabled BoGo tests: an implementer lists the failures they know of, each
//! with a reason and an optional expiry, and CI then fails only on new ones.
//! A listed failure is reported `known-failure` (still blocking certification:
//! the product still breaks the rule); an entry that now passes or has expired
//! is reported, and fails the run under `--strict-baseline`, so the list cannot rot.

use super::model::{Outcome, Report, exit};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One listed failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub reason: String,
    pub expires: Option<NaiveDate>,
}

/// A parsed baseline file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub file: String,
    pub entries: Vec<Entry>,
}

/// What applying a baseline did, kept in the report header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub file: String,
    /// `--strict-baseline`: a stale entry fails the run.
    pub strict: bool,
    /// Rows turned into known failures.
    pub known: Vec<String>,
    /// Entries that no longer hold: `id: why` (now passes, expired).
    pub stale: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    known: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: String,
    reason: String,
    #[serde(default)]
    expires: Option<toml::Value>,
}

/// Read and check a baseline: every entry names a catalog id once, with a reason.
pub fn load(path: &Path, known_id: impl Fn(&str) -> bool) -> anyhow::Result<Baseline> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    let raw: File = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    let mut entries: Vec<Entry> = Vec::new();
    for (i, e) in raw.known.into_iter().enumerate() {
        let at = format!("{file}: [[known]] #{} ({})", i + 1, e.id);
        if !known_id(&e.id) {
            anyhow::bail!("{at}: not a requirement id of the catalog");
        }
        if e.reason.trim().is_empty() {
            anyhow::bail!("{at}: reason is empty (every known failure says why)");
        }
        if entries.iter().any(|x| x.id == e.id) {
            anyhow::bail!("{at}: listed twice");
        }
        let expires = match e.expires {
            None => None,
            Some(toml::Value::Datetime(d)) => Some(parse_date(&d.to_string(), &at)?),
            Some(toml::Value::String(s)) => Some(parse_date(&s, &at)?),
            Some(other) => anyhow::bail!("{at}: expires = {other}: not a date (YYYY-MM-DD)"),
        };
        entries.push(Entry {
            id: e.id,
            reason: e.reason,
            expires,
        });
    }
    Ok(Baseline { file, entries })
}

fn parse_date(s: &str, at: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| anyhow::anyhow!("{at}: expires = {s}: not a date (YYYY-MM-DD)"))
}

impl Report {
    /// Turn listed failures into known failures as of `today`, note stale
    /// entries, and recompute counts, certification and the exit code.
    pub fn apply_baseline(&mut self, b: &Baseline, today: NaiveDate, strict: bool) {
        let mut applied = Applied {
            file: b.file.clone(),
            strict,
            known: Vec::new(),
            stale: Vec::new(),
        };
        for e in &b.entries {
            let Some(row) = self.requirements.iter_mut().find(|r| r.id == e.id) else {
                self.header.notes.push(format!(
                    "baseline: {} is not judged by this run (not selected or out of scope)",
                    e.id
                ));
                continue;
            };
            if let Some(d) = e.expires
                && d < today
            {
                applied
                    .stale
                    .push(format!("{}: the entry expired on {d}", e.id));
                continue;
            }
            match row.outcome {
                Outcome::Fail | Outcome::Warning => {
                    row.outcome = Outcome::KnownFailure;
                    row.reason = format!("known failure (baseline: {}): {}", e.reason, row.reason);
                    applied.known.push(e.id.clone());
                }
                Outcome::Pass => applied.stale.push(format!(
                    "{}: listed as a known failure but now passes",
                    e.id
                )),
                other => self.header.notes.push(format!(
                    "baseline: {} came out {} in this run, so its entry was not used",
                    e.id,
                    other.as_str()
                )),
            }
        }
        for s in &applied.stale {
            self.header.notes.push(format!(
                "baseline {}: stale entry {s}{}",
                b.file,
                if strict {
                    " (fails the run: --strict-baseline)"
                } else {
                    ""
                }
            ));
        }
        self.header.baseline = Some(applied);
        self.recount();
    }

    /// Counts, certification verdicts and the exit code from the rows as they are now.
    pub(crate) fn recount(&mut self) {
        let mut totals = super::model::Counts::default();
        let mut by_role: std::collections::BTreeMap<
            _,
            std::collections::BTreeMap<_, super::model::Counts>,
        > = Default::default();
        for r in &self.requirements {
            totals.add(r.outcome);
            for role in &r.roles {
                by_role
                    .entry(*role)
                    .or_default()
                    .entry(r.level)
                    .or_default()
                    .add(r.outcome);
            }
        }
        self.summary.totals = totals;
        self.summary.by_role = by_role;
        self.certification = self
            .header
            .roles
            .iter()
            .map(|role| super::model::role_verdict(*role, &self.requirements))
            .collect();
        let harness_error = self
            .header
            .notes
            .iter()
            .any(|n| n.starts_with("harness error"));
        let interrupted = self.exit_code == exit::INTERRUPTED;
        self.exit_code = self.compute_exit_code(harness_error);
        if interrupted {
            self.exit_code = exit::INTERRUPTED;
        }
    }
}
