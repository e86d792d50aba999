//! `run --builtin` end to end, in-process: the reference provider passes
//! every provider MUST, each of its faults makes the requirements it names
//! fail, and an unreachable target gives exit code 3 with a report written.

use clap::Parser;
use clr_conformance::cli::args::{Cli, Command};
use clr_conformance::cli::run::{RunArgs, execute};
use clr_conformance::report::{Outcome, Report};

fn args(extra: &[&str]) -> RunArgs {
    let mut argv = vec!["clr-conformance", "run", "--quiet"];
    argv.extend_from_slice(extra);
    match Cli::try_parse_from(argv).expect("arguments parse").command {
        Command::Run(a) => a,
        _ => unreachable!("parsed the run subcommand"),
    }
}

fn failing(r: &Report) -> Vec<String> {
    r.requirements
        .iter()
        .filter(|row| {
            matches!(
                row.outcome,
                Outcome::Fail | Outcome::Error | Outcome::Warning
            )
        })
        .map(|row| {
            format!(
                "{} [{}] {}: {}",
                row.id,
                row.level,
                row.outcome.as_str(),
                row.reason
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builtin_passes_every_must_and_writes_the_report() {
    let dir = std::env::temp_dir().join(format!("clr-run-builtin-{}", std::process::id()));
    let out = dir.to_string_lossy().to_string();
    let a = args(&["--builtin", "--out", &out]);
    let (report, unreachable) = execute(&a).await.expect("run executes");
    assert!(unreachable.is_none(), "{unreachable:?}");
    if std::env::var("CLR_DEBUG").is_ok() {
        for r in &report.requirements {
            eprintln!(
                "{:<50} {:<8} {:<14} {}",
                r.id,
                r.level.to_string(),
                r.outcome.as_str(),
                r.reason
            );
        }
        eprintln!(
            "{:?} interrupted={}",
            report.summary.totals, report.header.interrupted
        );
    }
    let bad = failing(&report);
    assert!(
        bad.is_empty(),
        "the reference provider fails:\n{}",
        bad.join("\n")
    );
    assert_eq!(
        report.exit_code, 0,
        "exit code; notes: {:#?}",
        report.header.notes
    );
    assert!(
        report.summary.assertions > 50,
        "only {} assertions",
        report.summary.assertions
    );
    let code = clr_conformance::cli::common::finish(&report, &a.report);
    assert_eq!(code, 0);
    let json = std::fs::read_to_string(dir.join("report.json")).expect("report.json written");
    // No live secret reaches the report: codes in redirects, passwords in login
    // forms and Authorization headers are all redacted.
    let saved: Report = serde_json::from_str(&json).expect("report.json parses");
    assert_eq!(saved.transcripts.len(), report.transcripts.len());
    let mut checked = 0;
    for t in &saved.transcripts {
        let resp = t.response.iter().flat_map(|r| r.message.headers.iter());
        for (k, v) in t.request.message.headers.iter().chain(resp) {
            let k = k.to_ascii_lowercase();
            if k == "authorization" {
                assert!(v.ends_with("[redacted]"), "{}: {k}: {v}", t.id);
                checked += 1;
            }
            if k == "location" && v.contains("code=") {
                let masked = v.contains("code=%5Bredacted") || v.contains("code=[redacted");
                assert!(masked, "{}: live code in {v}", t.id);
                checked += 1;
            }
        }
        if let Some(b) = &t.request.message.body
            && b.contains("password=")
        {
            assert!(b.contains("password=%5Bredacted%5D"), "{}: {b}", t.id);
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} secret-bearing places seen");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--role service-provider-read` judges only the read rows and never writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_role_judges_and_sends_no_writes() {
    let a = args(&["--builtin", "--role", "service-provider-read"]);
    let (report, _) = execute(&a).await.expect("run executes");
    assert_eq!(report.exit_code, 0, "{:#?}", failing(&report));
    assert!(
        report
            .requirements
            .iter()
            .all(|r| !r.id.starts_with("api.upsert."))
    );
    let writes = report
        .transcripts
        .iter()
        .filter(|t| t.label.starts_with("upsertCredential") || t.label.starts_with("putProfile"))
        .count();
    assert_eq!(writes, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_refused_exits_3_with_a_report() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("clr-run-refused-{}", std::process::id()));
    let out = dir.to_string_lossy().to_string();
    let target = format!("https://127.0.0.1:{port}");
    let cfg = dir.join("target.toml");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        &cfg,
        "[login]\nstrategy = \"manual\"\nusername_field = \"u\"\npassword_field = \"p\"\n",
    )
    .unwrap();
    let cfg_s = cfg.to_string_lossy().to_string();
    let a = args(&[
        "--target",
        &target,
        "--config",
        &cfg_s,
        "--out",
        &out,
        "--timeout",
        "5s",
    ]);
    let (report, unreachable) = execute(&a).await.expect("run executes");
    let why = unreachable.expect("unreachable reported");
    assert!(why.contains("refused"), "{why}");
    assert_eq!(report.exit_code, 3);
    assert_eq!(clr_conformance::cli::common::finish(&report, &a.report), 3);
    assert!(dir.join("report.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every fault must make the requirements it names fail (Fail or Warning).
/// A fault that breaks only requirements the catalog marks untestable cannot
/// be detected by definition: it is listed, not counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_detected() {
    let catalog = clr_conformance::catalog::Catalog::embedded();
    let untestable = |f: &clr_conformance::provider::Fault| {
        f.breaks
            .iter()
            .all(|id| catalog.get(id).is_some_and(|r| r.untestable.is_some()))
    };
    for f in clr_conformance::provider::all_faults()
        .iter()
        .filter(|f| untestable(f))
    {
        eprintln!(
            "fault {} breaks only untestable requirements {:?}: not judged",
            f.name, f.breaks
        );
    }
    let faults: Vec<_> = clr_conformance::provider::all_faults()
        .iter()
        .filter(|f| !untestable(f))
        .collect();
    let mut undetected = Vec::new();
    for chunk in faults.chunks(4) {
        let runs = chunk.iter().map(|f| async move {
            let a = args(&["--builtin", "--fault", f.name]);
            (f, execute(&a).await)
        });
        for (f, res) in futures_util::future::join_all(runs).await {
            let (report, _) = res.expect("run executes");
            for id in f.breaks {
                let row = report.requirements.iter().find(|r| r.id == *id);
                let caught =
                    row.is_some_and(|r| matches!(r.outcome, Outcome::Fail | Outcome::Warning));
                if !caught {
                    let got = row
                        .map(|r| format!("{} ({})", r.outcome.as_str(), r.reason))
                        .unwrap_or("no row".into());
                    undetected.push(format!("{}: {id} came out {got}", f.name));
                }
            }
        }
    }
    assert!(
        undetected.is_empty(),
        "{} fault effects not detected:\n{}",
        undetected.len(),
        undetected.join("\n")
    );
}

/// A TLS error (CA not trusted) gives exit 3; a wrong base path (no SDD there) fails discovery with exit 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misconfigured_targets_say_what_to_fix() {
    let profile = clr_conformance::catalog::Profile::clr();
    let running =
        clr_conformance::provider::start(clr_conformance::provider::ProviderConfig::new(profile))
            .await
            .expect("provider starts");
    let base = running.base_url().to_string();
    let dir = std::env::temp_dir().join(format!("clr-run-misconf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("target.toml");
    std::fs::write(&cfg, "system_roots = false\n[login]\nstrategy = \"manual\"\nusername_field = \"u\"\npassword_field = \"p\"\n").unwrap();
    let cfg_s = cfg.to_string_lossy().to_string();

    // Self-signed certificate, not trusted.
    let a = args(&[
        "--target",
        &base,
        "--config",
        &cfg_s,
        "--format",
        "json",
        "--out",
        &dir.to_string_lossy(),
    ]);
    let (report, why) = execute(&a).await.expect("run executes");
    let why = why.expect("unreachable reported");
    assert!(why.contains("--trust-ca"), "{why}");
    assert_eq!(report.exit_code, 3);

    // Trusted, but the base URL has a wrong prefix: no SDD there.
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, running.ca_pem().expect("self-signed CA")).unwrap();
    let ca_s = ca.to_string_lossy().to_string();
    let wrong = format!("{base}/wrong-prefix");
    let a = args(&[
        "--target",
        &wrong,
        "--config",
        &cfg_s,
        "--trust-ca",
        &ca_s,
        "--format",
        "json",
        "--out",
        &dir.to_string_lossy(),
    ]);
    let (report, why) = execute(&a).await.expect("run executes");
    assert!(why.is_none(), "{why:?}");
    assert_eq!(report.exit_code, 1);
    let row = report
        .requirements
        .iter()
        .find(|r| r.id == "discovery.path")
        .expect("row");
    assert_eq!(row.outcome, Outcome::Fail, "{}", row.reason);
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `token` login strategy: tokens obtained beforehand (here through the
/// library's own OAuth steps) are used as given; registration and
/// authorization are skipped with that reason and the API checks still pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_strategy_uses_pre_issued_tokens() {
    use clr_conformance::catalog::{Profile, Role};
    use clr_conformance::evidence::{Recorder, Redactor, Verdict};
    use clr_conformance::http::{Client, HttpConfig};
    use clr_conformance::oauth::authorize::{AuthResult, FormLogin, form};
    use clr_conformance::oauth::register::ClientMetadata;
    use clr_conformance::oauth::{discovery, pkce, register, token};
    use clr_conformance::suites::provider::{self, Ctx, Login, Target};

    let profile = Profile::clr();
    let running =
        clr_conformance::provider::start(clr_conformance::provider::ProviderConfig::new(profile))
            .await
            .expect("provider starts");
    let cfg = HttpConfig {
        trusted_ca_pem: vec![running.ca_pem().expect("CA").to_string()],
        system_roots: false,
        ..HttpConfig::default()
    };
    let http = Client::new(&cfg, Redactor::new()).expect("client");
    let base = running.base_url().to_string();
    let mut rec = Recorder::new();

    // Obtain tokens the way a person would before a `token` run.
    let ex = discovery::fetch(&http, &mut rec, &base, profile)
        .await
        .expect("discovery");
    let sdd = discovery::parse(&ex.json().expect("SDD")).expect("SDD parses");
    let meta = ClientMetadata::default();
    let scope = profile.all_scopes().join(" ") + " " + &profile.scopes.offline_access;
    let ex = register::send(
        &http,
        &mut rec,
        &sdd.registration_url,
        meta.request_body(&scope),
        "register",
    )
    .await
    .expect("registration");
    let client = register::parse(&ex, http.redactor()).expect("client");
    let verifier = pkce::verifier();
    let req = clr_conformance::oauth::authorize::AuthRequest {
        authorization_url: sdd.authorization_url.clone(),
        response_type: "code".into(),
        client_id: client.client_id.clone(),
        redirect_uri: meta.redirect_uri().to_string(),
        scope: scope.clone(),
        state: Some(pkce::state()),
        code_challenge: Some(pkce::challenge_s256(&verifier)),
        code_challenge_method: Some("S256".into()),
    };
    let user = running.users()[0].clone();
    let login = FormLogin::password(&user.username, &user.password, Target::policy_for(&base));
    let walk = form(&http, &mut rec, &req, &login).await.expect("login");
    let AuthResult::Code { code, .. } = walk.result else {
        panic!("no code: {:?}", walk.result)
    };
    let p = token::CodeExchange {
        code: &code,
        redirect_uri: &req.redirect_uri,
        scope: &scope,
        verifier: Some(&verifier),
    };
    let ex = token::exchange_code(&http, &mut rec, &sdd.token_url, Some(&client), &p, "token")
        .await
        .expect("token");
    let tokens = token::parse(&ex, http.redactor()).expect("tokens");

    let target = Target {
        base_url: base.clone(),
        profile,
        roles: vec![Role::Host],
        login: Login::Token {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
        },
        metadata: meta,
        client: Some(client),
        revocation_url: None,
        upsert_credential: None,
        fetch_documents: false,
        offline: Default::default(),
        policy: Target::policy_for(&base),
    };
    let (rec, unreachable) = provider::run(Ctx::new(http, target)).await;
    assert!(unreachable.is_none());
    let verdicts = |id: &str| {
        rec.findings_for(id)
            .iter()
            .map(|f| f.verdict)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        verdicts("oauth.registration.created-201"),
        vec![Verdict::Skip]
    );
    assert_eq!(verdicts("oauth.pkce.s256"), vec![Verdict::Skip]);
    assert!(
        verdicts("api.get-credentials.status-200")
            .iter()
            .all(|v| *v == Verdict::Pass)
    );
    assert!(verdicts("api.upsert.persisted").contains(&Verdict::Pass));
    assert!(verdicts("oauth.refresh.new-access-token").contains(&Verdict::Pass));
    let failed: Vec<_> = rec
        .findings()
        .iter()
        .flat_map(|(id, fs)| {
            fs.iter()
                .filter(|f| matches!(f.verdict, Verdict::Fail | Verdict::Error))
                .map(move |f| format!("{id}: {}", f.message))
        })
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    running.shutdown().await;
}
