//! `clr-conformance serve`: run the built-in reference provider until Ctrl-C,
//! optionally with faults, and print what a client needs to reach it.

use super::args::ServeArgs;
use crate::provider::{self, ProviderConfig, TlsMode};
use anyhow::{Context, anyhow};
use std::path::PathBuf;

pub fn run(a: &ServeArgs) -> anyhow::Result<i32> {
    if a.list_faults {
        crate::out!("{}", fault_table());
        return Ok(0);
    }
    let cfg = plan(a)?;
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(serve(cfg, a))
}

/// The provider `serve` runs, from the arguments (profile and durations are typed by
/// clap already; faults and variants are looked up here).
fn plan(a: &ServeArgs) -> anyhow::Result<ProviderConfig> {
    let mut faults = Vec::new();
    for name in &a.fault {
        let f = provider::fault(name).ok_or_else(|| {
            anyhow!("{name}: unknown fault (see `clr-conformance serve --list-faults`)")
        })?;
        faults.push(*f);
    }
    for name in &a.variant {
        let v = provider::faults::variant(name).ok_or_else(|| {
            anyhow!("{name}: unknown variant (see `clr-conformance serve --list-faults`)")
        })?;
        faults.push(*v);
    }
    let tls = match (&a.cert, &a.key, a.plain_http) {
        (_, _, true) => TlsMode::PlainHttp,
        (Some(cert), Some(key), false) => TlsMode::Files {
            cert: cert.clone(),
            key: key.clone(),
        },
        (None, None, false) => TlsMode::SelfSigned,
        _ => return Err(anyhow!("--cert and --key must be given together")),
    };
    let cfg = ProviderConfig {
        bind: a.bind,
        tls,
        faults,
        profile: a.profile,
        data: a.data.clone(),
        record: false,
        short_lived_client: None,
        limits: provider::Limits {
            header_timeout: a.header_timeout,
            idle_timeout: a.idle_timeout,
            max_connections: a.max_connections.max(1),
            registrations_per_minute: a.registrations_per_minute.max(1),
        },
        synchronous_full: a.synchronous_full,
        ..ProviderConfig::new(a.profile)
    };
    Ok(cfg)
}

async fn serve(cfg: ProviderConfig, a: &ServeArgs) -> anyhow::Result<i32> {
    let plain = matches!(cfg.tls, TlsMode::PlainHttp);
    let fault_names: Vec<&str> = cfg.faults.iter().map(|f| f.name).collect();
    let running = provider::start(cfg).await?;
    if plain {
        crate::errln!(
            "WARNING: --plain-http: serving WITHOUT TLS. The spec requires TLS 1.2+; use this for debugging only."
        );
    }
    crate::outln!("clr-conformance reference provider ({})", a.profile.id);
    crate::outln!("  base URL:       {}", running.base_url());
    crate::outln!("  API base:       {}", running.api_base());
    crate::outln!("  discovery:      {}", running.discovery_url());
    if let (Some(pem), Some(fp)) = (running.ca_pem(), running.fingerprint()) {
        let path = ca_path(a);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create folder", dir.display()))?;
        }
        std::fs::write(&path, pem)
            .with_context(|| format!("{}: cannot write certificate", path.display()))?;
        crate::outln!("  certificate:    {}", path.display());
        crate::outln!("  SHA-256:        {fp}");
    }
    for u in running.users() {
        crate::outln!(
            "  test user:      {} / {} ({})",
            u.username,
            u.password,
            u.email
        );
    }
    match &a.data {
        Some(d) => crate::outln!("  data:           {}", d.join("db.sqlite").display()),
        None => crate::outln!("  data:           temporary (lost on exit)"),
    }
    if !fault_names.is_empty() {
        crate::outln!("  FAULTS ON:      {}", fault_names.join(", "));
    }
    crate::outln!("Press Ctrl-C to stop.");
    stop_signal().await?;
    crate::outln!("stopping");
    running.shutdown().await;
    if a.ca_out.is_none()
        && a.data.is_none()
        && let Some(dir) = ca_path(a).parent()
    {
        // The default certificate file lives in a per-process temp folder.
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(0)
}

/// Ctrl-C (SIGINT) or SIGTERM (what `kill`, systemd and container runtimes
/// send): either stops the provider cleanly and removes its temp folders.
async fn stop_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("cannot wait for SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("cannot wait for Ctrl-C")?,
            _ = term.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .context("cannot wait for Ctrl-C")
    }
}

fn ca_path(a: &ServeArgs) -> PathBuf {
    if let Some(p) = &a.ca_out {
        return p.clone();
    }
    match &a.data {
        Some(d) => d.join("ca.pem"),
        None => std::env::temp_dir()
            .join(format!("clr-conformance-serve-{}", std::process::id()))
            .join("ca.pem"),
    }
}

/// `--list-faults`: name, what it does, the requirement ids it breaks.
pub fn fault_table() -> String {
    let mut out = String::new();
    for f in provider::all_faults() {
        out.push_str(&format!(
            "{}\n    {}\n    breaks: {}\n",
            f.name,
            f.description,
            f.breaks.join(", ")
        ));
    }
    out.push_str("\nVariants (correct behaviours met in real products; --variant NAME):\n");
    for v in provider::faults::all_variants() {
        out.push_str(&format!("{}\n    {}\n", v.name, v.description));
    }
    out
}
