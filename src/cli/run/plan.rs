//! The plan of a `run`: the arguments and the target configuration file, merged once
//! (argv overrides the file) into typed values: profile, roles, timeouts, the HTTP
//! client's configuration, the login, the target or the builtin provider's faults,
//! the selection and report options. `execute` takes the plan and parses nothing; a
//! wrong value is refused here, before any work, naming the file and field it came from.

use super::config::{LoginConfig, Strategy, TargetConfig, load_config};
use super::{RunArgs, SHORT_LIVED_CLIENT};
use crate::catalog::{Profile, Role};
use crate::cli::args::ReportOpts;
use crate::cli::values::{RoleParser, TargetUrl, parse_duration, parse_profile};
use crate::credential::verify::documents::Fetched;
use crate::http::HttpConfig;
use crate::oauth::ClientCreds;
use crate::oauth::authorize::{FormLogin, Manual, Terminal};
use crate::oauth::browser::BrowserLogin;
use crate::oauth::origin::OriginPolicy;
use crate::oauth::register::ClientMetadata;
use crate::oauth::scope::{Offline, Operation};
use crate::provider::{Fault, FaultId};
use crate::suites::provider::Login;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Everything a run needs, typed and checked.
#[derive(Debug, Clone)]
pub struct RunPlan {
    pub profile: &'static Profile,
    /// The roles judged (host when none is named).
    pub roles: Vec<Role>,
    /// Trust, TLS verification, per-request timeout and deadline.
    pub http: HttpConfig,
    /// The builtin provider, or a target over the network.
    pub judged: Judged,
    pub metadata: ClientMetadata,
    pub revocation_url: Option<String>,
    /// The `upsert_credential` file, read.
    pub upsert_credential: Option<serde_json::Value>,
    /// `--document` and `[documents]`, read.
    pub documents: Vec<(String, Fetched)>,
    pub scope_map: Vec<(Operation, String)>,
    pub offline: Offline,
    pub certification: bool,
    /// Secret values read at plan time (login, client secret), redacted from the report.
    pub secrets: Secrets,
    /// The report header's `config`: what the run was asked to do.
    pub summary: serde_json::Value,
    /// Output, selection (--only/--skip) and exit-code options.
    pub report: ReportOpts,
}

/// What a run judges.
#[derive(Debug, Clone)]
pub enum Judged {
    /// The reference provider, started in-process.
    Builtin {
        /// Faults, then variants, in the order named.
        faults: Vec<Fault>,
        /// How the report names the target (`builtin (faults: ...)`).
        label: String,
        allow_http: bool,
    },
    /// A provider at a URL.
    Remote {
        base: TargetUrl,
        /// Boxed: a browser login is large beside the builtin's few fields.
        login: Box<Login>,
        client: Option<ClientCreds>,
        policy: OriginPolicy,
    },
}

/// Secret values and their kinds, in the order they were read; `Debug` shows neither.
#[derive(Clone, Default)]
pub struct Secrets(Vec<(String, &'static str)>);

impl Secrets {
    fn add(&mut self, value: &str, kind: &'static str) {
        self.0.push((value.to_string(), kind));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &'static str)> {
        self.0.iter().map(|(v, k)| (v.as_str(), *k))
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} redacted)", self.0.len())
    }
}

/// Where a configured value came from, for its error: `target.toml: timeout`.
struct Named<'a>(Option<&'a Path>);

impl Named<'_> {
    fn field(&self, field: &str) -> String {
        match self.0 {
            Some(p) => format!("{}: {field}", p.display()),
            None => field.to_string(),
        }
    }

    fn err(&self, field: &str, e: impl std::fmt::Display) -> anyhow::Error {
        anyhow::anyhow!("{}: {e}", self.field(field))
    }
}

impl RunPlan {
    /// The plan for `args`, with its `--config` file read.
    pub fn new(args: &RunArgs) -> anyhow::Result<RunPlan> {
        let cfg = match &args.config {
            Some(p) => load_config(p)?,
            None => TargetConfig::default(),
        };
        RunPlan::with_config(args, &cfg)
    }

    /// The plan for `args` and an already read configuration (`args.config` names
    /// its file in errors).
    pub fn with_config(args: &RunArgs, cfg: &TargetConfig) -> anyhow::Result<RunPlan> {
        let named = Named(args.config.as_deref());
        let profile = match (args.profile, &cfg.profile) {
            (Some(p), _) => p,
            (None, Some(id)) => parse_profile(id).map_err(|e| named.err("profile", e))?,
            (None, None) => Profile::clr(),
        };
        let roles = if !args.role.is_empty() {
            args.role.clone()
        } else if !cfg.roles.is_empty() {
            cfg.roles
                .iter()
                .map(|r| RoleParser::PROVIDER.parse(r))
                .collect::<Result<_, _>>()
                .map_err(|e| named.err("roles", e))?
        } else {
            vec![Role::Host]
        };
        let duration = |given: Option<Duration>, configured: &Option<String>, field, default| match (
            given, configured,
        ) {
            (Some(d), _) => Ok(d),
            (None, Some(s)) => parse_duration(s).map_err(|e| named.err(field, e)),
            (None, None) => Ok(default),
        };
        let timeout = duration(
            args.timeout,
            &cfg.timeout,
            "timeout",
            Duration::from_secs(30),
        )?;
        let deadline = duration(
            args.deadline,
            &cfg.deadline,
            "deadline",
            Duration::from_secs(600),
        )?;
        let http = HttpConfig {
            trusted_ca: [cfg.trusted_ca.clone(), args.trust_ca.clone()].concat(),
            system_roots: cfg.system_roots.unwrap_or(true),
            insecure: args.insecure,
            timeout,
            deadline,
            ..HttpConfig::default()
        };
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
            // argv's entries are checked alone, so a wrong one is named as --scope-map's
            // and one overriding the file's entry stands in for it.
            let mut given = BTreeMap::new();
            for spec in &args.scope_map {
                let Some((op, uri)) = spec.split_once('=') else {
                    anyhow::bail!("{spec}: --scope-map takes OPERATION=URI");
                };
                given.insert(op.to_string(), uri.to_string());
            }
            crate::oauth::scope::parse_map(&given)
                .map_err(|e| anyhow::anyhow!("--scope-map: {e}"))?;
            let mut m = cfg.scope_map.clone();
            m.extend(given);
            crate::oauth::scope::parse_map(&m).map_err(|e| named.err("scope_map", e))?
        };
        let summary = serde_json::json!({
            "profile": profile.id,
            "roles": roles,
            "builtin": args.builtin,
            "faults": args.fault,
            "insecure": args.insecure,
            "timeout_ms": timeout.as_millis() as u64,
            "login": cfg.login.strategy,
        });
        let mut secrets = Secrets::default();
        let judged = if args.builtin {
            builtin(args)?
        } else {
            remote(args, cfg, &named, &http, &mut secrets)?
        };
        Ok(RunPlan {
            profile,
            roles,
            http,
            judged,
            metadata: cfg.client_metadata.clone().unwrap_or_default(),
            revocation_url: cfg.revocation_url.clone(),
            upsert_credential,
            documents,
            scope_map,
            offline: cfg.login.offline_access,
            certification: args.certification || cfg.certification,
            secrets,
            summary,
            report: args.report.clone(),
        })
    }

    /// The builtin provider's configuration (faults on, short-lived tokens for one client).
    pub fn provider_config(&self) -> Option<crate::provider::ProviderConfig> {
        let Judged::Builtin { faults, .. } = &self.judged else {
            return None;
        };
        let mut pc = crate::provider::ProviderConfig::new(self.profile);
        pc.short_lived_client = Some(SHORT_LIVED_CLIENT.into());
        pc.faults.extend(faults.iter().copied());
        Some(pc)
    }
}

/// `--builtin`: the faults and variants named, and the label the report gives it.
fn builtin(args: &RunArgs) -> anyhow::Result<Judged> {
    let mut faults = Vec::new();
    for name in &args.fault {
        let f =
            crate::provider::fault(name).ok_or_else(|| anyhow::anyhow!("{name}: unknown fault"))?;
        faults.push(*f);
    }
    for name in &args.variant {
        let v = crate::provider::faults::variant(name).ok_or_else(|| {
            anyhow::anyhow!("{name}: unknown variant (serve --list-faults lists them)")
        })?;
        faults.push(*v);
    }
    let mut label = if args.fault.is_empty() {
        "builtin".to_string()
    } else {
        format!("builtin (faults: {})", args.fault.join(", "))
    };
    if !args.variant.is_empty() {
        label.push_str(&format!(" (variants: {})", args.variant.join(", ")));
    }
    Ok(Judged::Builtin {
        faults,
        label,
        allow_http: args.allow_http,
    })
}

impl Judged {
    /// Whether the builtin provider runs with this fault or variant.
    pub fn has(&self, id: FaultId) -> bool {
        matches!(self, Judged::Builtin { faults, .. } if faults.iter().any(|f| f.is(id)))
    }
}

/// `--target` (or `base_url`): https unless `--allow-http`, the origins credentials
/// may go to, the login and a registered client, their secrets read from the environment.
fn remote(
    args: &RunArgs,
    cfg: &TargetConfig,
    named: &Named,
    http: &HttpConfig,
    secrets: &mut Secrets,
) -> anyhow::Result<Judged> {
    let (base, from) = match (&args.target, &cfg.base_url) {
        (Some(t), _) => (t.clone(), None),
        (None, Some(s)) => (
            TargetUrl::parse(s).map_err(|e| named.err("base_url", e))?,
            Some("base_url"),
        ),
        (None, None) => anyhow::bail!(
            "no target: give --target https://host/base, base_url in --config, or --builtin"
        ),
    };
    let refuse = |why: String| match from {
        Some(field) => named.err(field, why),
        None => anyhow::anyhow!("{why}"),
    };
    match base.url().scheme() {
        "https" => {}
        "http" if args.allow_http => {}
        "http" => {
            return Err(refuse(format!(
                "{base}: the target must be an https URL (the spec requires TLS; --allow-http judges a plain-http target, and every transport row then fails)"
            )));
        }
        _ => return Err(refuse(format!("{base}: the target must be an https URL"))),
    }
    let policy = OriginPolicy::new(base.as_str(), &cfg.allowed_origins, args.allow_http)
        .map_err(|e| named.err("allowed_origins", e))?;
    let login = login(&cfg.login, named, secrets, &policy, http)?;
    let client = match &cfg.registered_client {
        Some(r) => {
            let secret = env(&r.client_secret_env, "client secret")?;
            secrets.add(&secret, "client-secret");
            Some(ClientCreds {
                client_id: r.client_id.clone(),
                client_secret: secret,
            })
        }
        None => None,
    };
    Ok(Judged::Remote {
        base,
        login: Box::new(login),
        client,
        policy,
    })
}

fn env(name: &str, what: &str) -> anyhow::Result<String> {
    std::env::var(name)
        .map_err(|_| anyhow::anyhow!("{name}: environment variable for the {what} is not set"))
}

/// The `[login]` table as a `Login`, its secrets read from the environment.
fn login(
    cfg: &LoginConfig,
    named: &Named,
    secrets: &mut Secrets,
    policy: &OriginPolicy,
    http: &HttpConfig,
) -> anyhow::Result<Login> {
    let extra: Vec<(String, String)> = cfg
        .extra_fields
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut from_env =
        |map: &BTreeMap<String, String>, what: &str| -> anyhow::Result<Vec<(String, String)>> {
            map.iter()
                .map(|(name, var)| {
                    let v = env(var, &format!("{what} {name}"))?;
                    secrets.add(&v, "session-cookie");
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
            secrets.add(&p, "password");
            secrets.add(&u, "username");
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
                return Err(named.err(
                    "login.cookies / login.headers",
                    "strategy session needs at least one cookie or header (name = \"ENV_VAR\")",
                ));
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
            let mut found = Vec::new();
            for (i, st) in steps.iter().enumerate() {
                st.validate(i + 1).map_err(|e| match named.0 {
                    Some(p) => anyhow::anyhow!("{}: {e}", p.display()),
                    None => anyhow::anyhow!("{e}"),
                })?;
                if let Some(var) = &st.env {
                    let v = env(var, &format!("login.steps[{}]", i + 1))?;
                    secrets.add(&v, "password");
                    found.push((var.clone(), v));
                }
            }
            let mut b = BrowserLogin::new(steps, found, policy.clone());
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
                b.timeout = parse_duration(t).map_err(|e| named.err("login.browser_timeout", e))?;
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
                    named.err("login.access_token_env", "required for strategy token")
                })?,
                "access token",
            )?;
            secrets.add(&a, "access-token");
            let r = match &cfg.refresh_token_env {
                Some(n) => Some(env(n, "refresh token")?),
                None => None,
            };
            if let Some(r) = &r {
                secrets.add(r, "refresh-token");
            }
            Ok(Login::Token {
                access_token: a,
                refresh_token: r,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::{Cli, Command};
    use clap::Parser;

    fn args(extra: &[&str]) -> Result<RunArgs, clap::Error> {
        let argv = ["clr-conformance", "run", "--quiet"].iter().chain(extra);
        match Cli::try_parse_from(argv)?.command {
            Command::Run(a) => Ok(a),
            _ => unreachable!("the run subcommand"),
        }
    }

    /// A config file with `text`, and the `--config` arguments naming it.
    struct Config(std::path::PathBuf);

    impl Config {
        fn new(name: &str, text: &str) -> Config {
            let p =
                std::env::temp_dir().join(format!("clr-plan-{name}-{}.toml", std::process::id()));
            std::fs::write(&p, text).unwrap();
            Config(p)
        }

        fn arg(&self) -> String {
            self.0.display().to_string()
        }
    }

    impl Drop for Config {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn plan_err(extra: &[&str]) -> String {
        match RunPlan::new(&args(extra).expect("arguments")) {
            Ok(_) => panic!("{extra:?}: a plan"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn defaults_are_clr_host_and_the_usual_times() {
        let p = RunPlan::new(&args(&["--builtin"]).unwrap()).unwrap();
        assert_eq!(p.profile.id, "clr-2.0");
        assert_eq!(p.roles, [Role::Host]);
        assert_eq!(p.http.timeout, Duration::from_secs(30));
        assert_eq!(p.http.deadline, Duration::from_secs(600));
        assert!(p.http.system_roots);
        assert!(matches!(&p.judged, Judged::Builtin { label, .. } if label == "builtin"));
        assert!(p.provider_config().is_some());
    }

    #[test]
    fn bad_values_in_argv_are_refused_by_clap_naming_the_value() {
        let err = |extra: &[&str]| args(extra).unwrap_err().to_string();
        let e = err(&["--builtin", "--profile", "foo"]);
        assert!(e.contains("foo: unknown profile (clr-2.0, ob-3.0)"), "{e}");
        let e = err(&["--builtin", "--role", "issuer"]);
        assert!(
            e.contains(
                "issuer: not a provider role (service-provider-read, service-provider-write, host)"
            ),
            "{e}"
        );
        let e = err(&["--builtin", "--timeout", "5 parsecs"]);
        assert!(e.contains("5 parsecs: unknown unit"), "{e}");
        let e = err(&["--target", "clr.example.edu"]);
        assert!(e.contains("clr.example.edu: not a URL"), "{e}");
    }

    #[test]
    fn bad_values_in_the_config_name_the_file_and_the_field() {
        for (name, text, field, value) in [
            (
                "profile",
                "profile = \"foo\"",
                "profile",
                "foo: unknown profile",
            ),
            (
                "roles",
                "roles = [\"issuer\"]",
                "roles",
                "issuer: not a provider role",
            ),
            (
                "timeout",
                "timeout = \"5 parsecs\"",
                "timeout",
                "5 parsecs: unknown unit",
            ),
            (
                "deadline",
                "deadline = \"0s\"",
                "deadline",
                "0s: must be more than zero",
            ),
            (
                "scope",
                "[scope_map]\nnope = \"urn:x\"",
                "scope_map",
                "nope: not an operation",
            ),
        ] {
            let cfg = Config::new(name, text);
            let e = plan_err(&["--builtin", "--config", &cfg.arg()]);
            let want = format!("{}: {field}: {value}", cfg.arg());
            assert!(e.starts_with(&want), "{name}: {e}");
        }
        let e = plan_err(&["--builtin", "--scope-map", "nope=urn:x"]);
        assert!(e.starts_with("--scope-map: nope: not an operation"), "{e}");
        let cfg = Config::new("scope2", "[scope_map]\n\"credential.readonly\" = \" \"");
        let p = RunPlan::new(
            &args(&[
                "--builtin",
                "--config",
                &cfg.arg(),
                "--scope-map",
                "credential.readonly=urn:x:read",
            ])
            .unwrap(),
        )
        .expect("argv's entry stands in for the file's");
        assert_eq!(p.scope_map[0].1, "urn:x:read");
        let cfg = Config::new("base", "base_url = \"clr.example.edu\"");
        let e = plan_err(&["--config", &cfg.arg()]);
        assert!(
            e.starts_with(&format!(
                "{}: base_url: clr.example.edu: not a URL",
                cfg.arg()
            )),
            "{e}"
        );
        let cfg = Config::new("http", "base_url = \"http://clr.example.edu\"");
        let e = plan_err(&["--config", &cfg.arg()]);
        assert!(
            e.starts_with(&format!(
                "{}: base_url: http://clr.example.edu: the target must be an https URL",
                cfg.arg()
            )),
            "{e}"
        );
        let cfg = Config::new(
            "browser",
            "base_url = \"https://clr.example.edu\"\n[login]\nstrategy = \"browser\"\nbrowser_timeout = \"soon\"\n[[login.steps]]\ngoto = \"authorize\"",
        );
        let e = plan_err(&["--config", &cfg.arg()]);
        assert!(
            e.starts_with(&format!("{}: login.browser_timeout: soon", cfg.arg())),
            "{e}"
        );
        let cfg = Config::new(
            "token",
            "base_url = \"https://clr.example.edu\"\n[login]\nstrategy = \"token\"",
        );
        let e = plan_err(&["--config", &cfg.arg()]);
        assert_eq!(
            e,
            format!(
                "{}: login.access_token_env: required for strategy token",
                cfg.arg()
            )
        );
    }

    #[test]
    fn argv_overrides_the_config() {
        let cfg = Config::new(
            "override",
            "profile = \"clr-2.0\"\nroles = [\"service-provider-read\"]\ntimeout = \"5s\"\ndeadline = \"1m\"\nbase_url = \"https://config.example.edu\"\n[login]\nstrategy = \"manual\"",
        );
        let from_file = RunPlan::new(&args(&["--config", &cfg.arg()]).unwrap()).unwrap();
        assert_eq!(from_file.profile.id, "clr-2.0");
        assert_eq!(from_file.roles, [Role::ServiceProviderRead]);
        assert_eq!(from_file.http.timeout, Duration::from_secs(5));
        assert_eq!(from_file.http.deadline, Duration::from_secs(60));
        assert!(
            matches!(&from_file.judged, Judged::Remote { base, .. } if base.as_str() == "https://config.example.edu")
        );
        let given = RunPlan::new(
            &args(&[
                "--config",
                &cfg.arg(),
                "--profile",
                "ob-3.0",
                "--role",
                "service-provider-write",
                "--timeout",
                "7s",
                "--deadline",
                "2m",
                "--target",
                "https://argv.example.edu/tenant",
            ])
            .unwrap(),
        )
        .unwrap();
        assert_eq!(given.profile.id, "ob-3.0");
        assert_eq!(given.roles, [Role::ServiceProviderWrite]);
        assert_eq!(given.http.timeout, Duration::from_secs(7));
        assert_eq!(given.http.deadline, Duration::from_secs(120));
        assert!(
            matches!(&given.judged, Judged::Remote { base, login, .. } if matches!(**login, Login::Manual(_)) && base.as_str() == "https://argv.example.edu/tenant")
        );
        assert_eq!(given.summary["profile"], "ob-3.0");
        assert_eq!(given.summary["timeout_ms"], 7000);
    }

    #[test]
    fn plain_http_targets_need_the_flag() {
        let e = plan_err(&["--target", "http://127.0.0.1:9/base"]);
        assert!(
            e.starts_with("http://127.0.0.1:9/base: the target must be an https URL (the spec requires TLS; --allow-http"),
            "{e}"
        );
        let e = plan_err(&["--target", "ftp://127.0.0.1/base"]);
        assert_eq!(e, "ftp://127.0.0.1/base: the target must be an https URL");
        let e = plan_err(&[]);
        assert!(e.starts_with("no target: "), "{e}");
    }

    #[test]
    fn faults_and_variants_are_looked_up_and_named() {
        let e = plan_err(&["--builtin", "--fault", "no-such-fault"]);
        assert_eq!(e, "no-such-fault: unknown fault");
        let e = plan_err(&["--builtin", "--variant", "no-such-variant"]);
        assert!(e.starts_with("no-such-variant: unknown variant"), "{e}");
        let p = RunPlan::new(
            &args(&[
                "--builtin",
                "--fault",
                "omit-x-total-count",
                "--variant",
                "passwordless",
            ])
            .unwrap(),
        )
        .unwrap();
        assert!(p.judged.has(FaultId::Passwordless));
        assert!(
            matches!(&p.judged, Judged::Builtin { label, faults, .. } if label == "builtin (faults: omit-x-total-count) (variants: passwordless)" && faults.len() == 2)
        );
        assert_eq!(
            p.summary["faults"],
            serde_json::json!(["omit-x-total-count"])
        );
    }

    #[test]
    fn secrets_come_from_the_environment_at_plan_time_and_are_not_shown() {
        let mut s = Secrets::default();
        s.add("hunter2", "password");
        assert_eq!(format!("{s:?}"), "Secrets(1 redacted)");
        assert_eq!(s.iter().collect::<Vec<_>>(), [("hunter2", "password")]);
        let cfg = Config::new(
            "secrets",
            "base_url = \"https://clr.example.edu\"\n[login]\nstrategy = \"token\"\naccess_token_env = \"CLR_PLAN_TEST_TOKEN\"",
        );
        let missing = plan_err(&["--config", &cfg.arg()]);
        assert_eq!(
            missing,
            "CLR_PLAN_TEST_TOKEN: environment variable for the access token is not set"
        );
    }
}
