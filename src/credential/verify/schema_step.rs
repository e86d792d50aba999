//! JSON Schema conformance: the credential against our bundled schema for
//! its class, and every `credentialSchema` entry of type
//! `1EdTechJsonSchemaValidator2019` against the bundled equivalent.

use super::documents::Fetched;
use super::{Generation, Kind, Subject, VerifyOptions};
use crate::credential::schema::{self, Generation as SchemaGen, SchemaKind};
use crate::evidence::{Check, Recorder};
use serde_json::Value;

const VALIDATOR: &str = "1EdTechJsonSchemaValidator2019";
/// At most this many schema errors are listed per credential.
const MAX_LISTED: usize = 10;

fn ids(kind: Kind) -> Option<(&'static str, &'static str, SchemaKind)> {
    match kind {
        Kind::Clr => Some((
            "data.clr.schema",
            "data.clr.credential-schema",
            SchemaKind::ClrCredential,
        )),
        Kind::Achievement => Some((
            "data.achievement-credential.schema",
            "data.achievement-credential.credential-schema",
            SchemaKind::AchievementCredential,
        )),
        Kind::Endorsement => Some((
            "data.endorsement.schema",
            "data.clr.credential-schema",
            SchemaKind::EndorsementCredential,
        )),
        Kind::Generic | Kind::Other => None,
    }
}

/// The rows this step may judge, as the registry lists them.
pub(super) const CHECKS: &[crate::registry::CheckSpec] = &[crate::registry::CheckSpec {
    at: crate::registry::here!(),
    name: "schema",
    ids: &[
        "data.achievement-credential.credential-schema",
        "data.achievement-credential.schema",
        "data.achievement.required",
        "data.alignment.required",
        "data.association.required",
        "data.association.type",
        "data.clr-subject.identifier",
        "data.clr-subject.identity-hash",
        "data.clr.credential-schema",
        "data.clr.credential-schema-entry",
        "data.clr.credential-schema-official",
        "data.clr.schema",
        "data.credential-status.shape",
        "data.endorsement.schema",
        "data.enum.extension-prefix",
        "data.evidence.type",
        "data.identifier-entry.required",
        "data.image.shape",
        "data.issuer.schema",
        "data.profile.id",
        "data.profile.type",
        "data.refresh-service.shape",
        "data.related.required",
        "data.result-description.required",
        "data.result.status",
        "data.result.type",
        "data.serialization.json-types",
        "data.terms-of-use.shape",
        "verify.conformance.schema",
    ],
}];

pub(super) fn run(s: &Subject, opts: &VerifyOptions, rec: &mut Recorder) {
    let Some((schema_id, cs_id, kind)) = ids(s.kind) else {
        return;
    };
    let generation = if s.generation == Generation::V11 {
        SchemaGen::V11
    } else {
        SchemaGen::V2
    };
    if s.generation == Generation::V11 && opts.issuer() {
        // An issuer's VC 1.1 credential already failed the context rule; judging it
        // against the 2.0 schema would only repeat that.
        return;
    }
    let mut c = Check::new("json schema", &[schema_id]);
    c.subject(&s.name);
    let errors = schema::validate(kind, generation, s.cred);
    if errors.is_empty() {
        c.pass(
            schema_id,
            format!("valid against {}", kind.file(generation)),
        );
    } else {
        for e in errors.iter().take(MAX_LISTED) {
            c.fail(schema_id, e.message.clone())
                .expected(e.schema_path.clone());
        }
        if errors.len() > MAX_LISTED {
            c.fail(
                schema_id,
                format!("... and {} more schema errors", errors.len() - MAX_LISTED),
            );
        }
    }
    rec.finish(c);
    super::classes::attribute(s, &errors, rec);
    super::classes::whole(s, &errors, rec);
    credential_schema(s, opts, rec, cs_id, generation, (kind, &errors));
}

fn credential_schema(
    s: &Subject,
    opts: &VerifyOptions,
    rec: &mut Recorder,
    cs_id: &str,
    generation: SchemaGen,
    // The class schema's result: an official id naming the same class reuses it.
    (class_kind, class_errors): (SchemaKind, &[schema::SchemaError]),
) {
    let entries: Vec<&Value> = match s.cred.get("credentialSchema") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => return,
    };
    let official_id = "data.clr.credential-schema-official";
    let ids = [
        cs_id,
        "data.clr.credential-schema-entry",
        "verify.conformance.schema",
        official_id,
    ];
    let mut c = Check::new("credentialSchema", &ids);
    c.subject(&s.name);
    let mut names_official = false;
    for (i, e) in entries.iter().enumerate() {
        let id = e.get("id").and_then(Value::as_str);
        let ty = e.get("type").and_then(Value::as_str);
        c.ensure(
            "data.clr.credential-schema-entry",
            id.is_some() && ty.is_some(),
            format!("credentialSchema[{i}] has id and type"),
        );
        let (Some(id), Some(ty)) = (id, ty) else {
            continue;
        };
        if ty != VALIDATOR {
            c.skip(
                cs_id,
                format!("credentialSchema[{i}]: validator type {ty} is not evaluated"),
            );
            continue;
        }
        if s.kind == Kind::Clr && id == opts.profile.schemas.credential {
            names_official = true;
        }
        match schema::kind_for_official_id(id) {
            Some(kind) => {
                let fresh;
                let errs: &[schema::SchemaError] = if kind == class_kind {
                    class_errors
                } else {
                    fresh = schema::validate(kind, generation, s.cred);
                    &fresh
                };
                let msg = match errs.first() {
                    None => format!("valid against {id}"),
                    Some(e) => format!("{id}: {} ({} errors)", e.message, errs.len()),
                };
                c.ensure(cs_id, errs.is_empty(), msg.clone());
                c.ensure("verify.conformance.schema", errs.is_empty(), msg);
            }
            None => match opts.documents.get(id) {
                Some(Fetched::Json(doc)) => match schema::validate_with(doc, s.cred) {
                    Ok(errs) => {
                        let msg = match errs.first() {
                            None => format!("valid against {id} (fetched)"),
                            Some(e) => format!("{id}: {} ({} errors)", e.message, errs.len()),
                        };
                        c.ensure(cs_id, errs.is_empty(), msg.clone());
                        c.ensure("verify.conformance.schema", errs.is_empty(), msg);
                    }
                    Err(e) => {
                        c.fail(cs_id, format!("{id}: {e}"));
                        c.fail("verify.conformance.schema", format!("{id}: {e}"));
                    }
                },
                Some(Fetched::Failed(why)) => {
                    c.fail(cs_id, format!("{id}: the schema cannot be fetched: {why}"));
                    c.fail(
                        "verify.conformance.schema",
                        format!("{id}: cannot be fetched: {why}"),
                    );
                }
                Some(Fetched::Text(_)) => {
                    c.fail(cs_id, format!("{id}: the schema is not JSON"));
                    c.fail("verify.conformance.schema", format!("{id}: not JSON"));
                }
                None => {
                    let why =
                        format!("{id}: not a bundled schema; not fetched (offline; use --online)");
                    c.skip(cs_id, why.clone());
                    c.skip("verify.conformance.schema", why);
                }
            },
        }
    }
    if s.kind == Kind::Clr && opts.issuer() {
        c.ensure(
            official_id,
            names_official,
            "credentialSchema names the official ClrCredential schema",
        )
        .expected(opts.profile.schemas.credential.clone());
    }
    rec.finish(c);
}
