//! The built-in reference CLR 2.0 / OB 3.0 service provider (`clr-conformance serve`).
//!
//! It exists so the client-side suites have a known-good target to run against
//! (in-process on loopback) and, with `faults`, known-bad targets that must make
//! exactly one requirement fail. It speaks the spec's API, discovery and OAuth 2.0
//! (registration, authorization code with PKCE, refresh, revocation) over HTTPS.
// Handlers return early with a finished `Response` as the error; boxing it
// would only add allocations on the error path.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod discovery;
pub mod faults;
pub mod oauth;
pub mod ratelimit;
pub mod record;
pub mod seed;
pub mod server;
pub mod store;

mod http_util;
mod state;

use crate::catalog::Profile;
use std::net::SocketAddr;
use std::path::PathBuf;

pub use faults::{Fault, FaultId, all_faults, fault};
pub use record::RecordedExchange;
pub use server::{RunningProvider, start};
pub use state::Peer;

/// Largest request body the provider accepts; larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;
/// Largest registration request body (client metadata is a few hundred bytes).
pub const MAX_REGISTRATION_BYTES: usize = 64 * 1024;

/// How the provider serves its socket.
#[derive(Debug, Clone)]
pub enum TlsMode {
    /// A fresh self-signed certificate for 127.0.0.1, localhost and ::1.
    SelfSigned,
    /// A certificate chain and private key in PEM files.
    Files { cert: PathBuf, key: PathBuf },
    /// No TLS at all (the spec requires TLS; for debugging only).
    PlainHttp,
}

/// Everything `start` needs.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub bind: SocketAddr,
    pub tls: TlsMode,
    pub faults: Vec<Fault>,
    pub profile: &'static Profile,
    /// SQLite database file; `None` means a fresh temporary file.
    pub data: Option<PathBuf>,
    /// Keep every request and response in memory (bounded).
    pub record: bool,
    /// Limits that keep the provider up under hostile users.
    pub limits: Limits,
    /// Hostile variant for tests: pad every token response with a filler
    /// member of this many bytes (0: none).
    pub token_padding: usize,
    /// Hostile variant for tests: append this many filler bytes to every
    /// issued client_id (0: none).
    pub client_id_padding: usize,
    /// SQLite `synchronous=FULL` instead of NORMAL: every commit survives a
    /// power loss too, at the cost of an fsync per commit (README, Limits).
    pub synchronous_full: bool,
    /// Clients registered with this `client_name` get access tokens living
    /// [`SHORT_TOKEN_SECONDS`], so a run can judge that expired tokens are refused.
    pub short_lived_client: Option<String>,
}

/// Every resource a user of `serve` controls, bounded (README, "Limits").
#[derive(Debug, Clone)]
pub struct Limits {
    /// A request's headers must arrive within this time.
    pub header_timeout: std::time::Duration,
    /// A connection with no bytes moving either way for this long is closed.
    pub idle_timeout: std::time::Duration,
    /// Connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
    /// Registrations one client IP may make per minute.
    pub registrations_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: std::time::Duration::from_secs(10),
            idle_timeout: std::time::Duration::from_secs(60),
            max_connections: 256,
            registrations_per_minute: 60,
        }
    }
}

/// The lifetime of a short-lived client's access tokens.
pub const SHORT_TOKEN_SECONDS: i64 = 2;

impl ProviderConfig {
    /// Loopback, self-signed TLS, no faults, temporary storage.
    pub fn new(profile: &'static Profile) -> ProviderConfig {
        ProviderConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: TlsMode::SelfSigned,
            faults: Vec::new(),
            profile,
            data: None,
            record: false,
            short_lived_client: None,
            limits: Limits::default(),
            token_padding: 0,
            client_id_padding: 0,
            synchronous_full: false,
        }
    }
}

/// A seeded user who can log in on the authorization page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestUser {
    pub username: String,
    pub password: String,
    pub email: String,
}
