//! HTTP transcripts: the evidence behind every service-API verdict.
//!
//! A transcript is redacted when it is recorded (see `redact`), so nothing
//! downstream (reports, logs) ever holds a live secret.

use serde::{Deserialize, Serialize};

/// Bodies are kept up to this many bytes in a transcript.
pub const BODY_CAP: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// True when `body` was cut at `BODY_CAP` (or was not text).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    pub url: String,
    #[serde(flatten)]
    pub message: Message,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    #[serde(flatten)]
    pub message: Message,
    pub elapsed_ms: u64,
}

/// One HTTP exchange (or the attempt, when it failed before a response).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// Assigned by the recorder (`tx-0001`).
    #[serde(default)]
    pub id: String,
    /// What the exchange was for, e.g. "getCredentials limit=1 offset=0".
    pub label: String,
    pub request: Request,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Keep at most `BODY_CAP` bytes of `bytes` as text.
pub fn capture_body(bytes: &[u8]) -> (Option<String>, bool) {
    if bytes.is_empty() {
        return (None, false);
    }
    let cut = bytes.len() > BODY_CAP;
    let slice = &bytes[..bytes.len().min(BODY_CAP)];
    match std::str::from_utf8(slice) {
        Ok(s) => (Some(s.to_string()), cut),
        Err(e) if cut && e.error_len().is_none() => {
            // The cap fell inside a multi-byte character.
            let s = std::str::from_utf8(&slice[..e.valid_up_to()]).unwrap_or_default();
            (Some(s.to_string()), true)
        }
        Err(_) => (
            Some(format!("[{} bytes of binary data]", bytes.len())),
            true,
        ),
    }
}
