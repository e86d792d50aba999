//! The harness against hostile targets: a small misbehaving loopback server
//! (plain tokio, TLS through tokio-rustls) answers every request badly in one
//! way, and the real binary is run against it with `run --target`. Each case
//! must end within its deadlines, with bounded memory, with a finding naming
//! the problem and a report on disk; a redirect to another host must not
//! carry the token there.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN: &str = "hostile-live-token-4f1c9b27d0";
const BIN: &str = env!("CARGO_BIN_EXE_clr-conformance");
/// Per-request timeout and total deadline given to every run.
const TIMEOUT: &str = "2s";
const DEADLINE_SECS: u64 = 12;
/// A run that has not exited this long after its deadline is killed and fails the test.
const GRACE: Duration = Duration::from_secs(20);
/// Peak resident memory a run may reach (debug build, 8 MiB body cap).
const MAX_RSS_KB: u64 = 192 * 1024;

/// How the server misbehaves.
#[derive(Clone, Copy, Debug)]
enum Bad {
    /// Headers, then one body byte per second, forever.
    Drip,
    /// A 1 GiB body, produced lazily in 64 KiB chunks.
    Huge,
    /// `application/json` that is not JSON.
    Malformed,
    /// 10,000 nested arrays.
    Deep,
    /// JSON labelled `text/html`.
    WrongType,
    /// JSON with no Content-Type at all.
    NoType,
    /// 302 to the same URL.
    Loop,
    /// 302 to another host (the port of a recording server on 127.0.0.2).
    Elsewhere(u16),
    /// Half the promised body, then a TCP reset.
    Reset,
    /// A plain, valid-looking JSON answer (the TLS cases use it).
    Fine,
    /// `Fine` for discovery, `Drip` for everything else.
    DripAfterDiscovery,
}

/// What a server saw: the raw request heads it received.
type Seen = Arc<Mutex<Vec<String>>>;

/// Serve `bad` on `ip`, optionally over TLS; returns the port and the requests seen.
async fn serve(ip: &str, bad: Bad, tls: Option<tokio_rustls::TlsAcceptor>) -> (u16, Seen) {
    let l = TcpListener::bind(format!("{ip}:0")).await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    let seen: Seen = Arc::default();
    let s2 = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = l.accept().await else {
                return;
            };
            let seen = s2.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                match tls {
                    Some(acc) => {
                        if let Ok(s) = acc.accept(sock).await {
                            let _ = answer(s, bad, port, &seen).await;
                        }
                    }
                    None => {
                        let _ = sock.set_nodelay(true);
                        let _ = answer(sock, bad, port, &seen).await;
                    }
                }
            });
        }
    });
    (port, seen)
}

async fn answer<S>(mut s: S, bad: Bad, port: u16, seen: &Seen) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + AsSocket,
{
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
        let n = s.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let path = text.split(' ').nth(1).unwrap_or("/").to_string();
    seen.lock().expect("lock").push(text);
    let json = |ct: Option<&str>, body: &str| {
        let ct = ct
            .map(|c| format!("content-type: {c}\r\n"))
            .unwrap_or_default();
        format!(
            "HTTP/1.1 200 OK\r\n{ct}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let sdd_like = r#"{"openapi":"3.0.1","info":{"title":"x"}}"#;
    let bad = match bad {
        Bad::DripAfterDiscovery if path.ends_with("/discovery") => Bad::Fine,
        Bad::DripAfterDiscovery => Bad::Drip,
        b => b,
    };
    match bad {
        Bad::Drip => {
            s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{")
                .await?;
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                s.write_all(b" ").await?;
                s.flush().await?;
            }
        }
        Bad::Huge => {
            let total: u64 = 1 << 30;
            s.write_all(
                format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {total}\r\n\r\n")
                    .as_bytes(),
            )
            .await?;
            let chunk = vec![b'['; 64 * 1024];
            let mut sent = 0u64;
            while sent < total {
                s.write_all(&chunk).await?;
                sent += chunk.len() as u64;
            }
        }
        Bad::Malformed => {
            let r = json(
                Some("application/json"),
                r#"{"openapi": "3.0.1", "info": {"#,
            );
            s.write_all(r.as_bytes()).await?;
        }
        Bad::Deep => {
            let body = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
            s.write_all(json(Some("application/json"), &body).as_bytes())
                .await?;
        }
        Bad::WrongType => {
            s.write_all(json(Some("text/html"), sdd_like).as_bytes())
                .await?
        }
        Bad::NoType => s.write_all(json(None, sdd_like).as_bytes()).await?,
        Bad::Loop => {
            let r = format!(
                "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{port}{path}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            s.write_all(r.as_bytes()).await?;
        }
        Bad::Elsewhere(other) => {
            let r = format!(
                "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.2:{other}{path}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            s.write_all(r.as_bytes()).await?;
        }
        Bad::Reset => {
            s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n{\"openapi\": \"3.0")
                .await?;
            s.flush().await?;
            s.reset();
            return Ok(());
        }
        Bad::Fine | Bad::DripAfterDiscovery => {
            s.write_all(json(Some("application/json"), sdd_like).as_bytes())
                .await?
        }
    }
    s.flush().await?;
    s.shutdown().await
}

/// Streams that can be torn down with a TCP reset (SO_LINGER 0).
trait AsSocket {
    fn reset(&mut self);
}

impl AsSocket for tokio::net::TcpStream {
    fn reset(&mut self) {
        let _ = self.set_zero_linger();
    }
}

impl AsSocket for tokio_rustls::server::TlsStream<tokio::net::TcpStream> {
    fn reset(&mut self) {
        let _ = self.get_ref().0.set_zero_linger();
    }
}

/// A finished run: exit code, report, output, time, peak memory.
struct Outcome {
    code: Option<i32>,
    report: serde_json::Value,
    stderr: String,
    elapsed: Duration,
    rss_kb: Option<u64>,
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("clr-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

/// Run the binary against `url` with a token login; kill it if it overstays.
fn run(name: &str, url: &str, extra: &[&str]) -> Outcome {
    let dir = scratch(name);
    let cfg = dir.join("target.toml");
    std::fs::write(
        &cfg,
        "system_roots = false\n[login]\nstrategy = \"token\"\naccess_token_env = \"CLR_HOSTILE_TOKEN\"\n",
    )
    .expect("config");
    let out = dir.join("out");
    let rss = dir.join("rss");
    let timed = Path::new("/usr/bin/time").exists();
    let mut cmd = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&rss).arg(BIN);
        c
    } else {
        eprintln!("note: /usr/bin/time absent; peak memory not measured");
        Command::new(BIN)
    };
    // The hostile targets are plain http on loopback: --allow-http says so.
    cmd.args(["run", "--allow-http", "--target", url, "--config"])
        .arg(&cfg)
        .args(["--timeout", TIMEOUT, "--deadline"])
        .arg(format!("{DEADLINE_SECS}s"))
        .arg("--out")
        .arg(&out)
        .args(extra)
        .env("CLR_HOSTILE_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("binary starts");
    let limit = Duration::from_secs(DEADLINE_SECS) + GRACE;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name}: still running after {limit:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = started.elapsed();
    let output = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let text = std::fs::read_to_string(out.join("report.json"))
        .unwrap_or_else(|e| panic!("{name}: no report.json ({e}); stderr:\n{stderr}"));
    let report: serde_json::Value = serde_json::from_str(&text).expect("report.json parses");
    let rss_kb = std::fs::read_to_string(&rss)
        .ok()
        .and_then(|t| t.trim().lines().last()?.trim().parse().ok());
    Outcome {
        code: status.code(),
        report,
        stderr,
        elapsed,
        rss_kb,
    }
}

impl Outcome {
    /// The outcome and reason of requirement `id`.
    fn row(&self, id: &str) -> (String, String) {
        let r = self.report["requirements"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["id"] == id))
            .unwrap_or_else(|| panic!("{id}: no row"));
        (
            r["outcome"].as_str().unwrap_or_default().to_string(),
            r["reason"].as_str().unwrap_or_default().to_string(),
        )
    }

    /// Every transcript error and header note, lowercased, for matching.
    fn problems(&self) -> String {
        let mut s = String::new();
        for t in self.report["transcripts"].as_array().into_iter().flatten() {
            s.push_str(t["error"].as_str().unwrap_or_default());
            s.push('\n');
        }
        for n in self.report["header"]["notes"]
            .as_array()
            .into_iter()
            .flatten()
        {
            s.push_str(n.as_str().unwrap_or_default());
            s.push('\n');
        }
        s.to_lowercase()
    }

    /// Bounded in time and memory, a report with no pass on discovery, and
    /// no copy of the token anywhere.
    fn judged(&self, name: &str) {
        let bound = Duration::from_secs(DEADLINE_SECS) + Duration::from_secs(5);
        assert!(
            self.elapsed < bound,
            "{name}: took {:?} (deadline {DEADLINE_SECS}s)",
            self.elapsed
        );
        if let Some(kb) = self.rss_kb {
            println!("{name}: peak memory {kb} KiB");
            assert!(kb < MAX_RSS_KB, "{name}: peak memory {kb} KiB");
        }
        assert!(
            matches!(self.code, Some(1 | 3)),
            "{name}: exit {:?}; stderr:\n{}",
            self.code,
            self.stderr
        );
        let (o, why) = self.row("discovery.status-200-json");
        eprintln!(
            "{name}: exit {:?} after {:?}, peak {:?} KiB; discovery {o}: {why}",
            self.code, self.elapsed, self.rss_kb
        );
        assert!(
            o == "fail" || o == "error",
            "{name}: discovery judged {o}: {why}"
        );
        let all = serde_json::to_string(&self.report).expect("json");
        assert!(!all.contains(TOKEN), "{name}: token in the report");
        assert!(!self.stderr.contains(TOKEN), "{name}: token on stderr");
    }
}

async fn plain(bad: Bad) -> String {
    let (port, _) = serve("127.0.0.1", bad, None).await;
    format!("http://127.0.0.1:{port}")
}

/// Run the blocking binary off the async runtime that serves the target.
async fn run_async(name: &'static str, url: String, extra: &'static [&'static str]) -> Outcome {
    tokio::task::spawn_blocking(move || run(name, &url, extra))
        .await
        .expect("runner")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_drip_is_cut_by_the_timeout() {
    let o = run_async("drip", plain(Bad::Drip).await, &[]).await;
    o.judged("drip");
    let (_, why) = o.row("discovery.status-200-json");
    assert!(
        why.contains("timeout") || o.problems().contains("timeout"),
        "drip: {why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gigabyte_body_is_cut_at_the_cap() {
    let o = run_async("huge", plain(Bad::Huge).await, &[]).await;
    o.judged("huge");
    assert!(o.problems().contains("limit"), "huge: {}", o.problems());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_deep_json_are_findings() {
    for (name, bad) in [("malformed", Bad::Malformed), ("deep", Bad::Deep)] {
        let o = run_async(name, plain(bad).await, &[]).await;
        o.judged(name);
        let (outcome, why) = o.row("discovery.status-200-json");
        assert_eq!(outcome, "fail", "{name}: {why}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_and_missing_content_types_fail() {
    for (name, bad) in [("wrong-type", Bad::WrongType), ("no-type", Bad::NoType)] {
        let o = run_async(name, plain(bad).await, &[]).await;
        o.judged(name);
        let (outcome, why) = o.row("discovery.status-200-json");
        assert_eq!(outcome, "fail", "{name}: {why}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_loops_are_not_followed() {
    let (port, seen) = serve("127.0.0.1", Bad::Loop, None).await;
    let o = run_async("loop", format!("http://127.0.0.1:{port}"), &[]).await;
    o.judged("loop");
    let n = seen.lock().expect("lock").len();
    assert!(n < 100, "loop: {n} requests: the loop was followed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_host_carries_no_token() {
    let (other, elsewhere) = serve("127.0.0.2", Bad::Fine, None).await;
    let (port, here) = serve("127.0.0.1", Bad::Elsewhere(other), None).await;
    let o = run_async("elsewhere", format!("http://127.0.0.1:{port}"), &[]).await;
    o.judged("elsewhere");
    let here = here.lock().expect("lock").clone();
    assert!(
        here.iter().any(|h| h.contains(TOKEN)),
        "the token was never sent to the target itself, so the test proves nothing: {here:#?}"
    );
    for h in elsewhere.lock().expect("lock").iter() {
        let lower = h.to_lowercase();
        assert!(!lower.contains("authorization"), "leaked header:\n{h}");
        assert!(!h.contains(TOKEN), "leaked token:\n{h}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_mid_body_is_an_error() {
    let o = run_async("reset", plain(Bad::Reset).await, &[]).await;
    o.judged("reset");
    let (outcome, why) = o.row("discovery.status-200-json");
    assert_eq!(outcome, "error", "reset: {why}");
}

/// A CA, and a leaf for 127.0.0.1 signed by it (expired when asked).
struct Pki {
    ca_pem: String,
    acceptor: tokio_rustls::TlsAcceptor,
}

fn pki(expired: bool) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().expect("leaf key");
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("leaf params");
    if expired {
        leaf.not_before = rcgen::date_time_ymd(2020, 1, 1);
        leaf.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).expect("leaf cert");
    let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).expect("key");
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(vec![leaf_cert.der().clone()], key)
    .expect("server config");
    Pki {
        ca_pem: ca_cert.pem(),
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(cfg)),
    }
}

async fn tls_target(expired: bool) -> (String, PathBuf, Seen) {
    let p = pki(expired);
    let (port, seen) = serve("127.0.0.1", Bad::Fine, Some(p.acceptor)).await;
    let ca = scratch(if expired { "ca-expired" } else { "ca-valid" }).join("ca.pem");
    std::fs::write(&ca, p.ca_pem).expect("ca file");
    (format!("https://127.0.0.1:{port}"), ca, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_and_expired_certificates_are_refused() {
    // Control: the same server with its CA trusted is reached.
    let (url, ca, seen) = tls_target(false).await;
    let ca_s = ca.to_string_lossy().to_string();
    let ok = tokio::task::spawn_blocking(move || run("tls-trusted", &url, &["--trust-ca", &ca_s]))
        .await
        .expect("runner");
    assert!(
        !seen.lock().expect("lock").is_empty(),
        "trusted TLS: no request arrived: {}",
        ok.stderr
    );

    let (url, _, seen) = tls_target(false).await;
    let o = run_async("tls-untrusted", url, &[]).await;
    o.judged("tls-untrusted");
    assert!(o.problems().contains("tls"), "{}", o.problems());
    assert!(
        seen.lock().expect("lock").is_empty(),
        "untrusted: a request got through"
    );

    let (url, ca, seen) = tls_target(true).await;
    let ca_s = ca.to_string_lossy().to_string();
    let o = tokio::task::spawn_blocking(move || run("tls-expired", &url, &["--trust-ca", &ca_s]))
        .await
        .expect("runner");
    o.judged("tls-expired");
    assert!(o.problems().contains("expired"), "{}", o.problems());
    assert!(
        seen.lock().expect("lock").is_empty(),
        "expired: a request got through"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insecure_connects_and_says_so_in_the_report() {
    let (url, _, seen) = tls_target(true).await;
    let o = run_async("tls-insecure", url, &["--insecure"]).await;
    assert!(
        !seen.lock().expect("lock").is_empty(),
        "--insecure did not connect"
    );
    assert!(
        o.problems().contains("--insecure"),
        "no loud note: {}",
        o.problems()
    );
}

/// Ctrl-C in the middle of a run: the report is still written, marked
/// interrupted, with the finished checks kept and the rest not-run; exit 130.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_writes_an_interrupted_report() {
    let (port, seen) = serve("127.0.0.1", Bad::DripAfterDiscovery, None).await;
    let dir = scratch("sigint");
    let cfg = dir.join("target.toml");
    std::fs::write(
        &cfg,
        "system_roots = false\n[login]\nstrategy = \"token\"\naccess_token_env = \"CLR_HOSTILE_TOKEN\"\n",
    )
    .expect("config");
    let out = dir.join("out");
    let mut child = Command::new(BIN)
        .args([
            "run",
            "--allow-http",
            "--target",
            &format!("http://127.0.0.1:{port}"),
            "--config",
        ])
        .arg(&cfg)
        .args(["--timeout", "60s", "--deadline", "120s", "--out"])
        .arg(&out)
        .env("CLR_HOSTILE_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    // Wait until a request after discovery is hanging on the drip.
    let started = Instant::now();
    while seen.lock().expect("lock").len() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the run never got past discovery"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(sent.success(), "kill -INT {pid} failed");
    let stopped = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if stopped.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            panic!("still running 15s after SIGINT");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let output = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(status.code(), Some(130), "exit status; stderr:\n{stderr}");
    let text = std::fs::read_to_string(out.join("report.json")).expect("report.json written");
    let r: serde_json::Value = serde_json::from_str(&text).expect("report parses");
    assert_eq!(r["header"]["interrupted"], true);
    assert_eq!(r["exit_code"], 130);
    let rows = r["requirements"].as_array().expect("rows");
    let outcome = |id: &str| {
        rows.iter()
            .find(|x| x["id"] == id)
            .and_then(|x| x["outcome"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    // Discovery finished before the signal: its verdicts are kept.
    assert_eq!(outcome("discovery.status-200-json"), "pass", "{text}");
    let not_run = rows.iter().filter(|x| x["outcome"] == "not-run").count();
    assert!(not_run > 10, "only {not_run} rows not-run");
    assert!(
        rows.iter().all(|x| !x["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("interrupted (SIGINT)")),
        "an interrupted check was reported as judged"
    );
    assert!(text.contains("interrupted (SIGINT)"), "no note says why");
    for f in ["report.md", "report.html", "junit.xml"] {
        let t = std::fs::read_to_string(out.join(f)).expect(f);
        assert!(
            t.contains("exit 130 (interrupted)"),
            "{f} does not say exit 130 (interrupted)"
        );
    }
}

/// Run `verify` with `args` under /usr/bin/time; kill it after `limit`.
/// (exit code, report.json, peak KiB, elapsed)
fn verify(
    name: &str,
    args: &[&std::ffi::OsStr],
    limit: Duration,
) -> (Option<i32>, serde_json::Value, Option<u64>, Duration) {
    let dir = scratch(name);
    let out = dir.join("out");
    let rss = dir.join("rss");
    let timed = Path::new("/usr/bin/time").exists();
    let mut cmd = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&rss).arg(BIN);
        c
    } else {
        Command::new(BIN)
    };
    cmd.args(["verify", "--quiet", "--format", "json", "--out"])
        .arg(&out)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("binary starts");
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name}: verify still running after {limit:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = started.elapsed();
    let stderr = child
        .wait_with_output()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(out.join("report.json"))
        .unwrap_or_else(|e| panic!("{name}: no report.json ({e}); stderr:\n{stderr}"));
    let rss_kb = std::fs::read_to_string(&rss)
        .ok()
        .and_then(|t| t.trim().lines().last()?.trim().parse().ok());
    eprintln!(
        "{name}: exit {:?} after {elapsed:?}, peak {rss_kb:?} KiB",
        status.code()
    );
    (
        status.code(),
        serde_json::from_str(&text).expect("report parses"),
        rss_kb,
        elapsed,
    )
}

/// A baked PNG of 200 compressed credential iTXt chunks, each inflating to
/// 16 MiB (3.2 GB in all from a 3 MB file): one chunk is inflated within one
/// budget, the rest counted, and the report says there are too many.
#[test]
fn a_zip_bomb_png_is_inflated_within_one_budget() {
    use std::io::Write;
    let dir = scratch("png-bomb-input");
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(br#"{"@context": ["https://www.w3.org/ns/credentials/v2"]}"#)
        .unwrap();
    let block = vec![b' '; 1024 * 1024];
    for _ in 0..15 {
        z.write_all(&block).unwrap();
    }
    let packed = z.finish().unwrap();
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]); // CRC, not checked
        c
    };
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]));
    let mut itxt = b"openbadgecredential\0\x01\0\0\0".to_vec();
    itxt.extend_from_slice(&packed);
    for _ in 0..200 {
        png.extend(chunk(b"iTXt", &itxt));
    }
    png.extend(chunk(b"IEND", &[]));
    let file = dir.join("bomb.png");
    std::fs::write(&file, &png).unwrap();
    eprintln!("bomb.png: {} bytes", png.len());
    let (code, report, rss, _) = verify("png-bomb", &[file.as_os_str()], Duration::from_secs(120));
    assert!(matches!(code, Some(1 | 3)), "exit {code:?}");
    if let Some(kb) = rss {
        assert!(kb < MAX_RSS_KB, "peak memory {kb} KiB");
    }
    let all = report.to_string();
    let row = report["requirements"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["id"] == "data.baked.png"))
        .map(|r| r.to_string())
        .unwrap_or_default();
    assert!(
        all.contains("200 credential iTXt chunks"),
        "the chunk count is not reported: {row}"
    );
}

/// A folder with two symlink loops and a FIFO named like a credential: the
/// walk ends, the FIFO is skipped with a finding naming it.
#[cfg(unix)]
#[test]
fn symlink_loops_and_a_fifo_do_not_hang_a_folder_walk() {
    let dir = scratch("walk-input");
    let root = dir.join("in");
    std::fs::create_dir_all(root.join("a/b")).unwrap();
    std::os::unix::fs::symlink("..", root.join("a/b/up")).unwrap();
    std::os::unix::fs::symlink(&root, root.join("a/root")).unwrap();
    std::fs::write(root.join("a/one.json"), "{\"not\": \"a credential\"}").unwrap();
    let fifo = root.join("x.json");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
    let (code, report, _, _) = verify("walk", &[root.as_os_str()], Duration::from_secs(60));
    assert!(matches!(code, Some(1 | 3)), "exit {code:?}");
    let all = report.to_string();
    assert!(
        all.contains("x.json") && all.contains("not a regular file"),
        "the FIFO is not reported"
    );
    assert!(all.contains("already walked"), "the loop is not reported");
}
