//! `clr-conformance run`: judge a CLR service provider over HTTP, either a
//! real one (`--target URL`, optionally with a `target.toml`) or the built-in
//! reference provider started in-process (`--builtin`, with `--fault`s).
//! Turns arguments and config into a `suites::provider::Target`, runs the
//! provider suites and writes the report like every other subcommand.

use super::args::ReportOpts;
use super::common::{self, RunInfo};
use crate::catalog::{Catalog, Profile, Role};
use crate::credential::verify::documents::Documents;
use crate::evidence::{Check, Recorder, Redactor};
use crate::http::client::INTERRUPTED;
use crate::http::{Client, HttpConfig};
use crate::oauth::ClientCreds;
use crate::oauth::authorize::{FormLogin, Manual, Terminal};
use crate::oauth::browser::{BrowserLogin, Step};
use crate::oauth::origin::OriginPolicy;
use crate::oauth::register::ClientMetadata;
use crate::oauth::scope::Offline;
use crate::provider::FaultId;
use crate::report::Report;
use crate::report::model::exit;
use crate::suites::provider::{self, Ctx, Login, Target};
use clap::Args;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The client name the builtin provider gives short-lived tokens, so
/// `run --builtin` judges `oauth.token.expired-refused`.
const SHORT_LIVED_CLIENT: &str = "clr-conformance (short-lived tokens)";

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Base URL of the provider: everything before /ims/clr/v2p0 (e.g. https://host/tenant).
    #[arg(long, value_name = "URL", conflicts_with = "builtin")]
    pub target: Option<String>,
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
    #[arg(long, value_name = "ID")]
    pub profile: Option<String>,
    /// Role to judge: service-provider-read, service-provider-write, host (= both). Repeatable.
    #[arg(long, value_name = "ROLE")]
    pub role: Vec<String>,
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

/// `30s`, `10m`, `1h`, `500ms`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s}: not a duration (use 30s, 10m, 1h)"))?;
    let d = match unit {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        _ => return Err(format!("{s}: unknown unit {unit:?} (use ms, s, m, h)")),
    };
    if d.is_zero() {
        return Err(format!("{s}: must be more than zero"));
    }
    Ok(d)
}

/// The target configuration file. Secrets are never inline: only the names
/// of environment variables holding them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub base_url: Option<String>,
    pub profile: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub trusted_ca: Vec<PathBuf>,
    /// Also trust the operating system's roots (default true).
    pub system_roots: Option<bool>,
    pub timeout: Option<String>,
    pub deadline: Option<String>,
    pub revocation_url: Option<String>,
    /// A certification run (as `--certification`).
    #[serde(default)]
    pub certification: bool,
    /// A JSON credential file to upsert (one the target has not seen).
    pub upsert_credential: Option<PathBuf>,
    #[serde(default)]
    pub login: LoginConfig,
    pub client_metadata: Option<ClientMetadata>,
    pub registered_client: Option<RegisteredClient>,
    /// Origins besides the target's that may receive the password, session
    /// cookies or the client secret (e.g. the target's own SSO host).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Documents the returned credentials refer to, URL -> file (as `--document`).
    #[serde(default)]
    pub documents: BTreeMap<String, PathBuf>,
    /// Operation -> the scope URI the target uses for it (as `--scope-map`).
    #[serde(default)]
    pub scope_map: BTreeMap<String, String>,
}

/// How the harness logs in (`login.strategy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    #[default]
    Form,
    Session,
    Browser,
    Manual,
    Token,
}

/// Missing keys take their defaults (a `token` login need not name form fields).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoginConfig {
    /// form | session | browser | manual | token
    pub strategy: Strategy,
    pub username_env: Option<String>,
    pub password_env: Option<String>,
    pub username_field: String,
    pub password_field: String,
    /// Extra form inputs to set (form: e.g. a consent checkbox; session: the consent form).
    #[serde(default)]
    pub extra_fields: BTreeMap<String, String>,
    pub access_token_env: Option<String>,
    pub refresh_token_env: Option<String>,
    /// auto (when the SDD advertises it) | always | never
    pub offline_access: Offline,
    /// session: cookie name -> environment variable holding its value.
    pub cookies: BTreeMap<String, String>,
    /// session: header name -> environment variable holding its value.
    pub headers: BTreeMap<String, String>,
    /// browser: the steps (default: fill username and password, click Allow).
    pub steps: Vec<Step>,
    /// browser: what is clicked instead of the first click when a check needs a refusal.
    pub deny_selector: Option<String>,
    pub chromium: Option<PathBuf>,
    pub chromedriver: Option<PathBuf>,
    /// browser: time for one login ("60s").
    pub browser_timeout: Option<String>,
}

impl Default for LoginConfig {
    fn default() -> LoginConfig {
        LoginConfig {
            strategy: Strategy::Form,
            username_env: Some("CLR_USERNAME".into()),
            password_env: Some("CLR_PASSWORD".into()),
            username_field: "username".into(),
            password_field: "password".into(),
            extra_fields: BTreeMap::new(),
            access_token_env: None,
            refresh_token_env: None,
            offline_access: Offline::Auto,
            cookies: BTreeMap::new(),
            headers: BTreeMap::new(),
            steps: Vec::new(),
            deny_selector: None,
            chromium: None,
            chromedriver: None,
            browser_timeout: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisteredClient {
    pub client_id: String,
    /// Name of the environment variable holding the client secret.
    pub client_secret_env: String,
}

/// Read and parse a target config; errors name the file.
pub fn load_config(path: &Path) -> anyhow::Result<TargetConfig> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn env(name: &str, what: &str) -> anyhow::Result<String> {
    std::env::var(name)
        .map_err(|_| anyhow::anyhow!("{name}: environment variable for the {what} is not set"))
}

/// The roles to judge; default host (read and write).
pub fn roles(names: &[String]) -> anyhow::Result<Vec<Role>> {
    if names.is_empty() {
        return Ok(vec![Role::Host]);
    }
    names
        .iter()
        .map(|n| match Role::parse(n) {
            Some(r @ (Role::ServiceProviderRead | Role::ServiceProviderWrite | Role::Host)) => {
                Ok(r)
            }
            _ => Err(anyhow::anyhow!(
                "{n}: not a provider role (service-provider-read, service-provider-write, host)"
            )),
        })
        .collect()
}

/// CLI entry: returns the exit code.
pub fn run(args: &RunArgs) -> anyhow::Result<i32> {
    common::check_out(&args.report)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))?;
    let (report, _) = rt.block_on(execute(args))?;
    Ok(common::finish(&report, &args.report))
}

/// Run and build the report (not written). Usage errors are `Err`.
pub async fn execute(args: &RunArgs) -> anyhow::Result<(Report, Option<String>)> {
    let cfg = match &args.config {
        Some(p) => load_config(p)?,
        None => TargetConfig::default(),
    };
    let profile_id = args
        .profile
        .clone()
        .or(cfg.profile.clone())
        .unwrap_or_else(|| "clr-2.0".into());
    let profile = Profile::get(&profile_id)
        .ok_or_else(|| anyhow::anyhow!("{profile_id}: unknown profile (clr-2.0, ob-3.0)"))?;
    let role_names = if args.role.is_empty() {
        cfg.roles.clone()
    } else {
        args.role.clone()
    };
    let roles = roles(&role_names)?;
    let timeout = match (&args.timeout, &cfg.timeout) {
        (Some(t), _) => *t,
        (None, Some(s)) => parse_duration(s).map_err(|e| anyhow::anyhow!("timeout: {e}"))?,
        _ => Duration::from_secs(30),
    };
    let deadline = match (&args.deadline, &cfg.deadline) {
        (Some(t), _) => *t,
        (None, Some(s)) => parse_duration(s).map_err(|e| anyhow::anyhow!("deadline: {e}"))?,
        _ => Duration::from_secs(600),
    };
    let mut http_cfg = HttpConfig {
        trusted_ca: [cfg.trusted_ca.clone(), args.trust_ca.clone()].concat(),
        system_roots: cfg.system_roots.unwrap_or(true),
        insecure: args.insecure,
        timeout,
        deadline,
        ..HttpConfig::default()
    };
    let redactor = Redactor::new();
    let upsert_credential = match &cfg.upsert_credential {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", p.display()))?;
            Some(
                serde_json::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("{}: not JSON: {e}", p.display()))?,
            )
        }
        None => None,
    };
    let documents = {
        let specs: Vec<String> = cfg
            .documents
            .iter()
            .map(|(u, f)| format!("{u}={}", f.display()))
            .chain(args.document.iter().cloned())
            .collect();
        crate::cli::verify::supplied(&specs)?
    };
    let scope_map = {
        let mut m = cfg.scope_map.clone();
        for spec in &args.scope_map {
            let Some((op, uri)) = spec.split_once('=') else {
                anyhow::bail!("{spec}: --scope-map takes OPERATION=URI");
            };
            m.insert(op.to_string(), uri.to_string());
        }
        crate::oauth::scope::parse_map(&m).map_err(|e| anyhow::anyhow!("scope_map: {e}"))?
    };
    let config_summary = serde_json::json!({
        "profile": profile_id,
        "roles": roles,
        "builtin": args.builtin,
        "faults": args.fault,
        "insecure": args.insecure,
        "timeout_ms": timeout.as_millis() as u64,
        "login": cfg.login.strategy,
    });

    if args.builtin {
        let mut pc = crate::provider::ProviderConfig::new(profile);
        pc.short_lived_client = Some(SHORT_LIVED_CLIENT.into());
        for name in &args.fault {
            let f = crate::provider::fault(name)
                .ok_or_else(|| anyhow::anyhow!("{name}: unknown fault"))?;
            pc.faults.push(*f);
        }
        for name in &args.variant {
            let v = crate::provider::faults::variant(name).ok_or_else(|| {
                anyhow::anyhow!("{name}: unknown variant (serve --list-faults lists them)")
            })?;
            pc.faults.push(*v);
        }
        let on = |id: FaultId| pc.faults.iter().any(|f| f.is(id));
        // The plain-http fault is the builtin's explicit opt-in to http.
        let plain = on(FaultId::PlainHttp);
        let passwordless = on(FaultId::Passwordless);
        let running = crate::provider::start(pc).await?;
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
        let policy = OriginPolicy::new(running.base_url(), &[], plain || args.allow_http)
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
            profile,
            roles: roles.clone(),
            login,
            metadata: cfg.client_metadata.clone().unwrap_or_default(),
            client: None,
            revocation_url: cfg.revocation_url.clone(),
            upsert_credential,
            fetch_documents: false,
            documents: crate::provider::seed::seed_document_set(profile).with(documents),
            certification: args.certification || cfg.certification,
            scope_map: scope_map.clone(),
            short_lived_client: Some(SHORT_LIVED_CLIENT.into()),
            offline: cfg.login.offline_access,
            policy,
        };
        let mut label = if args.fault.is_empty() {
            "builtin".to_string()
        } else {
            format!("builtin (faults: {})", args.fault.join(", "))
        };
        if !args.variant.is_empty() {
            label.push_str(&format!(" (variants: {})", args.variant.join(", ")));
        }
        let out = Box::pin(judge(
            &label,
            target,
            &http_cfg,
            redactor,
            &args.report,
            config_summary,
        ))
        .await;
        running.shutdown().await;
        return out;
    }

    let base = args
        .target
        .clone()
        .or(cfg.base_url.clone())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no target: give --target https://host/base, base_url in --config, or --builtin"
            )
        })?;
    let parsed = url::Url::parse(&base).map_err(|e| anyhow::anyhow!("{base}: not a URL: {e}"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if args.allow_http => {}
        "http" => anyhow::bail!(
            "{base}: the target must be an https URL (the spec requires TLS; --allow-http judges a plain-http target, and every transport row then fails)"
        ),
        _ => anyhow::bail!("{base}: the target must be an https URL"),
    }
    let policy = OriginPolicy::new(&base, &cfg.allowed_origins, args.allow_http)
        .map_err(|e| anyhow::anyhow!("allowed_origins: {e}"))?;
    let login = login(&cfg.login, &redactor, &policy, &http_cfg)?;
    let client = match &cfg.registered_client {
        Some(r) => {
            let secret = env(&r.client_secret_env, "client secret")?;
            crate::http::client::secret(&redactor, &secret, "client-secret");
            Some(ClientCreds {
                client_id: r.client_id.clone(),
                client_secret: secret,
            })
        }
        None => None,
    };
    let target = Target {
        base_url: base.clone(),
        profile,
        roles,
        login,
        metadata: cfg.client_metadata.clone().unwrap_or_default(),
        client,
        revocation_url: cfg.revocation_url.clone(),
        upsert_credential,
        fetch_documents: true,
        documents: Documents::new(documents.into_iter().collect()),
        certification: args.certification || cfg.certification,
        scope_map,
        short_lived_client: None,
        offline: cfg.login.offline_access,
        policy,
    };
    judge(
        &base,
        target,
        &http_cfg,
        redactor,
        &args.report,
        config_summary,
    )
    .await
}

fn login(
    cfg: &LoginConfig,
    redactor: &Redactor,
    policy: &OriginPolicy,
    http: &HttpConfig,
) -> anyhow::Result<Login> {
    let extra: Vec<(String, String)> = cfg
        .extra_fields
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let from_env =
        |map: &BTreeMap<String, String>, what: &str| -> anyhow::Result<Vec<(String, String)>> {
            map.iter()
                .map(|(name, var)| {
                    let v = env(var, &format!("{what} {name}"))?;
                    crate::http::client::secret(redactor, &v, "session-cookie");
                    Ok((name.clone(), v))
                })
                .collect()
        };
    match cfg.strategy {
        Strategy::Form => {
            let u = env(
                cfg.username_env.as_deref().unwrap_or("CLR_USERNAME"),
                "login username",
            )?;
            let p = env(
                cfg.password_env.as_deref().unwrap_or("CLR_PASSWORD"),
                "login password",
            )?;
            crate::http::client::secret(redactor, &p, "password");
            crate::http::client::secret(redactor, &u, "username");
            Ok(Login::Form(FormLogin {
                username_field: cfg.username_field.clone(),
                password_field: cfg.password_field.clone(),
                extra,
                ..FormLogin::password(&u, &p, policy.clone())
            }))
        }
        Strategy::Session => {
            let cookies = from_env(&cfg.cookies, "session cookie")?;
            let headers = from_env(&cfg.headers, "session header")?;
            if cookies.is_empty() && headers.is_empty() {
                anyhow::bail!(
                    "login.cookies / login.headers: strategy session needs at least one cookie or header (name = \"ENV_VAR\")"
                );
            }
            Ok(Login::Session(FormLogin {
                extra,
                cookies,
                headers,
                ..FormLogin::password("", "", policy.clone())
            }))
        }
        Strategy::Browser => {
            let steps = if cfg.steps.is_empty() {
                crate::oauth::browser::default_steps(
                    cfg.username_env.as_deref().unwrap_or("CLR_USERNAME"),
                    cfg.password_env.as_deref().unwrap_or("CLR_PASSWORD"),
                )
            } else {
                cfg.steps.clone()
            };
            let mut secrets = Vec::new();
            for (i, st) in steps.iter().enumerate() {
                st.validate(i + 1).map_err(|e| anyhow::anyhow!("{e}"))?;
                if let Some(var) = &st.env {
                    let v = env(var, &format!("login.steps[{}]", i + 1))?;
                    crate::http::client::secret(redactor, &v, "password");
                    secrets.push((var.clone(), v));
                }
            }
            let mut b = BrowserLogin::new(steps, secrets, policy.clone());
            if let Some(d) = &cfg.deny_selector {
                b.deny_selector = d.clone();
            }
            if let Some(p) = &cfg.chromium {
                b.chromium = p.clone();
            }
            if let Some(p) = &cfg.chromedriver {
                b.chromedriver = p.clone();
            }
            if let Some(t) = &cfg.browser_timeout {
                b.timeout =
                    parse_duration(t).map_err(|e| anyhow::anyhow!("login.browser_timeout: {e}"))?;
            }
            // Private CAs are trusted by the harness's own client, not by Chromium.
            b.accept_insecure_certs =
                http.insecure || !http.trusted_ca.is_empty() || !http.trusted_ca_pem.is_empty();
            if let Some(why) = b.unavailable() {
                anyhow::bail!("login strategy browser: {why}");
            }
            Ok(Login::Browser(b))
        }
        Strategy::Manual => Ok(Login::Manual(Manual::new(std::sync::Arc::new(Terminal)))),
        Strategy::Token => {
            let a = env(
                cfg.access_token_env.as_deref().ok_or_else(|| {
                    anyhow::anyhow!("login.access_token_env: required for strategy token")
                })?,
                "access token",
            )?;
            crate::http::client::secret(redactor, &a, "access-token");
            let r = match &cfg.refresh_token_env {
                Some(n) => Some(env(n, "refresh token")?),
                None => None,
            };
            if let Some(r) = &r {
                crate::http::client::secret(redactor, r, "refresh-token");
            }
            Ok(Login::Token {
                access_token: a,
                refresh_token: r,
            })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("0s").is_err());
        assert!(
            parse_duration("5 parsecs")
                .unwrap_err()
                .starts_with("5 parsecs")
        );
    }

    #[test]
    fn example_config_parses() {
        let text = include_str!("../../target.example.toml");
        let cfg: TargetConfig = toml::from_str(text).unwrap();
        assert_eq!(cfg.login.strategy, Strategy::Form);
        assert!(roles(&cfg.roles).is_ok());
        assert!(toml::from_str::<TargetConfig>("nonsense = 1").is_err());
        let cfg: TargetConfig = toml::from_str(
            "[scope_map]\n\"credential.readonly\" = \"urn:x:read\"\n[documents]\n\"https://x/k\" = \"k.json\"",
        )
        .unwrap();
        let map = crate::oauth::scope::parse_map(&cfg.scope_map).unwrap();
        assert_eq!(map[0].1, "urn:x:read");
        assert_eq!(cfg.documents.len(), 1);
    }

    #[test]
    fn login_steps_session_and_origins_parse() {
        let cfg: TargetConfig = toml::from_str(
            r##"
allowed_origins = ["https://sso.example.edu"]
[login]
strategy = "browser"
offline_access = "never"
cookies = { sid = "CLR_SID" }
[[login.steps]]
goto = "authorize"
[[login.steps]]
fill = "#u"
env = "CLR_USERNAME"
"##,
        )
        .unwrap();
        assert_eq!(cfg.login.strategy, Strategy::Browser);
        assert_eq!(cfg.login.offline_access, Offline::Never);
        assert_eq!(cfg.login.steps.len(), 2);
        assert_eq!(cfg.login.cookies["sid"], "CLR_SID");
        assert_eq!(cfg.allowed_origins, ["https://sso.example.edu"]);
        let bad = toml::from_str::<TargetConfig>("[login]\nstrategy = \"magic\"").unwrap_err();
        assert!(bad.to_string().contains("magic"), "{bad}");
        assert!(toml::from_str::<TargetConfig>("[[login.steps]]\ntypo = 1").is_err());
    }

    #[test]
    fn only_provider_roles() {
        assert!(
            roles(&["issuer".into()])
                .unwrap_err()
                .to_string()
                .starts_with("issuer")
        );
        assert_eq!(roles(&[]).unwrap(), vec![Role::Host]);
    }
}
