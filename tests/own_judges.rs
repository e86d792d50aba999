//! Everything the harness sends passes the harness's own judges (issue 13
//! item 5): the registration body, the authorization and token requests and
//! the refresh of the provider suites' own login, recorded by the reference
//! provider, are judged by the consumer checks; the compact JWS the upsert
//! suite sends is judged by the VC-JWT verifier (OB 3.0 §8.2).

use clr_conformance::catalog::{Profile, Role};
use clr_conformance::evidence::{Redactor, Verdict};
use clr_conformance::http::{Client, HttpConfig};
use clr_conformance::judge::consumer::{self, ConsumerRole, End, Session, SessionConfig};
use clr_conformance::oauth::authorize::FormLogin;
use clr_conformance::oauth::register::{self, ClientMetadata};
use clr_conformance::oauth::{discovery, token};
use clr_conformance::suites::provider::{Ctx, Login, Target};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suites_own_login_passes_the_consumer_judge() {
    let profile = Profile::clr();
    let mut cfg = SessionConfig::new(ConsumerRole::Read, profile);
    cfg.grace = Duration::from_millis(100);
    let s = Session::start(cfg).await.expect("session");
    let p = s.provider();
    let http = Client::new(
        &HttpConfig {
            trusted_ca_pem: vec![p.ca_pem().expect("CA").to_string()],
            system_roots: false,
            ..HttpConfig::default()
        },
        Redactor::new(),
    )
    .expect("client");
    let user = p.users()[0].clone();
    let base = p.base_url().to_string();
    let target = Target {
        base_url: base.clone(),
        profile,
        roles: vec![Role::ServiceProviderRead],
        login: Login::Form(FormLogin::password(
            &user.username,
            &user.password,
            Target::policy_for(&base),
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
        policy: Target::policy_for(&base),
        certification: false,
        scope_map: Vec::new(),
        short_lived_client: None,
    };
    let mut ctx = Ctx::new(http, target);
    // The same steps, with the same builders, as the suites' positive path.
    let ex = discovery::fetch(&ctx.http, &mut ctx.rec, &base, profile)
        .await
        .expect("discovery");
    ctx.sdd = Some(discovery::parse(&ex.json().expect("SDD")).expect("SDD parses"));
    let body = ctx.target.metadata.request_body(&ctx.full_scope());
    let url = ctx.sdd.as_ref().unwrap().registration_url.clone();
    let ex = register::send(&ctx.http, &mut ctx.rec, &url, body, "register client")
        .await
        .expect("registration");
    ctx.client = Some(register::parse(&ex, ctx.http.redactor()).expect("client"));
    let full = ctx.full_scope();
    let (tokens, _, _) = ctx.login(&full).await.expect("login");
    let token_url = ctx.sdd.as_ref().unwrap().token_url.clone();
    let client = ctx.client.clone().unwrap();
    let rt = tokens.refresh_token.clone().expect("a refresh token");
    let ex = token::refresh(&ctx.http, &mut ctx.rec, &token_url, &client, &rt, None)
        .await
        .expect("refresh");
    let fresh = token::parse(&ex, ctx.http.redactor()).expect("refreshed");
    for tail in ["/credentials", "/profile"] {
        let req = clr_conformance::http::Req::get(ctx.api_url(tail), "api")
            .bearer(&fresh.access_token)
            .header("Accept", "application/json");
        let ex = ctx.send(req).await.expect("api call");
        assert_eq!(ex.status, 200, "{tail}");
    }
    let finished = s.finish(End::Operator).await;
    let rec = consumer::judge(&finished.recording, ConsumerRole::Read, &finished.options);
    let mut judged = 0;
    let mut bad = Vec::new();
    for (id, fs) in rec.findings() {
        let sent_by_us = [
            "oauth.registration.request",
            "oauth.authorize.request",
            "oauth.pkce",
            "oauth.state",
            "oauth.token.request",
            "oauth.refresh.request",
        ]
        .iter()
        .any(|p| id.starts_with(p));
        if !sent_by_us {
            continue;
        }
        judged += 1;
        for f in fs {
            if matches!(f.verdict, Verdict::Fail | Verdict::Error) {
                bad.push(format!("{id}: {}", f.message));
            }
        }
    }
    assert!(
        judged >= 8,
        "only {judged} request rows judged: {:#?}",
        rec.findings().keys().collect::<Vec<_>>()
    );
    assert_eq!(bad, Vec::<String>::new());
}

#[test]
fn the_upserted_compact_jws_follows_ob_8_2() {
    let cred = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"],
        "id": "urn:uuid:5b0c4f0e-7f55-4d3e-9a39-7f3c1f1d2a11",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": "https://records.example.edu/issuers/clr", "type": ["Profile"]},
        "validFrom": "2024-01-01T00:00:00Z",
        "validUntil": "2034-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "type": ["ClrSubject"]}
    });
    let jws = clr_conformance::suites::provider::upsert::compact_jws(&cred);
    let report = clr_conformance::credential::proof::jwt::verify_jwt(&jws).expect("a JWT");
    assert_eq!(report.failures(), Vec::<(&str, &str)>::new());
    assert!(
        report.verified(),
        "the signature does not verify with the embedded jwk"
    );
    // The header carries a key and no vc+jwt type.
    use base64::Engine;
    let head = jws.split('.').next().unwrap();
    let head: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(head)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(head["typ"], "JWT");
    assert_eq!(
        head["alg"], "RS256",
        "the algorithm every target must support"
    );
    assert!(head.get("jwk").is_some() && head["jwk"].get("d").is_none());
}
