//! Unit tests of the consumer checks on hand-made recordings; the scripted
//! consumers against the live provider are in tests/judge.rs.

use super::*;
use crate::evidence::Verdict;
use crate::judge::consumer::{End, JudgeOptions, judge};

fn ex(method: &str, path: &str, query: Option<&str>, body: &str, status: u16) -> RecordedExchange {
    RecordedExchange {
        timestamp: "2026-01-01T00:00:00Z".into(),
        method: method.into(),
        path: path.into(),
        query: query.map(str::to_string),
        headers: vec![],
        body: body.into(),
        status,
        response_headers: vec![],
        response_body: String::new(),
    }
}

fn opts() -> JudgeOptions {
    JudgeOptions {
        profile: Profile::clr(),
        base_url: "https://127.0.0.1:1".into(),
        users: vec![],
        end: End::Timeout,
    }
}

fn verdicts(rec: &Recorder, id: &str) -> Vec<Verdict> {
    rec.findings_for(id).iter().map(|f| f.verdict).collect()
}

#[test]
fn an_empty_recording_names_the_missing_steps() {
    let rec = judge(&[], ConsumerRole::Read, &opts());
    for (id, step) in [
        ("consumer.discovery.first", "discovery never happened"),
        (
            "oauth.registration.request.required-fields",
            "registration never happened",
        ),
        (
            "consumer.authorize.params",
            "authorization request never happened",
        ),
        ("consumer.token.basic-auth", "token request never happened"),
        (
            "consumer.read.get-credentials",
            "getCredentials never happened",
        ),
        ("consumer.read.get-profile", "getProfile never happened"),
    ] {
        let f = rec.findings_for(id);
        assert!(!f.is_empty(), "{id}: no finding");
        assert_eq!(f[0].verdict, Verdict::Fail, "{id}");
        assert!(f[0].message.contains(step), "{id}: {}", f[0].message);
    }
    let w = judge(&[], ConsumerRole::Write, &opts());
    assert_eq!(verdicts(&w, "consumer.write.upsert"), vec![Verdict::Fail]);
    assert_eq!(
        verdicts(&w, "consumer.write.verifiable-credential"),
        vec![Verdict::Fail]
    );
}

#[test]
fn registration_before_discovery_fails_first() {
    let p = Profile::clr();
    let list = vec![
        ex("POST", REGISTER, None, "{}", 400),
        ex("GET", &format!("{}/discovery", p.base_path), None, "", 200),
    ];
    let rec = judge(&list, ConsumerRole::Read, &opts());
    assert_eq!(
        verdicts(&rec, "consumer.discovery.first"),
        vec![Verdict::Fail]
    );
    assert!(rec.findings_for("consumer.discovery.first")[0].evidence == vec!["tx-0001"]);
}

#[test]
fn registration_body_rules() {
    let good = serde_json::json!({
        "client_name": "c", "client_uri": "https://c.example/", "logo_uri": "https://c.example/l.png",
        "tos_uri": "https://c.example/tos", "policy_uri": "https://c.example/p",
        "software_id": "s", "software_version": "1", "redirect_uris": ["https://c.example/cb"],
        "scope": Profile::clr().scopes.credential_readonly.clone() + " " + &Profile::clr().scopes.profile_readonly,
    });
    let mut bad = good.clone();
    bad["redirect_uris"] = serde_json::json!("https://c.example/cb");
    bad["tos_uri"] = serde_json::json!("http://other.example/tos");
    bad["grant_types"] = serde_json::json!(["client_credentials"]);
    for (body, want) in [(good, Verdict::Pass), (bad, Verdict::Fail)] {
        let mut e = ex("POST", REGISTER, None, &body.to_string(), 201);
        e.headers
            .push(("content-type".into(), "application/json".into()));
        let rec = judge(&[e], ConsumerRole::Read, &opts());
        for id in [
            "oauth.registration.request.arrays",
            "oauth.registration.request.https-same-host",
            "oauth.registration.request.grant-types",
        ] {
            assert_eq!(verdicts(&rec, id), vec![want], "{id}");
        }
        assert_eq!(
            verdicts(&rec, "oauth.registration.request.required-fields"),
            vec![Verdict::Pass]
        );
    }
}

#[test]
fn pkce_helpers() {
    // RFC 7636 appendix B.
    assert_eq!(
        token::s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert!(authorize::is_s256_challenge(
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    ));
    assert!(!authorize::is_s256_challenge("plain-verifier"));
}
