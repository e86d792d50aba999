//! A displayer session: the harness serves test ClrCredentials with a known
//! truth (valid, expired, revoked, tampered, not yet valid; VC 2.0 with
//! eddsa-rdfc-2022 and VC 1.1 with Ed25519Signature2020), their revocation
//! list and issuer key document, and a page where the operator records what
//! the product showed. `judge_answers` compares the answers with the truth.

use super::consumer::End;
use crate::catalog::Profile;
use crate::credential::proof::keys::encode_multikey;
use crate::credential::proof::{attach_proof, sign_data_integrity, sign_ed25519_2020};
use crate::evidence::transcript::{Message, Request, Transcript};
use crate::evidence::{Check, Recorder};
use anyhow::{Context, anyhow};
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

const PAGE: &str = include_str!("displayer_page.html");
const VC_V1: &str = "https://www.w3.org/2018/credentials/v1";
const CLR_ALIAS: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context.json";
const OB_ALIAS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context.json";
const ED2020: &str = "https://w3id.org/security/suites/ed25519-2020/v1";
const LEARNER: &str = "did:example:displayer-learner";
/// `created` of every proof.
const CREATED: &str = "2024-01-15T00:00:00Z";

/// What a record really is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    Valid,
    Expired,
    Revoked,
    /// Changed after signing.
    Tampered,
    /// `validFrom` in the future.
    NotYetValid,
}

/// The VC data model generation of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gen {
    V2,
    V11,
}

/// What the operator says the product showed as the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Valid,
    Expired,
    Revoked,
    Invalid,
    NotShown,
}

impl Shown {
    pub const ALL: [Shown; 5] = [
        Shown::Valid,
        Shown::Expired,
        Shown::Revoked,
        Shown::Invalid,
        Shown::NotShown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Shown::Valid => "valid",
            Shown::Expired => "expired",
            Shown::Revoked => "revoked",
            Shown::Invalid => "invalid",
            Shown::NotShown => "not-shown",
        }
    }

    pub fn parse(s: &str) -> Option<Shown> {
        Shown::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Fields a displayer must show, as the form names them, with their catalog ids.
pub const FIELDS: &[(&str, &str, &str)] = &[
    ("image", "image (baked records)", "displayer.show.image"),
    ("name", "name", "displayer.show.name"),
    ("description", "description", "displayer.show.description"),
    ("issuer-name", "issuer name", "displayer.show.issuer-name"),
    ("issue-date", "issue date", "displayer.show.issue-date"),
    ("status", "status", "displayer.show.status"),
];

/// One served record.
#[derive(Debug, Clone)]
pub struct Record {
    pub slug: &'static str,
    pub generation: Gen,
    pub truth: Truth,
    pub url: String,
    pub doc: Value,
}

/// What the operator answered for one record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answer {
    pub status: Option<Shown>,
    pub shown: Vec<String>,
    pub viewer_verification: bool,
}

/// Answers by record slug.
pub type Answers = BTreeMap<String, Answer>;

struct Spec {
    slug: &'static str,
    generation: Gen,
    truth: Truth,
    from: &'static str,
    until: Option<&'static str>,
}

const SPECS: &[Spec] = &[
    Spec {
        slug: "v2-valid",
        generation: Gen::V2,
        truth: Truth::Valid,
        from: "2024-01-15T00:00:00Z",
        until: Some("2099-01-01T00:00:00Z"),
    },
    Spec {
        slug: "v2-expired",
        generation: Gen::V2,
        truth: Truth::Expired,
        from: "2023-01-15T00:00:00Z",
        until: Some("2024-01-15T00:00:00Z"),
    },
    Spec {
        slug: "v2-revoked",
        generation: Gen::V2,
        truth: Truth::Revoked,
        from: "2024-01-15T00:00:00Z",
        until: Some("2099-01-01T00:00:00Z"),
    },
    Spec {
        slug: "v2-tampered",
        generation: Gen::V2,
        truth: Truth::Tampered,
        from: "2024-01-15T00:00:00Z",
        until: Some("2099-01-01T00:00:00Z"),
    },
    Spec {
        slug: "v2-not-yet-valid",
        generation: Gen::V2,
        truth: Truth::NotYetValid,
        from: "2099-01-01T00:00:00Z",
        until: None,
    },
    Spec {
        slug: "v11-valid",
        generation: Gen::V11,
        truth: Truth::Valid,
        from: "2024-01-15T00:00:00Z",
        until: Some("2099-01-01T00:00:00Z"),
    },
    Spec {
        slug: "v11-expired",
        generation: Gen::V11,
        truth: Truth::Expired,
        from: "2023-01-15T00:00:00Z",
        until: Some("2024-01-15T00:00:00Z"),
    },
    Spec {
        slug: "v11-revoked",
        generation: Gen::V11,
        truth: Truth::Revoked,
        from: "2024-01-15T00:00:00Z",
        until: Some("2099-01-01T00:00:00Z"),
    },
];

/// The fixed TEST ONLY signing key (seed = SHA-256("clr-conformance displayer test key")).
pub fn key() -> SigningKey {
    SigningKey::from_bytes(&Sha256::digest(b"clr-conformance displayer test key").into())
}

pub fn issuer_id(base: &str) -> String {
    format!("{base}/issuers/displayer")
}

pub fn list_url(base: &str) -> String {
    format!("{base}/status/revocation-list")
}

fn method(base: &str) -> String {
    format!(
        "{}#{}",
        issuer_id(base),
        encode_multikey(&key().verifying_key())
    )
}

/// The issuer's key document (controller document with the key as Multikey
/// and as Ed25519VerificationKey2020).
pub fn key_document(base: &str) -> Value {
    let vm = method(base);
    let mk = encode_multikey(&key().verifying_key());
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": issuer_id(base),
        "type": ["Profile"],
        "name": "Conformance Displayer Test Issuer",
        "verificationMethod": [{
            "id": vm, "type": "Multikey", "controller": issuer_id(base), "publicKeyMultibase": mk
        }],
        "assertionMethod": [vm]
    })
}

/// The revocation list: every record whose truth is `Revoked`.
pub fn revocation_list(base: &str, records: &[Record]) -> Value {
    let revoked: Vec<Value> = records
        .iter()
        .filter(|r| r.truth == Truth::Revoked)
        .map(|r| json!({"id": r.url, "revoked": true, "revocationReason": "revoked for the displayer test"}))
        .collect();
    json!({ "id": list_url(base), "issuer": issuer_id(base), "revokedCredentials": revoked })
}

fn label(t: Truth) -> &'static str {
    match t {
        Truth::Valid => "valid",
        Truth::Expired => "expired, not revoked",
        Truth::Revoked => "revoked, not expired",
        Truth::Tampered => "altered after signing",
        Truth::NotYetValid => "not yet valid",
    }
}

fn issuer(base: &str) -> Value {
    json!({"id": issuer_id(base), "type": ["Profile"], "name": "Conformance Displayer Test Issuer"})
}

fn sign(doc: Value, generation: Gen, base: &str) -> anyhow::Result<Value> {
    let proof = match generation {
        Gen::V2 => sign_data_integrity(&doc, &key(), &method(base), CREATED, "eddsa-rdfc-2022"),
        Gen::V11 => sign_ed25519_2020(&doc, &key(), &method(base), CREATED),
    }
    .map_err(|e| anyhow!("{e}: cannot sign a displayer record"))?;
    Ok(attach_proof(&doc, proof))
}

/// Rename `validFrom`/`validUntil` to the VC 1.1 names and drop the schema.
fn to_v11(doc: &mut Value) {
    if let Value::Object(m) = doc {
        if let Some(v) = m.remove("validFrom") {
            m.insert("issuanceDate".into(), v);
        }
        if let Some(v) = m.remove("validUntil") {
            m.insert("expirationDate".into(), v);
        }
        m.remove("credentialSchema");
    }
}

fn nested(p: &Profile, base: &str, s: &Spec) -> anyhow::Result<Value> {
    let url = format!("{base}/records/{}/achievement", s.slug);
    let ctx = match s.generation {
        Gen::V2 => json!([p.contexts.vc_v2, p.contexts.ob]),
        Gen::V11 => json!([VC_V1, OB_ALIAS, ED2020]),
    };
    let mut doc = json!({
        "@context": ctx,
        "id": url,
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": issuer(base),
        "name": "Displayer Test Course",
        "description": "A course completed for the displayer test.",
        "validFrom": s.from,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": LEARNER,
            "achievement": {
                "id": format!("{base}/achievements/displayer-course"),
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": "Displayer Test Course",
                "description": "A course completed for the displayer test.",
                "criteria": {"narrative": "Complete the displayer test."}
            }
        },
        "credentialSchema": [{"id": p.schemas.achievement_credential, "type": "1EdTechJsonSchemaValidator2019"}]
    });
    if s.generation == Gen::V11 {
        to_v11(&mut doc);
    }
    sign(doc, s.generation, base)
}

fn record(p: &Profile, base: &str, s: &Spec) -> anyhow::Result<Record> {
    let url = format!("{base}/records/{}", s.slug);
    let ctx = match s.generation {
        Gen::V2 => json!([p.contexts.vc_v2, p.contexts.primary, p.contexts.ob]),
        Gen::V11 => json!([VC_V1, CLR_ALIAS, OB_ALIAS, ED2020]),
    };
    let mut doc = json!({
        "@context": ctx,
        "id": url,
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer(base),
        "name": format!("Displayer Test Record ({})", s.slug),
        "description": format!("A test record that is {}.", label(s.truth)),
        "validFrom": s.from,
        "credentialSubject": {
            "type": ["ClrSubject"],
            "id": LEARNER,
            "verifiableCredential": [nested(p, base, s)?]
        },
        "credentialSchema": [{"id": p.schemas.credential, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": {"id": list_url(base), "type": "1EdTechRevocationList"}
    });
    if let Some(u) = s.until {
        doc["validUntil"] = json!(u);
    }
    if s.generation == Gen::V11 {
        to_v11(&mut doc);
    }
    let mut doc = sign(doc, s.generation, base)?;
    if s.truth == Truth::Tampered {
        doc["name"] = json!("Displayer Test Record (altered after signing)");
    }
    Ok(Record {
        slug: s.slug,
        generation: s.generation,
        truth: s.truth,
        url,
        doc,
    })
}

/// Build and sign every record for `base` (slow: run it off the async threads).
pub fn records(base: &str) -> anyhow::Result<Vec<Record>> {
    let p = Profile::clr();
    SPECS.iter().map(|s| record(p, base, s)).collect()
}

/// Escape text for HTML content and attributes.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A small self-contained HTML page.
pub fn plain_page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:40em;margin:2em auto}}</style></head>\
         <body>\n<h1>{t}</h1>\n{body}\n</body></html>\n",
        t = escape(title)
    )
}

/// The operator's form, one fieldset per record.
pub fn page(base: &str, records: &[Record]) -> String {
    let mut rows = String::new();
    for r in records {
        let gen_name = match r.generation {
            Gen::V2 => "VC 2.0, eddsa-rdfc-2022",
            Gen::V11 => "VC 1.1, Ed25519Signature2020",
        };
        rows.push_str(&format!(
            "<fieldset id=\"rec-{s}\"><legend>{s} ({g})</legend>\n<p>URL: <code>{u}</code></p>\n<p>Status shown: ",
            s = escape(r.slug),
            g = gen_name,
            u = escape(&r.url)
        ));
        for st in Shown::ALL {
            rows.push_str(&format!(
                "<label><input type=\"radio\" name=\"status.{s}\" value=\"{v}\"> {v}</label>",
                s = escape(r.slug),
                v = st.as_str()
            ));
        }
        rows.push_str("</p>\n<p>Fields displayed: ");
        for (f, text, _) in FIELDS {
            rows.push_str(&format!(
                "<label><input type=\"checkbox\" name=\"shown.{s}\" value=\"{f}\"> {text}</label>",
                s = escape(r.slug)
            ));
        }
        rows.push_str(&format!(
            "</p>\n<p><label><input type=\"checkbox\" name=\"verify.{s}\" value=\"yes\"> a viewer could start verification</label></p>\n</fieldset>\n",
            s = escape(r.slug)
        ));
    }
    PAGE.replace("{{LIST}}", &escape(&list_url(base)))
        .replace("{{ROWS}}", &rows)
}

/// Parse the submitted form.
pub fn parse_answers(body: &str) -> Answers {
    let mut out = Answers::new();
    for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
        let Some((what, slug)) = k.split_once('.') else {
            continue;
        };
        let a = out.entry(slug.to_string()).or_default();
        match what {
            "status" => a.status = Shown::parse(&v),
            "shown" => {
                if FIELDS.iter().any(|(f, _, _)| *f == v) && !a.shown.iter().any(|x| *x == v) {
                    a.shown.push(v.into_owned());
                }
            }
            "verify" => a.viewer_verification = true,
            _ => {}
        }
    }
    out
}

/// A fetch of a served document, kept as evidence.
#[derive(Debug, Clone)]
pub struct Fetch {
    pub timestamp: String,
    pub path: String,
    pub user_agent: String,
}

struct DState {
    base: String,
    records: Vec<Record>,
    page: String,
    list: Value,
    key_doc: Value,
    answers: Mutex<Option<Answers>>,
    fetches: Mutex<Vec<Fetch>>,
    ended: watch::Sender<bool>,
}

/// A running displayer session.
pub struct DisplayerSession {
    state: Arc<DState>,
    task: tokio::task::JoinHandle<()>,
}

impl DisplayerSession {
    /// Sign the records and start serving on `bind` (plain HTTP).
    pub async fn start(bind: SocketAddr) -> anyhow::Result<DisplayerSession> {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("{bind}: cannot bind"))?;
        let local = listener.local_addr()?;
        let host = if local.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else if local.is_ipv6() {
            format!("[{}]", local.ip())
        } else {
            local.ip().to_string()
        };
        let base = format!("http://{host}:{}", local.port());
        let b = base.clone();
        let records = tokio::task::spawn_blocking(move || records(&b)).await??;
        let (ended, _) = watch::channel(false);
        let state = Arc::new(DState {
            page: page(&base, &records),
            list: revocation_list(&base, &records),
            key_doc: key_document(&base),
            base,
            records,
            answers: Mutex::new(None),
            fetches: Mutex::new(Vec::new()),
            ended,
        });
        let app = Router::new()
            .route("/judge/displayer", get(show_page))
            .route("/judge/displayer/answers", post(take_answers))
            .route("/judge/finish", get(finish_now).post(finish_now))
            .route("/records/{slug}", get(serve_record))
            .route("/records/{slug}/achievement", get(serve_nested))
            .route("/status/revocation-list", get(serve_list))
            .route("/issuers/displayer", get(serve_key))
            .with_state(state.clone());
        let mut stop = state.ended.subscribe();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|v| *v).await;
                    // Let the answer page reach the browser.
                    tokio::time::sleep(Duration::from_millis(300)).await;
                })
                .await;
        });
        Ok(DisplayerSession { state, task })
    }

    pub fn base_url(&self) -> &str {
        &self.state.base
    }

    /// The operator's page.
    pub fn page_url(&self) -> String {
        format!("{}/judge/displayer", self.state.base)
    }

    pub fn records(&self) -> &[Record] {
        &self.state.records
    }

    /// Ends the session from elsewhere (e.g. Enter on the terminal).
    pub fn finisher(&self) -> impl Fn() + Send + Sync + 'static {
        let s = self.state.clone();
        move || {
            s.ended.send_replace(true);
        }
    }

    /// Wait for the submitted answers, the operator ending it, or `timeout`.
    pub async fn wait(&self, timeout: Duration) -> End {
        let mut ended = self.state.ended.subscribe();
        match tokio::time::timeout(timeout, ended.wait_for(|v| *v)).await {
            Ok(_) if self.answers().is_some() => End::Done,
            Ok(_) => End::Operator,
            Err(_) => End::Timeout,
        }
    }

    pub fn answers(&self) -> Option<Answers> {
        lock(&self.state.answers).clone()
    }

    pub fn fetches(&self) -> Vec<Fetch> {
        lock(&self.state.fetches).clone()
    }

    /// Stop serving; returns the answers (if submitted) and the fetch log.
    pub async fn finish(self) -> (Option<Answers>, Vec<Fetch>) {
        self.state.ended.send_replace(true);
        let out = (self.answers(), self.fetches());
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
        out
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn log(s: &DState, path: &str, h: &HeaderMap) {
    lock(&s.fetches).push(Fetch {
        timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        path: path.to_string(),
        user_agent: h
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
    });
}

fn json_response(v: &Value) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        serde_json::to_string_pretty(v).unwrap_or_default(),
    )
        .into_response()
}

async fn show_page(State(s): State<Arc<DState>>, RawQuery(_q): RawQuery) -> Html<String> {
    Html(s.page.clone())
}

async fn take_answers(State(s): State<Arc<DState>>, body: String) -> Html<String> {
    *lock(&s.answers) = Some(parse_answers(&body));
    s.ended.send_replace(true);
    Html(plain_page(
        "Answers received",
        "<p id=\"done\">Thank you. The session is over; the report is being written.</p>",
    ))
}

async fn finish_now(State(s): State<Arc<DState>>) -> Html<String> {
    s.ended.send_replace(true);
    Html(plain_page(
        "Session ended",
        "<p>The session ended without answers.</p>",
    ))
}

fn find<'a>(s: &'a DState, slug: &str) -> Option<&'a Record> {
    let slug = slug.strip_suffix(".json").unwrap_or(slug);
    s.records.iter().find(|r| r.slug == slug)
}

async fn serve_record(
    State(s): State<Arc<DState>>,
    Path(slug): Path<String>,
    h: HeaderMap,
) -> Response {
    log(&s, &format!("/records/{slug}"), &h);
    match find(&s, &slug) {
        Some(r) => json_response(&r.doc),
        None => (StatusCode::NOT_FOUND, format!("{slug}: no such record")).into_response(),
    }
}

async fn serve_nested(
    State(s): State<Arc<DState>>,
    Path(slug): Path<String>,
    h: HeaderMap,
) -> Response {
    log(&s, &format!("/records/{slug}/achievement"), &h);
    match find(&s, &slug).and_then(|r| r.doc.pointer("/credentialSubject/verifiableCredential/0")) {
        Some(v) => json_response(v),
        None => (StatusCode::NOT_FOUND, format!("{slug}: no such record")).into_response(),
    }
}

async fn serve_list(State(s): State<Arc<DState>>, h: HeaderMap) -> Response {
    log(&s, "/status/revocation-list", &h);
    json_response(&s.list)
}

async fn serve_key(State(s): State<Arc<DState>>, h: HeaderMap) -> Response {
    log(&s, "/issuers/displayer", &h);
    json_response(&s.key_doc)
}

/// The status answer that is right for `truth`.
fn correct(truth: Truth, shown: Option<Shown>) -> bool {
    match (truth, shown) {
        (Truth::Valid, Some(Shown::Valid)) => true,
        (Truth::Expired, Some(Shown::Expired)) => true,
        (Truth::Revoked, Some(Shown::Revoked)) => true,
        (Truth::Tampered, Some(Shown::Invalid)) => true,
        (Truth::NotYetValid, Some(s)) => s != Shown::Valid && s != Shown::NotShown,
        _ => false,
    }
}

fn expected(truth: Truth) -> &'static str {
    match truth {
        Truth::Valid => "valid",
        Truth::Expired => "expired",
        Truth::Revoked => "revoked",
        Truth::Tampered => "invalid",
        Truth::NotYetValid => "anything but valid",
    }
}

/// Which status requirement a record evidences.
fn status_id(r: &Record) -> &'static str {
    match (r.generation, r.truth) {
        (Gen::V11, _) => "displayer.verify.vc11",
        (_, Truth::Valid) => "displayer.verify.valid",
        (_, Truth::Expired) => "displayer.verify.expired",
        (_, Truth::Revoked) => "displayer.verify.revoked",
        (_, Truth::Tampered) => "displayer.verify.tampered",
        (_, Truth::NotYetValid) => "displayer.verify.not-yet-valid",
    }
}

const IDS: &[&str] = &[
    "displayer.input.url",
    "displayer.verify.valid",
    "displayer.verify.expired",
    "displayer.verify.revoked",
    "displayer.verify.vc11",
    "displayer.verify.tampered",
    "displayer.verify.not-yet-valid",
    "displayer.proof.eddsa-rdfc-2022",
    "displayer.viewer-verification",
    "displayer.show.image",
    "displayer.show.name",
    "displayer.show.description",
    "displayer.show.issuer-name",
    "displayer.show.issue-date",
    "displayer.show.status",
];

/// Compare the operator's answers with the truth.
pub fn judge_answers(records: &[Record], answers: Option<&Answers>, fetches: &[Fetch]) -> Recorder {
    let mut rec = Recorder::new();
    for f in fetches {
        rec.transcript(Transcript {
            id: String::new(),
            label: format!("the product fetched {} at {}", f.path, f.timestamp),
            request: Request {
                method: "GET".into(),
                url: f.path.clone(),
                message: Message {
                    headers: vec![("user-agent".into(), f.user_agent.clone())],
                    body: None,
                    truncated: false,
                },
            },
            response: None,
            error: None,
        });
    }
    let mut c = Check::new("displayer answers", IDS);
    let Some(answers) = answers else {
        for id in IDS {
            if id.starts_with("displayer.show.") || *id == "displayer.viewer-verification" {
                c.skip(id, "the operator never submitted the answers form");
            } else {
                c.fail(id, "the operator never submitted the answers form: no status was reported");
            }
        }
        rec.finish(c);
        return rec;
    };
    let none = Answer::default();
    for r in records {
        let a = answers.get(r.slug).unwrap_or(&none);
        c.subject(r.url.clone());
        let shown = a.status.map(Shown::as_str).unwrap_or("(no answer)");
        c.ensure(
            "displayer.input.url",
            a.status.is_some_and(|s| s != Shown::NotShown),
            format!("{}: loaded by URL, status reported: {shown}", r.slug),
        );
        let ok = correct(r.truth, a.status);
        c.ensure(
            status_id(r),
            ok,
            format!("{} is {}; the product showed {shown}", r.slug, label(r.truth)),
        )
        .expected(expected(r.truth))
        .actual(shown);
        if r.generation == Gen::V2 && r.truth == Truth::Valid {
            c.ensure(
                "displayer.proof.eddsa-rdfc-2022",
                ok,
                format!("{} (eddsa-rdfc-2022) showed {shown}", r.slug),
            );
        }
        c.ensure(
            "displayer.viewer-verification",
            a.viewer_verification,
            format!(
                "{}: viewer-initiated verification {}",
                r.slug,
                if a.viewer_verification { "available" } else { "not available" }
            ),
        );
        for (field, text, id) in FIELDS {
            if *field == "image" {
                continue;
            }
            let has = a.shown.iter().any(|x| x == field);
            c.ensure(
                id,
                has,
                format!(
                    "{}: {text} {}",
                    r.slug,
                    if has { "displayed" } else { "not displayed" }
                ),
            );
        }
    }
    c.not_applicable(
        "displayer.show.image",
        "no baked record is served in this session",
    );
    rec.finish(c);
    rec
}

#[cfg(test)]
mod tests;
