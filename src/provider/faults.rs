//! Fault injection: each fault makes the provider break one rule, so the
//! client-side suites can prove they catch it. `breaks` lists the catalog
//! ids that rule's violation makes fail (the primary id first; a few rules
//! necessarily take a dependent id down with them).

/// One injectable fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fault {
    pub name: &'static str,
    pub description: &'static str,
    pub breaks: &'static [&'static str],
}

const fn f(
    name: &'static str,
    description: &'static str,
    breaks: &'static [&'static str],
) -> Fault {
    Fault {
        name,
        description,
        breaks,
    }
}

static FAULTS: &[Fault] = &[
    // Discovery
    f(
        "protect-discovery",
        "discovery answers 401 without an access token",
        &["discovery.unauthenticated"],
    ),
    f(
        "sdd-missing-registration-url",
        "the SDD has no OAuth2ACG.x-imssf-registrationUrl",
        &["discovery.oauth2acg.registration-url"],
    ),
    f(
        "sdd-other-scope-uris",
        "the SDD advertises (and the server enforces) scope URIs other than the profile's, as the other-scope-uris variant does; here judged as the SHOULD it breaks",
        &["discovery.oauth2acg.scope-uris"],
    ),
    f(
        "sdd-missing-terms-of-service",
        "the SDD has no info.termsOfService",
        &["discovery.info.terms-of-service"],
    ),
    f(
        "sdd-missing-privacy-policy",
        "the SDD has no info.x-imssf-privacyPolicyUrl",
        &["discovery.info.privacy-policy"],
    ),
    f(
        "sdd-missing-info-fields",
        "the SDD has neither info.termsOfService nor info.x-imssf-privacyPolicyUrl",
        &[
            "discovery.info.terms-of-service",
            "discovery.info.privacy-policy",
        ],
    ),
    f(
        "sdd-wrong-scheme-type",
        "OAuth2ACG.type is \"http\" instead of \"oauth2\"",
        &["discovery.oauth2acg.type"],
    ),
    f(
        "sdd-extra-scheme",
        "components.securitySchemes also lists a BearerAuth scheme",
        &["discovery.oauth2acg.only-scheme"],
    ),
    f(
        "sdd-missing-scope",
        "the SDD scope map lacks the profile.update scope",
        &["discovery.oauth2acg.scopes"],
    ),
    f(
        "sdd-http-urls",
        "the SDD gives the token URL with http://",
        &["discovery.oauth-urls-https"],
    ),
    f(
        "sdd-no-openapi",
        "the SDD has no `openapi` member",
        &["discovery.openapi"],
    ),
    f(
        "sdd-missing-title",
        "the SDD has no info.title",
        &["discovery.info.title"],
    ),
    f(
        "sdd-missing-version",
        "the SDD has no info.version",
        &["discovery.info.version"],
    ),
    f(
        "sdd-missing-authorization-url",
        "the SDD has no flows.authorizationCode.authorizationUrl",
        &["discovery.oauth2acg.authorization-url"],
    ),
    f(
        "sdd-missing-token-url",
        "the SDD has no flows.authorizationCode.tokenUrl",
        &["discovery.oauth2acg.token-url"],
    ),
    f(
        "sdd-missing-refresh-url",
        "the SDD has no refreshUrl although refresh tokens are issued",
        &["discovery.oauth2acg.refresh-url"],
    ),
    f(
        "sdd-unsupported-path",
        "the SDD lists a DELETE /credentials operation the server does not offer",
        &["discovery.profiled"],
    ),
    f(
        "discovery-text-plain",
        "the SDD is sent as text/plain",
        &["discovery.status-200-json"],
    ),
    f(
        "sdd-no-revocation-url",
        "the SDD does not share the revocation endpoint",
        &["oauth.revoke.endpoint-shared"],
    ),
    f(
        "no-rate-limit",
        "discovery answers any number of requests (no 429)",
        &["discovery.rate-limited"],
    ),
    f(
        "discovery-wrong-path",
        "the SDD is served at /discovery, not under the base path",
        &["discovery.path"],
    ),
    f(
        "sdd-bad-image",
        "info.x-imssf-image is a bare file name, neither a URL nor a data URI",
        &["discovery.info.image"],
    ),
    f(
        "etag-ignored",
        "the SDD carries an ETag but a matching If-None-Match is answered 200",
        &["discovery.cache.etag"],
    ),
    // Registration
    f(
        "registration-200",
        "a successful registration is answered 200 instead of 201",
        &["oauth.registration.created-201"],
    ),
    f(
        "registration-missing-secret",
        "the registration response has no client_secret",
        &["oauth.registration.client-secret"],
    ),
    f(
        "registration-no-echo",
        "the registration response leaves out redirect_uris and scope",
        &["oauth.registration.echo"],
    ),
    f(
        "registration-accept-missing-fields",
        "registration accepts requests lacking required properties",
        &["oauth.registration.missing-required-refused"],
    ),
    f(
        "registration-accept-http",
        "registration accepts http:// URLs",
        &["oauth.registration.validates-metadata"],
    ),
    f(
        "registration-error-format",
        "a refused registration gets a body without `error`",
        &["oauth.registration.error"],
    ),
    f(
        "registration-missing-issued-at",
        "the registration response has no client_id_issued_at",
        &["oauth.registration.issued-at"],
    ),
    f(
        "registration-missing-expires-at",
        "the registration response has no client_secret_expires_at",
        &["oauth.registration.expires-at"],
    ),
    f(
        "registration-require-token",
        "registration demands an Initial Access Token (401 without Authorization)",
        &["oauth.registration.no-initial-token"],
    ),
    f(
        "registration-reuse-client-id",
        "the client_id is derived from software_id, so re-registering reuses it",
        &["oauth.registration.client-id-unique"],
    ),
    f(
        "registration-missing-client-id",
        "the registration response has no client_id",
        &["oauth.registration.client-id"],
    ),
    f(
        "registration-refused",
        "every registration request is refused with 403 access_denied",
        &["oauth.registration.endpoint"],
    ),
    // Authorization
    f(
        "redirect-unknown-uri",
        "an unregistered redirect_uri is redirected to with an error",
        &["oauth.redirect-uri.unknown-not-redirected"],
    ),
    f(
        "redirect-prefix-match",
        "a redirect_uri that extends a registered one is accepted",
        &["oauth.redirect-uri.exact-match"],
    ),
    f(
        "redirect-unknown-client",
        "an unknown client_id is redirected to the given redirect_uri",
        &["oauth.authorize.unknown-client"],
    ),
    f(
        "accept-any-response-type",
        "any response_type is treated as `code`",
        &["oauth.authorize.response-type"],
    ),
    f(
        "ignore-unknown-scope",
        "unknown scopes in the authorization request are dropped instead of refused",
        &["oauth.authorize.invalid-scope"],
    ),
    f(
        "authorize-widen-scope",
        "the code is granted every registered scope, not the requested ones",
        &["oauth.authorize.scope", "oauth.token.scope-subset"],
    ),
    f(
        "drop-state",
        "the success redirect leaves out `state`",
        &["oauth.state.echo"],
    ),
    f(
        "wrong-state",
        "the success redirect carries a `state` other than the one sent",
        &["oauth.state.echo"],
    ),
    f(
        "bad-error-charset",
        "error_description contains a double quote and a backslash",
        &["oauth.authorize.error-charset"],
    ),
    f(
        "deny-not-redirected",
        "when the user denies access an error page is shown instead of redirecting",
        &["oauth.authorize.error-redirect"],
    ),
    f(
        "drop-scope-param",
        "the success redirect leaves out `scope`",
        &["oauth.authorize.redirect-back"],
    ),
    f(
        "no-consent",
        "the authorization endpoint issues a code at once, without login or consent",
        &["oauth.authorize.consent"],
    ),
    f(
        "accept-missing-pkce",
        "an authorization request without code_challenge is accepted",
        &["oauth.pkce.missing-refused"],
    ),
    f(
        "authorize-no-code",
        "response_type=code is refused with unsupported_response_type",
        &["oauth.authorize.acg"],
    ),
    f(
        "accept-plain-pkce",
        "code_challenge_method=plain is accepted",
        &["oauth.pkce.plain-refused"],
    ),
    f(
        "accept-wrong-verifier",
        "a code_verifier that does not match the challenge is accepted",
        &["oauth.pkce.wrong-verifier-refused"],
    ),
    f(
        "accept-missing-verifier",
        "a token request without code_verifier is accepted",
        &["oauth.pkce.missing-verifier-refused"],
    ),
    f(
        "reject-s256",
        "the token endpoint compares the verifier with the S256 challenge as if plain",
        &["oauth.pkce.s256"],
    ),
    f(
        "reuse-code",
        "an authorization code can be exchanged more than once",
        &["oauth.code.single-use", "oauth.code.reuse-revokes"],
    ),
    f(
        "reuse-keeps-tokens",
        "a replayed code is refused but its tokens stay valid",
        &["oauth.code.reuse-revokes"],
    ),
    f(
        "ignore-code-redirect-uri",
        "the token request's redirect_uri is not compared with the code's",
        &["oauth.code.bound"],
    ),
    // Token endpoint
    f(
        "accept-bad-client-secret",
        "the token endpoint ignores the client secret",
        &["oauth.token.bad-client-refused"],
    ),
    f(
        "token-no-cache-control",
        "token responses lack Cache-Control: no-store",
        &["oauth.token.cache-control"],
    ),
    f(
        "token-no-pragma",
        "token responses lack Pragma: no-cache",
        &["oauth.token.pragma"],
    ),
    f(
        "token-type-mac",
        "token_type is \"mac\" instead of \"Bearer\"",
        &["oauth.token.response"],
    ),
    f(
        "wrong-unsupported-grant-error",
        "an unknown grant_type gets invalid_request instead of unsupported_grant_type",
        &["oauth.token.unsupported-grant"],
    ),
    f(
        "token-no-expires-in",
        "token responses lack expires_in",
        &["oauth.token.expires-in"],
    ),
    f(
        "empty-refresh-token",
        "token responses carry an empty refresh_token",
        &["oauth.token.refresh-token"],
    ),
    f(
        "token-error-not-json",
        "token errors are plain text without an `error` member",
        &["oauth.token.error"],
    ),
    f(
        "token-requires-json",
        "the token endpoint refuses form-encoded requests",
        &["oauth.token.form-encoded"],
    ),
    f(
        "token-rejects-basic",
        "the token endpoint refuses HTTP Basic client authentication",
        &["oauth.token.basic-auth"],
    ),
    f(
        "profile-rejects-token",
        "getProfile answers 401 to a valid token carrying its scope",
        &["oauth.token.access-token-works"],
    ),
    f(
        "accept-expired-tokens",
        "access tokens live 1 second (expires_in 1) but are accepted after expiry",
        &["oauth.token.expired-refused"],
    ),
    f(
        "refreshed-token-dead",
        "access tokens issued by a refresh are refused by the API",
        &["oauth.refresh.new-token-works"],
    ),
    f(
        "refresh-bad-token-401",
        "an unknown refresh token gets 401 invalid_client instead of 400 invalid_grant",
        &["oauth.refresh.errors"],
    ),
    // Refresh and revocation
    f(
        "refresh-same-token",
        "a refresh returns the previous access and refresh tokens",
        &["oauth.refresh.new-access-token"],
    ),
    f(
        "refresh-widen-scope",
        "a refresh may ask for more scope than was granted",
        &["oauth.refresh.scope-not-exceed"],
    ),
    f(
        "refresh-any-client",
        "a refresh token works for any authenticated client",
        &["oauth.refresh.client-auth"],
    ),
    f(
        "revocation-no-effect",
        "revoking an access token does not stop it working",
        &["oauth.revoke.later-calls-fail"],
    ),
    f(
        "revocation-keeps-refresh",
        "revoking a refresh token does not stop it working",
        &["oauth.revoke.refresh-tokens"],
    ),
    f(
        "revocation-unknown-400",
        "revoking an unknown token is answered 400",
        &["oauth.revoke.status-200"],
    ),
    f(
        "revocation-wrong-type-error",
        "an unsupported token_type_hint gets invalid_request instead of unsupported_token_type",
        &["oauth.revoke.unsupported-token-type"],
    ),
    f(
        "revocation-requires-json",
        "the revocation endpoint refuses form-encoded requests",
        &["oauth.revoke.request", "oauth.revoke.later-calls-fail"],
    ),
    // API authentication
    f(
        "accept-no-token",
        "API calls without a token are served",
        &["api.auth.token-required", "api.auth.unauthenticated-401"],
    ),
    f(
        "accept-no-scope",
        "any valid token works on every endpoint whatever its scope",
        &[
            "api.auth.scope.get-credentials",
            "api.auth.scope.upsert-credential",
            "api.auth.scope.get-profile",
            "api.auth.scope.put-profile",
            "api.auth.insufficient-scope-403",
        ],
    ),
    f(
        "no-www-authenticate",
        "401 responses lack WWW-Authenticate",
        &["api.auth.www-authenticate"],
    ),
    f(
        "unauthenticated-403",
        "a missing or invalid token gets 403 instead of 401",
        &["api.auth.unauthenticated-401"],
    ),
    f(
        "reject-bearer-header",
        "the Authorization: Bearer header is ignored, so every API call is 401",
        &["api.auth.bearer-header"],
    ),
    // API errors
    f(
        "invalid-imsx-body",
        "Imsx_StatusInfo bodies carry an extra member and a codeMinor outside the enum",
        &["api.errors.status-info-schema"],
    ),
    f(
        "no-allow-header",
        "405 responses lack the Allow header",
        &["api.errors.allow-header"],
    ),
    f(
        "error-body-html",
        "API error responses carry a text/html page instead of Imsx_StatusInfo",
        &["api.errors.status-info"],
    ),
    f(
        "malformed-json-500",
        "a malformed JSON upsert is answered 500",
        &[
            "api.errors.avoid-500",
            "api.errors.bad-request-400",
            "api.upsert.invalid-400",
        ],
    ),
    f(
        "wrong-method-404",
        "a disallowed method gets 404 instead of 405",
        &["api.errors.method-405"],
    ),
    f(
        "imsx-no-description",
        "error bodies carry only codeMajor and severity, no description or codeMinor",
        &["api.errors.explained"],
    ),
    f(
        "bad-request-422",
        "client errors get 422 instead of 400",
        &[
            "api.errors.bad-request-400",
            "api.upsert.invalid-400",
            "api.paging.invalid-params",
        ],
    ),
    // getCredentials
    f(
        "wrong-content-type",
        "getCredentials is sent as text/html",
        &["api.get-credentials.json"],
    ),
    f(
        "extra-response-member",
        "the getCredentials body has an extra `total` member",
        &["api.get-credentials.body-schema"],
    ),
    f(
        "jws-in-credential-array",
        "compact JWS credentials are put in `credential` instead of `compactJwsString`",
        &[
            "api.get-credentials.jws-in-compact-array",
            "api.get-credentials.body-schema",
        ],
    ),
    f(
        "tampered-credential",
        "credentials are altered after signing, so their proofs fail",
        &["api.get-credentials.verifiable"],
    ),
    f(
        "unsigned-credential",
        "credentials are served without their proof",
        &["api.get-credentials.verifiable"],
    ),
    f(
        "wrong-credential-type",
        "the first JSON credential is served typed AchievementCredential",
        &[
            "api.get-credentials.credential-type",
            "api.get-credentials.verifiable",
        ],
    ),
    f(
        "credentials-status-203",
        "getCredentials answers 203 instead of 200",
        &["api.get-credentials.status-200"],
    ),
    f(
        "credentials-get-501",
        "getCredentials answers 501 Not Implemented",
        &["api.get-credentials.supported"],
    ),
    // Paging
    f(
        "omit-x-total-count",
        "getCredentials has no X-Total-Count header",
        &["api.paging.x-total-count"],
    ),
    f(
        "x-total-count-page-size",
        "X-Total-Count gives the page size instead of the total",
        &["api.paging.x-total-count"],
    ),
    f(
        "no-link-next",
        "the Link header has no rel=\"next\" on incomplete pages",
        &["api.paging.link-next"],
    ),
    f(
        "no-link-prev",
        "the Link header has no rel=\"prev\" when offset > 0",
        &["api.paging.link-prev"],
    ),
    f(
        "no-link-first",
        "the Link header has no rel=\"first\"",
        &["api.paging.link-first"],
    ),
    f(
        "no-link-last",
        "the Link header has no rel=\"last\"",
        &["api.paging.link-last"],
    ),
    f(
        "no-link-header",
        "getCredentials never sends a Link header, even for incomplete pages",
        &["api.paging.link-when-incomplete", "api.paging.link-next"],
    ),
    f(
        "wrong-link-rels",
        "the Link relations are named forward/back/start/end instead of next/prev/first/last",
        &[
            "api.paging.link-next",
            "api.paging.link-prev",
            "api.paging.link-first",
            "api.paging.link-last",
        ],
    ),
    f(
        "ignore-limit",
        "`limit` is ignored: every page holds everything from offset on",
        &[
            "api.paging.limit",
            "api.paging.supported",
            "api.paging.walk-consistent",
        ],
    ),
    f(
        "ignore-offset",
        "`offset` is ignored: every page starts at the first credential",
        &["api.paging.offset", "api.paging.walk-consistent"],
    ),
    f("ignore-since", "`since` is ignored", &["api.paging.since"]),
    f(
        "accept-bad-paging-params",
        "invalid limit/offset/since values are ignored instead of refused",
        &["api.paging.invalid-params"],
    ),
    f(
        "link-bad-syntax",
        "the Link header drops the <> and quotes of RFC 8288",
        &["api.paging.link-syntax", "api.paging.link-when-complete"],
    ),
    f(
        "unstable-order",
        "every getCredentials call returns the credentials in a new random order",
        &["api.paging.walk-consistent"],
    ),
    f(
        "link-unfollowable",
        "Link URLs point at {base_path}/credentials/pages, which is not served",
        &["api.paging.link-followable", "api.paging.walk-consistent"],
    ),
    f(
        "bad-retry-after",
        "getCredentials sends Retry-After: soon (neither seconds nor an HTTP date)",
        &["api.paging.retry-after"],
    ),
    // upsertCredential
    f(
        "lose-upserts",
        "upserts are answered normally but never stored",
        &["api.upsert.persisted"],
    ),
    f(
        "always-201",
        "every upsert is answered 201, also a replace",
        &["api.upsert.replaced-200"],
    ),
    f(
        "always-200-on-upsert",
        "every upsert is answered 200, also a create",
        &["api.upsert.created-201"],
    ),
    f(
        "no-echo",
        "the upsert response body is not the credential that was sent",
        &["api.upsert.echo"],
    ),
    f(
        "echo-wrong-media-type",
        "the upsert response is always labelled application/json",
        &["api.upsert.echo-media-type"],
    ),
    f(
        "equality-exact-match",
        "credentials are matched by their raw ids (no percent-decoding or trimming)",
        &["api.upsert.equality"],
    ),
    f(
        "reject-jws-upsert",
        "a text/plain compact JWS upsert is refused",
        &["api.upsert.compact-jws"],
    ),
    f(
        "upsert-rejects-json",
        "an application/json credential upsert is refused",
        &["api.upsert.json"],
    ),
    f(
        "accept-invalid-credential",
        "an upsert body that is not a credential is answered 201",
        &["api.upsert.invalid-400"],
    ),
    f(
        "upsert-skip-schema",
        "an upsert that fails the credential schema (no credentialSubject) is stored and answered 201",
        &["api.upsert.schema-invalid-400"],
    ),
    f(
        "credentials-post-501",
        "upsertCredential answers 501 Not Implemented",
        &["api.upsert.supported"],
    ),
    // Profile
    f(
        "profile-wrong-id",
        "getProfile returns a Profile with another id",
        &["api.get-profile.cert-id"],
    ),
    f(
        "profile-missing-type",
        "the Profile from getProfile has no `type`",
        &["api.get-profile.body"],
    ),
    f(
        "lose-profile",
        "putProfile answers 200 but does not store the Profile",
        &["api.put-profile.persisted"],
    ),
    f(
        "profile-text-plain",
        "getProfile is sent as text/plain",
        &["api.get-profile.status-200"],
    ),
    f(
        "put-profile-rejects-json",
        "putProfile refuses application/json bodies",
        &["api.put-profile.json"],
    ),
    f(
        "accept-invalid-profile",
        "putProfile stores a body that is not a Profile and answers 200",
        &["api.put-profile.invalid-400"],
    ),
    f(
        "put-profile-204",
        "putProfile answers 204 with no body",
        &["api.put-profile.status"],
    ),
    f(
        "unknown-path-400",
        "unknown paths get 400 instead of 404",
        &["api.errors.not-found-404"],
    ),
    f(
        "api-wrong-base-path",
        "credentials and profile are served under /ims/clr/v2p1, not the base path",
        &["api.base-path"],
    ),
    f(
        "profile-404-bare",
        "getProfile answers 404 with an empty body, as for a user without a profile",
        &["api.get-profile.not-found"],
    ),
    f(
        "profile-get-501",
        "getProfile answers 501 Not Implemented",
        &["api.get-profile.supported"],
    ),
    // Transport
    f(
        "plain-http",
        "everything is served over plain HTTP, without TLS",
        &[
            "transport.tls.api",
            "transport.tls.oauth",
            "discovery.https",
            "transport.no-plain-http",
        ],
    ),
    f(
        "tls-wrong-hostname",
        "the self-signed certificate is issued for wrong-host.invalid, not the address served",
        &["transport.tls.certificate"],
    ),
    f(
        "tls-legacy-accepted",
        "a TLS 1.0 or 1.1 ClientHello is answered with a ServerHello choosing that version",
        &["transport.tls.no-legacy"],
    ),
    // Run evidence (issue 19): behaviours of a second independent host.
    f(
        "token-requires-form-client-id",
        "the token endpoint refuses a Basic-authenticated request unless client_id is also in the form (400 invalid_request \"Missing required parameters\")",
        &["oauth.token.basic-auth"],
    ),
    f(
        "password-grant",
        "the token endpoint grants grant_type=password for any username and a password of 6+ characters, without client authentication",
        &["oauth.token.password-grant-refused"],
    ),
    f(
        "revocation-trusts-hint",
        "a revocation whose token_type_hint names the wrong type revokes nothing (answered 200)",
        &["oauth.revoke.wrong-hint"],
    ),
    f(
        "revoke-refresh-keeps-access",
        "revoking a refresh token leaves the access tokens of its grant working",
        &["oauth.revoke.refresh-ends-access"],
    ),
    f(
        "upsert-match-id-only",
        "upserts are matched by id alone, so another issuer's credential with the same id is replaced",
        &["api.upsert.other-issuer-kept"],
    ),
    f(
        "upsert-scope-403",
        "upsertCredential answers 403 insufficient scope to every token, before looking at the body",
        &["api.upsert.json"],
    ),
];

/// Every fault, in a fixed order.
pub fn all_faults() -> &'static [Fault] {
    FAULTS
}

/// The fault called `name`.
pub fn fault(name: &str) -> Option<&'static Fault> {
    FAULTS.iter().find(|f| f.name == name)
}

/// Variants: behaviours met in real products that the rules allow. They
/// break nothing (`breaks` is empty); the suites must judge them correct.
/// Switched on like faults (`run --builtin --variant NAME`).
static VARIANTS: &[Fault] = &[
    f(
        "passwordless",
        "no login page: authorization needs a signed-in session cookie (else access_denied); the consent page has no password field",
        &[],
    ),
    f(
        "refuse-offline-access",
        "offline_access is neither advertised nor accepted (invalid_scope), as OB 3.0 uses it only in examples",
        &[],
    ),
    f(
        "refuse-refresh-grant",
        "registration refuses grant_types with refresh_token (invalid_client_metadata); no refresh tokens",
        &[],
    ),
    f(
        "other-scope-uris",
        "the SDD advertises (and the server enforces) its own scope URIs, https://scopes.example.org/<profile>/credential.readonly and so on, not the profile's",
        &[],
    ),
    // Run evidence (issue 19).
    f(
        "deterministic-tokens",
        "access tokens are derived from client, user, scope, grant and the issuing second, so a refresh in the same second returns the same bytes",
        &[],
    ),
];

/// Every variant, in a fixed order.
pub fn all_variants() -> &'static [Fault] {
    VARIANTS
}

/// The variant called `name`.
pub fn variant(name: &str) -> Option<&'static Fault> {
    VARIANTS.iter().find(|f| f.name == name)
}

/// The name of the session cookie the `passwordless` variant accepts.
pub const SESSION_COOKIE: &str = "clr_session";

#[cfg(test)]
mod variant_tests {
    use super::*;

    #[test]
    fn variants_are_wired_break_nothing_and_are_not_faults() {
        let sources = [
            include_str!("discovery.rs"),
            include_str!("server.rs"),
            include_str!("oauth/register.rs"),
            include_str!("oauth/authorize.rs"),
            include_str!("oauth/token.rs"),
        ]
        .concat();
        for v in all_variants() {
            assert!(v.breaks.is_empty(), "{}", v.name);
            assert!(fault(v.name).is_none(), "{} is also a fault", v.name);
            assert!(
                sources.contains(&format!("fault(\"{}\")", v.name)),
                "{}: never consulted",
                v.name
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn every_broken_id_exists_in_the_catalog() {
        let cat = Catalog::embedded();
        for f in all_faults() {
            assert!(!f.breaks.is_empty(), "{}: breaks nothing", f.name);
            for id in f.breaks {
                assert!(
                    cat.get(id).is_some(),
                    "{}: unknown requirement id {id}",
                    f.name
                );
            }
        }
    }

    #[test]
    fn every_fault_is_wired_into_the_provider() {
        let sources = [
            include_str!("discovery.rs"),
            include_str!("server.rs"),
            include_str!("api/mod.rs"),
            include_str!("api/credentials.rs"),
            include_str!("api/profile.rs"),
            include_str!("oauth/mod.rs"),
            include_str!("oauth/register.rs"),
            include_str!("oauth/authorize.rs"),
            include_str!("oauth/token.rs"),
            include_str!("oauth/revoke.rs"),
        ]
        .concat();
        for f in all_faults().iter().chain(all_variants()) {
            // Consulted directly, or through a (name, ...) table passed to `fault`.
            assert!(
                sources.contains(&format!("fault(\"{}\")", f.name))
                    || sources.contains(&format!("(\"{}\", ", f.name)),
                "{}: never consulted",
                f.name
            );
        }
    }

    #[test]
    fn names_are_unique_and_found() {
        for (i, f) in all_faults().iter().enumerate() {
            assert!(
                all_faults()[i + 1..].iter().all(|g| g.name != f.name),
                "{} twice",
                f.name
            );
            assert_eq!(fault(f.name), Some(f));
        }
        assert!(fault("no-such-fault").is_none());
    }
}
