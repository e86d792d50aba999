//! A displayer session: the harness serves test ClrCredentials with a known
//! truth (valid, expired, revoked, tampered, not yet valid; VC 2.0 with
//! eddsa-rdfc-2022, one as an RS256 VC-JWT, and VC 1.1 with
//! Ed25519Signature2020), their revocation
//! list and issuer key document, and a page where the operator records what
//! the product showed. `judge_answers` compares the answers with the truth.

pub mod records;
mod verdict;

pub use records::{
    Gen, Record, Truth, issuer_id, key, key_document, list_url, records, revocation_list,
};
pub use verdict::{judge_answers, registered_checks};

use super::consumer::End;
use anyhow::Context;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

const PAGE: &str = include_str!("displayer_page.html");

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

/// What the operator answered for one record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answer {
    pub status: Option<Shown>,
    pub shown: Vec<String>,
    pub viewer_verification: bool,
}

/// Answers by record slug.
pub type Answers = BTreeMap<String, Answer>;

/// Escape text for HTML content and attributes.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{22}', "&quot;")
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

/// The record's real format, as the page names it (a VC-JWT record is no eddsa proof).
pub fn record_format(r: &Record) -> &'static str {
    match (r.generation, r.jwt.is_some()) {
        (Gen::V2, true) => "VC 2.0, VC-JWT RS256",
        (Gen::V2, false) => "VC 2.0, eddsa-rdfc-2022",
        (Gen::V11, true) => "VC 1.1, VC-JWT RS256",
        (Gen::V11, false) => "VC 1.1, Ed25519Signature2020",
    }
}

/// The operator's form, one fieldset per record.
pub fn page(base: &str, records: &[Record]) -> String {
    let mut rows = String::new();
    for r in records {
        let gen_name = record_format(r);
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
            "shown"
                if FIELDS.iter().any(|(f, _, _)| *f == v) && !a.shown.iter().any(|x| *x == v) =>
            {
                a.shown.push(v.into_owned());
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
    /// Sign the records and start serving on `bind` (plain HTTP). Record ids
    /// and URLs use `public` (e.g. `https://judge.example.org` behind a proxy)
    /// when given, else the bound address.
    pub async fn start(bind: SocketAddr, public: Option<&str>) -> anyhow::Result<DisplayerSession> {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("{bind}: cannot bind"))?;
        let local = listener.local_addr()?;
        let host = crate::provider::server::url_host(local);
        let base = match public {
            Some(p) => p.trim_end_matches('/').to_string(),
            None => format!("http://{host}:{}", local.port()),
        };
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

async fn show_page(State(s): State<Arc<DState>>) -> Html<String> {
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
        Some(r) => match &r.jwt {
            Some(t) => ([(header::CONTENT_TYPE, "text/plain")], t.clone()).into_response(),
            None => json_response(&r.doc),
        },
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

#[cfg(test)]
mod tests;
