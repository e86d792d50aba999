//! Transport: the API and the OAuth endpoints are reached over HTTPS with a
//! certificate that verifies, and a plain-HTTP request is never answered with
//! data [OB §6.2; FACTS §1.1]. rustls negotiates only TLS 1.2 and 1.3; that
//! the server refuses TLS 1.0/1.1 is probed with a raw ClientHello
//! (`tls_legacy`).

use super::Ctx;
use crate::evidence::Verdict;
use crate::http::{FailKind, Req};
use crate::registry::CheckSpec;

pub const TLS: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "transport: API and OAuth endpoints over verified TLS 1.2/1.3",
    ids: &[
        "transport.tls.api",
        "transport.tls.oauth",
        "transport.tls.certificate",
        "transport.tls.no-legacy",
    ],
};
pub const PLAIN: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "transport: plain HTTP is not answered with data",
    ids: &["transport.no-plain-http"],
};

pub const CHECKS: &[CheckSpec] = &[TLS, PLAIN];

/// rustls reasons that blame the server's certificate itself, not the
/// harness's trust settings (an unknown issuer may just need --trust-ca).
const CERT_FAULTS: &[&str] = &[
    "certificate not valid for name",
    "certificate expired",
    "certificate not valid yet",
];

/// When the target was unreachable over TLS: the failure, if the certificate is at fault.
async fn bad_certificate(ctx: &mut Ctx) -> Option<crate::http::Failure> {
    let tls = ctx
        .unreachable
        .as_ref()
        .is_some_and(|u| u.contains("tls error"));
    if !tls || ctx.http.insecure() {
        return None;
    }
    let api = ctx.api_url("/credentials");
    match ctx
        .send(Req::get(&api, "transport: getCredentials over TLS"))
        .await
    {
        Err(f) if f.kind == FailKind::Tls && CERT_FAULTS.iter().any(|m| f.message.contains(m)) => {
            Some(f)
        }
        _ => None,
    }
}

pub async fn run(ctx: &mut Ctx) {
    if ctx.unreachable.is_some() {
        let bad = bad_certificate(ctx).await;
        for spec in CHECKS {
            let mut c = spec.start();
            if let Some(f) = bad.as_ref().filter(|_| spec.name == TLS.name) {
                c.cite(&f.tx);
                c.fail("transport.tls.certificate", f.message.clone());
            }
            ctx.blocked(c, "");
        }
        return;
    }
    let api = ctx.api_url("/credentials");
    let mut c = TLS.start();
    c.subject(&api);
    let https = api.starts_with("https://");
    match ctx
        .send(Req::get(&api, "transport: getCredentials over TLS"))
        .await
    {
        Ok(ex) => {
            c.cite(&ex.tx);
            c.ensure(
                "transport.tls.api",
                https,
                format!("{api}: reached over https"),
            );
            if ctx.http.insecure() {
                c.skip(
                    "transport.tls.certificate",
                    "--insecure: the certificate was not verified",
                );
            } else {
                c.ensure(
                    "transport.tls.certificate",
                    https,
                    "the certificate verified against the trusted roots",
                );
            }
        }
        Err(f) => {
            c.cite(&f.tx);
            c.fail("transport.tls.api", format!("{api}: {}", f.message));
            c.fail("transport.tls.certificate", f.message.clone());
        }
    }
    match &ctx.sdd {
        Some(s) => {
            let mut urls = vec![&s.registration_url, &s.authorization_url, &s.token_url];
            if let Some(r) = &s.revocation_url {
                urls.push(r);
            }
            for u in urls {
                c.ensure(
                    "transport.tls.oauth",
                    u.starts_with("https://"),
                    format!("{u}: OAuth endpoint is https"),
                );
            }
        }
        None => {
            c.skip(
                "transport.tls.oauth",
                "no SDD: the OAuth endpoints are unknown",
            );
        }
    }
    legacy(&api, &mut c).await;
    ctx.finish(c);

    let mut c = PLAIN.start();
    let plain = match url::Url::parse(&api) {
        Ok(mut u) if u.scheme() == "https" => {
            let port = u.port();
            let _ = u.set_scheme("http");
            // Same port when one was given (the TLS port must not answer plain text), else 80.
            let _ = u.set_port(port);
            u.to_string()
        }
        _ => {
            c.all(
                Verdict::Fail,
                &format!("{api}: the API is not served over https"),
            );
            return ctx.finish(c);
        }
    };
    let token = ctx.token().ok();
    let mut req = Req::get(&plain, "transport: plain http getCredentials");
    if let Some(t) = &token {
        // A real token would travel in clear text: send a dummy one instead.
        let _ = t;
        req = req.bearer("plain-http-probe-0000");
    }
    c.subject(&plain);
    match ctx.http.send(&mut ctx.rec, req).await {
        Ok(ex) => {
            c.cite(&ex.tx);
            let redirect_https = (300..400).contains(&ex.status)
                && ex.location().is_some_and(|l| l.starts_with("https://"));
            c.ensure(
                "transport.no-plain-http",
                redirect_https || ex.status >= 400,
                format!(
                    "{plain}: plain http refused or redirected to https: got {}",
                    ex.brief()
                ),
            );
        }
        Err(f) => {
            c.cite(&f.tx);
            c.pass(
                "transport.no-plain-http",
                format!("{plain}: no plain-http answer ({})", f.message),
            );
        }
    }
    ctx.finish(c);
}

/// Offer TLS 1.0 and 1.1 to the API host: both must be refused.
async fn legacy(api: &str, c: &mut crate::evidence::Check) {
    use super::tls_legacy::{Legacy, probe};
    let id = "transport.tls.no-legacy";
    let Some((host, port)) = url::Url::parse(api)
        .ok()
        .filter(|u| u.scheme() == "https")
        .and_then(|u| {
            Some((
                u.host_str()?.trim_matches(['[', ']']).to_string(),
                u.port_or_known_default()?,
            ))
        })
    else {
        c.skip(id, format!("{api}: not an https URL; nothing to probe"));
        return;
    };
    for (version, name) in [(0x0301u16, "TLS 1.0"), (0x0302, "TLS 1.1")] {
        match probe(&host, port, version, std::time::Duration::from_secs(10)).await {
            Legacy::Refused(why) => {
                c.pass(id, format!("{host}:{port} refused {name}: {why}"));
            }
            Legacy::Accepted(why) => {
                c.fail(id, format!("{host}:{port} accepted {name}: {why}"));
            }
            Legacy::Inconclusive(why) => {
                c.skip(id, format!("{name} probe inconclusive: {why}"));
            }
        }
    }
}
