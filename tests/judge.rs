//! `judge`: scripted consumers (one well-behaved, several faulty, each
//! breaking one rule) run against a live recording session on loopback and
//! the judgement is checked; an abandoned session times out with the missing
//! steps named; the displayer page is driven in real headless Chromium.

use clr_conformance::catalog::{Profile, Role};
use clr_conformance::cli::args::ReportOpts;
use clr_conformance::cli::common::RunInfo;
use clr_conformance::cli::judge::{consumer_report, displayer_report};
use clr_conformance::credential::jsonld;
use clr_conformance::credential::proof::{attach_proof, sign_data_integrity};
use clr_conformance::judge::consumer::{ConsumerRole, End, Session, SessionConfig};
use clr_conformance::judge::displayer::{DisplayerSession, Truth};
use clr_conformance::provider::{self, seed};
use clr_conformance::report::{FailOn, Outcome, Report};
use reqwest::Client;
use rustls::pki_types::{CertificateDer, pem::PemObject};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

fn opts(dir: &str) -> ReportOpts {
    ReportOpts {
        out: Some(
            std::env::temp_dir().join(format!("clr-judge-test-{dir}-{}", std::process::id())),
        ),
        format: vec![],
        only: vec![],
        skip: vec![],
        fail_on: FailOn::Must,
        quiet: true,
        ..Default::default()
    }
}

/// What a scripted consumer does wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    NoPkce,
    PlainPkce,
    NoState,
    MissingRegistrationFields,
    WrongScopes,
    TokenInQuery,
    UnsignedCredential,
    TamperedCredential,
    /// Not a fault: pages with limit=2 and follows every rel="next".
    Pages,
    /// Pages with limit=2 but reads only the first page.
    IgnoresNext,
    /// Revokes its access token without token_type_hint.
    RevokeWithoutHint,
    /// Redeems the code although the returned state differs (provider: wrong-state).
    IgnoresState,
    /// Not a fault: meets a provider that alters state and stops (provider: wrong-state).
    ChecksState,
}

struct Consumer {
    http: Client,
    role: ConsumerRole,
    fault: Fault,
    profile: &'static Profile,
}

const REDIRECT: &str = "https://consumer.example/callback";

fn client(pem: &str) -> Client {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn random(n: usize) -> String {
    use rand::Rng;
    let bytes: Vec<u8> = (0..n).map(|_| rand::thread_rng().r#gen()).collect();
    b64url(&bytes)
}

/// Pull a hidden input's value out of the provider's login page.
fn hidden(html: &str, name: &str) -> Option<String> {
    let key = format!("name=\"{name}\" value=\"");
    let start = html.find(&key)? + key.len();
    let end = start + html[start..].find('"')?;
    Some(
        html[start..end]
            .replace("&amp;", "&")
            .replace("&quot;", "\""),
    )
}

impl Consumer {
    fn scope(&self) -> String {
        let s = &self.profile.scopes;
        match (self.role, self.fault) {
            (ConsumerRole::Read, Fault::WrongScopes) => {
                format!("{} {}", s.credential_readonly, s.credential_upsert)
            }
            (ConsumerRole::Read, _) => format!(
                "{} {} {}",
                s.credential_readonly, s.profile_readonly, s.offline_access
            ),
            (ConsumerRole::Write, _) => format!("{} {}", s.credential_upsert, s.profile_update),
        }
    }

    /// The whole flow; stops quietly where the provider refuses.
    async fn run(&self, discovery: &str, user: &provider::TestUser) {
        let sdd: Value = self
            .http
            .get(discovery)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let scheme = &sdd["components"]["securitySchemes"]["OAuth2ACG"];
        let reg_url = scheme["x-imssf-registrationUrl"]
            .as_str()
            .unwrap()
            .to_string();
        let auth_url = scheme["flows"]["authorizationCode"]["authorizationUrl"]
            .as_str()
            .unwrap()
            .to_string();
        let token_url = scheme["flows"]["authorizationCode"]["tokenUrl"]
            .as_str()
            .unwrap()
            .to_string();
        let mut reg = json!({
            "client_name": "Scripted Consumer",
            "client_uri": "https://consumer.example/",
            "logo_uri": "https://consumer.example/logo.png",
            "tos_uri": "https://consumer.example/tos",
            "policy_uri": "https://consumer.example/privacy",
            "software_id": "scripted-consumer",
            "software_version": "1.0.0",
            "redirect_uris": [REDIRECT],
            "scope": self.scope(),
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        });
        if self.fault == Fault::MissingRegistrationFields {
            let m = reg.as_object_mut().unwrap();
            m.remove("software_version");
            m.remove("tos_uri");
        }
        let r = self.http.post(&reg_url).json(&reg).send().await.unwrap();
        if !r.status().is_success() {
            return;
        }
        let client: Value = r.json().await.unwrap();
        let id = client["client_id"].as_str().unwrap().to_string();
        let secret = client["client_secret"].as_str().unwrap().to_string();
        let verifier = random(48);
        let challenge = b64url(&Sha256::digest(verifier.as_bytes()));
        let state = random(16);
        let scope = self.scope();
        let mut q: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", &id),
            ("redirect_uri", REDIRECT),
            ("scope", &scope),
        ];
        match self.fault {
            Fault::NoPkce => {}
            Fault::PlainPkce => {
                q.push(("code_challenge", &verifier));
                q.push(("code_challenge_method", "plain"));
            }
            _ => {
                q.push(("code_challenge", &challenge));
                q.push(("code_challenge_method", "S256"));
            }
        }
        if self.fault != Fault::NoState {
            q.push(("state", &state));
        }
        // The browser redirect, then the user fills the provider's form.
        let page = self.http.get(&auth_url).query(&q).send().await.unwrap();
        if page.status() != 200 {
            return;
        }
        let html = page.text().await.unwrap();
        let mut form: Vec<(String, String)> = [
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "code_challenge",
            "code_challenge_method",
        ]
        .iter()
        .filter_map(|k| hidden(&html, k).map(|v| (k.to_string(), v)))
        .collect();
        form.push(("username".into(), user.username.clone()));
        form.push(("password".into(), user.password.clone()));
        form.push(("consent".into(), "approve".into()));
        let r = self.http.post(&auth_url).form(&form).send().await.unwrap();
        let Some(loc) = r.headers().get("location").and_then(|v| v.to_str().ok()) else {
            return;
        };
        let loc = url::Url::parse(loc).unwrap();
        let back = loc
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned());
        if self.fault != Fault::IgnoresState
            && self.fault != Fault::NoState
            && back.as_deref() != Some(state.as_str())
        {
            return;
        }
        let Some(code) = loc
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
        else {
            return;
        };
        let mut tf: Vec<(&str, &str)> = vec![
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("scope", &scope),
        ];
        if self.fault != Fault::NoPkce {
            tf.push(("code_verifier", &verifier));
        }
        let r = self
            .http
            .post(&token_url)
            .basic_auth(&id, Some(&secret))
            .form(&tf)
            .send()
            .await
            .unwrap();
        if !r.status().is_success() {
            return;
        }
        let tok: Value = r.json().await.unwrap();
        let access = tok["access_token"].as_str().unwrap().to_string();
        let api = discovery.trim_end_matches("/discovery").to_string();
        let authed = |rb: reqwest::RequestBuilder| {
            if self.fault == Fault::TokenInQuery {
                rb.query(&[("access_token", access.as_str())])
            } else {
                rb.bearer_auth(&access)
            }
        };
        match self.role {
            ConsumerRole::Read if matches!(self.fault, Fault::Pages | Fault::IgnoresNext) => {
                let mut next = Some(format!("{api}/credentials?limit=2"));
                while let Some(u) = next.take() {
                    let r = authed(self.http.get(&u))
                        .header("accept", "application/json")
                        .send()
                        .await
                        .unwrap();
                    let link = r
                        .headers()
                        .get("link")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    let _ = r.bytes().await;
                    if self.fault == Fault::Pages {
                        next = link
                            .split(',')
                            .find(|p| p.contains("rel=\"next\""))
                            .map(|p| {
                                p.split(';')
                                    .next()
                                    .unwrap()
                                    .trim()
                                    .trim_matches(|c| c == '<' || c == '>')
                                    .to_string()
                            });
                    }
                }
                let r = authed(self.http.get(format!("{api}/profile")))
                    .header("accept", "application/json")
                    .send()
                    .await
                    .unwrap();
                let _ = r.bytes().await;
            }
            ConsumerRole::Read => {
                for path in ["credentials", "profile"] {
                    let r = authed(self.http.get(format!("{api}/{path}")))
                        .header("accept", "application/json")
                        .send()
                        .await
                        .unwrap();
                    let _ = r.bytes().await;
                }
                if matches!(self.fault, Fault::None | Fault::RevokeWithoutHint) {
                    let refresh = tok["refresh_token"]
                        .as_str()
                        .expect("a refresh token for offline_access");
                    let r = self
                        .http
                        .post(&token_url)
                        .basic_auth(&id, Some(&secret))
                        .form(&[
                            ("grant_type", "refresh_token"),
                            ("refresh_token", refresh),
                            ("scope", &scope),
                        ])
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success(), "refresh refused");
                    let fresh: Value = r.json().await.unwrap();
                    let revoke_url = token_url.replace("/token", "/revoke");
                    let fresh_token = fresh["access_token"].as_str().unwrap();
                    let mut f = vec![("token", fresh_token)];
                    if self.fault == Fault::None {
                        f.push(("token_type_hint", "access_token"));
                    }
                    let r = self
                        .http
                        .post(&revoke_url)
                        .basic_auth(&id, Some(&secret))
                        .form(&f)
                        .send()
                        .await
                        .unwrap();
                    let _ = r.bytes().await;
                }
            }
            ConsumerRole::Write => {
                let body = clr_for_cert(self.fault);
                let r = authed(self.http.post(format!("{api}/credentials")))
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await
                    .unwrap();
                assert!(
                    r.status().is_success(),
                    "upsert refused: {}",
                    r.text().await.unwrap()
                );
                let profile = json!({
                    "id": self.profile.cert_profile_id,
                    "type": ["Profile"],
                    "name": "Certification Test Issuer",
                    "url": "https://consumer.example/",
                    "email": "issuer@consumer.example"
                });
                let r = authed(self.http.put(format!("{api}/profile")))
                    .header("content-type", "application/json")
                    .body(profile.to_string())
                    .send()
                    .await
                    .unwrap();
                let _ = r.bytes().await;
            }
        }
    }
}

/// A ClrCredential issued to conformance@imsglobal.org, signed with the
/// reference issuer's published test key (unsigned or altered when asked).
fn clr_for_cert(fault: Fault) -> Value {
    let p = Profile::clr();
    let k = &clr_conformance::vectors::keys::keys().clr;
    let issuer = json!({"id": k.id, "type": ["Profile"], "name": "Example University"});
    let ident = json!([{
        "type": "IdentityObject", "hashed": false,
        "identityHash": p.cert_recipient, "identityType": "emailAddress"
    }]);
    let sign = |doc: Value| {
        let proof = sign_data_integrity(
            &doc,
            &k.key,
            &k.method,
            "2025-01-01T00:00:00Z",
            "eddsa-rdfc-2022",
        )
        .unwrap();
        attach_proof(&doc, proof)
    };
    let inner = sign(json!({
        "@context": [p.contexts.vc_v2, p.contexts.ob, jsonld::OB_EXTENSIONS],
        "id": "https://example.edu/credentials/cert-1",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": issuer,
        "name": "Certification Course",
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": ident,
            "achievement": {
                "id": "https://example.edu/achievements/cert-1",
                "type": ["Achievement"],
                "name": "Certification Course",
                "description": "Completed for certification.",
                "criteria": {"narrative": "Complete it."}
            }
        },
        "credentialSchema": [{"id": p.schemas.achievement_credential, "type": "1EdTechJsonSchemaValidator2019"}]
    }));
    let doc = json!({
        "@context": [p.contexts.vc_v2, p.contexts.primary, p.contexts.ob, jsonld::OB_EXTENSIONS],
        "id": "https://example.edu/clr/cert-1",
        "type": ["VerifiableCredential", p.credential_type],
        "issuer": issuer,
        "name": "Certification Record",
        "description": "A record for the certification recipient.",
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "type": [p.subject_type],
            "identifier": ident,
            "verifiableCredential": [inner]
        },
        "credentialSchema": [{"id": p.schemas.credential, "type": "1EdTechJsonSchemaValidator2019"}]
    });
    match fault {
        Fault::UnsignedCredential => doc,
        Fault::TamperedCredential => {
            let mut d = sign(doc);
            d["name"] = json!("Certification Record (altered)");
            d
        }
        _ => sign(doc),
    }
}

fn lenient(fault: Fault) -> Vec<provider::Fault> {
    let names: &[&str] = match fault {
        Fault::NoPkce => &["accept-missing-pkce"],
        Fault::PlainPkce => &["accept-plain-pkce"],
        Fault::MissingRegistrationFields => &["registration-accept-missing-fields"],
        Fault::IgnoresState | Fault::ChecksState => &["wrong-state"],
        _ => &[],
    };
    names.iter().map(|n| *provider::fault(n).unwrap()).collect()
}

/// Run one scripted consumer in a session and build the report.
async fn session(role: ConsumerRole, fault: Fault) -> Report {
    session_with(role, fault, &[]).await
}

/// `session` against a provider with correct `variants` on; the consumer
/// uses the scopes the provider advertises.
async fn session_with(role: ConsumerRole, fault: Fault, variants: &[&str]) -> Report {
    let mut cfg = SessionConfig::new(role, Profile::clr());
    cfg.faults = lenient(fault);
    cfg.faults.extend(
        variants
            .iter()
            .map(|v| *provider::faults::variant(v).expect("a variant")),
    );
    cfg.grace = Duration::from_millis(200);
    let s = Session::start(cfg).await.unwrap();
    let c = Consumer {
        http: client(s.provider().ca_pem().unwrap()),
        role,
        fault,
        profile: s.provider().profile(),
    };
    let user = s.provider().users()[0].clone();
    tokio::time::timeout(
        Duration::from_secs(60),
        c.run(&s.provider().discovery_url(), &user),
    )
    .await
    .expect("scripted consumer took over 60 s");
    let end = if matches!(fault, Fault::None | Fault::Pages) {
        let end = s.wait(Duration::from_secs(5)).await;
        assert_eq!(end, End::Done, "a complete flow ends the session by itself");
        end
    } else {
        End::Operator
    };
    let finished = s.finish(end).await;
    let info = RunInfo::new(
        "judge test",
        "scripted consumer",
        "clr-2.0",
        &[role.role()],
        role.scope(),
    );
    let report = consumer_report(info, &finished, role, &opts("consumer"));
    // Every secret the exchanges carried stays out of the report.
    let mut secrets = vec![user.password.clone(), seed::LEARNER_EMAIL.to_string()];
    for e in &finished.recording {
        let form = url::form_urlencoded::parse(e.body.as_bytes());
        for (k, v) in form {
            if ["code", "code_verifier", "password"].contains(&k.as_ref()) {
                secrets.push(v.into_owned());
            }
        }
        if let Ok(v) = serde_json::from_str::<Value>(&e.response_body) {
            for k in ["access_token", "refresh_token", "client_secret"] {
                if let Some(t) = v.get(k).and_then(Value::as_str) {
                    secrets.push(t.to_string());
                }
            }
        }
    }
    let text = serde_json::to_string(&report).unwrap();
    for sec in secrets.iter().filter(|x| x.len() >= 4) {
        assert!(
            !text.contains(sec.as_str()),
            "{fault:?}: a secret leaked into the report"
        );
    }
    report
}

fn ids(r: &Report, o: Outcome) -> BTreeSet<String> {
    r.requirements
        .iter()
        .filter(|x| x.outcome == o)
        .map(|x| x.id.clone())
        .collect()
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn assert_no_secret(r: &Report, secrets: &[&str]) {
    let text = serde_json::to_string(r).unwrap();
    for s in secrets {
        assert!(!text.contains(s), "{s} leaked into the report");
    }
}

/// A provider naming the operations with its own scope URIs: a consumer
/// that asks for the advertised ones is judged correct in both roles.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_using_the_advertised_scope_uris_passes() {
    for role in [ConsumerRole::Read, ConsumerRole::Write] {
        let r = session_with(role, Fault::None, &["other-scope-uris"]).await;
        assert!(ids(&r, Outcome::Fail).is_empty(), "{:#?}", failing(&r));
        assert!(
            ids(&r, Outcome::Pass).contains("consumer.scope.required"),
            "{role:?}: {:#?}",
            r.requirements
                .iter()
                .find(|x| x.id == "consumer.scope.required")
        );
        let text = serde_json::to_string(&r).unwrap();
        assert!(
            text.contains("scopes.example.org"),
            "{role:?}: the other URIs are judged"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn well_behaved_read_consumer_passes_every_must() {
    let r = session(ConsumerRole::Read, Fault::None).await;
    assert!(ids(&r, Outcome::Fail).is_empty(), "{:#?}", failing(&r));
    for id in [
        "consumer.discovery.first",
        "consumer.authorize.params",
        "consumer.pkce.s256",
        "consumer.pkce.verifier",
        "consumer.token.basic-auth",
        "consumer.token.params",
        "consumer.bearer.header",
        "consumer.media-types",
        "consumer.read.get-credentials",
        "consumer.read.get-profile",
        "oauth.registration.request.required-fields",
        "oauth.refresh.client-request",
        "oauth.revoke.client-request",
        "transport.tls.client",
    ] {
        assert!(
            ids(&r, Outcome::Pass).contains(id),
            "{id} did not pass: {:#?}",
            row(&r, id)
        );
    }
    assert!(!r.transcripts.is_empty());
    assert_no_secret(&r, &[seed::LEARNER_EMAIL]);
    let text = serde_json::to_string(&r.transcripts).unwrap();
    assert!(
        text.contains("[redacted"),
        "transcripts show redaction marks"
    );
    assert_eq!(r.exit_code, 0, "{:#?}", failing(&r));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn well_behaved_write_consumer_passes_every_must() {
    let r = session(ConsumerRole::Write, Fault::None).await;
    assert!(ids(&r, Outcome::Fail).is_empty(), "{:#?}", failing(&r));
    for id in [
        "consumer.write.upsert",
        "consumer.write.verifiable-credential",
        "consumer.write.recipient",
        "consumer.write.put-profile",
        "consumer.write.profile-valid",
        "consumer.scope.required",
    ] {
        assert!(
            ids(&r, Outcome::Pass).contains(id),
            "{id} did not pass: {:#?}",
            row(&r, id)
        );
    }
    assert_eq!(r.exit_code, 0, "{:#?}", failing(&r));
}

fn row<'a>(r: &'a Report, id: &str) -> Option<&'a clr_conformance::report::model::Row> {
    r.requirements.iter().find(|x| x.id == id)
}

fn failing(r: &Report) -> Vec<(String, String)> {
    r.requirements
        .iter()
        .filter(|x| matches!(x.outcome, Outcome::Fail | Outcome::Error))
        .map(|x| (x.id.clone(), x.reason.clone()))
        .collect()
}

/// Faults whose flow goes on (the provider is lenient): exactly these MUSTs fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faulty_consumers_fail_exactly_what_they_break() {
    let cases: &[(ConsumerRole, Fault, &[&str])] = &[
        (
            ConsumerRole::Read,
            Fault::NoPkce,
            &[
                "consumer.authorize.params",
                "consumer.pkce.s256",
                "consumer.pkce.verifier",
                "consumer.token.params",
            ],
        ),
        (
            ConsumerRole::Read,
            Fault::PlainPkce,
            &["consumer.pkce.s256"],
        ),
        (
            ConsumerRole::Read,
            Fault::MissingRegistrationFields,
            &["oauth.registration.request.required-fields"],
        ),
        (
            ConsumerRole::Read,
            Fault::WrongScopes,
            &[
                "consumer.scope.required",
                "oauth.registration.request.scope",
                "consumer.read.get-profile",
            ],
        ),
        (
            ConsumerRole::Read,
            Fault::TokenInQuery,
            &[
                "consumer.bearer.header",
                "consumer.read.get-credentials",
                "consumer.read.get-profile",
            ],
        ),
        (
            ConsumerRole::Read,
            Fault::RevokeWithoutHint,
            &["oauth.revoke.client-request"],
        ),
        (
            ConsumerRole::Read,
            Fault::IgnoresState,
            &["consumer.state.verified"],
        ),
        (
            ConsumerRole::Write,
            Fault::UnsignedCredential,
            &["consumer.write.verifiable-credential"],
        ),
        (
            ConsumerRole::Write,
            Fault::TamperedCredential,
            &["consumer.write.verifiable-credential"],
        ),
    ];
    for (role, fault, want) in cases {
        let r = session(*role, *fault).await;
        let failed: BTreeSet<String> = ids(&r, Outcome::Fail)
            .into_iter()
            // Data-model rows judge the upserted credential itself.
            .filter(|id| !id.starts_with("data.") && !id.starts_with("proof."))
            .collect();
        assert_eq!(failed, set(want), "{fault:?}: {:#?}", failing(&r));
        assert_eq!(r.exit_code, 1, "{fault:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_consumers_are_judged_on_following_next() {
    let r = session(ConsumerRole::Read, Fault::Pages).await;
    for id in ["consumer.read.paging", "consumer.read.paging-headers"] {
        assert!(
            ids(&r, Outcome::Pass).contains(id),
            "{id}: {:#?}",
            row(&r, id)
        );
    }
    assert_eq!(r.exit_code, 0, "{:#?}", failing(&r));
    let r = session(ConsumerRole::Read, Fault::IgnoresNext).await;
    assert_eq!(
        ids(&r, Outcome::Fail),
        set(&["consumer.read.paging-headers"])
    );
    let plain = session(ConsumerRole::Read, Fault::None).await;
    assert!(ids(&plain, Outcome::NotApplicable).contains("consumer.read.paging-headers"));
}

/// A consumer that checks state refuses the altered one: state.verified passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_checking_state_does_not_redeem_an_altered_one() {
    let r = session(ConsumerRole::Read, Fault::ChecksState).await;
    let id = "consumer.state.verified";
    assert!(ids(&r, Outcome::Pass).contains(id), "{:#?}", row(&r, id));
    let plain = session(ConsumerRole::Read, Fault::None).await;
    assert!(ids(&plain, Outcome::NotApplicable).contains(id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_in_query_also_breaks_the_should() {
    let r = session(ConsumerRole::Read, Fault::TokenInQuery).await;
    assert!(ids(&r, Outcome::Warning).contains("consumer.bearer.no-query"));
}

/// The provider refuses a request without state, so everything after it never happens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_state_fails_state_and_names_the_steps_that_never_happened() {
    let r = session(ConsumerRole::Read, Fault::NoState).await;
    let failed = ids(&r, Outcome::Fail);
    for id in ["consumer.state.present", "consumer.authorize.params"] {
        assert!(failed.contains(id), "{id}: {:#?}", failing(&r));
    }
    for id in [
        "consumer.discovery.first",
        "consumer.pkce.s256",
        "oauth.registration.request.required-fields",
    ] {
        assert!(
            ids(&r, Outcome::Pass).contains(id),
            "{id}: {:#?}",
            row(&r, id)
        );
    }
    let tok = row(&r, "consumer.token.basic-auth").unwrap();
    assert!(
        tok.reason.contains("token request never happened"),
        "{}",
        tok.reason
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_session_times_out_with_the_missing_steps() {
    let mut cfg = SessionConfig::new(ConsumerRole::Read, Profile::clr());
    cfg.grace = Duration::from_millis(100);
    let s = Session::start(cfg).await.unwrap();
    let t = std::time::Instant::now();
    let end = s.wait(Duration::from_millis(700)).await;
    assert_eq!(end, End::Timeout);
    assert!(t.elapsed() < Duration::from_secs(5));
    let finished = s.finish(end).await;
    let info = RunInfo::new(
        "judge test",
        "nobody",
        "clr-2.0",
        &[Role::ServiceConsumerRead],
        ConsumerRole::Read.scope(),
    );
    let r = consumer_report(info, &finished, ConsumerRole::Read, &opts("abandoned"));
    assert_eq!(r.exit_code, 1);
    let reason = |id: &str| row(&r, id).unwrap().reason.clone();
    assert!(reason("consumer.discovery.first").contains("discovery never happened"));
    assert!(reason("consumer.read.get-credentials").contains("getCredentials never happened"));
    assert!(
        r.header.notes.iter().any(|n| n.contains("timed out")),
        "{:?}",
        r.header.notes
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_finish_page_ends_a_session() {
    let s = Session::start(SessionConfig::new(ConsumerRole::Read, Profile::clr()))
        .await
        .unwrap();
    let url = s.finish_url().to_string();
    let http = client("");
    let hit = tokio::spawn(async move { http.post(url).send().await.map(|r| r.status()) });
    let end = s.wait(Duration::from_secs(20)).await;
    assert_eq!(end, End::Operator);
    assert_eq!(hit.await.unwrap().unwrap(), 200);
    s.finish(end).await;
}

// ---------------------------------------------------------------------------------------------
// Displayer in headless Chromium
// ---------------------------------------------------------------------------------------------

const CHROMIUM: &str = "/usr/bin/chromium";

/// Load `url` in headless Chromium; killed after at most 60 s.
async fn chromium(url: &str) -> bool {
    if !std::path::Path::new(CHROMIUM).exists() {
        if std::env::var_os("CI").is_some() {
            panic!("{CHROMIUM}: not installed, and CI is set");
        }
        println!("skipping: {CHROMIUM} is not installed");
        return false;
    }
    let profile = std::env::temp_dir().join(format!(
        "clr-judge-chromium-{}-{}",
        std::process::id(),
        random(6)
    ));
    let mut child = tokio::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            url,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromium starts");
    if tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
    let _ = std::fs::remove_dir_all(profile);
    true
}

fn answers(wrong_revoked: bool) -> Value {
    let mut m = serde_json::Map::new();
    for (slug, truth) in [
        ("v2-valid", Truth::Valid),
        ("v2-expired", Truth::Expired),
        ("v2-revoked", Truth::Revoked),
        ("v2-tampered", Truth::Tampered),
        ("v2-not-yet-valid", Truth::NotYetValid),
        ("v11-valid", Truth::Valid),
        ("v11-expired", Truth::Expired),
        ("v11-revoked", Truth::Revoked),
        ("v2-jwt-rs256", Truth::Valid),
    ] {
        let status = match truth {
            Truth::Valid => "valid",
            Truth::Expired => "expired",
            Truth::Revoked if wrong_revoked && slug == "v2-revoked" => "valid",
            Truth::Revoked => "revoked",
            Truth::Tampered | Truth::NotYetValid => "invalid",
        };
        m.insert(
            slug.into(),
            json!({"status": status, "shown": ["name", "description", "issuer-name", "issue-date", "status"], "verify": true}),
        );
    }
    Value::Object(m)
}

async fn displayer_run(wrong_revoked: bool) -> Option<Report> {
    let s = DisplayerSession::start("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    assert_eq!(s.records().len(), 9);
    let fill = answers(wrong_revoked).to_string();
    let url = format!(
        "{}?autofill={}",
        s.page_url(),
        url::form_urlencoded::byte_serialize(fill.as_bytes()).collect::<String>()
    );
    let browse = tokio::spawn(async move { chromium(&url).await });
    let end = s.wait(Duration::from_secs(60)).await;
    let ran = browse.await.unwrap();
    if !ran {
        s.finish().await;
        return None;
    }
    assert_eq!(end, End::Done, "the browser submitted the form");
    let records = s.records().to_vec();
    let (ans, fetches) = s.finish().await;
    let info = RunInfo::new(
        "judge displayer test",
        "chromium",
        "clr-2.0",
        &[Role::Displayer],
        &["displayer"],
    );
    Some(displayer_report(
        info,
        &records,
        ans.as_ref(),
        &fetches,
        &opts("displayer"),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn displayer_page_in_chromium_judges_the_answers() {
    let Some(r) = displayer_run(false).await else {
        return;
    };
    assert!(ids(&r, Outcome::Fail).is_empty(), "{:#?}", failing(&r));
    for id in [
        "displayer.verify.valid",
        "displayer.verify.expired",
        "displayer.verify.revoked",
        "displayer.verify.vc11",
        "displayer.verify.tampered",
        "displayer.proof.eddsa-rdfc-2022",
        "displayer.proof.rs256",
        "displayer.viewer-verification",
        "displayer.show.name",
    ] {
        assert!(
            ids(&r, Outcome::Pass).contains(id),
            "{id}: {:#?}",
            row(&r, id)
        );
    }
    assert_eq!(r.exit_code, 0);
    let Some(r) = displayer_run(true).await else {
        return;
    };
    assert_eq!(ids(&r, Outcome::Fail), set(&["displayer.verify.revoked"]));
    assert_eq!(r.exit_code, 1);
}
