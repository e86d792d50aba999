//! Small HTTP helpers shared by the OAuth and API handlers: method checks,
//! bounded body reading, random tokens, Basic auth and form parsing.

use super::MAX_BODY_BYTES;
use super::api::errors::{self, Minor};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use futures_util::StreamExt;
use rand::RngCore;
use std::collections::HashMap;

/// 405 with `Allow` and an Imsx_StatusInfo body unless `method` is allowed.
/// HEAD counts as GET.
pub fn allow(method: &Method, allowed: &[Method]) -> Result<(), Response> {
    let m = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    if allowed.contains(m) {
        return Ok(());
    }
    let mut names: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
    if allowed.contains(&Method::GET) {
        names.push("HEAD");
    }
    let list = names.join(", ");
    let mut resp = errors::status_info(
        StatusCode::METHOD_NOT_ALLOWED,
        Minor::NotAllowed,
        &format!("{method}: method not allowed here (allowed: {list})"),
    );
    if let Ok(v) = HeaderValue::from_str(&list) {
        resp.headers_mut().insert(header::ALLOW, v);
    }
    Err(resp)
}

/// How much of an oversized body is read and thrown away before the 413 is
/// sent, so the client sees the response instead of a broken pipe.
const DRAIN_CAP: u64 = 64 * 1024 * 1024;

/// Read a request body, refusing more than `MAX_BODY_BYTES` with 413.
pub async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, Response> {
    read_body_upto(headers, body, MAX_BODY_BYTES).await
}

/// Read a request body, refusing more than `cap` bytes with 413.
pub async fn read_body_upto(
    headers: &HeaderMap,
    body: Body,
    cap: usize,
) -> Result<Bytes, Response> {
    let max_body_bytes = cap;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let mut over = declared.is_some_and(|n| n > max_body_bytes as u64);
    let mut buf: Vec<u8> = Vec::new();
    let mut seen: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            errors::status_info(
                StatusCode::BAD_REQUEST,
                Minor::InvalidData,
                &format!("{e}: could not read request body"),
            )
        })?;
        seen += chunk.len() as u64;
        if seen > DRAIN_CAP {
            break;
        }
        if !over {
            if buf.len() + chunk.len() > max_body_bytes {
                over = true;
                buf = Vec::new();
            } else {
                buf.extend_from_slice(&chunk);
            }
        }
    }
    if over {
        return Err(errors::status_info(
            StatusCode::PAYLOAD_TOO_LARGE,
            Minor::InvalidData,
            &format!("request body larger than {max_body_bytes} bytes"),
        ));
    }
    Ok(Bytes::from(buf))
}

/// A fresh random token: 32 bytes, base64url without padding.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// A random password: 18 bytes, base64url.
pub fn random_password() -> String {
    let mut b = [0u8; 18];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// `(client_id, client_secret)` from an `Authorization: Basic` header.
/// RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
pub fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(rest.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((form_decode(id), form_decode(secret)))
}

/// The token of an `Authorization: Bearer` header.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") || rest.trim().is_empty() {
        return None;
    }
    Some(rest.trim().to_string())
}

fn form_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Parse an `application/x-www-form-urlencoded` body or query. A repeated
/// parameter is an error (RFC 6749 §3.1), reported as `Err(name)`.
pub fn parse_form(bytes: &[u8]) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(bytes) {
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(k.to_string());
        }
    }
    Ok(out)
}

/// Percent-decode `s` (invalid escapes are kept as they are).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A JSON response with the given status.
pub fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// The media type of a request without parameters, lowercased.
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decode_handles_edges() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%2"), "%2");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("x%41"), "xA");
    }

    #[test]
    fn basic_auth_decodes_form_encoding() {
        let mut h = HeaderMap::new();
        let v = format!("Basic {}", STANDARD.encode("a%3Ab:s+c"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(&v).unwrap());
        assert_eq!(basic_auth(&h), Some(("a:b".into(), "s c".into())));
    }

    #[test]
    fn repeated_form_parameter_is_refused() {
        assert_eq!(parse_form(b"a=1&a=2"), Err("a".into()));
        assert_eq!(parse_form(b"a=1&b=2").unwrap()["b"], "2");
    }
}
