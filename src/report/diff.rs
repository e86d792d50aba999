//! `report diff OLD NEW`: what changed between two saved runs, for a reviewer
//! comparing last week's report with today's. Rows whose outcome changed (new
//! failures first), rows that appeared or went away, and changes of tool,
//! catalog or target; a MUST that now fails and did not before is a regression.

use super::model::{Outcome, Report};
use crate::catalog::Level;
use serde::Serialize;
use std::collections::BTreeMap;

/// One row whose outcome differs (`None`: the row is absent from that report).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Change {
    pub id: String,
    pub level: Level,
    pub old: Option<Outcome>,
    pub new: Option<Outcome>,
    /// The new row's reason (the old one's when the row went away).
    pub reason: String,
    /// A MUST that fails now and did not fail before.
    pub regression: bool,
}

/// What differs between two reports.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// (field, old, new) for the header facts that differ.
    pub header: Vec<(String, String, String)>,
    pub changes: Vec<Change>,
    pub regressions: usize,
    pub old_exit_code: i32,
    pub new_exit_code: i32,
}

/// How bad an outcome is, for ordering: failures first, passes last.
fn rank(o: Option<Outcome>) -> usize {
    match o {
        Some(o) => Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0),
        None => Outcome::ALL.len(),
    }
}

pub fn diff(old: &Report, new: &Report) -> Diff {
    let mut header = Vec::new();
    let mut fact = |name: &str, a: &str, b: &str| {
        if a != b {
            header.push((name.to_string(), a.to_string(), b.to_string()));
        }
    };
    fact(
        "tool version",
        &old.header.tool.version,
        &new.header.tool.version,
    );
    fact(
        "git revision",
        &old.header.tool.git_revision,
        &new.header.tool.git_revision,
    );
    fact(
        "catalog hash",
        &old.header.catalog_hash,
        &new.header.catalog_hash,
    );
    fact("target", &old.header.target, &new.header.target);
    fact("profile", &old.header.profile, &new.header.profile);
    fact("command", &old.header.command, &new.header.command);
    fact(
        "config fingerprint",
        &old.header.config_fingerprint,
        &new.header.config_fingerprint,
    );

    let before: BTreeMap<&str, _> = old
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let after: BTreeMap<&str, _> = new
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut changes = Vec::new();
    for (id, n) in &after {
        let o = before.get(id).map(|r| r.outcome);
        if o != Some(n.outcome) {
            changes.push(Change {
                id: id.to_string(),
                level: n.level,
                old: o,
                new: Some(n.outcome),
                reason: n.reason.clone(),
                regression: n.level == Level::Must
                    && n.outcome == Outcome::Fail
                    && o != Some(Outcome::Fail),
            });
        }
    }
    for (id, o) in &before {
        if !after.contains_key(id) {
            changes.push(Change {
                id: id.to_string(),
                level: o.level,
                old: Some(o.outcome),
                new: None,
                reason: o.reason.clone(),
                regression: false,
            });
        }
    }
    // New failures first, then by how bad the new outcome is, then by id.
    changes.sort_by(|a, b| {
        (!a.regression, rank(a.new), &a.id).cmp(&(!b.regression, rank(b.new), &b.id))
    });
    Diff {
        header,
        regressions: changes.iter().filter(|c| c.regression).count(),
        changes,
        old_exit_code: old.exit_code,
        new_exit_code: new.exit_code,
    }
}

fn name(o: Option<Outcome>) -> &'static str {
    o.map(|o| o.as_str()).unwrap_or("absent")
}

impl Diff {
    /// Exit code: 1 when a MUST regressed, else 0.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.regressions > 0)
    }

    pub fn text(&self) -> String {
        let mut s = String::new();
        for (f, a, b) in &self.header {
            s.push_str(&format!("{f}: {a} -> {b}\n"));
        }
        for c in &self.changes {
            s.push_str(&format!(
                "{} [{}] {}: {} -> {}: {}\n",
                if c.regression {
                    "REGRESSED"
                } else {
                    "changed  "
                },
                c.level,
                c.id,
                name(c.old),
                name(c.new),
                c.reason
            ));
        }
        s.push_str(&format!(
            "{} rows changed, {} MUST regressions; exit code {} -> {}\n",
            self.changes.len(),
            self.regressions,
            self.old_exit_code,
            self.new_exit_code
        ));
        s
    }

    pub fn markdown(&self) -> String {
        let cell = |t: &str| t.replace('|', "\\|").replace('\n', " ");
        let mut s = format!(
            "# Report diff: {} rows changed, {} MUST regressions\n\n",
            self.changes.len(),
            self.regressions
        );
        if !self.header.is_empty() {
            s.push_str("| fact | old | new |\n|---|---|---|\n");
            for (f, a, b) in &self.header {
                s.push_str(&format!("| {f} | `{}` | `{}` |\n", cell(a), cell(b)));
            }
            s.push('\n');
        }
        if !self.changes.is_empty() {
            s.push_str(
                "| | level | requirement | old | new | reason |\n|---|---|---|---|---|---|\n",
            );
            for c in &self.changes {
                s.push_str(&format!(
                    "| {} | {} | `{}` | {} | {} | {} |\n",
                    if c.regression { "❌ regressed" } else { "" },
                    c.level,
                    c.id,
                    name(c.old),
                    name(c.new),
                    cell(&c.reason)
                ));
            }
        }
        s
    }
}
