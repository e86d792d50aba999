//! The resource API (FACTS §1): credentials and profile, each behind its
//! scope, with Imsx_StatusInfo error bodies.

pub mod credentials;
pub mod errors;
pub mod profile;

use super::faults::FaultId;
use super::http_util;
use super::state::AppState;
use super::store::{Token, TokenKind};
use axum::http::HeaderMap;
use axum::response::Response;

/// The token of a request if it may use an endpoint needing `scope`:
/// 401 without a valid token, 403 without the scope.
pub fn authorize(
    s: &AppState,
    headers: &HeaderMap,
    scope: &str,
) -> Result<Option<Token>, Response> {
    check_token(s, headers, scope).map_err(|mut r| {
        if r.status() == axum::http::StatusCode::UNAUTHORIZED {
            if s.fault(FaultId::NoWwwAuthenticate) {
                r.headers_mut().remove(axum::http::header::WWW_AUTHENTICATE);
            }
            if s.fault(FaultId::Unauthenticated403) {
                *r.status_mut() = axum::http::StatusCode::FORBIDDEN;
            }
        }
        r
    })
}

fn check_token(s: &AppState, headers: &HeaderMap, scope: &str) -> Result<Option<Token>, Response> {
    let header_token = http_util::bearer(headers).filter(|_| !s.fault(FaultId::RejectBearerHeader));
    let Some(value) = header_token else {
        if s.fault(FaultId::AcceptNoToken) {
            return Ok(None);
        }
        return Err(errors::unauthorized(
            "an access token is required (Authorization: Bearer)",
            false,
        ));
    };
    let token = match s.store.token(&value) {
        Ok(Some(t)) if t.kind == TokenKind::Access => t,
        Ok(_) => return Err(errors::unauthorized("unknown access token", true)),
        Err(e) => {
            return Err(errors::status_info(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                errors::Minor::InternalServerError,
                &format!("{e}: storage error"),
            ));
        }
    };
    if token.revoked {
        return Err(errors::unauthorized("the access token was revoked", true));
    }
    if token.expires_at < http_util::now() && !s.fault(FaultId::AcceptExpiredTokens) {
        return Err(errors::unauthorized("the access token has expired", true));
    }
    if !super::oauth::scopes(&token.scope).contains(&scope) && !s.fault(FaultId::AcceptNoScope) {
        return Err(errors::forbidden(scope));
    }
    Ok(Some(token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Profile;
    use crate::provider::store::Store;

    fn state(faults: &[FaultId]) -> (AppState, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "clr-api-auth-{}-{}",
            std::process::id(),
            http_util::random_password()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let s = AppState {
            profile: Profile::clr(),
            base_url: "https://127.0.0.1:1".into(),
            faults: faults.iter().copied().collect(),
            store: Store::open(&dir.join("db.sqlite")).unwrap(),
            users: Vec::new(),
            recorder: None,
            discovery_limit: crate::provider::ratelimit::Keyed::new(1.0, 1.0),
            registration_limit: crate::provider::ratelimit::Keyed::new(1.0, 1.0),
            token_padding: 0,
            client_id_padding: 0,
            short_lived_client: None,
            list_calls: Default::default(),
        };
        (s, dir)
    }

    fn bearer(token: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        h
    }

    fn token(s: &AppState, value: &str, expires_at: i64) {
        s.store
            .insert_token(&Token {
                token: value.into(),
                kind: TokenKind::Access,
                client_id: "c".into(),
                scope: s.profile.scopes.credential_readonly.clone(),
                username: "learner".into(),
                grant: "g".into(),
                expires_at,
                revoked: false,
            })
            .unwrap();
    }

    #[test]
    fn expired_tokens_are_refused_unless_the_fault_is_on() {
        let scope = Profile::clr().scopes.credential_readonly.clone();
        for (faults, expect_ok) in [
            (&[][..], false),
            (&[FaultId::AcceptExpiredTokens][..], true),
        ] {
            let (s, dir) = state(faults);
            token(&s, "old", http_util::now() - 10);
            token(&s, "fresh", http_util::now() + 100);
            let old = authorize(&s, &bearer("old"), &scope);
            assert_eq!(old.is_ok(), expect_ok, "{faults:?}");
            if let Err(r) = old {
                assert_eq!(r.status(), axum::http::StatusCode::UNAUTHORIZED);
            }
            assert!(authorize(&s, &bearer("fresh"), &scope).is_ok());
            let other = &s.profile.scopes.profile_update;
            let denied = authorize(&s, &bearer("fresh"), other).err().unwrap();
            assert_eq!(denied.status(), axum::http::StatusCode::FORBIDDEN);
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
