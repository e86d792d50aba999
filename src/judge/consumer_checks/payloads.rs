//! No extension fields: the members of a registration request and the
//! parameters of token and revocation requests are the ones their RFCs
//! define (RFC 7591 §2, RFC 6749 §4.1.3/§6, RFC 7636 §4.5, RFC 7009 §2.1).

use super::{Ctx, REGISTER, TOKEN};
use crate::evidence::Recorder;
use crate::judge::exchange::{form, header, json_body};
use crate::registry::CheckSpec;

const NO_EXTENSIONS: &str = "consumer.no-extension-fields";
const REVOKE: &str = "/oauth/revoke";

const METADATA: &[&str] = &[
    "redirect_uris",
    "token_endpoint_auth_method",
    "grant_types",
    "response_types",
    "client_name",
    "client_uri",
    "logo_uri",
    "scope",
    "contacts",
    "tos_uri",
    "policy_uri",
    "jwks_uri",
    "jwks",
    "software_id",
    "software_version",
    "software_statement",
];
/// Metadata that may carry a language tag, e.g. `client_name#fr` (RFC 7591 §2.2).
const LOCALIZED: &[&str] = &[
    "client_name",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
];
const TOKEN_PARAMS: &[&str] = &[
    "grant_type",
    "code",
    "redirect_uri",
    "client_id",
    "client_secret",
    "code_verifier",
    "refresh_token",
    "scope",
];
const REVOKE_PARAMS: &[&str] = &["token", "token_type_hint", "client_id", "client_secret"];
/// The checks this step records, as the registry lists them.
pub const CHECKS: &[CheckSpec] = &[CheckSpec {
    at: crate::registry::here!(),
    name: "consumer sends no extension fields",
    ids: &[NO_EXTENSIONS],
}];

/// Whether `key` is a registration metadata name.
pub fn is_metadata(key: &str) -> bool {
    match key.split_once('#') {
        Some((base, tag)) => !tag.is_empty() && LOCALIZED.contains(&base),
        None => METADATA.contains(&key),
    }
}

pub fn run(ctx: &Ctx, rec: &mut Recorder) {
    let mut c = CHECKS[0].start();
    let mut seen = false;
    for i in ctx.find("POST", REGISTER) {
        let Some(serde_json::Value::Object(m)) = json_body(&ctx.ex[i]) else {
            continue;
        };
        seen = true;
        ctx.cite(&mut c, i);
        let extra: Vec<&String> = m.keys().filter(|k| !is_metadata(k)).collect();
        c.ensure(
            NO_EXTENSIONS,
            extra.is_empty(),
            format!("registration request members outside RFC 7591: {extra:?}"),
        );
    }
    for (path, known) in [(TOKEN, TOKEN_PARAMS), (REVOKE, REVOKE_PARAMS)] {
        for i in ctx.find("POST", path) {
            let ctype = header(&ctx.ex[i], "content-type").unwrap_or("");
            if !ctype
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
            {
                // Not a form: the token and revocation checks judge the media type.
                continue;
            }
            seen = true;
            ctx.cite(&mut c, i);
            let f = form(&ctx.ex[i]);
            let extra: Vec<&str> = f
                .iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| !known.contains(k))
                .collect();
            c.ensure(
                NO_EXTENSIONS,
                extra.is_empty(),
                format!("{path} parameters outside the RFCs: {extra:?}"),
            );
        }
    }
    if !seen {
        c.skip(
            NO_EXTENSIONS,
            "no registration, token or revocation request was recorded",
        );
    }
    rec.finish(c);
}
