//! The state every handler shares: profile, URLs, faults, storage, users.

use super::TestUser;
use super::faults::FaultId;
use super::ratelimit::Keyed;
use super::record::Recorder;
use super::store::Store;
use crate::catalog::Profile;
use std::collections::HashSet;
use std::sync::Arc;

pub type Shared = Arc<AppState>;

pub struct AppState {
    pub profile: &'static Profile,
    /// Scheme, host and port, e.g. `https://127.0.0.1:8443`.
    pub base_url: String,
    /// The faults and variants switched on.
    pub faults: HashSet<FaultId>,
    pub store: Store,
    pub users: Vec<TestUser>,
    pub recorder: Option<Recorder>,
    /// Rate limit of the unauthenticated discovery endpoint, per client IP.
    pub discovery_limit: Keyed,
    /// Rate limit of open registration, per client IP.
    pub registration_limit: Keyed,
    /// Filler bytes added to token responses (hostile test variant).
    pub token_padding: usize,
    /// Filler bytes added to issued client_ids (hostile test variant).
    pub client_id_padding: usize,
    /// Clients registered with this `client_name` get short-lived access
    /// tokens (a per-client lifetime, as real servers configure).
    pub short_lived_client: Option<String>,
    /// getCredentials calls answered so far (the unstable-order fault turns the
    /// list one place further on each).
    pub list_calls: std::sync::atomic::AtomicUsize,
}

/// The client's IP address, set on every request by the accept loop.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub std::net::IpAddr);

impl Peer {
    /// The peer of a request (loopback when none was set, as in unit tests).
    pub fn of(ext: Option<axum::Extension<Peer>>) -> std::net::IpAddr {
        ext.map_or(std::net::IpAddr::from([127, 0, 0, 1]), |e| e.0.0)
    }
}

impl AppState {
    /// Whether the fault or variant `id` is switched on.
    pub fn fault(&self, id: FaultId) -> bool {
        self.faults.contains(&id)
    }

    /// Absolute URL of an API endpoint, e.g. `api_url("credentials")`.
    pub fn api_url(&self, tail: &str) -> String {
        format!("{}{}/{}", self.base_url, self.profile.base_path, tail)
    }

    /// Absolute URL of an OAuth endpoint, e.g. `oauth_url("token")`.
    pub fn oauth_url(&self, tail: &str) -> String {
        format!("{}/oauth/{}", self.base_url, tail)
    }

    /// The scopes this provider knows: the four API scopes and offline_access.
    pub fn known_scopes(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = self.profile.all_scopes().to_vec();
        v.push(&self.profile.scopes.offline_access);
        v
    }

    pub fn user(&self, username: &str) -> Option<&TestUser> {
        self.users.iter().find(|u| u.username == username)
    }
}
