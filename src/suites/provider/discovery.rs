//! Discovery: the SDD is served without authentication as JSON, has the
//! required OpenAPI structure, https URLs, the profile's scopes and a
//! registration URL [OB §6.3, §7.1; FACTS §3].

use super::Ctx;
use crate::oauth::discovery::{self, structure_problems};
use crate::registry::CheckSpec;

pub const FETCH: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "discovery: unauthenticated GET returns 200 JSON",
    ids: &[
        "discovery.unauthenticated",
        "discovery.status-200-json",
        "discovery.path",
        "discovery.https",
    ],
};
pub const STRUCTURE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "discovery: SDD required structure",
    ids: &[
        "discovery.openapi",
        "discovery.profiled",
        "discovery.info.title",
        "discovery.info.version",
        "discovery.info.terms-of-service",
        "discovery.info.privacy-policy",
        "discovery.oauth2acg.type",
        "discovery.oauth2acg.only-scheme",
        "discovery.oauth2acg.registration-url",
        "discovery.oauth2acg.authorization-url",
        "discovery.oauth2acg.token-url",
    ],
};
pub const HTTPS: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "discovery: SDD URLs are https",
    ids: &["discovery.oauth-urls-https"],
};
pub const SCOPES: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "discovery: SDD lists a scope per operation, ideally the profile's URIs",
    ids: &[
        "discovery.oauth2acg.scopes",
        "discovery.oauth2acg.scope-uris",
    ],
};
pub const OPTIONAL: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "discovery: optional image and caching",
    ids: &["discovery.info.image", "discovery.cache.etag"],
};

pub const CHECKS: &[CheckSpec] = &[FETCH, STRUCTURE, HTTPS, SCOPES, OPTIONAL];

pub async fn run(ctx: &mut Ctx) {
    let url = discovery::discovery_url(&ctx.target.base_url, ctx.target.profile);
    let res = discovery::fetch(
        &ctx.http,
        &mut ctx.rec,
        &ctx.target.base_url,
        ctx.target.profile,
    )
    .await;
    let ex = match res {
        Ok(ex) => ex,
        Err(f) => {
            // Everything after discovery needs it; say why once per check.
            let f2 = f.clone();
            ctx.unreachable.get_or_insert(f.message.clone());
            for spec in [FETCH, STRUCTURE, HTTPS, SCOPES, OPTIONAL] {
                ctx.transport_error(spec.start(), &f2);
            }
            return;
        }
    };
    let mut c = FETCH.start();
    c.subject(&url).cite(&ex.tx);
    // Only a JSON SDD proves these: a server answering 200 text/html to every path does not.
    let sdd = ex.status == 200 && ex.json().is_some_and(|v| v.is_object());
    c.ensure(
        "discovery.unauthenticated",
        sdd,
        format!(
            "discovery answers a request without credentials with 200 and a JSON SDD: got {}",
            ex.brief()
        ),
    );
    c.ensure(
        "discovery.path",
        sdd,
        format!(
            "{url}: a JSON SDD is served at the base path + /discovery: got {}",
            ex.brief()
        ),
    );
    c.ensure(
        "discovery.https",
        url.starts_with("https://"),
        format!("{url}: served over https (rustls negotiates only TLS 1.2/1.3)"),
    );
    let json = ex.json();
    let is_json = ex.is_json_media_type() && json.is_some();
    let hint = if ex.media_type() == "text/html" {
        " (HTML instead of JSON: is the target URL the part before the base path?)"
    } else {
        ""
    };
    c.ensure(
        "discovery.status-200-json",
        is_json && ex.status == 200 && json.as_ref().is_some_and(|v| v.is_object()),
        format!(
            "discovery answers 200 application/json with an object: got {}{hint}",
            ex.brief()
        ),
    );
    ctx.finish(c);
    let Some(v) = json.filter(|_| ex.status == 200) else {
        ctx.rec.note(format!(
            "no SDD at {url} ({}): is the target the base URL, the part before {}?",
            ex.brief(),
            ctx.target.profile.base_path
        ));
        // One cause, one failure: the rows that judge the SDD's content are blocked by it.
        ctx.fail_step(
            super::Step::Discovery,
            crate::evidence::Cause::new(
                "discovery.status-200-json",
                format!("{url}: no SDD ({})", ex.brief()),
            ),
        );
        for spec in [STRUCTURE, HTTPS, SCOPES, OPTIONAL] {
            let mut c = spec.start();
            c.subject(&url).cite(&ex.tx);
            ctx.blocked(c, "no SDD");
        }
        return;
    };

    let mut c = STRUCTURE.start();
    c.subject(&url).cite(&ex.tx);
    judge_structure(&mut c, &v, ctx.target.profile);
    let parsed = discovery::parse(&v);
    if parsed.is_err() {
        ctx.fail_step_from(super::Step::Discovery, &c);
    }
    ctx.finish(c);

    let mut c = HTTPS.start();
    c.subject(&url).cite(&ex.tx);
    let mut urls: Vec<(&str, String)> = Vec::new();
    if let Ok(s) = &parsed {
        urls.push(("x-imssf-registrationUrl", s.registration_url.clone()));
        urls.push(("authorizationUrl", s.authorization_url.clone()));
        urls.push(("tokenUrl", s.token_url.clone()));
        if let Some(r) = &s.refresh_url {
            urls.push(("refreshUrl", r.clone()));
        }
        if let Some(t) = &s.terms_of_service {
            urls.push(("termsOfService", t.clone()));
        }
        if let Some(p) = &s.privacy_policy_url {
            urls.push(("x-imssf-privacyPolicyUrl", p.clone()));
        }
    }
    if urls.is_empty() {
        c.fail(
            "discovery.oauth-urls-https",
            "no OAuth URLs to judge in the SDD",
        );
    }
    for (name, u) in &urls {
        c.ensure(
            "discovery.oauth-urls-https",
            u.starts_with("https://"),
            format!("{u}: {name} is https"),
        );
    }
    ctx.finish(c);

    let mut c = SCOPES.start();
    c.subject(&url).cite(&ex.tx);
    match &parsed {
        Ok(s) => judge_scopes(ctx, &mut c, &s.scopes),
        Err(e) => {
            c.fail("discovery.oauth2acg.scopes", e.join("; "));
            c.skip(
                "discovery.oauth2acg.scope-uris",
                "no SDD scopes to compare: the SDD does not parse",
            );
        }
    }
    ctx.finish(c);
    optional(ctx, &url, &ex, &v).await;
    if let Ok(mut s) = parsed {
        // A configured revocation URL wins over one found in the SDD.
        if ctx.target.revocation_url.is_some() {
            s.revocation_url = ctx.target.revocation_url.clone();
        }
        ctx.sdd = Some(s);
    }
}

/// Resolve the run's scope URIs against the SDD and the scope map, then
/// judge that each operation under test has one, and whether it is the
/// profile's.
fn judge_scopes(
    ctx: &mut Ctx,
    c: &mut crate::evidence::Check,
    advertised: &std::collections::BTreeMap<String, String>,
) {
    use crate::oauth::scope::{self, Origin};
    let profile = &ctx.target.profile.scopes;
    let (scopes, origins) = scope::resolve(profile, advertised, &ctx.target.scope_map);
    for (op, origin) in &origins {
        if !(if op.reads() {
            ctx.reads()
        } else {
            ctx.writes()
        }) {
            continue;
        }
        let (ours, used) = (op.of(profile), op.of(&scopes));
        let how = match origin {
            Origin::Profile => String::new(),
            Origin::Advertised => {
                format!(
                    " (advertised for {} in place of the profile's {ours})",
                    op.name()
                )
            }
            Origin::Configured => format!(" (given for {} by the scope map)", op.name()),
        };
        c.ensure(
            "discovery.oauth2acg.scopes",
            advertised.contains_key(used),
            format!("{used}: listed in OAuth2ACG.flows.authorizationCode.scopes{how}"),
        );
        c.ensure(
            "discovery.oauth2acg.scope-uris",
            used == ours,
            if used == ours {
                format!("{}: the profile's URI {ours}", op.name())
            } else {
                format!(
                    "{}: the target uses {used}, the profile names {ours} ({}); the run uses the target's",
                    op.name(),
                    profile.source
                )
            },
        );
    }
    if origins.iter().any(|(_, o)| *o != Origin::Profile) {
        let used: Vec<String> = origins
            .iter()
            .filter(|(_, o)| *o != Origin::Profile)
            .map(|(op, _)| format!("{} = {}", op.name(), op.of(&scopes)))
            .collect();
        ctx.rec.note(format!(
            "scope URIs taken from the target, not the profile: {}",
            used.join(", ")
        ));
    }
    ctx.scopes = scopes;
    ctx.scope_origins = origins;
}

/// Each required SDD member judged under its own id; what else is missing
/// (info.title, info.version, the flow URLs) fails the member it sits in.
fn judge_structure(
    c: &mut crate::evidence::Check,
    v: &serde_json::Value,
    profile: &crate::catalog::Profile,
) {
    let problems = structure_problems(v);
    let route = |p: &str| -> &'static str {
        if p.starts_with("openapi") {
            "discovery.openapi"
        } else if p.contains("termsOfService") {
            "discovery.info.terms-of-service"
        } else if p.contains("x-imssf-privacyPolicyUrl") {
            "discovery.info.privacy-policy"
        } else if p.contains("registrationUrl") {
            "discovery.oauth2acg.registration-url"
        } else if p.contains("info.title") {
            "discovery.info.title"
        } else if p.contains("info.version") {
            "discovery.info.version"
        } else if p.contains("authorizationUrl") {
            "discovery.oauth2acg.authorization-url"
        } else if p.contains("tokenUrl") {
            "discovery.oauth2acg.token-url"
        } else if p.contains("info") {
            "discovery.openapi"
        } else {
            "discovery.oauth2acg.type"
        }
    };
    let mut failed: Vec<&str> = Vec::new();
    for p in &problems {
        let id = route(p);
        c.fail(id, p.clone());
        failed.push(id);
    }
    let schemes = v
        .pointer("/components/securitySchemes")
        .and_then(serde_json::Value::as_object);
    let others: Vec<&String> = schemes
        .map(|m| m.keys().filter(|k| *k != "OAuth2ACG").collect())
        .unwrap_or_default();
    c.ensure(
        "discovery.oauth2acg.only-scheme",
        others.is_empty(),
        format!("components.securitySchemes holds only OAuth2ACG: extra {others:?}"),
    );
    let base_path = profile.base_path.as_str();
    let paths: Vec<&String> = v
        .get("paths")
        .and_then(serde_json::Value::as_object)
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    let api_paths = paths
        .iter()
        .filter(|p| p.contains("/credentials") || p.contains("/profile"))
        .count();
    let under = paths
        .iter()
        .all(|p| p.starts_with(base_path) || !p.starts_with("/ims/"));
    c.ensure(
        "discovery.profiled",
        api_paths > 0 && under,
        format!("paths lists the supported endpoints under {base_path}: got {paths:?}"),
    );
    // Only operations of the official API may be listed (a profiled copy never adds any).
    let official = |path: &str, method: &str| {
        let tail = path.strip_prefix(base_path).unwrap_or(path);
        matches!(
            (tail, method),
            ("/credentials", "get" | "post") | ("/profile", "get" | "put") | ("/discovery", "get")
        )
    };
    const VERBS: &[&str] = &[
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut extra = Vec::new();
    if let Some(m) = v.get("paths").and_then(serde_json::Value::as_object) {
        for (path, ops) in m {
            for method in ops
                .as_object()
                .map(|o| o.keys().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if VERBS.contains(&method.as_str()) && !official(path, method) {
                    extra.push(format!("{} {path}", method.to_ascii_uppercase()));
                }
            }
        }
    }
    c.ensure(
        "discovery.profiled",
        extra.is_empty(),
        format!("paths lists only operations of the CLR API: extra {extra:?}"),
    );
    for id in [
        "discovery.openapi",
        "discovery.info.title",
        "discovery.info.version",
        "discovery.info.terms-of-service",
        "discovery.info.privacy-policy",
        "discovery.oauth2acg.type",
        "discovery.oauth2acg.registration-url",
        "discovery.oauth2acg.authorization-url",
        "discovery.oauth2acg.token-url",
    ] {
        if !failed.contains(&id) {
            c.pass(id, "present with the required type");
        }
    }
    if let Some(r) = v
        .pointer("/components/securitySchemes/OAuth2ACG/x-imssf-registrationUrl")
        .and_then(serde_json::Value::as_str)
    {
        c.ensure(
            "discovery.oauth2acg.registration-url",
            url::Url::parse(r).is_ok(),
            format!("{r}: x-imssf-registrationUrl is an absolute URL"),
        );
    }
}

/// MAY features: an image, and ETag revalidation answered 304.
async fn optional(ctx: &mut Ctx, url: &str, ex: &crate::http::Exchange, v: &serde_json::Value) {
    let mut c = OPTIONAL.start();
    c.subject(url).cite(&ex.tx);
    match v
        .pointer("/info/x-imssf-image")
        .and_then(serde_json::Value::as_str)
    {
        Some(img) => {
            let ok = img.starts_with("data:") || url::Url::parse(img).is_ok();
            c.ensure(
                "discovery.info.image",
                ok,
                format!("{img:.60}: x-imssf-image is a URL or data URI"),
            );
        }
        None => {
            c.not_applicable("discovery.info.image", "no info.x-imssf-image");
        }
    }
    match ex.header("etag").map(str::to_string) {
        Some(tag) => {
            let req = crate::http::Req::get(url, "getServiceDescription If-None-Match")
                .header("If-None-Match", tag.clone());
            match ctx.send(req).await {
                Ok(r) => {
                    c.cite(&r.tx);
                    c.ensure_eq(
                        "discovery.cache.etag",
                        304,
                        r.status,
                        format!("If-None-Match {tag} is answered 304"),
                    );
                }
                Err(f) => {
                    c.cite(&f.tx);
                    c.error("discovery.cache.etag", f.message);
                }
            }
        }
        None => {
            c.not_applicable("discovery.cache.etag", "no ETag on the SDD");
        }
    }
    ctx.finish(c);
}
