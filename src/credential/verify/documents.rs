//! External documents a verification needs (status lists, key documents,
//! refreshed credentials), fetched before verification so the core does no I/O.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// A fetched document, or why it could not be fetched.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    Json(Value),
    Text(String),
    Failed(String),
}

/// Documents by URL. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    map: Arc<HashMap<String, Fetched>>,
}

impl Documents {
    pub fn new(map: HashMap<String, Fetched>) -> Documents {
        Documents { map: Arc::new(map) }
    }

    pub fn get(&self, url: &str) -> Option<&Fetched> {
        self.map.get(url)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// URLs a credential (and its nested and endorsement credentials) refers to
/// that verification may need: status lists and refresh services.
pub fn wanted_urls(cred: &Value, out: &mut Vec<String>) {
    match cred {
        Value::Object(map) => {
            for key in ["credentialStatus", "refreshService"] {
                let entries: Vec<&Value> = match map.get(key) {
                    Some(Value::Array(a)) => a.iter().collect(),
                    Some(v) => vec![v],
                    None => vec![],
                };
                for e in entries {
                    for field in ["statusListCredential", "id"] {
                        if let Some(u) = e.get(field).and_then(Value::as_str)
                            && (u.starts_with("https://") || u.starts_with("http://"))
                            && !out.iter().any(|x| x == u)
                        {
                            out.push(u.to_string());
                            break;
                        }
                    }
                }
            }
            // credentialSchema entries that are not one of the official (bundled) schemas.
            let schemas: Vec<&Value> = match map.get("credentialSchema") {
                Some(Value::Array(a)) => a.iter().collect(),
                Some(v) => vec![v],
                None => vec![],
            };
            for e in schemas {
                if let Some(u) = e.get("id").and_then(Value::as_str)
                    && e.get("type").and_then(Value::as_str)
                        == Some("1EdTechJsonSchemaValidator2019")
                    && crate::credential::schema::kind_for_official_id(u).is_none()
                    && u.starts_with("https://")
                    && !out.iter().any(|x| x == u)
                {
                    out.push(u.to_string());
                }
            }
            // Verification methods that name a key document rather than carry the key.
            let proofs: Vec<&Value> = match map.get("proof") {
                Some(Value::Array(a)) => a.iter().collect(),
                Some(v) => vec![v],
                None => vec![],
            };
            for p in proofs {
                if let Some(vm) = p.get("verificationMethod").and_then(Value::as_str)
                    && let Err(crate::credential::proof::KeyError::NeedsNetwork(_)) =
                        crate::credential::proof::keys::resolve(vm)
                    && let Ok(url) = crate::credential::proof::keys::document_url(vm)
                    && !out.contains(&url)
                {
                    out.push(url);
                }
            }
            for v in map.values() {
                wanted_urls(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| wanted_urls(v, out)),
        _ => {}
    }
}

/// The body at `url` as it is (at most `max_bytes`), or why it could not be had: a
/// URL input keeps its bytes, so a baked PNG by URL is judged like the same file.
pub async fn fetch_bytes(
    client: &reqwest::Client,
    url: &str,
    max_bytes: usize,
) -> Result<Vec<u8>, String> {
    let mut resp = match client.get(url).send().await {
        Ok(resp) if resp.status().is_success() => resp,
        Ok(resp) => return Err(format!("{url}: HTTP {}", resp.status())),
        Err(e) => return Err(format!("{url}: {e}")),
    };
    let mut buf: Vec<u8> = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                buf.extend_from_slice(&chunk);
                if buf.len() > max_bytes {
                    return Err(format!("{url}: larger than {max_bytes} bytes"));
                }
            }
            Ok(None) => return Ok(buf),
            Err(e) => return Err(format!("{url}: {e}")),
        }
    }
}

/// Fetch `urls` with `client` (bounded size and time), for online verification.
pub async fn fetch(client: &reqwest::Client, urls: &[String], max_bytes: usize) -> Documents {
    let mut map = HashMap::new();
    for url in urls {
        let got = match fetch_bytes(client, url, max_bytes).await {
            Err(f) => Fetched::Failed(f),
            Ok(buf) => match serde_json::from_slice(&buf) {
                Ok(v) => Fetched::Json(v),
                Err(_) => Fetched::Text(String::from_utf8_lossy(&buf).into_owned()),
            },
        };
        map.insert(url.clone(), got);
    }
    Documents::new(map)
}
