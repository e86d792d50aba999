//! HTTP transcripts: the evidence behind every service-API verdict.
//!
//! A transcript is redacted when it is recorded (see `redact`), so nothing
//! downstream (reports, logs) ever holds a live secret.

use serde::{Deserialize, Serialize};

/// Bodies are kept up to this many bytes in a transcript.
pub const BODY_CAP: usize = 64 * 1024;
/// URLs (which carry target-chosen values such as a client_id) are kept up
/// to this many bytes.
pub const URL_CAP: usize = 8 * 1024;
/// Header values and labels are kept up to this many bytes.
pub const HEADER_CAP: usize = 8 * 1024;

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
    capture_body_upto(bytes, BODY_CAP)
}

/// Keep at most `cap` bytes of `bytes` as text. Callers that redact keep the
/// whole body (`usize::MAX`), redact, then `cap` the transcript: a secret
/// cut in two at the cap would otherwise escape redaction by value.
pub fn capture_body_upto(bytes: &[u8], cap: usize) -> (Option<String>, bool) {
    if bytes.is_empty() {
        return (None, false);
    }
    let cut = bytes.len() > cap;
    let slice = &bytes[..bytes.len().min(cap)];
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

/// `text` cut to at most `cap` bytes at a character boundary, with a marker
/// saying how long it was (marker included in the cap, so cutting again
/// changes nothing); true when it was cut.
pub fn cut(text: &str, cap: usize) -> (String, bool) {
    if text.len() <= cap {
        return (text.to_string(), false);
    }
    let mut end = cap.saturating_sub(48);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (
        format!("{}[... cut: {} bytes in all]", &text[..end], text.len()),
        true,
    )
}

fn cap_message(m: &mut Message) {
    for (k, v) in &mut m.headers {
        if k.len() > HEADER_CAP {
            *k = cut(k, HEADER_CAP).0;
        }
        if v.len() > HEADER_CAP {
            *v = cut(v, HEADER_CAP).0;
        }
    }
    if let Some(b) = &m.body
        && b.len() > BODY_CAP
    {
        m.body = Some(cut(b, BODY_CAP).0);
        m.truncated = true;
    }
}

impl Transcript {
    /// Cut every target-controlled size to its cap (after redaction).
    pub fn cap(&mut self) {
        if self.request.url.len() > URL_CAP {
            self.request.url = cut(&self.request.url, URL_CAP).0;
        }
        if self.label.len() > HEADER_CAP {
            self.label = cut(&self.label, HEADER_CAP).0;
        }
        if let Some(e) = &self.error
            && e.len() > HEADER_CAP
        {
            self.error = Some(cut(e, HEADER_CAP).0);
        }
        cap_message(&mut self.request.message);
        if let Some(r) = &mut self.response {
            cap_message(&mut r.message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_marks_the_length_and_keeps_characters_whole() {
        let (s, c) = cut(&"é".repeat(100), 53);
        assert!(c);
        assert!(s.starts_with("éé[... cut: 200 bytes"), "{s}");
        assert!(s.len() <= 53);
        assert_eq!(cut(&s, 53), (s.clone(), false));
        assert_eq!(cut("short", 10), ("short".to_string(), false));
    }
}
