//! Signed test vectors: a reproducible, self-checking corpus of CLR 2.0
//! credentials with expected verdicts, in the manner of Wycheproof.
//!
//! `generate` builds every case file (and the TEST ONLY keys and the coverage
//! index) in memory, deterministically: fixed keys, fixed `created` times,
//! deterministic signatures, stable JSON. `check` regenerates, compares with
//! the committed files, and judges every committed case with our verify engine.

pub mod build;
pub mod cases;
pub mod check;
pub mod format;
pub mod keys;
pub mod mutate;

use crate::catalog::{Catalog, Level, Role};
use cases::FileSpec;
use format::{Case, CaseFile, Group, Verdict};

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Bumped when the generator's output changes on purpose.
pub const GENERATOR_VERSION: &str = "1";
/// The coverage index, relative to the corpus folder.
pub const COVERAGE_FILE: &str = "coverage.json";

/// What each flag means (copied into the `notes` of the files that use it).
const FLAGS: &[(&str, &str)] = &[
    (
        "Nested",
        "The case is about, or contains, nested AchievementCredentials signed by other issuers.",
    ),
    (
        "Generic",
        "A nested credential is a verifiable credential of another type than AchievementCredential (the CLR schema allows any): only the credential rules and its own proof apply to it.",
    ),
    (
        "Certification",
        "The group is judged as a certification submission (`verify --certification`): the issuer's record must be baked and issued to the group's expectRecipient.",
    ),
    (
        "Endorsed",
        "The case carries EndorsementCredentials by a third issuer.",
    ),
    (
        "Jwt",
        "The credential (or a part of it) is a VC-JWT compact JWS.",
    ),
    (
        "Vc11",
        "A VC Data Model 1.1 credential (issuanceDate, VC 1.1 context): a displayer accepts it, an issuer must not produce it.",
    ),
    (
        "Legacy",
        "A deprecated proof suite (Ed25519Signature2020, eddsa-2022).",
    ),
    (
        "Tampered",
        "Bytes were changed after signing: the signature must not verify.",
    ),
    (
        "Status",
        "The status list is in the group's documents; no network is needed.",
    ),
    (
        "SchemaMutation",
        "Generated from the JSON Schema: one property removed or one value broken, then signed.",
    ),
    (
        "Recipient",
        "The group names the recipient the credential must be issued to (expectRecipient).",
    ),
    (
        "Should",
        "The case breaks a SHOULD (or MAY) rule only: either verdict is acceptable; `requirements` names the rule.",
    ),
    ("Api", "An API body, judged by the group's schemaKind only."),
    (
        "Refresh",
        "The credential names a 1EdTechCredentialRefresh service; the refreshed copy is in the group's documents.",
    ),
    (
        "Baked",
        "The document is an image (PNG or SVG) with the credential baked in.",
    ),
    (
        "DataLoss",
        "The credential uses a property or type its @context does not define (by design, or because the mutation leaves a type whose scoped context defined its neighbours): JSON-LD expansion drops it, the embedded proof does not cover it, and data.jsonld.terms-defined fails too.",
    ),
    (
        "ContextUnavailable",
        "The credential names a JSON-LD context that is not bundled: its proof cannot be verified offline (an error, never a bad signature) unless the context is supplied.",
    ),
];

/// What an issuer publishes at its id: its Ed25519 Multikey, and for the CLR
/// issuer its RS256 and ES256 VC-JWT keys (`#rsa-1`, `#p256-1`) as JWKs.
pub fn key_document(issuer: &keys::Issuer) -> Value {
    let mut doc = issuer.controller_document();
    let k = keys::keys();
    if issuer.id == k.clr.id {
        for (frag, jwk) in [
            ("rsa-1", keys::rsa_jwks(&k.rsa, "rsa-1").0),
            ("p256-1", keys::p256_jwks(&k.p256, "p256-1").0),
        ] {
            let id = format!("{}#{frag}", issuer.id);
            let method = json!({"id": id, "type": "JsonWebKey", "controller": issuer.id, "publicKeyJwk": jwk});
            if let Some(Value::Array(a)) = doc.get_mut("verificationMethod") {
                a.push(method);
            }
            if let Some(Value::Array(a)) = doc.get_mut("assertionMethod") {
                a.push(json!(id));
            }
        }
    }
    doc
}

const TERMS_DEFINED: &str = "data.jsonld.terms-defined";

/// Whether JSON-LD expansion drops a term of `cred` (or of the credential a compact
/// JWS carries), `endorsementJwt` aside (its own warning row).
fn loses_data(cred: &Value) -> bool {
    let decoded;
    let cred = match cred {
        Value::String(jws) => match crate::credential::verify::decode_jwt_credential(jws) {
            Ok(v) => {
                decoded = v;
                &decoded
            }
            Err(_) => return false,
        },
        other => other,
    };
    // Nested and endorsement credentials are verified on their own, with only their own
    // @context (the outer one does not lend them its terms there).
    let mut parts = Vec::new();
    credentials_in(cred, &mut parts);
    let loader = crate::credential::jsonld::Loader::builtin();
    parts.into_iter().any(|c| {
        crate::credential::verify::terms::judged_terms(loader, c)
            .is_ok_and(|d| d.iter().any(|d| d.term != "endorsementJwt"))
    })
}

/// `v` and every object with an `@context` below it (nested credentials, endorsements).
fn credentials_in<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("@context") {
                out.push(v);
            }
            m.iter()
                .filter(|(k, _)| *k != "@context")
                .for_each(|(_, x)| credentials_in(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| credentials_in(x, out)),
        _ => {}
    }
}

/// Every topic file, in a fixed order.
pub fn file_specs() -> Vec<FileSpec> {
    vec![
        cases::clr_credential(),
        cases::nested(),
        cases::proofs_di(),
        cases::proofs_jwt(),
        cases::dates(),
        cases::status(),
        cases::context(),
        mutate::schema_file(),
        cases::endorsement(),
        cases::api_payloads(),
        cases::seeds::provider_seeds(),
        cases::documents(),
        cases::refresh(),
        cases::provenance(),
    ]
}

/// Number the cases and keep, per group, only requirement ids of the group's role.
pub fn case_file(spec: FileSpec) -> CaseFile {
    let catalog = Catalog::embedded();
    // Each group has its own block of 100 ids, so adding a case to one group
    // does not renumber the next (the last group of a file may grow past it).
    let mut used = BTreeSet::new();
    let mut groups = Vec::new();
    let mut count = 0;
    for (gi, g) in spec.groups.into_iter().enumerate() {
        let mut next = spec.first_id + 100 * gi as u32;
        let role = Role::parse(g.role);
        let mut tests = Vec::new();
        for c in g.tests {
            let requirements = c
                .requirements
                .iter()
                .filter(|id| match (catalog.get(id), role, g.schema_kind) {
                    (Some(r), Some(role), None) => r.roles.contains(&role),
                    _ => true,
                })
                .map(|s| s.to_string())
                .collect::<Vec<_>>();
            // A rule of the other role only: nothing this group can fail.
            if c.result == Verdict::Invalid && requirements.is_empty() {
                continue;
            }
            let mut requirements = requirements;
            let mut flags = c.flags.clone();
            // A mutation that makes JSON-LD drop terms is data loss as well: say so.
            if c.result == Verdict::Invalid
                && g.schema_kind.is_none()
                && c.document.is_none()
                && loses_data(&c.credential)
            {
                if !requirements.iter().any(|r| r == TERMS_DEFINED) {
                    requirements.push(TERMS_DEFINED.to_string());
                }
                if !flags.contains(&"DataLoss") {
                    flags.push("DataLoss");
                }
            }
            let c = cases::CaseSpec { flags, ..c };
            used.extend(c.flags.iter().copied());
            tests.push(Case {
                tc_id: next,
                comment: c.comment,
                flags: c.flags.iter().map(|s| s.to_string()).collect(),
                requirements,
                result: c.result,
                credential: if c.document.is_none() {
                    c.credential
                } else {
                    Value::Null
                },
                document: c.document,
            });
            next += 1;
            count += 1;
        }
        // The key documents of the https issuers, where a verifier dereferences
        // their keys (proof.key-provenance); did:key issuers need none.
        let mut documents = g.documents;
        if g.schema_kind.is_none() {
            let k = keys::keys();
            for i in [&k.clr, &k.university, &k.endorser] {
                if !documents.contains_key(&i.id) {
                    documents.insert(i.id.clone(), key_document(i));
                }
            }
        }
        groups.push(Group {
            role: g.role.to_string(),
            profile: g.profile.to_string(),
            now: g.now.to_string(),
            schema_kind: g.schema_kind.map(String::from),
            expect_recipient: g.expect_recipient.map(String::from),
            certification: g.certification,
            documents,
            tests,
        });
    }
    let notes: Map<String, Value> = FLAGS
        .iter()
        .filter(|(f, _)| used.contains(f))
        .map(|(f, n)| (f.to_string(), json!(n)))
        .collect();
    CaseFile {
        schema: "schema/case-file.schema.json".into(),
        algorithm: "CLR 2.0 credential verification".into(),
        topic: spec.topic.into(),
        generator_version: GENERATOR_VERSION.into(),
        number_of_tests: count,
        header: spec.header.iter().map(|s| s.to_string()).collect(),
        notes,
        test_groups: groups,
    }
}

/// The generated corpus: file name (relative to the corpus folder) -> bytes,
/// plus the parsed case files and the judging outcome of every case.
pub struct Corpus {
    pub files: BTreeMap<String, Vec<u8>>,
    pub cases: Vec<(String, CaseFile)>,
    /// What our engine made of every case, by tcId.
    pub judged: BTreeMap<u32, Result<check::Judged, String>>,
}

/// Build the corpus in memory.
pub fn generate() -> Corpus {
    let mut files = BTreeMap::new();
    let mut parsed = Vec::new();
    for spec in file_specs() {
        let name = spec.name.to_string();
        let f = case_file(spec);
        files.insert(name.clone(), format::to_bytes(&f));
        parsed.push((name, f));
    }
    let judged = check::judge_all(&parsed);
    files.insert(
        COVERAGE_FILE.to_string(),
        format::to_bytes(&coverage_index(&parsed, &judged)),
    );
    for (name, v) in key_files() {
        files.insert(name, format::to_bytes(&v));
    }
    Corpus {
        files,
        cases: parsed,
        judged,
    }
}

fn key_files() -> Vec<(String, Value)> {
    let k = keys::keys();
    let mut out = Vec::new();
    for i in [&k.clr, &k.university, &k.college, &k.endorser] {
        out.push((
            format!("keys/test-only-{}-ed25519.json", i.slug),
            keys::ed25519_file(i),
        ));
    }
    let (rp, rs) = keys::rsa_jwks(&k.rsa, &format!("{}#rsa-1", k.clr.id));
    let (pp, ps) = keys::p256_jwks(&k.p256, &format!("{}#p256-1", k.clr.id));
    out.push((
        "keys/test-only-clr-issuer-rsa-2048.public.jwk.json".into(),
        rp,
    ));
    out.push((
        "keys/test-only-clr-issuer-rsa-2048.private.jwk.json".into(),
        rs,
    ));
    out.push(("keys/test-only-clr-issuer-p256.public.jwk.json".into(), pp));
    out.push(("keys/test-only-clr-issuer-p256.private.jwk.json".into(), ps));
    out
}

/// Per credential requirement, the invalid cases that list it and make our engine fail it.
pub fn coverage_index(
    files: &[(String, CaseFile)],
    judged: &BTreeMap<u32, Result<check::Judged, String>>,
) -> Value {
    let mut by_id: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (_, f) in files {
        for g in &f.test_groups {
            for c in &g.tests {
                let Some(Ok(j)) = judged.get(&c.tc_id) else {
                    continue;
                };
                // Invalid cases cover the MUSTs they fail; acceptable ones the SHOULDs
                // and MAYs they leave unmet.
                let hit = match c.result {
                    Verdict::Invalid => &j.unmet,
                    Verdict::Acceptable => &j.unmet,
                    Verdict::Valid => continue,
                };
                for r in &c.requirements {
                    if hit.contains(r) {
                        by_id.entry(r.clone()).or_default().push(c.tc_id);
                    }
                }
            }
        }
    }
    json!({
        "generatorVersion": GENERATOR_VERSION,
        "note": "Per catalog id: tcIds of invalid vectors that list it and that our verify engine makes fail (for SHOULD and MAY rules, acceptable vectors that leave it unmet). Written by `vectors generate`.",
        "failingVectors": by_id,
    })
}

/// Credential MUSTs of the issuer and displayer roles (what every vector set must cover).
pub fn credential_musts() -> Vec<&'static crate::catalog::Requirement> {
    Catalog::embedded()
        .requirements
        .iter()
        .filter(|r| r.level == Level::Must)
        .filter(|r| {
            crate::credential::verify::SCOPE
                .iter()
                .any(|p| r.matches(p))
        })
        .filter(|r| {
            r.roles
                .iter()
                .any(|x| matches!(x, Role::Issuer | Role::Displayer))
        })
        .collect()
}

/// Ids the committed coverage index lists as failed by some vector.
pub fn covered_ids(index_text: &str) -> BTreeSet<String> {
    serde_json::from_str::<Value>(index_text)
        .ok()
        .and_then(|v| v.get("failingVectors").and_then(Value::as_object).cloned())
        .map(|m| {
            m.into_iter()
                .filter(|(_, v)| v.as_array().is_some_and(|a| !a.is_empty()))
                .map(|(k, _)| k)
                .collect()
        })
        .unwrap_or_default()
}

/// Write the corpus into `dir`.
pub fn write(corpus: &Corpus, dir: &Path) -> std::io::Result<()> {
    for (name, bytes) in &corpus.files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    Ok(())
}

impl Checked {
    /// Fresh, every verdict as expected, and no known gap silently fixed.
    pub fn ok(&self) -> bool {
        self.stale.is_empty() && self.mismatches.is_empty() && self.fixed_gaps.is_empty()
    }
}

/// The outcome of `vectors check`.
pub struct Checked {
    /// Committed files that differ from (or are missing against) the generated ones.
    pub stale: Vec<String>,
    /// Cases whose verdict differs from the expected one.
    pub mismatches: Vec<check::Mismatch>,
    /// Mismatches listed in `check::KNOWN_ENGINE_GAPS` (reported, not failing).
    pub known_gaps: Vec<check::Mismatch>,
    /// Entries of `KNOWN_ENGINE_GAPS` whose case now passes (remove them).
    pub fixed_gaps: Vec<u32>,
    /// Per issuer/displayer requirement: invalid vectors exercising it.
    pub counts: BTreeMap<String, usize>,
    /// Credential MUSTs with no invalid vector and no `untestable` reason.
    pub uncovered: Vec<String>,
    pub cases: usize,
}

/// Regenerate, compare with `dir`, and judge every committed case.
pub fn check_dir(dir: &Path) -> Checked {
    check_with(&generate(), dir)
}

/// Generated files that are missing from `dir` or differ from it.
pub fn stale(corpus: &Corpus, dir: &Path) -> Vec<String> {
    corpus
        .files
        .iter()
        .filter(|(name, bytes)| std::fs::read(dir.join(name)).ok().as_ref() != Some(*bytes))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Compare `dir` with an already generated corpus and judge every committed case.
pub fn check_with(corpus: &Corpus, dir: &Path) -> Checked {
    let stale = stale(corpus, dir);
    let mut committed = Vec::new();
    let mut mismatches = Vec::new();
    for (name, generated) in &corpus.cases {
        let text = std::fs::read(dir.join(name)).unwrap_or_default();
        match serde_json::from_slice::<CaseFile>(&text) {
            Ok(f) => committed.push((name.clone(), f)),
            Err(e) if !text.is_empty() => mismatches.push(check::Mismatch {
                file: name.clone(),
                tc_id: 0,
                message: format!("not a case file: {e}"),
            }),
            Err(_) => committed.push((name.clone(), generated.clone())),
        }
    }
    // A committed file identical to the generated one was judged while generating.
    let (fresh, changed): (Vec<_>, Vec<_>) = committed
        .iter()
        .cloned()
        .partition(|(name, _)| !stale.contains(name));
    let mut all = check::compare(&fresh, &corpus.judged);
    all.extend(check::run(&changed));
    let is_gap = |id: u32| check::KNOWN_ENGINE_GAPS.iter().any(|(g, _)| *g == id);
    let (known_gaps, found): (Vec<_>, Vec<_>) = all.into_iter().partition(|m| is_gap(m.tc_id));
    mismatches.extend(found);
    let fixed_gaps = check::KNOWN_ENGINE_GAPS
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| !known_gaps.iter().any(|m| m.tc_id == *id))
        .collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut n = 0;
    for (_, f) in &committed {
        for g in &f.test_groups {
            for c in &g.tests {
                n += 1;
                if c.result == Verdict::Invalid && !is_gap(c.tc_id) {
                    for r in &c.requirements {
                        *counts.entry(r.clone()).or_default() += 1;
                    }
                }
            }
        }
    }
    let uncovered = credential_musts()
        .into_iter()
        .filter(|r| r.untestable.is_none() && counts.get(&r.id).copied().unwrap_or(0) == 0)
        .map(|r| r.id.clone())
        .collect();
    Checked {
        stale,
        mismatches,
        known_gaps,
        fixed_gaps,
        counts,
        uncovered,
        cases: n,
    }
}
