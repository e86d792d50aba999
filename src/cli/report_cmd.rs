//! `clr-conformance report`: re-render a saved report.json.

use super::args::ReportArgs;
use crate::report;

pub fn run(a: &ReportArgs) -> anyhow::Result<i32> {
    let rep = report::load(&a.input)?;
    if a.stdout {
        if a.format.len() != 1 {
            anyhow::bail!(
                "--stdout takes exactly one --format (got {})",
                a.format.len()
            );
        }
        print!("{}", a.format[0].render(&rep));
        return Ok(rep.exit_code);
    }
    let dir = a
        .out
        .clone()
        .or_else(|| a.input.parent().map(|p| p.to_path_buf()))
        .unwrap_or_default();
    for p in report::write_all(&rep, &dir, &a.format)
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", dir.display()))?
    {
        println!("wrote {}", p.display());
    }
    Ok(rep.exit_code)
}
