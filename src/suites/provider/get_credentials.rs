//! getCredentials: `GET {base}/credentials` answers 200 `application/json`
//! with a GetClrCredentialsResponse (`credential` objects and/or
//! `compactJwsString` strings, nothing else), and every credential it returns
//! is verifiable [FACTS §1.2, §1.4; OB-CERT Service Provider (Read)].
//! Paging is judged in `paging.rs`.

use super::Ctx;
use crate::evidence::{Recorder, Verdict};
use crate::http::{Exchange, Failure, Req};
use crate::registry::CheckSpec;
use base64::Engine;
use serde_json::Value;

pub const STATUS: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "getCredentials: 200 application/json",
    ids: &[
        "api.get-credentials.supported",
        "api.get-credentials.status-200",
        "api.get-credentials.json",
        "api.base-path",
        "api.auth.bearer-header",
        "oauth.token.access-token-works",
    ],
};
pub const SHAPE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "getCredentials: GetClrCredentialsResponse shape",
    ids: &[
        "api.get-credentials.body-schema",
        "api.get-credentials.jws-in-compact-array",
        "api.get-credentials.credential-type",
    ],
};
pub const VERIFIABLE: CheckSpec = CheckSpec {
    at: crate::registry::here!(),
    name: "getCredentials: every returned credential verifies",
    ids: &["api.get-credentials.verifiable"],
};

pub const CHECKS: &[CheckSpec] = &[STATUS, SHAPE, VERIFIABLE];

/// Compact JWS pattern of the response schema.
pub fn is_compact_jws(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    let b64 = |p: &str| {
        p.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    };
    parts.len() == 3 && !parts[0].is_empty() && !parts[2].is_empty() && parts.iter().all(|p| b64(p))
}

/// One returned credential.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Json(Value),
    Jws(String),
}

impl Item {
    /// The credential as JSON (a JWS payload decoded; VC 1.1 `vc` claim unwrapped).
    pub fn credential(&self) -> Option<Value> {
        match self {
            Item::Json(v) => Some(v.clone()),
            Item::Jws(s) => {
                let payload = s.split('.').nth(1)?;
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(payload)
                    .ok()?;
                let v: Value = serde_json::from_slice(&bytes).ok()?;
                Some(v.get("vc").cloned().unwrap_or(v))
            }
        }
    }

    /// The equality key: (issuer.id, id), percent-decoded and trimmed [OB §10].
    pub fn key(&self) -> Option<(String, String)> {
        key(&self.credential()?)
    }
}

/// The credential equality key of a JSON credential.
pub fn key(v: &Value) -> Option<(String, String)> {
    let norm = |s: &str| {
        url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let issuer = match v.get("issuer")? {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.get("id")?.as_str()?,
        _ => return None,
    };
    Some((norm(issuer), norm(v.get("id")?.as_str()?)))
}

/// Every credential in a response body, in order (`credential` first).
pub fn items(v: &Value) -> Vec<Item> {
    let mut out = Vec::new();
    if let Some(a) = v.get("credential").and_then(Value::as_array) {
        out.extend(a.iter().cloned().map(Item::Json));
    }
    if let Some(a) = v.get("compactJwsString").and_then(Value::as_array) {
        out.extend(
            a.iter()
                .filter_map(Value::as_str)
                .map(|s| Item::Jws(s.to_string())),
        );
    }
    out
}

/// Problems with the GetClrCredentialsResponse structure (empty = fine).
pub fn shape_problems(v: &Value) -> Vec<String> {
    let Some(o) = v.as_object() else {
        return vec!["response body is not a JSON object".into()];
    };
    let mut out = Vec::new();
    for k in o.keys() {
        if k != "credential" && k != "compactJwsString" {
            out.push(format!(
                "{k}: member not allowed (only credential and compactJwsString)"
            ));
        }
    }
    match o.get("credential") {
        None => {}
        Some(Value::Array(a)) => {
            for (i, c) in a.iter().enumerate() {
                if !c.is_object() {
                    out.push(format!("credential[{i}]: not a JSON object"));
                }
            }
        }
        Some(_) => out.push("credential: not an array".into()),
    }
    match o.get("compactJwsString") {
        None => {}
        Some(Value::Array(a)) => {
            for (i, c) in a.iter().enumerate() {
                if !c.as_str().is_some_and(is_compact_jws) {
                    out.push(format!("compactJwsString[{i}]: not a compact JWS"));
                }
            }
        }
        Some(_) => out.push("compactJwsString: not an array".into()),
    }
    out
}

/// `GET /credentials{query}` with `token`.
pub async fn get(
    ctx: &mut Ctx,
    token: &str,
    query: &str,
    label: &str,
) -> Result<Exchange, Failure> {
    let url = ctx.api_url(&format!("/credentials{query}"));
    ctx.send(
        Req::get(url, label)
            .bearer(token)
            .header("Accept", "application/json"),
    )
    .await
}

pub async fn run(ctx: &mut Ctx) {
    // Need::Login: without a token the runner closed these checks.
    let Ok(token) = ctx.token() else { return };
    let ex = match get(ctx, &token, "", "getCredentials").await {
        Ok(ex) => ex,
        Err(f) => {
            for spec in CHECKS {
                ctx.transport_error(spec.start(), &f);
            }
            return;
        }
    };
    judge_status(ctx, &ex, "getCredentials");
    let mut c = SHAPE.start();
    c.subject(&ex.url).cite(&ex.tx);
    let Some(v) = ex.json().filter(|_| ex.status == 200) else {
        c.all(
            Verdict::Fail,
            &format!("{}: no JSON response body to judge", ex.brief()),
        );
        ctx.finish(c);
        ctx.blocked(
            VERIFIABLE.start(),
            "getCredentials returned no credentials to verify",
        );
        return;
    };
    let problems = shape_problems(&v);
    if problems.is_empty() {
        c.pass(
            "api.get-credentials.body-schema",
            "only credential[] objects and compactJwsString[] strings",
        );
    }
    for p in problems {
        c.fail("api.get-credentials.body-schema", p);
    }
    let misplaced = v
        .get("credential")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|x| x.as_str().is_some_and(is_compact_jws))
                .count()
        })
        .unwrap_or(0);
    c.ensure(
        "api.get-credentials.jws-in-compact-array",
        misplaced == 0,
        format!(
            "VC-JWT credentials are in compactJwsString, not credential: {misplaced} misplaced"
        ),
    );
    let list = items(&v);
    let want = ctx.target.profile.credential_type.clone();
    for (i, item) in list.iter().enumerate() {
        let types = item
            .credential()
            .map(|c| crate::credential::verify::types(&c))
            .unwrap_or_default();
        c.ensure(
            "api.get-credentials.credential-type",
            types.contains(&want),
            format!("credential {i}: type includes {want}: got {types:?}"),
        );
    }
    ctx.finish(c);
    let docs = documents(ctx, &list).await;
    verify_all(ctx, &ex, &list, &docs);
}

/// Status and media type of a getCredentials response (also used after refresh).
pub fn judge_status(ctx: &mut Ctx, ex: &Exchange, what: &str) {
    let mut c = STATUS.start();
    c.subject(&ex.url).cite(&ex.tx);
    c.ensure(
        "api.get-credentials.supported",
        !matches!(ex.status, 404 | 405 | 501),
        format!(
            "{what}: GET {{base_path}}/credentials is implemented: got {}",
            ex.brief()
        ),
    );
    c.ensure(
        "api.base-path",
        ex.status != 404,
        format!(
            "{what}: served under the profile's base path: got {}",
            ex.brief()
        ),
    );
    c.ensure_eq(
        "api.get-credentials.status-200",
        200,
        ex.status,
        format!("{what}: answered 200"),
    );
    c.ensure(
        "api.auth.bearer-header",
        ex.status == 200,
        format!(
            "{what}: the token in Authorization: Bearer is accepted: got {}",
            ex.brief()
        ),
    );
    c.ensure(
        "oauth.token.access-token-works",
        ex.status == 200,
        format!(
            "{what}: the access token works within its scope: got {}",
            ex.brief()
        ),
    );
    c.ensure(
        "api.get-credentials.json",
        ex.media_type() == "application/json",
        format!(
            "{what}: Content-Type is application/json: got {:?}",
            ex.media_type()
        ),
    );
    ctx.finish(c);
}

/// Run the verification engine on every item; one finding per credential.
/// Prefetch what the credentials refer to (bounded in size and time).
/// Documents known beforehand (`Target::documents`) take the place of a fetch.
async fn documents(ctx: &Ctx, list: &[Item]) -> Option<crate::credential::verify::Documents> {
    let known = &ctx.target.documents;
    if !ctx.target.fetch_documents {
        return (!known.is_empty()).then(|| known.clone());
    }
    let mut urls = Vec::new();
    for item in list {
        if let Some(v) = item.credential() {
            crate::credential::verify::documents::wanted_urls(&v, &mut urls);
        }
    }
    urls.retain(|u| known.get(u).is_none());
    urls.truncate(50);
    let fetch =
        crate::credential::verify::documents::fetch(ctx.http.inner(), &urls, 2 * 1024 * 1024);
    let fetched = tokio::time::timeout(ctx.http.timeout() * 2, fetch)
        .await
        .ok()?;
    let known: Vec<_> = known.iter().map(|(u, d)| (u.clone(), d.clone())).collect();
    Some(fetched.with(known))
}

fn verify_all(
    ctx: &mut Ctx,
    ex: &Exchange,
    list: &[Item],
    docs: &Option<crate::credential::verify::Documents>,
) {
    let mut c = VERIFIABLE.start();
    c.cite(&ex.tx);
    if list.is_empty() {
        c.not_applicable(
            "api.get-credentials.verifiable",
            "getCredentials returned no credential to verify",
        );
    }
    let mut leftovers = 0;
    let (mut verified, mut not_judged) = (Vec::new(), Vec::new());
    for (i, item) in list.iter().enumerate() {
        let subject = match item {
            Item::Json(_) => format!("{}#/credential/{i}", ex.tx),
            Item::Jws(_) => format!("{}#/compactJwsString/{i}", ex.tx),
        };
        // Credentials the harness itself upserted (now or in an earlier run)
        // are ours, not the target's: recognised by their TEST ONLY issuer.
        if item
            .credential()
            .is_some_and(|v| super::upsert::is_harness_credential(&v))
        {
            leftovers += 1;
            continue;
        }
        c.subject(&subject);
        let Outcome {
            fails,
            errors,
            unjudged,
        } = verify_item(ctx, item, &subject, docs);
        if fails.is_empty() && errors.is_empty() && unjudged.is_empty() {
            verified.push(subject);
        } else if fails.is_empty() && errors.is_empty() {
            not_judged.push(format!("{subject}: {}", unjudged[0]));
        } else if fails.is_empty() {
            c.error(
                "api.get-credentials.verifiable",
                format!("{subject}: could not be verified: {}", errors.join("; ")),
            );
        } else {
            let more = if fails.len() > 3 {
                format!(" (and {} more)", fails.len() - 3)
            } else {
                String::new()
            };
            c.fail(
                "api.get-credentials.verifiable",
                format!(
                    "{subject}: does not verify: {}{more}",
                    fails[..fails.len().min(3)].join("; ")
                ),
            );
        }
    }
    // A credential that could not be judged is not shown to verify, so no
    // pass stands beside it: the row is then skipped, naming why.
    if not_judged.is_empty() {
        for subject in verified {
            c.pass(
                "api.get-credentials.verifiable",
                format!("{subject}: verifies"),
            );
        }
    } else {
        c.skip(
            "api.get-credentials.verifiable",
            format!(
                "{} credential(s) verify, {} could not be judged (give the documents with --document, or let the run fetch them): {}",
                verified.len(),
                not_judged.len(),
                not_judged[..not_judged.len().min(3)].join("; ")
            ),
        );
    }
    if leftovers > 0 {
        ctx.rec.note(format!(
            "getCredentials returned {leftovers} credential(s) upserted by clr-conformance itself (TEST ONLY issuer {}): recognised as the harness's, not judged as the target's",
            super::upsert::harness_issuer().id
        ));
        if leftovers == list.len() {
            c.not_applicable(
                "api.get-credentials.verifiable",
                "every returned credential was upserted by this harness (TEST ONLY issuer)",
            );
        }
    }
    ctx.finish(c);
}

/// What verifying one credential found, each as `id: message`.
#[derive(Debug, Default)]
struct Outcome {
    fails: Vec<String>,
    errors: Vec<String>,
    /// MUSTs a verifier needs (a proof, a key's provenance, a status) that
    /// could not be judged: the credential is then not shown to verify.
    unjudged: Vec<String>,
}

/// Verify one credential into a scratch recorder.
fn verify_item(
    ctx: &Ctx,
    item: &Item,
    subject: &str,
    docs: &Option<crate::credential::verify::Documents>,
) -> Outcome {
    let mut scratch = Recorder::new();
    verify_engine(ctx, item, subject, docs, &mut scratch);
    let catalog = crate::catalog::Catalog::embedded();
    let must = |id: &str| {
        crate::report::model::is_needed(id)
            && catalog
                .get(id)
                .is_some_and(|r| r.level == crate::catalog::Level::Must)
    };
    let mut out = Outcome::default();
    for (id, list) in scratch.findings() {
        for f in list {
            match f.verdict {
                Verdict::Fail => out.fails.push(format!("{id}: {}", f.message)),
                Verdict::Error => out.errors.push(format!("{id}: {}", f.message)),
                Verdict::Skip if must(id) => out.unjudged.push(format!("{id}: {}", f.message)),
                _ => {}
            }
        }
    }
    out
}

/// The verify engine (`crate::credential::verify`) judging one credential as a
/// verifier (displayer) would: proofs, schema, dates, status, nested credentials.
fn verify_engine(
    ctx: &Ctx,
    item: &Item,
    subject: &str,
    docs: &Option<crate::credential::verify::Documents>,
    rec: &mut Recorder,
) {
    use crate::credential::parse::Input;
    use crate::credential::verify::{VerifyOptions, verify};
    let input = match item {
        Item::Json(v) => Input::Json(v.clone()),
        Item::Jws(s) => Input::Jws(s.clone()),
    };
    let mut opts = VerifyOptions::new(crate::catalog::Role::Displayer, ctx.target.profile);
    if let Some(d) = docs {
        opts.documents = d.clone();
        opts.online = ctx.target.fetch_documents;
    }
    verify(&input, &opts, rec, subject);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equality_key_percent_decodes_and_trims() {
        let a = json!({"id": " urn:x%3Ay ", "issuer": {"id": "https://i/%7Ea"}});
        let b = json!({"id": "urn:x:y", "issuer": "https://i/~a"});
        assert_eq!(key(&a), key(&b));
        assert_ne!(
            key(&a),
            key(&json!({"id": "urn:x:z", "issuer": "https://i/~a"}))
        );
    }

    #[test]
    fn shape_refuses_extra_members_and_bad_jws() {
        assert!(
            shape_problems(&json!({"credential": [{}], "compactJwsString": ["a.b.c"]})).is_empty()
        );
        let p = shape_problems(&json!({"compactJwsStrings": [], "compactJwsString": ["a.b"]}));
        assert_eq!(p.len(), 2, "{p:?}");
    }

    #[test]
    fn jws_items_decode_to_their_credential() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"vc":{"id":"urn:a","issuer":"did:x"}}"#);
        let item = Item::Jws(format!("e30.{payload}.c2ln"));
        assert_eq!(item.key(), Some(("did:x".into(), "urn:a".into())));
    }
}
