//! No secret reaches an artifact. The reference provider is started here
//! with recording on, the real binary judges it over TLS (`run --target`,
//! its CA trusted, a form login), and every live secret the provider handed
//! out or received (access and refresh tokens, client secrets, authorization
//! codes, PKCE verifiers, the password) plus the learner's e-mail address is
//! searched for, raw and percent-encoded, in all four report formats,
//! stdout and stderr.

use clr_conformance::catalog::Profile;
use clr_conformance::provider::{self, ProviderConfig, RecordedExchange};
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_clr-conformance");
const EMAIL: &str = "learner@example.edu";

/// (kind, value) pairs of every secret visible in the provider's recording.
fn live_secrets(rec: &[RecordedExchange]) -> BTreeSet<(&'static str, String)> {
    let mut out = BTreeSet::new();
    let fields = [
        ("access_token", "access token"),
        ("refresh_token", "refresh token"),
        ("client_secret", "client secret"),
        ("code", "authorization code"),
        ("code_verifier", "code verifier"),
        ("password", "password"),
    ];
    let mut take = |k: &str, v: &str| {
        if let Some((_, kind)) = fields.iter().find(|(f, _)| *f == k)
            && v.len() >= 6
        {
            out.insert((*kind, v.to_string()));
        }
    };
    for e in rec {
        for text in [&e.body, &e.response_body] {
            // Bodies cut at the recording cap no longer parse: scan them.
            for (k, r) in clr_conformance::evidence::redact::secret_members(text) {
                take(k, &text[r]);
            }
            if let Ok(serde_json::Value::Object(m)) = serde_json::from_str(text) {
                for (k, v) in &m {
                    if let Some(s) = v.as_str() {
                        take(k, s);
                    }
                }
            }
            for (k, v) in url::form_urlencoded::parse(text.as_bytes()) {
                take(&k, &v);
            }
        }
        for (k, v) in &e.response_headers {
            if k.eq_ignore_ascii_case("location")
                && let Ok(u) = url::Url::parse(v)
            {
                for (k, v) in u.query_pairs() {
                    take(&k, &v);
                }
            }
        }
        if let Some(q) = &e.query {
            for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
                take(&k, &v);
            }
        }
    }
    out
}

/// The nearest character boundary at or before `i`.
fn boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn encoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// What one judged run left behind.
struct Judged {
    /// (name, text) of stdout, stderr and the four report formats.
    artifacts: Vec<(&'static str, String)>,
    recording: Vec<RecordedExchange>,
    user: provider::TestUser,
    /// Peak resident memory of the run (when /usr/bin/time is there).
    rss_kb: Option<u64>,
}

/// Start the provider as `cfg` says (recording on), judge it with the real
/// binary over TLS with a form login, and collect every artifact.
async fn judge(mut cfg: ProviderConfig, name: &str) -> Judged {
    cfg.record = true;
    let p = provider::start(cfg).await.expect("provider starts");
    let user = p.users()[0].clone();
    assert_eq!(user.email, EMAIL, "the seeded learner changed");
    let dir = std::env::temp_dir().join(format!("clr-secrets-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, p.ca_pem().expect("self-signed CA")).expect("ca");
    let out = dir.join("out");
    let rss = dir.join("rss");
    let mut cmd = if std::path::Path::new("/usr/bin/time").exists() {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&rss).arg(BIN);
        c
    } else {
        Command::new(BIN)
    };
    cmd.args(["run", "--target", p.base_url(), "--trust-ca"])
        .arg(&ca)
        .args(["--timeout", "5s", "--deadline", "90s", "--out"])
        .arg(&out)
        .env("CLR_USERNAME", &user.username)
        .env("CLR_PASSWORD", &user.password)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("binary starts");
        loop {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            if started.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                panic!("run still going after 120s; killed");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        child.wait_with_output().expect("output")
    })
    .await
    .expect("runner");
    let recording = p.recording();
    p.shutdown().await;

    let mut artifacts = vec![
        (
            "stdout",
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ),
        (
            "stderr",
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ),
    ];
    for f in ["report.json", "junit.xml", "report.md", "report.html"] {
        let text = std::fs::read_to_string(out.join(f))
            .unwrap_or_else(|e| panic!("{f}: not written ({e}); stderr:\n{}", artifacts[1].1));
        artifacts.push((f, text));
    }
    let rss_kb = std::fs::read_to_string(&rss)
        .ok()
        .and_then(|t| t.trim().lines().last()?.trim().parse().ok());
    eprintln!(
        "{name}: run took {:?}, peak {rss_kb:?} KiB",
        started.elapsed()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Judged {
        artifacts,
        recording,
        user,
        rss_kb,
    }
}

impl Judged {
    fn report(&self) -> serde_json::Value {
        serde_json::from_str(&self.artifacts[2].1).expect("report parses")
    }

    /// Every place a live secret (or the e-mail) shows in an artifact.
    fn leaks(&self) -> (Vec<String>, BTreeSet<(&'static str, String)>) {
        let mut secrets = live_secrets(&self.recording);
        secrets.insert(("password", self.user.password.clone()));
        secrets.insert(("e-mail", EMAIL.to_string()));
        let mut leaks = Vec::new();
        for (kind, value) in &secrets {
            for needle in [value.clone(), encoded(value)] {
                for (name, text) in &self.artifacts {
                    if text.contains(&needle) {
                        let at = text.find(&needle).unwrap_or(0);
                        let from = boundary(text, at.saturating_sub(80));
                        let to = boundary(text, (at + needle.len() + 80).min(text.len()));
                        let shown = needle.len().min(40);
                        leaks.push(format!(
                            "{kind} ({} bytes) in {name}: ...{}...",
                            needle.len(),
                            &text[from..boundary(text, to.min(from + 160 + shown))]
                        ));
                    }
                }
            }
        }
        (leaks, secrets)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_any_artifact() {
    let j = judge(ProviderConfig::new(Profile::clr()), "plain").await;
    let transcripts = j.report()["transcripts"].as_array().map_or(0, Vec::len);
    assert!(
        transcripts > 20,
        "only {transcripts} transcripts: the flow did not run"
    );
    // The e-mail must have crossed the wire in plain text, else its absence
    // from the artifacts proves nothing.
    let plain_email = j
        .recording
        .iter()
        .filter(|e| e.response_body.contains(EMAIL) || e.body.contains(EMAIL))
        .count();
    assert!(plain_email > 0, "the e-mail never crossed the wire");
    let (leaks, secrets) = j.leaks();
    let kinds: BTreeSet<&str> = secrets.iter().map(|(k, _)| *k).collect();
    for k in [
        "access token",
        "refresh token",
        "client secret",
        "authorization code",
        "code verifier",
        "password",
    ] {
        assert!(
            kinds.contains(k),
            "no live {k} seen: the test would prove nothing"
        );
    }
    eprintln!(
        "searched {} live secrets ({} kinds) in {} artifacts",
        secrets.len(),
        kinds.len(),
        j.artifacts.len()
    );
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}

/// A token response of 3 MiB (tokens first, then filler): longer than the
/// transcript keeps, so the cut JSON no longer parses. Its tokens must still
/// be masked in every artifact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_token_response_leaks_no_token() {
    let mut cfg = ProviderConfig::new(Profile::clr());
    cfg.token_padding = 3 * 1024 * 1024;
    let j = judge(cfg, "huge-token").await;
    let big = j
        .recording
        .iter()
        .filter(|e| e.path.ends_with("/token") && e.response_body.contains("access_token"))
        .count();
    assert!(
        big > 0,
        "no token response recorded: the test proves nothing"
    );
    let (leaks, secrets) = j.leaks();
    assert!(
        secrets.iter().any(|(k, _)| *k == "access token")
            && secrets.iter().any(|(k, _)| *k == "refresh token"),
        "no live tokens seen"
    );
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    // Every artifact stays small: the filler was cut, not copied per transcript.
    for (name, text) in &j.artifacts {
        assert!(
            text.len() < 64 * 1024 * 1024,
            "{name}: {} bytes",
            text.len()
        );
    }
}

/// A registration response whose client_id is 6 MiB: it is sent back in
/// every authorization URL and token request, and quoted in findings. Every
/// copy in the artifacts is cut, so the reports stay small (once 1.1 GB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_client_id_makes_a_small_report() {
    let mut cfg = ProviderConfig::new(Profile::clr());
    cfg.client_id_padding = 6 * 1024 * 1024;
    let j = judge(cfg, "huge-client-id").await;
    let issued = j
        .recording
        .iter()
        .any(|e| e.path.ends_with("/register") && e.response_body.len() > 200 * 1024);
    assert!(
        issued,
        "no huge client_id was issued: the test proves nothing"
    );
    for (name, text) in &j.artifacts {
        assert!(
            text.len() < 16 * 1024 * 1024,
            "{name}: {} bytes",
            text.len()
        );
    }
    if let Some(kb) = j.rss_kb {
        assert!(kb < 512 * 1024, "peak memory {kb} KiB");
    }
}

/// `--fault redirect-prefix-match`: the provider issues a live code to a
/// redirect URI it should have refused; the finding that says so must not
/// quote the code (it once printed the Debug form of the result).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrongly_issued_code_is_not_quoted_in_findings() {
    let mut cfg = ProviderConfig::new(Profile::clr());
    cfg.faults = vec![*provider::fault("redirect-prefix-match").expect("fault")];
    let j = judge(cfg, "prefix").await;
    // The code really went to the extended redirect URI.
    let wrong: Vec<String> = j
        .recording
        .iter()
        .flat_map(|e| e.response_headers.iter())
        .filter(|(k, v)| k.eq_ignore_ascii_case("location") && v.contains("-extended?"))
        .filter_map(|(_, v)| url::Url::parse(v).ok())
        .flat_map(|u| {
            u.query_pairs()
                .filter(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(!wrong.is_empty(), "no code was issued to the extended URI");
    let report = j.report();
    let row = report.to_string();
    assert!(
        row.contains("oauth.redirect-uri.exact-match"),
        "the row is missing"
    );
    let (leaks, _) = j.leaks();
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    for code in &wrong {
        assert!(
            !row.contains(code.as_str()),
            "the wrong code is in the report"
        );
    }
}

/// A target whose "access token" is an everyday protocol word: the word
/// stays readable in the evidence (the Content-Type header, the finding
/// texts), the token member is still masked, and the weak secret is reported.
#[tokio::test]
async fn an_everyday_word_secret_does_not_blank_the_evidence() {
    use clr_conformance::evidence::{Recorder, Redactor};
    use clr_conformance::http::{Client, HttpConfig, Req};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf).await;
        let body =
            r#"{"access_token":"application/json","token_type":"Bearer","refresh_token":"abc"}"#;
        let resp = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let _ = s.write_all(resp.as_bytes()).await;
    });
    let red = Redactor::new();
    let cfg = HttpConfig {
        system_roots: false,
        ..Default::default()
    };
    let c = Client::new(&cfg, red.clone()).unwrap();
    let mut rec = Recorder::new();
    let ex = c
        .send(&mut rec, Req::get(format!("http://{addr}/token"), "token"))
        .await
        .expect("response");
    let tokens = clr_conformance::oauth::token::parse(&ex, &red).expect("parses");
    assert_eq!(tokens.access_token, "application/json");
    rec.redact(&red);
    let t = serde_json::to_string(&rec.transcripts()[0]).unwrap();
    assert!(
        t.contains("application/json"),
        "the media type was blanked: {t}"
    );
    assert!(
        !t.contains("\"abc\""),
        "the short refresh token leaked: {t}"
    );
    assert!(
        !t.contains(r#""access_token": "application/json""#),
        "the token member was not masked: {t}"
    );
    assert_eq!(
        red.text("Content-Type: application/json; token abc"),
        "Content-Type: application/json; token abc"
    );
    let weak: Vec<String> = red.weak().iter().map(ToString::to_string).collect();
    assert_eq!(weak.len(), 2, "{weak:?}");
    assert!(weak.iter().any(|w| w.contains("protocol word")), "{weak:?}");
    assert!(
        weak.iter().any(|w| w.contains("shorter than 8")),
        "{weak:?}"
    );
}

/// Redaction by whole token: a strong secret is masked where it stands,
/// raw or percent-encoded, never inside a longer word.
#[test]
fn secrets_are_masked_as_whole_tokens() {
    use clr_conformance::evidence::Redactor;
    let r = Redactor::new();
    r.add("Zq8-secret_Token", "access-token");
    assert_eq!(
        r.text("got Zq8-secret_Token."),
        "got [redacted:access-token]."
    );
    assert_eq!(
        r.text("xZq8-secret_Token and Zq8-secret_TokenY"),
        "xZq8-secret_Token and Zq8-secret_TokenY"
    );
    let b = r.body(r#"{"note":"Zq8-secret_Token","access_token":"other-value-123"}"#);
    assert!(
        !b.contains("Zq8-secret_Token") && !b.contains("other-value-123"),
        "{b}"
    );
    // JSON cut at the cap: the member is masked up to the end of the text.
    let cut = r.body(r#"{"access_token":"eyJhbGciOi.cut-here-mid-tok"#);
    assert!(!cut.contains("eyJhbGciOi"), "{cut}");
}
