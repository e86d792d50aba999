//! The target configuration file (`run --config target.toml`) as it is written: the
//! shape serde reads, strings and all. `plan` turns it, with the arguments, into
//! typed values and names this file and the field when a value is wrong.

use crate::oauth::browser::Step;
use crate::oauth::register::ClientMetadata;
use crate::oauth::scope::Offline;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The target configuration file. Secrets are never inline: only the names
/// of environment variables holding them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub base_url: Option<String>,
    pub profile: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub trusted_ca: Vec<PathBuf>,
    /// Also trust the operating system's roots (default true).
    pub system_roots: Option<bool>,
    pub timeout: Option<String>,
    pub deadline: Option<String>,
    pub revocation_url: Option<String>,
    /// A certification run (as `--certification`).
    #[serde(default)]
    pub certification: bool,
    /// A JSON credential file to upsert (one the target has not seen).
    pub upsert_credential: Option<PathBuf>,
    #[serde(default)]
    pub login: LoginConfig,
    pub client_metadata: Option<ClientMetadata>,
    pub registered_client: Option<RegisteredClient>,
    /// Origins besides the target's that may receive the password, session
    /// cookies or the client secret (e.g. the target's own SSO host).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Documents the returned credentials refer to, URL -> file (as `--document`).
    #[serde(default)]
    pub documents: BTreeMap<String, PathBuf>,
    /// Operation -> the scope URI the target uses for it (as `--scope-map`).
    #[serde(default)]
    pub scope_map: BTreeMap<String, String>,
}

/// How the harness logs in (`login.strategy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    #[default]
    Form,
    Session,
    Browser,
    Manual,
    Token,
}

/// Missing keys take their defaults (a `token` login need not name form fields).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoginConfig {
    /// form | session | browser | manual | token
    pub strategy: Strategy,
    pub username_env: Option<String>,
    pub password_env: Option<String>,
    pub username_field: String,
    pub password_field: String,
    /// Extra form inputs to set (form: e.g. a consent checkbox; session: the consent form).
    #[serde(default)]
    pub extra_fields: BTreeMap<String, String>,
    pub access_token_env: Option<String>,
    pub refresh_token_env: Option<String>,
    /// auto (when the SDD advertises it) | always | never
    pub offline_access: Offline,
    /// session: cookie name -> environment variable holding its value.
    pub cookies: BTreeMap<String, String>,
    /// session: header name -> environment variable holding its value.
    pub headers: BTreeMap<String, String>,
    /// browser: the steps (default: fill username and password, click Allow).
    pub steps: Vec<Step>,
    /// browser: what is clicked instead of the first click when a check needs a refusal.
    pub deny_selector: Option<String>,
    pub chromium: Option<PathBuf>,
    pub chromedriver: Option<PathBuf>,
    /// browser: time for one login ("60s").
    pub browser_timeout: Option<String>,
}

impl Default for LoginConfig {
    fn default() -> LoginConfig {
        LoginConfig {
            strategy: Strategy::Form,
            username_env: Some("CLR_USERNAME".into()),
            password_env: Some("CLR_PASSWORD".into()),
            username_field: "username".into(),
            password_field: "password".into(),
            extra_fields: BTreeMap::new(),
            access_token_env: None,
            refresh_token_env: None,
            offline_access: Offline::Auto,
            cookies: BTreeMap::new(),
            headers: BTreeMap::new(),
            steps: Vec::new(),
            deny_selector: None,
            chromium: None,
            chromedriver: None,
            browser_timeout: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisteredClient {
    pub client_id: String,
    /// Name of the environment variable holding the client secret.
    pub client_secret_env: String,
}

/// Read and parse a target config; errors name the file.
pub fn load_config(path: &Path) -> anyhow::Result<TargetConfig> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses() {
        let text = include_str!("../../../target.example.toml");
        let cfg: TargetConfig = toml::from_str(text).unwrap();
        assert_eq!(cfg.login.strategy, Strategy::Form);
        assert!(toml::from_str::<TargetConfig>("nonsense = 1").is_err());
        let cfg: TargetConfig = toml::from_str(
            "[scope_map]\n\"credential.readonly\" = \"urn:x:read\"\n[documents]\n\"https://x/k\" = \"k.json\"",
        )
        .unwrap();
        let map = crate::oauth::scope::parse_map(&cfg.scope_map).unwrap();
        assert_eq!(map[0].1, "urn:x:read");
        assert_eq!(cfg.documents.len(), 1);
    }

    #[test]
    fn login_steps_session_and_origins_parse() {
        let cfg: TargetConfig = toml::from_str(
            r##"
allowed_origins = ["https://sso.example.edu"]
[login]
strategy = "browser"
offline_access = "never"
cookies = { sid = "CLR_SID" }
[[login.steps]]
goto = "authorize"
[[login.steps]]
fill = "#u"
env = "CLR_USERNAME"
"##,
        )
        .unwrap();
        assert_eq!(cfg.login.strategy, Strategy::Browser);
        assert_eq!(cfg.login.offline_access, Offline::Never);
        assert_eq!(cfg.login.steps.len(), 2);
        assert_eq!(cfg.login.cookies["sid"], "CLR_SID");
        assert_eq!(cfg.allowed_origins, ["https://sso.example.edu"]);
        let bad = toml::from_str::<TargetConfig>("[login]\nstrategy = \"magic\"").unwrap_err();
        assert!(bad.to_string().contains("magic"), "{bad}");
        assert!(toml::from_str::<TargetConfig>("[[login.steps]]\ntypo = 1").is_err());
    }
}
