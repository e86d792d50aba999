//! The checks a consumer's recording is judged by, one module per step of
//! the flow, each a unit of the `units()` registry that the one runner
//! (`suites::registry`) walks. They share `Ctx`: the recording, its transcript
//! ids, and what the provider handed out (registered clients, authorization codes).

mod api_calls;
mod authorize;
mod discovery;
mod payloads;
mod refresh;
mod registration;
mod retry;
mod state;
pub mod tls;
mod token;
mod upserts;

use super::consumer::ConsumerRole;
use super::exchange::Secrets;
use super::exchange::{self, form, json_body, json_response, param, response_header};
use crate::catalog::Profile;
use crate::evidence::{Check, Recorder};
use crate::provider::RecordedExchange;
use crate::registry::{self, CheckSpec};
use serde_json::Value;

pub const REGISTER: &str = "/oauth/register";
pub const AUTHORIZE: &str = "/oauth/authorize";
pub const TOKEN: &str = "/oauth/token";

/// A client the provider registered.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub secret: String,
    pub redirect_uris: Vec<String>,
}

/// An authorization code the provider issued and the approved request behind it.
#[derive(Debug, Clone)]
pub struct Grant {
    pub code: String,
    pub params: Vec<(String, String)>,
}

pub struct Ctx<'a> {
    pub ex: &'a [RecordedExchange],
    pub tx: Vec<String>,
    pub role: ConsumerRole,
    pub profile: &'static Profile,
    pub red: Secrets,
    pub clients: Vec<Client>,
    pub grants: Vec<Grant>,
    /// Access tokens the provider issued.
    pub tokens: Vec<String>,
    /// Whether the provider served TLS.
    pub tls: bool,
    /// A certification run: the rows "only in a certification run" apply.
    pub certification: bool,
    /// The provider presented a certificate for another host (`tls-wrong-hostname`).
    pub bad_certificate: bool,
}

impl<'a> Ctx<'a> {
    pub fn new(
        ex: &'a [RecordedExchange],
        tx: Vec<String>,
        role: ConsumerRole,
        profile: &'static Profile,
        red: Secrets,
        tls: bool,
    ) -> Ctx<'a> {
        let mut clients = Vec::new();
        let mut grants = Vec::new();
        let mut tokens = Vec::new();
        for e in ex {
            let resp = json_response(e);
            let text = |k: &str| {
                resp.as_ref()
                    .and_then(|v| v.get(k))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            if e.method == "POST" && e.path == REGISTER && exchange::ok(e) {
                let uris = resp
                    .as_ref()
                    .and_then(|v| v.get("redirect_uris"))
                    .or(json_body(e).as_ref().and_then(|v| v.get("redirect_uris")))
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                if let (Some(id), Some(secret)) = (text("client_id"), text("client_secret")) {
                    clients.push(Client {
                        id,
                        secret,
                        redirect_uris: uris,
                    });
                }
            }
            if e.path == AUTHORIZE
                && let Some(loc) = response_header(e, "location")
                && let Ok(u) = url::Url::parse(loc)
                && let Some(code) = u.query_pairs().find(|(k, _)| k == "code")
            {
                let params = if e.method == "POST" {
                    form(e)
                } else {
                    exchange::query(e)
                };
                grants.push(Grant {
                    code: code.1.into_owned(),
                    params,
                });
            }
            if e.method == "POST"
                && e.path == TOKEN
                && exchange::ok(e)
                && let Some(t) = text("access_token")
            {
                tokens.push(t);
            }
        }
        Ctx {
            ex,
            tx,
            role,
            profile,
            red,
            clients,
            grants,
            tokens,
            tls,
            certification: false,
            bad_certificate: false,
        }
    }

    /// The path of an API endpoint, e.g. `api("credentials")`.
    pub fn api(&self, tail: &str) -> String {
        format!("{}/{tail}", self.profile.base_path)
    }

    /// Indices of exchanges matching `method` (any when empty) and `path`.
    pub fn find(&self, method: &str, path: &str) -> Vec<usize> {
        self.ex
            .iter()
            .enumerate()
            .filter(|(_, e)| (method.is_empty() || e.method == method) && e.path == path)
            .map(|(i, _)| i)
            .collect()
    }

    /// Cite exchange `i` from now on (and only it).
    pub fn cite(&self, c: &mut Check, i: usize) {
        c.clear_citations();
        if let Some(t) = self.tx.get(i) {
            c.cite(t.clone());
        }
        c.subject(format!(
            "{} {} ({})",
            self.ex[i].method,
            self.ex[i].path,
            self.tx.get(i).map(String::as_str).unwrap_or("")
        ));
    }

    pub fn client(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    pub fn grant(&self, code: &str) -> Option<&Grant> {
        self.grants.iter().find(|g| g.code == code)
    }

    /// Whether a putProfile was recorded (the write role then needs profile.update).
    pub fn put_profile_called(&self) -> bool {
        !self.find("PUT", &self.api("profile")).is_empty()
    }

    /// The scopes the role needs.
    pub fn required_scopes(&self) -> Vec<&'static str> {
        let s = &self.profile.scopes;
        match self.role {
            ConsumerRole::Read => vec![&s.credential_readonly, &s.profile_readonly],
            ConsumerRole::Write if self.put_profile_called() => {
                vec![&s.credential_upsert, &s.profile_update]
            }
            ConsumerRole::Write => vec![&s.credential_upsert],
        }
    }

    /// The scopes the role may ask for.
    pub fn allowed_scopes(&self) -> Vec<&'static str> {
        let s = &self.profile.scopes;
        match self.role {
            ConsumerRole::Read => vec![
                &s.credential_readonly,
                &s.profile_readonly,
                &s.offline_access,
            ],
            ConsumerRole::Write => vec![&s.credential_upsert, &s.profile_update, &s.offline_access],
        }
    }
}

/// Space-separated scopes as a list.
pub fn scopes(s: &str) -> Vec<&str> {
    s.split(' ').filter(|x| !x.is_empty()).collect()
}

/// The value of parameter `k` when present and non-empty.
pub fn given<'p>(pairs: &'p [(String, String)], k: &str) -> Option<&'p str> {
    param(pairs, k).filter(|v| !v.is_empty())
}

/// A consumer judge, as the registry holds it.
pub type Unit<'a> = registry::Unit<Ctx<'a>, registry::Sync<Ctx<'a>>>;

/// The registry of consumer judges, in the order of the flow they judge.
pub fn units<'a>() -> [Unit<'a>; 11] {
    fn step<'a>(
        name: &'static str,
        checks: &'static [CheckSpec],
        run: registry::Sync<Ctx<'a>>,
    ) -> Unit<'a> {
        Unit::plain(name, checks, registry::always, run)
    }
    [
        step("discovery", discovery::CHECKS, |c, r| discovery::run(c, r)),
        step("registration", registration::CHECKS, |c, r| {
            registration::run(c, r)
        }),
        step("authorization", authorize::CHECKS, |c, r| {
            authorize::run(c, r)
        }),
        step("state", state::CHECKS, |c, r| state::run(c, r)),
        step("token", token::CHECKS, |c, r| token::run(c, r)),
        step("API calls", api_calls::CHECKS, |c, r| api_calls::run(c, r)),
        step("refresh", refresh::CHECKS, |c, r| refresh::run(c, r)),
        step("retry", retry::CHECKS, |c, r| retry::run(c, r)),
        step("payloads", payloads::CHECKS, |c, r| payloads::run(c, r)),
        Unit {
            applies: |c| c.role == ConsumerRole::Write,
            ..step("upserts", upserts::CHECKS, |c, r| upserts::run(c, r))
        },
        step("TLS", tls::CHECKS, |c, r| tls::run(c, r)),
    ]
}

registry::without_needs!(Ctx<'_>);

/// Every registered consumer check: (unit, check).
pub fn registered_checks() -> Vec<(&'static str, CheckSpec)> {
    registry::listed(&units())
}

/// Run every check, through the one runner.
pub fn run(ctx: &mut Ctx, rec: &mut Recorder) {
    registry::run(&units(), ctx, rec, None);
}

#[cfg(test)]
mod tests;
