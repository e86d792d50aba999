//! The plan of a `verify`: the arguments turned once into what the run uses: the
//! profile and role (typed by clap), the clock, the expanded input sources, the
//! `--online` fetch policy, the `--context` and `--document` files read, and the
//! report options. `execute` takes the plan; a wrong value is refused here, first.

use super::inputs::{self, Source};
use crate::catalog::{Profile, Role};
use crate::cli::args::{ReportOpts, Shard, VerifyArgs};
use crate::credential::verify::documents::{FetchPolicy, Fetched};
use std::path::PathBuf;

/// Everything a verify run needs, checked.
pub struct VerifyPlan {
    pub profile: &'static Profile,
    pub role: Role,
    /// The clock date checks use (`--now`, or the time the plan was made).
    pub now: chrono::DateTime<chrono::Utc>,
    /// The inputs, folders walked (files are read one at a time later).
    pub(crate) sources: Vec<Source>,
    /// How the report names the inputs (the one input, or `N inputs`).
    pub target: String,
    pub online: bool,
    /// What `--online` may fetch (trusted CAs read).
    pub policy: FetchPolicy,
    /// `--context URL=FILE`, read.
    pub contexts: Vec<(String, String)>,
    /// `--document URL=FILE`, read.
    pub documents: Vec<(String, Fetched)>,
    /// `--expect-recipient`, or the profile's certification recipient with --certification.
    pub expect_recipient: Option<String>,
    pub certification: bool,
    pub shard: Option<Shard>,
    pub per_credential: Option<PathBuf>,
    /// The report header's `config`.
    pub summary: serde_json::Value,
    pub report: ReportOpts,
}

impl VerifyPlan {
    pub fn new(a: &VerifyArgs) -> anyhow::Result<VerifyPlan> {
        let sources = inputs::expand(&a.inputs, a.jsonl)?;
        if a.online && sources.iter().any(|s| matches!(s, Source::Lines(None))) {
            anyhow::bail!(
                "-: --online reads the inputs twice (first for the documents they name), which stdin cannot be; give the JSON Lines as a file"
            );
        }
        let policy = super::fetch_policy(a)?;
        let contexts = super::read_contexts(&a.contexts)?;
        let documents = super::supplied(&a.document)?;
        let expect_recipient = match &a.expect_recipient {
            Some(r) => Some(r.clone()),
            None if a.certification => Some(a.profile.cert_recipient.clone()),
            None => None,
        };
        let summary = serde_json::json!({
            "role": a.role.as_str(),
            "profile": a.profile.id,
            "now": a.now.as_ref().map(|t| &t.given),
            "online": a.online,
            "shard": a.shard.map(|s| format!("{}/{}", s.k, s.n)),
            "jsonl": a.jsonl,
        });
        Ok(VerifyPlan {
            profile: a.profile,
            role: a.role,
            now: a.now.as_ref().map_or_else(chrono::Utc::now, |t| t.at),
            sources,
            target: super::target_name(&a.inputs),
            online: a.online,
            policy,
            contexts,
            documents,
            expect_recipient,
            certification: a.certification,
            shard: a.shard,
            per_credential: a.per_credential.clone(),
            summary,
            report: a.report.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::{Cli, Command};
    use clap::Parser;

    fn args(extra: &[&str]) -> Result<VerifyArgs, clap::Error> {
        let argv = ["clr-conformance", "verify", "--quiet"].iter().chain(extra);
        match Cli::try_parse_from(argv)?.command {
            Command::Verify(a) => Ok(a),
            _ => unreachable!("the verify subcommand"),
        }
    }

    fn a_file(name: &str, text: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("clr-vplan-{name}-{}", std::process::id()));
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn roles_profiles_and_the_clock_are_typed() {
        let input = a_file("in.json", "{}");
        let input = input.display().to_string();
        let p = VerifyPlan::new(&args(&[&input]).unwrap()).unwrap();
        assert_eq!((p.role, p.profile.id.as_str()), (Role::Issuer, "clr-2.0"));
        assert_eq!(p.target, input);
        assert_eq!(p.sources.len(), 1);
        assert_eq!(p.summary["role"], "issuer");
        assert_eq!(p.summary["now"], serde_json::Value::Null);
        let p = VerifyPlan::new(
            &args(&[
                "--role",
                "displayer",
                "--profile",
                "ob-3.0",
                "--now",
                "2026-01-01T00:00:00Z",
                "--certification",
                &input,
            ])
            .unwrap(),
        )
        .unwrap();
        assert_eq!(p.role, Role::Displayer);
        assert_eq!(p.profile.id, "ob-3.0");
        assert_eq!(p.now.to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(p.summary["now"], "2026-01-01T00:00:00Z");
        assert_eq!(p.expect_recipient, Some(p.profile.cert_recipient.clone()));
    }

    #[test]
    fn bad_values_name_themselves() {
        let err = |extra: &[&str]| args(extra).unwrap_err().to_string();
        let e = err(&["--role", "host", "x.json"]);
        assert!(
            e.contains("host: not a verify role (issuer, displayer)"),
            "{e}"
        );
        let e = err(&["--profile", "clr-1.0", "x.json"]);
        assert!(
            e.contains("clr-1.0: unknown profile (clr-2.0, ob-3.0)"),
            "{e}"
        );
        let e = err(&["--now", "yesterday", "x.json"]);
        assert!(e.contains("yesterday: not an RFC 3339 timestamp"), "{e}");
        let plan_err = |extra: &[&str]| match VerifyPlan::new(&args(extra).unwrap()) {
            Ok(_) => panic!("{extra:?}: a plan"),
            Err(e) => e.to_string(),
        };
        let input = a_file("in2.json", "{}").display().to_string();
        let e = plan_err(&["--context", "no-equals-sign", &input]);
        assert_eq!(e, "no-equals-sign: --context takes URL=FILE");
        let e = plan_err(&["--document", "no-equals-sign", &input]);
        assert_eq!(e, "no-equals-sign: --document takes URL=FILE");
        let e = plan_err(&["--online", "--jsonl", "-"]);
        assert!(e.starts_with("-: --online reads the inputs twice"), "{e}");
    }
}
