//! What a finished run's report is built from: the rows a selection picks and the
//! header facts known before the checks ran. Every report-producing command (and the
//! vector checker, which judges each case as `verify` would) builds its report here.

use super::model::{Header, Tool};
use super::{FailOn, Report};
use crate::catalog::{Catalog, Requirement, Role};
use crate::evidence::Recorder;
use sha2::{Digest, Sha256};
use std::path::Path;

/// What selects rows and how the run is judged (`--only`, `--skip`, `--fail-on`,
/// `--baseline`): the command line's report options, or a fixed selection.
pub trait Selects {
    fn only(&self) -> &[String];
    fn skip(&self) -> &[String];
    fn fail_on(&self) -> FailOn;
    fn baseline(&self) -> Option<&Path>;
    fn strict_baseline(&self) -> bool;
}

/// Every row, judged on MUSTs, no baseline.
#[derive(Debug, Clone, Copy, Default)]
pub struct Everything;

impl Selects for Everything {
    fn only(&self) -> &[String] {
        &[]
    }
    fn skip(&self) -> &[String] {
        &[]
    }
    fn fail_on(&self) -> FailOn {
        FailOn::Must
    }
    fn baseline(&self) -> Option<&Path> {
        None
    }
    fn strict_baseline(&self) -> bool {
        false
    }
}

/// The rows a run judges: selected by `opts`, in `scope`, and of one of `roles`.
pub fn rows<'a>(
    catalog: &'a Catalog,
    opts: &impl Selects,
    roles: &[Role],
    scope: &[&str],
) -> Vec<&'a Requirement> {
    catalog
        .select(opts.only(), opts.skip())
        .into_iter()
        .filter(|r| scope.iter().any(|p| r.matches(p)))
        .filter(|r| roles.is_empty() || r.roles.iter().any(|x| roles.contains(x)))
        .collect()
}

/// A started run: everything the header needs that is known before checks run.
pub struct RunInfo {
    pub command: String,
    pub target: String,
    pub profile: String,
    pub roles: Vec<Role>,
    pub scope: Vec<String>,
    /// The effective configuration with secrets already removed.
    pub config: serde_json::Value,
    pub started: chrono::DateTime<chrono::Utc>,
}

impl RunInfo {
    pub fn new(
        command: &str,
        target: &str,
        profile: &str,
        roles: &[Role],
        scope: &[&str],
    ) -> RunInfo {
        RunInfo {
            command: command.to_string(),
            target: target.to_string(),
            profile: profile.to_string(),
            roles: roles.to_vec(),
            scope: scope.iter().map(|s| s.to_string()).collect(),
            config: serde_json::Value::Null,
            started: chrono::Utc::now(),
        }
    }

    /// Build the report for the finished run.
    pub fn report(
        self,
        opts: &impl Selects,
        rows: &[&Requirement],
        rec: &Recorder,
        interrupted: bool,
    ) -> Report {
        let catalog = Catalog::embedded();
        let fingerprint = format!(
            "sha256:{}",
            hex::encode(Sha256::digest(
                serde_json::to_vec(&self.config).unwrap_or_default()
            ))
        );
        let header = Header {
            tool: Tool::current(),
            catalog_hash: catalog.hash.clone(),
            command: self.command,
            target: self.target,
            profile: self.profile,
            roles: self.roles,
            scope: self.scope,
            only: opts.only().to_vec(),
            skip: opts.skip().to_vec(),
            fail_on: opts.fail_on(),
            started: self
                .started
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            finished: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            config_fingerprint: fingerprint,
            interrupted,
            notes: Vec::new(),
            baseline: None,
        };
        let mut report = Report::build(header, rows, rec, |id| catalog.get(id).is_some());
        if let Some(path) = opts.baseline() {
            match super::baseline::load(path, |id| catalog.get(id).is_some()) {
                Ok(b) => report.apply_baseline(
                    &b,
                    chrono::Utc::now().date_naive(),
                    opts.strict_baseline(),
                ),
                Err(e) => {
                    report.header.notes.push(format!("harness error: {e:#}"));
                    report.exit_code = super::model::exit::HARNESS;
                }
            }
        }
        report
    }
}
