//! Dynamic client registration (RFC 7591 as profiled by OB §7.1): the client
//! metadata we send and the client id and secret we get back.

use super::ClientCreds;
use crate::catalog::Profile;
use crate::evidence::{Recorder, Redactor};
use crate::http::{Client, Exchange, Failure, Req};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The redirect URI nothing listens on: the `form` login captures the
/// redirect's `Location` instead of following it.
pub const DEFAULT_REDIRECT_URI: &str = "https://127.0.0.1/callback";

/// Client metadata sent at registration. All URLs must be https and share one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientMetadata {
    pub client_name: String,
    pub client_uri: String,
    pub logo_uri: String,
    pub tos_uri: String,
    pub policy_uri: String,
    pub software_id: String,
    pub software_version: String,
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub contacts: Vec<String>,
}

impl Default for ClientMetadata {
    fn default() -> ClientMetadata {
        ClientMetadata {
            client_name: "clr-conformance".into(),
            client_uri: "https://127.0.0.1/".into(),
            logo_uri: "https://127.0.0.1/logo.png".into(),
            tos_uri: "https://127.0.0.1/tos".into(),
            policy_uri: "https://127.0.0.1/privacy".into(),
            software_id: "clr-conformance".into(),
            software_version: env!("CARGO_PKG_VERSION").into(),
            redirect_uris: vec![DEFAULT_REDIRECT_URI.into()],
            contacts: Vec::new(),
        }
    }
}

impl ClientMetadata {
    /// The registration request body asking for `scope` (space-separated).
    pub fn request_body(&self, scope: &str) -> Value {
        let mut v = json!({
            "client_name": self.client_name,
            "client_uri": self.client_uri,
            "logo_uri": self.logo_uri,
            "tos_uri": self.tos_uri,
            "policy_uri": self.policy_uri,
            "software_id": self.software_id,
            "software_version": self.software_version,
            "redirect_uris": self.redirect_uris,
            "scope": scope,
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
        });
        if !self.contacts.is_empty() {
            v["contacts"] = json!(self.contacts);
        }
        v
    }

    /// The first redirect URI (the one authorization requests use).
    pub fn redirect_uri(&self) -> &str {
        self.redirect_uris
            .first()
            .map(String::as_str)
            .unwrap_or(DEFAULT_REDIRECT_URI)
    }
}

/// The least registration the rules allow after `sent` was refused: the
/// code grant only (RFC 7591 §2: `grant_types` defaults to it) and no
/// offline_access; `None` when `sent` asked for no more than that.
pub fn least_body(meta: &ClientMetadata, sent: &Value, profile: &Profile) -> Option<Value> {
    let scope = sent.get("scope").and_then(Value::as_str).unwrap_or("");
    let scope =
        super::scope::without_offline(&profile.scopes, scope).unwrap_or_else(|| scope.to_string());
    let mut v = meta.request_body(&scope);
    v["grant_types"] = json!(["authorization_code"]);
    (v != *sent).then_some(v)
}

/// What `least_body` drops, for notes.
pub fn least_summary() -> &'static str {
    "grant_types [\"authorization_code\"] and no offline_access"
}

/// A refused registration in words: status, `error`, `error_description`.
pub fn refusal(ex: &Exchange) -> String {
    let v = ex.json().unwrap_or(Value::Null);
    let err = v
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("no error member");
    let desc = v
        .get("error_description")
        .and_then(Value::as_str)
        .map(|d| format!(": {}", d.chars().take(300).collect::<String>()))
        .unwrap_or_default();
    format!("{} {err}{desc}", ex.brief())
}

/// POST `body` to the registration URL.
pub async fn send(
    c: &Client,
    rec: &mut Recorder,
    url: &str,
    body: Value,
    label: &str,
) -> Result<Exchange, Failure> {
    c.send(
        rec,
        Req::post(url, label)
            .header("Accept", "application/json")
            .json(body),
    )
    .await
}

/// The client id and secret from a registration response; registers the secret for redaction.
pub fn parse(ex: &Exchange, redactor: &Redactor) -> Result<ClientCreds, String> {
    let v = ex
        .json()
        .ok_or_else(|| format!("{}: registration response is not JSON", ex.brief()))?;
    let id = v.get("client_id").and_then(Value::as_str);
    let secret = v.get("client_secret").and_then(Value::as_str);
    match (id, secret) {
        (Some(id), Some(secret)) => {
            crate::http::client::secret(redactor, secret, "client-secret");
            Ok(ClientCreds {
                client_id: id.to_string(),
                client_secret: secret.to_string(),
            })
        }
        _ => Err(format!(
            "{}: registration response lacks client_id or client_secret",
            ex.brief()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_body_has_every_required_member_on_one_https_host() {
        let v = ClientMetadata::default().request_body("a b");
        for k in [
            "client_name",
            "client_uri",
            "logo_uri",
            "tos_uri",
            "policy_uri",
            "software_id",
            "software_version",
            "redirect_uris",
            "scope",
        ] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert!(v["redirect_uris"].is_array());
        for k in ["client_uri", "logo_uri", "tos_uri", "policy_uri"] {
            let u = url::Url::parse(v[k].as_str().unwrap()).unwrap();
            assert_eq!((u.scheme(), u.host_str()), ("https", Some("127.0.0.1")));
        }
    }
}
