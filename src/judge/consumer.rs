//! A consumer session: the reference provider runs with recording on, the
//! product does its flow against it, and the session ends when the flow is
//! done, the operator says so (terminal or the finish page) or time runs out.
//! `judge` then reads the recording; it needs no network and no waiting.

use super::{consumer_checks, exchange};
use crate::catalog::{Profile, Role};
use crate::evidence::Recorder;
use crate::provider::{
    self, FaultId, ProviderConfig, RecordedExchange, RunningProvider, TestUser, TlsMode,
};
use anyhow::Context;
use axum::Router;
use axum::response::Html;
use axum::routing::any;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Which consumer role is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsumerRole {
    Read,
    Write,
}

impl ConsumerRole {
    pub fn role(self) -> Role {
        match self {
            ConsumerRole::Read => Role::ServiceConsumerRead,
            ConsumerRole::Write => Role::ServiceConsumerWrite,
        }
    }

    /// Catalog id prefixes the judgement evidences.
    pub fn scope(self) -> &'static [&'static str] {
        match self {
            ConsumerRole::Read => &[
                "consumer",
                "oauth.registration.request",
                "oauth.refresh.client-request",
                "oauth.revoke.client-request",
                "transport.tls.client",
            ],
            ConsumerRole::Write => &[
                "consumer",
                "oauth.registration.request",
                "oauth.refresh.client-request",
                "oauth.revoke.client-request",
                "transport.tls.client",
                "data",
            ],
        }
    }

    /// What the product must do, for the operator.
    pub fn task(self) -> &'static str {
        match self {
            ConsumerRole::Read => {
                "discover, register, authorize (log in as the test user), get a token, then call getCredentials and getProfile"
            }
            ConsumerRole::Write => {
                "discover, register, authorize (log in as the test user), get a token, then upsert a signed ClrCredential issued to conformance@imsglobal.org (and optionally putProfile)"
            }
        }
    }
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The recording shows the role's flow complete.
    Done,
    /// The operator ended it (terminal or finish page).
    Operator,
    /// The timeout passed.
    Timeout,
}

impl End {
    pub fn describe(self) -> &'static str {
        match self {
            End::Done => "the product completed its flow",
            End::Operator => "the operator ended the session",
            End::Timeout => "the session timed out",
        }
    }
}

/// Everything `Session::start` needs.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub role: ConsumerRole,
    pub profile: &'static Profile,
    pub bind: SocketAddr,
    pub plain_http: bool,
    /// Once the role's flow is complete, how long the product must stay
    /// quiet before the session ends by itself.
    pub grace: Duration,
    /// Provider faults, e.g. a lenient provider (`accept-missing-pkce`) so a
    /// faulty consumer's flow goes on past the step it breaks (tests).
    pub faults: Vec<provider::Fault>,
    /// A certification run: the rows "only in a certification run" apply.
    pub certification: bool,
}

impl SessionConfig {
    pub fn new(role: ConsumerRole, profile: &'static Profile) -> SessionConfig {
        SessionConfig {
            role,
            profile,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            plain_http: false,
            grace: Duration::from_secs(10),
            faults: Vec::new(),
            certification: false,
        }
    }
}

/// A running session: the recording provider and the finish page.
pub struct Session {
    cfg: SessionConfig,
    provider: RunningProvider,
    finish_url: String,
    ended: Arc<watch::Sender<bool>>,
    control: tokio::task::JoinHandle<()>,
}

/// What a finished session hands to `judge`.
#[derive(Debug, Clone)]
pub struct Finished {
    pub recording: Vec<RecordedExchange>,
    pub options: JudgeOptions,
}

/// What `judge` needs besides the recording.
#[derive(Debug, Clone)]
pub struct JudgeOptions {
    pub profile: &'static Profile,
    /// The provider's base URL (transcripts show absolute URLs).
    pub base_url: String,
    /// Seeded users: their passwords and e-mails are redacted.
    pub users: Vec<TestUser>,
    pub end: End,
    /// The provider presented a certificate for another host (fault
    /// `tls-wrong-hostname`): any recorded exchange means the client accepted it.
    pub bad_certificate: bool,
    /// A certification run (`judge consumer-write --certification`).
    pub certification: bool,
}

impl Session {
    /// Start the recording provider and the finish page.
    pub async fn start(cfg: SessionConfig) -> anyhow::Result<Session> {
        let mut pc = ProviderConfig::new(cfg.profile);
        pc.bind = cfg.bind;
        pc.record = true;
        pc.faults = cfg.faults.clone();
        if cfg.plain_http {
            pc.tls = TlsMode::PlainHttp;
        }
        let provider = provider::start(pc).await?;
        let (tx, _) = watch::channel(false);
        let ended = Arc::new(tx);
        let ctl_bind = SocketAddr::new(cfg.bind.ip(), 0);
        let listener = tokio::net::TcpListener::bind(ctl_bind)
            .await
            .with_context(|| format!("{ctl_bind}: cannot bind the finish page"))?;
        let local = listener.local_addr()?;
        let host = crate::provider::server::url_host(local);
        let finish_url = format!("http://{host}:{}/judge/finish", local.port());
        let e1 = ended.clone();
        let app = Router::new()
            .route(
                "/judge/finish",
                any(move || {
                    let e = e1.clone();
                    async move {
                        e.send_replace(true);
                        Html(crate::judge::displayer::plain_page(
                            "Session ended",
                            "<p>The session is over; the report is being written.</p>",
                        ))
                    }
                }),
            )
            .route(
                "/judge",
                any(|| async {
                    Html(crate::judge::displayer::plain_page(
                        "Consumer session",
                        "<form method=\"post\" action=\"/judge/finish\"><p>Press when the product has finished its flow.</p><button type=\"submit\">Finish</button></form>",
                    ))
                }),
            );
        let mut stop = ended.subscribe();
        let control = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|v| *v).await;
                })
                .await;
        });
        Ok(Session {
            cfg,
            provider,
            finish_url,
            ended,
            control,
        })
    }

    pub fn provider(&self) -> &RunningProvider {
        &self.provider
    }

    /// The page (GET shows a button, GET/POST ends the session).
    pub fn finish_url(&self) -> &str {
        &self.finish_url
    }

    /// Ends the session from elsewhere (e.g. Enter on the terminal).
    pub fn finisher(&self) -> impl Fn() + Send + Sync + 'static {
        let e = self.ended.clone();
        move || {
            e.send_replace(true);
        }
    }

    /// Whether the recording so far shows the role's flow complete.
    pub fn done(&self, grace: Duration) -> bool {
        flow_done(
            &self.provider.recording(),
            self.cfg.role,
            self.provider.profile(),
            grace,
        )
    }

    /// Wait until the flow is done, the operator ends the session, or `timeout`.
    pub async fn wait(&self, timeout: Duration) -> End {
        let started = Instant::now();
        let mut ended = self.ended.subscribe();
        loop {
            if *ended.borrow() {
                return End::Operator;
            }
            if self.done(self.cfg.grace) {
                return End::Done;
            }
            let left = timeout.saturating_sub(started.elapsed());
            if left.is_zero() {
                return End::Timeout;
            }
            let tick = left.min(Duration::from_millis(500));
            let _ = tokio::time::timeout(tick, ended.changed()).await;
        }
    }

    /// Stop serving and hand back the recording.
    pub async fn finish(self, end: End) -> Finished {
        self.ended.send_replace(true);
        let recording = self.provider.recording();
        let options = JudgeOptions {
            profile: self.provider.profile(),
            base_url: self.provider.base_url().to_string(),
            users: self.provider.users().to_vec(),
            end,
            bad_certificate: self
                .cfg
                .faults
                .iter()
                .any(|f| f.is(FaultId::TlsWrongHostname)),
            certification: self.cfg.certification,
        };
        self.provider.shutdown().await;
        let _ = tokio::time::timeout(Duration::from_secs(5), self.control).await;
        Finished { recording, options }
    }
}

/// Whether `list` shows the role's flow complete (read: getCredentials and
/// getProfile answered 2xx; write: an upsert answered 2xx) and the product
/// has then been quiet for `grace` (room for paging, putProfile, refresh,
/// revocation).
pub fn flow_done(
    list: &[RecordedExchange],
    role: ConsumerRole,
    profile: &Profile,
    grace: Duration,
) -> bool {
    let api = |e: &RecordedExchange, method: &str, tail: &str| {
        e.method == method && e.path == format!("{}/{tail}", profile.base_path) && exchange::ok(e)
    };
    let complete = match role {
        ConsumerRole::Read => {
            list.iter().any(|e| api(e, "GET", "credentials"))
                && list.iter().any(|e| api(e, "GET", "profile"))
        }
        ConsumerRole::Write => list.iter().any(|e| api(e, "POST", "credentials")),
    };
    let last = list.last().map(|e| e.timestamp.as_str()).unwrap_or("");
    complete
        && chrono::DateTime::parse_from_rfc3339(last).is_ok_and(|t| {
            let quiet = chrono::Utc::now().signed_duration_since(t);
            quiet.to_std().unwrap_or_default() >= grace
        })
}

/// Judge a recording for `role`: every check, with redacted transcripts.
pub fn judge(recording: &[RecordedExchange], role: ConsumerRole, opts: &JudgeOptions) -> Recorder {
    let mut rec = Recorder::new();
    let red = exchange::collect_secrets(recording, &opts.users);
    let tx = exchange::transcripts(recording, &opts.base_url, &red, &mut rec);
    rec.note(format!(
        "{} ({} exchanges recorded)",
        opts.end.describe(),
        recording.len()
    ));
    let tls = opts.base_url.starts_with("https://");
    let shared = red.clone();
    let mut ctx = consumer_checks::Ctx::new(recording, tx, role, opts.profile, red, tls);
    ctx.certification = opts.certification;
    ctx.bad_certificate = opts.bad_certificate;
    consumer_checks::run(&mut ctx, &mut rec);
    rec.redact(&shared);
    rec
}
