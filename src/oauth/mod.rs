//! The OAuth 2.0 client side of the CLR service API (1EdTech Security
//! Framework profile): discovery, dynamic client registration, the
//! authorization code grant with PKCE, token exchange, refresh, revocation.
//!
//! These are protocol steps only: they send, record and parse. Judging what
//! came back is the suites' job, so a step never decides a verdict.

pub mod authorize;
pub mod browser;
pub mod discovery;
pub mod origin;
pub mod pkce;
pub mod register;
pub mod revoke;
pub mod scope;
pub mod token;

/// A registered client: what token and revocation requests authenticate with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCreds {
    pub client_id: String,
    pub client_secret: String,
}
