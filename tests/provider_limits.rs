//! The reference provider survives its users: each case is a hostile use
//! reproduced on loopback (held connections at a lowered fd limit, SIGTERM,
//! a registration flood, a huge `limit`, one client spending the discovery
//! rate limit, world-readable data files), bounded in time, with the
//! provider still serving honest requests afterwards.

use clr_conformance::catalog::Profile;
use clr_conformance::provider::{self, ProviderConfig, RunningProvider, TlsMode};
use serde_json::{Value, json};
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::net::IpAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_clr-conformance");

fn bounded<F: Future<Output = ()>>(secs: u64, f: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(secs), f)
                .await
                .expect("test exceeded its time limit");
        });
}

/// A plain-HTTP client (the provider is started without TLS here), from `from`.
fn client(from: Option<IpAddr>) -> reqwest::Client {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    let mut b = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30));
    if let Some(ip) = from {
        b = b.local_address(ip);
    }
    b.build().unwrap()
}

async fn start(cfg: impl FnOnce(&mut ProviderConfig)) -> RunningProvider {
    let mut c = ProviderConfig::new(Profile::clr());
    c.tls = TlsMode::PlainHttp;
    cfg(&mut c);
    provider::start(c).await.expect("provider starts")
}

fn registration() -> Value {
    json!({
        "client_name": "Flood",
        "client_uri": "https://client.example/",
        "logo_uri": "https://client.example/logo.png",
        "tos_uri": "https://client.example/tos",
        "policy_uri": "https://client.example/privacy",
        "software_id": "c5a0ce5f-0000-4000-8000-000000000009",
        "software_version": "1.0",
        "redirect_uris": ["https://client.example/cb"],
        "scope": Profile::clr().all_scopes().join(" "),
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
        "contacts": ["dev@client.example"]
    })
}

/// Open registration: an oversized body is refused with 413, and one client
/// IP gets 429 past its budget while another still registers.
#[test]
fn a_registration_flood_is_bounded_per_client() {
    bounded(60, async {
        let p = start(|c| c.limits.registrations_per_minute = 5).await;
        let url = format!("{}/oauth/register", p.base_url());
        let c = client(None);
        let mut big = registration();
        big["client_name"] = json!("x".repeat(200 * 1024));
        let r = c.post(&url).json(&big).send().await.unwrap();
        assert_eq!(r.status(), 413, "a 200 KiB registration was taken");
        let mut codes = Vec::new();
        for _ in 0..8 {
            codes.push(
                c.post(&url)
                    .json(&registration())
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16(),
            );
        }
        assert!(
            codes[..4].iter().all(|s| *s == 201 || *s == 200),
            "{codes:?}"
        );
        let r429 = codes.iter().filter(|s| **s == 429).count();
        assert!(r429 >= 2, "no rate limit on registration: {codes:?}");
        // Another client address is not held back by the first one's flood.
        let other = client(Some([127, 0, 0, 2].into()));
        let r = other.post(&url).json(&registration()).send().await.unwrap();
        assert!(r.status().is_success(), "127.0.0.2 starved: {}", r.status());
        p.shutdown().await;
    });
}

/// One client spending the whole discovery burst does not starve another.
#[test]
fn one_client_cannot_starve_discovery_for_others() {
    bounded(120, async {
        let p = start(|_| {}).await;
        let url = p.discovery_url();
        let greedy = client(None);
        let mut limited = false;
        for _ in 0..400 {
            if greedy.get(&url).send().await.unwrap().status() == 429 {
                limited = true;
                break;
            }
        }
        assert!(limited, "discovery is not rate limited at all");
        let other = client(Some([127, 0, 0, 2].into()));
        let r = other.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200, "127.0.0.2 starved by 127.0.0.1");
        p.shutdown().await;
    });
}

/// `limit=2147483647` is served as the documented cap, and the links page on
/// with that cap.
#[test]
fn a_huge_limit_is_capped() {
    bounded(60, async {
        let p = start(|_| {}).await;
        let sdd: Value = client(None)
            .get(p.discovery_url())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            sdd["info"]["description"]
                .as_str()
                .is_some_and(|d| d.contains("at most 1000 credentials per page")),
            "the cap is not stated in the SDD"
        );
        // A token: the seeded user's login, the short way (register, authorize, exchange).
        let base = p.base_url().to_string();
        let c = client(None);
        let reg: Value = c
            .post(format!("{base}/oauth/register"))
            .json(&registration())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let (id, secret) = (
            reg["client_id"].as_str().unwrap().to_string(),
            reg["client_secret"].as_str().unwrap().to_string(),
        );
        let user = p.users()[0].clone();
        let scope = Profile::clr().all_scopes().join(" ");
        let verifier = "v".repeat(50);
        use base64::Engine;
        use sha2::Digest;
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()));
        let params = [
            ("response_type", "code"),
            ("client_id", id.as_str()),
            ("redirect_uri", "https://client.example/cb"),
            ("scope", scope.as_str()),
            ("state", "s"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("username", user.username.as_str()),
            ("password", user.password.as_str()),
            ("consent", "approve"),
        ];
        let r = c
            .post(format!("{base}/oauth/authorize"))
            .form(&params)
            .send()
            .await
            .unwrap();
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        let code = url::Url::parse(&loc)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .expect("code");
        let tok: Value = c
            .post(format!("{base}/oauth/token"))
            .basic_auth(&id, Some(&secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", "https://client.example/cb"),
                ("code_verifier", verifier.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let access = tok["access_token"].as_str().expect("token").to_string();
        let r = c
            .get(format!("{}/credentials?limit=2147483647", p.api_base()))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let link = r
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(link.contains("limit=1000&"), "links not capped: {link}");
        assert!(!link.contains("2147483647"), "{link}");
        p.shutdown().await;
    });
}

/// A temp folder left by a provider killed with `kill -9` is removed when
/// the next provider starts; a live process's folder is kept.
#[cfg(target_os = "linux")]
#[test]
fn a_killed_providers_temp_folder_is_removed_at_the_next_start() {
    bounded(60, async {
        let mut gone = Command::new("true").spawn().expect("true runs");
        let dead = gone.id();
        gone.wait().unwrap();
        let stale = std::env::temp_dir().join(format!("clr-conformance-provider-{dead}-stale"));
        let live = std::env::temp_dir().join(format!(
            "clr-conformance-provider-{}-live-test",
            std::process::id()
        ));
        // Built under another name and renamed into place: any provider
        // starting meanwhile (other tests run in parallel) may clean it up,
        // but never half-made.
        let prep = std::env::temp_dir().join(format!("clr-limits-prep-{dead}"));
        let _ = std::fs::remove_dir_all(&prep);
        std::fs::create_dir_all(&prep).unwrap();
        std::fs::write(prep.join("db.sqlite"), "x").unwrap();
        let _ = std::fs::remove_dir_all(&stale);
        std::fs::rename(&prep, &stale).unwrap();
        std::fs::create_dir_all(&live).unwrap();
        let p = start(|_| {}).await;
        assert!(!stale.exists(), "the dead provider's folder is still there");
        assert!(live.exists(), "a live process's folder was removed");
        p.shutdown().await;
        let _ = std::fs::remove_dir_all(&live);
    });
}

/// The database (tokens, client secrets) is readable by its owner only.
#[cfg(unix)]
#[test]
fn data_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    bounded(60, async {
        let dir = std::env::temp_dir().join(format!("clr-limits-data-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let data = dir.clone();
        let p = start(move |c| c.data = Some(data)).await;
        // A write, so the WAL exists too.
        let _ = client(None)
            .post(format!("{}/oauth/register", p.base_url()))
            .json(&registration())
            .send()
            .await
            .unwrap();
        let mode =
            |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700, "data folder");
        for f in ["db.sqlite", "db.sqlite-wal", "db.sqlite-shm"] {
            let path = dir.join(f);
            if path.exists() {
                assert_eq!(mode(&path), 0o600, "{f}");
            } else {
                assert_ne!(f, "db.sqlite", "no database file");
            }
        }
        p.shutdown().await;
        let _ = std::fs::remove_dir_all(&dir);
    });
}

/// `serve` at a file-descriptor limit of 64, with 150 connections held open
/// and silent: it keeps serving (held connections time out, accept errors
/// are backed off), and SIGTERM stops it with its temp folders removed.
#[cfg(unix)]
#[test]
fn held_connections_at_a_low_fd_limit_then_sigterm() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let script = format!(
        "ulimit -n 64 && exec {BIN} serve --plain-http --bind 127.0.0.1:{port} --max-connections 16 --header-timeout 1s --idle-timeout 2s"
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = Instant::now();
    for line in lines.by_ref() {
        if line.expect("stdout").contains("Press Ctrl-C") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "serve did not start"
        );
    }
    let outcome = std::panic::catch_unwind(|| {
        bounded(90, async move {
            let mut held = Vec::new();
            for _ in 0..150 {
                if let Ok(s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
                    held.push(s);
                }
            }
            let url = format!("http://127.0.0.1:{port}/ims/clr/v2p0/discovery");
            let r = client(None).get(&url).send().await;
            let status = r
                .as_ref()
                .map(|r| r.status().as_u16())
                .map_err(|e| e.to_string());
            assert_eq!(
                status,
                Ok(200),
                "an honest request failed behind 150 held connections"
            );
            drop(held);
        })
    });
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
    let waited = Instant::now();
    let exited = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if waited.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if let Err(e) = outcome {
        std::panic::resume_unwind(e);
    }
    assert!(exited.is_some(), "serve ignored SIGTERM for 20 s");
    let left: Vec<String> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with(&format!("clr-conformance-provider-{pid}-"))
                || *n == format!("clr-conformance-serve-{pid}")
        })
        .collect();
    assert!(left.is_empty(), "left after SIGTERM: {left:?}");
}
