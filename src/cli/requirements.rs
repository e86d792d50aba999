//! `clr-conformance requirements`: the catalog, listed and filtered.

use super::args::RequirementsArgs;
use crate::catalog::{Catalog, Level, Requirement};
use crate::coverage;

pub fn run(a: &RequirementsArgs) -> anyhow::Result<i32> {
    let catalog = Catalog::embedded();
    if let Some(id) = &a.show {
        let r = catalog.get(id).ok_or_else(|| {
            anyhow::anyhow!(
                "{id}: no such requirement (try `clr-conformance requirements --only {}`)",
                id.split('.').next().unwrap_or(id)
            )
        })?;
        if a.json {
            crate::outln!("{}", serde_json::to_string_pretty(r)?);
        } else {
            crate::out!("{}", show(r));
        }
        return Ok(0);
    }
    let level: Option<Level> = a.level.map(Into::into);
    let mut rows: Vec<&Requirement> = catalog
        .select(&a.only, &a.skip)
        .into_iter()
        .filter(|r| level.is_none_or(|l| r.level == l))
        .filter(|r| a.basis.is_none_or(|b| r.basis() == b))
        .collect();
    if a.untested {
        let covered = coverage::covered();
        rows.retain(|r| r.untestable.is_none() && !covered.contains(r.id.as_str()));
    }
    if a.json {
        crate::outln!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        for r in &rows {
            let roles: Vec<&str> = r.roles.iter().map(|x| x.as_str()).collect();
            crate::outln!(
                "{:<6} {:<55} {:<12} {}",
                r.level.to_string(),
                r.id,
                r.basis().as_str(),
                roles.join(",")
            );
        }
    }
    if rows.is_empty() && !a.untested {
        crate::errln!("clr-conformance: no requirement matches the selection");
        return Ok(crate::report::model::exit::NOTHING_RAN);
    }
    Ok(0)
}

fn show(r: &Requirement) -> String {
    let roles: Vec<&str> = r.roles.iter().map(|x| x.as_str()).collect();
    let mut s = format!(
        "{}\n  level:     {}\n  basis:     {}\n  roles:     {}\n  statement: {}\n  source:    {} {}\n  file:      suites/{}\n",
        r.id,
        r.level,
        r.basis(),
        roles.join(", "),
        r.statement,
        r.source.url,
        r.source.tag,
        r.file
    );
    if let Some(c) = &r.condition {
        s.push_str(&format!("  condition: {c}\n"));
    }
    if let Some(u) = &r.untestable {
        s.push_str(&format!("  untestable: {u}\n"));
    }
    let checks = coverage::judged_by(&r.id);
    for (family, unit, c) in &checks {
        s.push_str(&format!(
            "  judged by: {:?} ({family} {unit}, {})\n",
            c.name, c.at
        ));
    }
    if checks.is_empty() {
        s.push_str("  judged by: no check names it yet (`requirements --untested`)\n");
    }
    s
}
