//! `clr-conformance judge`: the harness plays the provider (consumer-read,
//! consumer-write) or the record source (displayer), waits for the product
//! and the operator, then judges what happened and writes the report.

use super::args::ReportOpts;
use super::common::{self, RunInfo};
use super::values::{ProfileParser, parse_duration};
use crate::catalog::{Catalog, Profile, Role};
use crate::judge::consumer::{self, ConsumerRole, Finished, Session, SessionConfig};
use crate::judge::displayer::{self, Answers, DisplayerSession, Fetch, Record};
use crate::report::Report;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct JudgeArgs {
    #[command(subcommand)]
    pub mode: JudgeMode,
}

#[derive(Debug, Subcommand)]
pub enum JudgeMode {
    /// Play the provider for a Service Consumer (Read): it must call getCredentials and getProfile.
    ConsumerRead(ConsumerArgs),
    /// Play the provider for a Service Consumer (Write): it must upsert a ClrCredential.
    ConsumerWrite(ConsumerArgs),
    /// Serve test records and an answer page for a Displayer.
    Displayer(DisplayerArgs),
}

#[derive(Debug, Args)]
pub struct ConsumerArgs {
    /// Address the provider listens on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub bind: SocketAddr,
    /// Spec profile: clr-2.0 or ob-3.0.
    #[arg(long, default_value = "clr-2.0", value_parser = ProfileParser)]
    pub profile: &'static Profile,
    /// How long to wait for the product, e.g. 30m.
    #[arg(long, default_value = "30m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Serve plain HTTP without TLS (debugging only; the spec requires TLS).
    #[arg(long)]
    pub plain_http: bool,
    /// Where to write the certificate the product must trust [default: a temp folder].
    #[arg(long, value_name = "PATH")]
    pub ca_out: Option<PathBuf>,
    /// A certification run: consumer-write must also send a Profile (CLR issuer test 5).
    #[arg(long)]
    pub certification: bool,
    #[command(flatten)]
    pub report: ReportOpts,
}

#[derive(Debug, Args)]
pub struct DisplayerArgs {
    /// Address to serve the records and the answer page on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub bind: SocketAddr,
    /// How long to wait for the operator's answers, e.g. 30m.
    #[arg(long, default_value = "30m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Duration,
    /// The URL the product reaches this server at (record ids use it), e.g. behind a proxy.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    #[command(flatten)]
    pub report: ReportOpts,
}

pub fn run(a: &JudgeArgs) -> anyhow::Result<i32> {
    match &a.mode {
        JudgeMode::ConsumerRead(c) => consumer_cmd(c, ConsumerRole::Read),
        JudgeMode::ConsumerWrite(c) => consumer_cmd(c, ConsumerRole::Write),
        JudgeMode::Displayer(d) => displayer_cmd(d),
    }
}

/// Call `finish` when the operator presses Enter (EOF does not count).
fn on_enter(finish: impl Fn() + Send + 'static) {
    std::thread::spawn(move || {
        let mut line = String::new();
        if matches!(std::io::stdin().read_line(&mut line), Ok(n) if n > 0) {
            finish();
        }
    });
}

fn consumer_cmd(a: &ConsumerArgs, role: ConsumerRole) -> anyhow::Result<i32> {
    common::check_out(&a.report)?;
    let profile = a.profile;
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let mut info = RunInfo::new(
        &format!("judge consumer-{}", mode_name(role)),
        "",
        &profile.id,
        &[role.role()],
        role.scope(),
    );
    let finished = rt.block_on(async {
        let mut cfg = SessionConfig::new(role, profile);
        cfg.bind = a.bind;
        cfg.plain_http = a.plain_http;
        cfg.certification = a.certification;
        let session = Session::start(cfg).await?;
        let p = session.provider();
        let say = |s: String| {
            if !a.report.quiet {
                crate::outln!("{s}");
            }
        };
        say(format!(
            "clr-conformance judge consumer-{} ({})",
            mode_name(role),
            profile.id
        ));
        say(format!("  discovery URL:  {}", p.discovery_url()));
        if let (Some(pem), Some(fp)) = (p.ca_pem(), p.fingerprint()) {
            let path = a.ca_out.clone().unwrap_or_else(|| {
                std::env::temp_dir()
                    .join(format!("clr-conformance-judge-{}", std::process::id()))
                    .join("ca.pem")
            });
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("{}: cannot create folder", dir.display()))?;
            }
            std::fs::write(&path, pem)
                .with_context(|| format!("{}: cannot write certificate", path.display()))?;
            say(format!("  trust this CA:  {}", path.display()));
            say(format!("  SHA-256:        {fp}"));
        } else {
            crate::errln!("WARNING: --plain-http: serving WITHOUT TLS (debugging only).");
        }
        for u in p.users() {
            say(format!(
                "  test user:      {} / {}  (log in with these on the consent page)",
                u.username, u.password
            ));
        }
        say(format!("  the product must: {}", role.task()));
        say(format!(
            "  end the session: press Enter, or open {}",
            session.finish_url()
        ));
        say(format!("  timeout:        {}s", a.timeout.as_secs()));
        on_enter(session.finisher());
        let end = session.wait(a.timeout).await;
        say(format!("session over: {}", end.describe()));
        anyhow::Ok(session.finish(end).await)
    })?;
    info.target = format!(
        "the consumer that called the reference provider at {}",
        finished.options.base_url
    );
    info.config = serde_json::json!({
        "mode": format!("consumer-{}", mode_name(role)),
        "profile": profile.id,
        "bind": a.bind.to_string(),
        "timeout_s": a.timeout.as_secs(),
        "plain_http": a.plain_http,
    });
    let report = consumer_report(info, &finished, role, &a.report);
    Ok(common::finish(&report, &a.report))
}

fn mode_name(role: ConsumerRole) -> &'static str {
    match role {
        ConsumerRole::Read => "read",
        ConsumerRole::Write => "write",
    }
}

/// Judge a finished consumer session and build its report.
pub fn consumer_report(
    info: RunInfo,
    finished: &Finished,
    role: ConsumerRole,
    opts: &ReportOpts,
) -> Report {
    let rec = consumer::judge(&finished.recording, role, &finished.options);
    let catalog = Catalog::embedded();
    let rows = common::rows(catalog, opts, &[role.role()], role.scope());
    info.report(opts, &rows, &rec, false)
}

fn displayer_cmd(a: &DisplayerArgs) -> anyhow::Result<i32> {
    common::check_out(&a.report)?;
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let mut info = RunInfo::new(
        "judge displayer",
        "",
        "clr-2.0",
        &[Role::Displayer],
        &["displayer"],
    );
    let (records, answers, fetches, end) = rt.block_on(async {
        let session = DisplayerSession::start(a.bind, a.public_url.as_deref()).await?;
        if !a.report.quiet {
            crate::outln!("clr-conformance judge displayer");
            crate::outln!("  answer page:    {}", session.page_url());
            for r in session.records() {
                crate::outln!("  record:         {}", r.url);
            }
            crate::outln!(
                "  load each record into the product, then record what it showed on the answer page"
            );
            crate::outln!("  end without answers: press Enter");
            crate::outln!("  timeout:        {}s", a.timeout.as_secs());
        }
        on_enter(session.finisher());
        let end = session.wait(a.timeout).await;
        let records = session.records().to_vec();
        let (answers, fetches) = session.finish().await;
        anyhow::Ok((records, answers, fetches, end))
    })?;
    info.target = "the displayer given the harness's test records".into();
    info.config = serde_json::json!({
        "mode": "displayer",
        "bind": a.bind.to_string(),
        "public_url": a.public_url,
        "timeout_s": a.timeout.as_secs(),
    });
    if !a.report.quiet {
        crate::outln!("session over: {}", end.describe());
    }
    let report = displayer_report(info, &records, answers.as_ref(), &fetches, &a.report);
    Ok(common::finish(&report, &a.report))
}

/// Judge a displayer's answers and build the report.
pub fn displayer_report(
    info: RunInfo,
    records: &[Record],
    answers: Option<&Answers>,
    fetches: &[Fetch],
    opts: &ReportOpts,
) -> Report {
    let rec = displayer::judge_answers(records, answers, fetches);
    let catalog = Catalog::embedded();
    let rows = common::rows(catalog, opts, &[Role::Displayer], &["displayer"]);
    info.report(opts, &rows, &rec, false)
}
