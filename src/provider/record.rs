//! Recording of every exchange (request and response) when `record` is on,
//! for judging consumers later. Memory is bounded: the newest `MAX_EXCHANGES`
//! are kept, and each body is cut at `MAX_RECORDED_BODY` bytes.

use super::state::Shared;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Mutex;

pub const MAX_EXCHANGES: usize = 2000;
pub const MAX_RECORDED_BODY: usize = 256 * 1024;

/// One request and the response the provider gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedExchange {
    /// RFC 3339 time the request arrived.
    pub timestamp: String,
    pub method: String,
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    /// Request body as text (lossy UTF-8), possibly cut.
    pub body: String,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
}

#[derive(Default)]
pub struct Recorder {
    items: Mutex<VecDeque<RecordedExchange>>,
}

impl Recorder {
    pub fn push(&self, e: RecordedExchange) {
        let mut q = self.items.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() == MAX_EXCHANGES {
            q.pop_front();
        }
        q.push_back(e);
    }

    pub fn all(&self) -> Vec<RecordedExchange> {
        let q = self.items.lock().unwrap_or_else(|e| e.into_inner());
        q.iter().cloned().collect()
    }
}

fn header_list(h: &axum::http::HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(&b[..b.len().min(MAX_RECORDED_BODY)]).into_owned()
}

/// Middleware: buffers request and response (within the body limit) and records them.
pub async fn record(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let Some(rec) = state.recorder.as_ref() else {
        return next.run(req).await;
    };
    let timestamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // Only buffer bodies whose size is known to be within the limit, so the
    // handler still sees (and can refuse) oversized or streamed bodies.
    let (req_text, body) = match declared {
        Some(n) if n <= super::MAX_BODY_BYTES => match axum::body::to_bytes(body, n).await {
            Ok(b) => (text(&b), Body::from(b)),
            Err(_) => (String::new(), Body::empty()),
        },
        Some(n) => (format!("<{n} bytes, not recorded>"), body),
        None if parts.method == axum::http::Method::GET => (String::new(), body),
        None => ("<streamed body, not recorded>".to_string(), body),
    };
    let method = parts.method.to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let headers = header_list(&parts.headers);
    let resp = next.run(Request::from_parts(parts, body)).await;
    let (rparts, rbody) = resp.into_parts();
    let bytes: Bytes = axum::body::to_bytes(rbody, usize::MAX)
        .await
        .unwrap_or_default();
    rec.push(RecordedExchange {
        timestamp,
        method,
        path,
        query,
        headers,
        body: req_text,
        status: rparts.status.as_u16(),
        response_headers: header_list(&rparts.headers),
        response_body: text(&bytes),
    });
    Response::from_parts(rparts, Body::from(bytes))
}
