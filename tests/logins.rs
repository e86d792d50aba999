//! Logins for sites the harness has never seen (issue 13 item 1, issue 15
//! item 1): the `session`, `browser` and `manual` strategies run the whole
//! provider suite against the reference provider's passwordless variant and
//! its HTML login; scopes follow the SDD and an offline_access refusal is
//! retried; a refused registration is retried with the least the rules
//! allow; credentials never leave their origin; an HTTP/2-only server can be
//! judged. Everything runs on loopback.

use clr_conformance::catalog::{Profile, Role};
use clr_conformance::evidence::{Recorder, Redactor, Verdict};
use clr_conformance::http::{Client, HttpConfig};
use clr_conformance::oauth::authorize::{Ask, AuthRequest, FormLogin, Manual, form};
use clr_conformance::oauth::browser::{BrowserLogin, default_steps};
use clr_conformance::oauth::origin::OriginPolicy;
use clr_conformance::oauth::register::ClientMetadata;
use clr_conformance::provider::{self, ProviderConfig, RunningProvider};
use clr_conformance::suites::provider::{Ctx, Login, Target};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

async fn start(variants: &[&str]) -> RunningProvider {
    let mut cfg = ProviderConfig::new(Profile::clr());
    for v in variants {
        cfg.faults
            .push(*provider::faults::variant(v).expect("a variant"));
    }
    provider::start(cfg).await.expect("provider starts")
}

fn client(running: &RunningProvider) -> Client {
    let cfg = HttpConfig {
        trusted_ca_pem: vec![running.ca_pem().expect("CA").to_string()],
        system_roots: false,
        ..HttpConfig::default()
    };
    Client::new(&cfg, Redactor::new()).expect("client")
}

fn target(running: &RunningProvider, login: Login) -> Target {
    Target {
        base_url: running.base_url().to_string(),
        profile: Profile::clr(),
        roles: vec![Role::Host],
        login,
        metadata: ClientMetadata::default(),
        client: None,
        revocation_url: None,
        upsert_credential: None,
        fetch_documents: false,
        documents: clr_conformance::provider::seed::seed_document_set(
            clr_conformance::catalog::Profile::clr(),
        ),
        offline: Default::default(),
        policy: Target::policy_for(running.base_url()),
        certification: false,
        scope_map: Vec::new(),
        short_lived_client: None,
    }
}

/// Every failed or errored finding, named.
fn failures(rec: &Recorder) -> Vec<String> {
    rec.findings()
        .iter()
        .flat_map(|(id, fs)| {
            fs.iter()
                .filter(|f| matches!(f.verdict, Verdict::Fail | Verdict::Error))
                .map(move |f| format!("{id}: {}", f.message))
        })
        .collect()
}

fn verdicts(rec: &Recorder, id: &str) -> Vec<Verdict> {
    rec.findings_for(id).iter().map(|f| f.verdict).collect()
}

/// The OAuth rows that need several unattended logins all passed.
fn every_login_ran(rec: &Recorder) {
    for id in [
        "oauth.authorize.acg",
        "oauth.pkce.s256",
        "oauth.authorize.consent",
        "oauth.pkce.missing-refused",
        "oauth.authorize.invalid-scope",
        "oauth.authorize.error-redirect",
        "api.auth.scope.get-credentials",
        "oauth.refresh.new-access-token",
        "api.get-credentials.status-200",
        "api.upsert.persisted",
    ] {
        let v = verdicts(rec, id);
        assert!(
            !v.is_empty() && v.iter().all(|v| *v == Verdict::Pass),
            "{id}: {:?}",
            rec.findings_for(id)
        );
    }
    assert!(
        verdicts(rec, "oauth.authorize.acg").contains(&Verdict::Pass),
        "no login passed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_runs_the_whole_suite_on_the_passwordless_variant() {
    let running = start(&["passwordless"]).await;
    let user = running.users()[0].clone();
    let http = client(&running);
    let policy = Target::policy_for(running.base_url());

    // The variant is really passwordless: the form login gets access_denied.
    let mut t = target(
        &running,
        Login::Token {
            access_token: String::new(),
            refresh_token: None,
        },
    );
    t.login = Login::Form(FormLogin::password(
        &user.username,
        &user.password,
        policy.clone(),
    ));
    let (rec, _) = clr_conformance::suites::provider::run(Ctx::new(http.clone(), t)).await;
    let acg = rec.findings_for("oauth.authorize.acg");
    assert!(
        acg.iter().any(|f| f.verdict == Verdict::Fail
            && f.message.contains("access_denied")
            && f.message.contains("strategy \"session\"")),
        "{acg:?}"
    );
    assert!(
        !acg.iter().any(|f| f.message.contains("Error {")),
        "a Debug dump: {acg:?}"
    );

    // With the session cookie every check runs unattended.
    let cookie = provider::oauth::authorize::session_value(&user);
    let login = Login::Session(FormLogin {
        cookies: vec![(provider::faults::SESSION_COOKIE.into(), cookie.clone())],
        ..FormLogin::password("", "", policy)
    });
    let (rec, unreachable) =
        clr_conformance::suites::provider::run(Ctx::new(client(&running), target(&running, login)))
            .await;
    assert!(unreachable.is_none());
    assert_eq!(failures(&rec), Vec::<String>::new());
    every_login_ran(&rec);
    let json = serde_json::to_string(&rec.transcripts()).unwrap();
    assert!(
        !json.contains(&cookie),
        "the session cookie reached a transcript"
    );
    running.shutdown().await;
}

/// A person who logs in with the form walk and answers the consent question.
struct Scripted {
    http: Client,
    user: (String, String),
    policy: OriginPolicy,
    consent_answer: &'static str,
    logins: AtomicUsize,
    prompts: Mutex<Vec<String>>,
}

impl Ask for Scripted {
    fn ask(&self, prompt: &str) -> Result<String, String> {
        self.prompts
            .lock()
            .unwrap()
            .push(prompt.lines().next().unwrap_or("").into());
        if prompt.starts_with("Did the login") {
            return Ok(self.consent_answer.into());
        }
        let url = prompt
            .lines()
            .find(|l| l.starts_with("https://"))
            .ok_or("no URL in the prompt")?
            .to_string();
        let deny = prompt.contains("press Deny");
        self.logins.fetch_add(1, Ordering::SeqCst);
        // What the person's browser does: fetch, log in, land on the redirect URI.
        let mut login = FormLogin::password(&self.user.0, &self.user.1, self.policy.clone());
        login.deny = deny;
        let http = self.http.clone();
        let walk = tokio::runtime::Handle::current().block_on(async move {
            let mut rec = Recorder::new();
            walk_raw(&http, &mut rec, &url, &login).await
        });
        // An error page instead of a redirect: the person presses Enter.
        Ok(walk.unwrap_or_default())
    }
}

/// Walk a complete authorization URL as a browser would; the final redirect URL.
async fn walk_raw(
    http: &Client,
    rec: &mut Recorder,
    url: &str,
    login: &FormLogin,
) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let q: std::collections::BTreeMap<String, String> = u.query_pairs().into_owned().collect();
    let mut base = u.clone();
    base.set_query(None);
    let req = AuthRequest {
        authorization_url: base.to_string(),
        response_type: q.get("response_type").cloned().unwrap_or_default(),
        client_id: q.get("client_id").cloned().unwrap_or_default(),
        redirect_uri: q.get("redirect_uri").cloned().unwrap_or_default(),
        scope: q.get("scope").cloned().unwrap_or_default(),
        state: q.get("state").cloned(),
        code_challenge: q.get("code_challenge").cloned(),
        code_challenge_method: q.get("code_challenge_method").cloned(),
    };
    let w = form(http, rec, &req, login).await.ok()?;
    w.location
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_asks_once_per_login_and_judges_consent_from_the_answer() {
    let running = start(&[]).await;
    let user = running.users()[0].clone();
    let person = Arc::new(Scripted {
        http: client(&running),
        user: (user.username.clone(), user.password.clone()),
        policy: Target::policy_for(running.base_url()),
        // The page does name the client: a "no" must still fail the row.
        consent_answer: "n",
        logins: AtomicUsize::new(0),
        prompts: Mutex::new(Vec::new()),
    });
    let login = Login::Manual(Manual::new(person.clone()));
    let (rec, unreachable) =
        clr_conformance::suites::provider::run(Ctx::new(client(&running), target(&running, login)))
            .await;
    assert!(unreachable.is_none());
    let consent = rec.findings_for("oauth.authorize.consent");
    assert!(
        consent.len() == 1
            && consent[0].verdict == Verdict::Fail
            && consent[0].message.contains("answer of the person"),
        "{consent:?}"
    );
    let mut other = failures(&rec);
    other.retain(|f| !f.starts_with("oauth.authorize.consent"));
    assert_eq!(other, Vec::<String>::new());
    every_login_ran_but_consent(&rec);
    let logins = person.logins.load(Ordering::SeqCst);
    let prompts = person.prompts.lock().unwrap().clone();
    assert!(logins > 5, "{logins} logins: {prompts:#?}");
    assert_eq!(
        prompts
            .iter()
            .filter(|p| p.starts_with("Did the login"))
            .count(),
        1,
        "the consent question is asked once"
    );
    running.shutdown().await;
}

fn every_login_ran_but_consent(rec: &Recorder) {
    for id in [
        "oauth.authorize.acg",
        "oauth.pkce.missing-refused",
        "api.auth.scope.get-credentials",
        "oauth.refresh.new-access-token",
    ] {
        let v = verdicts(rec, id);
        assert!(
            !v.is_empty() && v.iter().all(|v| *v == Verdict::Pass),
            "{id}: {:?}",
            rec.findings_for(id)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_runs_the_whole_suite_on_the_html_login() {
    let running = start(&[]).await;
    let user = running.users()[0].clone();
    let mut b = BrowserLogin::new(
        default_steps("CLR_TEST_USER", "CLR_TEST_PASSWORD"),
        vec![
            ("CLR_TEST_USER".into(), user.username.clone()),
            ("CLR_TEST_PASSWORD".into(), user.password.clone()),
        ],
        Target::policy_for(running.base_url()),
    );
    // The harness's own client trusts the provider's CA; Chromium is told to accept it.
    b.accept_insecure_certs = true;
    if let Some(why) = b.unavailable() {
        eprintln!("SKIPPED browser_runs_the_whole_suite_on_the_html_login: {why}");
        running.shutdown().await;
        return;
    }
    let (rec, unreachable) = clr_conformance::suites::provider::run(Ctx::new(
        client(&running),
        target(&running, Login::Browser(b)),
    ))
    .await;
    assert!(unreachable.is_none());
    assert_eq!(failures(&rec), Vec::<String>::new());
    every_login_ran(&rec);
    let consent = rec.findings_for("oauth.authorize.consent");
    assert!(
        consent
            .iter()
            .all(|f| f.message.contains("browser's page text")),
        "{consent:?}"
    );
    let json = serde_json::to_string(&rec.transcripts()).unwrap();
    assert!(!json.contains(&user.password));
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_access_refused_is_retried_once_without_it() {
    let running = start(&["refuse-offline-access"]).await;
    let user = running.users()[0].clone();
    let policy = Target::policy_for(running.base_url());
    // Configured to ask for it although the SDD does not advertise it.
    let mut t = target(
        &running,
        Login::Form(FormLogin::password(&user.username, &user.password, policy)),
    );
    t.offline = clr_conformance::oauth::scope::Offline::Always;
    let (rec, _) = clr_conformance::suites::provider::run(Ctx::new(client(&running), t)).await;
    assert_eq!(failures(&rec), Vec::<String>::new());
    let notes = rec.notes().join("\n");
    assert!(
        notes.contains("refused offline_access with invalid_scope")
            && notes.contains("retried once without it"),
        "{notes}"
    );
    assert!(verdicts(&rec, "oauth.authorize.acg").contains(&Verdict::Pass));
    // No later authorization request asks for it again.
    let asked_after = rec
        .transcripts()
        .iter()
        .filter(|t| t.request.url.contains("offline_access"))
        .count();
    assert_eq!(asked_after, 1, "offline_access asked more than once");
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_refresh_grant_registration_is_retried_with_the_least() {
    let running = start(&["refuse-refresh-grant"]).await;
    let user = running.users()[0].clone();
    let policy = Target::policy_for(running.base_url());
    let t = target(
        &running,
        Login::Form(FormLogin::password(&user.username, &user.password, policy)),
    );
    let (rec, _) = clr_conformance::suites::provider::run(Ctx::new(client(&running), t)).await;
    assert_eq!(failures(&rec), Vec::<String>::new());
    let notes = rec.notes().join("\n");
    assert!(
        notes.contains("registration refused") && notes.contains("refresh_token is not offered"),
        "{notes}"
    );
    assert_eq!(
        verdicts(&rec, "oauth.registration.created-201"),
        vec![Verdict::Pass]
    );
    assert!(verdicts(&rec, "api.get-credentials.status-200").contains(&Verdict::Pass));
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_requests_leave_scope_out_unless_widening() {
    let running = start(&[]).await;
    let user = running.users()[0].clone();
    let policy = Target::policy_for(running.base_url());
    let t = target(
        &running,
        Login::Form(FormLogin::password(&user.username, &user.password, policy)),
    );
    let (rec, _) = clr_conformance::suites::provider::run(Ctx::new(client(&running), t)).await;
    let refreshes: Vec<String> = rec
        .transcripts()
        .iter()
        .filter_map(|t| t.request.message.body.clone())
        .filter(|b| b.contains("grant_type=refresh_token"))
        .collect();
    assert!(refreshes.len() >= 3, "{refreshes:?}");
    let with_scope = refreshes.iter().filter(|b| b.contains("scope=")).count();
    assert_eq!(
        with_scope, 1,
        "only the widening check sends scope: {refreshes:#?}"
    );
    // The full login asked for the SDD's scopes, offline_access because the SDD advertises it.
    let first = rec
        .transcripts()
        .iter()
        .find(|t| t.label == "authorize")
        .expect("an authorization request");
    assert!(
        first.request.url.contains("offline_access"),
        "{}",
        first.request.url
    );
    running.shutdown().await;
}

/// A server on `ip` answering every request with `html`, counting requests.
async fn serve_html(ip: [u8; 4], html: String) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let h = h.clone();
        let html = html.clone();
        async move {
            h.fetch_add(1, Ordering::SeqCst);
            axum::response::Html(html)
        }
    });
    let l = tokio::net::TcpListener::bind((std::net::Ipv4Addr::from(ip), 0))
        .await
        .expect("bind loopback");
    let origin = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    (origin, hits)
}

fn auth_request(authorization_url: &str) -> AuthRequest {
    AuthRequest {
        authorization_url: authorization_url.into(),
        response_type: "code".into(),
        client_id: "c".into(),
        redirect_uri: "https://127.0.0.1/callback".into(),
        scope: "s".into(),
        state: Some("st".into()),
        code_challenge: Some("x".into()),
        code_challenge_method: Some("S256".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_form_posting_elsewhere_gets_no_password() {
    let (thief, stolen) = serve_html([127, 0, 0, 2], "<p>thanks</p>".into()).await;
    let http = Client::new(&HttpConfig::default(), Redactor::new()).expect("client");
    for action in [
        format!("{thief}/steal"),
        format!("{}/steal", thief.replace("http://", "https://")),
    ] {
        let page = format!(
            "<form method=post action=\"{action}\"><input name=username><input type=password name=password><button type=submit>Go</button></form>"
        );
        let (site, _) = serve_html([127, 0, 0, 1], page).await;
        let policy = OriginPolicy::new(&site, &[], true).unwrap();
        let login = FormLogin::password("learner", "s3cret-pass", policy);
        let mut rec = Recorder::new();
        let w = form(
            &http,
            &mut rec,
            &auth_request(&format!("{site}/authorize")),
            &login,
        )
        .await
        .expect("walk");
        let shown = w.result.to_string();
        assert!(
            shown.contains(&format!("form action {action} refused")),
            "{shown}"
        );
        assert!(
            rec.notes().iter().any(|n| n.contains(&action)),
            "{:?}",
            rec.notes()
        );
        assert_eq!(
            stolen.load(Ordering::SeqCst),
            0,
            "{action} received the password"
        );
    }
    // Control: listed in allowed_origins (and http allowed), the same form is submitted.
    let page = format!(
        "<form method=post action=\"{thief}/login\"><input name=username><input type=password name=password><button type=submit>Go</button></form>"
    );
    let (site, _) = serve_html([127, 0, 0, 1], page).await;
    let policy = OriginPolicy::new(&site, std::slice::from_ref(&thief), true).unwrap();
    let login = FormLogin::password("learner", "s3cret-pass", policy);
    let mut rec = Recorder::new();
    let _ = form(
        &http,
        &mut rec,
        &auth_request(&format!("{site}/authorize")),
        &login,
    )
    .await;
    assert_eq!(
        stolen.load(Ordering::SeqCst),
        1,
        "the allowed origin was not posted to"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sdd_endpoints_on_another_origin_are_reported_and_not_used() {
    let running = start(&[]).await;
    let user = running.users()[0].clone();
    // The target is named by another origin (localhost) than the SDD's endpoints (127.0.0.1).
    let other = running.base_url().replace("127.0.0.1", "localhost");
    let policy = Target::policy_for(&other);
    let mut t = target(
        &running,
        Login::Form(FormLogin::password(
            &user.username,
            &user.password,
            policy.clone(),
        )),
    );
    t.base_url = other;
    t.policy = policy;
    let (rec, _) = clr_conformance::suites::provider::run(Ctx::new(client(&running), t)).await;
    let notes = rec.notes().join("\n");
    assert!(
        notes.contains("the SDD's OAuth endpoints were not used")
            && notes.contains("tokenUrl")
            && notes.contains("allowed_origins"),
        "{notes}"
    );
    let sent_to_oauth = rec
        .transcripts()
        .iter()
        .filter(|t| t.request.url.contains("/oauth/"))
        .count();
    assert_eq!(sent_to_oauth, 0, "an OAuth endpoint was used");
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_only_server_can_be_judged() {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let mut tls = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .unwrap();
    tls.alpn_protocols = vec![b"h2".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = l.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = hyper::service::service_fn(|_req| async {
                    Ok::<_, std::convert::Infallible>(
                        hyper::Response::builder()
                            .header("content-type", "application/json")
                            .body(String::from("{\"openapi\":\"3.0.1\"}"))
                            .unwrap(),
                    )
                });
                let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    let cfg = HttpConfig {
        trusted_ca_pem: vec![cert.cert.pem()],
        system_roots: false,
        ..HttpConfig::default()
    };
    let http = Client::new(&cfg, Redactor::new()).expect("client");
    let mut rec = Recorder::new();
    let url = format!("https://{addr}/ims/clr/v2p0/discovery");
    let ex = http
        .send(&mut rec, clr_conformance::http::Req::get(url, "discovery"))
        .await
        .unwrap_or_else(|f| panic!("h2-only server not reached: {}", f.message));
    assert_eq!(ex.status, 200);
    assert!(ex.json().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ob_profile_speaks_ob() {
    use clap::Parser;
    use clr_conformance::cli::args::{Cli, Command};
    let dir = std::env::temp_dir().join(format!("clr-logins-ob-{}", std::process::id()));
    let out = dir.to_string_lossy().to_string();
    let argv = [
        "clr-conformance",
        "run",
        "--quiet",
        "--builtin",
        "--profile",
        "ob-3.0",
        "--out",
        &out,
    ];
    let Command::Run(a) = Cli::try_parse_from(argv).expect("arguments").command else {
        unreachable!("the run subcommand")
    };
    let plan = clr_conformance::cli::run::RunPlan::new(&a).expect("a plan");
    let (report, _) = clr_conformance::cli::run::execute(&plan)
        .await
        .expect("run");
    let mut clr_words = Vec::new();
    for row in &report.requirements {
        let texts = std::iter::once(&row.statement)
            .chain(std::iter::once(&row.reason))
            .chain(row.findings.iter().map(|f| &f.message));
        for t in texts {
            if t.contains("ClrCredential") || t.contains("/ims/clr/v2p0") || t.contains("GetClr") {
                clr_words.push(format!("{}: {t}", row.id));
            }
        }
    }
    assert_eq!(clr_words, Vec::<String>::new());
    assert!(
        report
            .requirements
            .iter()
            .any(|r| r.statement.contains("OpenBadgeCredential")),
        "no statement names the OB type"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn http_targets_need_the_explicit_flag() {
    use clap::Parser;
    use clr_conformance::cli::args::{Cli, Command};
    let parse = |extra: &[&str]| {
        let mut argv = vec![
            "clr-conformance",
            "run",
            "--quiet",
            "--target",
            "http://127.0.0.1:9/base",
        ];
        argv.extend_from_slice(extra);
        match Cli::try_parse_from(argv).expect("arguments").command {
            Command::Run(a) => a,
            _ => unreachable!("the run subcommand"),
        }
    };
    let plan = |extra: &[&str]| clr_conformance::cli::run::RunPlan::new(&parse(extra));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let err = plan(&[]).map(|_| ()).unwrap_err().to_string();
    assert!(
        err.starts_with("http://127.0.0.1:9/base: the target must be an https URL"),
        "{err}"
    );
    assert!(err.contains("--allow-http"), "{err}");
    // With the flag the run goes ahead (and finds nobody on port 9; no login is attempted).
    let cfg = std::env::temp_dir().join(format!("clr-logins-http-{}.toml", std::process::id()));
    std::fs::write(&cfg, "[login]\nstrategy = \"manual\"\n").unwrap();
    let cfg_arg = cfg.to_string_lossy().to_string();
    let with_flag = plan(&["--allow-http", "--timeout", "2s", "--config", &cfg_arg])
        .expect("an http plan with --allow-http");
    let (report, unreachable) = rt
        .block_on(clr_conformance::cli::run::execute(&with_flag))
        .expect("an http run with --allow-http");
    assert!(unreachable.is_some());
    assert_eq!(report.exit_code, 3);
    let _ = std::fs::remove_file(&cfg);
    let help = Cli::try_parse_from(["clr-conformance", "run", "--help"])
        .unwrap_err()
        .to_string();
    assert!(
        help.contains("--allow-http") && help.contains("https required"),
        "{help}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_is_driven_through_real_stdin() {
    use std::io::{BufRead, Write};
    use std::process::{Command, Stdio};
    let running = start(&[]).await;
    let user = running.users()[0].clone();
    let dir = std::env::temp_dir().join(format!("clr-logins-stdin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("target.toml");
    std::fs::write(
        &cfg,
        "system_roots = false\n[login]\nstrategy = \"manual\"\n",
    )
    .unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, running.ca_pem().unwrap()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_clr-conformance"))
        .args([
            "run",
            "--quiet",
            "--format",
            "json",
            "--target",
            running.base_url(),
        ])
        .arg("--config")
        .arg(&cfg)
        .arg("--trust-ca")
        .arg(&ca)
        .arg("--out")
        .arg(dir.join("out"))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut stdin = child.stdin.take().unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let http = client(&running);
    let policy = Target::policy_for(running.base_url());
    let handle = tokio::runtime::Handle::current();
    // The person: reads the prompts on stderr, logs in, types the answers.
    let person = std::thread::spawn(move || {
        let (mut logins, mut consent_questions) = (0, 0);
        let mut deny = false;
        for line in stderr.lines() {
            let Ok(line) = line else { break };
            if line.starts_with("Login needed") {
                deny = line.contains("press Deny");
            } else if line.starts_with("Did the login") {
                consent_questions += 1;
                writeln!(stdin, "y").unwrap();
            } else if line.starts_with("https://") {
                logins += 1;
                let mut login = FormLogin::password(&user.username, &user.password, policy.clone());
                login.deny = deny;
                let http = http.clone();
                let at = handle.block_on(async move {
                    let mut rec = Recorder::new();
                    walk_raw(&http, &mut rec, &line, &login).await
                });
                writeln!(stdin, "{}", at.unwrap_or_default()).unwrap();
            }
        }
        (logins, consent_questions)
    });
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    let (logins, consent_questions) = person.join().unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/report.json")).unwrap())
            .unwrap();
    let outcome = |id: &str| {
        report["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["outcome"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    assert_eq!(outcome("oauth.authorize.consent"), "pass");
    assert_eq!(outcome("oauth.pkce.missing-refused"), "pass");
    assert_eq!(outcome("oauth.refresh.new-access-token"), "pass");
    assert_eq!(consent_questions, 1);
    assert!(logins > 5, "{logins} logins");
    // A `--target` run fetches the key documents the returned credentials name; the
    // reference provider's seeds name example.edu issuers, which do not resolve here,
    // so `api.get-credentials.verifiable` is "could not be verified" (an error, exit 3),
    // never a pass and never a failure. Nothing else may fail or error.
    let bad: Vec<String> = report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "fail" || r["outcome"] == "error")
        .map(|r| r["id"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        bad.iter().all(|id| id == "api.get-credentials.verifiable"),
        "unexpected failures or errors: {bad:?}"
    );
    assert!(
        matches!(status.code(), Some(0) | Some(3)),
        "exit {:?}: {bad:?}",
        status.code()
    );
    let _ = std::fs::remove_dir_all(&dir);
    running.shutdown().await;
}

#[test]
fn data_clr_rows_are_not_applicable_under_ob() {
    let dir = std::env::temp_dir().join(format!("clr-logins-verify-ob-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("badge.json");
    std::fs::write(
        &input,
        r#"{"@context": ["https://www.w3.org/ns/credentials/v2",
             "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:0b5c7a8e-3f0d-4c3c-9b1a-2f6f6d0e9c11",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"]},
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"type": ["AchievementSubject"]}}"#,
    )
    .unwrap();
    let report_of = |profile: &str| {
        let out = dir.join(profile);
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_clr-conformance"))
            .args([
                "verify",
                "--quiet",
                "--role",
                "issuer",
                "--profile",
                profile,
            ])
            .args(["--format", "json", "--out"])
            .arg(&out)
            .arg(&input)
            .status()
            .expect("verify runs");
        assert!(status.code().is_some_and(|c| c <= 1), "{status:?}");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap())
                .unwrap();
        v["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["id"].as_str().unwrap_or("").starts_with("data.clr."))
            .map(|r| r["outcome"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    let ob = report_of("ob-3.0");
    assert!(
        !ob.is_empty() && ob.iter().all(|o| o == "not-applicable"),
        "{ob:?}"
    );
    // Under CLR the same rows are judged (this badge is no ClrCredential).
    let clr = report_of("clr-2.0");
    assert!(clr.iter().any(|o| o != "not-applicable"), "{clr:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
