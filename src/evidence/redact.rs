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

/// Values a target might hand out as a "secret" that are also ordinary
/// protocol words: masking them everywhere would blank out the evidence.
const VOCABULARY: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "application/ld+json",
    "text/html",
    "text/plain",
    "authorization_code",
    "refresh_token",
    "access_token",
    "client_credentials",
    "client_secret",
    "client_secret_basic",
    "client_secret_post",
    "code_verifier",
    "localhost",
    "undefined",
    "password",
    "username",
    "[redacted]",
];

/// A secret shorter than this is masked only where it stands as a secret
/// (structural masking), never as free text, and is reported.
pub const MIN_SECRET_LEN: usize = 8;

/// A registered secret too weak to be masked by value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weak {
    pub kind: &'static str,
    pub len: usize,
    /// "shorter than 8 characters" or "a protocol word".
    pub why: &'static str,
}

impl std::fmt::Display for Weak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a {} of {} characters is {}: it is masked only where it stands as a {} (token members, secret headers and parameters), not in free text",
            self.kind, self.len, self.why, self.kind
        )
    }
}

/// Why `value` cannot be masked by value, if it cannot.
pub fn weakness(value: &str) -> Option<&'static str> {
    if value.chars().count() < MIN_SECRET_LEN {
        return Some("shorter than 8 characters");
    }
    let lower = value.to_ascii_lowercase();
    if VOCABULARY.contains(&lower.as_str())
        || lower.starts_with("https://purl.imsglobal.org/")
        || lower.starts_with("bearer")
    {
        return Some("a protocol word");
    }
    None
}

#[derive(Debug, Default)]
struct Values {
    /// Strong secrets (and their percent-encoded forms), longest first.
    strong: Vec<(String, &'static str)>,
    weak: Vec<Weak>,
}

/// A shared, growing set of secret values. Cloning shares the set.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    values: Arc<RwLock<Values>>,
}

/// Characters that continue a token: a secret found next to one of them is
/// part of a longer word, not that secret.
fn continues(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '~' | '+' | '/' | '%')
}

/// Replace `secret` in `text` where it stands whole (not inside a longer token).
fn replace_whole(text: &str, secret: &str, with: &str) -> Option<String> {
    if !text.contains(secret) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut changed = false;
    for (at, _) in text.match_indices(secret) {
        if at < last {
            continue;
        }
        let end = at + secret.len();
        let before = text[..at].chars().next_back();
        let mut after = text[end..].chars();
        let next = after.next();
        let whole_before = match before {
            None => true,
            Some('.') => !text[..at - 1]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric()),
            Some(c) => !continues(c),
        };
        let whole_after = match next {
            None => true,
            Some('.') => !after.next().is_some_and(|c| c.is_ascii_alphanumeric()),
            Some(c) => !continues(c),
        };
        if whole_before && whole_after {
            out.push_str(&text[last..at]);
            out.push_str(with);
            last = end;
            changed = true;
        }
    }
    if !changed {
        return None;
    }
    out.push_str(&text[last..]);
    Some(out)
}

impl Redactor {
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Register a secret value of the given kind ("access-token", "password", ...).
    /// A weak value (shorter than 8 characters or a protocol word) is not
    /// masked by value, since that would blank out ordinary text; it stays
    /// masked where it stands as a secret and is listed by `weak()`.
    pub fn add(&self, value: &str, kind: &'static str) {
        if value.is_empty() {
            return;
        }
        let mut v = self.values.write().unwrap_or_else(|e| e.into_inner());
        if let Some(why) = weakness(value) {
            let w = Weak {
                kind,
                len: value.chars().count(),
                why,
            };
            if !v.weak.contains(&w) {
                v.weak.push(w);
            }
            return;
        }
        // Also catch the percent-encoded form (as it appears in URLs and form bodies).
        let enc = url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
        for form in [value.to_string(), enc] {
            if !v.strong.iter().any(|(s, _)| *s == form) {
                v.strong.push((form, kind));
            }
        }
        // Longest first, so a secret containing another is masked whole.
        v.strong.sort_by_key(|b| std::cmp::Reverse(b.0.len()));
    }

    /// Secrets that were too weak to mask by value (each is worth a finding).
    pub fn weak(&self) -> Vec<Weak> {
        let v = self.values.read().unwrap_or_else(|e| e.into_inner());
        v.weak.clone()
    }

    /// Scrub every registered value from `text` where it stands whole.
    pub fn text(&self, text: &str) -> String {
        let v = self.values.read().unwrap_or_else(|e| e.into_inner());
        let mut out = text.to_string();
        for (secret, kind) in v.strong.iter() {
            if let Some(r) = replace_whole(&out, secret, &format!("[redacted:{kind}]")) {
                out = r;
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
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            // JSON cut at the transcript cap (or broken): mask secret members
            // lexically, up to the end of the text when the value was cut.
            return self.text(&mask_json_text(body));
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
        t.cap();
    }
}

/// `"name": "value"` pairs of secret members in JSON text that may be cut
/// or broken: each (name, value) found, the value up to its closing quote or
/// the end of the text. Bounded: one pass per field name.
pub fn secret_members(text: &str) -> Vec<(&'static str, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    for field in SECRET_FIELDS {
        let quoted = format!("\"{field}\"");
        for (at, _) in text.match_indices(&quoted) {
            let mut i = at + quoted.len();
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= b.len() || b[i] != b':' {
                continue;
            }
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= b.len() || b[i] != b'"' {
                continue;
            }
            let start = i + 1;
            let mut j = start;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            out.push((*field, start..j.min(b.len())));
        }
    }
    out.sort_by_key(|(_, r)| r.start);
    out
}

/// Mask the values `secret_members` finds.
fn mask_json_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (_, r) in secret_members(text) {
        if r.start < last {
            continue;
        }
        out.push_str(&text[last..r.start]);
        out.push_str("[redacted]");
        last = r.end;
    }
    out.push_str(&text[last..]);
    out
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
