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
        bad_certificate: false,
        certification: false,
    }
}

#[test]
fn a_certification_run_asks_the_write_consumer_for_a_profile() {
    let id = "consumer.write.cert-put-profile";
    let profile = format!("{}/profile", Profile::clr().base_path);
    let put = [ex("PUT", &profile, None, "{}", 200)];
    let cert = JudgeOptions {
        certification: true,
        ..opts()
    };
    let rec = judge(&put, ConsumerRole::Write, &cert);
    assert_eq!(verdicts(&rec, id), vec![Verdict::Pass]);
    let rec = judge(&[], ConsumerRole::Write, &cert);
    assert_eq!(verdicts(&rec, id), vec![Verdict::Fail]);
    let refused = [ex("PUT", &profile, None, "{}", 400)];
    let rec = judge(&refused, ConsumerRole::Write, &cert);
    assert_eq!(verdicts(&rec, id), vec![Verdict::Fail]);
    let rec = judge(&put, ConsumerRole::Write, &opts());
    assert_eq!(verdicts(&rec, id), vec![Verdict::NotApplicable]);
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

fn at(mut e: RecordedExchange, secs: i64) -> RecordedExchange {
    let t = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap()
        + chrono::Duration::seconds(secs);
    e.timestamp = t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    e
}

fn answered(mut e: RecordedExchange, k: &str, v: &str) -> RecordedExchange {
    e.response_headers.push((k.into(), v.into()));
    e
}

#[test]
fn a_code_from_a_mismatched_state_must_not_be_redeemed() {
    let auth = |back: &str| {
        answered(
            ex(
                "GET",
                AUTHORIZE,
                Some("response_type=code&state=s1"),
                "",
                302,
            ),
            "location",
            &format!("https://c.example/cb?code=c1&state={back}"),
        )
    };
    let mut redeem = ex(
        "POST",
        TOKEN,
        None,
        "grant_type=authorization_code&code=c1",
        200,
    );
    redeem.headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    let id = "consumer.state.verified";
    let rec = judge(
        &[auth("s1-altered"), redeem.clone()],
        ConsumerRole::Read,
        &opts(),
    );
    assert_eq!(verdicts(&rec, id), vec![Verdict::Fail]);
    let rec = judge(&[auth("s1-altered")], ConsumerRole::Read, &opts());
    assert_eq!(verdicts(&rec, id), vec![Verdict::Pass]);
    let rec = judge(&[auth("s1"), redeem], ConsumerRole::Read, &opts());
    assert_eq!(verdicts(&rec, id), vec![Verdict::NotApplicable]);
}

#[test]
fn retry_after_and_backoff_are_judged_from_timestamps() {
    let disc = format!("{}/discovery", Profile::clr().base_path);
    let busy = answered(at(ex("GET", &disc, None, "", 429), 0), "retry-after", "5");
    let id = "consumer.retry.retry-after";
    for (gap, want) in [(1, Verdict::Fail), (6, Verdict::Pass)] {
        let list = vec![busy.clone(), at(ex("GET", &disc, None, "", 200), gap)];
        let rec = judge(&list, ConsumerRole::Read, &opts());
        assert_eq!(verdicts(&rec, id), vec![want], "gap {gap}");
    }
    let rec = judge(&[], ConsumerRole::Read, &opts());
    assert_eq!(verdicts(&rec, id), vec![Verdict::NotApplicable]);

    let creds = format!("{}/credentials", Profile::clr().base_path);
    let fail = at(ex("GET", &creds, None, "", 500), 0);
    let id = "consumer.retry.backoff";
    for (gap, want) in [(10, Verdict::Fail), (1800, Verdict::Pass)] {
        let list = vec![fail.clone(), at(ex("GET", &creds, None, "", 200), gap)];
        let rec = judge(&list, ConsumerRole::Read, &opts());
        assert_eq!(verdicts(&rec, id), vec![want], "gap {gap}");
    }
    // A corrected request is not a retry.
    let list = vec![fail, at(ex("GET", &creds, Some("limit=5"), "", 200), 1)];
    let rec = judge(&list, ConsumerRole::Read, &opts());
    assert_eq!(verdicts(&rec, id), vec![Verdict::NotApplicable]);
}

#[test]
fn revalidation_names_an_etag_the_server_sent() {
    let disc = format!("{}/discovery", Profile::clr().base_path);
    let first = answered(ex("GET", &disc, None, "", 200), "etag", "\"a1\"");
    let id = "consumer.discovery.revalidate";
    for (tag, want) in [("\"a1\"", Verdict::Pass), ("\"zz\"", Verdict::Fail)] {
        let mut again = ex("GET", &disc, None, "", 304);
        again.headers.push(("if-none-match".into(), tag.into()));
        let rec = judge(&[first.clone(), again], ConsumerRole::Read, &opts());
        assert_eq!(verdicts(&rec, id), vec![want], "{tag}");
    }
}

#[test]
fn extension_fields_in_payloads_are_flagged() {
    let id = "consumer.no-extension-fields";
    let reg = |body: serde_json::Value| {
        let mut e = ex("POST", REGISTER, None, &body.to_string(), 201);
        e.headers
            .push(("content-type".into(), "application/json".into()));
        e
    };
    let good = serde_json::json!({"client_name": "c", "client_name#fr": "c", "redirect_uris": []});
    let bad = serde_json::json!({"client_name": "c", "x_vendor_flag": true});
    let rec = judge(&[reg(good)], ConsumerRole::Read, &opts());
    assert_eq!(verdicts(&rec, id), vec![Verdict::Pass]);
    let rec = judge(&[reg(bad)], ConsumerRole::Read, &opts());
    assert_eq!(verdicts(&rec, id), vec![Verdict::Fail]);
    let mut tok = ex(
        "POST",
        TOKEN,
        None,
        "grant_type=refresh_token&refresh_token=r&tenant=x",
        200,
    );
    tok.headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    let rec = judge(&[tok], ConsumerRole::Read, &opts());
    assert_eq!(verdicts(&rec, id), vec![Verdict::Fail]);
    assert!(payloads::is_metadata("logo_uri#de-CH"));
    assert!(!payloads::is_metadata("software_id#de"));
}

#[test]
fn accepting_a_certificate_for_another_host_fails() {
    let id = "transport.tls.client-verifies";
    let bad = JudgeOptions {
        bad_certificate: true,
        ..opts()
    };
    let disc = format!("{}/discovery", Profile::clr().base_path);
    let rec = judge(&[ex("GET", &disc, None, "", 200)], ConsumerRole::Read, &bad);
    assert_eq!(verdicts(&rec, id), vec![Verdict::Fail]);
    let rec = judge(&[], ConsumerRole::Read, &bad);
    assert_eq!(verdicts(&rec, id), vec![Verdict::Pass]);
    let rec = judge(
        &[ex("GET", &disc, None, "", 200)],
        ConsumerRole::Read,
        &opts(),
    );
    assert_eq!(verdicts(&rec, id), vec![Verdict::NotApplicable]);
}
