//! The state every handler shares: profile, URLs, faults, storage, users.

use super::TestUser;
use super::ratelimit::Bucket;
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
    pub faults: HashSet<&'static str>,
    pub store: Store,
    pub users: Vec<TestUser>,
    pub recorder: Option<Recorder>,
    /// Rate limit of the unauthenticated discovery endpoint.
    pub discovery_limit: Bucket,
    /// Filler bytes added to token responses (hostile test variant).
    pub token_padding: usize,
}

impl AppState {
    /// Whether the fault `name` is switched on.
    pub fn fault(&self, name: &str) -> bool {
        self.faults.contains(name)
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
