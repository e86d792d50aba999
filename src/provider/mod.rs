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

pub use faults::{Fault, all_faults, fault};
pub use record::RecordedExchange;
pub use server::{RunningProvider, start};

/// Largest request body the provider accepts; larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

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
    /// Clients registered with this `client_name` get access tokens living
    /// [`SHORT_TOKEN_SECONDS`], so a run can judge that expired tokens are refused.
    pub short_lived_client: Option<String>,
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
