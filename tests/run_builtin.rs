//! `run --builtin` end to end, in-process: the reference provider passes
//! every provider MUST, each of its faults makes the requirements it names
//! fail, and an unreachable target gives exit code 3 with a report written.

use clap::Parser;
use clr_conformance::cli::args::{Cli, Command};
use clr_conformance::cli::run::{RunPlan, execute};
use clr_conformance::report::{Outcome, Report};

/// The plan of `run --quiet EXTRA...`, as the command line makes it.
fn run_plan(extra: &[&str]) -> RunPlan {
    let mut argv = vec!["clr-conformance", "run", "--quiet"];
    argv.extend_from_slice(extra);
    match Cli::try_parse_from(argv).expect("arguments parse").command {
        Command::Run(a) => RunPlan::new(&a).expect("a plan"),
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
    let a = run_plan(&["--builtin", "--out", &out]);
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
    // Complete: expired tokens are judged (short-lived client), and rows
    // untestable by design are listed apart, so every role is certifiable.
    for v in &report.certification {
        assert_eq!(
            v.certifiable,
            clr_conformance::report::Certifiable::Yes,
            "{v:?}"
        );
    }
    let expired = report
        .requirements
        .iter()
        .find(|r| r.id == "oauth.token.expired-refused")
        .expect("row");
    assert_eq!(expired.outcome, Outcome::Pass, "{}", expired.reason);
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
    let a = run_plan(&["--builtin", "--role", "service-provider-read"]);
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
    let a = run_plan(&[
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
        // Each fault is judged by the rows it breaks: only their checks, and the
        // areas they need, run (the plan `--only` makes).
        let runs = chunk.iter().map(|f| async move {
            let mut argv = vec!["--builtin", "--certification", "--fault", f.name];
            for id in f.breaks {
                argv.extend(["--only", id]);
            }
            (f, execute(&run_plan(&argv)).await)
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
    let a = run_plan(&[
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
    let a = run_plan(&[
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
        documents: clr_conformance::provider::seed::seed_document_set(
            clr_conformance::catalog::Profile::clr(),
        ),
        certification: false,
        scope_map: Vec::new(),
        short_lived_client: None,
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

/// One scenario of a behaviour met on a second independent host (issue 19):
/// the fault (or correct variant), and what its report must say.
struct Scenario {
    fault: &'static str,
    /// (row, outcome, text its reason must contain)
    rows: &'static [(&'static str, Outcome, &'static str)],
    /// (row, its root cause): skipped "blocked by" the cause and listed under it.
    blocked: &'static [(&'static str, &'static str)],
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        fault: "token-requires-form-client-id",
        rows: &[
            (
                "oauth.token.basic-auth",
                Outcome::Fail,
                "Missing required parameters",
            ),
            // One finding hides nothing: the run goes on with client_id in the form.
            ("oauth.token.expires-in", Outcome::Pass, ""),
            ("oauth.pkce.s256", Outcome::Pass, ""),
            ("oauth.code.single-use", Outcome::Pass, ""),
        ],
        blocked: &[],
    },
    Scenario {
        fault: "token-requires-json",
        rows: &[(
            "oauth.token.form-encoded",
            Outcome::Fail,
            "send the token request as JSON",
        )],
        blocked: &[
            ("oauth.token.expires-in", "oauth.token.form-encoded"),
            ("oauth.token.cache-control", "oauth.token.form-encoded"),
            ("oauth.token.pragma", "oauth.token.form-encoded"),
            ("oauth.token.refresh-token", "oauth.token.form-encoded"),
            ("oauth.token.response", "oauth.token.form-encoded"),
            ("oauth.pkce.s256", "oauth.token.form-encoded"),
            (
                "oauth.pkce.wrong-verifier-refused",
                "oauth.token.form-encoded",
            ),
            ("oauth.code.single-use", "oauth.token.form-encoded"),
            ("api.upsert.equality", "oauth.token.form-encoded"),
        ],
    },
    Scenario {
        fault: "revocation-no-effect",
        rows: &[(
            "oauth.revoke.later-calls-fail",
            Outcome::Fail,
            "worked (200) before revocation",
        )],
        blocked: &[],
    },
    Scenario {
        fault: "password-grant",
        rows: &[(
            "oauth.token.password-grant-refused",
            Outcome::Fail,
            "tokens issued",
        )],
        blocked: &[],
    },
    Scenario {
        fault: "upsert-scope-403",
        rows: &[
            ("api.upsert.json", Outcome::Fail, "403"),
            (
                "api.upsert.invalid-400",
                Outcome::Skipped,
                "inconclusive: the control request",
            ),
        ],
        blocked: &[
            ("api.upsert.created-201", "api.upsert.json"),
            ("api.upsert.replaced-200", "api.upsert.json"),
            ("api.upsert.equality", "api.upsert.json"),
            ("api.upsert.persisted", "api.upsert.json"),
        ],
    },
    // Refusal families judged by their positive control.
    Scenario {
        fault: "registration-refused",
        rows: &[(
            "oauth.registration.missing-required-refused",
            Outcome::Skipped,
            "inconclusive: the control request was refused with 403",
        )],
        blocked: &[],
    },
    Scenario {
        fault: "authorize-no-code",
        rows: &[
            (
                "oauth.pkce.missing-refused",
                Outcome::Skipped,
                "inconclusive: the control request was refused",
            ),
            (
                "oauth.pkce.plain-refused",
                Outcome::Skipped,
                "inconclusive: the control request was refused",
            ),
        ],
        blocked: &[],
    },
    // A correct variant: same-second refreshes give identical bytes.
    Scenario {
        fault: "deterministic-tokens",
        rows: &[("oauth.refresh.new-access-token", Outcome::Pass, "")],
        blocked: &[],
    },
    // A correct variant: the target's own scope URIs; the run uses them and
    // reports the mismatch on its own (SHOULD) row.
    Scenario {
        fault: "other-scope-uris",
        rows: &[
            ("discovery.oauth2acg.scopes", Outcome::Pass, ""),
            (
                "discovery.oauth2acg.scope-uris",
                Outcome::Warning,
                "https://scopes.example.org/clr-2.0/",
            ),
            ("api.auth.scope.get-credentials", Outcome::Pass, ""),
            ("api.upsert.json", Outcome::Pass, ""),
            ("oauth.refresh.new-access-token", Outcome::Pass, ""),
        ],
        blocked: &[],
    },
];

/// Each behaviour gets the right verdict, the same in two runs, with one
/// failing row per cause and its dependents "blocked by" it in every format.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_host_behaviours_get_one_root_cause_and_stable_verdicts() {
    let mut problems = Vec::new();
    for chunk in SCENARIOS.chunks(2) {
        let runs = chunk.iter().flat_map(|s| [s, s]).map(|s| async move {
            let kind = if clr_conformance::provider::faults::variant(s.fault).is_some() {
                "--variant"
            } else {
                "--fault"
            };
            let a = run_plan(&["--builtin", kind, s.fault]);
            (s, execute(&a).await.expect("run executes").0)
        });
        let done = futures_util::future::join_all(runs).await;
        for pair in done.chunks(2) {
            let (s, one) = (&pair[0].0, &pair[0].1);
            let two = &pair[1].1;
            // Stable: both runs give every row the same outcome.
            for (a, b) in one.requirements.iter().zip(&two.requirements) {
                if a.outcome != b.outcome {
                    problems.push(format!(
                        "{}: {} unstable: {} then {}",
                        s.fault,
                        a.id,
                        a.outcome.as_str(),
                        b.outcome.as_str()
                    ));
                }
            }
            let row = |id: &str| one.requirements.iter().find(|r| r.id == id);
            for (id, want, text) in s.rows {
                match row(id) {
                    Some(r) if r.outcome == *want && r.reason.contains(text) => {}
                    Some(r) => problems.push(format!(
                        "{}: {id} is {} ({}), want {} containing {text:?}",
                        s.fault,
                        r.outcome.as_str(),
                        r.reason,
                        want.as_str()
                    )),
                    None => problems.push(format!("{}: no row {id}", s.fault)),
                }
            }
            for (id, cause) in s.blocked {
                let ok = row(id).is_some_and(|r| {
                    r.outcome == Outcome::Skipped
                        && r.blocked_by.as_deref() == Some(*cause)
                        && r.reason.starts_with(&format!("blocked by {cause}"))
                });
                let listed = row(cause).is_some_and(|c| c.blocks.iter().any(|b| b == id));
                if !ok || !listed {
                    problems.push(format!(
                        "{}: {id} not blocked by {cause} (listed under it: {listed}): {:?}",
                        s.fault,
                        row(id).map(|r| (r.outcome.as_str(), r.reason.clone()))
                    ));
                }
            }
            // One cause, one failure: the MUSTs failing are the cause rows only.
            if !s.blocked.is_empty() {
                let causes: Vec<&str> = s.blocked.iter().map(|b| b.1).collect();
                for r in one
                    .requirements
                    .iter()
                    .filter(|r| r.outcome == Outcome::Fail)
                {
                    if !causes.contains(&r.id.as_str()) {
                        problems.push(format!("{}: echo failure {}: {}", s.fault, r.id, r.reason));
                    }
                }
                // Every format names the cause above its dependents.
                let md = clr_conformance::report::markdown::render(one);
                if !md.contains("**Blocks**") {
                    problems.push(format!("{}: markdown lists no Blocks", s.fault));
                }
            }
            // A correct variant is not failed at all.
            // (A row the scenario expects to warn is checked above.)
            if clr_conformance::provider::faults::variant(s.fault).is_some() {
                problems.extend(
                    failing(one)
                        .into_iter()
                        .filter(|f| {
                            !s.rows
                                .iter()
                                .any(|(id, _, _)| f.starts_with(&format!("{id} ")))
                        })
                        .map(|f| format!("{}: {f}", s.fault)),
                );
            }
            // No row is not-run without a reason.
            for r in &one.requirements {
                if r.outcome == Outcome::NotRun {
                    problems.push(format!("{}: {} not-run: {}", s.fault, r.id, r.reason));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// No pollution: two runs against one provider. The first upserts only
/// credentials the harness signed itself; the second recognises them as the
/// harness's (a note, not a verdict on the target) and finds nothing that
/// fails to verify.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_recognises_the_first_runs_credentials() {
    use clr_conformance::catalog::{Profile, Role};
    use clr_conformance::evidence::{Redactor, Verdict};
    use clr_conformance::http::{Client, HttpConfig};
    use clr_conformance::oauth::authorize::FormLogin;
    use clr_conformance::oauth::register::ClientMetadata;
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
    let user = running.users()[0].clone();
    let target = Target {
        base_url: running.base_url().to_string(),
        profile,
        roles: vec![Role::Host],
        login: Login::Form(FormLogin::password(
            &user.username,
            &user.password,
            Target::policy_for(running.base_url()),
        )),
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
    };
    let mut notes = Vec::new();
    for run in 0..2 {
        let http = Client::new(&cfg, Redactor::new()).expect("client");
        let (rec, unreachable) = provider::run(Ctx::new(http, target.clone())).await;
        assert!(unreachable.is_none());
        let verifiable: Vec<Verdict> = rec
            .findings_for("api.get-credentials.verifiable")
            .iter()
            .map(|f| f.verdict)
            .collect();
        assert!(
            !verifiable.is_empty() && verifiable.iter().all(|v| *v == Verdict::Pass),
            "run {run}: {:?}",
            rec.findings_for("api.get-credentials.verifiable")
        );
        assert!(
            rec.findings_for("api.upsert.persisted")
                .iter()
                .any(|f| f.verdict == Verdict::Pass)
        );
        notes = rec.notes().to_vec();
    }
    assert!(
        notes
            .iter()
            .any(|n| n.contains("upserted by clr-conformance itself")),
        "{notes:#?}"
    );
    // The seeds name https key documents: without them (offline, none
    // supplied) no seed is shown to verify, so the row is skipped, never
    // passed; with another issuer's document in their place, it fails.
    let mut offline = target.clone();
    offline.documents = Default::default();
    let mut swapped = target.clone();
    let docs = clr_conformance::provider::seed::seed_documents(profile);
    let other = docs
        .iter()
        .find(|(u, _)| u.contains("university.example.edu"))
        .map(|(_, d)| d.clone())
        .expect("a second issuer's document");
    swapped.documents = clr_conformance::credential::verify::Documents::new(
        docs.into_iter()
            .map(|(u, d)| {
                let d = if u == "https://records.example.edu/issuers/clr" {
                    other.clone()
                } else {
                    d
                };
                (
                    u,
                    clr_conformance::credential::verify::documents::Fetched::Json(d),
                )
            })
            .collect(),
    );
    for (t, want, text) in [
        (offline, Verdict::Skip, "could not be judged"),
        (swapped, Verdict::Fail, "does not verify"),
    ] {
        let http = Client::new(&cfg, Redactor::new()).expect("client");
        let (rec, _) = provider::run(Ctx::new(http, t)).await;
        let f = rec.findings_for("api.get-credentials.verifiable");
        assert!(
            f.iter()
                .any(|f| f.verdict == want && f.message.contains(text))
                && !f.iter().any(|f| f.verdict == Verdict::Pass),
            "{want:?}: {f:#?}"
        );
    }
    running.shutdown().await;
}

/// `--only api.paging` runs the paging checks and the areas they need (discovery,
/// registration, authorization with its code exchange), nothing else: fewer checks execute, no
/// request of another area is sent, and each paging row comes out as in the full run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_runs_the_selected_checks_and_what_they_need() {
    use clr_conformance::suites::provider::{AREAS, Target, plan};
    let (full, _) = execute(&run_plan(&["--builtin"])).await.expect("full run");
    let (only, _) = execute(&run_plan(&["--builtin", "--only", "api.paging"]))
        .await
        .expect("paging run");
    assert_eq!(only.exit_code, 0, "{:#?}", failing(&only));
    assert!(
        only.requirements
            .iter()
            .all(|r| r.id.starts_with("api.paging."))
    );
    for row in &only.requirements {
        let whole = full.requirements.iter().find(|r| r.id == row.id).unwrap();
        assert_eq!(row.outcome, whole.outcome, "{}", row.id);
    }
    assert!(
        only.summary.checks_run * 2 < full.summary.checks_run,
        "{} checks ran for paging, {} in the full run",
        only.summary.checks_run,
        full.summary.checks_run
    );
    let sent: std::collections::BTreeSet<&str> = only
        .transcripts
        .iter()
        .map(|t| t.label.split([' ', ':']).next().unwrap_or_default())
        .collect();
    for area in [
        "upsertCredential",
        "putProfile",
        "getProfile",
        "revoke",
        "transport",
    ] {
        assert!(!sent.contains(area), "{area} was sent: {sent:?}");
    }
    assert!(
        sent.contains("getCredentials") && sent.contains("token"),
        "{sent:?}"
    );

    // The plan itself: the owning area plus what it needs, in registry order.
    let target = Target {
        roles: vec![clr_conformance::catalog::Role::Host],
        ..builtin_like_target()
    };
    let paging: std::collections::BTreeSet<String> = AREAS
        .iter()
        .find(|a| a.name == "paging")
        .unwrap()
        .checks
        .iter()
        .flat_map(|c| c.ids.iter().map(|s| s.to_string()))
        .collect();
    let names: Vec<&str> = plan(&target, Some(&paging))
        .iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(
        names,
        ["discovery", "registration", "authorization", "paging"]
    );
    let revoke: std::collections::BTreeSet<String> =
        ["oauth.revoke.refresh-tokens".to_string()].into();
    let names: Vec<&str> = plan(&target, Some(&revoke))
        .iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(
        names,
        [
            "discovery",
            "registration",
            "authorization",
            "refresh",
            "revocation"
        ],
        "the revocation control needs a refresh"
    );
    assert_eq!(plan(&target, None).len(), AREAS.len());
}

/// A target description for planning only (nothing is contacted).
fn builtin_like_target() -> clr_conformance::suites::provider::Target {
    use clr_conformance::suites::provider::{Login, Target};
    let base = "https://127.0.0.1:1".to_string();
    Target {
        base_url: base.clone(),
        profile: clr_conformance::catalog::Profile::clr(),
        roles: vec![],
        login: Login::Token {
            access_token: "unused".into(),
            refresh_token: None,
        },
        metadata: Default::default(),
        client: None,
        revocation_url: None,
        upsert_credential: None,
        fetch_documents: false,
        documents: Default::default(),
        certification: false,
        scope_map: Vec::new(),
        short_lived_client: None,
        offline: Default::default(),
        policy: Target::policy_for(&base),
    }
}
