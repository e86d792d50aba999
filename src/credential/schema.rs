//! Our JSON Schemas for the CLR 2.0 / OB 3.0 data model, and a validator over them.
//!
//! The harness must check credentials, profiles and API bodies against the data model without
//! the network, and must say precisely what is wrong. The schemas in `schemas/*.json` (one file
//! per data-model class, draft 2019-09, `$id`s under [`BASE`]) are embedded in the binary; refs
//! between them are served by an offline retriever, so an unknown `$ref` is an error naming it.
//! Each top-level validator is compiled once and cached.
//!
//! Two generations exist: [`Generation::V2`] (VC Data Model 2.0, what CLR 2.0 / OB 3.0 require)
//! and [`Generation::V11`] (VC 1.1 shape with `issuanceDate`, which a displayer must still
//! accept). Where the two agree (API bodies) one file serves both.
//!
//! The rules follow the data model and the official 1EdTech schemas (a single value may stand
//! for a list, text may be a language map). We are stricter on purpose in four places, each
//! proved and explained in `tests/schema_equivalence.rs`: a single `type` value must be the
//! class name, `@context` must be the ordered list, `ext:` extension values are anchored, and
//! the SDD's OAuth2ACG `type` must be "oauth2".

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, Retrieve, Uri, ValidationError, Validator};
use serde_json::Value;

/// Namespace of our schema `$id`s: `BASE` + file name.
pub const BASE: &str = "https://clr-conformance.example/schemas/";

/// Documents nested deeper than this are rejected before validation (stack safety).
pub const MAX_DEPTH: usize = 64;

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/", $name)))),*]
    };
}

static FILES: &[(&str, &str)] = embed!(
    "common.json",
    "achievement-credential.json",
    "achievement-credential-v1.json",
    "achievement-subject.json",
    "achievement-subject-v1.json",
    "achievement.json",
    "achievement-v1.json",
    "address.json",
    "alignment.json",
    "association.json",
    "clr-credential.json",
    "clr-credential-v1.json",
    "clr-subject.json",
    "clr-subject-v1.json",
    "credential-schema.json",
    "credential-status.json",
    "credential-subject.json",
    "criteria.json",
    "endorsement-credential.json",
    "endorsement-credential-v1.json",
    "endorsement-subject.json",
    "evidence.json",
    "geo-coordinates.json",
    "get-clr-credentials-response.json",
    "get-open-badge-credentials-response.json",
    "identifier-entry.json",
    "identity-object.json",
    "image.json",
    "imsx-code-minor.json",
    "imsx-code-minor-field.json",
    "imsx-status-info.json",
    "profile.json",
    "profile-v1.json",
    "proof.json",
    "refresh-service.json",
    "related.json",
    "result.json",
    "result-description.json",
    "rubric-criterion-level.json",
    "terms-of-use.json",
    "verifiable-credential.json",
    "verifiable-credential-v1.json",
    "service-description-document.json",
    "open-api-info.json",
    "open-api-components.json",
    "open-api-security-schemes.json",
    "open-api-oauth2-security-scheme.json",
);

/// Which Verifiable Credentials data model a document follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Generation {
    /// VC Data Model 2.0: first context `https://www.w3.org/ns/credentials/v2`, `validFrom`.
    V2,
    /// VC Data Model 1.1: first context `https://www.w3.org/2018/credentials/v1`, `issuanceDate`.
    V11,
}

impl Generation {
    /// The generation named by the first `@context` entry, if it is one of the two VC contexts.
    pub fn of(value: &Value) -> Option<Generation> {
        let ctx = value.get("@context")?;
        let first = match ctx {
            Value::Array(items) => items.first()?,
            other => other,
        };
        match first.as_str()? {
            "https://www.w3.org/ns/credentials/v2" => Some(Generation::V2),
            "https://www.w3.org/2018/credentials/v1" => Some(Generation::V11),
            _ => None,
        }
    }
}

/// The top-level documents we validate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemaKind {
    ClrCredential,
    /// AchievementCredential, also known as OpenBadgeCredential.
    AchievementCredential,
    EndorsementCredential,
    /// Any Verifiable Credential (what `ClrSubject.verifiableCredential` items must be).
    VerifiableCredential,
    ClrSubject,
    Achievement,
    Profile,
    GetClrCredentialsResponse,
    GetOpenBadgeCredentialsResponse,
    ImsxStatusInfo,
    /// Body of GET /discovery.
    ServiceDescriptionDocument,
}

impl SchemaKind {
    /// Every kind, in a fixed order.
    pub const ALL: [SchemaKind; 11] = [
        SchemaKind::ClrCredential,
        SchemaKind::AchievementCredential,
        SchemaKind::EndorsementCredential,
        SchemaKind::VerifiableCredential,
        SchemaKind::ClrSubject,
        SchemaKind::Achievement,
        SchemaKind::Profile,
        SchemaKind::GetClrCredentialsResponse,
        SchemaKind::GetOpenBadgeCredentialsResponse,
        SchemaKind::ImsxStatusInfo,
        SchemaKind::ServiceDescriptionDocument,
    ];

    /// The schema file for this kind and generation (API bodies have one file for both).
    pub fn file(self, generation: Generation) -> &'static str {
        let v1 = generation == Generation::V11;
        match self {
            SchemaKind::ClrCredential if v1 => "clr-credential-v1.json",
            SchemaKind::ClrCredential => "clr-credential.json",
            SchemaKind::AchievementCredential if v1 => "achievement-credential-v1.json",
            SchemaKind::AchievementCredential => "achievement-credential.json",
            SchemaKind::EndorsementCredential if v1 => "endorsement-credential-v1.json",
            SchemaKind::EndorsementCredential => "endorsement-credential.json",
            SchemaKind::VerifiableCredential if v1 => "verifiable-credential-v1.json",
            SchemaKind::VerifiableCredential => "verifiable-credential.json",
            SchemaKind::ClrSubject if v1 => "clr-subject-v1.json",
            SchemaKind::ClrSubject => "clr-subject.json",
            SchemaKind::Achievement if v1 => "achievement-v1.json",
            SchemaKind::Achievement => "achievement.json",
            SchemaKind::Profile if v1 => "profile-v1.json",
            SchemaKind::Profile => "profile.json",
            SchemaKind::GetClrCredentialsResponse => "get-clr-credentials-response.json",
            SchemaKind::GetOpenBadgeCredentialsResponse => {
                "get-open-badge-credentials-response.json"
            }
            SchemaKind::ImsxStatusInfo => "imsx-status-info.json",
            SchemaKind::ServiceDescriptionDocument => "service-description-document.json",
        }
    }

    /// Our `$id` for this kind and generation.
    pub fn id(self, generation: Generation) -> String {
        format!("{BASE}{}", self.file(generation))
    }

    fn index(self, generation: Generation) -> usize {
        let pos = SchemaKind::ALL.iter().position(|k| *k == self).unwrap_or(0);
        pos * 2 + usize::from(generation == Generation::V11)
    }
}

/// One schema violation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    /// JSON pointer to the offending value ("" is the document itself).
    pub instance_path: String,
    /// Where the failed keyword sits, e.g. `association.json#/properties/associationType/enum`.
    pub schema_path: String,
    /// Short message that starts with the offending path.
    pub message: String,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// (file name, text) of every bundled schema.
pub fn all_files() -> &'static [(&'static str, &'static str)] {
    FILES
}

/// Text of one bundled schema by file name.
pub fn file_text(name: &str) -> Option<&'static str> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Validate `value` as `kind` of `generation`; an empty list means valid.
pub fn validate(kind: SchemaKind, generation: Generation, value: &Value) -> Vec<SchemaError> {
    if let Some(path) = too_deep(value, MAX_DEPTH) {
        return vec![SchemaError {
            message: format!("{}: nested deeper than {MAX_DEPTH} levels", show(&path)),
            instance_path: path,
            schema_path: String::new(),
        }];
    }
    let validator = match compiled(kind, generation) {
        Ok(v) => v,
        Err(e) => {
            return vec![SchemaError {
                instance_path: String::new(),
                schema_path: kind.file(generation).to_string(),
                message: e.clone(),
            }];
        }
    };
    let mut out: Vec<SchemaError> = Vec::new();
    for err in validator.iter_errors(value) {
        collect(&err, &mut out);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|e| seen.insert((e.instance_path.clone(), e.message.clone())));
    out
}

/// Map an official 1EdTech schema id (CLR 2.0 or OB 3.0 `.../schema/json/..._schema.json`)
/// to the bundled schema that checks the same class. The "any" variants named by the spec
/// map to the credential class; the caller picks the generation.
pub fn kind_for_official_id(url: &str) -> Option<SchemaKind> {
    let url = url.trim().trim_end_matches('#');
    let file = url
        .strip_prefix("https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_")
        .or_else(|| {
            url.strip_prefix("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_")
        })?;
    let class = file.strip_suffix("_schema.json")?;
    let clr = url.contains("/clr/v2p0/");
    Some(match class {
        "clrcredential" | "anyclrcredential" if clr => SchemaKind::ClrCredential,
        "achievementcredential" | "anyachievementcredential" => SchemaKind::AchievementCredential,
        "endorsementcredential" | "anyendorsementcredential" => SchemaKind::EndorsementCredential,
        "profile" => SchemaKind::Profile,
        "getclrcredentialsresponse" if clr => SchemaKind::GetClrCredentialsResponse,
        "getopenbadgecredentialsresponse" if !clr => SchemaKind::GetOpenBadgeCredentialsResponse,
        "imsx_statusinfo" => SchemaKind::ImsxStatusInfo,
        _ => return None,
    })
}

/// Serves our schema files by `$id`; anything else is refused (never the network).
struct Embedded;

impl Retrieve for Embedded {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        let name = uri
            .strip_prefix(BASE)
            .map(|n| n.split('#').next().unwrap_or(n));
        match name.and_then(file_text) {
            Some(text) => Ok(serde_json::from_str(text)?),
            None => Err(format!("{uri}: no bundled schema with this id (unknown $ref)").into()),
        }
    }
}

type Compiled = Result<Validator, String>;

static VALIDATORS: [OnceLock<Compiled>; SchemaKind::ALL.len() * 2] =
    [const { OnceLock::new() }; SchemaKind::ALL.len() * 2];

fn compiled(kind: SchemaKind, generation: Generation) -> &'static Compiled {
    VALIDATORS[kind.index(generation)].get_or_init(|| build(kind.file(generation)))
}

/// Compile the validator for one of our files. The root handed to the
/// compiler is a bare `$ref` to the file (draft 7 for the root only: every
/// file declares 2019-09 and is compiled as such): the compiler checks only
/// the root against its draft's meta-schema, and building the 2019-09
/// meta-schema validator cost more than compiling our schemas. Our files are
/// embedded, and `every_bundled_schema_is_valid_2019_09` checks each against
/// the 2019-09 meta-schema instead.
fn build(file: &str) -> Compiled {
    if file_text(file).is_none() {
        return Err(format!("{file}: schema not bundled"));
    }
    let root = serde_json::json!({ "$ref": format!("{BASE}{file}") });
    jsonschema::options()
        .with_draft(Draft::Draft7)
        .should_validate_formats(true)
        .with_retriever(Embedded)
        .build(&root)
        .map_err(|e| format!("{file}: schema does not compile: {e}"))
}

/// Compile the validators for `kinds` now (e.g. on a spare thread while the
/// caller does other start-up work); `validate` then finds them ready.
/// Compiling is the larger part of a one-file run, so doing it early in
/// parallel shortens a whole-process `verify`.
pub fn prepare(kinds: &[(SchemaKind, Generation)]) {
    for (kind, generation) in kinds {
        let _ = compiled(*kind, *generation);
    }
}

/// The credential schemas verifying `value` is likely to need: the kind and
/// generation of every credential-like object in it, first seen first. A
/// guess used only to prepare validators early; verdicts never depend on it.
pub fn kinds_in(value: &Value) -> Vec<(SchemaKind, Generation)> {
    fn walk(
        v: &Value,
        generation: Generation,
        depth: usize,
        out: &mut Vec<(SchemaKind, Generation)>,
    ) {
        if depth > 8 || out.len() >= 6 {
            return;
        }
        match v {
            Value::Object(map) => {
                let generation = Generation::of(v).unwrap_or(generation);
                if map.contains_key("credentialSubject") {
                    let has = |t: &str| match map.get("type") {
                        Some(Value::Array(a)) => a.iter().any(|x| x == t),
                        Some(x) => x == t,
                        None => false,
                    };
                    let kind = if has("ClrCredential") {
                        Some(SchemaKind::ClrCredential)
                    } else if has("AchievementCredential") || has("OpenBadgeCredential") {
                        Some(SchemaKind::AchievementCredential)
                    } else if has("EndorsementCredential") {
                        Some(SchemaKind::EndorsementCredential)
                    } else {
                        None
                    };
                    if let Some(k) = kind.filter(|k| !out.contains(&(*k, generation))) {
                        out.push((k, generation));
                    }
                }
                for item in map.values() {
                    walk(item, generation, depth + 1, out);
                }
            }
            // Copies of one nested credential are common: look at a few items only.
            Value::Array(items) => {
                for item in items.iter().take(16) {
                    walk(item, generation, depth + 1, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, Generation::V2, 0, &mut out);
    out
}

/// Validate `value` against a schema document fetched at run time (a
/// `credentialSchema` id that is not an official one, with `--online`). Its own
/// `$schema` picks the draft; `$ref`s it makes to other remote documents are
/// refused, never fetched.
pub fn validate_with(schema: &Value, value: &Value) -> Result<Vec<SchemaError>, String> {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(Embedded)
        .build(schema)
        .map_err(|e| format!("schema does not compile: {e}"))?;
    let mut out = Vec::new();
    for err in validator.iter_errors(value) {
        collect(&err, &mut out);
    }
    Ok(out)
}

/// Parsed copies of our files, to look up keyword values for messages.
fn parsed(name: &str) -> Option<&'static Value> {
    static PARSED: OnceLock<Vec<(&'static str, Value)>> = OnceLock::new();
    let all = PARSED.get_or_init(|| {
        FILES
            .iter()
            .filter_map(|(n, t)| serde_json::from_str(t).ok().map(|v| (*n, v)))
            .collect()
    });
    all.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
}

/// The keyword's location as `file.json#/pointer`, without our base.
fn keyword_location(err: &ValidationError<'_>) -> String {
    match err.absolute_keyword_location() {
        Some(uri) => {
            let s = uri.as_str();
            s.strip_prefix(BASE).unwrap_or(s).to_string()
        }
        None => err.schema_path().as_str().to_string(),
    }
}

/// The schema value at a `file.json#/pointer` location.
fn keyword_value(location: &str) -> Option<&'static Value> {
    let (file, pointer) = location.split_once('#')?;
    parsed(file)?.pointer(pointer)
}

fn collect(err: &ValidationError<'_>, out: &mut Vec<SchemaError>) {
    let path = err.instance_path().as_str().to_string();
    match err.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            let depth = segments(&path);
            // The branch that got furthest into the value; on a tie, the one whose failures
            // are not shape mismatches (wrong JSON type), then the earliest.
            let best = context
                .iter()
                .rev()
                .filter(|branch| !branch.is_empty())
                .max_by_key(|branch| {
                    let (shape, total) = leaf_counts(branch);
                    (max_depth(branch), usize::MAX - shape, usize::MAX - total)
                });
            match best {
                Some(branch) if max_depth(branch) > depth => {
                    for e in branch {
                        collect(e, out);
                    }
                }
                _ => {
                    let options: Vec<String> = context
                        .iter()
                        .filter_map(|branch| branch.first())
                        .map(expectation)
                        .collect();
                    out.push(SchemaError {
                        message: format!(
                            "{}: {} is not {}",
                            show(&path),
                            brief(err.instance()),
                            join_or(&options)
                        ),
                        instance_path: path,
                        schema_path: keyword_location(err),
                    });
                }
            }
        }
        _ => out.push(SchemaError {
            message: format!("{}: {}", show(&path), leaf_message(err)),
            instance_path: path,
            schema_path: keyword_location(err),
        }),
    }
}

fn leaf_message(err: &ValidationError<'_>) -> String {
    let value = brief(err.instance());
    match err.kind() {
        ValidationErrorKind::Required { property } => {
            format!("missing required property {property}")
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let names: Vec<String> = unexpected.iter().map(|n| format!("\"{n}\"")).collect();
            format!("unexpected property {}", names.join(", "))
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            format!("{value} matches more than one allowed form")
        }
        ValidationErrorKind::PropertyNames { error } => {
            format!("property name {} is not allowed", brief(error.instance()))
        }
        ValidationErrorKind::Contains => {
            format!("{value} does not contain {}", contains_expectation(err))
        }
        ValidationErrorKind::MinItems { limit } => format!("{value} has fewer than {limit} items"),
        _ => format!("{value} is not {}", expectation(err)),
    }
}

/// What the failed keyword wanted, phrased to follow "is not".
fn expectation(err: &ValidationError<'_>) -> String {
    match err.kind() {
        ValidationErrorKind::Constant { expected_value } => brief(expected_value),
        ValidationErrorKind::Enum { options } => match options.as_array() {
            Some(list) if list.len() <= 4 => {
                let names: Vec<String> = list.iter().map(brief).collect();
                format!("one of {}", names.join(", "))
            }
            Some(list) => format!("one of the {} allowed values", list.len()),
            None => "an allowed value".to_string(),
        },
        ValidationErrorKind::Type { kind } => type_names(kind),
        ValidationErrorKind::Pattern { pattern } => format!("a string matching {pattern}"),
        ValidationErrorKind::Format { format } => format!("a valid {format}"),
        ValidationErrorKind::MinItems { limit } => format!("an array of at least {limit} items"),
        ValidationErrorKind::Required { property } => format!("an object with {property}"),
        ValidationErrorKind::Contains => {
            format!("an array containing {}", contains_expectation(err))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            format!("free of the property \"{}\"", unexpected.join("\", \""))
        }
        other => format!("allowed by \"{}\"", other.keyword()),
    }
}

fn contains_expectation(err: &ValidationError<'_>) -> String {
    let wanted = keyword_value(&keyword_location(err));
    match wanted {
        Some(w) if w.get("const").is_some() => w.get("const").map(brief).unwrap_or_default(),
        Some(w) => match w.get("enum").and_then(Value::as_array) {
            Some(list) => list.iter().map(brief).collect::<Vec<_>>().join(" or "),
            None => "a required item".to_string(),
        },
        None => "a required item".to_string(),
    }
}

fn type_names(kind: &jsonschema::error::TypeKind) -> String {
    let named = |t: &jsonschema::JsonType| {
        let name = t.to_string();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        if name == "null" {
            name
        } else {
            format!("{article} {name}")
        }
    };
    match kind {
        jsonschema::error::TypeKind::Single(t) => named(t),
        jsonschema::error::TypeKind::Multiple(set) => set
            .iter()
            .map(|t| named(&t))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn join_or(options: &[String]) -> String {
    let mut unique: Vec<&String> = Vec::new();
    for o in options {
        if !unique.contains(&o) {
            unique.push(o);
        }
    }
    let parts: Vec<&str> = unique.iter().map(|s| s.as_str()).collect();
    if parts.is_empty() {
        "allowed here".to_string()
    } else {
        parts.join(", or ")
    }
}

/// (shape mismatches, all failures) among the leaf errors of a branch.
fn leaf_counts(errors: &[ValidationError<'static>]) -> (usize, usize) {
    let mut shape = 0;
    let mut total = 0;
    for e in errors {
        match e.kind() {
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                for branch in context {
                    let (s, t) = leaf_counts(branch);
                    shape += s;
                    total += t;
                }
            }
            ValidationErrorKind::Type { .. } | ValidationErrorKind::PropertyNames { .. } => {
                shape += 1;
                total += 1;
            }
            _ => total += 1,
        }
    }
    (shape, total)
}

fn segments(pointer: &str) -> usize {
    pointer.matches('/').count()
}

fn max_depth(errors: &[ValidationError<'static>]) -> usize {
    errors.iter().map(|e| deepest(e)).max().unwrap_or(0)
}

fn deepest(err: &ValidationError<'_>) -> usize {
    let own = segments(err.instance_path().as_str());
    match err.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context
                .iter()
                .map(|b| max_depth(b))
                .max()
                .unwrap_or(0)
                .max(own)
        }
        _ => own,
    }
}

/// A JSON pointer for messages: the document itself shows as "(root)".
fn show(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(root)"
    } else {
        pointer
    }
}

/// A value in at most ~40 characters: short JSON as is, longer values summarised.
fn brief(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 40 {
        return text;
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    match value {
        Value::Object(map) => format!(
            "object of {} propert{}",
            map.len(),
            if map.len() == 1 { "y" } else { "ies" }
        ),
        Value::Array(items) => format!("array of {} item{}", items.len(), plural(items.len())),
        Value::String(s) => format!("\"{}...\"", s.chars().take(36).collect::<String>()),
        _ => format!("{}...", text.chars().take(37).collect::<String>()),
    }
}

/// The pointer of the first value nested deeper than `limit`, if any (no recursion).
fn too_deep(value: &Value, limit: usize) -> Option<String> {
    // Paths are built only once a value is known to be too deep.
    if !deeper_than(value, limit) {
        return None;
    }
    let mut stack: Vec<(&Value, usize, String)> = vec![(value, 0, String::new())];
    while let Some((v, depth, path)) = stack.pop() {
        if depth > limit {
            return Some(path);
        }
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    if child.is_object() || child.is_array() {
                        let key = k.replace('~', "~0").replace('/', "~1");
                        stack.push((child, depth + 1, format!("{path}/{key}")));
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    if child.is_object() || child.is_array() {
                        stack.push((child, depth + 1, format!("{path}/{i}")));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether any value is nested deeper than `limit` (what [`too_deep`] finds, without paths).
fn deeper_than(value: &Value, limit: usize) -> bool {
    let mut stack: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((v, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        match v {
            Value::Object(map) => stack.extend(
                map.values()
                    .filter(|c| c.is_object() || c.is_array())
                    .map(|c| (c, depth + 1)),
            ),
            Value::Array(items) => stack.extend(
                items
                    .iter()
                    .filter(|c| c.is_object() || c.is_array())
                    .map(|c| (c, depth + 1)),
            ),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_schema_is_valid_2019_09() {
        let meta = jsonschema::options()
            .with_draft(Draft::Draft201909)
            .build(&serde_json::json!({"$ref": "https://json-schema.org/draft/2019-09/schema"}))
            .expect("2019-09 meta-schema compiles");
        for (name, text) in all_files() {
            let schema: Value = serde_json::from_str(text).expect("bundled schema is JSON");
            assert_eq!(
                schema["$schema"], "https://json-schema.org/draft/2019-09/schema",
                "{name}"
            );
            let errors: Vec<String> = meta.iter_errors(&schema).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{name}: {errors:?}");
            assert!(jsonschema::meta::is_valid(&schema), "{name}");
        }
        // The meta-schema check can fail: a keyword with a wrong type is refused.
        let broken = serde_json::json!({
            "$schema": "https://json-schema.org/draft/2019-09/schema",
            "minItems": "three"
        });
        assert!(!meta.is_valid(&broken));
        assert!(!jsonschema::meta::is_valid(&broken));
    }

    #[test]
    fn kinds_in_finds_outer_and_nested_credentials() {
        let nested = serde_json::json!({
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "credentialSubject": {}
        });
        let clr = serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "ClrCredential"],
            "credentialSubject": {"verifiableCredential": [nested.clone(), nested]}
        });
        assert_eq!(
            kinds_in(&clr),
            vec![
                (SchemaKind::ClrCredential, Generation::V2),
                (SchemaKind::AchievementCredential, Generation::V11)
            ]
        );
        assert!(kinds_in(&serde_json::json!({"type": "ClrCredential"})).is_empty());
    }
    use serde_json::json;

    fn minimal_clr() -> Value {
        json!({
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
            ],
            "id": "urn:uuid:8f3c2a9e-2b8e-4f0a-9a51-0d7c1f0b2c11",
            "type": ["VerifiableCredential", "ClrCredential"],
            "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "Example U"},
            "name": "Transcript",
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {
                "id": "did:example:learner",
                "type": ["ClrSubject"],
                "verifiableCredential": [{
                    "@context": [
                        "https://www.w3.org/ns/credentials/v2",
                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
                    ],
                    "id": "urn:uuid:1",
                    "type": ["VerifiableCredential", "OpenBadgeCredential"],
                    "issuer": "https://example.edu/issuers/1",
                    "validFrom": "2024-01-01T00:00:00Z",
                    "credentialSubject": {"id": "did:example:learner"}
                }],
                "association": [{
                    "type": "Association",
                    "associationType": "isChildOf",
                    "sourceId": "urn:a",
                    "targetId": "urn:b"
                }]
            }
        })
    }

    fn clr(value: &Value) -> Vec<SchemaError> {
        validate(SchemaKind::ClrCredential, Generation::V2, value)
    }

    #[test]
    fn fetched_schemas_validate_and_never_fetch_further() {
        let schema = serde_json::json!({
            "$schema": "https://json-schema.org/draft/2019-09/schema",
            "type": "object",
            "required": ["name"]
        });
        assert!(
            validate_with(&schema, &serde_json::json!({"name": "x"}))
                .unwrap()
                .is_empty()
        );
        let errs = validate_with(&schema, &serde_json::json!({})).unwrap();
        assert!(errs[0].message.contains("name"), "{}", errs[0].message);
        let remote = serde_json::json!({"$ref": "https://elsewhere.example/s.json"});
        assert!(validate_with(&remote, &serde_json::json!({})).is_err());
    }

    #[test]
    fn every_schema_compiles() {
        for kind in SchemaKind::ALL {
            for generation in [Generation::V2, Generation::V11] {
                assert!(
                    compiled(kind, generation).is_ok(),
                    "{kind:?} {generation:?}: {:?}",
                    compiled(kind, generation).as_ref().err()
                );
            }
        }
    }

    #[test]
    fn minimal_clr_passes() {
        assert_eq!(clr(&minimal_clr()), vec![]);
    }

    #[test]
    fn each_required_property_is_named_when_missing() {
        for prop in [
            "@context",
            "type",
            "id",
            "name",
            "issuer",
            "validFrom",
            "credentialSubject",
        ] {
            let mut doc = minimal_clr();
            doc.as_object_mut().map(|m| m.remove(prop));
            let errors = clr(&doc);
            let needle = format!("missing required property \"{prop}\"");
            assert!(
                errors
                    .iter()
                    .any(|e| e.message.contains(&needle) && e.instance_path.is_empty()),
                "{prop}: {errors:?}"
            );
        }
        let mut doc = minimal_clr();
        doc["credentialSubject"]
            .as_object_mut()
            .map(|m| m.remove("verifiableCredential"));
        let errors = clr(&doc);
        assert!(
            errors
                .iter()
                .any(|e| e.instance_path == "/credentialSubject"
                    && e.message.contains("\"verifiableCredential\"")),
            "{errors:?}"
        );
    }

    #[test]
    fn bad_association_type_is_reported_at_its_path() {
        let mut doc = minimal_clr();
        doc["credentialSubject"]["association"][0]["associationType"] = json!("isCousinOf");
        let errors = clr(&doc);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].instance_path,
            "/credentialSubject/association/0/associationType"
        );
        assert!(
            errors[0]
                .message
                .starts_with("/credentialSubject/association/0/associationType: \"isCousinOf\""),
            "{}",
            errors[0].message
        );
        assert!(
            errors[0].schema_path.starts_with("association.json#"),
            "{}",
            errors[0].schema_path
        );
    }

    #[test]
    fn context_order_is_enforced() {
        let mut doc = minimal_clr();
        let ctx = doc["@context"].as_array_mut().map(|a| a.swap(1, 2));
        assert!(ctx.is_some());
        let errors = clr(&doc);
        assert!(
            errors.iter().any(|e| e.instance_path == "/@context/1"),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.instance_path == "/@context/2"),
            "{errors:?}"
        );
    }

    #[test]
    fn type_must_name_the_class() {
        let mut doc = minimal_clr();
        doc["type"] = json!(["VerifiableCredential", "OtherCredential"]);
        let errors = clr(&doc);
        assert!(
            errors.iter().any(|e| e.instance_path == "/type"
                && e.message.contains("does not contain \"ClrCredential\"")),
            "{errors:?}"
        );
    }

    #[test]
    fn vc11_generation_needs_issuance_date() {
        let mut doc = minimal_clr();
        doc["@context"][0] = json!("https://www.w3.org/2018/credentials/v1");
        assert!(!clr(&doc).is_empty());
        let v11 = validate(SchemaKind::ClrCredential, Generation::V11, &doc);
        assert!(
            v11.iter().any(|e| e.message.contains("\"issuanceDate\"")),
            "{v11:?}"
        );
        assert_eq!(Generation::of(&doc), Some(Generation::V11));
    }

    #[test]
    fn extra_property_in_status_info_fails() {
        let ok = json!({"imsx_codeMajor": "failure", "imsx_severity": "error",
            "imsx_codeMinor": {"imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": "invalid_data"}]}});
        assert_eq!(
            validate(SchemaKind::ImsxStatusInfo, Generation::V2, &ok),
            vec![]
        );
        let mut bad = ok.clone();
        bad["imsx_extra"] = json!(1);
        let errors = validate(SchemaKind::ImsxStatusInfo, Generation::V2, &bad);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].message,
            "(root): unexpected property \"imsx_extra\""
        );
    }

    #[test]
    fn bad_compact_jws_in_response_fails() {
        let ok = json!({"compactJwsString": ["eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ.c2ln"]});
        assert_eq!(
            validate(SchemaKind::GetClrCredentialsResponse, Generation::V2, &ok),
            vec![]
        );
        let bad = json!({"compactJwsString": ["eyJhbGciOiJFUzI1NiJ9.not a jws"]});
        let errors = validate(SchemaKind::GetClrCredentialsResponse, Generation::V2, &bad);
        assert!(
            errors
                .iter()
                .any(|e| e.instance_path == "/compactJwsString/0"),
            "{errors:?}"
        );
        let with_clr = json!({"credential": [minimal_clr()]});
        assert_eq!(
            validate(
                SchemaKind::GetClrCredentialsResponse,
                Generation::V2,
                &with_clr
            ),
            vec![]
        );
    }

    #[test]
    fn service_description_needs_registration_url() {
        let mut sdd = json!({
            "openapi": "3.0.1",
            "info": {"title": "Example", "version": "2.0", "termsOfService": "https://example.edu/terms",
                "x-imssf-privacyPolicyUrl": "https://example.edu/privacy"},
            "components": {"securitySchemes": {"OAuth2ACG": {"type": "oauth2",
                "x-imssf-registrationUrl": "https://example.edu/register",
                "flows": {"authorizationCode": {"authorizationUrl": "https://example.edu/authorize",
                    "tokenUrl": "https://example.edu/token", "scopes": {}}}}}}
        });
        let kind = SchemaKind::ServiceDescriptionDocument;
        assert_eq!(validate(kind, Generation::V2, &sdd), vec![]);
        let scheme = "/components/securitySchemes/OAuth2ACG";
        sdd.pointer_mut(scheme)
            .and_then(Value::as_object_mut)
            .map(|m| m.remove("x-imssf-registrationUrl"));
        let errors = validate(kind, Generation::V2, &sdd);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].message,
            format!("{scheme}: missing required property \"x-imssf-registrationUrl\"")
        );
    }

    #[test]
    fn official_ids_map_to_our_kinds() {
        let clr = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json";
        assert_eq!(kind_for_official_id(clr), Some(SchemaKind::ClrCredential));
        let ob = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";
        assert_eq!(
            kind_for_official_id(ob),
            Some(SchemaKind::AchievementCredential)
        );
        assert_eq!(
            kind_for_official_id("https://example.org/x_schema.json"),
            None
        );
        assert_eq!(
            kind_for_official_id(
                "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_clrcredential_schema.json"
            ),
            None
        );
    }

    #[test]
    fn unknown_ref_is_refused_by_name() {
        let schema = json!({"$ref": "https://clr-conformance.example/schemas/nope.json"});
        let err = jsonschema::options()
            .with_retriever(Embedded)
            .build(&schema)
            .err();
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("nope.json"), "{text}");
    }

    #[test]
    fn deep_nesting_is_rejected_without_overflow() {
        let mut org = json!({"id": "urn:x", "type": "Profile"});
        for _ in 0..200 {
            org = json!({"id": "urn:x", "type": "Profile", "parentOrg": org});
        }
        let errors = validate(SchemaKind::Profile, Generation::V2, &org);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].message.contains("nested deeper than"),
            "{}",
            errors[0].message
        );
        // Just under the limit still validates on a default test-thread stack.
        let mut org = json!({"id": "urn:x", "type": "Profile"});
        for _ in 0..(MAX_DEPTH - 1) {
            org = json!({"id": "urn:x", "type": "Profile", "parentOrg": org});
        }
        assert_eq!(validate(SchemaKind::Profile, Generation::V2, &org), vec![]);
    }

    #[test]
    fn non_credentials_fail_without_panic() {
        for v in [
            json!(null),
            json!(1),
            json!("x"),
            json!([]),
            json!({"@context": {}}),
        ] {
            for kind in SchemaKind::ALL {
                for generation in [Generation::V2, Generation::V11] {
                    assert!(!validate(kind, generation, &v).is_empty(), "{kind:?} {v}");
                }
            }
        }
    }
}
