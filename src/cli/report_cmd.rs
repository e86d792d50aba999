//! `clr-conformance report`: re-render a saved report.json.

use super::args::{DiffArgs, ReportAction, ReportArgs};
use super::values::DiffFormat;
use crate::report;

pub fn run(a: &ReportArgs) -> anyhow::Result<i32> {
    match &a.action {
        Some(ReportAction::Diff(d)) => return diff(d),
        Some(ReportAction::Check { report, result }) => return check(report, result),
        Some(ReportAction::Merge {
            inputs,
            out,
            format,
            force,
        }) => return merge(inputs, out, format, *force),
        None => {}
    }
    let Some(input) = &a.input else {
        anyhow::bail!("report: name a report.json to re-render, or use `report diff OLD NEW`");
    };
    let rep = report::load(input)?;
    if a.stdout {
        if a.format.len() != 1 {
            anyhow::bail!(
                "--stdout takes exactly one --format (got {})",
                a.format.len()
            );
        }
        crate::out!("{}", a.format[0].render(&rep));
        return Ok(rep.exit_code);
    }
    let home = input.parent().map(|p| p.to_path_buf()).unwrap_or_default();
    let dir = a.out.clone().unwrap_or_else(|| home.clone());
    // Re-rendering next to its own report.json is the point; another run's folder is not.
    if !a.force && !same_folder(&dir, &home) {
        let found = report::existing_reports(&dir);
        if !found.is_empty() {
            anyhow::bail!(
                "{}: folder already holds another report; choose another --out, or add --force to overwrite",
                dir.display()
            );
        }
    }
    for p in report::write_all(&rep, &dir, &a.format)
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", dir.display()))?
    {
        crate::outln!("wrote {}", p.display());
    }
    Ok(rep.exit_code)
}

fn same_folder(a: &std::path::Path, b: &std::path::Path) -> bool {
    let canon = |p: &std::path::Path| {
        let p = if p.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            p
        };
        std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
    };
    canon(a) == canon(b)
}

fn diff(d: &DiffArgs) -> anyhow::Result<i32> {
    let old = report::load(&d.old)?;
    let new = report::load(&d.new)?;
    let diff = report::diff::diff(&old, &new);
    match d.format {
        DiffFormat::Md => crate::out!("{}", diff.markdown()),
        DiffFormat::Json => crate::outln!("{}", serde_json::to_string_pretty(&diff)?),
        DiffFormat::Text => crate::out!("{}", diff.text()),
    }
    Ok(diff.exit_code())
}

fn check(report: &std::path::Path, result: &std::path::Path) -> anyhow::Result<i32> {
    let bytes = std::fs::read(report).map_err(|e| anyhow::anyhow!("{}: {e}", report.display()))?;
    let text = std::fs::read_to_string(result)
        .map_err(|e| anyhow::anyhow!("{}: {e}", result.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: not JSON: {e}", result.display()))?;
    let c = crate::attest::check(&bytes, &value);
    if c.problems.is_empty() {
        crate::outln!(
            "{}: signed by {} over this report ({})",
            result.display(),
            c.signer,
            crate::attest::report_hash(&bytes)
        );
        return Ok(0);
    }
    for p in &c.problems {
        crate::outln!("{}: {p}", result.display());
    }
    Ok(1)
}

fn merge(
    inputs: &[std::path::PathBuf],
    out: &std::path::Path,
    format: &[report::Format],
    force: bool,
) -> anyhow::Result<i32> {
    if !force && !report::existing_reports(out).is_empty() {
        anyhow::bail!(
            "{}: folder already holds a report; choose another --out, or add --force to overwrite",
            out.display()
        );
    }
    let reports = inputs
        .iter()
        .map(|p| report::load(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    let merged = report::merge::merge(reports, &names)?;
    for p in report::write_all(&merged, out, format)
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", out.display()))?
    {
        crate::outln!("wrote {}", p.display());
    }
    Ok(merged.exit_code)
}
