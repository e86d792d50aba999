//! The discovery endpoint: a profiled OpenAPI 3.0 Service Description
//! Document (FACTS §3) naming the OAuth endpoints and scopes. Unauthenticated,
//! cacheable (Cache-Control, ETag, If-None-Match -> 304).

use super::api::errors;
use super::faults::FaultId;
use super::http_util::{self, allow};
use super::state::{AppState, Shared};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// Name of the SDD extension that carries the RFC 7009 revocation endpoint
/// (the SDD has no standard field for it).
pub const REVOCATION_URL_KEY: &str = "x-clr-conformance-revocationUrl";

/// Where the OAuth endpoints sit in the SDD.
const FLOW: &str = "/components/securitySchemes/OAuth2ACG/flows/authorizationCode";

/// A tiny SVG logo as a data URI for `info.x-imssf-image`.
const IMAGE: &str = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIxNiIgaGVpZ2h0PSIxNiI+PHJlY3Qgd2lkdGg9IjE2IiBoZWlnaHQ9IjE2IiBmaWxsPSIjMzY2Ii8+PC9zdmc+";

/// The Service Description Document this provider serves.
pub fn document(s: &AppState) -> Value {
    let p = s.profile;
    let version = p.id.rsplit('-').next().unwrap_or("");
    let mut info = Map::new();
    info.insert(
        "title".into(),
        json!(format!("clr-conformance reference provider ({})", p.name)),
    );
    info.insert(
        "description".into(),
        json!(format!(
            "Built-in reference service provider of the clr-conformance harness. getCredentials serves at most {} credentials per page: a larger limit is served as {}.",
            super::api::credentials::MAX_LIMIT,
            super::api::credentials::MAX_LIMIT
        )),
    );
    if !s.fault(FaultId::SddMissingTermsOfService) {
        info.insert(
            "termsOfService".into(),
            json!(format!("{}/terms", s.base_url)),
        );
    }
    if !s.fault(FaultId::SddMissingPrivacyPolicy) {
        info.insert(
            "x-imssf-privacyPolicyUrl".into(),
            json!(format!("{}/privacy", s.base_url)),
        );
    }
    info.insert("version".into(), json!(version));
    let image = if s.fault(FaultId::SddBadImage) {
        "logo.png"
    } else {
        IMAGE
    };
    info.insert("x-imssf-image".into(), json!(image));

    let mut scopes = Map::new();
    scopes.insert(
        p.scopes.credential_readonly.clone(),
        json!("Permission to read credentials"),
    );
    scopes.insert(
        p.scopes.credential_upsert.clone(),
        json!("Permission to create or update credentials"),
    );
    scopes.insert(
        p.scopes.profile_readonly.clone(),
        json!("Permission to read the profile"),
    );
    if !s.fault(FaultId::SddMissingScope) {
        scopes.insert(
            p.scopes.profile_update.clone(),
            json!("Permission to update the profile"),
        );
    }
    if !s.fault(FaultId::RefuseOfflineAccess) {
        scopes.insert(
            p.scopes.offline_access.clone(),
            json!("Permission to obtain refresh tokens"),
        );
    }

    let mut scheme = Map::new();
    let ty = if s.fault(FaultId::SddWrongSchemeType) {
        "http"
    } else {
        "oauth2"
    };
    scheme.insert("type".into(), json!(ty));
    scheme.insert(
        "description".into(),
        json!("OAuth 2.0 Authorization Code Grant with PKCE"),
    );
    if !s.fault(FaultId::SddMissingRegistrationUrl) {
        scheme.insert(
            "x-imssf-registrationUrl".into(),
            json!(s.oauth_url("register")),
        );
    }
    scheme.insert(
        "x-imssf-name".into(),
        json!("clr-conformance reference provider"),
    );
    scheme.insert(
        "x-imssf-privacyPolicyUrl".into(),
        json!(format!("{}/privacy", s.base_url)),
    );
    scheme.insert(
        "x-imssf-termsOfServiceUrl".into(),
        json!(format!("{}/terms", s.base_url)),
    );
    if !s.fault(FaultId::SddNoRevocationUrl) {
        scheme.insert(REVOCATION_URL_KEY.into(), json!(s.oauth_url("revoke")));
    }
    let mut token_url = s.oauth_url("token");
    if s.fault(FaultId::SddHttpUrls) {
        token_url = token_url.replacen("https://", "http://", 1);
    }
    scheme.insert(
        "flows".into(),
        json!({
            "authorizationCode": {
                "authorizationUrl": s.oauth_url("authorize"),
                "tokenUrl": token_url,
                "refreshUrl": s.oauth_url("token"),
                "scopes": scopes,
            }
        }),
    );

    let op = |id: &str, summary: &str, scope: &str, ok: &[&str]| {
        let mut responses = Map::new();
        for code in ok {
            responses.insert((*code).into(), json!({ "description": "Success" }));
        }
        responses.insert("default".into(), json!({
            "description": "Error",
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Imsx_StatusInfo" } } }
        }));
        let mut o = json!({ "operationId": id, "summary": summary, "responses": responses });
        if !scope.is_empty() {
            o["security"] = json!([{ "OAuth2ACG": [scope] }]);
        }
        o
    };
    let mut schemes = Map::new();
    schemes.insert("OAuth2ACG".into(), Value::Object(scheme));
    if s.fault(FaultId::SddExtraScheme) {
        schemes.insert(
            "BearerAuth".into(),
            json!({ "type": "http", "scheme": "bearer" }),
        );
    }
    let mut doc = json!({
        "openapi": "3.0.1",
        "info": info,
        "servers": [{ "url": s.api_url("").trim_end_matches('/') }],
        "paths": {
            "/credentials": {
                "get": op("getCredentials", "Get the learner's credentials", &p.scopes.credential_readonly, &["200"]),
                "post": op("upsertCredential", "Create or replace a credential", &p.scopes.credential_upsert, &["200", "201"]),
            },
            "/profile": {
                "get": op("getProfile", "Get the profile", &p.scopes.profile_readonly, &["200"]),
                "put": op("putProfile", "Replace the profile", &p.scopes.profile_update, &["200"]),
            },
            "/discovery": {
                "get": op("getServiceDescription", "Get the Service Description Document", "", &["200"]),
            }
        },
        "components": {
            "securitySchemes": schemes,
            "schemas": {
                "Imsx_StatusInfo": { "$ref": p.schemas.imsx_status_info }
            }
        }
    });
    let removals = [
        (FaultId::SddMissingInfoFields, "/info", "termsOfService"),
        (
            FaultId::SddMissingInfoFields,
            "/info",
            "x-imssf-privacyPolicyUrl",
        ),
        (FaultId::SddMissingTitle, "/info", "title"),
        (FaultId::SddMissingVersion, "/info", "version"),
        (
            FaultId::SddMissingAuthorizationUrl,
            FLOW,
            "authorizationUrl",
        ),
        (FaultId::SddMissingTokenUrl, FLOW, "tokenUrl"),
        (FaultId::SddMissingRefreshUrl, FLOW, "refreshUrl"),
    ];
    for (id, at, key) in removals {
        if s.fault(id)
            && let Some(o) = doc.pointer_mut(at).and_then(Value::as_object_mut)
        {
            o.remove(key);
        }
    }
    if s.fault(FaultId::SddUnsupportedPath) {
        doc["paths"]["/credentials"]["delete"] = json!({
            "operationId": "deleteCredential",
            "responses": { "default": { "description": "Error" } }
        });
    }
    if s.fault(FaultId::SddNoOpenapi)
        && let Some(o) = doc.as_object_mut()
    {
        o.remove("openapi");
    }
    doc
}

pub async fn get(
    State(s): State<Shared>,
    peer: Option<axum::Extension<super::state::Peer>>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = allow(&method, &[Method::GET]) {
        return r;
    }
    if s.fault(FaultId::ProtectDiscovery) && http_util::bearer(&headers).is_none() {
        return errors::unauthorized("discovery requires an access token (fault)", false);
    }
    if let Err(wait) = s.discovery_limit.take(super::state::Peer::of(peer))
        && !s.fault(FaultId::NoRateLimit)
    {
        let mut r = errors::status_info(
            StatusCode::TOO_MANY_REQUESTS,
            errors::Minor::ServerBusy,
            &format!("{wait}: seconds to wait; discovery is rate limited"),
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return r;
    }
    let body = serde_json::to_vec_pretty(&document(&s)).unwrap_or_default();
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..16]));
    let matches = !s.fault(FaultId::EtagIgnored)
        && headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut resp = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(if s.fault(FaultId::DiscoveryTextPlain) {
                    "text/plain"
                } else {
                    "application/json"
                }),
            )],
            body,
        )
            .into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    resp
}

/// The terms of service and privacy policy pages the SDD links to.
pub async fn policy_page(uri: axum::http::Uri) -> Response {
    let what = if uri.path().ends_with("privacy") {
        "Privacy policy"
    } else {
        "Terms of service"
    };
    axum::response::Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{what}</title></head>\
         <body><h1>{what}</h1><p>This is a test provider. It stores nothing beyond its test database.</p></body></html>"
    ))
    .into_response()
}
