//! Conformance of a credential's shape: `@context` order and generation,
//! `type`, required properties, the subject, associations, issuer, nulls.
//! Fast structural checks that name the exact rule; the JSON Schema step
//! (schema_step) judges the full data model.

use super::{Generation, Kind, Subject, VerifyOptions, json_kind, types};
use crate::catalog::Profile;
use crate::evidence::{Check, Recorder};
use regex_lite::Regex;
use serde_json::Value;
use std::sync::OnceLock;

/// The rows this step may judge, as the registry lists them.
pub(super) const CHECKS: &[crate::registry::CheckSpec] = &[crate::registry::CheckSpec {
    at: crate::registry::here!(),
    name: "credential shape",
    ids: &[
        "data.achievement-credential.context-order",
        "data.achievement-credential.required",
        "data.achievement-credential.type",
        "data.achievement-subject.achievement",
        "data.achievement-subject.identified",
        "data.achievement-subject.type",
        "data.association.required",
        "data.association.source-target",
        "data.association.type",
        "data.clr-subject.identified",
        "data.clr-subject.identity-hash",
        "data.clr-subject.identity-salted",
        "data.clr-subject.nested-shape",
        "data.clr-subject.type",
        "data.clr-subject.verifiable-credential",
        "data.clr.context-current",
        "data.clr.context-defines-used-terms",
        "data.clr.context-order",
        "data.clr.credential-subject",
        "data.clr.id",
        "data.clr.issuer",
        "data.clr.name",
        "data.clr.partial-type",
        "data.clr.type",
        "data.clr.valid-from",
        "data.endorsement.context-order",
        "data.endorsement.required",
        "data.endorsement.subject",
        "data.endorsement.type",
        "data.issuer.name",
        "data.issuer.profile",
        "data.profile.id",
        "data.profile.type",
        "data.serialization.no-null",
        "verify.conformance.structure",
        "verify.conformance.subject-identified",
        "verify.generation.detect",
        "verify.generation.vc11",
    ],
}];

pub(super) fn run(s: &Subject, opts: &VerifyOptions, rec: &mut Recorder) {
    // The structure steps record into their own recorder, so counting their
    // failures costs nothing however many findings came before.
    let mut structure = rec.child();
    context(s, opts, &mut structure);
    type_and_required(s, opts, &mut structure);
    let structure_ok = failures(&structure) == 0;
    rec.merge(structure);
    let mut c = Check::new("conforming structure", &["verify.conformance.structure"]);
    c.subject(&s.name);
    c.ensure(
        "verify.conformance.structure",
        structure_ok,
        if structure_ok {
            "@context, type and required properties conform"
        } else {
            "@context, type or required properties break the data model: not conforming"
        },
    );
    rec.finish(c);
    identity_hashes(s, rec);
    subject(s, rec);
    if s.kind == Kind::Clr {
        associations(s, rec);
        super::clr_rules::run(s, rec);
    }
    issuer(s, rec);
    no_nulls(s, rec);
}

/// Failed findings recorded so far (to tell whether a step added any).
fn failures(rec: &Recorder) -> usize {
    rec.findings()
        .iter()
        // A SHOULD about context versions does not make the structure non-conforming.
        .filter(|(id, _)| id.as_str() != "data.clr.context-current")
        .flat_map(|(_, v)| v)
        .filter(|f| f.verdict == crate::evidence::Verdict::Fail)
        .count()
}

/// Hashed IdentityObjects carry `md5$` or `sha256$` and a hex digest.
fn identity_hashes(s: &Subject, rec: &mut Recorder) {
    let mut found = Vec::new();
    collect_identities(s.cred, &mut found);
    if found.is_empty() {
        return;
    }
    let mut c = Check::new("identity hashes", &["data.clr-subject.identity-hash"]);
    c.subject(&s.name);
    for ident in found {
        if ident.get("hashed").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let hash = ident
            .get("identityHash")
            .and_then(Value::as_str)
            .unwrap_or("");
        let ok = match hash.split_once('$') {
            Some(("md5", hex)) => hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()),
            Some(("sha256", hex)) => hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()),
            _ => false,
        };
        if ok {
            c.pass(
                "data.clr-subject.identity-hash",
                "hashed identityHash is md5$ or sha256$ hex",
            );
        } else {
            c.fail(
                "data.clr-subject.identity-hash",
                format!("identityHash {hash:?}: not md5$ or sha256$ followed by a hex digest"),
            );
        }
    }
    rec.finish(c);
}

fn collect_identities<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            if types(v).iter().any(|t| t == "IdentityObject") || m.contains_key("identityHash") {
                out.push(v);
            }
            for (k, x) in m {
                if k != "verifiableCredential" {
                    collect_identities(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_identities(x, out)),
        _ => {}
    }
}

fn ctx_list(v: &Value) -> Vec<String> {
    match v.get("@context") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn context_id(kind: Kind) -> &'static str {
    match kind {
        Kind::Clr | Kind::Other => "data.clr.context-order",
        Kind::Generic => "data.clr-subject.nested-shape",
        Kind::Achievement => "data.achievement-credential.context-order",
        Kind::Endorsement => "data.endorsement.context-order",
    }
}

/// `@context` order: VC v2, then (CLR only) a CLR context, then an OB context.
/// A displayer also accepts the VC 1.1 order with the older alias contexts.
fn context(s: &Subject, opts: &VerifyOptions, rec: &mut Recorder) {
    let id = context_id(s.kind);
    let mut c = Check::new(
        "context order",
        &[
            id,
            "verify.generation.detect",
            "verify.generation.vc11",
            "data.clr.context-current",
        ],
    );
    c.subject(&s.name);
    let list = ctx_list(s.cred);
    let p = &opts.profile.contexts;
    let (clr_re, ob_re, known) = patterns(opts.profile);
    let known = |u: &str| known.iter().find(|k| k.0 == u);
    let is_ob = |u: &str| match known(u) {
        Some(k) => k.2,
        None => ob_re.is_match(u) || p.ob_aliases.iter().any(|a| a == u),
    };
    let is_clr = |u: &str| match known(u) {
        Some(k) => k.1,
        None => clr_re.is_match(u) || p.primary_aliases.iter().any(|a| a == u),
    };
    match s.generation {
        Generation::Unknown => {
            let first = list.first().cloned().unwrap_or_else(|| "nothing".into());
            c.fail(id, format!("first @context is {first}"))
                .expected(p.vc_v2.clone())
                .actual(first.clone());
            c.fail(
                "verify.generation.detect",
                format!("{first}: neither a VC 2.0 nor a VC 1.1 context"),
            );
        }
        Generation::V11 if opts.issuer() => {
            c.fail(
                id,
                "issuers produce VC 2.0 credentials: first @context is the VC 1.1 context",
            )
            .expected(p.vc_v2.clone())
            .actual(p.vc_v1.clone());
        }
        g => {
            c.pass(
                "verify.generation.detect",
                format!("generation {g:?} from the first @context"),
            );
            if g == Generation::V11 {
                c.pass(
                    "verify.generation.vc11",
                    "VC 1.1 credential accepted by a displayer",
                );
            }
            let rest = &list[1.min(list.len())..];
            let ok = if s.kind == Kind::Generic {
                // Any credential: only the VC context first is required.
                true
            } else if s.kind == Kind::Clr && opts.profile.credential_type == "ClrCredential" {
                rest.len() >= 2 && is_clr(&rest[0]) && rest[1..].iter().any(|u| is_ob(u))
            } else {
                !rest.is_empty() && rest.iter().any(|u| is_ob(u) || is_clr(u))
            };
            let expected = if s.kind == Kind::Clr {
                format!("[{}, {}, {}, ...]", first_ctx(g, opts), p.primary, p.ob)
            } else {
                format!("[{}, {}, ...]", first_ctx(g, opts), p.ob)
            };
            let f = c.ensure(id, ok, format!("@context order of a {}", s.kind.name()));
            if !ok {
                f.expected(expected).actual(format!("{list:?}"));
            }
            if s.kind == Kind::Clr && s.depth == 0 && g == Generation::V2 {
                let current =
                    list.iter().any(|u| u == &p.primary) && list.iter().any(|u| u == &p.ob);
                c.ensure(
                    "data.clr.context-current",
                    current,
                    "current CLR and OB context versions",
                )
                .expected(format!("{} and {}", p.primary, p.ob));
            }
        }
    }
    rec.finish(c);
}

fn first_ctx(g: Generation, opts: &VerifyOptions) -> &str {
    if g == Generation::V11 {
        &opts.profile.contexts.vc_v1
    } else {
        &opts.profile.contexts.vc_v2
    }
}

/// A context URL and whether it is a CLR (primary) and an OB context.
type Known = (String, bool, bool);
/// One profile's compiled patterns and remembered verdicts.
type Patterns = (Regex, Regex, Vec<Known>);

/// The profile's context patterns, compiled once per profile, with their verdicts on the
/// profile's own context URLs (the regex engine is slow; those URLs are the usual ones).
fn patterns(profile: &'static Profile) -> (&'static Regex, &'static Regex, &'static [Known]) {
    static CACHE: OnceLock<Vec<(String, Patterns)>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        Profile::all()
            .iter()
            .map(|p| {
                let compile = |pat: &str| {
                    Regex::new(pat).unwrap_or_else(|e| {
                        panic!("suites/profiles/{}.toml: pattern {pat}: {e}", p.id)
                    })
                };
                let c = &p.contexts;
                let (clr, ob) = (compile(&c.primary_pattern), compile(&c.ob_pattern));
                let known = [&c.primary, &c.ob]
                    .into_iter()
                    .chain(&c.primary_aliases)
                    .chain(&c.ob_aliases)
                    .map(|u| {
                        let is_clr = clr.is_match(u) || c.primary_aliases.contains(u);
                        let is_ob = ob.is_match(u) || c.ob_aliases.contains(u);
                        (u.clone(), is_clr, is_ob)
                    })
                    .collect();
                (p.id.clone(), (clr, ob, known))
            })
            .collect()
    });
    match all.iter().find(|(id, _)| *id == profile.id) {
        Some((_, (clr, ob, known))) => (clr, ob, known),
        None => (&all[0].1.0, &all[0].1.1, &[]),
    }
}

fn type_and_required(s: &Subject, opts: &VerifyOptions, rec: &mut Recorder) {
    let t = types(s.cred);
    let has = |x: &str| t.iter().any(|y| y == x);
    let vc = has("VerifiableCredential");
    let date_field = if s.generation == Generation::V11 {
        "issuanceDate"
    } else {
        "validFrom"
    };
    match s.kind {
        Kind::Clr => {
            let ids = [
                "data.clr.type",
                "data.clr.id",
                "data.clr.name",
                "data.clr.issuer",
                "data.clr.valid-from",
                "data.clr.credential-subject",
            ];
            let mut c = Check::new("ClrCredential type and required properties", &ids);
            c.subject(&s.name);
            c.ensure(
                "data.clr.type",
                vc && has("ClrCredential"),
                "type has VerifiableCredential and ClrCredential",
            )
            .actual(format!("{t:?}"));
            require(&mut c, s.cred, "data.clr.id", "id", |v| {
                v.as_str().is_some_and(is_uri)
            });
            require(&mut c, s.cred, "data.clr.name", "name", |v| {
                v.is_string() || v.is_object()
            });
            require(&mut c, s.cred, "data.clr.issuer", "issuer", |v| {
                v.as_str().is_some_and(is_uri)
                    || v.get("id").and_then(Value::as_str).is_some_and(is_uri)
            });
            require(
                &mut c,
                s.cred,
                "data.clr.valid-from",
                date_field,
                Value::is_string,
            );
            require(
                &mut c,
                s.cred,
                "data.clr.credential-subject",
                "credentialSubject",
                Value::is_object,
            );
            rec.finish(c);
        }
        Kind::Achievement => {
            let ids = [
                "data.achievement-credential.type",
                "data.achievement-credential.required",
            ];
            let mut c = Check::new("AchievementCredential type and required properties", &ids);
            c.subject(&s.name);
            c.ensure(
                "data.achievement-credential.type",
                vc && (has("AchievementCredential") || has("OpenBadgeCredential")),
                "type has VerifiableCredential and AchievementCredential or OpenBadgeCredential",
            )
            .actual(format!("{t:?}"));
            for field in ["id", "issuer", date_field, "credentialSubject"] {
                require(
                    &mut c,
                    s.cred,
                    "data.achievement-credential.required",
                    field,
                    |v| !v.is_null(),
                );
            }
            rec.finish(c);
        }
        Kind::Endorsement => {
            let ids = ["data.endorsement.type", "data.endorsement.required"];
            let mut c = Check::new("EndorsementCredential type and required properties", &ids);
            c.subject(&s.name);
            c.ensure(
                "data.endorsement.type",
                vc && has("EndorsementCredential"),
                "type has VerifiableCredential and EndorsementCredential",
            )
            .actual(format!("{t:?}"));
            for field in ["id", "name", "issuer", date_field, "credentialSubject"] {
                require(&mut c, s.cred, "data.endorsement.required", field, |v| {
                    !v.is_null()
                });
            }
            rec.finish(c);
        }
        // Judged as a complete credential by data.clr-subject.nested-shape.
        Kind::Generic => {}
        Kind::Other => {
            let top_is_clr = s.depth == 0 && opts.profile.credential_type == "ClrCredential";
            let id = if top_is_clr {
                "data.clr.type"
            } else {
                "data.achievement-credential.type"
            };
            let mut c = Check::new("credential type", &[id]);
            c.subject(&s.name)
                .fail(id, "not a ClrCredential, AchievementCredential, OpenBadgeCredential or EndorsementCredential")
                .actual(format!("{t:?}"));
            rec.finish(c);
        }
    }
}

fn require(c: &mut Check, cred: &Value, id: &str, field: &str, ok: impl Fn(&Value) -> bool) {
    match cred.get(field) {
        None => {
            c.fail(id, format!("{field}: missing"));
        }
        Some(v) if ok(v) => {
            c.pass(id, format!("{field} present"));
        }
        Some(v) => {
            c.fail(id, format!("{field}: unexpected {} value", json_kind(v)))
                .actual(trim(v));
        }
    }
}

fn subject(s: &Subject, rec: &mut Recorder) {
    let Some(cs) = s.cred.get("credentialSubject").filter(|v| v.is_object()) else {
        return;
    };
    let identified = cs.get("id").and_then(Value::as_str).is_some()
        || cs.get("identifier").is_some_and(|i| match i {
            Value::Array(a) => !a.is_empty(),
            Value::Object(_) => true,
            _ => false,
        });
    let t = types(cs);
    match s.kind {
        Kind::Clr => {
            let ids = [
                "data.clr-subject.type",
                "data.clr-subject.identified",
                "data.clr-subject.verifiable-credential",
                "verify.conformance.subject-identified",
            ];
            let mut c = Check::new("ClrSubject", &ids);
            c.subject(&s.name);
            c.ensure(
                "data.clr-subject.type",
                t.iter().any(|x| x == "ClrSubject"),
                "credentialSubject.type has ClrSubject",
            )
            .actual(format!("{t:?}"));
            c.ensure(
                "data.clr-subject.identified",
                identified,
                "ClrSubject has id and/or identifier",
            );
            c.ensure(
                "verify.conformance.subject-identified",
                identified,
                "subject identified",
            );
            let n = match cs.get("verifiableCredential") {
                Some(Value::Array(a)) => a.len(),
                Some(Value::Object(_)) | Some(Value::String(_)) => 1,
                _ => 0,
            };
            c.ensure(
                "data.clr-subject.verifiable-credential",
                n >= 1,
                format!("{n} nested credential(s)"),
            );
            rec.finish(c);
        }
        Kind::Achievement => {
            let ids = [
                "data.achievement-subject.type",
                "data.achievement-subject.identified",
                "data.achievement-subject.achievement",
            ];
            let mut c = Check::new("AchievementSubject", &ids);
            c.subject(&s.name);
            c.ensure(
                "data.achievement-subject.type",
                t.iter().any(|x| x == "AchievementSubject"),
                "credentialSubject.type has AchievementSubject",
            )
            .actual(format!("{t:?}"));
            c.ensure(
                "data.achievement-subject.identified",
                identified,
                "AchievementSubject has id and/or identifier",
            );
            c.ensure(
                "data.achievement-subject.achievement",
                cs.get("achievement").is_some_and(Value::is_object),
                "achievement is an object",
            );
            rec.finish(c);
        }
        Kind::Endorsement => {
            let mut c = Check::new("EndorsementSubject", &["data.endorsement.subject"]);
            c.subject(&s.name);
            let ok = cs.get("id").and_then(Value::as_str).is_some()
                && t.iter().any(|x| x == "EndorsementSubject");
            c.ensure(
                "data.endorsement.subject",
                ok,
                "credentialSubject has id and type EndorsementSubject",
            );
            rec.finish(c);
        }
        Kind::Generic | Kind::Other => {}
    }
}

const ASSOCIATION_TYPES: &[&str] = &[
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
];

/// Associations: required members, the type enum, and sourceId/targetId naming
/// achievements present in the record.
fn associations(s: &Subject, rec: &mut Recorder) {
    let Some(list) = s.cred.pointer("/credentialSubject/association") else {
        return;
    };
    let items: Vec<&Value> = match list {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    let known = achievement_ids(s.cred);
    let ids = [
        "data.association.required",
        "data.association.type",
        "data.association.source-target",
    ];
    let mut c = Check::new("associations", &ids);
    c.subject(&s.name);
    for (i, a) in items.iter().enumerate() {
        let at = format!("association[{i}]");
        let req_ok = types(a).iter().any(|t| t == "Association")
            && a.get("associationType").is_some()
            && a.get("sourceId").and_then(Value::as_str).is_some()
            && a.get("targetId").and_then(Value::as_str).is_some();
        c.ensure(
            "data.association.required",
            req_ok,
            format!("{at}: type Association, associationType, sourceId, targetId"),
        );
        if let Some(t) = a.get("associationType") {
            let ok = t.as_str().is_some_and(|t| ASSOCIATION_TYPES.contains(&t));
            c.ensure(
                "data.association.type",
                ok,
                format!("{at}: associationType"),
            )
            .expected(ASSOCIATION_TYPES.join("|"))
            .actual(trim(t));
        }
        for end in ["sourceId", "targetId"] {
            if let Some(id) = a.get(end).and_then(Value::as_str) {
                let ok = known.iter().any(|k| k == id);
                c.ensure(
                    "data.association.source-target",
                    ok,
                    format!("{at}: {end} {id} names an achievement in the record"),
                );
            }
        }
    }
    rec.finish(c);
}

/// Ids of every Achievement in the record (top-level and in nested credentials).
fn achievement_ids(cred: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if types(v).iter().any(|t| t == "Achievement")
                    && let Some(id) = m.get("id").and_then(Value::as_str)
                {
                    out.push(id.to_string());
                }
                m.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(cred, &mut out);
    out
}

fn issuer(s: &Subject, rec: &mut Recorder) {
    let Some(iss) = s.cred.get("issuer") else {
        return;
    };
    let ids = [
        "data.issuer.profile",
        "data.issuer.name",
        "data.profile.id",
        "data.profile.type",
    ];
    let mut c = Check::new("issuer profile", &ids);
    c.subject(&s.name);
    let top_clr = s.kind == Kind::Clr && s.depth == 0;
    match iss {
        Value::String(u) => {
            c.ensure(
                "data.issuer.profile",
                is_uri(u),
                format!("issuer {u} is a URI"),
            );
            if top_clr {
                c.fail(
                    "data.issuer.name",
                    "issuer is a bare URI; displayers cannot show an issuer name",
                );
            }
        }
        Value::Object(o) => {
            let id = o.get("id").and_then(Value::as_str);
            let id_ok = id.is_some_and(is_uri);
            let type_ok = types(iss).iter().any(|t| t == "Profile");
            c.ensure(
                "data.issuer.profile",
                id_ok && type_ok,
                "issuer is a Profile with a URI id and type Profile",
            );
            if id_ok {
                c.pass("data.profile.id", "issuer Profile id is a URI");
            } else {
                c.fail(
                    "data.profile.id",
                    format!("issuer Profile id {}: not a URI", id.unwrap_or("missing")),
                );
            }
            c.ensure(
                "data.profile.type",
                type_ok,
                "issuer Profile type contains Profile",
            );
            if top_clr {
                c.ensure(
                    "data.issuer.name",
                    o.get("name").is_some(),
                    "issuer Profile has a name",
                );
            }
        }
        other => {
            c.fail(
                "data.issuer.profile",
                format!("issuer is a {}", json_kind(other)),
            );
        }
    }
    rec.finish(c);
}

/// No JSON null anywhere in the serialized credential.
fn no_nulls(s: &Subject, rec: &mut Recorder) {
    let mut at = None;
    find_null(s.cred, &mut String::new(), &mut at);
    let mut c = Check::new("no null values", &["data.serialization.no-null"]);
    c.subject(&s.name);
    match at {
        Some(p) => c.fail("data.serialization.no-null", format!("{p}: null value")),
        None => c.pass("data.serialization.no-null", "no null values"),
    };
    rec.finish(c);
}

fn find_null(v: &Value, ptr: &mut String, at: &mut Option<String>) {
    use std::fmt::Write;
    if at.is_some() {
        return;
    }
    match v {
        Value::Null => {
            *at = Some(if ptr.is_empty() {
                "/".into()
            } else {
                ptr.clone()
            })
        }
        Value::Object(m) => {
            for (k, x) in m {
                if k == "verifiableCredential" {
                    continue;
                }
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(k);
                find_null(x, ptr, at);
                ptr.truncate(len);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let len = ptr.len();
                let _ = write!(ptr, "/{i}");
                find_null(x, ptr, at);
                ptr.truncate(len);
            }
        }
        _ => {}
    }
}

/// An absolute URI: a scheme followed by ':'.
pub(crate) fn is_uri(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, rest)) => {
            !rest.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

pub(crate) fn trim(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 200 {
        format!(
            "{}...",
            &s[..s.char_indices().nth(200).map(|(i, _)| i).unwrap_or(s.len())]
        )
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_patterns_compile_and_match_current_contexts() {
        for p in Profile::all() {
            let (primary, ob, known) = patterns(p);
            assert!(primary.is_match(&p.contexts.primary), "{}", p.id);
            assert!(ob.is_match(&p.contexts.ob), "{}", p.id);
            assert!(!ob.is_match("https://example.org/context.json"));
            // The remembered verdicts are the patterns' (or the aliases').
            for (url, clr, is_ob) in known {
                let c = &p.contexts;
                assert_eq!(
                    *clr,
                    primary.is_match(url) || c.primary_aliases.contains(url)
                );
                assert_eq!(*is_ob, ob.is_match(url) || c.ob_aliases.contains(url));
            }
            assert!(known.iter().any(|k| k.0 == p.contexts.primary && k.1));
        }
    }

    #[test]
    fn uri_check() {
        assert!(is_uri("https://example.org/x"));
        assert!(is_uri("urn:uuid:1234"));
        assert!(!is_uri("no scheme"));
        assert!(!is_uri("1http://x"));
    }
}
