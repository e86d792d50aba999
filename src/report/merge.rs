//! `report merge`: one report from the reports of N CI jobs that each judged a
//! shard (`verify --shard K/N`) of the same inputs with the same tool, catalog
//! and profile. A row takes the worst outcome any shard gave it (a failure in
//! one shard fails the row), its findings and counts are added up within the
//! usual caps, and counts, certification and the exit code are recomputed.

use super::model::{MAX_ROW_FINDINGS, Outcome, Report, Row};

/// Which outcome wins when shards disagree: earlier is stronger.
const PRECEDENCE: [Outcome; 8] = [
    Outcome::Fail,
    Outcome::Error,
    Outcome::KnownFailure,
    Outcome::Warning,
    Outcome::Pass,
    Outcome::Skipped,
    Outcome::NotApplicable,
    Outcome::NotRun,
];

fn strength(o: Outcome) -> usize {
    PRECEDENCE
        .iter()
        .position(|x| *x == o)
        .unwrap_or(PRECEDENCE.len())
}

/// Merge `reports` (named by `names` in error messages); they must share tool
/// version, catalog, command and profile.
pub fn merge(reports: Vec<Report>, names: &[String]) -> anyhow::Result<Report> {
    let mut it = reports.into_iter().enumerate();
    let Some((_, mut out)) = it.next() else {
        anyhow::bail!("report merge: no reports given");
    };
    if names.len() > 1 {
        prefix_evidence(&mut out, "s1-");
    }
    for (i, mut r) in it {
        let name = names
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("report {}", i + 1));
        let same = |what: &str, a: &str, b: &str| -> anyhow::Result<()> {
            if a != b {
                anyhow::bail!(
                    "{name}: {what} is {b}, but {} has {a}: only shards of one run can be merged",
                    names[0]
                );
            }
            Ok(())
        };
        same(
            "the tool version",
            &out.header.tool.version,
            &r.header.tool.version,
        )?;
        same(
            "the catalog hash",
            &out.header.catalog_hash,
            &r.header.catalog_hash,
        )?;
        same("the command", &out.header.command, &r.header.command)?;
        same("the profile", &out.header.profile, &r.header.profile)?;
        prefix_evidence(&mut r, &format!("s{}-", i + 1));
        let h = &mut out.header;
        if !r.header.target.is_empty() && h.target != r.header.target {
            h.target = format!("{} {}", h.target, r.header.target);
        }
        if r.header.started < h.started {
            h.started = r.header.started.clone();
        }
        if r.header.finished > h.finished {
            h.finished = r.header.finished.clone();
        }
        h.interrupted |= r.header.interrupted;
        for role in r.header.roles {
            if !h.roles.contains(&role) {
                h.roles.push(role);
            }
        }
        h.notes
            .extend(r.header.notes.into_iter().map(|n| format!("{name}: {n}")));
        out.summary.checks_run += r.summary.checks_run;
        out.summary.assertions += r.summary.assertions;
        out.transcripts.extend(r.transcripts);
        for row in r.requirements {
            match out.requirements.iter_mut().find(|x| x.id == row.id) {
                Some(mine) => absorb(mine, row),
                None => out.requirements.push(row),
            }
        }
    }
    let interrupted = out.header.interrupted;
    out.recount();
    // As the verify runs decided: a needed rule none of them could judge is no pass.
    if out.header.command == "verify" {
        out.header
            .notes
            .retain(|n| !n.contains(super::model::NOT_VERIFIED));
        out.mark_not_verified();
    }
    if interrupted {
        out.exit_code = super::model::exit::INTERRUPTED;
    }
    Ok(out)
}

fn absorb(mine: &mut Row, other: Row) {
    if strength(other.outcome) < strength(mine.outcome) {
        mine.outcome = other.outcome;
        mine.reason = other.reason.clone();
    }
    mine.assertions += other.assertions;
    mine.passed += other.passed;
    mine.failed += other.failed;
    mine.duration_ms += other.duration_ms;
    mine.findings_omitted += other.findings_omitted;
    for f in other.findings {
        let kept = mine
            .findings
            .iter()
            .filter(|x| x.verdict == f.verdict)
            .count();
        if kept < MAX_ROW_FINDINGS {
            mine.findings.push(f);
        } else {
            mine.findings_omitted += 1;
        }
    }
    for e in other.evidence {
        if !mine.evidence.contains(&e) {
            mine.evidence.push(e);
        }
    }
}

/// Transcript ids restart in every run: prefix them per shard, and every citation with them.
fn prefix_evidence(r: &mut Report, p: &str) {
    let ids: std::collections::HashSet<String> =
        r.transcripts.iter().map(|t| t.id.clone()).collect();
    for t in &mut r.transcripts {
        t.id = format!("{p}{}", t.id);
    }
    let fix = |e: &mut String| {
        if ids.contains(e.as_str()) {
            *e = format!("{p}{e}");
        }
    };
    for row in &mut r.requirements {
        row.evidence.iter_mut().for_each(fix);
        for f in &mut row.findings {
            f.evidence.iter_mut().for_each(fix);
        }
    }
}
