//! Our bundled schemas must give the same valid/invalid verdict as the official 1EdTech JSON
//! Schemas, on every reference credential and on mutated copies of them.
//!
//! The official schemas are compiled from `../shared/reference/schemas` (offline). Documents:
//! the linked-data-proof vectors, the 1EdTech validator samples, the JSON examples of the OB
//! 3.0 spec, a Profile, API bodies, and mutations of some of them (each property removed, each
//! value made a number, each string made invalid, single values wrapped in arrays, arrays
//! unwrapped to their first item). Where we differ on purpose the difference is listed in
//! [`EXPECTED_DIFFERENCES`] with its reason; an unlisted difference fails the test, and so does
//! a listed one that no longer happens, so the list stays true.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clr_conformance::credential::schema::{self, Generation, SchemaKind};
use jsonschema::{Draft, Retrieve, Uri, Validator};
use serde_json::{Value, json};

const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference");

/// Which way a verdict differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    /// The official schema accepts, ours rejects.
    Stricter,
    /// The official schema rejects, ours accepts.
    Looser,
}

const SINGLE_TYPE: &str = "the official schema's single-value branch of `type` accepts ANY string (it \
    skips the `contains` rule that the array branch has); the model says type MUST include the class \
    name, so ours accepts a single value only when it is that name, and never for credentials, which \
    need two types. The 1EdTech validator rejects these documents too, with its own type probes";
const SINGLE_CONTEXT: &str = "the official schema accepts any single string or object as `@context`; \
    the model requires an ordered list (VC context first, then the CLR/OB contexts), which one value \
    cannot be, so ours requires the array";
const EXT_ANCHOR: &str = "the official extension pattern `(ext:)[a-z|A-Z|0-9|.|-|_]+` has no anchors, so \
    any string containing 'ext:x' passes; extensible vocabularies take values that start with 'ext:', \
    so ours is anchored";

const OAUTH2_TYPE: &str = "the OpenAPI file types OpenApiOAuth2SecurityScheme.type as any string; the \
    model says it MUST be the string 'oauth2', so ours requires exactly that";

/// Deliberate differences: (pattern over the document id, direction, reason). `*` matches
/// any run of characters. Document ids are `<source> | <mutation>` or just `<source>`; the
/// first matching entry explains a difference.
const EXPECTED_DIFFERENCES: &[(&str, Direction, &str)] = &[
    (
        "service description | string /components/securitySchemes/OAuth2ACG/type",
        Direction::Stricter,
        OAUTH2_TYPE,
    ),
    (
        "validator-samples/ob30/simple-err-evidence-type.json",
        Direction::Stricter,
        SINGLE_TYPE,
    ),
    (
        "validator-samples/ob30/simple-err-credential-subject-profile-type.json",
        Direction::Stricter,
        SINGLE_TYPE,
    ),
    (
        "validator-samples/ob30/simple-err-credential-subject-achievement-result-description-type.json",
        Direction::Stricter,
        SINGLE_TYPE,
    ),
    ("* | unwrap */type", Direction::Stricter, SINGLE_TYPE),
    ("* | string */type", Direction::Stricter, SINGLE_TYPE),
    ("* | unwrap */@context", Direction::Stricter, SINGLE_CONTEXT),
    ("* | unanchored-ext *", Direction::Stricter, EXT_ANCHOR),
];

/// VC 1.1-generation documents: the verdict of our V11 schema, and why.
const V11_EXPECTED: &[(&str, bool, &str)] = &[
    (
        "validator-samples/clr20/simple_v1.json",
        true,
        "VC 1.1 ClrCredential the validator accepts",
    ),
    (
        "validator-samples/clr20/complex.json",
        true,
        "large VC 1.1 ClrCredential, upstream meant valid",
    ),
    (
        "validator-samples/clr20/simple-noproof.json",
        false,
        "pre-release draft CLR context URL",
    ),
    (
        "validator-samples/clr20/simple_old_safesigned.json",
        false,
        "pre-release draft CLR context URL",
    ),
    (
        "validator-samples/ob30/simple_v1.json",
        true,
        "VC 1.1 OpenBadgeCredential the validator accepts",
    ),
    (
        "validator-samples/ob30/complete_v1.json",
        false,
        "identityType 'email' is not in the vocabulary; embedded endorsements lack id",
    ),
    (
        "validator-samples/ob30/simple-noproof.json",
        false,
        "AchievementSubject has no achievement",
    ),
    (
        "validator-samples/ob30/simple-eddsa-2022.json",
        true,
        "VC 1.1 with context-3.0.1",
    ),
    (
        "validator-samples/ob30/credential-status-revoked.json",
        true,
        "schema-valid; revoked by status only",
    ),
    (
        "validator-samples/ob30/endorsement-err-schema-status-refresh.json",
        true,
        "schema-valid; refresh URL is the fault",
    ),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Clr,
    Achievement,
    Endorsement,
    Profile,
    ClrResponse,
    ObResponse,
    StatusInfo,
    ServiceDescription,
}

impl Class {
    fn official_file(self) -> &'static str {
        match self {
            Class::Clr => "clr_v2p0_clrcredential_schema.json",
            Class::Achievement => "ob_v3p0_achievementcredential_schema.json",
            Class::Endorsement => "ob_v3p0_endorsementcredential_schema.json",
            Class::Profile => "clr_v2p0_profile_schema.json",
            Class::ClrResponse => "clr_v2p0_getclrcredentialsresponse_schema.json",
            Class::ObResponse => "ob_v3p0_getopenbadgecredentialsresponse_schema.json",
            Class::StatusInfo => "clr_v2p0_imsx_statusinfo_schema.json",
            Class::ServiceDescription => "ServiceDescriptionDocument in the OB 3.0 OpenAPI file",
        }
    }

    /// The official schema: a 1EdTech JSON Schema file, or for the SDD the OpenAPI component.
    fn official_schema(self, root: &Path) -> Value {
        if self == Class::ServiceDescription {
            let oas = read_json(&root.join("openapi/ob_v3p0_openapi_2024-07-31.json"));
            return json!({
                "$ref": "#/components/schemas/ServiceDescriptionDocument",
                "components": {"schemas": oas["components"]["schemas"].clone()}
            });
        }
        read_json(&root.join("schemas").join(self.official_file()))
    }

    fn kind(self) -> SchemaKind {
        if self == Class::ServiceDescription {
            return SchemaKind::ServiceDescriptionDocument;
        }
        let official = format!(
            "https://purl.imsglobal.org/spec/{}/schema/json/{}",
            if self.official_file().starts_with("clr") {
                "clr/v2p0"
            } else {
                "ob/v3p0"
            },
            self.official_file()
        );
        schema::kind_for_official_id(&official).unwrap_or(SchemaKind::VerifiableCredential)
    }

    /// The class of a credential, by its `type`.
    fn of(doc: &Value) -> Class {
        let types: Vec<&str> = match doc.get("type") {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(s)) => vec![s.as_str()],
            _ => vec![],
        };
        if types.contains(&"ClrCredential") {
            Class::Clr
        } else if types.contains(&"EndorsementCredential") {
            Class::Endorsement
        } else {
            Class::Achievement
        }
    }
}

struct NoNetwork;

impl Retrieve for NoNetwork {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        Err(format!("{}: refused, this test is offline", uri.as_str()).into())
    }
}

struct Case {
    id: String,
    class: Class,
    doc: Value,
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

fn credential_samples(root: &Path) -> Vec<Case> {
    let vectors = root.join("vectors");
    let mut paths = Vec::new();
    for dir in ["ldp-clrv2p0", "ldp-obv3p0"] {
        for file in ["credential-signed.json", "credential-unsigned.json"] {
            paths.push(vectors.join(dir).join(file));
        }
    }
    json_files(&vectors.join("validator-samples/clr20"), &mut paths);
    json_files(&vectors.join("validator-samples/ob30"), &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let doc = read_json(&p);
            let id = p.strip_prefix(&vectors).unwrap_or(&p).display().to_string();
            Case {
                id,
                class: Class::of(&doc),
                doc,
            }
        })
        .collect()
}

/// JSON examples of the OB 3.0 spec sources marked with a credential `data-schema`.
fn spec_examples(root: &Path) -> (Vec<Case>, usize) {
    let spec = root.join("spec");
    let mut files = Vec::new();
    for dir in [
        "ob_v3p0/examples",
        "ob_v3p0",
        "ob_v3p0_impl",
        "ob_v3p0_rendered",
    ] {
        let Ok(entries) = std::fs::read_dir(spec.join(dir)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "md" || e == "html"))
            .collect();
        found.sort();
        files.extend(found);
    }
    let mut cases = Vec::new();
    let mut unparsed = 0;
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (n, block) in text.split("<pre").skip(1).enumerate() {
            let Some((attrs, rest)) = block.split_once('>') else {
                continue;
            };
            let class = if attrs.contains("org.1edtech.ob.v3p0.achievementcredential.class") {
                Class::Achievement
            } else if attrs.contains("org.1edtech.ob.v3p0.endorsementcredential.class") {
                Class::Endorsement
            } else {
                continue;
            };
            let body = rest.split("</pre>").next().unwrap_or("");
            let body = strip_tags(body)
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            match serde_json::from_str::<Value>(&body) {
                Ok(doc) => {
                    let id = format!(
                        "{} #{n}",
                        file.strip_prefix(&spec).unwrap_or(&file).display()
                    );
                    cases.push(Case { id, class, doc });
                }
                Err(_) => unparsed += 1,
            }
        }
    }
    (cases, unparsed)
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Non-credential documents built from the samples.
fn api_documents(samples: &[Case]) -> Vec<Case> {
    let find = |suffix: &str| {
        samples
            .iter()
            .find(|c| c.id.ends_with(suffix))
            .map(|c| c.doc.clone())
    };
    let mut out = Vec::new();
    if let Some(issuer) = find("ob30/complete.json").and_then(|d| d.get("issuer").cloned()) {
        out.push(Case {
            id: "profile from ob30/complete.json issuer".into(),
            class: Class::Profile,
            doc: issuer,
        });
    }
    if let Some(clr) = find("clr20/simple.json") {
        let doc = json!({"credential": [clr], "compactJwsString": ["eyJhbGciOiJSUzI1NiJ9.eyJ2YyI6e319.c2ln"]});
        out.push(Case {
            id: "getClrCredentials body".into(),
            class: Class::ClrResponse,
            doc,
        });
    }
    if let Some(ob) = find("ldp-obv3p0/credential-unsigned.json") {
        let doc =
            json!({"credential": ob, "compactJwsString": "eyJhbGciOiJSUzI1NiJ9.eyJ2YyI6e319.c2ln"});
        out.push(Case {
            id: "getOpenBadgeCredentials body".into(),
            class: Class::ObResponse,
            doc,
        });
    }
    let status = json!({
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": "bad request",
        "imsx_codeMinor": {"imsx_codeMinorField": [
            {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": "invalid_data"}
        ]}
    });
    out.push(Case {
        id: "imsx status".into(),
        class: Class::StatusInfo,
        doc: status,
    });
    let sdd = json!({
        "openapi": "3.0.1",
        "info": {
            "title": "Example Provider",
            "version": "2.0",
            "termsOfService": "https://provider.example.com/terms",
            "x-imssf-privacyPolicyUrl": "https://provider.example.com/privacy",
            "x-imssf-image": "https://provider.example.com/logo.png"
        },
        "components": {"securitySchemes": {"OAuth2ACG": {
            "type": "oauth2",
            "description": "OAuth 2.0 Authorization Code Grant authorization",
            "x-imssf-registrationUrl": "https://provider.example.com/registration",
            "flows": {"authorizationCode": {
                "authorizationUrl": "https://provider.example.com/authorize",
                "tokenUrl": "https://provider.example.com/token",
                "refreshUrl": "https://provider.example.com/token",
                "scopes": {"https://purl.imsglobal.org/spec/clr/v2p0/scope/credential.readonly": "read"}
            }}
        }}}
    });
    out.push(Case {
        id: "service description".into(),
        class: Class::ServiceDescription,
        doc: sdd,
    });
    out
}

/// JSON bodies of the OB 3.0 API examples (spec/ob_v3p0/api.html): profiles and a
/// getCredentials response (whose misspelt `compactJwsStrings` both schemas reject).
fn api_examples(root: &Path) -> Vec<Case> {
    let Ok(text) = std::fs::read_to_string(root.join("spec/ob_v3p0/api.html")) else {
        return vec![];
    };
    let mut out = Vec::new();
    for block in text.split("<pre").skip(1) {
        let Some((attrs, rest)) = block.split_once('>') else {
            continue;
        };
        let class = if attrs.contains("Profile") {
            Class::Profile
        } else if attrs.contains("getCredentials Response") {
            Class::ObResponse
        } else {
            continue;
        };
        let body = rest
            .split("</pre")
            .next()
            .unwrap_or("")
            .replace("&lt;", "<");
        let (Some(start), Some(end)) = (body.find('{'), body.rfind('}')) else {
            continue;
        };
        if let Ok(doc) = serde_json::from_str::<Value>(&body[start..=end]) {
            let title = attrs
                .split("title=\"")
                .nth(1)
                .and_then(|t| t.split('"').next())
                .unwrap_or("?");
            out.push(Case {
                id: format!("ob_v3p0/api.html {title}"),
                class,
                doc,
            });
        }
    }
    out
}

/// Every JSON pointer in `doc` except the root.
fn pointers(doc: &Value, here: String, out: &mut Vec<String>) {
    match doc {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{here}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{here}/{i}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        _ => {}
    }
}

fn set(doc: &mut Value, pointer: &str, value: Option<Value>) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    match (doc.pointer_mut(parent), value) {
        (Some(Value::Object(map)), Some(v)) => {
            map.insert(key, v);
        }
        (Some(Value::Object(map)), None) => {
            map.shift_remove(&key);
        }
        (Some(Value::Array(items)), Some(v)) => {
            if let Some(slot) = key.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *slot = v;
            }
        }
        _ => {}
    }
}

fn mutations(case: &Case) -> Vec<Case> {
    let mut ptrs = Vec::new();
    pointers(&case.doc, String::new(), &mut ptrs);
    let mut out = Vec::new();
    for p in ptrs {
        let Some(original) = case.doc.pointer(&p).cloned() else {
            continue;
        };
        let in_object = case
            .doc
            .pointer(p.rsplit_once('/').map_or("", |(a, _)| a))
            .is_some_and(Value::is_object);
        let mut ops: Vec<(&str, Option<Value>)> = Vec::new();
        if in_object {
            ops.push(("remove", None));
        }
        ops.push(("number", Some(json!(42))));
        if original.is_string() {
            ops.push(("string", Some(json!("zz-invalid"))));
        }
        match &original {
            Value::Array(items) => {
                if let Some(first) = items.first() {
                    ops.push(("unwrap", Some(first.clone())));
                }
            }
            other => ops.push(("wrap", Some(json!([other])))),
        }
        for (op, value) in ops {
            let mut doc = case.doc.clone();
            set(&mut doc, &p, value);
            out.push(Case {
                id: format!("{} | {op} {p}", case.id),
                class: case.class,
                doc,
            });
        }
    }
    out
}

/// Hand-made mutations aimed at one rule each.
fn targeted(samples: &[Case]) -> Vec<Case> {
    let mut out = Vec::new();
    if let Some(base) = samples.iter().find(|c| c.id.ends_with("ob30/simple.json")) {
        let mut doc = base.doc.clone();
        doc["credentialSubject"]["achievement"]["achievementType"] = json!("my ext:Thing");
        out.push(Case {
            id: format!("{} | unanchored-ext achievementType", base.id),
            class: base.class,
            doc,
        });
        let mut doc = base.doc.clone();
        doc["credentialSubject"]["achievement"]["achievementType"] = json!("ext:Thing");
        out.push(Case {
            id: format!("{} | extension achievementType", base.id),
            class: base.class,
            doc,
        });
        let mut doc = base.doc.clone();
        doc["credentialSubject"]["achievement"]["achievementType"] = json!("Diploma");
        out.push(Case {
            id: format!("{} | enum achievementType", base.id),
            class: base.class,
            doc,
        });
        let mut doc = base.doc.clone();
        doc["validFrom"] = json!("2010-01-01");
        out.push(Case {
            id: format!("{} | date-only validFrom", base.id),
            class: base.class,
            doc,
        });
    }
    if let Some(base) = samples.iter().find(|c| c.id.ends_with("clr20/simple.json")) {
        let mut doc = base.doc.clone();
        doc["credentialSubject"]["association"] = json!([{
            "type": "Association", "associationType": "isCousinOf", "sourceId": "urn:a", "targetId": "urn:b"
        }]);
        out.push(Case {
            id: format!("{} | bad associationType", base.id),
            class: base.class,
            doc,
        });
        let mut doc = base.doc.clone();
        doc["credentialSubject"]["association"] = json!([{
            "type": "Association", "associationType": "isPartOf", "sourceId": "urn:a", "targetId": "urn:b"
        }]);
        out.push(Case {
            id: format!("{} | good associationType", base.id),
            class: base.class,
            doc,
        });
    }
    out
}

fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    rest.is_empty()
}

#[test]
fn our_schemas_agree_with_the_official_ones() {
    let root = Path::new(REFERENCE);
    if !root.join("schemas").is_dir() {
        println!("skipped: ../shared/reference not present");
        return;
    }
    let mut official: BTreeMap<Class, Validator> = BTreeMap::new();
    for class in [
        Class::Clr,
        Class::Achievement,
        Class::Endorsement,
        Class::Profile,
        Class::ClrResponse,
        Class::ObResponse,
        Class::StatusInfo,
        Class::ServiceDescription,
    ] {
        let schema = class.official_schema(root);
        let validator = jsonschema::options()
            .with_draft(Draft::Draft201909)
            .should_validate_formats(true)
            .with_retriever(NoNetwork)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{}: {e}", class.official_file()));
        official.insert(class, validator);
    }

    let samples = credential_samples(root);
    assert!(
        samples.len() >= 40,
        "expected the reference samples, found {}",
        samples.len()
    );
    let (examples, unparsed) = spec_examples(root);
    let mut api = api_documents(&samples);
    let api_bases = api.len();
    api.extend(api_examples(root));
    let mut cases: Vec<Case> = Vec::new();
    let bases = [
        "validator-samples/clr20/simple.json",
        "validator-samples/ob30/complete.json",
        "validator-samples/ob30/endorsement-valid.json",
        "ldp-clrv2p0/credential-unsigned.json",
    ];
    for case in samples.iter().filter(|c| bases.contains(&c.id.as_str())) {
        cases.extend(mutations(case));
    }
    for case in api.iter().take(api_bases) {
        if case.class != Class::ClrResponse {
            cases.extend(mutations(case));
        }
    }
    cases.extend(targeted(&samples));
    let mutated = cases.len();
    let originals = samples.len() + examples.len() + api.len();
    let breakdown = format!(
        "{} reference samples, {} spec examples, {} API bodies and examples",
        samples.len(),
        examples.len(),
        api.len()
    );
    if std::env::var_os("SHOW_CASES").is_some() {
        for c in samples.iter().chain(&examples).chain(&api) {
            println!("  case {:?} {}", c.class, c.id);
        }
    }
    cases.extend(samples.iter().map(|c| Case {
        id: c.id.clone(),
        class: c.class,
        doc: c.doc.clone(),
    }));
    cases.extend(examples);
    cases.extend(api);

    let mut differences: Vec<(String, Direction)> = Vec::new();
    let mut official_valid = 0;
    for case in &cases {
        let theirs = official[&case.class].is_valid(&case.doc);
        let ours = schema::validate(case.class.kind(), Generation::V2, &case.doc);
        official_valid += usize::from(theirs);
        if theirs != ours.is_empty() {
            let direction = if theirs {
                Direction::Stricter
            } else {
                Direction::Looser
            };
            differences.push((case.id.clone(), direction));
        }
    }

    let mut unexplained = Vec::new();
    let mut used = vec![0usize; EXPECTED_DIFFERENCES.len()];
    for (id, direction) in &differences {
        match EXPECTED_DIFFERENCES
            .iter()
            .position(|(p, d, _)| glob(p, id) && d == direction)
        {
            Some(i) => used[i] += 1,
            None => unexplained.push(format!("{id} ({direction:?})")),
        }
    }
    let stale: Vec<&str> = EXPECTED_DIFFERENCES
        .iter()
        .zip(&used)
        .filter(|(_, n)| **n == 0)
        .map(|((p, _, _), _)| *p)
        .collect();
    println!(
        "schema equivalence: {} documents compared ({originals} originals: {breakdown}; {mutated} mutated; \
         {official_valid} valid for the official schema), {} deliberate differences over {} rules, \
         {unparsed} spec examples not JSON",
        cases.len(),
        differences.len(),
        EXPECTED_DIFFERENCES.len()
    );
    for ((pattern, _, reason), n) in EXPECTED_DIFFERENCES.iter().zip(&used) {
        println!(
            "  {n:4} x {pattern}: {}",
            reason.split(';').next().unwrap_or(reason)
        );
    }
    assert!(
        unexplained.is_empty(),
        "verdicts differ from the official schema:\n{}",
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "listed differences that no longer happen: {stale:?}"
    );
}

#[test]
fn vc11_documents_follow_the_v11_table() {
    let root = Path::new(REFERENCE);
    if !root.join("schemas").is_dir() {
        println!("skipped: ../shared/reference not present");
        return;
    }
    let samples = credential_samples(root);
    let v11: Vec<&Case> = samples
        .iter()
        .filter(|c| Generation::of(&c.doc) == Some(Generation::V11))
        .collect();
    assert!(!v11.is_empty());
    for case in &v11 {
        let Some((_, expected, why)) = V11_EXPECTED.iter().find(|(id, _, _)| *id == case.id) else {
            panic!("{}: VC 1.1 document missing from V11_EXPECTED", case.id);
        };
        let v2 = schema::validate(case.class.kind(), Generation::V2, &case.doc);
        assert!(
            !v2.is_empty(),
            "{}: a VC 1.1 document passed the V2 schema",
            case.id
        );
        let errors = schema::validate(case.class.kind(), Generation::V11, &case.doc);
        assert_eq!(
            errors.is_empty(),
            *expected,
            "{} ({why}): {errors:?}",
            case.id
        );
    }
    for (id, _, _) in V11_EXPECTED {
        assert!(
            v11.iter().any(|c| c.id == *id),
            "{id}: listed in V11_EXPECTED but not a VC 1.1 sample"
        );
    }
    // Every V2 document fails the V11 schemas: the generations do not overlap.
    for case in samples
        .iter()
        .filter(|c| Generation::of(&c.doc) == Some(Generation::V2))
    {
        let errors = schema::validate(case.class.kind(), Generation::V11, &case.doc);
        assert!(
            !errors.is_empty(),
            "{}: a VC 2.0 document passed the V11 schema",
            case.id
        );
    }
}
