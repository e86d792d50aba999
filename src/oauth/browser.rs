//! The `browser` login strategy: headless Chromium, driven over WebDriver
//! (chromedriver, via `fantoccini`), runs a short declarative step list
//! from the target config, in the manner of the OpenID conformance suite's
//! browser steps: go to the authorization URL, fill selectors from
//! environment variables, click, and wait until the browser reaches the
//! redirect URI, whose `code` and `state` are kept. Nothing listens on the
//! redirect URI: the page fails to load, its URL is all that is read.
//!
//! Each login gets a fresh browser profile (no cookies carried over), so
//! repeated logins and narrow scopes run with no person. A secret is typed
//! only into a page whose URL the `OriginPolicy` allows.

use super::authorize::{AuthRequest, AuthResult, Walk, parse_redirect};
use super::origin::OriginPolicy;
use crate::evidence::Redactor;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Debian's Chromium (`.ci/install-chromium.sh` installs it with chromedriver).
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Flags that make Chromium quiet, offline-friendly and headless.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];

/// One step of `login.steps` (exactly one of goto / fill / click / wait_for).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// `"authorize"` (the authorization request) or an https URL.
    pub goto: Option<String>,
    /// CSS selector of an input to fill.
    pub fill: Option<String>,
    /// With `fill`: the environment variable holding the value (a secret).
    pub env: Option<String>,
    /// With `fill`: a literal value (never a secret).
    pub value: Option<String>,
    /// CSS selector of an element to click.
    pub click: Option<String>,
    /// `"redirect"` (the redirect URI is reached) or a CSS selector to appear.
    pub wait_for: Option<String>,
    /// A missing element is not an error (e.g. a consent page shown only once).
    #[serde(default)]
    pub optional: bool,
}

impl Step {
    /// Problems with the step, naming it by position (1-based).
    pub fn validate(&self, n: usize) -> Result<(), String> {
        let actions = [
            self.goto.is_some(),
            self.fill.is_some(),
            self.click.is_some(),
            self.wait_for.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if actions != 1 {
            return Err(format!(
                "login.steps[{n}]: give exactly one of goto, fill, click, wait_for"
            ));
        }
        if self.fill.is_some() && self.env.is_some() == self.value.is_some() {
            return Err(format!(
                "login.steps[{n}]: fill needs exactly one of env, value"
            ));
        }
        if let Some(g) = &self.goto
            && g != "authorize"
            && url::Url::parse(g).is_err()
        {
            return Err(format!(
                "{g}: login.steps[{n}].goto is neither \"authorize\" nor a URL"
            ));
        }
        Ok(())
    }
}

/// The steps used when the config gives none: the usual one-page login with
/// a consent button (the reference provider's page, and many others).
pub fn default_steps(username_env: &str, password_env: &str) -> Vec<Step> {
    let s = |f: fn(&mut Step)| {
        let mut st = Step::default();
        f(&mut st);
        st
    };
    vec![
        s(|st| st.goto = Some("authorize".into())),
        Step {
            fill: Some("input[name=username]".into()),
            env: Some(username_env.into()),
            ..Step::default()
        },
        Step {
            fill: Some("input[name=password]".into()),
            env: Some(password_env.into()),
            ..Step::default()
        },
        s(|st| st.click = Some("button[value=approve], input[type=submit]".into())),
        s(|st| st.wait_for = Some("redirect".into())),
    ]
}

/// Everything a browser login needs; secrets already read from the environment.
#[derive(Clone)]
pub struct BrowserLogin {
    pub steps: Vec<Step>,
    /// Clicked instead of the first click when a check needs the user to refuse.
    pub deny_selector: String,
    /// (env name, value) of every variable the steps name.
    pub secrets: Vec<(String, String)>,
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    /// Accept certificates the browser cannot verify (the harness's own client
    /// verifies the same server with the configured CAs).
    pub accept_insecure_certs: bool,
    /// Time for one login.
    pub timeout: Duration,
    pub policy: OriginPolicy,
    driver: Arc<tokio::sync::Mutex<Option<Driver>>>,
}

impl std::fmt::Debug for BrowserLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserLogin")
            .field("steps", &self.steps.len())
            .field("chromium", &self.chromium)
            .finish_non_exhaustive()
    }
}

/// A running chromedriver; killed when dropped.
struct Driver {
    _child: tokio::process::Child,
    port: u16,
}

impl BrowserLogin {
    pub fn new(
        steps: Vec<Step>,
        secrets: Vec<(String, String)>,
        policy: OriginPolicy,
    ) -> BrowserLogin {
        BrowserLogin {
            steps,
            deny_selector: "button[value=deny], button[name*=deny], button[name*=cancel]".into(),
            secrets,
            chromium: PathBuf::from(CHROMIUM),
            chromedriver: PathBuf::from(CHROMEDRIVER),
            accept_insecure_certs: false,
            timeout: Duration::from_secs(60),
            policy,
            driver: Arc::new(tokio::sync::Mutex::new(None)),
        }
    }

    /// Why the browser cannot run here, if it cannot.
    pub fn unavailable(&self) -> Option<String> {
        for p in [&self.chromium, &self.chromedriver] {
            if !p.exists() {
                return Some(format!(
                    "{}: not found (the browser strategy needs Debian's chromium and chromium-driver; .ci/install-chromium.sh installs both)",
                    p.display()
                ));
            }
        }
        None
    }

    async fn driver_port(&self) -> Result<u16, String> {
        let mut d = self.driver.lock().await;
        if let Some(d) = d.as_ref() {
            return Ok(d.port);
        }
        if let Some(why) = self.unavailable() {
            return Err(why);
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free loopback port for chromedriver: {e}"))?
            .port();
        let child = tokio::process::Command::new(&self.chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("{}: cannot start: {e}", self.chromedriver.display()))?;
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            if started.elapsed() > Duration::from_secs(20) {
                return Err(format!(
                    "chromedriver did not listen on 127.0.0.1:{port} within 20 s"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        *d = Some(Driver {
            _child: child,
            port,
        });
        Ok(port)
    }

    fn secret(&self, env: &str) -> Result<&str, String> {
        self.secrets
            .iter()
            .find(|(k, _)| k == env)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| format!("{env}: environment variable for a login step is not set"))
    }

    /// Run the steps for `req`; `deny` clicks `deny_selector` instead of the first click.
    pub async fn login(
        &self,
        req: &AuthRequest,
        deny: bool,
        client_name: &str,
        redactor: &Redactor,
    ) -> Result<Walk, String> {
        for (_, v) in &self.secrets {
            crate::http::client::secret(redactor, v, "password");
        }
        if let Err(why) = self.policy.check(&req.authorization_url) {
            return Ok(Walk::untraced(
                AuthResult::Stopped {
                    status: 0,
                    detail: why,
                },
                None,
            ));
        }
        let port = self.driver_port().await?;
        let profile = tempdir()?;
        let mut args: Vec<String> = FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({"binary": self.chromium, "args": args}),
        );
        caps.insert(
            "acceptInsecureCerts".into(),
            serde_json::Value::Bool(self.accept_insecure_certs),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = fantoccini::ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| format!("browser: cannot start a Chromium session: {e}"))?;
        let out =
            tokio::time::timeout(self.timeout, self.run(&client, req, deny, client_name)).await;
        let _ = client.close().await;
        let _ = std::fs::remove_dir_all(&profile);
        match out {
            Ok(r) => r,
            Err(_) => Ok(Walk::untraced(
                AuthResult::Stopped {
                    status: 0,
                    detail: format!(
                        "browser: the login steps did not reach the redirect URI within {} s (see login.steps)",
                        self.timeout.as_secs()
                    ),
                },
                None,
            )),
        }
    }

    async fn run(
        &self,
        b: &fantoccini::Client,
        req: &AuthRequest,
        deny: bool,
        client_name: &str,
    ) -> Result<Walk, String> {
        let mut named = false;
        let mut clicked = false;
        let stopped = |detail: String, named: bool| {
            Ok(Walk::untraced(
                AuthResult::Stopped { status: 0, detail },
                Some((named, "the browser's page text".into())),
            ))
        };
        for (i, step) in self.steps.iter().enumerate() {
            let n = i + 1;
            // Reached already (a consent page skipped, a session remembered)?
            if let Some(r) = self.reached(b, &req.redirect_uri).await {
                return Ok(Walk::untraced(
                    r,
                    Some((named, "the browser's page text".into())),
                ));
            }
            if let Some(g) = &step.goto {
                let url = if g == "authorize" {
                    req.url()
                } else {
                    g.clone()
                };
                if g != "authorize"
                    && let Err(why) = self.policy.check(&url)
                {
                    return stopped(format!("login.steps[{n}]: {why}"), named);
                }
                // A navigation that lands on the unreachable redirect URI errors: that is fine.
                let _ = b.goto(&url).await;
            } else if let Some(sel) = &step.fill {
                let value = match (&step.env, &step.value) {
                    (Some(e), _) => self.secret(e)?.to_string(),
                    (None, Some(v)) => v.clone(),
                    _ => String::new(),
                };
                if step.env.is_some() {
                    let here = b
                        .current_url()
                        .await
                        .map(|u| u.to_string())
                        .unwrap_or_default();
                    if let Err(why) = self.policy.check(&here) {
                        return stopped(
                            format!("login.steps[{n}]: secret not typed: {why}"),
                            named,
                        );
                    }
                }
                match find(b, sel).await {
                    Some(el) => {
                        let _ = el.clear().await;
                        el.send_keys(&value)
                            .await
                            .map_err(|e| format!("login.steps[{n}]: cannot fill {sel}: {e}"))?;
                    }
                    None if step.optional => {}
                    None => {
                        return stopped(
                            format!(
                                "login.steps[{n}]: {sel}: no such element on {}",
                                page(b).await
                            ),
                            named,
                        );
                    }
                }
            } else if let Some(sel) = &step.click {
                let sel = if deny && !clicked {
                    self.deny_selector.as_str()
                } else {
                    sel.as_str()
                };
                named |= b.source().await.is_ok_and(|s| s.contains(client_name));
                match find(b, sel).await {
                    Some(el) => {
                        clicked = true;
                        let _ = el.click().await;
                    }
                    None if step.optional => {}
                    None => {
                        return stopped(
                            format!(
                                "login.steps[{n}]: {sel}: no such element on {}",
                                page(b).await
                            ),
                            named,
                        );
                    }
                }
            } else if let Some(w) = &step.wait_for {
                if w == "redirect" {
                    let started = Instant::now();
                    while started.elapsed() < self.timeout {
                        if let Some(r) = self.reached(b, &req.redirect_uri).await {
                            return Ok(Walk::untraced(
                                r,
                                Some((named, "the browser's page text".into())),
                            ));
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    return stopped(
                        format!(
                            "login.steps[{n}]: the redirect URI was not reached; the browser is at {}",
                            page(b).await
                        ),
                        named,
                    );
                } else if b
                    .wait()
                    .at_most(self.timeout)
                    .for_element(fantoccini::Locator::Css(w))
                    .await
                    .is_err()
                    && !step.optional
                {
                    return stopped(
                        format!("login.steps[{n}]: {w} did not appear on {}", page(b).await),
                        named,
                    );
                }
            }
            named |= b.source().await.is_ok_and(|s| s.contains(client_name));
        }
        if let Some(r) = self.reached(b, &req.redirect_uri).await {
            return Ok(Walk::untraced(
                r,
                Some((named, "the browser's page text".into())),
            ));
        }
        stopped(
            format!(
                "the steps ended without reaching the redirect URI; the browser is at {}",
                page(b).await
            ),
            named,
        )
    }

    async fn reached(&self, b: &fantoccini::Client, redirect_uri: &str) -> Option<AuthResult> {
        let u = b.current_url().await.ok()?;
        parse_redirect(u.as_str(), redirect_uri)
    }
}

async fn find(b: &fantoccini::Client, sel: &str) -> Option<fantoccini::elements::Element> {
    b.find(fantoccini::Locator::Css(sel)).await.ok()
}

/// The current page's URL without its query (which may hold a code).
async fn page(b: &fantoccini::Client) -> String {
    match b.current_url().await {
        Ok(mut u) => {
            u.set_query(None);
            u.to_string()
        }
        Err(_) => "(unknown page)".into(),
    }
}

fn tempdir() -> Result<PathBuf, String> {
    let p = std::env::temp_dir().join(format!(
        "clr-conformance-browser-{}-{}",
        std::process::id(),
        super::pkce::state()
    ));
    std::fs::create_dir_all(&p).map_err(|e| format!("{}: cannot create: {e}", p.display()))?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_name_their_mistakes() {
        for (i, s) in default_steps("U", "P").iter().enumerate() {
            s.validate(i + 1).unwrap();
        }
        let two = Step {
            click: Some("a".into()),
            fill: Some("b".into()),
            value: Some("v".into()),
            ..Step::default()
        };
        assert!(two.validate(3).unwrap_err().starts_with("login.steps[3]"));
        let bare = Step {
            fill: Some("b".into()),
            ..Step::default()
        };
        assert!(bare.validate(1).is_err());
        let bad = Step {
            goto: Some("somewhere".into()),
            ..Step::default()
        };
        assert!(bad.validate(1).unwrap_err().starts_with("somewhere"));
    }
}
