//! JSON-LD for credential proofs: an offline context loader and RDFC-1.0 canonicalization.
//!
//! Data Integrity proofs sign the canonical N-Quads of a credential, so verification needs
//! JSON-LD expansion, RDF conversion and RDF Dataset Canonicalization. Every context URL we
//! know is served from text embedded in the binary (W3C ones from `ssi-contexts`, 1EdTech
//! ones from `schemas/contexts/`); an unknown URL is an error that names it, never a fetch.
//!
//! Speed: `fast` walks documents that stay in the JSON-LD subset credentials use, with
//! processed contexts memoized, and `canon` labels blank nodes straight from first-degree
//! hashes when those are distinct. Anything else goes to the `json-ld` and `rdf-canon`
//! crates (the reference path, also exposed for tests as `*_reference`), whose top-level
//! processed contexts are cached too.

mod canon;
mod fast;

pub use fast::Dropped;

use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context as TaskContext, Poll, Waker};

use json_ld::expansion::{Expand, Options as ExpandOptions};
use json_ld::syntax::TryFromJson;
use json_ld::{BlankIdBuf, IriBuf};
use json_ld::{Process, RdfQuads, RemoteDocument};
use rdf_types::{Id, LiteralType, Term};
use serde_json::Value;

use json_ld::rdf_types;

/// Processed active context (the json-ld crate's type, IRIs and blank ids unmapped).
type ActiveContext = json_ld::Context<IriBuf, BlankIdBuf>;
type Expanded = json_ld::ExpandedDocument<IriBuf, BlankIdBuf>;

/// Most distinct `@context` lists kept processed at once.
const MAX_CACHED_CONTEXTS: usize = 64;

/// Context URLs we serve, with their embedded text.
pub const CONTEXTS: &[(&str, &str)] = &[
    (
        "https://www.w3.org/ns/credentials/v2",
        ssi_contexts::CREDENTIALS_V2,
    ),
    (
        "https://www.w3.org/2018/credentials/v1",
        ssi_contexts::CREDENTIALS_V1,
    ),
    (
        "https://w3id.org/security/data-integrity/v1",
        ssi_contexts::W3ID_DATA_INTEGRITY_V1,
    ),
    (
        "https://w3id.org/security/data-integrity/v2",
        ssi_contexts::W3ID_DATA_INTEGRITY_V2,
    ),
    (
        "https://w3id.org/security/suites/ed25519-2020/v1",
        ssi_contexts::W3ID_ED2020_V1,
    ),
    (
        "https://w3id.org/security/multikey/v1",
        ssi_contexts::W3ID_MULTIKEY_V1,
    ),
    ("https://w3id.org/security/v1", ssi_contexts::SECURITY_V1),
    ("https://w3id.org/security/v2", ssi_contexts::SECURITY_V2),
    ("https://www.w3.org/ns/did/v1", ssi_contexts::DID_V1),
    ("https://www.w3.org/ns/odrl.jsonld", ssi_contexts::ODRL),
    (CLR_2_0_1, CLR_2_0_1_TEXT),
    (
        "https://purl.imsglobal.org/spec/clr/v2p0/context.json",
        CLR_2_0_0_TEXT,
    ),
    (OB_3_0_3, OB_3_0_3_TEXT),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        OB_3_0_2_TEXT,
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        OB_3_0_1_TEXT,
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        OB_UNVERSIONED_TEXT,
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld",
        OB_UNVERSIONED_TEXT,
    ),
    (OB_EXTENSIONS, OB_EXTENSIONS_TEXT),
    (
        "https://www.w3.org/ns/credentials/status/v1",
        W3C_STATUS_V1_TEXT,
    ),
    (
        "https://w3id.org/vc/status-list/2021/v1",
        ssi_contexts::STATUS_LIST_2021_V1,
    ),
    (
        "https://www.w3.org/ns/credentials/examples/v2",
        ssi_contexts::CREDENTIALS_EXAMPLES_V2,
    ),
    ("https://w3id.org/dcc/v1", DCC_V1_TEXT),
];

/// Current CLR 2.0 context URL.
pub const CLR_2_0_1: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json";
/// Current OB 3.0 context URL.
pub const OB_3_0_3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// OB extensions context URL (1EdTech schema validator, revocation list, refresh types).
pub const OB_EXTENSIONS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";

const CLR_2_0_1_TEXT: &str = include_str!("../../schemas/contexts/clr-v2p0-2.0.1.jsonld");
const CLR_2_0_0_TEXT: &str = include_str!("../../schemas/contexts/clr-v2p0-2.0.0.jsonld");
const OB_3_0_3_TEXT: &str = include_str!("../../schemas/contexts/ob-v3p0-3.0.3.jsonld");
const OB_3_0_2_TEXT: &str = include_str!("../../schemas/contexts/ob-v3p0-3.0.2.jsonld");
const OB_3_0_1_TEXT: &str = include_str!("../../schemas/contexts/ob-v3p0-3.0.1.jsonld");
const OB_UNVERSIONED_TEXT: &str = include_str!("../../schemas/contexts/ob-v3p0-unversioned.jsonld");
const OB_EXTENSIONS_TEXT: &str = include_str!("../../schemas/contexts/ob-v3p0-extensions.jsonld");
const DCC_V1_TEXT: &str = include_str!("../../schemas/contexts/dcc-v1.jsonld");
const W3C_STATUS_V1_TEXT: &str =
    include_str!("../../schemas/contexts/w3c-credentials-status-v1.jsonld");

/// Why a document could not be canonicalized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonLdError {
    #[error(
        "{0}: JSON-LD context not available (not bundled; supply it with --context {0}=FILE, or fetch it with --online)"
    )]
    UnknownContext(String),
    #[error("{url}: embedded context is not valid JSON-LD: {message}")]
    BadContext { url: String, message: String },
    #[error("{0}: invalid @context value")]
    BadContextValue(String),
    #[error("JSON-LD expansion failed: {0}")]
    Expansion(String),
    #[error("RDF canonicalization failed: {0}")]
    Canonicalization(String),
    #[error("JSON-LD processing did not complete (a context load is pending)")]
    Pending,
}

/// A credential's quads without its `proof`, kept from the data-loss rule's walk for the
/// proof check's documentHash.
pub struct Unsigned(Vec<oxrdf::Quad>);

impl std::fmt::Debug for Unsigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Unsigned({} quads)", self.0.len())
    }
}

/// A static document loader plus a cache of processed top-level contexts.
pub struct Loader {
    /// Parsed context documents by URL; the `json-ld` crate's copies of them are made on
    /// first use of the reference path (most runs never need them).
    sources: Vec<(IriBuf, Arc<Value>)>,
    documents: OnceLock<HashMap<IriBuf, RemoteDocument>>,
    cache: Mutex<HashMap<String, ActiveContext>>,
    fast: fast::Engine,
    known: std::collections::HashSet<String>,
}

impl std::fmt::Debug for Loader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Loader({} contexts)", self.known.len())
    }
}

impl Loader {
    /// The loader serving [`CONTEXTS`].
    pub fn builtin() -> &'static Loader {
        static BUILTIN: OnceLock<Loader> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Loader::from_texts(CONTEXTS.iter().map(|(u, t)| (u.to_string(), t.to_string())))
                .unwrap_or_else(|_| Loader::empty())
        })
    }

    fn empty() -> Loader {
        Loader {
            sources: Vec::new(),
            documents: OnceLock::new(),
            cache: Mutex::new(HashMap::new()),
            fast: fast::Engine::new(HashMap::new()),
            known: Default::default(),
        }
    }

    /// A loader serving exactly the given `(url, context text)` pairs.
    pub fn from_texts(
        texts: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Loader, JsonLdError> {
        let mut loader = Loader::empty();
        for (url, text) in texts {
            loader.insert(&url, &text)?;
        }
        Ok(loader)
    }

    /// The built-in contexts with some URLs served from other text instead (e.g. the
    /// official 1EdTech files, to prove ours are equivalent).
    pub fn with_overrides(
        overrides: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Loader, JsonLdError> {
        let mut loader =
            Loader::from_texts(CONTEXTS.iter().map(|(u, t)| (u.to_string(), t.to_string())))?;
        for (url, text) in overrides {
            loader.insert(&url, &text)?;
        }
        Ok(loader)
    }

    fn insert(&mut self, url: &str, text: &str) -> Result<(), JsonLdError> {
        let bad = |message: String| JsonLdError::BadContext {
            url: url.to_string(),
            message,
        };
        let iri = IriBuf::new(url.to_string()).map_err(|_| bad("not an IRI".into()))?;
        let json: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        let json = Arc::new(json);
        self.sources.retain(|(u, _)| *u != iri);
        self.sources.push((iri, json.clone()));
        self.documents = OnceLock::new();
        self.fast.insert(url.to_string(), json);
        self.known.insert(url.to_string());
        self.cache.lock().map(|mut c| c.clear()).ok();
        Ok(())
    }

    /// The `json-ld` crate's documents, made from `sources` on first use. A source it
    /// cannot take is left out (the reference path then names it as not loaded).
    fn documents(&self) -> &HashMap<IriBuf, RemoteDocument> {
        self.documents.get_or_init(|| {
            let mime = "application/ld+json".parse().ok();
            self.sources
                .iter()
                .filter_map(|(iri, json)| {
                    let value = json_ld::syntax::to_value(&**json).ok()?;
                    let doc = RemoteDocument::new(Some(iri.clone()), mime.clone(), value);
                    Some((iri.clone(), doc))
                })
                .collect()
        })
    }

    /// Whether `url` is served by this loader.
    pub fn is_known(&self, url: &str) -> bool {
        self.known.contains(url)
    }

    /// RDFC-1.0 canonical N-Quads of `doc`.
    pub fn canonicalize(&self, doc: &Value) -> Result<String, JsonLdError> {
        canonical(&self.quads(doc)?)
    }

    /// SHA-256 of the canonical N-Quads of `doc` without its top-level member `without`
    /// (a Data Integrity proof's documentHash), with no copy of the document and no N-Quads
    /// text kept.
    pub fn canonical_sha256_without(
        &self,
        doc: &Value,
        without: &str,
    ) -> Result<[u8; 32], JsonLdError> {
        let Value::Object(map) = doc else {
            return canonical_sha256(&self.quads(doc)?);
        };
        let mut urls = Vec::new();
        for (key, value) in map.iter().filter(|(k, _)| *k != without) {
            member_context_urls(key, value, &mut urls);
        }
        self.check_urls(urls)?;
        let quads = match self.fast.quads_without(map, without) {
            Some(quads) => quads,
            None => {
                let mut copy = map.clone();
                copy.remove(without);
                self.reference_quads(&Value::Object(copy))?
            }
        };
        canonical_sha256(&quads)
    }

    /// RDFC-1.0 canonical N-Quads of `doc` expanded by the `json-ld` crate instead of our
    /// fast walk (canonicalized by ours: `rdf-canon` has no cap on permutations, so a record
    /// built to be slow could hold it for minutes).
    pub fn canonicalize_expanded(&self, doc: &Value) -> Result<String, JsonLdError> {
        self.check_contexts(doc)?;
        canonical(&self.reference_quads(doc)?)
    }

    /// RDFC-1.0 canonical N-Quads of `doc` computed with the `json-ld` and `rdf-canon`
    /// crates only (the reference for our fast paths; slower).
    pub fn canonicalize_reference(&self, doc: &Value) -> Result<String, JsonLdError> {
        self.check_contexts(doc)?;
        reference_canonical(&self.reference_quads(doc)?)
    }

    /// Whether the fast path handles `doc` (otherwise the `json-ld` crate does).
    pub fn is_fast(&self, doc: &Value) -> bool {
        self.fast.quads(doc).is_some()
    }

    /// The RDF quads of `doc` (blank nodes not yet canonically labelled): from our fast
    /// path when `doc` stays in its JSON-LD subset, else from the `json-ld` crate.
    pub fn quads(&self, doc: &Value) -> Result<Vec<oxrdf::Quad>, JsonLdError> {
        self.check_contexts(doc)?;
        match self.fast.quads(doc) {
            Some(quads) => Ok(quads),
            None => self.reference_quads(doc),
        }
    }

    fn reference_quads(&self, doc: &Value) -> Result<Vec<oxrdf::Quad>, JsonLdError> {
        let mut expanded = self.expand(doc, ExpandOptions::default().unordered())?;
        let mut generator = rdf_types::generator::Blank::new();
        let vocabulary = json_ld::rdf_types::vocabulary::no_vocabulary_mut();
        expanded.relabel_and_canonicalize_with(vocabulary, &mut generator);
        let vocabulary = json_ld::rdf_types::vocabulary::no_vocabulary_mut();
        let quads = expanded
            .rdf_quads_full(vocabulary, &mut generator, None, false)
            .cloned()
            .map(to_oxrdf)
            .collect();
        Ok(quads)
    }

    /// Expands `doc`, its top-level `@context` taken from the cache.
    fn expand(&self, doc: &Value, options: ExpandOptions) -> Result<Expanded, JsonLdError> {
        self.try_expand(doc, options)?
            .map_err(|e| JsonLdError::Expansion(e.to_string()))
    }

    fn try_expand(
        &self,
        doc: &Value,
        options: ExpandOptions,
    ) -> Result<Result<Expanded, json_ld::expansion::Error>, JsonLdError> {
        self.check_contexts(doc)?;
        if let Some(bad) = bad_percent_encoding(doc) {
            return Err(JsonLdError::Expansion(format!(
                "{bad:?}: percent-escapes that are not UTF-8 (not a valid IRI)"
            )));
        }
        let (context_key, body) = match doc {
            Value::Object(map) => {
                let key = map.get("@context").map(|c| c.to_string());
                let mut body = map.clone();
                body.remove("@context");
                (key, Value::Object(body))
            }
            other => (None, other.clone()),
        };
        let active = match context_key {
            Some(key) => self.active_context(&key)?,
            None => ActiveContext::default(),
        };
        let input =
            json_ld::syntax::to_value(&body).map_err(|e| JsonLdError::Expansion(e.to_string()))?;
        block_on(input.expand_full(
            json_ld::rdf_types::vocabulary::no_vocabulary_mut(),
            active,
            None,
            self.documents(),
            options,
            (),
        ))
    }

    /// Terms and types of `doc` that no context defines (JSON-LD drops them silently).
    pub fn undefined_terms(&self, doc: &Value) -> Result<Vec<String>, JsonLdError> {
        let mut names: Vec<String> = self
            .dropped_terms(doc)?
            .into_iter()
            .map(|d| d.term)
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Every term and type of `doc` that no context defines, with its JSON pointer, in
    /// document order: recorded by the same expansion walk that produces the quads (the
    /// `json-ld` crate names the terms when `doc` is outside the walk's subset, and the
    /// pointers are then every place the name is used).
    pub fn dropped_terms(&self, doc: &Value) -> Result<Vec<Dropped>, JsonLdError> {
        self.check_contexts(doc)?;
        if let Some((_, dropped)) = self.fast.walk(doc) {
            return Ok(dropped);
        }
        let names = self.undefined_terms_reference(doc)?;
        let mut out = Vec::new();
        locate_names(doc, &names, &mut String::new(), &mut out);
        Ok(out)
    }

    /// [`Loader::dropped_terms`] of `doc` and, when `doc` is an object with a `proof` and
    /// in the fast walk's subset, `doc` without that proof ready for its documentHash
    /// ([`Loader::document_hash`]): one expansion serves the data-loss rule and the proof.
    pub fn dropped_terms_and_unsigned(
        &self,
        doc: &Value,
    ) -> Result<(Vec<Dropped>, Option<Unsigned>), JsonLdError> {
        self.check_contexts(doc)?;
        if let Value::Object(map) = doc
            && map.contains_key("proof")
            && let Some((quads, dropped)) = self.fast.walk_split(map, "proof")
        {
            return Ok((dropped, Some(Unsigned(quads))));
        }
        Ok((self.dropped_terms(doc)?, None))
    }

    /// SHA-256 of the canonical N-Quads of a document prepared without its proof: what
    /// [`Loader::canonical_sha256_without`] gives for `(doc, "proof")`.
    pub fn document_hash(&self, unsigned: Unsigned) -> Result<[u8; 32], JsonLdError> {
        canonical_sha256(&unsigned.0)
    }

    /// [`Loader::undefined_terms`] computed with the `json-ld` crate only (slower).
    pub fn undefined_terms_reference(&self, doc: &Value) -> Result<Vec<String>, JsonLdError> {
        let mut names: Vec<String> = Vec::new();
        let expanded = self.expand(doc, ExpandOptions::default())?;
        for fragment in expanded.traverse() {
            if let Some(json_ld::object::Ref::Node(node)) = fragment.into_ref() {
                for ty in node.types() {
                    if let json_ld::Id::Invalid(name) = ty {
                        names.push(name.clone());
                    }
                }
            }
        }
        // Undefined keys: expansion names the first one; drop it everywhere and retry.
        let mut strict = ExpandOptions::default();
        strict.policy.allow_undefined = false;
        let mut work = doc.clone();
        for _ in 0..256 {
            match self.try_expand(&work, strict)? {
                Err(json_ld::expansion::Error::KeyExpansionFailed(key)) => {
                    remove_key(&mut work, &key);
                    names.push(key);
                }
                _ => break,
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Processed context for the `@context` JSON text `key`, from the cache when possible.
    fn active_context(&self, key: &str) -> Result<ActiveContext, JsonLdError> {
        if let Some(found) = self.cache.lock().ok().and_then(|c| c.get(key).cloned()) {
            return Ok(found);
        }
        let json: serde_json::Value =
            serde_json::from_str(key).map_err(|_| JsonLdError::BadContextValue(key.to_string()))?;
        let value = json_ld::syntax::to_value(&json)
            .map_err(|_| JsonLdError::BadContextValue(key.to_string()))?;
        let local = json_ld::syntax::context::Context::try_from_json(value)
            .map_err(|e| JsonLdError::BadContextValue(format!("{key}: {e}")))?;
        let vocabulary = json_ld::rdf_types::vocabulary::no_vocabulary_mut();
        let processed = block_on(local.process(vocabulary, self.documents(), None))?
            .map_err(|e| JsonLdError::Expansion(e.to_string()))?
            .into_processed();
        if let Ok(mut cache) = self.cache.lock() {
            // Bounded: credentials use a handful of context lists; odd inputs must not grow it.
            if cache.len() >= MAX_CACHED_CONTEXTS {
                cache.clear();
            }
            cache.insert(key.to_string(), processed.clone());
        }
        Ok(processed)
    }

    /// Every context URL referenced by `doc` must be one we serve.
    fn check_contexts(&self, doc: &Value) -> Result<(), JsonLdError> {
        let mut urls = Vec::new();
        context_urls(doc, &mut urls);
        self.check_urls(urls)
    }

    /// Every one of `urls` must be a context we serve.
    fn check_urls(&self, urls: Vec<&str>) -> Result<(), JsonLdError> {
        match urls.into_iter().find(|u| !self.is_known(u)) {
            Some(url) => Err(JsonLdError::UnknownContext(url.to_string())),
            None => Ok(()),
        }
    }
}

/// RDFC-1.0 canonical N-Quads (`canon`; `rdf-canon` is only the tests' reference).
fn canonical(quads: &[oxrdf::Quad]) -> Result<String, JsonLdError> {
    Ok(canon::canonicalize(quads)?.into_string())
}

/// SHA-256 of the RDFC-1.0 N-Quads, without keeping the text.
fn canonical_sha256(quads: &[oxrdf::Quad]) -> Result<[u8; 32], JsonLdError> {
    Ok(canon::canonicalize(quads)?.sha256())
}

impl From<canon::TooComplex> for JsonLdError {
    fn from(e: canon::TooComplex) -> JsonLdError {
        JsonLdError::Canonicalization(e.0.into())
    }
}

fn reference_canonical(quads: &[oxrdf::Quad]) -> Result<String, JsonLdError> {
    rdf_canon::canonicalize_quads(quads).map_err(|e| JsonLdError::Canonicalization(e.to_string()))
}

/// Remote context URLs named in any `@context` entry of `doc` (nested credentials and
/// endorsements included).
pub fn context_urls<'a>(doc: &'a Value, out: &mut Vec<&'a str>) {
    match doc {
        Value::Object(map) => map.iter().for_each(|(k, v)| member_context_urls(k, v, out)),
        Value::Array(items) => items.iter().for_each(|v| context_urls(v, out)),
        _ => {}
    }
}

/// Remote context URLs named by one object member `key: value`.
fn member_context_urls<'a>(key: &str, value: &'a Value, out: &mut Vec<&'a str>) {
    if key != "@context" {
        return context_urls(value, out);
    }
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => out.extend(items.iter().filter_map(Value::as_str)),
        _ => {}
    }
}

type LdQuad = json_ld::rdf::Quad<IriBuf, BlankIdBuf, rdf_types::Literal>;

fn to_oxrdf(quad: LdQuad) -> oxrdf::Quad {
    let rdf_types::Quad(s, p, o, g) = quad;
    let subject: oxrdf::Subject = match s {
        Id::Iri(i) => oxrdf::NamedNode::new_unchecked(i.into_string()).into(),
        Id::Blank(b) => blank(b).into(),
    };
    let predicate = match p {
        Id::Iri(i) => oxrdf::NamedNode::new_unchecked(i.into_string()),
        // Generalized RDF is off, so predicates are IRIs; keep a visible marker otherwise.
        Id::Blank(b) => oxrdf::NamedNode::new_unchecked(b.to_string()),
    };
    let object: oxrdf::Term = match o {
        Term::Id(Id::Iri(i)) => oxrdf::NamedNode::new_unchecked(i.into_string()).into(),
        Term::Id(Id::Blank(b)) => blank(b).into(),
        Term::Literal(l) => match l.type_ {
            LiteralType::Any(ty) => oxrdf::Literal::new_typed_literal(
                l.value,
                oxrdf::NamedNode::new_unchecked(ty.into_string()),
            )
            .into(),
            LiteralType::LangString(tag) => oxrdf::Literal::new_language_tagged_literal_unchecked(
                l.value,
                tag.as_str().to_ascii_lowercase(),
            )
            .into(),
        },
    };
    let graph = match g {
        None => oxrdf::GraphName::DefaultGraph,
        Some(Id::Iri(i)) => oxrdf::NamedNode::new_unchecked(i.into_string()).into(),
        Some(Id::Blank(b)) => blank(b).into(),
    };
    oxrdf::Quad::new(subject, predicate, object, graph)
}

fn blank(b: BlankIdBuf) -> oxrdf::BlankNode {
    oxrdf::BlankNode::new_unchecked(b.suffix().to_string())
}

/// Drives a future that never waits on I/O (all contexts are in memory) to completion.
fn block_on<F: Future>(future: F) -> Result<F::Output, JsonLdError> {
    let mut future = pin!(future);
    let mut cx = TaskContext::from_waker(Waker::noop());
    for _ in 0..64 {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return Ok(out);
        }
    }
    Err(JsonLdError::Pending)
}

/// RDFC-1.0 canonical N-Quads of `doc`, with the built-in contexts.
pub fn canonicalize(doc: &Value) -> Result<String, JsonLdError> {
    Loader::builtin().canonicalize(doc)
}

/// RDFC-1.0 canonical N-Quads of `doc`, with the contexts of `loader`.
pub fn canonicalize_with(loader: &Loader, doc: &Value) -> Result<String, JsonLdError> {
    loader.canonicalize(doc)
}

/// Whether `url` is a context we serve offline.
pub fn is_known_context(url: &str) -> bool {
    Loader::builtin().is_known(url)
}

/// Terms and types of `doc` that no context defines, sorted (e.g. an unknown proof type).
pub fn undefined_terms(doc: &Value) -> Result<Vec<String>, JsonLdError> {
    Loader::builtin().undefined_terms(doc)
}

/// The 1EdTech extension types only [`OB_EXTENSIONS`] defines.
pub const EXTENSION_TYPES: &[&str] = &[
    "1EdTechJsonSchemaValidator2019",
    "1EdTechRevocationList",
    "1EdTechCredentialRefresh",
];

/// Appends [`OB_EXTENSIONS`] to the `@context` array of `cred` when an extension type
/// in it is otherwise undefined (what the spec's signed CLR example does); returns
/// whether it did. For credentials we make, before they are signed.
pub fn add_extensions_context(cred: &mut Value) -> bool {
    let needed = match dropped_terms(cred) {
        Ok(d) => d.iter().any(|d| EXTENSION_TYPES.contains(&d.term.as_str())),
        Err(_) => false,
    };
    match cred.get_mut("@context") {
        Some(Value::Array(list)) if needed && !list.iter().any(|c| c == OB_EXTENSIONS) => {
            list.push(Value::String(OB_EXTENSIONS.into()));
            true
        }
        _ => false,
    }
}

/// Terms and types of `doc` that no built-in context defines, with their JSON pointers.
pub fn dropped_terms(doc: &Value) -> Result<Vec<Dropped>, JsonLdError> {
    Loader::builtin().dropped_terms(doc)
}

/// Every member named in `names`, and every `type` entry equal to one, under `value`.
fn locate_names(value: &Value, names: &[String], at: &mut String, out: &mut Vec<Dropped>) {
    let len = at.len();
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "@context" {
                    continue;
                }
                at.push('/');
                at.push_str(&k.replace('~', "~0").replace('/', "~1"));
                if names.contains(k) {
                    out.push(Dropped {
                        term: k.clone(),
                        pointer: at.clone(),
                    });
                } else if matches!(k.as_str(), "type" | "@type") {
                    let listed: Vec<(Option<usize>, &str)> = match v {
                        Value::String(s) => vec![(None, s.as_str())],
                        Value::Array(a) => a
                            .iter()
                            .enumerate()
                            .filter_map(|(i, x)| x.as_str().map(|s| (Some(i), s)))
                            .collect(),
                        _ => Vec::new(),
                    };
                    for (i, t) in listed
                        .into_iter()
                        .filter(|(_, t)| names.iter().any(|n| n == t))
                    {
                        let pointer = match i {
                            Some(i) => format!("{at}/{i}"),
                            None => at.clone(),
                        };
                        out.push(Dropped {
                            term: t.to_string(),
                            pointer,
                        });
                    }
                } else {
                    locate_names(v, names, at, out);
                }
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                at.push_str(&format!("/{i}"));
                locate_names(v, names, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// Removes every `key` entry from the objects of `value`, at any depth.
fn remove_key(value: &mut Value, key: &str) {
    match value {
        Value::Object(map) => {
            map.remove(key);
            map.values_mut().for_each(|v| remove_key(v, key));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| remove_key(v, key)),
        _ => {}
    }
}

/// The first string (or key) of `v` whose percent-escapes decode to invalid
/// UTF-8. The `json-ld` crate panics on such an IRI (pct-str unwraps the
/// decoding), so expansion refuses it first. Found by fuzzing.
fn bad_percent_encoding(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => bad_escapes(s).then(|| s.clone()),
        Value::Array(items) => items.iter().find_map(bad_percent_encoding),
        Value::Object(m) => m.iter().find_map(|(k, v)| {
            if bad_escapes(k) {
                Some(k.clone())
            } else {
                bad_percent_encoding(v)
            }
        }),
        _ => None,
    }
}

/// True when percent-decoding `s` does not give UTF-8.
fn bad_escapes(s: &str) -> bool {
    if !s.contains('%') {
        return false;
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) if b[i] == b'%' => {
                out.push(byte);
                i += 3;
            }
            _ => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&out).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sha2::Digest;

    #[test]
    fn non_utf8_percent_escapes_are_refused_not_panicked_on() {
        assert!(bad_escapes("https://e.org/a%80b"));
        assert!(!bad_escapes("https://e.org/caf%C3%A9"));
        assert!(!bad_escapes("100% sure, %zz"));
        let doc = json!({"@context": ["https://www.w3.org/ns/credentials/v2"],
            "@id": "https://e.org/%8000", "type": ["VerifiableCredential"]});
        let err = Loader::builtin()
            .canonicalize_reference(&doc)
            .unwrap_err()
            .to_string();
        assert!(err.contains("%8000"), "{err}");
    }

    #[test]
    fn every_builtin_context_loads() {
        for (url, _) in CONTEXTS {
            assert!(is_known_context(url), "{url}");
            let doc = json!({"@context": [url], "@id": "urn:x:1"});
            Loader::builtin()
                .canonicalize(&doc)
                .unwrap_or_else(|e| panic!("{url}: {e}"));
        }
    }

    #[test]
    fn unknown_context_is_named() {
        let doc = json!({"@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/ctx"]});
        assert_eq!(
            canonicalize(&doc),
            Err(JsonLdError::UnknownContext(
                "https://example.org/ctx".into()
            ))
        );
    }

    #[test]
    fn simple_credential_canonicalizes() {
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:uuid:1",
            "type": ["VerifiableCredential"],
            "issuer": {"id": "https://example.edu/i", "name": "I"},
            "validFrom": "2010-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:s"}
        });
        let nq = canonicalize(&doc).unwrap();
        assert!(nq.contains(
            "<urn:uuid:1> <https://www.w3.org/2018/credentials#issuer> <https://example.edu/i> .\n"
        ));
        assert!(
            nq.contains("\"2010-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime>")
        );
        assert_eq!(
            canonicalize(&doc).unwrap(),
            nq,
            "cached context gives the same output"
        );
    }

    #[test]
    fn fast_path_matches_the_json_ld_crate() {
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", OB_3_0_3],
            "id": "urn:uuid:1",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "https://example.edu/i", "type": ["Profile"], "name": "I"},
            "validFrom": "2010-01-01T00:00:00Z",
            "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
                "id": "urn:a", "type": ["Achievement"], "name": "A", "criteria": {"narrative": "n"},
                "resultDescription": [{"id": "urn:r", "type": ["ResultDescription"], "name": "r",
                    "resultType": "GradePointAverage", "allowedValue": ["A", "B"]}]}},
            "credentialSchema": [{"id": "https://e.org/s.json", "type": "1EdTechJsonSchemaValidator2019"}],
            "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod",
                "verificationMethod": "https://example.edu/i#k", "created": "2010-01-01T00:00:00Z", "proofValue": "z1"}
        });
        let loader = Loader::builtin();
        assert!(loader.is_fast(&doc));
        assert_eq!(
            loader.canonicalize(&doc).unwrap(),
            loader.canonicalize_reference(&doc).unwrap()
        );
        let outside = json!({"@context": {"@language": "en", "name": "https://schema.org/name"}, "name": "x"});
        assert!(!loader.is_fast(&outside));
        assert_eq!(
            loader.canonicalize(&outside).unwrap(),
            "_:c14n0 <https://schema.org/name> \"x\"@en .\n"
        );
    }

    #[test]
    fn records_whose_nested_credentials_tie_match_rdf_canon() {
        // The learner's identical IdentityObject in each nested credential (each in its own
        // named graph) ties first-degree hashes: labels come from the N-degree hash.
        let nested = |n: u32| {
            json!({
                "@context": ["https://www.w3.org/ns/credentials/v2", OB_3_0_3],
                "id": format!("urn:uuid:{n}"),
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "issuer": {"id": "https://example.edu/i", "type": ["Profile"]},
                "validFrom": "2010-01-01T00:00:00Z",
                "credentialSubject": {"type": ["AchievementSubject"],
                    "identifier": [{"type": "IdentityObject", "hashed": false,
                        "identityHash": "learner@example.edu", "identityType": "emailAddress"}],
                    "achievement": {"id": format!("urn:a{n}"), "type": ["Achievement"],
                        "name": "A", "criteria": {"narrative": "n"}}}
            })
        };
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", CLR_2_0_1],
            "id": "urn:uuid:clr",
            "type": ["VerifiableCredential", "ClrCredential"],
            "issuer": {"id": "https://example.edu/i", "type": ["Profile"]},
            "validFrom": "2010-01-01T00:00:00Z",
            "credentialSubject": {"type": ["ClrSubject"],
                "verifiableCredential": [nested(1), nested(2), nested(3)]}
        });
        let loader = Loader::builtin();
        assert!(loader.is_fast(&doc));
        let ours = loader.canonicalize(&doc).unwrap();
        assert_eq!(ours, loader.canonicalize_reference(&doc).unwrap());
        assert_eq!(ours.matches("learner@example.edu").count(), 3);
    }

    #[test]
    fn document_hash_leaves_out_the_member_without_copying() {
        let loader = Loader::builtin();
        let sha = |text: String| -> [u8; 32] { sha2::Sha256::digest(text.as_bytes()).into() };
        let ctx = json!({"name": "https://schema.org/name", "proof": "https://e.org/proof"});
        // Fast path, reference path (`@language` is outside the fast subset), and a left-out
        // member naming a context no loader serves.
        for (doc, fast) in [
            (
                json!({"@context": ctx, "name": "x", "proof": {"name": "p"}}),
                true,
            ),
            (
                json!({"@context": [ctx, {"@language": "en"}], "name": "x", "proof": "p"}),
                false,
            ),
            (
                json!({"@context": ctx, "name": "x", "proof": {"@context": "https://unknown.example/c"}}),
                true,
            ),
        ] {
            let mut without = doc.clone();
            without.as_object_mut().unwrap().remove("proof");
            assert_eq!(loader.is_fast(&without), fast, "{doc}");
            let expected = sha(loader.canonicalize(&without).unwrap());
            assert_eq!(
                loader.canonical_sha256_without(&doc, "proof").unwrap(),
                expected,
                "{doc}"
            );
            assert_ne!(
                sha(loader.canonicalize_reference(&doc).unwrap_or_default()),
                expected
            );
        }
        // Context URLs elsewhere are still checked.
        let doc = json!({"@context": "https://unknown.example/c", "proof": {}});
        assert!(matches!(
            loader.canonical_sha256_without(&doc, "proof"),
            Err(JsonLdError::UnknownContext(_))
        ));
    }

    #[test]
    fn undefined_type_is_reported() {
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:uuid:1",
            "type": ["VerifiableCredential", "SomeProofType"],
            "fooBar": "x"
        });
        assert_eq!(
            undefined_terms(&doc).unwrap(),
            vec!["SomeProofType", "fooBar"]
        );
    }
}
