//! Judging a CLR service provider over HTTP, in the order a real client
//! meets it: discovery, registration, authorization, token, then the API
//! (read: getCredentials, paging, getProfile; write: upsertCredential,
//! putProfile), scope enforcement, error bodies, refresh and revocation.
//!
//! Each file is one area and lists its checks in a `CHECKS` table (name and
//! requirement ids). `Ctx` carries what earlier steps obtained (the SDD, the
//! registered client, tokens); a check whose prerequisite is missing records
//! a skip naming it, and a transport failure records an error.
//!
//! Root cause first: a step later checks depend on (discovery, registration,
//! the first login, the code exchange, the first upsert) that fails records
//! its cause once (`Ctx::fail_step`, the row that failed and the server's
//! words); every dependent check is then skipped "blocked by" that row
//! (`Ctx::blocked`, `Check::blocked_by`), and the report groups them under
//! it. After the suites, any declared row still without a finding is
//! skipped with the reason, so no row ends `not-run` unexplained.

pub mod authorize;
pub mod discovery;
pub mod errors;
pub mod get_credentials;
pub mod paging;
pub mod profile;
pub mod refresh;
pub mod registration;
pub mod revoke;
pub mod scopes;
pub mod tls_legacy;
pub mod token;
pub mod transport;
pub mod upsert;

use crate::catalog::{Profile, Role};
use crate::evidence::{Cause, Check, Recorder, Verdict};
use crate::http::{Client, Exchange, FailKind, Failure, Req};
use crate::oauth::authorize::{AuthRequest, AuthResult, FormLogin, Manual, Walk};
use crate::oauth::browser::BrowserLogin;
use crate::oauth::discovery::Sdd;
use crate::oauth::origin::OriginPolicy;
use crate::oauth::register::ClientMetadata;
use crate::oauth::scope::{self, Offline};
use crate::oauth::token::{CodeExchange, Tokens};
use crate::oauth::{ClientCreds, pkce};
use crate::registry::CheckSpec;
use crate::registry::{self, Unit};
use std::collections::BTreeSet;

/// Requirement id prefixes these suites can evidence (the report's scope).
pub const SCOPE: &[&str] = &["api", "discovery", "oauth", "transport"];

/// What an area needs an earlier area to have obtained. The planner runs the area
/// that gives it; when a hard need (`Area::needs`) is still missing the runner
/// skips the area's checks "blocked by" the step that failed (or errs them when the
/// target is unreachable); a soft one (`Area::uses`) the area judges itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The service description document (discovery).
    Sdd,
    /// A registered client (registration).
    Client,
    /// The first login's tokens (authorization and its code exchange).
    Login,
    /// A create that succeeded in this run: the positive control of refusal probes.
    Created,
    /// A refresh that succeeded in this run: the control of the revoked-refresh row.
    Refreshed,
    /// Whether putProfile is implemented: the condition of the rows about it.
    ProfilePut,
}

/// Every area applies; read areas under a read role, write areas under a write role.
fn reads(t: &Target) -> bool {
    t.reads()
}

fn writes(t: &Target) -> bool {
    t.writes()
}

type Run = registry::Async<Ctx>;

/// An area's `run` as a plain function pointer.
macro_rules! run {
    ($f:path) => {{
        fn run(
            ctx: &mut Ctx,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
            Box::pin($f(ctx))
        }
        run as Run
    }};
}

/// One area of the suites, a registered unit: its checks, what it needs from
/// earlier areas (`needs`: without it the runner closes the area's checks
/// "blocked by" the cause; `uses`: run first, the area judges its absence), what
/// it gives later ones, the roles it runs under, and the function that judges it.
pub type Area = Unit<Ctx, Run>;

/// The registry: every area, in the order a real client meets them.
pub const AREAS: &[Area] = &[
    Area {
        name: "discovery",
        checks: discovery::CHECKS,
        also: &[],
        needs: &[],
        uses: &[],
        gives: &[Need::Sdd],
        applies: registry::always,
        run: run!(discover),
    },
    Area {
        name: "registration",
        checks: registration::CHECKS,
        also: &[],
        needs: &[],
        uses: &[Need::Sdd],
        gives: &[Need::Client],
        applies: registry::always,
        run: run!(registration::run),
    },
    Area {
        name: "authorization",
        checks: authorize::CHECKS,
        also: &[],
        needs: &[],
        uses: &[Need::Sdd, Need::Client],
        gives: &[Need::Login],
        applies: registry::always,
        run: run!(authorize::run),
    },
    Area {
        name: "token",
        checks: token::CHECKS,
        also: &[],
        needs: &[],
        uses: &[Need::Sdd, Need::Client, Need::Login],
        gives: &[],
        applies: registry::always,
        run: run!(token::run),
    },
    Area {
        name: "getCredentials",
        checks: get_credentials::CHECKS,
        also: &[],
        needs: &[Need::Login],
        uses: &[],
        gives: &[],
        applies: reads,
        run: run!(get_credentials::run),
    },
    Area {
        name: "paging",
        checks: paging::CHECKS,
        also: &[],
        needs: &[Need::Login],
        uses: &[],
        gives: &[],
        applies: reads,
        run: run!(paging::run),
    },
    Area {
        name: "getProfile",
        checks: profile::GET_CHECKS,
        also: &[],
        needs: &[Need::Login],
        uses: &[],
        gives: &[],
        applies: reads,
        run: run!(profile::run_get),
    },
    Area {
        name: "upsertCredential",
        checks: upsert::CHECKS,
        also: &[],
        needs: &[Need::Login],
        uses: &[],
        gives: &[Need::Created],
        applies: writes,
        run: run!(upsert::run),
    },
    Area {
        name: "putProfile",
        checks: profile::PUT_CHECKS,
        also: &[],
        needs: &[Need::Login],
        uses: &[],
        gives: &[Need::ProfilePut],
        applies: writes,
        run: run!(profile::run_put),
    },
    Area {
        name: "scopes",
        checks: scopes::CHECKS,
        also: &[],
        needs: &[],
        uses: &[Need::Sdd, Need::Client, Need::ProfilePut],
        gives: &[],
        applies: registry::always,
        run: run!(scopes::run),
    },
    Area {
        name: "errors",
        checks: errors::CHECKS,
        also: &[],
        needs: &[],
        uses: &[Need::Login, Need::Created],
        gives: &[],
        applies: registry::always,
        run: run!(errors::run),
    },
    Area {
        name: "refresh",
        checks: refresh::CHECKS,
        also: &[get_credentials::STATUS, profile::GET],
        needs: &[],
        uses: &[Need::Sdd, Need::Client, Need::Login],
        gives: &[Need::Refreshed],
        applies: registry::always,
        run: run!(refresh::run),
    },
    Area {
        name: "transport",
        checks: transport::CHECKS,
        also: &[],
        needs: &[],
        uses: &[Need::Sdd],
        gives: &[],
        applies: registry::always,
        run: run!(transport::run),
    },
    Area {
        name: "revocation",
        checks: revoke::CHECKS,
        also: &[],
        needs: &[],
        uses: &[Need::Sdd, Need::Client, Need::Login, Need::Refreshed],
        gives: &[],
        applies: registry::always,
        run: run!(revoke::run),
    },
];

/// Every provider check, for the report and the catalog test.
pub fn all_checks() -> Vec<CheckSpec> {
    AREAS
        .iter()
        .flat_map(|a| a.checks.iter().copied())
        .collect()
}

/// The areas a run executes, in registry order: those owning a selected row, and
/// the earlier areas that give what they need (`None`: every area). An area whose
/// roles are not under test is left out.
pub fn plan(target: &Target, selected: Option<&BTreeSet<String>>) -> Vec<&'static Area> {
    registry::plan(AREAS, target, selected)
}

impl registry::Env for Ctx {
    type Need = Need;
    type Scope = Target;

    fn scope(&self) -> &Target {
        &self.target
    }

    fn missing(&self, need: Need) -> Option<String> {
        match need {
            Need::Login => self.token().err(),
            Need::Sdd => self
                .sdd
                .is_none()
                .then(|| self.why_not("no usable SDD (see the discovery checks)")),
            Need::Client => self
                .client
                .is_none()
                .then(|| self.why_not("no registered client (see the registration checks)")),
            Need::Created => self
                .cause(Step::Upsert)
                .map(|c| format!("the create this needs failed ({}): {}", c.row, c.message)),
            Need::Refreshed => self
                .refresh_worked
                .is_none()
                .then(|| self.why_not("no refresh succeeded in this run")),
            Need::ProfilePut => self
                .put_profile
                .is_none()
                .then(|| "putProfile was not shown implemented in this run".to_string()),
        }
    }

    fn blocked(&mut self, _: Option<&mut Recorder>, checks: &[CheckSpec], why: &str) {
        for spec in checks {
            self.blocked(spec.start(), why);
        }
    }
}

/// How the harness obtains tokens.
#[derive(Debug, Clone)]
pub enum Login {
    /// Fill the authorization server's HTML login form.
    Form(FormLogin),
    /// Carry an existing session's cookies and headers; submit consent forms.
    Session(FormLogin),
    /// Headless Chromium runs the configured steps.
    Browser(BrowserLogin),
    /// A person logs in in a browser and pastes the redirected URL, once per login.
    Manual(Manual),
    /// Pre-issued tokens; registration and authorization are not exercised.
    Token {
        access_token: String,
        refresh_token: Option<String>,
    },
}

/// What is judged and how to get in.
#[derive(Debug, Clone)]
pub struct Target {
    /// Everything before the profile's base path, e.g. `https://host/tenant`.
    pub base_url: String,
    pub profile: &'static Profile,
    pub roles: Vec<Role>,
    pub login: Login,
    pub metadata: ClientMetadata,
    /// A client registered beforehand (skips nothing: registration is still judged).
    pub client: Option<ClientCreds>,
    /// The revocation endpoint, when the provider shares one out of band.
    pub revocation_url: Option<String>,
    /// A credential to upsert that the target has not seen (else one is derived).
    pub upsert_credential: Option<serde_json::Value>,
    /// Fetch the documents returned credentials refer to (status lists, key
    /// documents) before verifying them; off for the builtin provider, whose
    /// seed credentials name example.edu.
    pub fetch_documents: bool,
    /// Documents known beforehand (`--document`; for the builtin provider the
    /// seeds' TEST ONLY key documents): used instead of fetching them.
    pub documents: crate::credential::verify::Documents,
    /// When to ask for offline_access (`login.offline_access`).
    pub offline: Offline,
    /// Where credentials may be sent (the target's origin, `allowed_origins`).
    pub policy: OriginPolicy,
    /// A certification run: rows conditioned "only in a certification run" apply.
    pub certification: bool,
    /// Scope URIs given per operation (`--scope-map`, `[scope_map]`).
    pub scope_map: Vec<(scope::Operation, String)>,
    /// The `client_name` under which the target issues short-lived access
    /// tokens (known for the builtin provider): the expiry check registers a
    /// client by that name so `oauth.token.expired-refused` can be judged.
    pub short_lived_client: Option<String>,
}

impl Target {
    /// A target at `base_url` with the default login policy pieces: offline
    /// access when advertised, credentials only to `base_url`'s origin.
    pub fn policy_for(base_url: &str) -> OriginPolicy {
        OriginPolicy::new(base_url, &[], false).unwrap_or_default()
    }
}

/// The state a run accumulates.
pub struct Ctx {
    pub http: Client,
    pub rec: Recorder,
    pub target: Target,
    pub sdd: Option<Sdd>,
    pub client: Option<ClientCreds>,
    /// A token with every scope of the API (plus offline_access).
    pub tokens: Option<Tokens>,
    /// Set when the target cannot be reached: later checks record errors, not failures.
    pub unreachable: Option<String>,
    /// The first login's details, judged again by the token checks.
    pub first: Option<FirstLogin>,
    /// Tokens with one scope each (scope, tokens), from `scopes.rs`.
    pub narrow: Vec<(String, Tokens)>,
    /// Steps that failed, each with its root cause (first failure per step).
    pub causes: Vec<(Step, Cause)>,
    /// Set when the token endpoint refused Basic alone but accepted the same
    /// request with `client_id` also in the form (the refusal, in its words):
    /// later exchanges repeat `client_id` so one finding does not hide the rest.
    pub client_id_in_form: Option<String>,
    /// The transcript of a refresh that succeeded in this run (the control
    /// of the revoked-refresh-token check).
    pub refresh_worked: Option<String>,
    /// How putProfile was shown implemented in this run (its rows' condition).
    pub put_profile: Option<String>,
    /// The server refused offline_access with invalid_scope once: not asked again.
    pub offline_refused: bool,
    /// The scope URIs this run uses: the profile's until discovery resolves
    /// them against the SDD and the scope map (`oauth/scope.rs`).
    pub scopes: crate::catalog::profile::Scopes,
    /// Where each operation's URI came from (set with `scopes`).
    pub scope_origins: Vec<(scope::Operation, scope::Origin)>,
}

/// A step later checks depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Discovery,
    Registration,
    Authorization,
    TokenExchange,
    Upsert,
}

/// `400 application/json error=invalid_request: Missing required parameters`:
/// an OAuth refusal in the server's own words (`error`, `error_description`).
pub fn oauth_error(ex: &Exchange) -> String {
    let v = ex.json();
    let get = |k: &str| {
        v.as_ref()
            .and_then(|v| v.get(k))
            .and_then(serde_json::Value::as_str)
            .map(|s| s.chars().take(200).collect::<String>())
    };
    match (get("error"), get("error_description")) {
        (Some(e), Some(d)) => format!("{} error={e}: {d:?}", ex.brief()),
        (Some(e), None) => format!("{} error={e}", ex.brief()),
        _ => format!("{} (no OAuth error member)", ex.brief()),
    }
}

/// A step `id` needs to have succeeded (200) before it can be judged (the
/// "before" half of a before/after row), cited either way: false when it did
/// not, with `id` skipped as inconclusive (`refused` says why) or, on a
/// transport failure, an error.
pub fn step_ok(
    c: &mut Check,
    id: &str,
    got: Result<Exchange, Failure>,
    refused: impl FnOnce(&Exchange) -> String,
) -> bool {
    match got {
        Ok(ex) => {
            c.cite(&ex.tx);
            if ex.status != 200 {
                c.skip(id, format!("inconclusive: {}", refused(&ex)));
            }
            ex.status == 200
        }
        Err(f) => {
            c.cite(&f.tx);
            c.error(id, f.message);
            false
        }
    }
}

/// The `error` member of a JSON error body, if any.
pub fn error_of(ex: &Exchange) -> Option<String> {
    ex.json().and_then(|v| {
        v.get("error")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    })
}

/// The first (full-scope) login: its code, verifier and token exchange.
#[derive(Debug, Clone)]
pub struct FirstLogin {
    pub code: String,
    pub verifier: String,
    pub redirect_uri: String,
    pub scope: String,
    pub exchange: Exchange,
}

impl Ctx {
    pub fn new(http: Client, target: Target) -> Ctx {
        Ctx {
            http,
            rec: Recorder::enforcing_conditions(),
            sdd: None,
            client: None,
            tokens: None,
            unreachable: None,
            first: None,
            narrow: Vec::new(),
            causes: Vec::new(),
            client_id_in_form: None,
            refresh_worked: None,
            put_profile: None,
            offline_refused: false,
            scopes: scope::resolve(
                &target.profile.scopes,
                &Default::default(),
                &target.scope_map,
            )
            .0,
            scope_origins: Vec::new(),
            target,
        }
    }

    /// Exchange a code at `url` with HTTP Basic `auth`, also repeating
    /// `client_id` in the form once the target was seen to need it.
    pub async fn exchange(
        &mut self,
        url: &str,
        auth: Option<&ClientCreds>,
        p: &CodeExchange<'_>,
        label: &str,
        client_id_in_form: bool,
    ) -> Result<Exchange, Failure> {
        let (Some(a), true) = (auth, client_id_in_form || self.client_id_in_form.is_some()) else {
            return crate::oauth::token::exchange_code(
                &self.http,
                &mut self.rec,
                url,
                auth,
                p,
                label,
            )
            .await;
        };
        crate::http::client::secret(self.http.redactor(), p.code, "authorization-code");
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", p.code),
            ("redirect_uri", p.redirect_uri),
            ("scope", p.scope),
            ("client_id", a.client_id.as_str()),
        ];
        if let Some(v) = p.verifier {
            crate::http::client::secret(self.http.redactor(), v, "code-verifier");
            form.push(("code_verifier", v));
        }
        let req = Req::post(url, label)
            .header("Accept", "application/json")
            .basic(&a.client_id, &a.client_secret)
            .form(&form);
        self.http.send(&mut self.rec, req).await
    }

    /// Record that `step` failed because of `cause` (the first cause wins).
    pub fn fail_step(&mut self, step: Step, cause: Cause) {
        if !self.causes.iter().any(|(s, _)| *s == step) {
            self.causes.push((step, cause));
        }
    }

    /// Record `step` as failed from the first failure or error in `c` (if any).
    pub fn fail_step_from(&mut self, step: Step, c: &Check) {
        let hit = c
            .findings()
            .find(|(_, f)| matches!(f.verdict, Verdict::Fail | Verdict::Error));
        if let Some((id, f)) = hit {
            let cause = Cause::new(id, f.message.clone());
            self.fail_step(step, cause);
        }
    }

    /// Why `step` failed, if it did.
    pub fn cause(&self, step: Step) -> Option<Cause> {
        self.causes
            .iter()
            .find(|(s, _)| *s == step)
            .map(|(_, c)| c.clone())
    }

    /// The first step failure of the run.
    pub fn root_cause(&self) -> Option<Cause> {
        self.causes.first().map(|(_, c)| c.clone())
    }

    pub fn reads(&self) -> bool {
        self.target.reads()
    }

    pub fn writes(&self) -> bool {
        self.target.writes()
    }

    /// `{base}{base_path}{path}`.
    pub fn api_url(&self, path: &str) -> String {
        format!(
            "{}{}{}",
            self.target.base_url.trim_end_matches('/'),
            self.target.profile.base_path,
            path
        )
    }

    /// The scope of the full login (`oauth/scope.rs`): the SDD's advertised
    /// scopes for the roles under test, offline_access only when configured
    /// or advertised (and not refused), space-separated.
    pub fn full_scope(&self) -> String {
        let empty = Default::default();
        let advertised = self.sdd.as_ref().map(|s| &s.scopes).unwrap_or(&empty);
        scope::requested(
            &self.scopes,
            self.reads(),
            self.writes(),
            advertised,
            self.target.offline,
            self.offline_refused,
        )
    }

    /// `scope` as it is actually asked for: without offline_access once the
    /// server refused it.
    pub fn effective_scope(&self, s: &str) -> String {
        if self.offline_refused {
            scope::without_offline(&self.scopes, s).unwrap_or_else(|| s.to_string())
        } else {
            s.to_string()
        }
    }

    pub async fn send(&mut self, req: Req) -> Result<Exchange, Failure> {
        let r = self.http.send(&mut self.rec, req).await;
        if let Err(f) = &r
            && matches!(
                f.kind,
                FailKind::Connect | FailKind::Tls | FailKind::Deadline | FailKind::InvalidUrl
            )
            && self.unreachable.is_none()
        {
            self.unreachable = Some(f.message.clone());
        }
        r
    }

    pub fn finish(&mut self, c: Check) {
        self.rec.finish(c);
    }

    /// The access token, or why there is none.
    pub fn token(&self) -> Result<String, String> {
        match &self.tokens {
            Some(t) => Ok(t.access_token.clone()),
            None => Err(self.why_not("no access token was obtained (see the oauth checks)")),
        }
    }

    fn why_not(&self, default: &str) -> String {
        match &self.unreachable {
            Some(u) => format!("target unreachable: {u}"),
            None => default.to_string(),
        }
    }

    /// Close `c`, whose prerequisite is missing: error for every id when the
    /// target is unreachable; else every id not yet judged is skipped
    /// "blocked by" the run's root cause, or with `reason` when no step failed.
    pub fn blocked(&mut self, mut c: Check, reason: &str) {
        if let Some(u) = &self.unreachable {
            c.all(Verdict::Error, &format!("target unreachable: {u}"));
        } else if let Some(cause) = self.root_cause() {
            c.rest_blocked_by(&cause);
        } else {
            for id in c.unjudged() {
                c.skip(&id, reason);
            }
        }
        self.rec.finish(c);
    }

    /// As [`Ctx::blocked`], naming the cause of `step` when that step failed.
    pub fn blocked_on(&mut self, mut c: Check, step: Step, reason: &str) {
        match (&self.unreachable, self.cause(step)) {
            (None, Some(cause)) => {
                c.rest_blocked_by(&cause);
                self.rec.finish(c);
            }
            _ => self.blocked(c, reason),
        }
    }

    /// Close `c` skipped for a limit of the configuration (e.g. the login
    /// strategy), not for a failure of the target.
    pub fn limited(&mut self, mut c: Check, reason: &str) {
        for id in c.unjudged() {
            c.skip(&id, reason);
        }
        self.rec.finish(c);
    }

    /// Record a transport failure against every id of `c` and close it.
    pub fn transport_error(&mut self, mut c: Check, f: &Failure) {
        c.cite(&f.tx);
        c.all(Verdict::Error, &f.message);
        self.rec.finish(c);
    }

    /// True when logins beyond the first can run (every strategy but `token`;
    /// `manual` asks its person once per login).
    pub fn can_login(&self) -> bool {
        !matches!(self.target.login, Login::Token { .. })
            && self.sdd.is_some()
            && self.client.is_some()
    }

    /// An authorization request for `scope` with fresh state and an S256 challenge.
    pub fn auth_request(&self, scope: &str, verifier: &str) -> Option<AuthRequest> {
        let sdd = self.sdd.as_ref()?;
        let client = self.client.as_ref()?;
        Some(AuthRequest {
            authorization_url: sdd.authorization_url.clone(),
            response_type: "code".into(),
            client_id: client.client_id.clone(),
            redirect_uri: self.target.metadata.redirect_uri().to_string(),
            scope: self.effective_scope(scope),
            state: Some(pkce::state()),
            code_challenge: Some(pkce::challenge_s256(verifier)),
            code_challenge_method: Some("S256".into()),
        })
    }

    /// Walk an authorization request with the configured strategy.
    pub async fn walk(&mut self, req: &AuthRequest) -> Result<Walk, String> {
        self.walk_as(req, false).await
    }

    /// Walk an authorization request; `deny` presses the form's refusing
    /// button. When the server refuses offline_access with invalid_scope, the
    /// walk is retried once without it (noted in the report) and later
    /// requests leave it out.
    pub async fn walk_as(&mut self, req: &AuthRequest, deny: bool) -> Result<Walk, String> {
        let w = self.walk_once(req, deny).await?;
        let refused =
            matches!(&w.result, AuthResult::Error { error, .. } if error == "invalid_scope");
        // Only the harness's own scopes: a probe that sends an unknown scope on purpose is not retried.
        let stripped = scope::without_offline(&self.scopes, &req.scope)
            .filter(|s| scope::only_api_scopes(&self.scopes, s));
        match stripped {
            Some(s) if refused && !self.offline_refused => {
                self.offline_refused = true;
                self.rec.note(format!(
                    "the authorization server refused offline_access with invalid_scope ({}); retried once without it, and no later request asks for it",
                    w.result
                ));
                let mut again = req.clone();
                again.scope = s;
                let mut w2 = self.walk_once(&again, deny).await?;
                let mut txs = w.txs;
                txs.append(&mut w2.txs);
                w2.txs = txs;
                Ok(w2)
            }
            _ => Ok(w),
        }
    }

    async fn walk_once(&mut self, req: &AuthRequest, deny: bool) -> Result<Walk, String> {
        let client_name = self.target.metadata.client_name.clone();
        match self.target.login.clone() {
            Login::Form(mut f) | Login::Session(mut f) => {
                f.deny = deny;
                Box::pin(crate::oauth::authorize::form(
                    &self.http,
                    &mut self.rec,
                    req,
                    &f,
                ))
                .await
                .map_err(|e| e.to_string())
            }
            Login::Browser(b) => {
                let red = self.http.redactor().clone();
                b.login(req, deny, &client_name, &red).await
            }
            Login::Manual(m) => {
                let req = req.clone();
                let red = self.http.redactor().clone();
                let purpose = if deny {
                    format!("press Deny / Cancel this time; scope {}", req.scope)
                } else {
                    format!("scope {}", req.scope)
                };
                tokio::task::spawn_blocking(move || m.walk(&req, &red, &purpose, &client_name))
                    .await
                    .map_err(|e| format!("manual login: {e}"))?
            }
            Login::Token { .. } => {
                Err("login strategy token: no authorization request is made".into())
            }
        }
    }

    /// A full login for `scope`: authorize with PKCE, then exchange the code.
    /// Returns the tokens, the token exchange's transcript id and the scope
    /// the authorization redirect reported.
    pub async fn login(&mut self, scope: &str) -> Result<(Tokens, String, Option<String>), String> {
        let verifier = pkce::verifier();
        let req = self
            .auth_request(scope, &verifier)
            .ok_or("no SDD or no registered client")?;
        let walk = self.walk(&req).await?;
        let AuthResult::Code {
            code,
            scope: granted,
            ..
        } = walk.result
        else {
            return Err(format!(
                "authorization did not return a code: {}{}",
                outcome(&walk.result),
                walk.result
                    .hint(&req.scope)
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default()
            ));
        };
        let scope = &self.effective_scope(scope);
        let (sdd, client) = (
            self.sdd.clone().ok_or("no SDD")?,
            self.client.clone().ok_or("no client")?,
        );
        let p = CodeExchange {
            code: &code,
            redirect_uri: &req.redirect_uri,
            scope,
            verifier: Some(&verifier),
        };
        let ex = self
            .exchange(
                &sdd.token_url,
                Some(&client),
                &p,
                "token: exchange code",
                false,
            )
            .await
            .map_err(|e| e.to_string())?;
        let t = crate::oauth::token::parse(&ex, self.http.redactor())?;
        Ok((t, ex.tx, granted))
    }
}

/// Discovery, then the origin rule on the endpoints it found.
async fn discover(ctx: &mut Ctx) {
    Box::pin(discovery::run(ctx)).await;
    sdd_origins(ctx);
}

/// The SDD's OAuth endpoints receive passwords, codes and the client secret:
/// one on an origin that is neither the target's nor in `allowed_origins`
/// (or not https) is reported, and the OAuth steps are not taken [issue 15].
fn sdd_origins(ctx: &mut Ctx) {
    let Some(sdd) = &ctx.sdd else { return };
    let urls = [
        ("x-imssf-registrationUrl", Some(&sdd.registration_url)),
        ("authorizationUrl", Some(&sdd.authorization_url)),
        ("tokenUrl", Some(&sdd.token_url)),
        ("refreshUrl", sdd.refresh_url.as_ref()),
        ("revocationUrl", sdd.revocation_url.as_ref()),
    ];
    let mut refused = Vec::new();
    for (name, url) in urls {
        let Some(url) = url else { continue };
        match ctx.target.policy.check(url) {
            Ok(()) => {
                if !crate::http::client::same_origin(url, &ctx.target.base_url) {
                    ctx.rec.note(format!(
                        "{url}: the SDD's {name} is on another origin than the target; followed because allowed_origins lists it"
                    ));
                }
            }
            Err(why) => refused.push(format!("{name} {why}")),
        }
    }
    if !refused.is_empty() {
        ctx.rec.note(format!(
            "the SDD's OAuth endpoints were not used (no password, code or client secret sent): {}; list the origin in allowed_origins if it is the target's own authorization server",
            refused.join("; ")
        ));
        ctx.sdd = None;
    }
}

/// Run every area against the target; returns the recorder and, when the target
/// could not be reached, why.
pub async fn run(ctx: Ctx) -> (Recorder, Option<String>) {
    run_selected(ctx, None).await
}

/// [`run`] for the planned areas only: those owning a row of `selected` and the
/// earlier areas that give what they need (all of them when `selected` is `None`).
pub async fn run_selected(
    mut ctx: Ctx,
    selected: Option<&BTreeSet<String>>,
) -> (Recorder, Option<String>) {
    if ctx.http.insecure() {
        ctx.rec
            .note("--insecure: the server's TLS certificate was NOT verified");
    }
    if let Login::Token {
        access_token,
        refresh_token,
    } = &ctx.target.login
    {
        crate::http::client::secret(ctx.http.redactor(), access_token, "access-token");
        if let Some(r) = refresh_token {
            crate::http::client::secret(ctx.http.redactor(), r, "refresh-token");
        }
    }
    let areas = registry::run_async(AREAS, &mut ctx, |c| &mut c.rec, selected).await;
    explain_unjudged(&mut ctx, &areas);
    (ctx.rec, ctx.unreachable)
}

/// Every declared row still without a finding is skipped with a reason: blocked by
/// the run's root cause when a step failed, else "its check ended before judging it".
fn explain_unjudged(ctx: &mut Ctx, areas: &[&Area]) {
    for spec in areas.iter().flat_map(|a| a.checks.iter()) {
        let ids: Vec<&str> = spec
            .ids
            .iter()
            .copied()
            .filter(|id| ctx.rec.findings_for(id).is_empty())
            .filter(|id| ctx.target.roles_cover(id))
            .collect();
        if ids.is_empty() {
            continue;
        }
        let mut c = Check::new(spec.name, &ids);
        match (&ctx.unreachable, ctx.root_cause()) {
            (Some(u), _) => c.all(Verdict::Error, &format!("target unreachable: {u}")),
            (None, Some(cause)) => c.rest_blocked_by(&cause),
            (None, None) => c.all(
                Verdict::Skip,
                &format!(
                    "check {:?} ended before judging it (a step it needs gave nothing to judge)",
                    spec.name
                ),
            ),
        }
        ctx.rec.finish(c);
    }
}

impl Target {
    /// Whether a read role is under test (service-provider-read, host).
    pub fn reads(&self) -> bool {
        self.roles
            .iter()
            .any(|r| matches!(r, Role::ServiceProviderRead | Role::Host))
    }

    /// Whether a write role is under test (service-provider-write, host).
    pub fn writes(&self) -> bool {
        self.roles
            .iter()
            .any(|r| matches!(r, Role::ServiceProviderWrite | Role::Host))
    }

    /// False for rows of suites the selected roles do not run (reads or writes).
    fn roles_cover(&self, id: &str) -> bool {
        let reads = self
            .roles
            .iter()
            .any(|r| matches!(r, Role::ServiceProviderRead | Role::Host));
        let writes = self
            .roles
            .iter()
            .any(|r| matches!(r, Role::ServiceProviderWrite | Role::Host));
        let write_row = id.starts_with("api.upsert.") || id.starts_with("api.put-profile.");
        let read_row = id.starts_with("api.get-credentials.")
            || id.starts_with("api.paging.")
            || id.starts_with("api.get-profile.");
        (reads || !read_row) && (writes || !write_row)
    }
}

/// How an authorization request ended, for a finding message: never the
/// code or state themselves (a wrongly issued code is a live secret), and
/// target-chosen texts cut short.
pub fn outcome(r: &AuthResult) -> String {
    let short = |s: &str| crate::evidence::transcript::cut(s, 200).0;
    match r {
        AuthResult::Code { state, scope, .. } => format!(
            "a code was issued (state {}, scope {})",
            if state.is_some() { "present" } else { "absent" },
            scope
                .as_deref()
                .map_or("absent".to_string(), |s| format!("\"{}\"", short(s)))
        ),
        AuthResult::Error {
            error, description, ..
        } => match description {
            Some(d) => format!("error={} ({})", short(error), short(d)),
            None => format!("error={}", short(error)),
        },
        AuthResult::Stopped { status, detail } => {
            format!("stopped at {status}: {}", short(detail))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn check_names_are_unique() {
        let all = all_checks();
        for (i, c) in all.iter().enumerate() {
            assert!(!c.ids.is_empty(), "{} declares no ids", c.name);
            assert!(
                all[i + 1..].iter().all(|d| d.name != c.name),
                "duplicate check {}",
                c.name
            );
        }
    }

    #[test]
    fn every_declared_id_is_in_the_catalog_and_in_scope() {
        let cat = Catalog::embedded();
        let mut missing = Vec::new();
        for c in all_checks() {
            for id in c.ids {
                if cat.get(id).is_none() {
                    missing.push(format!("{} ({})", id, c.name));
                }
                assert!(
                    SCOPE.iter().any(|p| id.starts_with(&format!("{p}."))),
                    "{id} outside SCOPE"
                );
            }
        }
        assert!(missing.is_empty(), "ids not in the catalog: {missing:#?}");
    }
}
