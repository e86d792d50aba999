//! The reference provider driven over real loopback HTTPS with a plain
//! reqwest client that trusts only the generated certificate: the whole
//! OAuth + API flow, the negative cases, persistence, concurrency, and one
//! probe per fault (which must see the rule broken with the fault and kept
//! without it) and per variant (which must see its behaviour only with it).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clr_conformance::catalog::Profile;
use clr_conformance::credential::schema::{Generation, SchemaKind, validate};
use clr_conformance::provider::{self, ProviderConfig, RunningProvider};
use rand::RngCore;
use reqwest::header::HeaderMap;
use reqwest::{Client, StatusCode};
use rustls::pki_types::{CertificateDer, pem::PemObject};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const REDIRECT: &str = "https://client.example/callback";

fn bounded<F: Future<Output = ()>>(secs: u64, f: F) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(secs), f)
            .await
            .expect("test exceeded its time limit");
    });
}

fn config(faults: &[&str]) -> ProviderConfig {
    let mut cfg = ProviderConfig::new(Profile::clr());
    cfg.faults = faults
        .iter()
        .map(|n| *provider::fault(n).unwrap_or_else(|| panic!("{n}: no such fault")))
        .collect();
    cfg
}

/// A rustls client config (ring) whose only root is `pem`, or none at all.
fn tls_config(pem: Option<&str>) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(pem.unwrap_or("").as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// An HTTPS client trusting only the provider's certificate; never follows redirects.
fn client(p: &RunningProvider) -> Client {
    Client::builder()
        .use_preconfigured_tls(tls_config(p.ca_pem()))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

struct T {
    p: RunningProvider,
    c: Client,
}

impl T {
    async fn start(faults: &[&str]) -> T {
        T::with(config(faults)).await
    }

    async fn with(cfg: ProviderConfig) -> T {
        let p = provider::start(cfg).await.expect("provider starts");
        let c = client(&p);
        T { p, c }
    }

    fn api(&self, tail: &str) -> String {
        format!("{}/ims/clr/v2p0/{tail}", self.p.base_url())
    }

    fn oauth(&self, tail: &str) -> String {
        format!("{}/oauth/{tail}", self.p.base_url())
    }

    fn scopes(&self) -> String {
        let p = self.p.profile();
        let mut v: Vec<&str> = p.all_scopes().to_vec();
        v.push("offline_access");
        v.join(" ")
    }

    async fn discovery(&self) -> Value {
        let r = self.c.get(self.api("discovery")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    fn registration(&self) -> Value {
        json!({
            "client_name": "Test Client",
            "client_uri": "https://client.example/",
            "logo_uri": "https://client.example/logo.png",
            "tos_uri": "https://client.example/tos",
            "policy_uri": "https://client.example/privacy",
            "software_id": "c5a0ce5f-0000-4000-8000-000000000001",
            "software_version": "1.0",
            "redirect_uris": [REDIRECT],
            "scope": self.scopes(),
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
            "contacts": ["dev@client.example"]
        })
    }

    async fn register_raw(&self, body: &Value) -> (StatusCode, Value) {
        let r = self
            .c
            .post(self.oauth("register"))
            .json(body)
            .send()
            .await
            .unwrap();
        let st = r.status();
        (st, r.json().await.unwrap_or(Value::Null))
    }

    /// (client_id, client_secret)
    async fn register(&self) -> (String, String) {
        let (st, v) = self.register_raw(&self.registration()).await;
        assert!(st.is_success(), "{st} {v}");
        (
            v["client_id"].as_str().unwrap().into(),
            v["client_secret"].as_str().unwrap_or("").into(),
        )
    }

    /// GET the authorization page, then POST the login form; the raw response.
    async fn authorize_raw(&self, params: &[(&str, &str)], login: bool) -> reqwest::Response {
        let r = self
            .c
            .get(self.oauth("authorize"))
            .query(params)
            .send()
            .await
            .unwrap();
        if !login || r.status() != 200 {
            return r;
        }
        let html = r.text().await.unwrap();
        assert!(html.contains("<form method=\"post\""), "{html}");
        let user = &self.p.users()[0];
        let mut form: Vec<(&str, &str)> = params.to_vec();
        form.push(("username", &user.username));
        form.push(("password", &user.password));
        form.push(("consent", "approve"));
        self.c
            .post(self.oauth("authorize"))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// The code from a successful authorization (state checked).
    async fn code(&self, client_id: &str, scope: &str, verifier: &str) -> String {
        let challenge = s256(verifier);
        let params = [
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "st-123"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        let r = self.authorize_raw(&params, true).await;
        assert_eq!(r.status(), 302, "{}", r.text().await.unwrap_or_default());
        location_query(r.headers())["code"].clone()
    }

    async fn token_raw(
        &self,
        id: &str,
        secret: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Value) {
        let r = self
            .c
            .post(self.oauth("token"))
            .basic_auth(id, Some(secret))
            .form(form)
            .send()
            .await
            .unwrap();
        let st = r.status();
        let h = r.headers().clone();
        (st, h, r.json().await.unwrap_or(Value::Null))
    }

    async fn exchange(
        &self,
        id: &str,
        secret: &str,
        code: &str,
        verifier: &str,
    ) -> (StatusCode, HeaderMap, Value) {
        self.token_raw(
            id,
            secret,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", verifier),
            ],
        )
        .await
    }

    /// A registered client and a token response for `scope`.
    async fn login(&self, scope: &str) -> Login {
        let (id, secret) = self.register().await;
        let v = verifier();
        let code = self.code(&id, scope, &v).await;
        // client_id repeated in the form too, so a login also works on a
        // provider with the token-requires-form-client-id fault.
        let (st, _, tok) = self
            .token_raw(
                &id,
                &secret,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", &v),
                    ("client_id", &id),
                ],
            )
            .await;
        assert_eq!(st, 200, "{tok}");
        Login {
            id,
            secret,
            access: tok["access_token"].as_str().unwrap().into(),
            refresh: tok["refresh_token"].as_str().unwrap_or("").into(),
        }
    }

    async fn get(&self, url: &str, token: &str) -> reqwest::Response {
        self.c.get(url).bearer_auth(token).send().await.unwrap()
    }

    async fn upsert_json(&self, token: &str, body: &str) -> reqwest::Response {
        self.c
            .post(self.api("credentials"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }
}

struct Login {
    id: String,
    secret: String,
    access: String,
    refresh: String,
}

fn verifier() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

fn s256(v: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()))
}

fn location_query(h: &HeaderMap) -> HashMap<String, String> {
    let loc = h
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap();
    let u = url::Url::parse(loc).unwrap();
    u.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Assert `v` validates against the harness's schema of `kind`.
fn assert_schema(kind: SchemaKind, v: &Value) {
    let errs = validate(kind, Generation::V2, v);
    assert!(errs.is_empty(), "{kind:?}: {errs:?}\n{v}");
}

/// Assert `v` is an Imsx_StatusInfo with exactly the schema's members and `minor`.
fn assert_imsx(v: &Value, minor: &str) {
    assert_schema(SchemaKind::ImsxStatusInfo, v);
    let o = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"));
    for k in o.keys() {
        assert!(
            [
                "imsx_codeMajor",
                "imsx_severity",
                "imsx_description",
                "imsx_codeMinor"
            ]
            .contains(&k.as_str()),
            "unexpected member {k}"
        );
    }
    assert_eq!(v["imsx_codeMajor"], "failure");
    assert_eq!(v["imsx_severity"], "error");
    assert!(
        v["imsx_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    let fields = v["imsx_codeMinor"]["imsx_codeMinorField"]
        .as_array()
        .unwrap();
    assert_eq!(v["imsx_codeMinor"].as_object().unwrap().len(), 1);
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].as_object().unwrap().len(), 2);
    assert!(fields[0]["imsx_codeMinorFieldName"].is_string());
    assert_eq!(fields[0]["imsx_codeMinorFieldValue"], minor, "{v}");
}

async fn assert_error(r: reqwest::Response, status: u16, minor: &str) -> HeaderMap {
    assert_eq!(r.status(), status);
    let h = r.headers().clone();
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let v: Value = r.json().await.unwrap();
    assert_imsx(&v, minor);
    h
}

/// `rel -> url` from a Link header.
fn links(h: &HeaderMap) -> HashMap<String, String> {
    let Some(v) = h.get("link") else {
        return HashMap::new();
    };
    v.to_str()
        .unwrap()
        .split(", ")
        .map(|part| {
            let (u, rel) = part.split_once(">; rel=\"").unwrap();
            (
                rel.trim_end_matches('"').to_string(),
                u.trim_start_matches('<').to_string(),
            )
        })
        .collect()
}

fn ids(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["credential"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap_or("").to_string())
        .collect();
    v.extend(
        body["compactJwsString"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.to_string()),
    );
    v
}

fn credential(n: &str, valid_from: &str) -> Value {
    let p = Profile::clr();
    json!({
        "@context": [p.contexts.vc_v2, p.contexts.primary, p.contexts.ob],
        "id": format!("https://client.example/clr/{n}"),
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": { "id": "https://client.example/issuers/9", "type": ["Profile"], "name": "Client U" },
        "name": format!("Upserted {n}"),
        "validFrom": valid_from,
        "credentialSubject": { "type": ["ClrSubject"], "id": "did:example:learner", "verifiableCredential": [nested()] }
    })
}

/// One schema-valid AchievementCredential for a ClrSubject to hold.
fn nested() -> Value {
    use clr_conformance::vectors::{build, keys::keys};
    let k = &keys().college;
    build::achievement_credential(
        k,
        0,
        build::achievement(k, "provider-test", "Provider test"),
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "clr-provider-test-{name}-{}-{}",
        std::process::id(),
        verifier()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn whole_flow_over_https() {
    bounded(120, async {
        let t = T::start(&[]).await;
        assert!(t.p.base_url().starts_with("https://127.0.0.1:"));
        assert_eq!(t.p.fingerprint().unwrap().len(), 32 * 3 - 1);

        // Discovery, unauthenticated.
        let r = t.c.get(t.api("discovery")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        assert!(r.headers().contains_key("cache-control"));
        let etag = r.headers()["etag"].clone();
        let sdd: Value = r.json().await.unwrap();
        let again =
            t.c.get(t.api("discovery"))
                .header("if-none-match", etag)
                .send()
                .await
                .unwrap();
        assert_eq!(again.status(), 304);
        assert_schema(SchemaKind::ServiceDescriptionDocument, &sdd);
        assert!(sdd["openapi"].as_str().unwrap().starts_with("3.0"));
        for k in [
            "title",
            "version",
            "termsOfService",
            "x-imssf-privacyPolicyUrl",
            "x-imssf-image",
        ] {
            assert!(sdd["info"][k].is_string(), "info.{k}");
        }
        let acg = &sdd["components"]["securitySchemes"]["OAuth2ACG"];
        assert_eq!(
            sdd["components"]["securitySchemes"]
                .as_object()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(acg["type"], "oauth2");
        assert_eq!(acg["x-imssf-registrationUrl"], t.oauth("register"));
        let flow = &acg["flows"]["authorizationCode"];
        assert_eq!(flow["authorizationUrl"], t.oauth("authorize"));
        assert_eq!(flow["tokenUrl"], t.oauth("token"));
        assert_eq!(flow["refreshUrl"], t.oauth("token"));
        for s in t.scopes().split(' ') {
            assert!(flow["scopes"][s].is_string(), "scope {s}");
        }
        assert_eq!(
            acg[provider::discovery::REVOCATION_URL_KEY],
            t.oauth("revoke")
        );
        for path in ["/credentials", "/profile", "/discovery"] {
            assert!(sdd["paths"][path].is_object(), "{path}");
        }

        // Registration echoes every property.
        let req = t.registration();
        let (st, reg) = t.register_raw(&req).await;
        assert_eq!(st, 201);
        for (k, v) in req.as_object().unwrap() {
            assert_eq!(&reg[k], v, "echo of {k}");
        }
        assert!(reg["client_id"].is_string() && reg["client_secret"].is_string());
        assert!(reg["client_id_issued_at"].as_i64().unwrap() > 1_700_000_000);
        assert_eq!(reg["client_secret_expires_at"], 0);
        let (id, secret) = (
            reg["client_id"].as_str().unwrap(),
            reg["client_secret"].as_str().unwrap(),
        );
        let (_, reg2) = t.register_raw(&req).await;
        assert_ne!(reg2["client_id"], reg["client_id"]);

        // The login page shows the client.
        let v = verifier();
        let page =
            t.c.get(t.oauth("authorize"))
                .query(&[
                    ("response_type", "code"),
                    ("client_id", id),
                    ("redirect_uri", REDIRECT),
                    ("scope", &t.scopes()),
                    ("state", "s1"),
                    ("code_challenge", &s256(&v)),
                    ("code_challenge_method", "S256"),
                ])
                .send()
                .await
                .unwrap();
        assert_eq!(page.status(), 200);
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = page.text().await.unwrap();
        for s in [
            "Test Client",
            "https://client.example/tos",
            "name=\"password\"",
            "value=\"approve\"",
        ] {
            assert!(html.contains(s), "page lacks {s}");
        }

        // Wrong password: no code.
        let mut form = vec![
            ("response_type", "code".to_string()),
            ("client_id", id.to_string()),
            ("redirect_uri", REDIRECT.to_string()),
            ("scope", t.scopes()),
            ("state", "s1".to_string()),
            ("code_challenge", s256(&v)),
            ("code_challenge_method", "S256".to_string()),
            ("username", "learner".to_string()),
            ("password", "wrong".to_string()),
            ("consent", "approve".to_string()),
        ];
        let r =
            t.c.post(t.oauth("authorize"))
                .form(&form)
                .send()
                .await
                .unwrap();
        assert_ne!(r.status(), 302);
        // Deny: error redirect with state.
        form[8].1 = t.p.users()[0].password.clone();
        form[9].1 = "deny".into();
        let r =
            t.c.post(t.oauth("authorize"))
                .form(&form)
                .send()
                .await
                .unwrap();
        assert_eq!(r.status(), 302);
        let q = location_query(r.headers());
        assert_eq!(
            (q["error"].as_str(), q["state"].as_str()),
            ("access_denied", "s1")
        );
        // Approve.
        form[9].1 = "approve".into();
        let r =
            t.c.post(t.oauth("authorize"))
                .form(&form)
                .send()
                .await
                .unwrap();
        assert_eq!(r.status(), 302);
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        assert!(loc.starts_with(REDIRECT), "{loc}");
        let q = location_query(r.headers());
        assert_eq!(q["state"], "s1");
        assert_eq!(q["scope"], t.scopes());
        let (st, h, tok) = t.exchange(id, secret, &q["code"], &v).await;
        assert_eq!(st, 200, "{tok}");
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["pragma"], "no-cache");
        assert_eq!(tok["token_type"], "Bearer");
        assert_eq!(tok["expires_in"], 3600);
        assert_eq!(tok["scope"], t.scopes());
        let access = tok["access_token"].as_str().unwrap().to_string();
        let refresh = tok["refresh_token"].as_str().unwrap().to_string();

        // getCredentials: 6 seeds, ordered, headers.
        let r = t.get(&t.api("credentials"), &access).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.headers()["x-total-count"], "6");
        let l = links(r.headers());
        assert!(
            l.contains_key("first")
                && l.contains_key("last")
                && !l.contains_key("next")
                && !l.contains_key("prev")
        );
        let all: Value = r.json().await.unwrap();
        assert_schema(SchemaKind::GetClrCredentialsResponse, &all);
        assert_eq!(all.as_object().unwrap().len(), 2);
        let all_ids = ids(&all);
        assert_eq!(all_ids.len(), 6);
        assert_eq!(
            all["compactJwsString"].as_array().unwrap().len(),
            1,
            "the newest seed is a VC-JWT"
        );
        for c in all["credential"].as_array().unwrap() {
            assert!(
                c["type"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("ClrCredential"))
            );
            assert!(
                c["credentialSubject"]["verifiableCredential"][0]["type"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("OpenBadgeCredential"))
            );
        }

        // Walk pages by `next` with limit=2 from offset 1.
        let mut url = format!("{}?limit=2&offset=1", t.api("credentials"));
        let mut walked = Vec::new();
        let mut pages = 0;
        loop {
            let r = t.get(&url, &access).await;
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["x-total-count"], "6");
            let l = links(r.headers());
            assert!(l["first"].ends_with("limit=2&offset=0"), "{l:?}");
            assert!(l["last"].ends_with("limit=2&offset=5"), "{l:?}");
            assert!(l.contains_key("prev"));
            let body: Value = r.json().await.unwrap();
            let page = ids(&body);
            assert!(page.len() <= 2);
            walked.extend(page);
            pages += 1;
            match l.get("next") {
                Some(n) => url = n.clone(),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(walked, all_ids[1..].to_vec());
        let r = t
            .get(
                &format!("{}?limit=2&offset=2", t.api("credentials")),
                &access,
            )
            .await;
        assert!(links(r.headers())["prev"].ends_with("limit=2&offset=0"));

        // since: the seeds are spread 2021..2025.
        let r = t
            .get(
                &format!("{}?since=2023-01-01T00:00:00Z", t.api("credentials")),
                &access,
            )
            .await;
        assert_eq!(r.headers()["x-total-count"], "4");
        assert!(links(r.headers())["first"].contains("since=2023-01-01T00%3A00%3A00Z"));
        let r = t
            .get(
                &format!("{}?since=2023-01-01T00:00:00", t.api("credentials")),
                &access,
            )
            .await;
        assert_eq!(r.headers()["x-total-count"], "4");

        // Upsert: create, replace (equal after percent-decoding and trimming), echo.
        let c = credential("a b", "2026-01-01T00:00:00Z");
        let text = serde_json::to_string_pretty(&c).unwrap();
        let r = t.upsert_json(&access, &text).await;
        assert_eq!(r.status(), 201);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        assert_eq!(r.text().await.unwrap(), text);
        let mut c2 = c.clone();
        c2["id"] = json!("  https://client.example/clr/a%20b ");
        c2["name"] = json!("Replaced");
        let text2 = c2.to_string();
        let r = t.upsert_json(&access, &text2).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.text().await.unwrap(), text2);
        let r = t.get(&t.api("credentials"), &access).await;
        assert_eq!(r.headers()["x-total-count"], "7");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["credential"].as_array().unwrap().len(), 6);
        assert_eq!(body["credential"][5], c2);

        // A compact JWS upsert is echoed as text/plain and listed in compactJwsString.
        let payload = URL_SAFE_NO_PAD.encode(credential("jws", "2026-02-01T00:00:00Z").to_string());
        let jws = format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2lnbmF0dXJl");
        let r =
            t.c.post(t.api("credentials"))
                .bearer_auth(&access)
                .header("content-type", "text/plain")
                .body(jws.clone())
                .send()
                .await
                .unwrap();
        assert_eq!(r.status(), 201);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        assert_eq!(r.text().await.unwrap(), jws);
        let body: Value = t
            .get(&t.api("credentials"), &access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["compactJwsString"].as_array().unwrap().len(), 2);
        assert_eq!(body["compactJwsString"][1], json!(jws));

        // Profile.
        let r = t.get(&t.api("profile"), &access).await;
        assert_eq!(r.status(), 200);
        let prof: Value = r.json().await.unwrap();
        assert_schema(SchemaKind::Profile, &prof);
        assert_eq!(prof["id"], "https://1edtech.org/issuers/cert");
        assert_eq!(prof["type"], json!(["Profile"]));
        let new_prof = json!({ "id": "https://1edtech.org/issuers/cert", "type": ["Profile"], "name": "Renamed" });
        let r =
            t.c.put(t.api("profile"))
                .bearer_auth(&access)
                .json(&new_prof)
                .send()
                .await
                .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap(), new_prof);
        let got: Value = t
            .get(&t.api("profile"), &access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(got, new_prof);

        // Refresh: new tokens, the new one works, the old refresh token is spent, scope never widens.
        let narrow = Profile::clr().scopes.credential_readonly.clone();
        let (st, h, r1) = t
            .token_raw(
                id,
                secret,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &refresh),
                    ("scope", &narrow),
                ],
            )
            .await;
        assert_eq!(st, 200, "{r1}");
        assert_eq!(h["cache-control"], "no-store");
        let access2 = r1["access_token"].as_str().unwrap();
        let refresh2 = r1["refresh_token"].as_str().unwrap();
        assert_ne!(access2, access);
        assert_ne!(refresh2, refresh);
        assert_eq!(r1["scope"], narrow);
        assert_eq!(t.get(&t.api("credentials"), access2).await.status(), 200);
        assert_error(t.get(&t.api("profile"), access2).await, 403, "forbidden").await;
        // (Presenting the rotated `refresh` again revokes the chain: see
        // refresh_reuse_revokes_the_chain_and_revocation_is_per_client.)
        let (st, _, e) = t
            .token_raw(
                id,
                secret,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh2),
                    ("scope", "https://example.org/other"),
                ],
            )
            .await;
        assert_eq!(
            (st.as_u16(), e["error"].as_str()),
            (400, Some("invalid_scope"))
        );
        // The original scope is still available to the refresh token.
        let (st, _, r2) = t
            .token_raw(
                id,
                secret,
                &[("grant_type", "refresh_token"), ("refresh_token", refresh2)],
            )
            .await;
        assert_eq!(st, 200);
        assert_eq!(r2["scope"], t.scopes());
        let access3 = r2["access_token"].as_str().unwrap().to_string();
        let refresh3 = r2["refresh_token"].as_str().unwrap().to_string();

        // Revocation: unknown tokens are fine; revoked ones stop working.
        let revoke = |tok: String, hint: &'static str| {
            let c = t.c.clone();
            let url = t.oauth("revoke");
            let (id, secret) = (id.to_string(), secret.to_string());
            async move {
                c.post(url)
                    .basic_auth(id, Some(secret))
                    .form(&[("token", tok.as_str()), ("token_type_hint", hint)])
                    .send()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(revoke("unknown".into(), "access_token").await.status(), 200);
        assert_eq!(t.get(&t.api("credentials"), &access3).await.status(), 200);
        assert_eq!(revoke(access3.clone(), "access_token").await.status(), 200);
        let h = assert_error(
            t.get(&t.api("credentials"), &access3).await,
            401,
            "unauthorizedrequest",
        )
        .await;
        assert!(
            h["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        assert_eq!(
            revoke(refresh3.clone(), "refresh_token").await.status(),
            200
        );
        let (st, _, e) = t
            .token_raw(
                id,
                secret,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &refresh3),
                ],
            )
            .await;
        assert_eq!(
            (st.as_u16(), e["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        let r = revoke("x".into(), "id_token").await;
        assert_eq!(r.status(), 400);
        assert_eq!(
            r.json::<Value>().await.unwrap()["error"],
            "unsupported_token_type"
        );

        t.p.shutdown().await;
    });
}

/// OAuth 2.0 Security BCP §4.14.2: a rotated refresh token presented again
/// means a stolen copy; every token of the chain is revoked. RFC 7009 §2.1:
/// a client revoking another client's token is refused, and the token lives.
#[test]
fn refresh_reuse_revokes_the_chain_and_revocation_is_per_client() {
    bounded(60, async {
        let t = T::start(&[]).await;
        let scope = t.scopes();
        let a = t.login(&scope).await;
        let refresh = |tok: String| {
            let (id, secret) = (a.id.clone(), a.secret.clone());
            let t = &t;
            async move {
                t.token_raw(
                    &id,
                    &secret,
                    &[("grant_type", "refresh_token"), ("refresh_token", &tok)],
                )
                .await
            }
        };
        let (st, _, r1) = refresh(a.refresh.clone()).await;
        assert_eq!(st, 200, "{r1}");
        let access2 = r1["access_token"].as_str().unwrap().to_string();
        let refresh2 = r1["refresh_token"].as_str().unwrap().to_string();
        assert_eq!(t.get(&t.api("credentials"), &access2).await.status(), 200);
        // The rotated token again: refused, and the chain dies with it.
        let (st, _, e) = refresh(a.refresh.clone()).await;
        assert_eq!(
            (st.as_u16(), e["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        let (st, _, e) = refresh(refresh2).await;
        assert_eq!(
            (st.as_u16(), e["error"].as_str()),
            (400, Some("invalid_grant")),
            "the rotated chain's newest refresh token still works after reuse"
        );
        assert_eq!(
            t.get(&t.api("credentials"), &access2).await.status(),
            401,
            "the chain's access token still works after reuse"
        );

        // Another client may not revoke this one's token.
        let b = t.login(&scope).await;
        let victim = t.login(&scope).await;
        let r =
            t.c.post(t.oauth("revoke"))
                .basic_auth(&b.id, Some(&b.secret))
                .form(&[
                    ("token", victim.access.as_str()),
                    ("token_type_hint", "access_token"),
                ])
                .send()
                .await
                .unwrap();
        assert_eq!(r.status(), 400, "cross-client revocation accepted");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"], "unauthorized_client", "{e}");
        assert_eq!(
            t.get(&t.api("credentials"), &victim.access).await.status(),
            200,
            "another client's revocation took effect"
        );
        t.p.shutdown().await;
    });
}

#[test]
fn oauth_refusals() {
    bounded(120, async {
        let t = T::start(&[]).await;
        let (id, secret) = t.register().await;
        let v = verifier();
        let ch = s256(&v);
        let scopes = t.scopes();
        let base = |extra: &[(&'static str, &str)], drop: &[&str]| -> Vec<(String, String)> {
            let mut p: Vec<(String, String)> = [
                ("response_type", "code"),
                ("client_id", id.as_str()),
                ("redirect_uri", REDIRECT),
                ("scope", scopes.as_str()),
                ("state", "st"),
                ("code_challenge", ch.as_str()),
                ("code_challenge_method", "S256"),
            ]
            .iter()
            .filter(|(k, _)| !drop.contains(k) && !extra.iter().any(|(e, _)| e == k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            p.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            p
        };
        let get = |p: Vec<(String, String)>| {
            let c = t.c.clone();
            let url = t.oauth("authorize");
            async move { c.get(url).query(&p).send().await.unwrap() }
        };
        // Error redirects carry error and state.
        let redirected = |r: reqwest::Response, err: &str, state: Option<&str>| {
            assert_eq!(r.status(), 302);
            let q = location_query(r.headers());
            assert_eq!(q["error"], err, "{q:?}");
            assert_eq!(q.get("state").map(String::as_str), state);
            let d = &q["error_description"];
            assert!(
                d.bytes()
                    .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\'),
                "{d}"
            );
        };
        redirected(
            get(base(&[], &["code_challenge"])).await,
            "invalid_request",
            Some("st"),
        );
        redirected(
            get(base(&[], &["code_challenge", "code_challenge_method"])).await,
            "invalid_request",
            Some("st"),
        );
        redirected(
            get(base(&[("code_challenge_method", "plain")], &[])).await,
            "invalid_request",
            Some("st"),
        );
        redirected(
            get(base(&[], &["code_challenge_method"])).await,
            "invalid_request",
            Some("st"),
        );
        redirected(get(base(&[], &["state"])).await, "invalid_request", None);
        redirected(
            get(base(&[("response_type", "token")], &[])).await,
            "unsupported_response_type",
            Some("st"),
        );
        redirected(
            get(base(&[("scope", "https://example.org/unknown")], &[])).await,
            "invalid_scope",
            Some("st"),
        );
        // Unknown redirect URI, prefix of a registered one, unknown client: an error page, no redirect.
        for p in [
            base(&[("redirect_uri", "https://evil.example/cb")], &[]),
            base(
                &[("redirect_uri", "https://client.example/callback/more")],
                &[],
            ),
            base(&[], &["redirect_uri"]),
            base(&[("client_id", "nobody")], &[]),
        ] {
            let r = get(p).await;
            assert_eq!(r.status(), 400);
            assert!(r.headers().get("location").is_none());
            assert!(r.text().await.unwrap().contains("id=\"error\""));
        }

        // Token endpoint: wrong verifier, missing verifier, reused code (revokes), bad client.
        let code = t.code(&id, &scopes, &v).await;
        let (st, _, e) = t.exchange(&id, &secret, &code, &verifier()).await;
        assert_eq!(
            (st.as_u16(), e["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        let (st, _, e) = t
            .token_raw(
                &id,
                &secret,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                ],
            )
            .await;
        assert_eq!(
            (st.as_u16(), e["error"].as_str()),
            (400, Some("invalid_request"))
        );
        let (st, _, e) = t
            .token_raw(
                &id,
                &secret,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", "https://client.example/other"),
                    ("code_verifier", &v),
                ],
            )
            .await;
        assert_eq!(
            (st.as_u16(), e["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        let (st, h, e) = t.exchange(&id, "wrong-secret", &code, &v).await;
        assert_eq!(
            (st.as_u16(), e["error"].as_str()),
            (401, Some("invalid_client"))
        );
        assert!(h.contains_key("www-authenticate"));
        let r =
            t.c.post(t.oauth("token"))
                .form(&[("grant_type", "authorization_code"), ("code", &code)])
                .send()
                .await
                .unwrap();
        assert_eq!(r.status(), 401);
        let (other_id, other_secret) = t.register().await;
        let (st, _, e) = t.exchange(&other_id, &other_secret, &code, &v).await;
        assert_eq!(
            (st.as_u16(), e["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        let (st, _, first) = t.exchange(&id, &secret, &code, &v).await;
        assert_eq!(st, 200);
        let access = first["access_token"].as_str().unwrap();
        assert_eq!(t.get(&t.api("credentials"), access).await.status(), 200);
        let (st, _, e) = t.exchange(&id, &secret, &code, &v).await;
        assert_eq!(
            (st.as_u16(), e["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        assert_eq!(
            t.get(&t.api("credentials"), access).await.status(),
            401,
            "tokens of a replayed code are revoked"
        );
        let (st, _, e) = t
            .token_raw(&id, &secret, &[("grant_type", "password")])
            .await;
        assert_eq!(
            (st.as_u16(), e["error"].as_str()),
            (400, Some("unsupported_grant_type"))
        );
        let (st, _, e) = t.token_raw(&id, &secret, &[]).await;
        assert_eq!(
            (st.as_u16(), e["error"].as_str()),
            (400, Some("invalid_request"))
        );

        // Registration refusals.
        let good = t.registration();
        let mut cases: Vec<(Value, &str)> = Vec::new();
        for k in [
            "client_name",
            "client_uri",
            "logo_uri",
            "tos_uri",
            "policy_uri",
            "software_id",
            "software_version",
            "redirect_uris",
            "scope",
        ] {
            let mut b = good.clone();
            b.as_object_mut().unwrap().remove(k);
            cases.push((
                b,
                if k == "redirect_uris" {
                    "invalid_redirect_uri"
                } else {
                    "invalid_client_metadata"
                },
            ));
        }
        let with = |k: &str, v: Value| {
            let mut b = good.clone();
            b[k] = v;
            b
        };
        cases.push((
            with("redirect_uris", json!(REDIRECT)),
            "invalid_redirect_uri",
        ));
        cases.push((
            with("redirect_uris", json!(["http://client.example/callback"])),
            "invalid_redirect_uri",
        ));
        cases.push((
            with("redirect_uris", json!(["https://other.example/callback"])),
            "invalid_redirect_uri",
        ));
        cases.push((
            with("client_uri", json!("http://client.example/")),
            "invalid_client_metadata",
        ));
        cases.push((
            with("grant_types", json!(["client_credentials"])),
            "invalid_client_metadata",
        ));
        cases.push((
            with("grant_types", json!("authorization_code")),
            "invalid_client_metadata",
        ));
        cases.push((
            with("response_types", json!(["token"])),
            "invalid_client_metadata",
        ));
        cases.push((
            with("token_endpoint_auth_method", json!("none")),
            "invalid_client_metadata",
        ));
        cases.push((
            with("contacts", json!("dev@client.example")),
            "invalid_client_metadata",
        ));
        cases.push((
            with("scope", json!("https://example.org/unknown")),
            "invalid_client_metadata",
        ));
        cases.push((json!([1, 2]), "invalid_client_metadata"));
        for (body, err) in cases {
            let (st, v) = t.register_raw(&body).await;
            assert_eq!(st, 400, "{body}");
            assert_eq!(v["error"], err, "{body}");
            assert!(v["error_description"].is_string());
        }
        let r =
            t.c.post(t.oauth("register"))
                .body("{not json")
                .send()
                .await
                .unwrap();
        assert_eq!(r.status(), 400);
        t.p.shutdown().await;
    });
}

#[test]
fn api_refusals_and_garbage() {
    bounded(120, async {
        let t = T::start(&[]).await;
        let read = Profile::clr().scopes.credential_readonly.clone();
        let l = t.login(&read).await;
        // No token, bad token, wrong scope.
        let r = t.c.get(t.api("credentials")).send().await.unwrap();
        let h = assert_error(r, 401, "unauthorizedrequest").await;
        assert!(
            h["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        let h = assert_error(
            t.get(&t.api("credentials"), "garbage").await,
            401,
            "unauthorizedrequest",
        )
        .await;
        assert!(
            h["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("invalid_token")
        );
        let r =
            t.c.get(t.api("credentials"))
                .header("authorization", "Basic Zm9vOmJhcg==")
                .send()
                .await
                .unwrap();
        assert_error(r, 401, "unauthorizedrequest").await;
        assert_error(t.get(&t.api("profile"), &l.access).await, 403, "forbidden").await;
        assert_error(t.upsert_json(&l.access, "{}").await, 403, "forbidden").await;
        let r =
            t.c.put(t.api("profile"))
                .bearer_auth(&l.access)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
        assert_error(r, 403, "forbidden").await;
        // Method, path.
        let r =
            t.c.delete(t.api("credentials"))
                .bearer_auth(&l.access)
                .send()
                .await
                .unwrap();
        let h = assert_error(r, 405, "not_allowed").await;
        assert!(
            h["allow"].to_str().unwrap().contains("GET")
                && h["allow"].to_str().unwrap().contains("POST")
        );
        let r = t.c.post(t.api("discovery")).send().await.unwrap();
        assert_error(r, 405, "not_allowed").await;
        let r = t.c.get(t.oauth("token")).send().await.unwrap();
        assert_error(r, 405, "not_allowed").await;
        assert_error(t.get(&t.api("nothing"), &l.access).await, 404, "not_found").await;
        assert_error(
            t.c.get(format!("{}/", t.p.base_url()))
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
        // Query parameters.
        for q in [
            "limit=0",
            "limit=-1",
            "limit=x",
            "offset=-1",
            "offset=1.5",
            "since=yesterday",
            "limit=99999999999",
            "limit=1&limit=2",
        ] {
            let r = t
                .get(&format!("{}?{q}", t.api("credentials")), &l.access)
                .await;
            assert_error(r, 400, "invalid_query_parameter").await;
        }
        let r = t
            .get(&format!("{}?offset=100", t.api("credentials")), &l.access)
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-total-count"], "6");
        assert!(links(r.headers()).contains_key("prev"));
        assert_eq!(ids(&r.json::<Value>().await.unwrap()).len(), 0);

        // Upsert bodies: malformed, wrong shape, wrong media type, oversized.
        let all = t.login(&t.scopes()).await;
        let mut no_subject = credential("no-subject", "2026-01-01T00:00:00Z");
        no_subject
            .as_object_mut()
            .unwrap()
            .remove("credentialSubject");
        let r = t.upsert_json(&all.access, &no_subject.to_string()).await;
        assert_error(r, 400, "invalid_data").await;
        let payload = URL_SAFE_NO_PAD.encode(no_subject.to_string());
        let r =
            t.c.post(t.api("credentials"))
                .bearer_auth(&all.access)
                .header("content-type", "text/plain")
                .body(format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2lnbmF0dXJl"))
                .send()
                .await
                .unwrap();
        assert_error(r, 400, "invalid_data").await;
        for bad in [
            json!({ "id": "https://1edtech.org/issuers/cert", "type": ["Achievement"] }),
            json!({ "id": "https://1edtech.org/issuers/cert", "type": ["Profile"], "email": 7 }),
        ] {
            let r =
                t.c.put(t.api("profile"))
                    .bearer_auth(&all.access)
                    .json(&bad)
                    .send()
                    .await
                    .unwrap();
            assert_error(r, 400, "invalid_data").await;
        }
        for bad in [
            "{",
            "[]",
            "null",
            "{\"type\":[\"ClrCredential\"]}",
            "{\"id\":\"x\",\"type\":\"AchievementCredential\",\"issuer\":\"y\"}",
            "\u{0}\u{1}garbage",
        ] {
            assert_error(t.upsert_json(&all.access, bad).await, 400, "invalid_data").await;
        }
        for bad in ["not a jws", "a.b", "a.!!.c", "e30.bm90IGpzb24.c2ln"] {
            let r =
                t.c.post(t.api("credentials"))
                    .bearer_auth(&all.access)
                    .header("content-type", "text/plain")
                    .body(bad)
                    .send()
                    .await
                    .unwrap();
            assert_error(r, 400, "invalid_data").await;
        }
        let r =
            t.c.post(t.api("credentials"))
                .bearer_auth(&all.access)
                .header("content-type", "application/xml")
                .body("<x/>")
                .send()
                .await
                .unwrap();
        assert_error(r, 415, "invalid_data").await;
        let r =
            t.c.post(t.api("credentials"))
                .bearer_auth(&all.access)
                .body(vec![0xffu8, 0xfe])
                .send()
                .await
                .unwrap();
        assert_error(r, 415, "invalid_data").await;
        let big = "x".repeat(provider::MAX_BODY_BYTES + 1);
        assert_error(t.upsert_json(&all.access, &big).await, 413, "invalid_data").await;
        let stream = futures_util::stream::iter(
            (0..6).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024 * 1024])),
        );
        let r =
            t.c.post(t.api("credentials"))
                .bearer_auth(&all.access)
                .header("content-type", "application/json")
                .body(reqwest::Body::wrap_stream(stream))
                .send()
                .await
                .unwrap();
        assert_error(r, 413, "invalid_data").await;
        for bad in [
            json!({"id": "x"}),
            json!({"type": "Profile"}),
            json!({"id": "x", "type": ["Achievement"]}),
            json!("Profile"),
        ] {
            let r =
                t.c.put(t.api("profile"))
                    .bearer_auth(&all.access)
                    .json(&bad)
                    .send()
                    .await
                    .unwrap();
            assert_error(r, 400, "invalid_data").await;
        }
        let r =
            t.c.put(t.api("profile"))
                .bearer_auth(&all.access)
                .header("content-type", "application/json")
                .body("{")
                .send()
                .await
                .unwrap();
        assert_error(r, 400, "invalid_data").await;
        // Garbage everywhere never yields 5xx.
        let garbage: Vec<Vec<u8>> = vec![
            vec![],
            b"%%%".to_vec(),
            vec![0, 159, 146, 150],
            b"a=1&a=2".to_vec(),
            "é=ü&\u{202e}".as_bytes().to_vec(),
        ];
        for path in [
            "/oauth/register",
            "/oauth/token",
            "/oauth/revoke",
            "/oauth/authorize",
            "/ims/clr/v2p0/credentials",
            "/ims/clr/v2p0/profile",
        ] {
            for g in &garbage {
                for ct in [
                    "application/json",
                    "application/x-www-form-urlencoded",
                    "text/plain",
                ] {
                    let r =
                        t.c.post(format!("{}{path}", t.p.base_url()))
                            .basic_auth(&all.id, Some(&all.secret))
                            .header("content-type", ct)
                            .body(g.clone())
                            .send()
                            .await
                            .unwrap();
                    assert!(
                        r.status().as_u16() < 500,
                        "{path} {ct} {g:?}: {}",
                        r.status()
                    );
                }
            }
            let r =
                t.c.get(format!("{}{path}?%ZZ=%%&limit=%00", t.p.base_url()))
                    .send()
                    .await
                    .unwrap();
            assert!(r.status().as_u16() < 500, "{path}: {}", r.status());
        }
        t.p.shutdown().await;
    });
}

#[test]
fn upserts_survive_restart_and_parallel_writers() {
    bounded(180, async {
        let dir = temp_dir("persist");
        let mut cfg = config(&[]);
        cfg.data = Some(dir.clone());
        let t = T::with(cfg.clone()).await;
        let l = t.login(&t.scopes()).await;
        // 20 clients upsert at once; nothing is lost.
        let mut tasks = Vec::new();
        for i in 0..20 {
            let c = t.c.clone();
            let url = t.api("credentials");
            let tok = l.access.clone();
            let body = credential(&format!("p{i}"), "2026-03-01T00:00:00Z").to_string();
            tasks.push(tokio::spawn(async move {
                c.post(url)
                    .bearer_auth(tok)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), 201);
        }
        let r = t.get(&t.api("credentials"), &l.access).await;
        assert_eq!(r.headers()["x-total-count"], "26");
        let put =
            json!({ "id": "https://1edtech.org/issuers/cert", "type": "Profile", "name": "Kept" });
        assert_eq!(
            t.c.put(t.api("profile"))
                .bearer_auth(&l.access)
                .json(&put)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        t.p.shutdown().await;

        // Same data folder: the upserts, the profile and the registered client are still there, not re-seeded.
        let t = T::with(cfg).await;
        let v = verifier();
        let code = t.code(&l.id, &t.scopes(), &v).await;
        let (st, _, tok) = t.exchange(&l.id, &l.secret, &code, &v).await;
        assert_eq!(st, 200);
        let access = tok["access_token"].as_str().unwrap();
        let r = t.get(&t.api("credentials"), access).await;
        assert_eq!(r.headers()["x-total-count"], "26");
        let body: Value = r.json().await.unwrap();
        let got = ids(&body);
        for i in 0..20 {
            assert!(
                got.contains(&format!("https://client.example/clr/p{i}")),
                "p{i} lost"
            );
        }
        assert_eq!(
            t.get(&t.api("profile"), access)
                .await
                .json::<Value>()
                .await
                .unwrap(),
            put
        );
        t.p.shutdown().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}

#[test]
fn recording_and_ob_profile() {
    bounded(60, async {
        let mut cfg = config(&[]);
        cfg.record = true;
        let t = T::with(cfg).await;
        let _ = t.discovery().await;
        let _ = t.register().await;
        let rec = t.p.recording();
        assert_eq!(rec.len(), 2);
        assert_eq!(
            (rec[0].method.as_str(), rec[0].path.as_str(), rec[0].status),
            ("GET", "/ims/clr/v2p0/discovery", 200)
        );
        assert!(rec[0].response_body.contains("OAuth2ACG"));
        assert_eq!((rec[1].method.as_str(), rec[1].status), ("POST", 201));
        assert!(rec[1].body.contains("Test Client"));
        assert!(rec[1].response_body.contains("client_secret"));
        t.p.shutdown().await;

        let ob = Profile::get("ob-3.0").unwrap();
        let p = provider::start(ProviderConfig::new(ob)).await.unwrap();
        let c = client(&p);
        let sdd: Value = c
            .get(format!("{}/ims/ob/v3p0/discovery", p.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let scopes = &sdd["components"]["securitySchemes"]["OAuth2ACG"]["flows"]["authorizationCode"]
            ["scopes"];
        assert!(scopes[&ob.scopes.credential_readonly].is_string());
        assert!(ob.scopes.credential_readonly.contains("/ob/v3p0/"));
        // Discovery is rate limited: a flood ends in 429 with Retry-After.
        let url = format!("{}/ims/ob/v3p0/discovery", p.base_url());
        let mut limited = None;
        for _ in 0..2000 {
            let r = c.get(&url).send().await.unwrap();
            if r.status() == 429 {
                limited = Some(r);
                break;
            }
            assert_eq!(r.status(), 200);
        }
        let r = limited.expect("discovery was never rate limited");
        assert!(
            r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
                >= 1
        );
        assert_imsx(&r.json().await.unwrap(), "server_busy");
        assert_eq!(
            c.get(format!("{}/ims/clr/v2p0/discovery", p.base_url()))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        p.shutdown().await;

        let mut plain = config(&[]);
        plain.tls = provider::TlsMode::PlainHttp;
        let p = provider::start(plain).await.unwrap();
        assert!(p.base_url().starts_with("http://") && p.ca_pem().is_none());
        let plain_client = Client::builder()
            .use_preconfigured_tls(tls_config(None))
            .build()
            .unwrap();
        let r = plain_client
            .get(format!("{}/ims/clr/v2p0/discovery", p.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        p.shutdown().await;

        // --cert/--key files.
        let dir = temp_dir("files");
        let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
        std::fs::write(dir.join("cert.pem"), ck.cert.pem()).unwrap();
        std::fs::write(dir.join("key.pem"), ck.signing_key.serialize_pem()).unwrap();
        let mut files = config(&[]);
        files.tls = provider::TlsMode::Files {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        };
        let p = provider::start(files).await.unwrap();
        assert_eq!(p.ca_pem(), Some(ck.cert.pem().as_str()));
        let r = client(&p)
            .get(format!("{}/ims/clr/v2p0/discovery", p.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        p.shutdown().await;
        let mut missing = config(&[]);
        missing.tls = provider::TlsMode::Files {
            cert: dir.join("nope.pem"),
            key: dir.join("key.pem"),
        };
        let err = provider::start(missing)
            .await
            .err()
            .expect("a missing certificate file is an error");
        assert!(format!("{err:#}").contains("nope.pem"), "{err:#}");
        let _ = std::fs::remove_dir_all(dir);

        // Dropping a provider without shutdown still closes its socket.
        let p = provider::start(config(&[])).await.unwrap();
        let url = format!("{}/ims/clr/v2p0/discovery", p.base_url());
        let pem = p.ca_pem().unwrap().to_string();
        let fresh = || {
            Client::builder()
                .use_preconfigured_tls(tls_config(Some(&pem)))
                .build()
                .unwrap()
        };
        assert_eq!(fresh().get(&url).send().await.unwrap().status(), 200);
        let untrusting = Client::builder()
            .use_preconfigured_tls(tls_config(None))
            .build()
            .unwrap();
        assert!(
            untrusting.get(&url).send().await.is_err(),
            "the certificate must be verified"
        );
        drop(p);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(fresh().get(&url).send().await.is_err());
    });
}

// ---- one probe per fault --------------------------------------------------

/// A provider with a logged-in client holding every scope.
struct Ctx {
    t: T,
    l: Login,
}

impl Ctx {
    async fn new(faults: &[&str]) -> Ctx {
        let t = T::start(faults).await;
        // Registration faults are probed without a login (some make it impossible).
        let l = if faults.iter().any(|f| {
            f.starts_with("registration-")
                || [
                    "reject-s256",
                    "token-requires-json",
                    "token-rejects-basic",
                    "authorize-no-code",
                    "tls-wrong-hostname",
                ]
                .contains(f)
        }) {
            Login {
                id: String::new(),
                secret: String::new(),
                access: String::new(),
                refresh: String::new(),
            }
        } else {
            t.login(&t.scopes()).await
        };
        Ctx { t, l }
    }

    async fn creds(&self, query: &str) -> reqwest::Response {
        self.t
            .get(
                &format!("{}?{query}", self.t.api("credentials")),
                &self.l.access,
            )
            .await
    }

    async fn auth_query(&self, extra: &[(&str, &str)], drop: &[&str]) -> reqwest::Response {
        let v = verifier();
        let ch = s256(&v);
        let scopes = self.t.scopes();
        let mut p: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", self.l.id.as_str()),
            ("redirect_uri", REDIRECT),
            ("scope", scopes.as_str()),
            ("state", "st"),
            ("code_challenge", ch.as_str()),
            ("code_challenge_method", "S256"),
        ];
        p.retain(|(k, _)| !drop.contains(k) && !extra.iter().any(|(e, _)| e == k));
        p.extend_from_slice(extra);
        self.t.authorize_raw(&p, true).await
    }

    async fn refresh(&self, scope: Option<&str>, id: &str, secret: &str) -> (StatusCode, Value) {
        let mut f = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", self.l.refresh.as_str()),
        ];
        if let Some(s) = scope {
            f.push(("scope", s));
        }
        let (st, _, v) = self.t.token_raw(id, secret, &f).await;
        (st, v)
    }

    async fn revoke(&self, token: &str, hint: &str) -> StatusCode {
        self.t
            .c
            .post(self.t.oauth("revoke"))
            .basic_auth(&self.l.id, Some(&self.l.secret))
            .form(&[("token", token), ("token_type_hint", hint)])
            .send()
            .await
            .unwrap()
            .status()
    }
}

fn total(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get("x-total-count")
        .map(|v| v.to_str().unwrap().to_string())
}

/// Whether the rule `fault` breaks is broken on this provider.
async fn broken(fault: &str, x: &Ctx) -> bool {
    let t = &x.t;
    let tok = x.l.access.as_str();
    let sdd = || async {
        t.c.get(t.api("discovery"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let acg = |v: &Value| v["components"]["securitySchemes"]["OAuth2ACG"].clone();
    let reg_with = |f: &dyn Fn(&mut Value)| {
        let mut b = t.registration();
        f(&mut b);
        b
    };
    match fault {
        "protect-discovery" => t.c.get(t.api("discovery")).send().await.unwrap().status() != 200,
        "sdd-missing-registration-url" => {
            acg(&sdd().await).get("x-imssf-registrationUrl").is_none()
        }
        "sdd-missing-terms-of-service" => sdd().await["info"].get("termsOfService").is_none(),
        "sdd-missing-privacy-policy" => sdd().await["info"]
            .get("x-imssf-privacyPolicyUrl")
            .is_none(),
        "sdd-wrong-scheme-type" => acg(&sdd().await)["type"] != "oauth2",
        "sdd-extra-scheme" => {
            sdd().await["components"]["securitySchemes"]
                .as_object()
                .unwrap()
                .len()
                > 1
        }
        "sdd-missing-scope" => {
            let s = sdd().await;
            !Profile::clr().all_scopes().iter().all(|k| {
                acg(&s)["flows"]["authorizationCode"]["scopes"]
                    .get(*k)
                    .is_some()
            })
        }
        "sdd-other-scope-uris" => acg(&sdd().await)["flows"]["authorizationCode"]["scopes"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("https://scopes.example.org/")),
        "sdd-http-urls" => acg(&sdd().await)["flows"]["authorizationCode"]["tokenUrl"]
            .as_str()
            .unwrap()
            .starts_with("http:"),
        "sdd-no-openapi" => sdd().await.get("openapi").is_none(),
        "registration-200" => t.register_raw(&t.registration()).await.0 != 201,
        "registration-missing-secret" => t
            .register_raw(&t.registration())
            .await
            .1
            .get("client_secret")
            .is_none(),
        "registration-no-echo" => {
            let (_, v) = t.register_raw(&t.registration()).await;
            v.get("redirect_uris").is_none() || v.get("scope").is_none()
        }
        "registration-accept-missing-fields" => {
            t.register_raw(&reg_with(&|b| {
                b.as_object_mut().unwrap().remove("tos_uri");
            }))
            .await
            .0 == 201
        }
        "registration-accept-http" => {
            t.register_raw(&reg_with(&|b| {
                b["client_uri"] = json!("http://client.example/")
            }))
            .await
            .0 == 201
        }
        "registration-error-format" => t.register_raw(&json!({})).await.1.get("error").is_none(),
        "redirect-unknown-uri" => {
            x.auth_query(&[("redirect_uri", "https://evil.example/cb")], &[])
                .await
                .status()
                == 302
        }
        "redirect-prefix-match" => {
            x.auth_query(
                &[("redirect_uri", "https://client.example/callback/x")],
                &[],
            )
            .await
            .status()
                == 302
        }
        "redirect-unknown-client" => {
            x.auth_query(&[("client_id", "nobody")], &[]).await.status() == 302
        }
        "accept-any-response-type" => {
            let r = x.auth_query(&[("response_type", "token")], &[]).await;
            r.status() == 302 && location_query(r.headers()).contains_key("code")
        }
        "ignore-unknown-scope" => {
            let r = x
                .auth_query(&[("scope", "https://example.org/unknown")], &[])
                .await;
            r.status() == 302 && location_query(r.headers()).contains_key("code")
        }
        "authorize-widen-scope" => {
            let narrow = Profile::clr().scopes.credential_readonly.clone();
            let r = x.auth_query(&[("scope", narrow.as_str())], &[]).await;
            location_query(r.headers())["scope"] != narrow
        }
        "drop-state" => {
            !location_query(x.auth_query(&[], &[]).await.headers()).contains_key("state")
        }
        "bad-error-charset" => {
            let r = x.auth_query(&[("response_type", "token")], &[]).await;
            let d = location_query(r.headers())["error_description"].clone();
            d.contains('"') || d.contains('\\')
        }
        "accept-missing-pkce" => location_query(
            x.auth_query(&[], &["code_challenge", "code_challenge_method"])
                .await
                .headers(),
        )
        .contains_key("code"),
        "accept-plain-pkce" => {
            let r = x
                .auth_query(
                    &[
                        ("code_challenge_method", "plain"),
                        (
                            "code_challenge",
                            "abcdefghijabcdefghijabcdefghijabcdefghij123",
                        ),
                    ],
                    &[],
                )
                .await;
            location_query(r.headers()).contains_key("code")
        }
        "accept-wrong-verifier" => {
            let code = t.code(&x.l.id, &t.scopes(), &verifier()).await;
            t.exchange(&x.l.id, &x.l.secret, &code, &verifier()).await.0 == 200
        }
        "accept-missing-verifier" => {
            let code = t.code(&x.l.id, &t.scopes(), &verifier()).await;
            let f = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
            ];
            t.token_raw(&x.l.id, &x.l.secret, &f).await.0 == 200
        }
        "reuse-code" => {
            let v = verifier();
            let code = t.code(&x.l.id, &t.scopes(), &v).await;
            t.exchange(&x.l.id, &x.l.secret, &code, &v).await;
            t.exchange(&x.l.id, &x.l.secret, &code, &v).await.0 == 200
        }
        "reuse-keeps-tokens" => {
            let v = verifier();
            let code = t.code(&x.l.id, &t.scopes(), &v).await;
            let (_, _, first) = t.exchange(&x.l.id, &x.l.secret, &code, &v).await;
            t.exchange(&x.l.id, &x.l.secret, &code, &v).await;
            t.get(
                &t.api("credentials"),
                first["access_token"].as_str().unwrap(),
            )
            .await
            .status()
                == 200
        }
        "ignore-code-redirect-uri" => {
            let v = verifier();
            let code = t.code(&x.l.id, &t.scopes(), &v).await;
            let f = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", "https://client.example/x"),
                ("code_verifier", v.as_str()),
            ];
            t.token_raw(&x.l.id, &x.l.secret, &f).await.0 == 200
        }
        "accept-bad-client-secret" => {
            let v = verifier();
            let code = t.code(&x.l.id, &t.scopes(), &v).await;
            t.exchange(&x.l.id, "wrong", &code, &v).await.0 == 200
        }
        "token-no-cache-control" | "token-no-pragma" | "token-type-mac" | "token-no-expires-in" => {
            let v = verifier();
            let code = t.code(&x.l.id, &t.scopes(), &v).await;
            let (_, h, body) = t.exchange(&x.l.id, &x.l.secret, &code, &v).await;
            match fault {
                "token-no-cache-control" => h.get("cache-control").is_none_or(|v| v != "no-store"),
                "token-no-pragma" => h.get("pragma").is_none(),
                "token-no-expires-in" => body.get("expires_in").is_none(),
                _ => !body["token_type"]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case("bearer"),
            }
        }
        "wrong-unsupported-grant-error" => {
            t.token_raw(&x.l.id, &x.l.secret, &[("grant_type", "password")])
                .await
                .2["error"]
                != "unsupported_grant_type"
        }
        "refresh-same-token" => {
            let (_, v) = x.refresh(None, &x.l.id, &x.l.secret).await;
            v["access_token"] == x.l.access.as_str()
        }
        "refresh-widen-scope" => {
            let narrow = Profile::clr().scopes.credential_readonly.clone();
            let l = t.login(&narrow).await;
            let all = t.scopes();
            let f = [
                ("grant_type", "refresh_token"),
                ("refresh_token", l.refresh.as_str()),
                ("scope", all.as_str()),
            ];
            t.token_raw(&l.id, &l.secret, &f).await.0 == 200
        }
        "refresh-any-client" => {
            let (other, secret) = t.register().await;
            x.refresh(None, &other, &secret).await.0 == 200
        }
        "revocation-no-effect" => {
            x.revoke(tok, "access_token").await;
            t.get(&t.api("credentials"), tok).await.status() == 200
        }
        "revocation-keeps-refresh" => {
            x.revoke(&x.l.refresh, "refresh_token").await;
            x.refresh(None, &x.l.id, &x.l.secret).await.0 == 200
        }
        "revocation-unknown-400" => x.revoke("unknown-token", "access_token").await != 200,
        "accept-no-token" => t.c.get(t.api("credentials")).send().await.unwrap().status() == 200,
        "accept-no-scope" => {
            let l = t.login(&Profile::clr().scopes.profile_readonly).await;
            t.get(&t.api("credentials"), &l.access).await.status() == 200
        }
        "no-www-authenticate" => {
            t.c.get(t.api("credentials"))
                .send()
                .await
                .unwrap()
                .headers()
                .get("www-authenticate")
                .is_none()
        }
        "unauthenticated-403" => {
            t.c.get(t.api("credentials")).send().await.unwrap().status() != 401
        }
        "invalid-imsx-body" => {
            let v: Value =
                t.c.get(t.api("credentials"))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
            std::panic::catch_unwind(|| assert_imsx(&v, "unauthorizedrequest")).is_err()
        }
        "no-allow-header" => {
            t.c.delete(t.api("credentials"))
                .send()
                .await
                .unwrap()
                .headers()
                .get("allow")
                .is_none()
        }
        "malformed-json-500" => t.upsert_json(tok, "{").await.status() == 500,
        "wrong-content-type" => x.creds("").await.headers()["content-type"] != "application/json",
        "extra-response-member" => {
            x.creds("")
                .await
                .json::<Value>()
                .await
                .unwrap()
                .as_object()
                .unwrap()
                .len()
                != 2
        }
        "jws-in-credential-array" => {
            let payload =
                URL_SAFE_NO_PAD.encode(credential("j", "2026-02-01T00:00:00Z").to_string());
            let jws = format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln");
            t.c.post(t.api("credentials"))
                .bearer_auth(tok)
                .header("content-type", "text/plain")
                .body(jws)
                .send()
                .await
                .unwrap();
            let v: Value = x.creds("").await.json().await.unwrap();
            v["credential"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c.is_string())
        }
        "tampered-credential" | "unsigned-credential" => {
            let v: Value = x.creds("limit=1").await.json().await.unwrap();
            let c = &v["credential"][0];
            if c.get("proof").is_none() {
                return true;
            }
            let reports = clr_conformance::credential::proof::verify_data_integrity(c).unwrap();
            !reports.iter().all(|r| r.verified())
        }
        "omit-x-total-count" => total(&x.creds("").await).is_none(),
        "x-total-count-page-size" => total(&x.creds("limit=2").await).as_deref() != Some("6"),
        "no-link-next" => !links(x.creds("limit=2").await.headers()).contains_key("next"),
        "no-link-prev" => !links(x.creds("limit=2&offset=2").await.headers()).contains_key("prev"),
        "no-link-first" => !links(x.creds("limit=2").await.headers()).contains_key("first"),
        "no-link-last" => !links(x.creds("limit=2").await.headers()).contains_key("last"),
        "ignore-limit" => ids(&x.creds("limit=2").await.json::<Value>().await.unwrap()).len() != 2,
        "ignore-offset" => {
            let a = ids(&x
                .creds("limit=2&offset=0")
                .await
                .json::<Value>()
                .await
                .unwrap());
            let b = ids(&x
                .creds("limit=2&offset=2")
                .await
                .json::<Value>()
                .await
                .unwrap());
            a == b
        }
        "ignore-since" => {
            total(&x.creds("since=2023-01-01T00:00:00Z").await).as_deref() != Some("4")
        }
        "accept-bad-paging-params" => x.creds("limit=0").await.status() == 200,
        "lose-upserts" => {
            t.upsert_json(tok, &credential("lost", "2026-01-01T00:00:00Z").to_string())
                .await;
            total(&x.creds("").await).as_deref() != Some("7")
        }
        "always-201" | "always-200-on-upsert" => {
            let body = credential("twice", "2026-01-01T00:00:00Z").to_string();
            let first = t.upsert_json(tok, &body).await.status();
            let second = t.upsert_json(tok, &body).await.status();
            if fault == "always-201" {
                second != 200
            } else {
                first != 201
            }
        }
        "no-echo" => {
            let body = credential("echo", "2026-01-01T00:00:00Z").to_string();
            t.upsert_json(tok, &body).await.text().await.unwrap() != body
        }
        "echo-wrong-media-type" => {
            let payload =
                URL_SAFE_NO_PAD.encode(credential("mt", "2026-02-01T00:00:00Z").to_string());
            let r =
                t.c.post(t.api("credentials"))
                    .bearer_auth(tok)
                    .header("content-type", "text/plain")
                    .body(format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln"))
                    .send()
                    .await
                    .unwrap();
            !r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        }
        "equality-exact-match" => {
            let c = credential("eq", "2026-01-01T00:00:00Z");
            t.upsert_json(tok, &c.to_string()).await;
            let mut c2 = c.clone();
            c2["id"] = json!(" https://client.example/clr/%65q ");
            t.upsert_json(tok, &c2.to_string()).await.status() != 200
        }
        "reject-jws-upsert" => {
            let payload =
                URL_SAFE_NO_PAD.encode(credential("rj", "2026-02-01T00:00:00Z").to_string());
            let r =
                t.c.post(t.api("credentials"))
                    .bearer_auth(tok)
                    .header("content-type", "text/plain")
                    .body(format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln"))
                    .send()
                    .await
                    .unwrap();
            !r.status().is_success()
        }
        "profile-wrong-id" => {
            t.get(&t.api("profile"), tok)
                .await
                .json::<Value>()
                .await
                .unwrap()["id"]
                != "https://1edtech.org/issuers/cert"
        }
        "lose-profile" => {
            let p = json!({ "id": "https://1edtech.org/issuers/cert", "type": ["Profile"], "name": "New name" });
            t.c.put(t.api("profile"))
                .bearer_auth(tok)
                .json(&p)
                .send()
                .await
                .unwrap();
            t.get(&t.api("profile"), tok)
                .await
                .json::<Value>()
                .await
                .unwrap()
                != p
        }
        "sdd-missing-title" => sdd().await["info"].get("title").is_none(),
        "sdd-missing-version" => sdd().await["info"].get("version").is_none(),
        "sdd-missing-authorization-url" | "sdd-missing-token-url" | "sdd-missing-refresh-url" => {
            let key = match fault {
                "sdd-missing-authorization-url" => "authorizationUrl",
                "sdd-missing-token-url" => "tokenUrl",
                _ => "refreshUrl",
            };
            acg(&sdd().await)["flows"]["authorizationCode"]
                .get(key)
                .is_none()
        }
        "sdd-unsupported-path" => sdd().await["paths"]["/credentials"].get("delete").is_some(),
        "discovery-text-plain" => {
            let r = t.c.get(t.api("discovery")).send().await.unwrap();
            r.headers()["content-type"] != "application/json"
        }
        "registration-missing-issued-at" => t
            .register_raw(&t.registration())
            .await
            .1
            .get("client_id_issued_at")
            .is_none(),
        "registration-missing-expires-at" => t
            .register_raw(&t.registration())
            .await
            .1
            .get("client_secret_expires_at")
            .is_none(),
        "registration-require-token" => t.register_raw(&t.registration()).await.0 != 201,
        "registration-reuse-client-id" => {
            let a = t.register_raw(&t.registration()).await.1;
            let b = t.register_raw(&t.registration()).await.1;
            a["client_id"] == b["client_id"]
        }
        "deny-not-redirected" => {
            let v = verifier();
            let ch = s256(&v);
            let user = &t.p.users()[0];
            let scopes = t.scopes();
            let form = [
                ("response_type", "code"),
                ("client_id", x.l.id.as_str()),
                ("redirect_uri", REDIRECT),
                ("scope", scopes.as_str()),
                ("state", "st"),
                ("code_challenge", ch.as_str()),
                ("code_challenge_method", "S256"),
                ("username", user.username.as_str()),
                ("password", user.password.as_str()),
                ("consent", "deny"),
            ];
            t.c.post(t.oauth("authorize"))
                .form(&form)
                .send()
                .await
                .unwrap()
                .status()
                != 302
        }
        "reject-s256" => {
            let (id, secret) = t.register().await;
            let v = verifier();
            let code = t.code(&id, &t.scopes(), &v).await;
            t.exchange(&id, &secret, &code, &v).await.0 != 200
        }
        "token-error-not-json" => {
            let (_, _, v) = t
                .token_raw(&x.l.id, &x.l.secret, &[("grant_type", "password")])
                .await;
            v.get("error").is_none()
        }
        "refresh-bad-token-401" => {
            let f = [
                ("grant_type", "refresh_token"),
                ("refresh_token", "unknown"),
            ];
            let (st, _, v) = t.token_raw(&x.l.id, &x.l.secret, &f).await;
            st != 400 || v["error"] != "invalid_grant"
        }
        "revocation-wrong-type-error" => {
            let r =
                t.c.post(t.oauth("revoke"))
                    .basic_auth(&x.l.id, Some(&x.l.secret))
                    .form(&[("token", tok), ("token_type_hint", "id_token")])
                    .send()
                    .await
                    .unwrap();
            r.json::<Value>().await.unwrap()["error"] != "unsupported_token_type"
        }
        "revocation-requires-json" => x.revoke(tok, "access_token").await != 200,
        "reject-bearer-header" => t.get(&t.api("credentials"), tok).await.status() == 401,
        "wrong-method-404" => {
            t.c.delete(t.api("credentials"))
                .bearer_auth(tok)
                .send()
                .await
                .unwrap()
                .status()
                == 404
        }
        "imsx-no-description" => {
            let v: Value =
                t.c.get(t.api("credentials"))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
            v.get("imsx_description").is_none()
        }
        "bad-request-422" => x.creds("limit=0").await.status() == 422,
        "wrong-credential-type" => {
            let v: Value = x.creds("").await.json().await.unwrap();
            v["credential"].as_array().unwrap().iter().any(|c| {
                !c["type"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("ClrCredential"))
            })
        }
        "credentials-status-203" => x.creds("").await.status() != 200,
        "link-bad-syntax" => !x.creds("limit=2").await.headers()["link"]
            .to_str()
            .unwrap()
            .contains('<'),
        "unstable-order" => {
            let first = ids(&x.creds("").await.json::<Value>().await.unwrap());
            let mut differs = false;
            for _ in 0..5 {
                differs |= ids(&x.creds("").await.json::<Value>().await.unwrap()) != first;
            }
            differs
        }
        "upsert-rejects-json" => !t
            .upsert_json(tok, &credential("uj", "2026-01-01T00:00:00Z").to_string())
            .await
            .status()
            .is_success(),
        "accept-invalid-credential" => t.upsert_json(tok, "{\"x\": 1}").await.status().is_success(),
        "upsert-skip-schema" => {
            let mut c = credential("no-subject", "2026-01-01T00:00:00Z");
            c.as_object_mut().unwrap().remove("credentialSubject");
            t.upsert_json(tok, &c.to_string()).await.status() == 201
        }
        "accept-invalid-profile" => {
            let p = json!({ "id": "https://1edtech.org/issuers/cert", "type": ["Achievement"] });
            t.c.put(t.api("profile"))
                .bearer_auth(tok)
                .json(&p)
                .send()
                .await
                .unwrap()
                .status()
                == 200
        }
        "profile-text-plain" => {
            t.get(&t.api("profile"), tok).await.headers()["content-type"] != "application/json"
        }
        "put-profile-rejects-json" | "put-profile-204" => {
            let p = json!({ "id": "https://1edtech.org/issuers/cert", "type": ["Profile"] });
            let st =
                t.c.put(t.api("profile"))
                    .bearer_auth(tok)
                    .json(&p)
                    .send()
                    .await
                    .unwrap()
                    .status();
            if fault == "put-profile-204" {
                st == 204
            } else {
                st != 200
            }
        }
        "sdd-missing-info-fields" => {
            let s = sdd().await;
            s["info"].get("termsOfService").is_none()
                && s["info"].get("x-imssf-privacyPolicyUrl").is_none()
        }
        "wrong-link-rels" => {
            let l = links(x.creds("limit=2&offset=2").await.headers());
            !["next", "prev", "first", "last"]
                .iter()
                .any(|r| l.contains_key(*r))
        }
        "unknown-path-400" => t.get(&t.api("nothing"), tok).await.status() == 400,
        "profile-missing-type" => t
            .get(&t.api("profile"), tok)
            .await
            .json::<Value>()
            .await
            .unwrap()
            .get("type")
            .is_none(),
        "no-link-header" => x.creds("limit=2").await.headers().get("link").is_none(),
        "registration-missing-client-id" => t
            .register_raw(&t.registration())
            .await
            .1
            .get("client_id")
            .is_none(),
        "drop-scope-param" => {
            !location_query(x.auth_query(&[], &[]).await.headers()).contains_key("scope")
        }
        "no-consent" => {
            let v = verifier();
            let ch = s256(&v);
            let scopes = t.scopes();
            let p = [
                ("response_type", "code"),
                ("client_id", x.l.id.as_str()),
                ("redirect_uri", REDIRECT),
                ("scope", scopes.as_str()),
                ("state", "st"),
                ("code_challenge", ch.as_str()),
                ("code_challenge_method", "S256"),
            ];
            t.authorize_raw(&p, false).await.status() == 302
        }
        "token-requires-json" | "token-rejects-basic" => {
            let (id, secret) = t.register().await;
            let v = verifier();
            let code = t.code(&id, &t.scopes(), &v).await;
            t.exchange(&id, &secret, &code, &v).await.0 != 200
        }
        "profile-rejects-token" => t.get(&t.api("profile"), tok).await.status() == 401,
        "accept-expired-tokens" => {
            let v = verifier();
            let code = t.code(&x.l.id, &t.scopes(), &v).await;
            let (_, _, body) = t.exchange(&x.l.id, &x.l.secret, &code, &v).await;
            let life = body["expires_in"].as_u64().unwrap();
            if life > 5 {
                return false; // cannot be observed within the test's time
            }
            tokio::time::sleep(Duration::from_millis(life * 1000 + 1500)).await;
            let access = body["access_token"].as_str().unwrap();
            t.get(&t.api("credentials"), access).await.status() == 200
        }
        "refreshed-token-dead" => {
            let (_, v) = x.refresh(None, &x.l.id, &x.l.secret).await;
            t.get(&t.api("credentials"), v["access_token"].as_str().unwrap())
                .await
                .status()
                != 200
        }
        "sdd-no-revocation-url" => acg(&sdd().await)
            .get(provider::discovery::REVOCATION_URL_KEY)
            .is_none(),
        "plain-http" => t.p.base_url().starts_with("http://"),
        "tls-wrong-hostname" => {
            t.c.get(t.api("discovery"))
                .send()
                .await
                .is_err_and(|e| format!("{e:?}").contains("NotValidForName"))
        }
        "tls-legacy-accepted" => {
            let u = url::Url::parse(t.p.base_url()).unwrap();
            let (host, port) = (u.host_str().unwrap(), u.port().unwrap());
            let wait = std::time::Duration::from_secs(5);
            let legacy =
                clr_conformance::suites::provider::tls_legacy::probe(host, port, 0x0301, wait);
            matches!(
                legacy.await,
                clr_conformance::suites::provider::tls_legacy::Legacy::Accepted(_)
            )
        }
        "wrong-state" => {
            let r = x.auth_query(&[], &[]).await;
            location_query(r.headers()).get("state").map(String::as_str) != Some("st")
        }
        "discovery-wrong-path" => t.c.get(t.api("discovery")).send().await.unwrap().status() == 404,
        "sdd-bad-image" => {
            let s = sdd().await;
            let img = s["info"]["x-imssf-image"].as_str().unwrap_or("");
            !(img.starts_with("data:") || url::Url::parse(img).is_ok())
        }
        "etag-ignored" => {
            let r = t.c.get(t.api("discovery")).send().await.unwrap();
            let tag = r.headers()["etag"].clone();
            let again = t.c.get(t.api("discovery")).header("if-none-match", tag);
            again.send().await.unwrap().status() != 304
        }
        "registration-refused" => !t.register_raw(&t.registration()).await.0.is_success(),
        "authorize-no-code" => {
            let (id, _) = t.register().await;
            let v = verifier();
            let ch = s256(&v);
            let scopes = t.scopes();
            let p = [
                ("response_type", "code"),
                ("client_id", id.as_str()),
                ("redirect_uri", REDIRECT),
                ("scope", scopes.as_str()),
                ("state", "st"),
                ("code_challenge", ch.as_str()),
                ("code_challenge_method", "S256"),
            ];
            let r = t.authorize_raw(&p, true).await;
            !location_query(r.headers()).contains_key("code")
        }
        "empty-refresh-token" => x.l.refresh.is_empty(),
        "api-wrong-base-path" => t.get(&t.api("credentials"), tok).await.status() == 404,
        "profile-404-bare" => {
            let r = t.get(&t.api("profile"), tok).await;
            let st = r.status();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            st == 404 && body.get("imsx_codeMajor").is_none()
        }
        "profile-get-501" => t.get(&t.api("profile"), tok).await.status() == 501,
        "credentials-get-501" => x.creds("").await.status() == 501,
        "credentials-post-501" => t.upsert_json(tok, "{}").await.status() == 501,
        "error-body-html" => {
            let r = t.get(&t.api("nothing"), tok).await;
            let ct = r.headers().get("content-type").cloned();
            r.status() == 404 && ct.is_none_or(|v| !v.to_str().unwrap().contains("json"))
        }
        "link-unfollowable" => {
            let r = x.creds("limit=2").await;
            let link = r.headers()["link"].to_str().unwrap().to_string();
            let next = link
                .split(", ")
                .find(|p| p.ends_with("rel=\"next\""))
                .and_then(|p| p.split(['<', '>']).nth(1))
                .expect("a next link")
                .to_string();
            t.get(&next, tok).await.status() != 200
        }
        "bad-retry-after" => x
            .creds("")
            .await
            .headers()
            .get("retry-after")
            .is_some_and(|v| v.to_str().unwrap().trim().parse::<u64>().is_err()),
        "no-rate-limit" => {
            // Enough requests to empty the bucket unless each takes over ~16 ms.
            for _ in 0..1000 {
                if t.c.get(t.api("discovery")).send().await.unwrap().status() == 429 {
                    return false;
                }
            }
            true
        }
        // Run evidence (issue 19, issue 13 item 4).
        "token-requires-form-client-id" => {
            let v = verifier();
            let code = t.code(&x.l.id, &t.scopes(), &v).await;
            t.exchange(&x.l.id, &x.l.secret, &code, &v).await.0 != 200
        }
        "password-grant" => {
            t.c.post(t.oauth("token"))
                .form(&[
                    ("grant_type", "password"),
                    ("username", "anyone"),
                    ("password", "secret6"),
                ])
                .send()
                .await
                .unwrap()
                .status()
                == 200
        }
        "upsert-scope-403" => {
            let body = credential("scope403", "2026-01-01T00:00:00Z").to_string();
            t.upsert_json(tok, &body).await.status() == 403
        }
        "revocation-trusts-hint" => {
            x.revoke(tok, "refresh_token").await;
            t.get(&t.api("credentials"), tok).await.status() == 200
        }
        "revoke-refresh-keeps-access" => {
            x.revoke(&x.l.refresh, "refresh_token").await;
            t.get(&t.api("credentials"), tok).await.status() == 200
        }
        "upsert-match-id-only" => {
            let c = credential("two-issuers", "2026-01-01T00:00:00Z");
            t.upsert_json(tok, &c.to_string()).await;
            let mut c2 = c.clone();
            c2["issuer"]["id"] = json!("https://other.example/issuers/2");
            t.upsert_json(tok, &c2.to_string()).await.status() != 201
        }
        other => panic!("{other}: no probe for this fault"),
    }
}

#[test]
fn every_fault_breaks_its_rule_and_only_with_the_fault() {
    bounded(540, async {
        for f in provider::all_faults() {
            let clean = Ctx::new(&[]).await;
            assert!(
                !broken(f.name, &clean).await,
                "{}: the probe fails on a correct provider",
                f.name
            );
            clean.t.p.shutdown().await;
            let faulty = Ctx::new(&[f.name]).await;
            assert!(
                broken(f.name, &faulty).await,
                "{}: the fault is not visible",
                f.name
            );
            faulty.t.p.shutdown().await;
        }
    });
}

// ---- one probe per variant ------------------------------------------------

/// Whether the behaviour the variant `name` switches on shows on this provider.
async fn varies(name: &str, t: &T) -> bool {
    let scopes = |v: &Value| {
        v["components"]["securitySchemes"]["OAuth2ACG"]["flows"]["authorizationCode"]["scopes"]
            .clone()
    };
    match name {
        "passwordless" => {
            // Without a signed-in session: no login page, access_denied at once.
            let (id, _) = t.register().await;
            let ch = s256(&verifier());
            let scope = t.scopes();
            let params = [
                ("response_type", "code"),
                ("client_id", id.as_str()),
                ("redirect_uri", REDIRECT),
                ("scope", scope.as_str()),
                ("state", "st"),
                ("code_challenge", ch.as_str()),
                ("code_challenge_method", "S256"),
            ];
            let r = t.authorize_raw(&params, false).await;
            r.status() == 302
                && location_query(r.headers())
                    .get("error")
                    .is_some_and(|e| e == "access_denied")
        }
        "refuse-offline-access" => scopes(&t.discovery().await).get("offline_access").is_none(),
        "refuse-refresh-grant" => t.register_raw(&t.registration()).await.0 == 400,
        "other-scope-uris" => scopes(&t.discovery().await)
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("https://scopes.example.org/")),
        "deterministic-tokens" => {
            // Two refreshes in the same second give the same access token; a
            // few tries, in case a pair straddles a second.
            let l = t.login(&t.scopes()).await;
            let refresh = |token: String| {
                let l = &l;
                async move {
                    let form = [
                        ("grant_type", "refresh_token"),
                        ("refresh_token", token.as_str()),
                    ];
                    let (st, _, v) = t.token_raw(&l.id, &l.secret, &form).await;
                    assert_eq!(st, 200, "{v}");
                    let get = |k: &str| v[k].as_str().unwrap().to_string();
                    (get("access_token"), get("refresh_token"))
                }
            };
            let mut token = l.refresh.clone();
            for _ in 0..3 {
                let (first, next) = refresh(token).await;
                let (second, next) = refresh(next).await;
                if first == second {
                    return true;
                }
                token = next;
            }
            false
        }
        other => panic!("{other}: no probe for this variant"),
    }
}

#[test]
fn every_variant_shows_and_only_with_the_variant() {
    bounded(240, async {
        for v in provider::faults::all_variants() {
            let clean = T::start(&[]).await;
            assert!(
                !varies(v.name, &clean).await,
                "{}: the probe sees it without the variant",
                v.name
            );
            clean.p.shutdown().await;
            let mut cfg = config(&[]);
            cfg.faults.push(*v);
            let varied = T::with(cfg).await;
            assert!(
                varies(v.name, &varied).await,
                "{}: the variant is not visible",
                v.name
            );
            varied.p.shutdown().await;
        }
    });
}
