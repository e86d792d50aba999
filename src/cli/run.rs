//! `clr-conformance run`: judge a CLR service provider over HTTP, either a
//! real one (`--target URL`, optionally with a `target.toml`) or the built-in
//! reference provider started in-process (`--builtin`, with `--fault`s).
//! Arguments and the config file (`config`) become a [`RunPlan`] (`plan`);
//! `execute` turns the plan into a `suites::provider::Target`, runs the
//! provider suites and builds the report, written like every other subcommand's.

mod config;
mod plan;

pub use crate::cli::values::parse_duration;
pub use config::{LoginConfig, RegisteredClient, Strategy, TargetConfig, load_config};
pub use plan::{Judged, RunPlan, Secrets};

use super::args::ReportOpts;
use super::common::{self, RunInfo};
use super::values::{ProfileParser, RoleParser, TargetUrl};
use crate::catalog::{Catalog, Profile, Role};
use crate::credential::verify::documents::Documents;
use crate::evidence::{Check, Recorder, Redactor};
use crate::http::client::INTERRUPTED;
use crate::http::{Client, HttpConfig};
use crate::oauth::authorize::FormLogin;
use crate::oauth::origin::OriginPolicy;
use crate::provider::FaultId;
use crate::report::Report;
use crate::report::model::exit;
use crate::suites::provider::{self, Ctx, Login, Target};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// The client name the builtin provider gives short-lived tokens, so
/// `run --builtin` judges `oauth.token.expired-refused`.
const SHORT_LIVED_CLIENT: &str = "clr-conformance (short-lived tokens)";

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Base URL of the provider: everything before /ims/clr/v2p0 (e.g. https://host/tenant).
    #[arg(long, value_name = "URL", conflicts_with = "builtin", value_parser = TargetUrl::parse)]
    pub target: Option<TargetUrl>,
    /// Start the built-in reference provider in-process and judge it.
    #[arg(long)]
    pub builtin: bool,
    /// With --builtin: switch on a provider fault (see `serve --list-faults`). Repeatable.
    #[arg(long, value_name = "NAME", requires = "builtin")]
    pub fault: Vec<String>,
    /// With --builtin: switch on a correct provider variant met in real products
    /// (passwordless, refuse-offline-access, refresh-grant refused; `serve --list-faults`). Repeatable.
    #[arg(long, value_name = "NAME", requires = "builtin")]
    pub variant: Vec<String>,
    /// Accept a plain http:// target (the spec requires TLS: every transport row then fails,
    /// and logins send their credentials over plain http).
    #[arg(long)]
    pub allow_http: bool,
    /// Target configuration file (see target.example.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Spec profile: clr-2.0 (default) or ob-3.0.
    #[arg(long, value_name = "ID", value_parser = ProfileParser, hide_possible_values = true)]
    pub profile: Option<&'static Profile>,
    /// Role to judge: service-provider-read, service-provider-write, host (= both). Repeatable.
    #[arg(long, value_name = "ROLE", value_parser = RoleParser::PROVIDER, hide_possible_values = true)]
    pub role: Vec<Role>,
    /// Do not verify the server's TLS certificate (recorded in the report).
    #[arg(long)]
    pub insecure: bool,
    /// Trust the CA certificates in this PEM file. Repeatable.
    #[arg(long, value_name = "PEM")]
    pub trust_ca: Vec<PathBuf>,
    /// Per-request timeout, e.g. 30s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Total time budget for the run, e.g. 10m.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub deadline: Option<Duration>,
    /// A certification run: rows whose catalog condition is "only in a
    /// certification run" (e.g. api.get-profile.cert-id) apply (config key `certification`).
    #[arg(long)]
    pub certification: bool,
    /// A document the returned credentials refer to (a key or DID document, a JWK Set, a
    /// status list), used instead of fetching it (config key `documents`). Repeatable.
    /// With --builtin the seeds' documents are supplied already.
    #[arg(long, value_name = "URL=FILE")]
    pub document: Vec<String>,
    /// The scope URI the target uses for an operation (credential.readonly,
    /// credential.upsert, profile.readonly, profile.update), when its SDD does not
    /// make it plain (config table `scope_map`). Repeatable.
    #[arg(long, value_name = "OPERATION=URI")]
    pub scope_map: Vec<String>,
    #[command(flatten)]
    pub report: ReportOpts,
}

/// CLI entry: returns the exit code.
pub fn run(args: &RunArgs) -> anyhow::Result<i32> {
    common::check_out(&args.report)?;
    let plan = RunPlan::new(args)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))?;
    let (report, _) = rt.block_on(execute(&plan))?;
    Ok(common::finish(&report, &plan.report))
}

/// Run the plan and build the report (not written). Only what the run itself
/// meets (the builtin provider failing to start, a client that cannot be built)
/// is `Err`; the plan has refused wrong values already.
pub async fn execute(plan: &RunPlan) -> anyhow::Result<(Report, Option<String>)> {
    let redactor = Redactor::new();
    for (value, kind) in plan.secrets.iter() {
        crate::http::client::secret(&redactor, value, kind);
    }
    match &plan.judged {
        Judged::Builtin {
            label, allow_http, ..
        } => {
            let pc = plan
                .provider_config()
                .ok_or_else(|| anyhow::anyhow!("not a builtin plan"))?;
            // The plain-http fault is the builtin's explicit opt-in to http.
            let plain = plan.judged.has(FaultId::PlainHttp);
            let passwordless = plan.judged.has(FaultId::Passwordless);
            let running = crate::provider::start(pc).await?;
            let mut http_cfg = plan.http.clone();
            http_cfg.system_roots = false;
            if let Some(pem) = running.ca_pem() {
                http_cfg.trusted_ca_pem.push(pem.to_string());
            }
            let user = running
                .users()
                .first()
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("the builtin provider has no seeded user"))?;
            crate::http::client::secret(&redactor, &user.password, "password");
            crate::http::client::secret(&redactor, &user.email, "learner-email");
            let policy = OriginPolicy::new(running.base_url(), &[], plain || *allow_http)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let login = if passwordless {
                // A signed-in session, as a person's browser would hold it.
                let cookie = crate::provider::oauth::authorize::session_value(&user);
                crate::http::client::secret(&redactor, &cookie, "session-cookie");
                Login::Session(FormLogin {
                    cookies: vec![(crate::provider::faults::SESSION_COOKIE.into(), cookie)],
                    ..FormLogin::password("", "", policy.clone())
                })
            } else {
                Login::Form(FormLogin::password(
                    &user.username,
                    &user.password,
                    policy.clone(),
                ))
            };
            let target = Target {
                base_url: running.base_url().to_string(),
                profile: plan.profile,
                roles: plan.roles.clone(),
                login,
                metadata: plan.metadata.clone(),
                client: None,
                revocation_url: plan.revocation_url.clone(),
                upsert_credential: plan.upsert_credential.clone(),
                fetch_documents: false,
                documents: crate::provider::seed::seed_document_set(plan.profile)
                    .with(plan.documents.clone()),
                certification: plan.certification,
                scope_map: plan.scope_map.clone(),
                short_lived_client: Some(SHORT_LIVED_CLIENT.into()),
                offline: plan.offline,
                policy,
            };
            let out = Box::pin(judge(
                label,
                target,
                &http_cfg,
                redactor,
                &plan.report,
                plan.summary.clone(),
            ))
            .await;
            running.shutdown().await;
            out
        }
        Judged::Remote {
            base,
            login,
            client,
            policy,
        } => {
            let target = Target {
                base_url: base.as_str().to_string(),
                profile: plan.profile,
                roles: plan.roles.clone(),
                login: (**login).clone(),
                metadata: plan.metadata.clone(),
                client: client.clone(),
                revocation_url: plan.revocation_url.clone(),
                upsert_credential: plan.upsert_credential.clone(),
                fetch_documents: true,
                documents: Documents::new(plan.documents.iter().cloned().collect()),
                certification: plan.certification,
                scope_map: plan.scope_map.clone(),
                short_lived_client: None,
                offline: plan.offline,
                policy: policy.clone(),
            };
            judge(
                base.as_str(),
                target,
                &plan.http,
                redactor,
                &plan.report,
                plan.summary.clone(),
            )
            .await
        }
    }
}

/// Run the suites and build the report. The second value is the reason the
/// target could not be reached, if it could not.
async fn judge(
    label: &str,
    target: Target,
    http_cfg: &HttpConfig,
    redactor: Redactor,
    opts: &ReportOpts,
    config: serde_json::Value,
) -> anyhow::Result<(Report, Option<String>)> {
    let catalog = Catalog::embedded();
    let roles = target.roles.clone();
    let profile_ref = target.profile;
    let profile = target.profile.id.clone();
    let mut info = RunInfo::new("run", label, &profile, &roles, provider::SCOPE);
    info.config = config;
    let client = Client::new(http_cfg, redactor)?;
    let ctx = Ctx::new(client.clone(), target);
    // Ctrl-C interrupts the client; the suites then wind down at once and
    // the checks that had not finished are reported not-run.
    let watcher = {
        let c = client.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                c.cancel();
            }
        })
    };
    // Only the areas owning a selected row, and what they need, run.
    let rows = common::rows(catalog, opts, &roles, provider::SCOPE);
    let selected: Option<std::collections::BTreeSet<String>> = (!opts.only.is_empty()
        || !opts.skip.is_empty())
    .then(|| rows.iter().map(|r| r.id.clone()).collect());
    let (mut rec, mut unreachable) = Box::pin(provider::run_selected(ctx, selected.as_ref())).await;
    watcher.abort();
    for w in client.redactor().weak() {
        rec.note(format!("weak secret: {w}"));
    }
    rec.redact(client.redactor());
    let interrupted = client.cancelled();
    if interrupted {
        rec = without_interrupted(&rec);
        rec.note(format!(
            "{INTERRUPTED}: checks that had not finished are reported not-run"
        ));
        unreachable = None;
    }
    if !opts.quiet {
        for n in rec.notes() {
            crate::errln!("note: {n}");
        }
    }
    let rec = common::outside_profile(rec, profile_ref, &rows);
    let mut report = info.report(opts, &rows, &rec, interrupted || client.deadline_passed());
    common::speak(&mut report, profile_ref);
    if interrupted {
        report.exit_code = EXIT_INTERRUPTED;
        report.summary.checks_run = checks_finished(&rec);
    }
    if let Some(why) = &unreachable {
        report
            .header
            .notes
            .push(format!("target unreachable: {why}"));
        if report.exit_code == exit::OK || report.exit_code == exit::NOTHING_RAN {
            report.exit_code = exit::HARNESS;
        }
        if !opts.quiet {
            crate::errln!("clr-conformance: {why}");
        }
    }
    Ok((report, unreachable))
}

/// Exit code of a run interrupted by Ctrl-C: 128 + SIGINT, as shells report
/// it, so CI tells an interrupted run from a finished one (3 stays "could
/// not judge", e.g. the deadline ran out).
pub const EXIT_INTERRUPTED: i32 = crate::report::model::exit::INTERRUPTED;

/// A copy of `rec` without the findings the interruption caused (those
/// requirements then read not-run). Transcript ids are unchanged; check
/// durations are not kept.
fn without_interrupted(rec: &Recorder) -> Recorder {
    let mut out = Recorder::new();
    for t in rec.transcripts() {
        out.transcript(t.clone());
    }
    for (id, list) in rec.findings() {
        for f in list.iter().filter(|f| !f.message.contains(INTERRUPTED)) {
            let mut c = Check::new(&f.check, &[id.as_str()]);
            *c.pass(id, "") = f.clone();
            out.finish(c);
        }
    }
    for n in rec.notes() {
        out.note(n.clone());
    }
    out
}

/// How many distinct checks recorded a finding.
fn checks_finished(rec: &Recorder) -> usize {
    let names: std::collections::BTreeSet<&str> = rec
        .findings()
        .values()
        .flatten()
        .map(|f| f.check.as_str())
        .collect();
    names.len()
}
