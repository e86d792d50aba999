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

fn encoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_any_artifact() {
    let mut cfg = ProviderConfig::new(Profile::clr());
    cfg.record = true;
    let p = provider::start(cfg).await.expect("provider starts");
    let user = p.users()[0].clone();
    assert_eq!(user.email, EMAIL, "the seeded learner changed");
    let dir = std::env::temp_dir().join(format!("clr-secrets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, p.ca_pem().expect("self-signed CA")).expect("ca");
    let out = dir.join("out");
    let mut cmd = Command::new(BIN);
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
    let report: serde_json::Value = serde_json::from_str(&artifacts[2].1).expect("report parses");
    let transcripts = report["transcripts"].as_array().map_or(0, Vec::len);
    assert!(
        transcripts > 20,
        "only {transcripts} transcripts: the flow did not run"
    );

    // The e-mail must have crossed the wire in plain text, else its absence
    // from the artifacts proves nothing.
    let plain_email = recording
        .iter()
        .filter(|e| e.response_body.contains(EMAIL) || e.body.contains(EMAIL))
        .count();
    assert!(plain_email > 0, "the e-mail never crossed the wire");
    let mut secrets = live_secrets(&recording);
    secrets.insert(("password", user.password.clone()));
    secrets.insert(("e-mail", EMAIL.to_string()));
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
    let mut leaks = Vec::new();
    for (kind, value) in &secrets {
        for needle in [value.clone(), encoded(value)] {
            for (name, text) in &artifacts {
                if text.contains(&needle) {
                    let at = text.find(&needle).unwrap_or(0);
                    let from = text.floor_char_boundary(at.saturating_sub(80));
                    let to = text.ceil_char_boundary((at + needle.len() + 80).min(text.len()));
                    leaks.push(format!("{kind} in {name}: ...{}...", &text[from..to]));
                }
            }
        }
    }
    eprintln!(
        "searched {} live secrets ({} kinds) in {} artifacts",
        secrets.len(),
        kinds.len(),
        artifacts.len()
    );
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}
