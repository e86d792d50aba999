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
use crate::oauth::authorize::{AuthRequest, AuthResult, FormLogin, Walk};
use crate::oauth::discovery::Sdd;
use crate::oauth::register::ClientMetadata;
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
    /// A person logs in in a browser and pastes the redirected URL.
    Manual,
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

    /// Every scope of the API plus offline_access, space-separated.
    pub fn full_scope(&self) -> String {
        let p = self.target.profile;
        let mut s: Vec<&str> = p.all_scopes().to_vec();
        s.push(&p.scopes.offline_access);
        s.join(" ")
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

    /// True when logins beyond the first can run unattended (the `form` strategy).
    pub fn can_login(&self) -> bool {
        matches!(self.target.login, Login::Form(_)) && self.sdd.is_some() && self.client.is_some()
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
            scope: scope.to_string(),
            state: Some(pkce::state()),
            code_challenge: Some(pkce::challenge_s256(verifier)),
            code_challenge_method: Some("S256".into()),
        })
    }

    /// Walk an authorization request with the configured strategy.
    pub async fn walk(&mut self, req: &AuthRequest) -> Result<Walk, String> {
        self.walk_as(req, false).await
    }

    /// Walk an authorization request; `deny` presses the form's refusing button.
    pub async fn walk_as(&mut self, req: &AuthRequest, deny: bool) -> Result<Walk, String> {
        match self.target.login.clone() {
            Login::Form(mut f) => {
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
            Login::Manual => {
                let req = req.clone();
                let red = self.http.redactor().clone();
                let r = tokio::task::spawn_blocking(move || {
                    crate::oauth::authorize::manual(&req, &red)
                })
                .await
                .map_err(|e| format!("manual login: {e}"))??;
                Ok(Walk {
                    result: r,
                    txs: Vec::new(),
                    location: None,
                })
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
                "authorization did not return a code: {}",
                outcome(&walk.result)
            ));
        };
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
