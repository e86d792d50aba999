//! The CLR 2.0 verification algorithm as ordered, named checks.
//!
//! Each step records findings against catalog ids; a nested credential is
//! verified independently with its own JSON pointer as the subject. The core
//! is pure: documents it needs from the network (status lists, keys,
//! refreshed credentials) are fetched beforehand by `fetch` and handed in.

mod classes;
mod clr_rules;
mod dates;
mod document;
pub mod documents;
mod jwt_step;
mod proofs;
pub mod provenance;
mod recipient;
mod refresh;
mod schema_step;
mod shape;
mod status;
mod steps;
pub mod terms;

pub use documents::Documents;
pub use proofs::decode_jwt_credential;

use super::parse::Input;
use crate::catalog::{Profile, Role};
use crate::evidence::{Check, Recorder};
use crate::registry::CheckSpec;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Requirement id prefixes the verify engine can evidence.
pub const SCOPE: &[&str] = &["data", "proof", "verify"];

/// Nesting limit for credentials inside credentials (CLR -> nested -> endorsement ...).
const MAX_NESTING: usize = 4;

/// How a credential is judged.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// `Issuer` judges what an issuer must produce; `Displayer` what a verifier must accept.
    pub role: Role,
    pub now: DateTime<Utc>,
    pub profile: &'static Profile,
    /// Prefetched external documents by URL.
    pub documents: Documents,
    /// Whether the run allowed network access (changes how a missing document is reported).
    pub online: bool,
    /// A recipient identifier to check (`conformance@imsglobal.org` for certification).
    pub expect_recipient: Option<String>,
    /// JSON-LD contexts beyond the built-in ones (`--context URL=FILE`, or fetched with
    /// `--online`); `None` serves the built-in contexts only.
    pub contexts: Option<std::sync::Arc<crate::credential::jsonld::Loader>>,
    /// A certification submission (`verify --certification`): the rows
    /// conditioned "only in a certification run" apply.
    pub certification: bool,
}

impl VerifyOptions {
    pub fn new(role: Role, profile: &'static Profile) -> VerifyOptions {
        VerifyOptions {
            role,
            now: Utc::now(),
            profile,
            documents: Documents::default(),
            online: false,
            expect_recipient: None,
            contexts: None,
            certification: false,
        }
    }

    /// The context loader proofs and the data-loss rule use.
    pub fn loader(&self) -> &crate::credential::jsonld::Loader {
        match &self.contexts {
            Some(l) => l,
            None => crate::credential::jsonld::Loader::builtin(),
        }
    }

    fn issuer(&self) -> bool {
        self.role == Role::Issuer
    }
}

/// What kind of credential a JSON object claims to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Clr,
    Achievement,
    Endorsement,
    /// A nested entry of a ClrSubject that is none of the above: any
    /// verifiable credential may be one (CLR schema `ClrSubject`), so only the
    /// generic credential rules and its proof apply (audit D1, G5).
    Generic,
    Other,
}

impl Kind {
    pub fn of(cred: &Value) -> Kind {
        let has = |t: &str| types(cred).iter().any(|x| x == t);
        if has("ClrCredential") {
            Kind::Clr
        } else if has("AchievementCredential") || has("OpenBadgeCredential") {
            Kind::Achievement
        } else if has("EndorsementCredential") {
            Kind::Endorsement
        } else {
            Kind::Other
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Clr => "ClrCredential",
            Kind::Achievement => "AchievementCredential",
            Kind::Endorsement => "EndorsementCredential",
            Kind::Generic => "nested verifiable credential",
            Kind::Other => "credential",
        }
    }
}

/// The VC data model generation of a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    V2,
    V11,
    Unknown,
}

/// `type` as a list of strings (a single string counts as one).
/// Whether `type` is `t` or a list holding `t` (as `types(v)` contains it, without allocating).
pub fn has_type(v: &Value, t: &str) -> bool {
    match v.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(t)),
        _ => false,
    }
}

pub fn types(v: &Value) -> Vec<String> {
    match v.get("type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// `issuer.id` whether issuer is a string or an object.
pub fn issuer_id(v: &Value) -> Option<&str> {
    match v.get("issuer") {
        Some(Value::String(s)) => Some(s),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// Generation by the first `@context` entry.
pub fn generation(v: &Value, profile: &Profile) -> Generation {
    let first = match v.get("@context") {
        Some(Value::Array(a)) => a.first().and_then(Value::as_str),
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    match first {
        Some(s) if s == profile.contexts.vc_v2 => Generation::V2,
        Some(s) if s == profile.contexts.vc_v1 => Generation::V11,
        _ => Generation::Unknown,
    }
}

/// Every registered check of the verify family: the document's table
/// (`document.rs`), then the algorithm's steps (`steps.rs`).
pub fn registered_checks() -> Vec<(&'static str, CheckSpec)> {
    let mut out = crate::registry::listed(&document::units());
    out.extend(crate::registry::listed(&steps::units()));
    out
}

/// One credential under verification: where it sits and how it arrived.
pub(crate) struct Subject<'a> {
    pub cred: &'a Value,
    /// Human-readable location: `file.json`, `file.json#/credentialSubject/verifiableCredential/0`.
    pub name: String,
    pub kind: Kind,
    pub generation: Generation,
    /// The compact JWS it was decoded from, if any.
    pub jws: Option<&'a str>,
    pub depth: usize,
}

/// Decode `bytes` and verify what they hold under `subject`: what `verify` does
/// for one file, and what the byte-level vectors are judged by.
pub fn verify_bytes(bytes: &[u8], opts: &VerifyOptions, rec: &mut Recorder, subject: &str) {
    let parsed = super::parse::parse_document(bytes);
    document::run(parsed.as_ref(), opts, rec, subject);
}

/// Findings for bytes that hold no credential to verify.
pub fn undecodable(rec: &mut Recorder, subject: &str, e: &super::parse::ParseError) {
    document::run(
        Err(e),
        &VerifyOptions::new(Role::Issuer, Profile::clr()),
        rec,
        subject,
    );
}

/// Verify a decoded document (perhaps baked in an image) under `subject`.
pub fn verify_document(
    doc: &super::parse::Document,
    opts: &VerifyOptions,
    rec: &mut Recorder,
    subject: &str,
) {
    document::run(Ok(doc), opts, rec, subject);
}

/// Verify one decoded input and record findings under `subject`.
pub fn verify(input: &Input, opts: &VerifyOptions, rec: &mut Recorder, subject: &str) {
    match input {
        Input::Json(v) => verify_value(v, None, opts, rec, subject, 0),
        Input::Jws(jws) => match proofs::decode_jwt_credential(jws) {
            Ok(cred) => verify_value(&cred, Some(jws), opts, rec, subject, 0),
            Err(e) => {
                let mut c = Check::new("vc-jwt decode", &["proof.jwt.compact"]);
                c.subject(subject).fail("proof.jwt.compact", e);
                rec.finish(c);
            }
        },
    }
}

/// Verify a credential object (optionally decoded from `jws`).
pub fn verify_value(
    cred: &Value,
    jws: Option<&str>,
    opts: &VerifyOptions,
    rec: &mut Recorder,
    name: &str,
    depth: usize,
) {
    verify_once(cred, jws, None, opts, rec, name, (depth, true));
}

/// The algorithm proper. `hint` is the kind its position implies (an
/// `endorsement` entry is an EndorsementCredential even when its `type` says
/// otherwise); `(depth, may_refresh)`: a refreshed credential is never refreshed again.
fn verify_once(
    cred: &Value,
    jws: Option<&str>,
    hint: Option<Kind>,
    opts: &VerifyOptions,
    rec: &mut Recorder,
    name: &str,
    (depth, may_refresh): (usize, bool),
) {
    let kind = match (Kind::of(cred), hint) {
        (Kind::Other, Some(h)) => h,
        (k, _) => k,
    };
    let s = Subject {
        cred,
        name: name.to_string(),
        kind,
        generation: generation(cred, opts.profile),
        jws,
        depth,
    };
    let mut step = steps::Step {
        s: &s,
        opts,
        hint,
        may_refresh,
        unsigned: None,
        proof_ok: false,
    };
    crate::registry::run(&steps::units(), &mut step, rec, None);
}

const REFRESH: &[CheckSpec] = &[CheckSpec {
    at: crate::registry::here!(),
    name: "refresh",
    ids: &[
        "verify.refresh.after-proof",
        "verify.refresh.once",
        "verify.refresh.fallback",
    ],
}];

/// Refresh once, after the original proof held, and verify the fresh copy in full;
/// when no copy could be had, the original stands.
pub(super) fn refresh_step(
    s: &Subject,
    proof_ok: bool,
    hint: Option<Kind>,
    opts: &VerifyOptions,
    rec: &mut Recorder,
) {
    let Some(url) = refresh::service_url(s.cred) else {
        return;
    };
    let (after, once, fallback) = (
        "verify.refresh.after-proof",
        "verify.refresh.once",
        "verify.refresh.fallback",
    );
    let mut c = REFRESH[0].start();
    c.subject(&s.name);
    if !proof_ok {
        c.pass(
            after,
            format!("{url}: not used, the original proof did not hold"),
        );
        rec.finish(c);
        return;
    }
    let Some(fresh) = refresh::refreshed(s.cred, &opts.documents) else {
        c.pass(
            fallback,
            format!("{url}: no refreshed credential; the original is verified"),
        );
        rec.finish(c);
        return;
    };
    let mut sub = rec.child();
    let fresh_name = format!("{} (refreshed)", s.name);
    verify_once(
        &fresh,
        None,
        hint,
        opts,
        &mut sub,
        &fresh_name,
        (s.depth, false),
    );
    let broken = refresh::must_failures(&sub, opts.role);
    if broken.is_empty() {
        c.pass(
            after,
            format!("{url}: the refreshed credential passes the repeated checks"),
        );
    } else {
        c.fail(
            after,
            format!(
                "{url}: the refreshed credential fails the repeated checks ({})",
                broken.join(", ")
            ),
        );
    }
    if let Some(next) = refresh::service_url(&fresh) {
        c.pass(
            once,
            format!("the refreshed credential names {next} too; not refreshed again"),
        );
    }
    rec.merge(sub);
    rec.finish(c);
}

const DOCUMENT: &[CheckSpec] = &[CheckSpec {
    at: crate::registry::here!(),
    name: "document",
    ids: &[
        "data.document.jws-or-json",
        "data.serialization.utf8",
        "data.document.single-credential",
        "data.serialization.no-bom",
        "data.serialization.unique-members",
        "proof.endorsement.present",
        "data.clr.endorsement-jwt",
        "verify.endorsements",
        "verify.endorsements.jwt",
        "data.endorsement.context-order",
        "data.endorsement.type",
        "data.endorsement.required",
        "data.endorsement.subject",
        "data.endorsement.schema",
    ],
}];

/// Document-level rules and rules that do not apply to this credential at all.
pub(super) fn top_level(s: &Subject, rec: &mut Recorder) {
    let ids = DOCUMENT[0].ids;
    let mut c = DOCUMENT[0].start();
    c.subject(&s.name);
    let form = if s.jws.is_some() {
        "a compact JWS"
    } else {
        "a JSON credential"
    };
    c.pass(
        "data.document.jws-or-json",
        format!("the document is {form}"),
    );
    c.pass("data.serialization.utf8", "decoded as UTF-8");
    c.pass("data.document.single-credential", "one credential object");
    c.pass("data.serialization.no-bom", "no byte order mark");
    if s.jws.is_none() {
        c.pass(
            "data.serialization.unique-members",
            "no object repeats a member name",
        );
    }
    let mut found = Vec::new();
    collect_endorsements(s.cred, "", &mut found);
    if found.is_empty() && s.kind != Kind::Endorsement {
        for id in &ids[5..] {
            c.not_applicable(id, "no endorsement in this credential");
        }
    } else if !found.iter().any(|(_, v)| v.is_string()) {
        c.not_applicable(
            "data.clr.endorsement-jwt",
            "no endorsementJwt in this credential",
        );
        c.not_applicable(
            "verify.endorsements.jwt",
            "no endorsementJwt in this credential",
        );
    }
    rec.finish(c);
}

const NESTED: &[CheckSpec] = &[
    CheckSpec {
        at: crate::registry::here!(),
        name: "nested credential",
        ids: &[
            "verify.nested.each",
            "proof.nested.present",
            "data.clr-subject.nested-shape",
        ],
    },
    CheckSpec {
        at: crate::registry::here!(),
        name: "nested AchievementCredentials",
        ids: &["data.clr-subject.achievement-credentials"],
    },
];

/// Every credential in `credentialSubject.verifiableCredential`, verified on its own.
pub(super) fn nested(s: &Subject, opts: &VerifyOptions, rec: &mut Recorder) {
    let Some(list) = s.cred.pointer("/credentialSubject/verifiableCredential") else {
        return;
    };
    let items: Vec<&Value> = match list {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    achievements_held(s, &items, rec);
    for (i, item) in items.into_iter().enumerate() {
        let name = format!(
            "{}#/credentialSubject/verifiableCredential/{i}",
            base(&s.name)
        );
        let mut c = NESTED[0].start();
        c.subject(&name);
        match item {
            Value::Object(_) => {
                let missing = nested_gaps(item);
                let complete = missing.is_empty();
                c.ensure(
                    "data.clr-subject.nested-shape",
                    complete,
                    if complete {
                        "a complete credential object".to_string()
                    } else {
                        format!("not a complete credential: {}", missing.join(", "))
                    },
                );
                c.pass(
                    "verify.nested.each",
                    "nested credential verified independently",
                );
                rec.finish(c);
                let hint = Some(Kind::Generic);
                verify_once(item, None, hint, opts, rec, &name, (s.depth + 1, true));
            }
            Value::String(jws) if super::parse::is_compact_jws(jws) => {
                match proofs::decode_jwt_credential(jws) {
                    Ok(inner) => {
                        c.pass(
                            "verify.nested.each",
                            "nested VC-JWT decoded and verified independently",
                        );
                        rec.finish(c);
                        let hint = Some(Kind::Generic);
                        let at = (s.depth + 1, true);
                        verify_once(&inner, Some(jws), hint, opts, rec, &name, at);
                    }
                    Err(e) => {
                        c.fail(
                            "proof.nested.present",
                            format!("nested VC-JWT does not decode: {e}"),
                        );
                        rec.finish(c);
                    }
                }
            }
            other => {
                c.fail(
                    "data.clr-subject.nested-shape",
                    format!("nested entry is a {}, not a credential", json_kind(other)),
                );
                rec.finish(c);
            }
        }
    }
}

/// A record is "a container for several AchievementCredentials" [IMPL]:
/// one that holds only other credentials is valid but reported (a SHOULD).
fn achievements_held(s: &Subject, items: &[&Value], rec: &mut Recorder) {
    if s.kind != Kind::Clr || items.is_empty() {
        return;
    }
    let id = "data.clr-subject.achievement-credentials";
    let mut c = NESTED[1].start();
    c.subject(&s.name);
    let kinds: Vec<Kind> = items
        .iter()
        .map(|v| match v {
            Value::String(jws) => proofs::decode_jwt_credential(jws)
                .map(|inner| Kind::of(&inner))
                .unwrap_or(Kind::Other),
            v => Kind::of(v),
        })
        .collect();
    let n = kinds.iter().filter(|k| **k == Kind::Achievement).count();
    c.ensure(
        id,
        n > 0,
        format!(
            "{n} of {} nested credentials are AchievementCredentials or OpenBadgeCredentials",
            kinds.len()
        ),
    );
    rec.finish(c);
}

/// What a nested entry lacks to be a complete credential (empty when complete).
fn nested_gaps(item: &Value) -> Vec<&'static str> {
    let mut gaps = Vec::new();
    let first_ctx = match item.get("@context") {
        Some(Value::Array(a)) => a.first().and_then(Value::as_str),
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    if first_ctx.is_none() {
        gaps.push("no @context");
    }
    if !types(item).iter().any(|t| t == "VerifiableCredential") {
        gaps.push("type lacks VerifiableCredential");
    }
    if item.get("issuer").is_none() {
        gaps.push("no issuer");
    }
    if item.get("validFrom").is_none() && item.get("issuanceDate").is_none() {
        gaps.push("no validFrom");
    }
    if item.get("credentialSubject").is_none() {
        gaps.push("no credentialSubject");
    }
    gaps
}

/// Every EndorsementCredential in `endorsement` / `endorsementJwt` of the credential,
/// its issuer profile, and achievements.
const ENDORSEMENTS: &[CheckSpec] = &[
    CheckSpec {
        at: crate::registry::here!(),
        name: "endorsement jwt",
        ids: &["verify.endorsements.jwt", "data.clr.endorsement-jwt"],
    },
    CheckSpec {
        at: crate::registry::here!(),
        name: "endorsement",
        ids: &["verify.endorsements"],
    },
];

pub(super) fn endorsements(s: &Subject, opts: &VerifyOptions, rec: &mut Recorder) {
    let mut found: Vec<(String, &Value)> = Vec::new();
    collect_endorsements(s.cred, "", &mut found);
    for (ptr, e) in found {
        let name = format!("{}#{ptr}", base(&s.name));
        match e {
            Value::String(jws) => {
                let mut c = ENDORSEMENTS[0].start();
                c.subject(&name);
                match proofs::decode_jwt_credential(jws) {
                    Ok(inner) => {
                        c.pass(
                            "data.clr.endorsement-jwt",
                            "endorsementJwt is a compact JWS",
                        );
                        c.pass(
                            "verify.endorsements.jwt",
                            "endorsementJwt decoded and verified",
                        );
                        rec.finish(c);
                        let hint = Some(Kind::Endorsement);
                        verify_once(
                            &inner,
                            Some(jws),
                            hint,
                            opts,
                            rec,
                            &name,
                            (s.depth + 1, true),
                        );
                    }
                    Err(err) => {
                        c.fail(
                            "data.clr.endorsement-jwt",
                            format!("endorsementJwt does not decode: {err}"),
                        );
                        rec.finish(c);
                    }
                }
            }
            other => {
                let mut c = ENDORSEMENTS[1].start();
                c.subject(&name).pass(
                    "verify.endorsements",
                    "endorsement verified as an EndorsementCredential",
                );
                rec.finish(c);
                let hint = Some(Kind::Endorsement);
                verify_once(other, None, hint, opts, rec, &name, (s.depth + 1, true));
            }
        }
    }
}

fn collect_endorsements<'a>(v: &'a Value, ptr: &str, out: &mut Vec<(String, &'a Value)>) {
    let Value::Object(map) = v else { return };
    for (k, val) in map {
        // Pointers are built only where something can be found below.
        let p = || format!("{ptr}/{}", pointer_token(k));
        match k.as_str() {
            "endorsement" | "endorsementJwt" => match val {
                Value::Array(a) => {
                    let p = p();
                    a.iter()
                        .enumerate()
                        .for_each(|(i, x)| out.push((format!("{p}/{i}"), x)))
                }
                x => out.push((p(), x)),
            },
            // Nested credentials and proofs are judged on their own.
            "verifiableCredential" | "proof" => {}
            _ => match val {
                Value::Object(_) => collect_endorsements(val, &p(), out),
                Value::Array(a) if a.iter().any(|x| x.is_object()) => {
                    let p = p();
                    a.iter()
                        .enumerate()
                        .filter(|(_, x)| x.is_object())
                        .for_each(|(i, x)| collect_endorsements(x, &format!("{p}/{i}"), out))
                }
                _ => {}
            },
        }
    }
}

/// `key` escaped as a JSON pointer token (`~` as `~0`, `/` as `~1`).
fn pointer_token(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1").into()
    } else {
        key.into()
    }
}

fn base(name: &str) -> &str {
    name.split('#').next().unwrap_or(name)
}

pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
