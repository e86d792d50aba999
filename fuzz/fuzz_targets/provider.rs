//! The reference provider's request handlers, driven over loopback HTTP with
//! an arbitrary method, route suffix, headers and body (one provider started
//! once per fuzzing process, plain HTTP), plus the pure parsers they use.
//! A panic in any handler task aborts the process (libfuzzer's panic hook).
#![no_main]

use clr_conformance::catalog::Profile;
use clr_conformance::provider::{self, ProviderConfig, RunningProvider, TlsMode};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Live {
    rt: tokio::runtime::Runtime,
    addr: String,
    _provider: RunningProvider,
}

fn live() -> &'static Live {
    static LIVE: OnceLock<Live> = OnceLock::new();
    LIVE.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let mut cfg = ProviderConfig::new(Profile::clr());
        cfg.tls = TlsMode::PlainHttp;
        let p = rt.block_on(provider::start(cfg)).expect("provider starts");
        let addr = p
            .base_url()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Live {
            rt,
            addr,
            _provider: p,
        }
    })
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

fuzz_target!(|data: &[u8]| {
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
    let _ = clr_conformance::provider::api::profile::check_profile(
        &serde_json::from_str(&text).unwrap_or_default(),
    );
    let _ = clr_conformance::provider::api::credentials::parse_time(&text);
    let _ = clr_conformance::provider::oauth::subset(&text, &authv);
    let _ = clr_conformance::provider::oauth::authorize::escape(&text);

    let mut head = format!(
        "{method} {route}{} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        target_bytes(suffix),
        live().addr,
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
    let l = live();
    l.rt.block_on(async {
        let Ok(mut s) = tokio::net::TcpStream::connect(&l.addr).await else {
            return;
        };
        let _ = s.write_all(head.as_bytes()).await;
        let _ = s.write_all(body).await;
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    });
});
