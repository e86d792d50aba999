//! Fault injection: each fault makes the provider break one rule, so the
//! client-side suites can prove they catch it. `breaks` lists the catalog
//! ids that rule's violation makes fail (the primary id first; a few rules
//! necessarily take a dependent id down with them). Variants are behaviours
//! the rules allow, switched on the same way.
//!
//! Both form one closed enum, [`FaultId`], each entry declared once below:
//! the provider tests `FaultId`s, so a misspelt fault is a compile error, not
//! a check that silently never fires. Names are for the CLI and reports.

/// One fault or variant, as the CLI and reports show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fault {
    pub name: &'static str,
    pub description: &'static str,
    pub breaks: &'static [&'static str],
}

impl Fault {
    /// Whether this is the entry of `id`.
    pub fn is(&self, id: FaultId) -> bool {
        self.name == id.name()
    }
}

/// Declares [`FaultId`] and the table of its entries, each written once as
/// `CamelName("kebab-name", "description", [ids it breaks, at least one])`;
/// variants break nothing, so they have no list.
macro_rules! declare {
    (
        faults {
            $( $fid:ident($fname:literal, $fdesc:literal, [$($broken:literal),+ $(,)?] $(,)?), )+
        }
        variants {
            $( $vid:ident($vname:literal, $vdesc:literal $(,)?), )+
        }
    ) => {
        /// A fault or variant of the reference provider (each documented
        /// with its name; [`FaultId::info`] has the rest).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum FaultId {
            $( #[doc = concat!("`", $fname, "`")] $fid, )+
            $( #[doc = concat!("`", $vname, "`")] $vid, )+
        }

        impl FaultId {
            /// Every fault, then every variant, in declaration order.
            pub const ALL: &[FaultId] = &[$(FaultId::$fid,)+ $(FaultId::$vid,)+];

            /// The fault or variant called `name`.
            // A name declared twice is an unreachable arm.
            #[deny(unreachable_patterns)]
            pub fn from_name(name: &str) -> Option<FaultId> {
                match name {
                    $( $fname => Some(FaultId::$fid), )+
                    $( $vname => Some(FaultId::$vid), )+
                    _ => None,
                }
            }
        }

        /// Indexed by `FaultId as usize`: the faults, then the variants.
        static TABLE: &[Fault] = &[
            $( Fault { name: $fname, description: $fdesc, breaks: &[$($broken),+] }, )+
            $( Fault { name: $vname, description: $vdesc, breaks: &[] }, )+
        ];

        /// How many entries of `TABLE` are faults.
        const FAULT_COUNT: usize = [$($fname),+].len();
    };
}

declare! {
    faults {
        // Discovery
        ProtectDiscovery(
            "protect-discovery",
            "discovery answers 401 without an access token",
            ["discovery.unauthenticated"],
        ),
        SddMissingRegistrationUrl(
            "sdd-missing-registration-url",
            "the SDD has no OAuth2ACG.x-imssf-registrationUrl",
            ["discovery.oauth2acg.registration-url"],
        ),
        SddOtherScopeUris(
            "sdd-other-scope-uris",
            "the SDD advertises (and the server enforces) scope URIs other than the profile's, as the other-scope-uris variant does; here judged as the SHOULD it breaks",
            ["discovery.oauth2acg.scope-uris"],
        ),
        SddMissingTermsOfService(
            "sdd-missing-terms-of-service",
            "the SDD has no info.termsOfService",
            ["discovery.info.terms-of-service"],
        ),
        SddMissingPrivacyPolicy(
            "sdd-missing-privacy-policy",
            "the SDD has no info.x-imssf-privacyPolicyUrl",
            ["discovery.info.privacy-policy"],
        ),
        SddMissingInfoFields(
            "sdd-missing-info-fields",
            "the SDD has neither info.termsOfService nor info.x-imssf-privacyPolicyUrl",
            ["discovery.info.terms-of-service", "discovery.info.privacy-policy"],
        ),
        SddWrongSchemeType(
            "sdd-wrong-scheme-type",
            "OAuth2ACG.type is \"http\" instead of \"oauth2\"",
            ["discovery.oauth2acg.type"],
        ),
        SddExtraScheme(
            "sdd-extra-scheme",
            "components.securitySchemes also lists a BearerAuth scheme",
            ["discovery.oauth2acg.only-scheme"],
        ),
        SddMissingScope(
            "sdd-missing-scope",
            "the SDD scope map lacks the profile.update scope",
            ["discovery.oauth2acg.scopes"],
        ),
        SddHttpUrls(
            "sdd-http-urls",
            "the SDD gives the token URL with http://",
            ["discovery.oauth-urls-https"],
        ),
        SddNoOpenapi(
            "sdd-no-openapi",
            "the SDD has no `openapi` member",
            ["discovery.openapi"],
        ),
        SddMissingTitle(
            "sdd-missing-title",
            "the SDD has no info.title",
            ["discovery.info.title"],
        ),
        SddMissingVersion(
            "sdd-missing-version",
            "the SDD has no info.version",
            ["discovery.info.version"],
        ),
        SddMissingAuthorizationUrl(
            "sdd-missing-authorization-url",
            "the SDD has no flows.authorizationCode.authorizationUrl",
            ["discovery.oauth2acg.authorization-url"],
        ),
        SddMissingTokenUrl(
            "sdd-missing-token-url",
            "the SDD has no flows.authorizationCode.tokenUrl",
            ["discovery.oauth2acg.token-url"],
        ),
        SddMissingRefreshUrl(
            "sdd-missing-refresh-url",
            "the SDD has no refreshUrl although refresh tokens are issued",
            ["discovery.oauth2acg.refresh-url"],
        ),
        SddUnsupportedPath(
            "sdd-unsupported-path",
            "the SDD lists a DELETE /credentials operation the server does not offer",
            ["discovery.profiled"],
        ),
        DiscoveryTextPlain(
            "discovery-text-plain",
            "the SDD is sent as text/plain",
            ["discovery.status-200-json"],
        ),
        SddNoRevocationUrl(
            "sdd-no-revocation-url",
            "the SDD does not share the revocation endpoint",
            ["oauth.revoke.endpoint-shared"],
        ),
        NoRateLimit(
            "no-rate-limit",
            "discovery answers any number of requests (no 429)",
            ["discovery.rate-limited"],
        ),
        DiscoveryWrongPath(
            "discovery-wrong-path",
            "the SDD is served at /discovery, not under the base path",
            ["discovery.path"],
        ),
        SddBadImage(
            "sdd-bad-image",
            "info.x-imssf-image is a bare file name, neither a URL nor a data URI",
            ["discovery.info.image"],
        ),
        EtagIgnored(
            "etag-ignored",
            "the SDD carries an ETag but a matching If-None-Match is answered 200",
            ["discovery.cache.etag"],
        ),
        // Registration
        Registration200(
            "registration-200",
            "a successful registration is answered 200 instead of 201",
            ["oauth.registration.created-201"],
        ),
        RegistrationMissingSecret(
            "registration-missing-secret",
            "the registration response has no client_secret",
            ["oauth.registration.client-secret"],
        ),
        RegistrationNoEcho(
            "registration-no-echo",
            "the registration response leaves out redirect_uris and scope",
            ["oauth.registration.echo"],
        ),
        RegistrationAcceptMissingFields(
            "registration-accept-missing-fields",
            "registration accepts requests lacking required properties",
            ["oauth.registration.missing-required-refused"],
        ),
        RegistrationAcceptHttp(
            "registration-accept-http",
            "registration accepts http:// URLs",
            ["oauth.registration.validates-metadata"],
        ),
        RegistrationErrorFormat(
            "registration-error-format",
            "a refused registration gets a body without `error`",
            ["oauth.registration.error"],
        ),
        RegistrationMissingIssuedAt(
            "registration-missing-issued-at",
            "the registration response has no client_id_issued_at",
            ["oauth.registration.issued-at"],
        ),
        RegistrationMissingExpiresAt(
            "registration-missing-expires-at",
            "the registration response has no client_secret_expires_at",
            ["oauth.registration.expires-at"],
        ),
        RegistrationRequireToken(
            "registration-require-token",
            "registration demands an Initial Access Token (401 without Authorization)",
            ["oauth.registration.no-initial-token"],
        ),
        RegistrationReuseClientId(
            "registration-reuse-client-id",
            "the client_id is derived from software_id, so re-registering reuses it",
            ["oauth.registration.client-id-unique"],
        ),
        RegistrationMissingClientId(
            "registration-missing-client-id",
            "the registration response has no client_id",
            ["oauth.registration.client-id"],
        ),
        RegistrationRefused(
            "registration-refused",
            "every registration request is refused with 403 access_denied",
            ["oauth.registration.endpoint"],
        ),
        // Authorization
        RedirectUnknownUri(
            "redirect-unknown-uri",
            "an unregistered redirect_uri is redirected to with an error",
            ["oauth.redirect-uri.unknown-not-redirected"],
        ),
        RedirectPrefixMatch(
            "redirect-prefix-match",
            "a redirect_uri that extends a registered one is accepted",
            ["oauth.redirect-uri.exact-match"],
        ),
        RedirectUnknownClient(
            "redirect-unknown-client",
            "an unknown client_id is redirected to the given redirect_uri",
            ["oauth.authorize.unknown-client"],
        ),
        AcceptAnyResponseType(
            "accept-any-response-type",
            "any response_type is treated as `code`",
            ["oauth.authorize.response-type"],
        ),
        IgnoreUnknownScope(
            "ignore-unknown-scope",
            "unknown scopes in the authorization request are dropped instead of refused",
            ["oauth.authorize.invalid-scope"],
        ),
        AuthorizeWidenScope(
            "authorize-widen-scope",
            "the code is granted every registered scope, not the requested ones",
            ["oauth.authorize.scope", "oauth.token.scope-subset"],
        ),
        DropState(
            "drop-state",
            "the success redirect leaves out `state`",
            ["oauth.state.echo"],
        ),
        WrongState(
            "wrong-state",
            "the success redirect carries a `state` other than the one sent",
            ["oauth.state.echo"],
        ),
        BadErrorCharset(
            "bad-error-charset",
            "error_description contains a double quote and a backslash",
            ["oauth.authorize.error-charset"],
        ),
        DenyNotRedirected(
            "deny-not-redirected",
            "when the user denies access an error page is shown instead of redirecting",
            ["oauth.authorize.error-redirect"],
        ),
        DropScopeParam(
            "drop-scope-param",
            "the success redirect leaves out `scope`",
            ["oauth.authorize.redirect-back"],
        ),
        NoConsent(
            "no-consent",
            "the authorization endpoint issues a code at once, without login or consent",
            ["oauth.authorize.consent"],
        ),
        AcceptMissingPkce(
            "accept-missing-pkce",
            "an authorization request without code_challenge is accepted",
            ["oauth.pkce.missing-refused"],
        ),
        AuthorizeNoCode(
            "authorize-no-code",
            "response_type=code is refused with unsupported_response_type",
            ["oauth.authorize.acg"],
        ),
        AcceptPlainPkce(
            "accept-plain-pkce",
            "code_challenge_method=plain is accepted",
            ["oauth.pkce.plain-refused"],
        ),
        AcceptWrongVerifier(
            "accept-wrong-verifier",
            "a code_verifier that does not match the challenge is accepted",
            ["oauth.pkce.wrong-verifier-refused"],
        ),
        AcceptMissingVerifier(
            "accept-missing-verifier",
            "a token request without code_verifier is accepted",
            ["oauth.pkce.missing-verifier-refused"],
        ),
        RejectS256(
            "reject-s256",
            "the token endpoint compares the verifier with the S256 challenge as if plain",
            ["oauth.pkce.s256"],
        ),
        ReuseCode(
            "reuse-code",
            "an authorization code can be exchanged more than once",
            ["oauth.code.single-use", "oauth.code.reuse-revokes"],
        ),
        ReuseKeepsTokens(
            "reuse-keeps-tokens",
            "a replayed code is refused but its tokens stay valid",
            ["oauth.code.reuse-revokes"],
        ),
        IgnoreCodeRedirectUri(
            "ignore-code-redirect-uri",
            "the token request's redirect_uri is not compared with the code's",
            ["oauth.code.bound"],
        ),
        // Token endpoint
        AcceptBadClientSecret(
            "accept-bad-client-secret",
            "the token endpoint ignores the client secret",
            ["oauth.token.bad-client-refused"],
        ),
        TokenNoCacheControl(
            "token-no-cache-control",
            "token responses lack Cache-Control: no-store",
            ["oauth.token.cache-control"],
        ),
        TokenNoPragma(
            "token-no-pragma",
            "token responses lack Pragma: no-cache",
            ["oauth.token.pragma"],
        ),
        TokenTypeMac(
            "token-type-mac",
            "token_type is \"mac\" instead of \"Bearer\"",
            ["oauth.token.response"],
        ),
        WrongUnsupportedGrantError(
            "wrong-unsupported-grant-error",
            "an unknown grant_type gets invalid_request instead of unsupported_grant_type",
            ["oauth.token.unsupported-grant"],
        ),
        TokenNoExpiresIn(
            "token-no-expires-in",
            "token responses lack expires_in",
            ["oauth.token.expires-in"],
        ),
        EmptyRefreshToken(
            "empty-refresh-token",
            "token responses carry an empty refresh_token",
            ["oauth.token.refresh-token"],
        ),
        TokenErrorNotJson(
            "token-error-not-json",
            "token errors are plain text without an `error` member",
            ["oauth.token.error"],
        ),
        TokenRequiresJson(
            "token-requires-json",
            "the token endpoint refuses form-encoded requests",
            ["oauth.token.form-encoded"],
        ),
        TokenRejectsBasic(
            "token-rejects-basic",
            "the token endpoint refuses HTTP Basic client authentication",
            ["oauth.token.basic-auth"],
        ),
        ProfileRejectsToken(
            "profile-rejects-token",
            "getProfile answers 401 to a valid token carrying its scope",
            ["oauth.token.access-token-works"],
        ),
        AcceptExpiredTokens(
            "accept-expired-tokens",
            "access tokens live 1 second (expires_in 1) but are accepted after expiry",
            ["oauth.token.expired-refused"],
        ),
        RefreshedTokenDead(
            "refreshed-token-dead",
            "access tokens issued by a refresh are refused by the API",
            ["oauth.refresh.new-token-works"],
        ),
        RefreshBadToken401(
            "refresh-bad-token-401",
            "an unknown refresh token gets 401 invalid_client instead of 400 invalid_grant",
            ["oauth.refresh.errors"],
        ),
        // Refresh and revocation
        RefreshSameToken(
            "refresh-same-token",
            "a refresh returns the previous access and refresh tokens",
            ["oauth.refresh.new-access-token"],
        ),
        RefreshWidenScope(
            "refresh-widen-scope",
            "a refresh may ask for more scope than was granted",
            ["oauth.refresh.scope-not-exceed"],
        ),
        RefreshAnyClient(
            "refresh-any-client",
            "a refresh token works for any authenticated client",
            ["oauth.refresh.client-auth"],
        ),
        RevocationNoEffect(
            "revocation-no-effect",
            "revoking an access token does not stop it working",
            ["oauth.revoke.later-calls-fail"],
        ),
        RevocationKeepsRefresh(
            "revocation-keeps-refresh",
            "revoking a refresh token does not stop it working",
            ["oauth.revoke.refresh-tokens"],
        ),
        RevocationUnknown400(
            "revocation-unknown-400",
            "revoking an unknown token is answered 400",
            ["oauth.revoke.status-200"],
        ),
        RevocationWrongTypeError(
            "revocation-wrong-type-error",
            "an unsupported token_type_hint gets invalid_request instead of unsupported_token_type",
            ["oauth.revoke.unsupported-token-type"],
        ),
        RevocationRequiresJson(
            "revocation-requires-json",
            "the revocation endpoint refuses form-encoded requests",
            ["oauth.revoke.request", "oauth.revoke.later-calls-fail"],
        ),
        // API authentication
        AcceptNoToken(
            "accept-no-token",
            "API calls without a token are served",
            ["api.auth.token-required", "api.auth.unauthenticated-401"],
        ),
        AcceptNoScope(
            "accept-no-scope",
            "any valid token works on every endpoint whatever its scope",
            [
                "api.auth.scope.get-credentials",
                "api.auth.scope.upsert-credential",
                "api.auth.scope.get-profile",
                "api.auth.scope.put-profile",
                "api.auth.insufficient-scope-403",
            ],
        ),
        NoWwwAuthenticate(
            "no-www-authenticate",
            "401 responses lack WWW-Authenticate",
            ["api.auth.www-authenticate"],
        ),
        Unauthenticated403(
            "unauthenticated-403",
            "a missing or invalid token gets 403 instead of 401",
            ["api.auth.unauthenticated-401"],
        ),
        RejectBearerHeader(
            "reject-bearer-header",
            "the Authorization: Bearer header is ignored, so every API call is 401",
            ["api.auth.bearer-header"],
        ),
        // API errors
        InvalidImsxBody(
            "invalid-imsx-body",
            "Imsx_StatusInfo bodies carry an extra member and a codeMinor outside the enum",
            ["api.errors.status-info-schema"],
        ),
        NoAllowHeader(
            "no-allow-header",
            "405 responses lack the Allow header",
            ["api.errors.allow-header"],
        ),
        ErrorBodyHtml(
            "error-body-html",
            "API error responses carry a text/html page instead of Imsx_StatusInfo",
            ["api.errors.status-info"],
        ),
        MalformedJson500(
            "malformed-json-500",
            "a malformed JSON upsert is answered 500",
            ["api.errors.avoid-500", "api.errors.bad-request-400", "api.upsert.invalid-400"],
        ),
        WrongMethod404(
            "wrong-method-404",
            "a disallowed method gets 404 instead of 405",
            ["api.errors.method-405"],
        ),
        ImsxNoDescription(
            "imsx-no-description",
            "error bodies carry only codeMajor and severity, no description or codeMinor",
            ["api.errors.explained"],
        ),
        BadRequest422(
            "bad-request-422",
            "client errors get 422 instead of 400",
            ["api.errors.bad-request-400", "api.upsert.invalid-400", "api.paging.invalid-params"],
        ),
        // getCredentials
        WrongContentType(
            "wrong-content-type",
            "getCredentials is sent as text/html",
            ["api.get-credentials.json"],
        ),
        ExtraResponseMember(
            "extra-response-member",
            "the getCredentials body has an extra `total` member",
            ["api.get-credentials.body-schema"],
        ),
        JwsInCredentialArray(
            "jws-in-credential-array",
            "compact JWS credentials are put in `credential` instead of `compactJwsString`",
            ["api.get-credentials.jws-in-compact-array", "api.get-credentials.body-schema"],
        ),
        TamperedCredential(
            "tampered-credential",
            "credentials are altered after signing, so their proofs fail",
            ["api.get-credentials.verifiable"],
        ),
        UnsignedCredential(
            "unsigned-credential",
            "credentials are served without their proof",
            ["api.get-credentials.verifiable"],
        ),
        WrongCredentialType(
            "wrong-credential-type",
            "the first JSON credential is served typed AchievementCredential",
            ["api.get-credentials.credential-type", "api.get-credentials.verifiable"],
        ),
        CredentialsStatus203(
            "credentials-status-203",
            "getCredentials answers 203 instead of 200",
            ["api.get-credentials.status-200"],
        ),
        CredentialsGet501(
            "credentials-get-501",
            "getCredentials answers 501 Not Implemented",
            ["api.get-credentials.supported"],
        ),
        // Paging
        OmitXTotalCount(
            "omit-x-total-count",
            "getCredentials has no X-Total-Count header",
            ["api.paging.x-total-count"],
        ),
        XTotalCountPageSize(
            "x-total-count-page-size",
            "X-Total-Count gives the page size instead of the total",
            ["api.paging.x-total-count"],
        ),
        NoLinkNext(
            "no-link-next",
            "the Link header has no rel=\"next\" on incomplete pages",
            ["api.paging.link-next"],
        ),
        NoLinkPrev(
            "no-link-prev",
            "the Link header has no rel=\"prev\" when offset > 0",
            ["api.paging.link-prev"],
        ),
        NoLinkFirst(
            "no-link-first",
            "the Link header has no rel=\"first\"",
            ["api.paging.link-first"],
        ),
        NoLinkLast(
            "no-link-last",
            "the Link header has no rel=\"last\"",
            ["api.paging.link-last"],
        ),
        NoLinkHeader(
            "no-link-header",
            "getCredentials never sends a Link header, even for incomplete pages",
            ["api.paging.link-when-incomplete", "api.paging.link-next"],
        ),
        WrongLinkRels(
            "wrong-link-rels",
            "the Link relations are named forward/back/start/end instead of next/prev/first/last",
            [
                "api.paging.link-next",
                "api.paging.link-prev",
                "api.paging.link-first",
                "api.paging.link-last",
            ],
        ),
        IgnoreLimit(
            "ignore-limit",
            "`limit` is ignored: every page holds everything from offset on",
            ["api.paging.limit", "api.paging.supported", "api.paging.walk-consistent"],
        ),
        IgnoreOffset(
            "ignore-offset",
            "`offset` is ignored: every page starts at the first credential",
            ["api.paging.offset", "api.paging.walk-consistent"],
        ),
        IgnoreSince(
            "ignore-since",
            "`since` is ignored",
            ["api.paging.since"],
        ),
        AcceptBadPagingParams(
            "accept-bad-paging-params",
            "invalid limit/offset/since values are ignored instead of refused",
            ["api.paging.invalid-params"],
        ),
        LinkBadSyntax(
            "link-bad-syntax",
            "the Link header drops the <> and quotes of RFC 8288",
            ["api.paging.link-syntax", "api.paging.link-when-complete"],
        ),
        UnstableOrder(
            "unstable-order",
            "every getCredentials call returns the credentials in a new order (rotated one place further than the last call)",
            ["api.paging.walk-consistent"],
        ),
        LinkUnfollowable(
            "link-unfollowable",
            "Link URLs point at {base_path}/credentials/pages, which is not served",
            ["api.paging.link-followable", "api.paging.walk-consistent"],
        ),
        BadRetryAfter(
            "bad-retry-after",
            "getCredentials sends Retry-After: soon (neither seconds nor an HTTP date)",
            ["api.paging.retry-after"],
        ),
        // upsertCredential
        LoseUpserts(
            "lose-upserts",
            "upserts are answered normally but never stored",
            ["api.upsert.persisted"],
        ),
        Always201(
            "always-201",
            "every upsert is answered 201, also a replace",
            ["api.upsert.replaced-200"],
        ),
        Always200OnUpsert(
            "always-200-on-upsert",
            "every upsert is answered 200, also a create",
            ["api.upsert.created-201"],
        ),
        NoEcho(
            "no-echo",
            "the upsert response body is not the credential that was sent",
            ["api.upsert.echo"],
        ),
        EchoWrongMediaType(
            "echo-wrong-media-type",
            "the upsert response is always labelled application/json",
            ["api.upsert.echo-media-type"],
        ),
        EqualityExactMatch(
            "equality-exact-match",
            "credentials are matched by their raw ids (no percent-decoding or trimming)",
            ["api.upsert.equality"],
        ),
        RejectJwsUpsert(
            "reject-jws-upsert",
            "a text/plain compact JWS upsert is refused",
            ["api.upsert.compact-jws"],
        ),
        UpsertRejectsJson(
            "upsert-rejects-json",
            "an application/json credential upsert is refused",
            ["api.upsert.json"],
        ),
        AcceptInvalidCredential(
            "accept-invalid-credential",
            "an upsert body that is not a credential is answered 201",
            ["api.upsert.invalid-400"],
        ),
        UpsertSkipSchema(
            "upsert-skip-schema",
            "an upsert that fails the credential schema (no credentialSubject) is stored and answered 201",
            ["api.upsert.schema-invalid-400"],
        ),
        CredentialsPost501(
            "credentials-post-501",
            "upsertCredential answers 501 Not Implemented",
            ["api.upsert.supported"],
        ),
        // Profile
        ProfileWrongId(
            "profile-wrong-id",
            "getProfile returns a Profile with another id",
            ["api.get-profile.cert-id"],
        ),
        ProfileMissingType(
            "profile-missing-type",
            "the Profile from getProfile has no `type`",
            ["api.get-profile.body"],
        ),
        LoseProfile(
            "lose-profile",
            "putProfile answers 200 but does not store the Profile",
            ["api.put-profile.persisted"],
        ),
        ProfileTextPlain(
            "profile-text-plain",
            "getProfile is sent as text/plain",
            ["api.get-profile.status-200"],
        ),
        PutProfileRejectsJson(
            "put-profile-rejects-json",
            "putProfile refuses application/json bodies",
            ["api.put-profile.json"],
        ),
        AcceptInvalidProfile(
            "accept-invalid-profile",
            "putProfile stores a body that is not a Profile and answers 200",
            ["api.put-profile.invalid-400"],
        ),
        PutProfile204(
            "put-profile-204",
            "putProfile answers 204 with no body",
            ["api.put-profile.status"],
        ),
        UnknownPath400(
            "unknown-path-400",
            "unknown paths get 400 instead of 404",
            ["api.errors.not-found-404"],
        ),
        ApiWrongBasePath(
            "api-wrong-base-path",
            "credentials and profile are served under /ims/clr/v2p1, not the base path",
            ["api.base-path"],
        ),
        Profile404Bare(
            "profile-404-bare",
            "getProfile answers 404 with an empty body, as for a user without a profile",
            ["api.get-profile.not-found"],
        ),
        ProfileGet501(
            "profile-get-501",
            "getProfile answers 501 Not Implemented",
            ["api.get-profile.supported"],
        ),
        // Transport
        PlainHttp(
            "plain-http",
            "everything is served over plain HTTP, without TLS",
            [
                "transport.tls.api",
                "transport.tls.oauth",
                "discovery.https",
                "transport.no-plain-http",
            ],
        ),
        TlsWrongHostname(
            "tls-wrong-hostname",
            "the self-signed certificate is issued for wrong-host.invalid, not the address served",
            ["transport.tls.certificate"],
        ),
        TlsLegacyAccepted(
            "tls-legacy-accepted",
            "a TLS 1.0 or 1.1 ClientHello is answered with a ServerHello choosing that version",
            ["transport.tls.no-legacy"],
        ),
        // Run evidence (issue 19): behaviours of a second independent host.
        TokenRequiresFormClientId(
            "token-requires-form-client-id",
            "the token endpoint refuses a Basic-authenticated request unless client_id is also in the form (400 invalid_request \"Missing required parameters\")",
            ["oauth.token.basic-auth"],
        ),
        PasswordGrant(
            "password-grant",
            "the token endpoint grants grant_type=password for any username and a password of 6+ characters, without client authentication",
            ["oauth.token.password-grant-refused"],
        ),
        RevocationTrustsHint(
            "revocation-trusts-hint",
            "a revocation whose token_type_hint names the wrong type revokes nothing (answered 200)",
            ["oauth.revoke.wrong-hint"],
        ),
        RevokeRefreshKeepsAccess(
            "revoke-refresh-keeps-access",
            "revoking a refresh token leaves the access tokens of its grant working",
            ["oauth.revoke.refresh-ends-access"],
        ),
        UpsertMatchIdOnly(
            "upsert-match-id-only",
            "upserts are matched by id alone, so another issuer's credential with the same id is replaced",
            ["api.upsert.other-issuer-kept"],
        ),
        UpsertScope403(
            "upsert-scope-403",
            "upsertCredential answers 403 insufficient scope to every token, before looking at the body",
            ["api.upsert.json"],
        ),
    }
    // Variants: behaviours met in real products that the rules allow; the
    // suites must judge them correct (`run --builtin --variant NAME`).
    variants {
        Passwordless(
            "passwordless",
            "no login page: authorization needs a signed-in session cookie (else access_denied); the consent page has no password field",
        ),
        RefuseOfflineAccess(
            "refuse-offline-access",
            "offline_access is neither advertised nor accepted (invalid_scope), as OB 3.0 uses it only in examples",
        ),
        RefuseRefreshGrant(
            "refuse-refresh-grant",
            "registration refuses grant_types with refresh_token (invalid_client_metadata); no refresh tokens",
        ),
        OtherScopeUris(
            "other-scope-uris",
            "the SDD advertises (and the server enforces) its own scope URIs, https://scopes.example.org/<profile>/credential.readonly and so on, not the profile's",
        ),
        // Run evidence (issue 19).
        DeterministicTokens(
            "deterministic-tokens",
            "access tokens are derived from client, user, scope, grant and the issuing second, so a refresh in the same second returns the same bytes",
        ),
    }
}

impl FaultId {
    /// Name, description and broken ids.
    pub fn info(self) -> &'static Fault {
        &TABLE[self as usize]
    }

    /// The kebab-case name users give, e.g. `protect-discovery`.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// A correct variant rather than a fault.
    pub fn is_variant(self) -> bool {
        self as usize >= FAULT_COUNT
    }
}

impl std::fmt::Display for FaultId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Every fault, in a fixed order.
pub fn all_faults() -> &'static [Fault] {
    &TABLE[..FAULT_COUNT]
}

/// The fault called `name`.
pub fn fault(name: &str) -> Option<&'static Fault> {
    FaultId::from_name(name)
        .filter(|id| !id.is_variant())
        .map(FaultId::info)
}

/// Every variant, in a fixed order.
pub fn all_variants() -> &'static [Fault] {
    &TABLE[FAULT_COUNT..]
}

/// The variant called `name`.
pub fn variant(name: &str) -> Option<&'static Fault> {
    FaultId::from_name(name)
        .filter(|id| id.is_variant())
        .map(FaultId::info)
}

/// The name of the session cookie the `passwordless` variant accepts.
pub const SESSION_COOKIE: &str = "clr_session";

// That every entry changes the provider (none is declared but never tested)
// is shown by its effect: tests/provider.rs probes each fault and variant
// with it on and off.
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
    fn variants_break_nothing_and_are_not_faults() {
        assert!(!all_variants().is_empty());
        for v in all_variants() {
            assert!(v.breaks.is_empty(), "{}", v.name);
            assert!(fault(v.name).is_none(), "{} is also a fault", v.name);
            assert_eq!(variant(v.name), Some(v));
        }
        for f in all_faults() {
            assert!(variant(f.name).is_none(), "{} is also a variant", f.name);
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

    #[test]
    fn ids_and_names_map_both_ways() {
        assert_eq!(
            FaultId::ALL.len(),
            all_faults().len() + all_variants().len()
        );
        let table = all_faults().iter().chain(all_variants());
        for (&id, entry) in FaultId::ALL.iter().zip(table) {
            assert_eq!(id.info(), entry);
            assert_eq!(FaultId::from_name(id.name()), Some(id));
            assert!(entry.is(id));
            assert_eq!(id.is_variant(), variant(entry.name).is_some());
        }
        assert_eq!(FaultId::ProtectDiscovery.name(), "protect-discovery");
        assert_eq!(FaultId::from_name("no-such-fault"), None);
    }
}
