//! upsertCredential: a new credential is answered 201, the same one again
//! 200 (equality by issuer.id + id, percent-decoded and trimmed), the body
//! echoes what was sent in the same media type (JSON or a text/plain compact
//! JWS), a malformed body gets 400, and a later getCredentials holds an equal
//! credential [FACTS §1.2, §1.4; OB §10; OB-CERT Service Provider (Write)].

use super::Ctx;
use super::get_credentials::{self, Item, items, key};
use crate::http::Req;
use crate::oauth::pkce;
use crate::suites::CheckSpec;
use serde_json::Value;

pub const CREATE: CheckSpec = CheckSpec {
    name: "upsertCredential: create 201, replace 200, echo in the same media type",
    ids: &[
        "api.upsert.supported",
        "api.upsert.json",
        "api.upsert.created-201",
        "api.upsert.replaced-200",
        "api.upsert.echo",
        "api.upsert.echo-media-type",
    ],
};
pub const EQUALITY: CheckSpec = CheckSpec {
    name: "upsertCredential: ids equal after percent-decoding and trimming replace",
    ids: &["api.upsert.equality"],
};
pub const PERSISTED: CheckSpec = CheckSpec {
    name: "upsertCredential: getCredentials returns the upserted credential",
    ids: &["api.upsert.persisted"],
};
pub const JWS: CheckSpec = CheckSpec {
    name: "upsertCredential: text/plain compact JWS accepted and echoed",
    ids: &["api.upsert.compact-jws", "api.upsert.echo-media-type"],
};
pub const INVALID: CheckSpec = CheckSpec {
    name: "upsertCredential: malformed JSON or a non-credential refused with 400",
    ids: &["api.upsert.invalid-400"],
};

pub const CHECKS: &[CheckSpec] = &[CREATE, EQUALITY, PERSISTED, JWS, INVALID];

/// `urn:uuid:` with 122 random bits.
fn urn_uuid() -> String {
    let h = pkce::random(64).bytes().fold(String::new(), |mut s, b| {
        s.push_str(&format!("{:x}", b % 16));
        s
    });
    format!(
        "urn:uuid:{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// A compact VC-JWT of `cred` as OB 3.0 §8.2 has it [FACTS §4.1]: ES256
/// (a throwaway key), the public key in `jwk`, `typ` "JWT", and the `iss`,
/// `jti`, `nbf`, `sub` (and `exp`) claims taken from the credential.
pub fn compact_jws(cred: &Value) -> String {
    use crate::credential::proof::jwt::{JwtHeaderOptions, JwtSigningKey, sign_jwt};
    let key = JwtSigningKey::Es256(p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng));
    let options = JwtHeaderOptions {
        embed_jwk: true,
        typ: true,
        ..JwtHeaderOptions::default()
    };
    sign_jwt(cred, &key, &options).unwrap_or_default()
}

pub async fn run(ctx: &mut Ctx) {
    let token = match ctx.token() {
        Ok(t) => t,
        Err(why) => {
            for spec in CHECKS {
                ctx.blocked(spec.start(), &why);
            }
            return;
        }
    };
    let url = ctx.api_url("/credentials");
    // A template: the configured credential, or the first JSON credential the target returned.
    let template = match ctx.target.upsert_credential.clone() {
        Some(v) => Some(v),
        None => match get_credentials::get(
            ctx,
            &token,
            "?limit=1000",
            "getCredentials (upsert template)",
        )
        .await
        {
            Ok(ex) => ex
                .json()
                .map(|v| items(&v))
                .unwrap_or_default()
                .into_iter()
                .find_map(|i| match i {
                    Item::Json(v) => Some(v),
                    Item::Jws(_) => None,
                }),
            Err(_) => None,
        },
    };
    let Some(template) = template.filter(Value::is_object) else {
        for spec in CHECKS {
            ctx.blocked(
                spec.start(),
                "no credential to upsert: set upsert_credential in the target config",
            );
        }
        return;
    };
    if ctx.target.upsert_credential.is_none() {
        ctx.rec.note("upsert: the credential sent is a returned one with a new id; its proof no longer verifies");
    }
    let mut fresh = template.clone();
    fresh["id"] = Value::String(urn_uuid());
    let json_post = |v: &Value, label: &str| {
        Req::post(&url, label)
            .bearer(&token)
            .header("Accept", "application/json")
            .json(v.clone())
    };

    let mut c = CREATE.start();
    c.subject(&url);
    for (attempt, want) in [(1, 201u16), (2, 200)] {
        let label = if attempt == 1 {
            "upsertCredential (new)"
        } else {
            "upsertCredential (replace)"
        };
        match ctx.send(json_post(&fresh, label)).await {
            Ok(ex) => {
                c.cite(&ex.tx);
                if attempt == 1 {
                    c.ensure(
                        "api.upsert.supported",
                        !matches!(ex.status, 404 | 405 | 501),
                        format!(
                            "POST {{base_path}}/credentials is implemented: got {}",
                            ex.brief()
                        ),
                    );
                    c.ensure(
                        "api.upsert.json",
                        (200..300).contains(&ex.status),
                        format!(
                            "an application/json ClrCredential is accepted: got {}",
                            ex.brief()
                        ),
                    );
                }
                let id = if want == 201 {
                    "api.upsert.created-201"
                } else {
                    "api.upsert.replaced-200"
                };
                c.ensure_eq(id, want, ex.status, format!("{label}: status"));
                if (200..300).contains(&ex.status) {
                    c.ensure(
                        "api.upsert.echo",
                        ex.json().as_ref() == Some(&fresh),
                        format!("{label}: body is the credential sent"),
                    );
                    c.ensure(
                        "api.upsert.echo-media-type",
                        ex.media_type() == "application/json",
                        format!(
                            "{label}: JSON in, application/json out: got {:?}",
                            ex.media_type()
                        ),
                    );
                }
            }
            Err(f) => {
                c.cite(&f.tx);
                c.error(
                    if want == 201 {
                        "api.upsert.created-201"
                    } else {
                        "api.upsert.replaced-200"
                    },
                    f.message,
                );
            }
        }
    }
    ctx.finish(c);

    // Same credential, id percent-encoded and padded: still the same credential.
    let mut c = EQUALITY.start();
    let mut variant = fresh.clone();
    let id = fresh["id"].as_str().unwrap_or_default().replace(':', "%3A");
    variant["id"] = Value::String(format!("  {id} "));
    match ctx
        .send(json_post(&variant, "upsertCredential (equal id variant)"))
        .await
    {
        Ok(ex) => {
            c.subject(&url).cite(&ex.tx);
            c.ensure_eq(
                "api.upsert.equality",
                200,
                ex.status,
                "an id equal after percent-decoding and trimming replaces (200), not creates (201)",
            );
        }
        Err(f) => {
            c.cite(&f.tx);
            c.error("api.upsert.equality", f.message);
        }
    }
    ctx.finish(c);

    let mut c = PERSISTED.start();
    match get_credentials::get(ctx, &token, "?limit=1000", "getCredentials after upsert").await {
        Ok(ex) => {
            c.subject(&ex.url).cite(&ex.tx);
            let list = ex.json().map(|v| items(&v)).unwrap_or_default();
            let want = key(&fresh);
            c.ensure(
                "api.upsert.persisted",
                want.is_some() && list.iter().any(|i| i.key() == want),
                format!(
                    "getCredentials after upsert holds a credential equal to {:?}",
                    fresh["id"]
                ),
            );
        }
        Err(f) => {
            c.cite(&f.tx);
            c.error("api.upsert.persisted", f.message);
        }
    }
    ctx.finish(c);

    // A compact JWS as text/plain.
    let mut c = JWS.start();
    let mut g = template.clone();
    g["id"] = Value::String(urn_uuid());
    let jws = compact_jws(&g);
    let req = Req::post(&url, "upsertCredential (compact JWS)")
        .bearer(&token)
        .header("Accept", "text/plain")
        .text("text/plain", &jws);
    match ctx.send(req).await {
        Ok(ex) => {
            c.subject(&url).cite(&ex.tx);
            let ok = ex.status == 200 || ex.status == 201;
            c.ensure(
                "api.upsert.compact-jws",
                ok,
                format!("a text/plain compact JWS is accepted: got {}", ex.brief()),
            );
            if ok {
                c.ensure(
                    "api.upsert.compact-jws",
                    ex.text().trim() == jws,
                    "the response body is the JWS sent",
                );
                c.ensure(
                    "api.upsert.echo-media-type",
                    ex.media_type() == "text/plain",
                    format!("JWS in, text/plain out: got {:?}", ex.media_type()),
                );
            }
        }
        Err(f) => {
            c.cite(&f.tx);
            c.error("api.upsert.compact-jws", f.message);
        }
    }
    ctx.finish(c);

    let mut c = INVALID.start();
    for (what, body) in [
        ("malformed JSON", "{\"id\": "),
        ("JSON that is not a credential", "{\"hello\": \"world\"}"),
    ] {
        let req = Req::post(&url, format!("upsertCredential ({what})"))
            .bearer(&token)
            .text("application/json", body);
        match ctx.send(req).await {
            Ok(ex) => {
                c.subject(&url).cite(&ex.tx);
                c.ensure_eq(
                    "api.upsert.invalid-400",
                    400,
                    ex.status,
                    format!("{what}: refused with 400"),
                );
            }
            Err(f) => {
                c.cite(&f.tx);
                c.error("api.upsert.invalid-400", f.message);
            }
        }
    }
    ctx.finish(c);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urn_uuids_are_fresh_and_shaped() {
        let (a, b) = (urn_uuid(), urn_uuid());
        assert_ne!(a, b);
        assert_eq!(a.len(), "urn:uuid:".len() + 36, "{a}");
    }

    #[test]
    fn compact_jws_carries_the_credential() {
        let v = serde_json::json!({"id": "urn:x", "issuer": "did:y"});
        let j = compact_jws(&v);
        assert!(get_credentials::is_compact_jws(&j));
        assert_eq!(Item::Jws(j).key(), Some(("did:y".into(), "urn:x".into())));
    }
}
