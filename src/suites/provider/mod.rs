//! Judging a CLR service provider over HTTP, in the order a real client
//! meets it: discovery, registration, authorization, token, then the API
//! (read: getCredentials, paging, getProfile; write: upsertCredential,
//! putProfile), scope enforcement, error bodies, refresh and revocation.
//!
//! Each file is one area and lists its checks in a `CHECKS` table (name and
//! requirement ids). `Ctx` carries what earlier steps obtained (the SDD, the
//! registered client, tokens); a check whose prerequisite is missing records
//! a skip naming it, and a transport failure records an error.

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

use super::CheckSpec;
use crate::catalog::{Profile, Role};
use crate::evidence::{Check, Recorder, Verdict};
use crate::http::{Client, Exchange, FailKind, Failure, Req};
use crate::oauth::authorize::{AuthRequest, AuthResult, FormLogin, Manual, Walk};
use crate::oauth::browser::BrowserLogin;
use crate::oauth::discovery::Sdd;
use crate::oauth::origin::OriginPolicy;
use crate::oauth::register::ClientMetadata;
use crate::oauth::scope::{self, Offline};
use crate::oauth::token::{CodeExchange, Tokens};
use crate::oauth::{ClientCreds, pkce};

/// Requirement id prefixes these suites can evidence (the report's scope).
pub const SCOPE: &[&str] = &["api", "discovery", "oauth", "transport"];

/// Every provider check, for the report and the catalog test.
pub fn all_checks() -> Vec<CheckSpec> {
    [
        discovery::CHECKS,
        registration::CHECKS,
        authorize::CHECKS,
        token::CHECKS,
        get_credentials::CHECKS,
        paging::CHECKS,
        upsert::CHECKS,
        profile::CHECKS,
        scopes::CHECKS,
        errors::CHECKS,
        refresh::CHECKS,
        revoke::CHECKS,
        transport::CHECKS,
    ]
    .concat()
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
    /// When to ask for offline_access (`login.offline_access`).
    pub offline: Offline,
    /// Where credentials may be sent (the target's origin, `allowed_origins`).
    pub policy: OriginPolicy,
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
    /// The server refused offline_access with invalid_scope once: not asked again.
    pub offline_refused: bool,
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
            rec: Recorder::new(),
            target,
            sdd: None,
            client: None,
            tokens: None,
            unreachable: None,
            first: None,
            narrow: Vec::new(),
            offline_refused: false,
        }
    }

    pub fn reads(&self) -> bool {
        self.target
            .roles
            .iter()
            .any(|r| matches!(r, Role::ServiceProviderRead | Role::Host))
    }

    pub fn writes(&self) -> bool {
        self.target
            .roles
            .iter()
            .any(|r| matches!(r, Role::ServiceProviderWrite | Role::Host))
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
            self.target.profile,
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
            scope::without_offline(self.target.profile, s).unwrap_or_else(|| s.to_string())
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

    /// Close `c` with one verdict for every id: error when the target is unreachable, else skip.
    pub fn blocked(&mut self, mut c: Check, reason: &str) {
        let (v, msg) = match &self.unreachable {
            Some(u) => (Verdict::Error, format!("target unreachable: {u}")),
            None => (Verdict::Skip, reason.to_string()),
        };
        c.all(v, &msg);
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
        let stripped = scope::without_offline(self.target.profile, &req.scope)
            .filter(|s| scope::only_api_scopes(self.target.profile, s));
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
        let ex = crate::oauth::token::exchange_code(
            &self.http,
            &mut self.rec,
            &sdd.token_url,
            Some(&client),
            &p,
            "token: exchange code",
        )
        .await
        .map_err(|e| e.to_string())?;
        let t = crate::oauth::token::parse(&ex, self.http.redactor())?;
        Ok((t, ex.tx, granted))
    }
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

/// Run every provider suite against the target; returns the recorder and,
/// when the target could not be reached, why.
pub async fn run(mut ctx: Ctx) -> (Recorder, Option<String>) {
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
    Box::pin(discovery::run(&mut ctx)).await;
    sdd_origins(&mut ctx);
    Box::pin(registration::run(&mut ctx)).await;
    Box::pin(authorize::run(&mut ctx)).await;
    Box::pin(token::run(&mut ctx)).await;
    if ctx.reads() {
        Box::pin(get_credentials::run(&mut ctx)).await;
        Box::pin(paging::run(&mut ctx)).await;
        Box::pin(profile::run_get(&mut ctx)).await;
    }
    if ctx.writes() {
        Box::pin(upsert::run(&mut ctx)).await;
        Box::pin(profile::run_put(&mut ctx)).await;
    }
    Box::pin(scopes::run(&mut ctx)).await;
    Box::pin(errors::run(&mut ctx)).await;
    Box::pin(refresh::run(&mut ctx)).await;
    Box::pin(transport::run(&mut ctx)).await;
    Box::pin(revoke::run(&mut ctx)).await;
    (ctx.rec, ctx.unreachable)
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
