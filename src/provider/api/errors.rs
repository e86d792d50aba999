//! Imsx_StatusInfo error bodies (FACTS §1.4): every API error uses exactly
//! the members the schema allows, with a codeMinor from its enum.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The codeMinor values this provider uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Minor {
    Forbidden,
    InvalidData,
    InvalidQueryParameter,
    NotFound,
    NotAllowed,
    UnauthorizedRequest,
    InternalServerError,
    ServerBusy,
}

impl Minor {
    pub fn as_str(self) -> &'static str {
        match self {
            Minor::Forbidden => "forbidden",
            Minor::InvalidData => "invalid_data",
            Minor::InvalidQueryParameter => "invalid_query_parameter",
            Minor::NotFound => "not_found",
            Minor::NotAllowed => "not_allowed",
            Minor::UnauthorizedRequest => "unauthorizedrequest",
            Minor::InternalServerError => "internal_server_error",
            Minor::ServerBusy => "server_busy",
        }
    }
}

/// The codeMinorFieldName this provider reports.
pub const FIELD_NAME: &str = "clr-conformance";

/// The Imsx_StatusInfo JSON for a failure.
pub fn body(minor: Minor, description: &str) -> Value {
    json!({
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                { "imsx_codeMinorFieldName": FIELD_NAME, "imsx_codeMinorFieldValue": minor.as_str() }
            ]
        }
    })
}

/// An error response with an Imsx_StatusInfo body.
pub fn status_info(status: StatusCode, minor: Minor, description: &str) -> Response {
    let bytes = serde_json::to_vec(&body(minor, description)).unwrap_or_default();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response()
}

/// 401 with `WWW-Authenticate: Bearer` (RFC 6750 §3).
pub fn unauthorized(description: &str, token_present: bool) -> Response {
    let mut resp = status_info(
        StatusCode::UNAUTHORIZED,
        Minor::UnauthorizedRequest,
        description,
    );
    let challenge = if token_present {
        "Bearer realm=\"clr-conformance\", error=\"invalid_token\""
    } else {
        "Bearer realm=\"clr-conformance\""
    };
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    resp
}

/// 403 for a token without the scope the endpoint needs (RFC 6750 §3.1).
pub fn forbidden(scope: &str) -> Response {
    let mut resp = status_info(
        StatusCode::FORBIDDEN,
        Minor::Forbidden,
        &format!("{scope}: the access token does not carry this scope"),
    );
    let challenge = format!(
        "Bearer realm=\"clr-conformance\", error=\"insufficient_scope\", scope=\"{scope}\""
    );
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// 404 for any path the provider does not serve.
pub fn not_found(path: &str) -> Response {
    status_info(
        StatusCode::NOT_FOUND,
        Minor::NotFound,
        &format!("{path}: no such endpoint"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_validates_against_the_status_info_schema() {
        use crate::credential::schema::{Generation, SchemaKind, validate};
        for m in [
            Minor::Forbidden,
            Minor::InvalidData,
            Minor::InvalidQueryParameter,
            Minor::NotFound,
            Minor::NotAllowed,
            Minor::UnauthorizedRequest,
            Minor::InternalServerError,
            Minor::ServerBusy,
        ] {
            let errs = validate(SchemaKind::ImsxStatusInfo, Generation::V2, &body(m, "why"));
            assert!(errs.is_empty(), "{}: {errs:?}", m.as_str());
        }
    }

    #[test]
    fn body_has_only_schema_members() {
        let b = body(Minor::Forbidden, "x");
        let keys: Vec<&str> = b.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "imsx_codeMajor",
                "imsx_severity",
                "imsx_description",
                "imsx_codeMinor"
            ]
        );
        let f = &b["imsx_codeMinor"]["imsx_codeMinorField"][0];
        assert_eq!(f.as_object().unwrap().len(), 2);
        assert_eq!(f["imsx_codeMinorFieldValue"], "forbidden");
    }
}
