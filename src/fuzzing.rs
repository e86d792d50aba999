//! What each fuzz target does with one input, in one place: the cargo-fuzz
//! targets in `fuzz/` call these, and `tests/fuzz_corpus.rs` replays every
//! committed corpus through them, so CI proves the corpora still run clean
//! without an instrumented build. Every function must never panic.

use crate::catalog::{Profile, Role};
use crate::credential::parse;
use crate::credential::proof::jwt;
use crate::credential::verify::{self, VerifyOptions};
use crate::evidence::Recorder;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Arbitrary bytes through the path `verify FILE` takes: decode, then every check, in both roles.
pub fn credential(data: &[u8]) {
    let Ok(doc) = parse::parse_document(data) else {
        return;
    };
    for role in [Role::Displayer, Role::Issuer] {
        let mut opts = VerifyOptions::new(role, Profile::clr());
        opts.now = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
        let mut rec = Recorder::new();
        verify::verify_document(&doc, &opts, &mut rec, "fuzz");
    }
}

/// Arbitrary text as a compact JWS / VC-JWT: decoding, offline key resolution, signature.
pub fn jws(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = jwt::verify_jwt(&text);
}

/// Arbitrary `Link` header values (RFC 8288) as the paging checks parse them.
pub fn link(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(links) = crate::suites::provider::paging::parse_link(&text) {
        for l in links {
            assert!(!l.target.contains('>'), "{:?}: target kept a '>'", l.target);
        }
    }
}

/// Arbitrary JSON as a Service Description Document: structure checks and the parser.
pub fn sdd(data: &[u8]) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let problems = crate::oauth::discovery::structure_problems(&v);
    if let Ok(sdd) = crate::oauth::discovery::parse(&v) {
        let _ = sdd.scopes.len();
    }
    let _ = problems.len();
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const ROUTES: &[&str] = &[
    "/ims/clr/v2p0/discovery",
    "/ims/clr/v2p0/credentials",
    "/ims/clr/v2p0/profile",
    "/oauth/register",
    "/oauth/authorize",
    "/oauth/token",
    "/oauth/revoke",
    "/terms",
    "/",
];
const TYPES: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/vc+jwt",
    "",
];

/// Keep only bytes that may appear in a request target.
fn target_bytes(b: &[u8]) -> String {
    b.iter()
        .map(|&c| {
            if c.is_ascii_graphic() {
                (c as char).to_string()
            } else {
                format!("%{c:02X}")
            }
        })
        .collect()
}

/// One raw HTTP/1.1 request to the reference provider at `addr` (`host:port`, plain
/// HTTP), built from the input: method, route, content type and authorization from
/// the first four bytes, then a route suffix and an authorization value up to a
/// newline each, then the body. The pure parsers the handlers use run on it too.
/// A panic in a handler task shows as the fuzz process aborting (libfuzzer's hook).
pub async fn provider(addr: &str, data: &[u8]) {
    if data.len() < 4 {
        return;
    }
    let method = METHODS[data[0] as usize % METHODS.len()];
    let route = ROUTES[data[1] as usize % ROUTES.len()];
    let ctype = TYPES[data[2] as usize % TYPES.len()];
    let auth = data[3] % 3;
    let rest = &data[4..];
    let (suffix, rest) = match rest.iter().position(|&c| c == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&rest[..0], rest),
    };
    let (authv, body) = match (auth, rest.iter().position(|&c| c == b'\n')) {
        (0, _) => (String::new(), rest),
        (_, Some(i)) => (target_bytes(&rest[..i]), &rest[i + 1..]),
        (_, None) => (String::new(), rest),
    };
    let text = String::from_utf8_lossy(body);
    let _ = crate::provider::api::profile::check_profile(
        &serde_json::from_str(&text).unwrap_or_default(),
    );
    let _ = crate::provider::api::credentials::parse_time(&text);
    let _ = crate::provider::oauth::subset(&text, &authv);
    let _ = crate::provider::oauth::authorize::escape(&text);

    let mut head = format!(
        "{method} {route}{} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n",
        target_bytes(suffix),
        body.len()
    );
    if !ctype.is_empty() {
        head.push_str(&format!("Content-Type: {ctype}\r\n"));
    }
    match auth {
        1 => head.push_str(&format!("Authorization: Bearer {authv}\r\n")),
        2 => head.push_str(&format!("Authorization: Basic {authv}\r\n")),
        _ => {}
    }
    head.push_str("\r\n");
    let Ok(mut s) = tokio::net::TcpStream::connect(addr).await else {
        return;
    };
    let _ = s.write_all(head.as_bytes()).await;
    let _ = s.write_all(body).await;
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
}
