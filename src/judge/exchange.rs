//! Reading recorded exchanges: headers, query and form parameters, JSON
//! bodies, and turning them into redacted transcripts for the report.

use crate::evidence::transcript::{self, Message, Request, Response, Transcript};
use crate::evidence::{Recorder, Redactor};
use crate::provider::{RecordedExchange, TestUser};
use serde_json::Value;

/// The first value of header `name` (case-insensitive).
pub fn header<'a>(e: &'a RecordedExchange, name: &str) -> Option<&'a str> {
    find(&e.headers, name)
}

/// The first value of response header `name`.
pub fn response_header<'a>(e: &'a RecordedExchange, name: &str) -> Option<&'a str> {
    find(&e.response_headers, name)
}

fn find<'a>(list: &'a [(String, String)], name: &str) -> Option<&'a str> {
    list.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Decoded query parameters, in order.
pub fn query(e: &RecordedExchange) -> Vec<(String, String)> {
    decode(e.query.as_deref().unwrap_or(""))
}

/// Decoded form parameters of the request body, in order.
pub fn form(e: &RecordedExchange) -> Vec<(String, String)> {
    decode(&e.body)
}

fn decode(s: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(s.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first value of parameter `k`.
pub fn param<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

/// How many times parameter `k` occurs.
pub fn count(pairs: &[(String, String)], k: &str) -> usize {
    pairs.iter().filter(|(n, _)| n == k).count()
}

/// The request body as JSON, when it is.
pub fn json_body(e: &RecordedExchange) -> Option<Value> {
    serde_json::from_str(&e.body).ok()
}

/// The response body as JSON, when it is.
pub fn json_response(e: &RecordedExchange) -> Option<Value> {
    serde_json::from_str(&e.response_body).ok()
}

/// Whether the response status is 2xx.
pub fn ok(e: &RecordedExchange) -> bool {
    (200..300).contains(&e.status)
}

/// The redactor the judged recording goes through before it reaches a report.
pub type Secrets = Redactor;

/// Every secret the recording holds (tokens, codes, verifiers, client
/// secrets, passwords, the learner e-mail).
pub fn collect_secrets(list: &[RecordedExchange], users: &[TestUser]) -> Secrets {
    let red = Secrets::new();
    let mut found: Vec<(String, &'static str)> = Vec::new();
    collect(list, users, &mut found);
    for (v, kind) in found {
        red.add(&v, kind);
    }
    red
}

fn collect(list: &[RecordedExchange], users: &[TestUser], red: &mut Vec<(String, &'static str)>) {
    let mut add = |v: &str, kind: &'static str| red.push((v.to_string(), kind));
    for u in users {
        add(&u.password, "password");
        add(&u.email, "learner-email");
    }
    for e in list {
        for (k, v) in form(e).into_iter().chain(query(e)) {
            match k.as_str() {
                "code" => add(&v, "code"),
                "code_verifier" => add(&v, "code-verifier"),
                "password" => add(&v, "password"),
                "refresh_token" => add(&v, "refresh-token"),
                "access_token" => add(&v, "access-token"),
                "token" | "client_secret" => add(&v, "secret"),
                _ => {}
            }
        }
        if let Some(loc) = response_header(e, "location")
            && let Ok(u) = url::Url::parse(loc)
        {
            for (k, v) in u.query_pairs() {
                if k == "code" {
                    add(&v, "code");
                }
            }
        }
        for h in ["authorization", "cookie"] {
            if let Some(v) = header(e, h)
                && let Some((_, cred)) = v.split_once(' ')
            {
                add(cred.trim(), "credential");
            }
        }
        if let Some(Value::Object(m)) = json_response(e) {
            for (k, kind) in [
                ("access_token", "access-token"),
                ("refresh_token", "refresh-token"),
                ("client_secret", "client-secret"),
                ("registration_access_token", "secret"),
                ("id_token", "secret"),
            ] {
                if let Some(v) = m.get(k).and_then(Value::as_str) {
                    add(v, kind);
                }
            }
        } else {
            // Cut at the recording cap (or broken): secret members lexically.
            for (k, r) in crate::evidence::redact::secret_members(&e.response_body) {
                add(&e.response_body[r], k);
            }
        }
    }
}

/// Add every exchange to `rec` as a redacted transcript; returns the ids by index.
pub fn transcripts(
    list: &[RecordedExchange],
    base_url: &str,
    red: &Secrets,
    rec: &mut Recorder,
) -> Vec<String> {
    list.iter()
        .map(|e| {
            let (body, cut) = transcript::capture_body_upto(e.body.as_bytes(), usize::MAX);
            let (rbody, rcut) =
                transcript::capture_body_upto(e.response_body.as_bytes(), usize::MAX);
            let url = match &e.query {
                Some(q) => format!("{base_url}{}?{q}", e.path),
                None => format!("{base_url}{}", e.path),
            };
            let mut t = Transcript {
                id: String::new(),
                label: format!("recorded at {}: {} {}", e.timestamp, e.method, e.path),
                request: Request {
                    method: e.method.clone(),
                    url,
                    message: Message {
                        headers: e.headers.clone(),
                        body,
                        truncated: cut,
                    },
                },
                response: Some(Response {
                    status: e.status,
                    message: Message {
                        headers: e.response_headers.clone(),
                        body: rbody,
                        truncated: rcut,
                    },
                    elapsed_ms: 0,
                }),
                error: None,
            };
            red.transcript(&mut t);
            rec.transcript(t)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(path: &str, query: Option<&str>, body: &str, resp: &str) -> RecordedExchange {
        RecordedExchange {
            timestamp: "2026-01-01T00:00:00Z".into(),
            method: "POST".into(),
            path: path.into(),
            query: query.map(str::to_string),
            headers: vec![("Authorization".into(), "Bearer tok-abcdef".into())],
            body: body.into(),
            status: 200,
            response_headers: vec![],
            response_body: resp.into(),
        }
    }

    #[test]
    fn secrets_never_reach_transcripts() {
        let list = vec![
            ex(
                "/oauth/token",
                None,
                "grant_type=authorization_code&code=code-1234&code_verifier=verifier-5678",
                r#"{"access_token":"tok-abcdef","refresh_token":"ref-9999"}"#,
            ),
            ex(
                "/ims/clr/v2p0/credentials",
                Some("access_token=tok-abcdef"),
                r#"{"note":"ref-9999 and learner@example.edu"}"#,
                "",
            ),
        ];
        let users = vec![TestUser {
            username: "learner".into(),
            password: "pw-secret-1".into(),
            email: "learner@example.edu".into(),
        }];
        let red = collect_secrets(&list, &users);
        let mut rec = Recorder::new();
        let ids = transcripts(&list, "https://127.0.0.1:1", &red, &mut rec);
        assert_eq!(ids, vec!["tx-0001", "tx-0002"]);
        let all = serde_json::to_string(rec.transcripts()).unwrap();
        for secret in [
            "tok-abcdef",
            "ref-9999",
            "code-1234",
            "verifier-5678",
            "learner@example.edu",
        ] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
    }
}
