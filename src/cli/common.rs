//! What every report-producing subcommand shares: selecting rows, building
//! the header, writing the formats, printing the summary, the exit code.

use super::args::ReportOpts;
use crate::catalog::{Catalog, Requirement, Role};
use crate::evidence::Recorder;
use crate::report::run_info;
pub use crate::report::run_info::RunInfo;
use crate::report::{self, Certifiable, Outcome, Report};
use std::path::PathBuf;

/// The rows a run judges: selected by --only/--skip, in `scope`, and of one of `roles`.
pub fn rows<'a>(
    catalog: &'a Catalog,
    opts: &ReportOpts,
    roles: &[Role],
    scope: &[&str],
) -> Vec<&'a Requirement> {
    run_info::rows(catalog, opts, roles, scope)
}

/// `rec` with the rows the profile excludes (e.g. `data.clr.*` under OB 3.0)
/// made not-applicable, whatever their checks found.
pub fn outside_profile(
    rec: Recorder,
    profile: &crate::catalog::Profile,
    rows: &[&Requirement],
) -> Recorder {
    if profile.not_applicable.is_empty() {
        return rec;
    }
    let mut out = Recorder::capped(crate::report::model::MAX_ROW_FINDINGS);
    for t in rec.transcripts() {
        out.transcript(t.clone());
    }
    for n in rec.notes() {
        out.note(n.clone());
    }
    for (id, list) in rec.findings() {
        if profile.excludes(id) {
            continue;
        }
        for f in list {
            let mut c = crate::evidence::Check::new(&f.check, &[id.as_str()]);
            *c.pass(id, "") = f.clone();
            out.finish(c);
        }
    }
    for r in rows.iter().filter(|r| profile.excludes(&r.id)) {
        let mut c = crate::evidence::Check::new("profile", &[r.id.as_str()]);
        c.all(
            crate::evidence::Verdict::NotApplicable,
            &format!("not applicable under the {} profile", profile.name),
        );
        out.finish(c);
    }
    out
}

/// The report in the profile's own words (`Profile::terms`).
pub fn speak(report: &mut Report, profile: &crate::catalog::Profile) {
    if profile.terms.is_empty() {
        return;
    }
    for row in &mut report.requirements {
        row.statement = profile.speak(&row.statement);
        row.reason = profile.speak(&row.reason);
        for f in &mut row.findings {
            f.message = profile.speak(&f.message);
            f.check = profile.speak(&f.check);
        }
    }
}

/// Refuse, before any work, an explicit `--out` folder that already holds a
/// report (unless `--force`): a second run must not replace the first's files.
pub fn check_out(opts: &ReportOpts) -> anyhow::Result<()> {
    // A baseline that cannot be used is a usage error before any work too.
    if let Some(path) = &opts.baseline {
        let catalog = Catalog::embedded();
        report::baseline::load(path, |id| catalog.get(id).is_some())?;
    }
    if let Some(key) = &opts.sign_with {
        crate::attest::load_key(key)?;
    }
    let Some(dir) = &opts.out else {
        return Ok(());
    };
    let found = report::existing_reports(dir);
    if !opts.force && !found.is_empty() {
        anyhow::bail!(
            "{}: folder already holds a report ({}); choose another --out, or add --force to overwrite",
            dir.display(),
            found
                .iter()
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// Write the report files and print the summary; returns the exit code.
pub fn finish(report: &Report, opts: &ReportOpts) -> i32 {
    let dir = match &opts.out {
        Some(d) => Ok(d.clone()),
        None => report::create_out_dir(std::path::Path::new("reports"), &report.header.command),
    };
    let mut code = report.exit_code;
    let mut formats = opts.format.clone();
    if opts.sign_with.is_some() && !formats.contains(&report::Format::Json) {
        formats.push(report::Format::Json); // the signed hash is over report.json
    }
    let written = dir.and_then(|dir| {
        let mut paths = report::write_all(report, &dir, &formats).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("{}: cannot write report: {e}", dir.display()),
            )
        })?;
        if let Some(key) = &opts.sign_with {
            paths.push(sign(report, &dir, key).map_err(|e| {
                std::io::Error::other(format!("{}: cannot sign the result: {e:#}", dir.display()))
            })?);
        }
        Ok(paths)
    });
    match written {
        Ok(paths) => {
            if !opts.quiet {
                crate::out!("{}", summary_text(report, &paths));
            }
        }
        Err(e) => {
            crate::errln!("clr-conformance: {e}");
            code = report::model::exit::HARNESS;
        }
    }
    code
}

/// Write `dir/result.json`: the verdicts and report.json's hash, signed with `key`.
fn sign(report: &Report, dir: &std::path::Path, key: &std::path::Path) -> anyhow::Result<PathBuf> {
    let (key, _) = crate::attest::load_key(key)?;
    let bytes = std::fs::read(dir.join(report::Format::Json.file_name()))?;
    let result = crate::attest::sign_result(report, &bytes, &key)?;
    let path = dir.join(crate::attest::RESULT_FILE);
    report::write_atomic(&path, &serde_json::to_string_pretty(&result)?)?;
    Ok(path)
}

/// The terminal summary: counts, blocking MUSTs, verdicts per role, files written.
pub fn summary_text(report: &Report, paths: &[PathBuf]) -> String {
    let t = &report.summary.totals;
    // Why a run that would pass exits 3 comes first.
    let mut s: String = report
        .header
        .notes
        .iter()
        .filter(|n| n.starts_with(crate::report::model::NOT_VERIFIED))
        .map(|n| format!("{n}\n"))
        .collect();
    s += &format!(
        "{} requirements judged by {} checks ({} assertions): {} pass, {} fail, {} warning, {} error, {} skipped, {} not applicable, {} not run\n",
        t.total(),
        report.summary.checks_run,
        report.summary.assertions,
        t.pass,
        t.fail,
        t.warning,
        t.error,
        t.skipped,
        t.not_applicable,
        t.not_run
    );
    for r in report
        .requirements
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Fail | Outcome::Error))
    {
        s.push_str(&format!(
            "  {:<5} [{}] {}: {}\n",
            r.outcome.as_str(),
            r.level,
            r.id,
            r.reason
        ));
    }
    for v in &report.certification {
        let verdict = match v.certifiable {
            Certifiable::Yes => "certifiable".to_string(),
            Certifiable::No if v.blocking_unconfirmed.is_empty() => {
                format!("not certifiable ({} blocking MUSTs)", v.blocking.len())
            }
            Certifiable::No => format!(
                "not certifiable ({} blocking MUSTs, {} of them on rules no CLR text confirms)",
                v.blocking.len(),
                v.blocking_unconfirmed.len()
            ),
            Certifiable::Incomplete => {
                format!("incomplete ({} MUSTs not judged)", v.unjudged.len())
            }
        };
        s.push_str(&format!("role {}: {verdict}\n", v.role));
    }
    for p in paths {
        s.push_str(&format!("wrote {}\n", p.display()));
    }
    s.push_str(&format!("exit code {}\n", report.exit_code));
    s
}

/// Progress of a long job (many files, many suites): a bar on a terminal;
/// plain `label: n/total` lines, at most about ten, when stderr is not a
/// terminal or `CI` is set; nothing when quiet. Safe to share across threads.
pub struct Progress {
    label: String,
    total: u64,
    step: u64,
    done: std::sync::atomic::AtomicU64,
    bar: Option<indicatif::ProgressBar>,
    quiet: bool,
}

impl Progress {
    pub fn new(label: &str, total: u64, quiet: bool) -> Progress {
        use std::io::IsTerminal;
        let fancy = !quiet && std::env::var_os("CI").is_none() && std::io::stderr().is_terminal();
        let bar = fancy.then(|| {
            let b = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b.set_prefix(label.to_string());
            b
        });
        Progress {
            label: label.to_string(),
            total,
            step: (total / 10).max(1),
            done: std::sync::atomic::AtomicU64::new(0),
            bar,
            quiet,
        }
    }

    /// Progress over a stream of unknown length (JSON Lines): a spinner with the count,
    /// or a plain line every 10,000 items.
    pub fn unbounded(label: &str, quiet: bool) -> Progress {
        use std::io::IsTerminal;
        let fancy = !quiet && std::env::var_os("CI").is_none() && std::io::stderr().is_terminal();
        let bar = fancy.then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template("{prefix} {pos} ({per_sec})")
            {
                b.set_style(style);
            }
            b.set_prefix(label.to_string());
            b
        });
        Progress {
            label: label.to_string(),
            total: 0,
            step: 10_000,
            done: std::sync::atomic::AtomicU64::new(0),
            bar,
            quiet,
        }
    }

    /// One more item done.
    pub fn inc(&self) {
        let n = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        match &self.bar {
            Some(b) => b.inc(1),
            None if !self.quiet && self.total == 0 && n.is_multiple_of(self.step) => {
                crate::errln!("{}: {n}", self.label);
            }
            None if !self.quiet && (n.is_multiple_of(self.step) || n == self.total) => {
                crate::errln!("{}: {n}/{}", self.label, self.total);
            }
            None => {}
        }
    }

    /// Remove the bar (plain lines need no closing).
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
