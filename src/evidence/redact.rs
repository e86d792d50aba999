//! Redaction: secrets never reach a report or a log.
//!
//! Two layers. Structural: credentials in known places (Authorization and
//! cookie headers, OAuth form fields, token JSON members, query parameters)
//! are masked wherever they appear. By value: every secret the harness has
//! handled (tokens, client secrets, codes, verifiers, passwords, learner
//! e-mail) is registered and scrubbed from any text, wherever it turns up.

use super::transcript::{Message, Transcript};
use std::sync::{Arc, RwLock};

/// Names of form fields, query parameters and JSON members that hold secrets.
pub const SECRET_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "code",
    "code_verifier",
    "password",
    "token",
    "registration_access_token",
];

const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// A shared, growing set of secret values. Cloning shares the set.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    values: Arc<RwLock<Vec<(String, &'static str)>>>,
}

impl Redactor {
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Register a secret value of the given kind ("access-token", "password", ...).
    /// Values shorter than 4 characters are not registered (they would mask ordinary text).
    pub fn add(&self, value: &str, kind: &'static str) {
        if value.len() < 4 {
            return;
        }
        // Also catch the percent-encoded form (as it appears in URLs and form bodies).
        let enc = url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
        let mut v = self.values.write().unwrap_or_else(|e| e.into_inner());
        for form in [value.to_string(), enc] {
            if !v.iter().any(|(s, _)| *s == form) {
                v.push((form, kind));
            }
        }
        // Longest first, so a secret containing another is masked whole.
        v.sort_by_key(|b| std::cmp::Reverse(b.0.len()));
    }

    /// Scrub every registered value from `text`.
    pub fn text(&self, text: &str) -> String {
        let v = self.values.read().unwrap_or_else(|e| e.into_inner());
        let mut out = text.to_string();
        for (secret, kind) in v.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), &format!("[redacted:{kind}]"));
            }
        }
        out
    }

    /// Redact a header value by name, then by value.
    pub fn header(&self, name: &str, value: &str) -> String {
        let lname = name.to_ascii_lowercase();
        if SECRET_HEADERS.contains(&lname.as_str()) {
            let scheme = value.split_whitespace().next().unwrap_or("");
            if lname == "authorization" || lname == "proxy-authorization" {
                return format!("{scheme} [redacted]");
            }
            return "[redacted]".to_string();
        }
        self.text(value)
    }

    /// Redact secret query parameters in a URL, then by value.
    pub fn url(&self, raw: &str) -> String {
        let masked = match url::Url::parse(raw) {
            Ok(mut u) if u.query().is_some() => {
                let pairs: Vec<(String, String)> = u
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if SECRET_FIELDS.contains(&k.as_ref()) {
                            "[redacted]".to_string()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                u.query_pairs_mut().clear().extend_pairs(pairs);
                u.to_string()
            }
            _ => raw.to_string(),
        };
        self.text(&masked)
    }

    /// Redact a body: JSON members and form fields by name, then by value.
    pub fn body(&self, body: &str) -> String {
        let trimmed = body.trim_start();
        if (trimmed.starts_with('{') || trimmed.starts_with('['))
            && let Ok(mut v) = serde_json::from_str::<serde_json::Value>(body)
        {
            mask_json(&mut v);
            return self.text(&serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        if !body.contains(char::is_whitespace) && body.contains('=') {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
                .map(|(k, v)| {
                    let v = if SECRET_FIELDS.contains(&k.as_ref()) {
                        "[redacted]".to_string()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            let enc = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            return self.text(&enc);
        }
        self.text(body)
    }

    fn message(&self, m: &mut Message) {
        for (k, v) in &mut m.headers {
            *v = self.header(k, v);
        }
        if let Some(b) = &m.body {
            m.body = Some(self.body(b));
        }
    }

    /// Redact a whole transcript in place.
    pub fn transcript(&self, t: &mut Transcript) {
        t.request.url = self.url(&t.request.url);
        self.message(&mut t.request.message);
        if let Some(r) = &mut t.response {
            self.message(&mut r.message);
        }
        if let Some(e) = &t.error {
            t.error = Some(self.text(e));
        }
        t.label = self.text(&t.label);
    }
}

fn mask_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if SECRET_FIELDS.contains(&k.as_str()) && val.is_string() {
                    *val = serde_json::Value::String("[redacted]".into());
                } else {
                    mask_json(val);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(mask_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_by_name_and_by_value() {
        let r = Redactor::new();
        r.add("s3cr3t-token-value", "access-token");
        assert_eq!(
            r.header("Authorization", "Bearer s3cr3t-token-value"),
            "Bearer [redacted]"
        );
        let u = r.url("https://h/cb?code=abcd1234&state=xyz");
        assert!(
            u.contains("code=%5Bredacted%5D") && u.contains("state=xyz"),
            "{u}"
        );
        let b = r.body(r#"{"access_token":"zzzz9999","token_type":"Bearer"}"#);
        assert!(!b.contains("zzzz9999") && b.contains("Bearer"));
        let f = r.body("grant_type=authorization_code&code_verifier=vvvvvvvv&code=cccccccc");
        assert!(!f.contains("vvvvvvvv") && !f.contains("cccccccc") && f.contains("grant_type"));
        assert_eq!(
            r.text("echo s3cr3t-token-value!"),
            "echo [redacted:access-token]!"
        );
    }
}
