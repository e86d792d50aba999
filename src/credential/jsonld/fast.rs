//! A fast JSON-LD to RDF path for the subset of JSON-LD that credentials use.
//!
//! The `json-ld` crate deep-copies the whole active context for every typed node, which costs
//! milliseconds per credential. Here processed contexts are immutable, shared (`Arc`) and
//! memoized per (active context, local context), so a credential costs a tree walk. Anything
//! outside the subset (`@language`, `@base`, `@json`, relative IRIs, value objects, ...)
//! makes the walk give up (`None`) and the caller uses the `json-ld` crate instead.

use std::collections::HashMap;

/// Maps looked up per term and node: a keyed hash faster than SipHash.
type FastMap<K, V> = foldhash::HashMap<K, V>;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use oxrdf::{BlankNode, GraphName, Literal, NamedNode, Quad, Subject, Term as RdfTerm};
use serde_json::{Map, Value};

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
/// Most memoized context results kept at once.
const MAX_MEMO: usize = 4096;
/// Deepest context nesting or document nesting we walk.
const MAX_DEPTH: usize = 64;

/// What a term or IRI expands to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Iri(String),
    Blank(String),
    /// `@id` or `@type` (the only keyword aliases we support).
    Keyword(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TypeMap {
    Id,
    Vocab,
    /// `@json` literals: outside our subset when used.
    Json,
    Iri(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    None,
    Set,
    List,
    Graph,
}

#[derive(Debug)]
struct TermDef {
    target: Target,
    ty: Option<TypeMap>,
    container: Container,
    /// Scoped context and its memo id.
    scoped: Option<(u64, Arc<Value>)>,
    protected: bool,
    prefix: bool,
}

impl TermDef {
    /// Same definition apart from `protected` (the redefinition rule for protected terms).
    fn same_as(&self, other: &TermDef) -> bool {
        self.target == other.target
            && self.ty == other.ty
            && self.container == other.container
            && self.prefix == other.prefix
            && self.scoped.as_ref().map(|s| &s.1) == other.scoped.as_ref().map(|s| &s.1)
    }
}

#[derive(Debug)]
struct Ctx {
    id: u64,
    terms: FastMap<String, Arc<TermDef>>,
    vocab: Option<String>,
    /// Context to revert to when entering a node (non-propagated type-scoped context).
    previous: Option<Arc<Ctx>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum LocalKey {
    Inline(String),
    Scoped(u64),
}

/// (active context id, local context, override protected, propagate).
type MemoKey = (u64, LocalKey, bool, bool);

/// Processes contexts (memoized) and turns documents into quads.
pub(super) struct Engine {
    documents: HashMap<String, Arc<Value>>,
    memo: Mutex<FastMap<MemoKey, Arc<Ctx>>>,
    next_id: AtomicU64,
    empty: Arc<Ctx>,
}

impl Engine {
    /// An engine serving the given `(url, parsed context document)` pairs.
    pub(super) fn new(documents: HashMap<String, Arc<Value>>) -> Engine {
        Engine {
            documents,
            memo: Mutex::new(FastMap::default()),
            next_id: AtomicU64::new(1),
            empty: Arc::new(Ctx {
                id: 0,
                terms: FastMap::default(),
                vocab: None,
                previous: None,
            }),
        }
    }

    /// Serves `document` for `url` (replacing any previous one) and forgets memoized contexts.
    pub(super) fn insert(&mut self, url: String, document: Arc<Value>) {
        self.documents.insert(url, document);
        if let Ok(mut memo) = self.memo.lock() {
            memo.clear();
        }
    }

    fn fresh_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The quads of `doc`, or `None` when it uses JSON-LD outside our subset.
    pub(super) fn quads(&self, doc: &Value) -> Option<Vec<Quad>> {
        self.walk(doc).map(|w| w.0)
    }

    /// The quads of the top-level object `map` as if it had no member `without`.
    pub(super) fn quads_without(
        &self,
        map: &Map<String, Value>,
        without: &str,
    ) -> Option<Vec<Quad>> {
        self.walk_map(map, Some(without)).map(|w| w.0)
    }

    /// The quads of `doc` and the terms and types no context defines (JSON-LD drops them).
    pub(super) fn walk(&self, doc: &Value) -> Option<(Vec<Quad>, Vec<Dropped>)> {
        let Value::Object(map) = doc else { return None };
        self.walk_map(map, None)
    }

    /// One walk for both a Data Integrity proof and the data-loss rule: the quads of
    /// `map` as if it had no member `without`, and every term `map` drops, that member's
    /// included (it is walked as in [`Engine::walk`], its quads discarded). `None` when
    /// `map` is outside the subset or `without` is not a plain property.
    pub(super) fn walk_split(
        &self,
        map: &Map<String, Value>,
        without: &str,
    ) -> Option<(Vec<Quad>, Vec<Dropped>)> {
        let mut walk = self.walker(Some(without));
        walk.split = true;
        walk.node(self.empty.clone(), map, None, &GraphName::DefaultGraph, 0)?;
        Some((walk.quads, walk.undefined))
    }

    fn walker<'a>(&'a self, without: Option<&'a str>) -> Walk<'a> {
        Walk {
            engine: self,
            quads: Vec::new(),
            blank: 0,
            undefined: Vec::new(),
            without,
            split: false,
            path: Vec::new(),
        }
    }

    fn walk_map(
        &self,
        map: &Map<String, Value>,
        without: Option<&str>,
    ) -> Option<(Vec<Quad>, Vec<Dropped>)> {
        let mut walk = self.walker(without);
        walk.node(self.empty.clone(), map, None, &GraphName::DefaultGraph, 0)?;
        Some((walk.quads, walk.undefined))
    }

    /// Applies `local` to `active`, from the memo when possible.
    fn process(
        &self,
        active: &Arc<Ctx>,
        local: &Value,
        key: LocalKey,
        override_protected: bool,
        propagate: bool,
    ) -> Option<Arc<Ctx>> {
        let memo_key = (active.id, key, override_protected, propagate);
        if let Some(found) = self.memo.lock().ok()?.get(&memo_key) {
            return Some(found.clone());
        }
        let mut result = Ctx {
            id: self.fresh_id(),
            terms: active.terms.clone(),
            vocab: active.vocab.clone(),
            previous: active.previous.clone(),
        };
        if !propagate && result.previous.is_none() {
            result.previous = Some(active.clone());
        }
        self.apply(&mut result, local, override_protected, 0)?;
        let result = Arc::new(result);
        let mut memo = self.memo.lock().ok()?;
        if memo.len() >= MAX_MEMO {
            memo.clear();
        }
        memo.insert(memo_key, result.clone());
        Some(result)
    }

    fn apply(
        &self,
        result: &mut Ctx,
        local: &Value,
        override_protected: bool,
        depth: usize,
    ) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let items: Vec<&Value> = match local {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in items {
            match item {
                Value::String(url) => {
                    let doc = self.documents.get(url.as_str())?;
                    let inner = doc.get("@context")?;
                    self.apply(result, inner, override_protected, depth + 1)?;
                }
                Value::Object(map) => self.apply_object(result, map, override_protected)?,
                _ => return None,
            }
        }
        Some(())
    }

    fn apply_object(
        &self,
        result: &mut Ctx,
        local: &Map<String, Value>,
        override_protected: bool,
    ) -> Option<()> {
        let mut protected = false;
        for (key, value) in local {
            match key.as_str() {
                "@version" if value.as_f64() == Some(1.1) => {}
                "@protected" => protected = value.as_bool()?,
                "@vocab" => {}
                k if k.starts_with('@') => return None,
                _ => {}
            }
        }
        if let Some(vocab) = local.get("@vocab") {
            result.vocab = match vocab {
                Value::Null => None,
                Value::String(v) => match expand_iri(result, v, true)? {
                    Target::Iri(iri) => Some(iri),
                    _ => return None,
                },
                _ => return None,
            };
        }
        let mut defining = Defining {
            engine: self,
            local,
            state: FastMap::default(),
            protected,
            override_protected,
        };
        for key in local.keys().filter(|k| !k.starts_with('@')) {
            defining.define(result, key)?;
        }
        Some(())
    }
}

/// State of one local context being turned into term definitions.
struct Defining<'a> {
    engine: &'a Engine,
    local: &'a Map<String, Value>,
    /// `false` while a term is being defined (cycle), `true` once defined.
    state: FastMap<String, bool>,
    protected: bool,
    override_protected: bool,
}

impl Defining<'_> {
    fn define(&mut self, ctx: &mut Ctx, term: &str) -> Option<()> {
        match self.state.get(term) {
            Some(true) => return Some(()),
            Some(false) => return None,
            None => {}
        }
        self.state.insert(term.to_string(), false);
        if term.contains(':') || term.contains('/') || term.is_empty() {
            return None;
        }
        let value = self.local.get(term)?;
        let (map, simple) = match value {
            Value::String(s) => {
                let mut m = Map::new();
                m.insert("@id".into(), Value::String(s.clone()));
                (m, true)
            }
            Value::Object(m) => (m.clone(), false),
            _ => return None,
        };
        for key in map.keys() {
            if !matches!(
                key.as_str(),
                "@id" | "@type" | "@container" | "@context" | "@protected"
            ) {
                return None;
            }
        }
        let protected = match map.get("@protected") {
            Some(v) => v.as_bool()?,
            None => self.protected,
        };
        let target = match map.get("@id") {
            Some(Value::String(id)) if id == "@id" => Target::Keyword("@id"),
            Some(Value::String(id)) if id == "@type" => Target::Keyword("@type"),
            Some(Value::String(id)) if id.starts_with('@') => return None,
            Some(Value::String(id)) => match self.expand(ctx, id)? {
                t @ Target::Iri(_) => t,
                _ => return None,
            },
            Some(_) => return None,
            None => Target::Iri(format!("{}{term}", ctx.vocab.as_ref()?)),
        };
        let ty = match map.get("@type") {
            None => None,
            Some(Value::String(t)) => Some(match t.as_str() {
                "@id" => TypeMap::Id,
                "@vocab" => TypeMap::Vocab,
                "@json" => TypeMap::Json,
                t if t.starts_with('@') => return None,
                t => match self.expand(ctx, t)? {
                    Target::Iri(iri) => TypeMap::Iri(iri),
                    _ => return None,
                },
            }),
            Some(_) => return None,
        };
        let container = match map.get("@container") {
            None => Container::None,
            Some(v) => {
                let names: Vec<&str> = match v {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a.iter().map(Value::as_str).collect::<Option<_>>()?,
                    _ => return None,
                };
                match names.as_slice() {
                    ["@set"] => Container::Set,
                    ["@list"] => Container::List,
                    ["@graph"] => Container::Graph,
                    _ => return None,
                }
            }
        };
        let scoped = map
            .get("@context")
            .map(|c| (self.engine.fresh_id(), Arc::new(c.clone())));
        let prefix = simple
            && matches!(&target, Target::Iri(iri) if iri.ends_with([':', '/', '?', '#', '[', ']', '@']));
        let def = TermDef {
            target,
            ty,
            container,
            scoped,
            protected,
            prefix,
        };
        if let Some(old) = ctx.terms.get(term)
            && old.protected
            && !self.override_protected
        {
            if !old.same_as(&def) {
                return None;
            }
            self.state.insert(term.to_string(), true);
            return Some(());
        }
        ctx.terms.insert(term.to_string(), Arc::new(def));
        self.state.insert(term.to_string(), true);
        Some(())
    }

    /// Vocabulary-relative IRI expansion inside a local context (defines what it refers to).
    fn expand(&mut self, ctx: &mut Ctx, value: &str) -> Option<Target> {
        if self.local.contains_key(value) && !value.starts_with('@') {
            self.define(ctx, value)?;
        }
        if let Some((prefix, _)) = value.split_once(':')
            && self.local.contains_key(prefix)
        {
            self.define(ctx, prefix)?;
        }
        expand_iri(ctx, value, true)
    }
}

/// IRI expansion against a processed context. `None` for relative IRIs and keywords
/// other than `@id`/`@type`.
fn expand_iri(ctx: &Ctx, value: &str, vocab: bool) -> Option<Target> {
    if value.starts_with('@') {
        return match value {
            "@id" => Some(Target::Keyword("@id")),
            "@type" => Some(Target::Keyword("@type")),
            _ => None,
        };
    }
    if vocab && let Some(def) = ctx.terms.get(value) {
        return Some(def.target.clone());
    }
    if let Some((prefix, suffix)) = value.split_once(':') {
        if prefix == "_" {
            return Some(Target::Blank(suffix.to_string()));
        }
        if !suffix.starts_with("//")
            && let Some(def) = ctx.terms.get(prefix)
            && let (true, Target::Iri(base)) = (def.prefix, &def.target)
        {
            return checked(format!("{base}{suffix}"));
        }
        return checked(value.to_string());
    }
    match (vocab, &ctx.vocab) {
        (true, Some(v)) => checked(format!("{v}{value}")),
        _ => None,
    }
}

/// Only plainly valid absolute IRIs: a scheme, no characters N-Quads cannot carry
/// verbatim, well-formed percent escapes. Anything else is left to the `json-ld` crate.
fn checked(iri: String) -> Option<Target> {
    let (scheme, _) = iri.split_once(':')?;
    let mut chars = scheme.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>\"{}|^`\\".contains(c);
    // ASCII (the usual case) by byte: whitespace and controls are the bytes up to space, DEL.
    let bad_byte = |b: &u8| {
        matches!(
            b,
            0..=b' ' | 0x7f | b'<' | b'>' | b'"' | b'{' | b'}' | b'|' | b'^' | b'`' | b'\\'
        )
    };
    if if iri.is_ascii() {
        iri.as_bytes().iter().any(bad_byte)
    } else {
        iri.contains(bad)
    } {
        return None;
    }
    let bytes = iri.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return None;
        }
    }
    Some(Target::Iri(iri))
}

/// A term or type that no active context defines, so JSON-LD expansion drops it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dropped {
    /// The term as written (a member name or a `type` value).
    pub term: String,
    /// JSON pointer (RFC 6901) of the member, or of the `type` entry, in the document.
    pub pointer: String,
}

/// One step of the JSON pointer to the value being walked.
#[derive(Debug, Clone, Copy)]
enum Step<'d> {
    Key(&'d str),
    Index(usize),
}

/// One document walk, collecting quads.
struct Walk<'a> {
    engine: &'a Engine,
    quads: Vec<Quad>,
    blank: u64,
    undefined: Vec<Dropped>,
    /// A top-level member to leave out (a Data Integrity proof's `proof`).
    without: Option<&'a str>,
    /// Walk `without` anyway for its dropped terms, discarding its quads.
    split: bool,
    /// Where the walk is, as pointer steps (only rendered when a term is dropped).
    path: Vec<Step<'a>>,
}

impl<'a> Walk<'a> {
    /// The JSON pointer of the current position plus `last` steps.
    fn pointer(&self, last: &[Step<'_>]) -> String {
        let mut out = String::new();
        for step in self.path.iter().chain(last) {
            out.push('/');
            match step {
                Step::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
                Step::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }

    fn drop_term(&mut self, term: &str, last: &[Step<'_>]) {
        let pointer = self.pointer(last);
        self.undefined.push(Dropped {
            term: term.to_string(),
            pointer,
        });
    }

    fn fresh_blank(&mut self) -> BlankNode {
        self.blank += 1;
        BlankNode::new_unchecked(format!("f{}", self.blank))
    }

    fn emit(&mut self, s: &Subject, p: &str, o: RdfTerm, g: &GraphName) {
        let predicate = NamedNode::new_unchecked(p);
        self.quads
            .push(Quad::new(s.clone(), predicate, o, g.clone()));
    }

    /// Expands a node object and emits its triples into `graph`; returns its subject.
    fn node(
        &mut self,
        active: Arc<Ctx>,
        element: &'a Map<String, Value>,
        property: Option<&TermDef>,
        graph: &GraphName,
        depth: usize,
    ) -> Option<Subject> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut ctx = active;
        // Entering a node reverts a non-propagated (type-scoped) context, unless the node
        // is only a reference (`{"id": ...}`).
        if let Some(previous) = &ctx.previous {
            let only_id = element.len() == 1
                && element
                    .keys()
                    .all(|k| key_kind(&ctx, k) == Some(Target::Keyword("@id")));
            if !only_id {
                ctx = previous.clone();
            }
        }
        if let Some((id, scoped)) = property.and_then(|p| p.scoped.as_ref()) {
            ctx = self
                .engine
                .process(&ctx, scoped, LocalKey::Scoped(*id), true, true)?;
        }
        if let Some(local) = element.get("@context") {
            let key = LocalKey::Inline(local.to_string());
            ctx = self.engine.process(&ctx, local, key, false, true)?;
        }

        // Types, and their scoped contexts in lexicographic order.
        let type_scoped = ctx.clone();
        let mut id_value = None;
        // (type, the member it is in, its index when that member is an array)
        let mut types: Vec<(&str, &'a str, Option<usize>)> = Vec::new();
        for (key, value) in element {
            if depth == 0 && self.without == Some(key.as_str()) {
                // A split walk must see the member as a full walk would: as a property.
                if self.split && matches!(key_kind(&type_scoped, key), Some(Target::Keyword(_))) {
                    return None;
                }
                continue;
            }
            if key == "@context" {
                continue;
            }
            match key_kind(&type_scoped, key) {
                Some(Target::Keyword("@type")) => match value {
                    Value::String(s) => types.push((s, key, None)),
                    Value::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            types.push((item.as_str()?, key, Some(i)));
                        }
                    }
                    _ => return None,
                },
                Some(Target::Keyword("@id")) => id_value = Some(value.as_str()?),
                _ => {}
            }
        }
        let mut sorted: Vec<&str> = types.iter().map(|t| t.0).collect();
        sorted.sort_unstable();
        for ty in sorted {
            if let Some(def) = type_scoped.terms.get(ty)
                && let Some((id, scoped)) = &def.scoped
            {
                ctx = self
                    .engine
                    .process(&ctx, scoped, LocalKey::Scoped(*id), false, false)?;
            }
        }

        let subject: Subject = match id_value {
            Some(id) => match expand_iri(&ctx, id, false)? {
                Target::Iri(iri) => NamedNode::new_unchecked(iri).into(),
                Target::Blank(label) => BlankNode::new_unchecked(format!("u{label}")).into(),
                Target::Keyword(_) => return None,
            },
            None => self.fresh_blank().into(),
        };
        for (ty, key, index) in types {
            match expand_iri(&type_scoped, ty, true) {
                Some(Target::Iri(iri)) => {
                    let object = NamedNode::new_unchecked(iri).into();
                    self.emit(&subject, RDF_TYPE, object, graph);
                }
                // An undefined type is a relative IRI, which yields no triple.
                None if !ty.contains(':') && !ty.starts_with('@') => match index {
                    Some(i) => self.drop_term(ty, &[Step::Key(key), Step::Index(i)]),
                    None => self.drop_term(ty, &[Step::Key(key)]),
                },
                _ => return None,
            }
        }

        for (key, value) in element {
            let left_out = depth == 0 && self.without == Some(key.as_str());
            if key == "@context" || (left_out && !self.split) {
                continue;
            }
            let def = ctx.terms.get(key.as_str()).cloned();
            let iri = match &def {
                Some(d) => match &d.target {
                    Target::Iri(iri) => iri.clone(),
                    Target::Keyword(_) => continue,
                    Target::Blank(_) => return None,
                },
                None if key.starts_with('@') => match key.as_str() {
                    "@id" | "@type" => continue,
                    _ => return None,
                },
                None => match expand_iri(&ctx, key, true) {
                    Some(Target::Iri(iri)) => iri,
                    Some(_) => return None,
                    // Undefined term: JSON-LD drops it.
                    None => {
                        self.drop_term(key, &[Step::Key(key)]);
                        continue;
                    }
                },
            };
            let kept = self.quads.len();
            self.path.push(Step::Key(key));
            self.property(&ctx, &subject, &iri, def.as_deref(), value, graph, depth)?;
            self.path.pop();
            if left_out {
                self.quads.truncate(kept);
            }
        }
        Some(subject)
    }

    #[allow(clippy::too_many_arguments)]
    fn property(
        &mut self,
        ctx: &Arc<Ctx>,
        subject: &Subject,
        iri: &str,
        def: Option<&TermDef>,
        value: &'a Value,
        graph: &GraphName,
        depth: usize,
    ) -> Option<()> {
        let container = def.map_or(Container::None, |d| d.container);
        let indexed = value.is_array();
        let items: Vec<&'a Value> = match value {
            Value::Null => return Some(()),
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        if container == Container::List {
            let mut objects = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                if item.is_array() || item.is_null() {
                    return None;
                }
                if indexed {
                    self.path.push(Step::Index(i));
                }
                let object = self.object(ctx, def, item, graph, depth);
                if indexed {
                    self.path.pop();
                }
                objects.push(object?);
            }
            let head = self.list(objects, graph);
            self.emit(subject, iri, head, graph);
            return Some(());
        }
        for (i, item) in items.into_iter().enumerate() {
            if indexed {
                self.path.push(Step::Index(i));
            }
            match item {
                Value::Null => {}
                Value::Array(_) => return None,
                Value::Object(map) if container == Container::Graph => {
                    let name = self.fresh_blank();
                    let inner = GraphName::BlankNode(name.clone());
                    self.node(ctx.clone(), map, def, &inner, depth + 1)?;
                    self.emit(subject, iri, name.into(), graph);
                }
                other => {
                    let object = self.object(ctx, def, other, graph, depth)?;
                    self.emit(subject, iri, object, graph);
                }
            }
            if indexed {
                self.path.pop();
            }
        }
        Some(())
    }

    /// An RDF list of `objects`; returns its head.
    fn list(&mut self, objects: Vec<RdfTerm>, graph: &GraphName) -> RdfTerm {
        let nil: RdfTerm = NamedNode::new_unchecked(format!("{RDF}nil")).into();
        let nodes: Vec<BlankNode> = objects.iter().map(|_| self.fresh_blank()).collect();
        for (i, object) in objects.into_iter().enumerate() {
            let s: Subject = nodes[i].clone().into();
            self.emit(&s, &format!("{RDF}first"), object, graph);
            let rest = nodes.get(i + 1).map_or(nil.clone(), |n| n.clone().into());
            self.emit(&s, &format!("{RDF}rest"), rest, graph);
        }
        nodes.first().map_or(nil, |n| n.clone().into())
    }

    /// The RDF object for one value (node object or scalar).
    fn object(
        &mut self,
        ctx: &Arc<Ctx>,
        def: Option<&TermDef>,
        value: &'a Value,
        graph: &GraphName,
        depth: usize,
    ) -> Option<RdfTerm> {
        let ty = def.and_then(|d| d.ty.as_ref());
        if ty == Some(&TypeMap::Json) {
            return None;
        }
        let typed = |lexical: String, datatype: String| -> RdfTerm {
            Literal::new_typed_literal(lexical, NamedNode::new_unchecked(datatype)).into()
        };
        Some(match value {
            Value::Object(map) => {
                if map
                    .keys()
                    .any(|k| k.starts_with('@') && k != "@id" && k != "@type" && k != "@context")
                {
                    return None;
                }
                match self.node(ctx.clone(), map, def, graph, depth + 1)? {
                    Subject::NamedNode(n) => n.into(),
                    Subject::BlankNode(b) => b.into(),
                }
            }
            Value::String(s) => match ty {
                Some(TypeMap::Id) => {
                    match expand_iri(&*scalar_ctx(self.engine, ctx, def)?, s, false)? {
                        Target::Iri(iri) => NamedNode::new_unchecked(iri).into(),
                        Target::Blank(label) => {
                            BlankNode::new_unchecked(format!("u{label}")).into()
                        }
                        Target::Keyword(_) => return None,
                    }
                }
                Some(TypeMap::Vocab) => {
                    match expand_iri(&*scalar_ctx(self.engine, ctx, def)?, s, true)? {
                        Target::Iri(iri) => NamedNode::new_unchecked(iri).into(),
                        Target::Blank(label) => {
                            BlankNode::new_unchecked(format!("u{label}")).into()
                        }
                        Target::Keyword(_) => return None,
                    }
                }
                Some(TypeMap::Iri(dt)) => typed(s.clone(), dt.clone()),
                Some(TypeMap::Json) => return None,
                None => Literal::new_simple_literal(s.clone()).into(),
            },
            Value::Bool(b) => match ty {
                Some(TypeMap::Iri(dt)) => typed(b.to_string(), dt.clone()),
                _ => typed(b.to_string(), format!("{XSD}boolean")),
            },
            Value::Number(n) => {
                let integer = n
                    .as_i64()
                    .map(|i| i.to_string())
                    .or(n.as_u64().map(|u| u.to_string()))?;
                match ty {
                    Some(TypeMap::Iri(dt)) if dt.ends_with("#double") => return None,
                    Some(TypeMap::Iri(dt)) => typed(integer, dt.clone()),
                    _ => typed(integer, format!("{XSD}integer")),
                }
            }
            Value::Null | Value::Array(_) => return None,
        })
    }
}

/// The context a scalar value is expanded in: the property's scoped context applied, if any.
fn scalar_ctx(engine: &Engine, ctx: &Arc<Ctx>, def: Option<&TermDef>) -> Option<Arc<Ctx>> {
    match def.and_then(|d| d.scoped.as_ref()) {
        Some((id, scoped)) => engine.process(ctx, scoped, LocalKey::Scoped(*id), false, true),
        None => Some(ctx.clone()),
    }
}

/// What `key` means in `ctx` when it is a keyword or a keyword alias.
fn key_kind(ctx: &Ctx, key: &str) -> Option<Target> {
    match key {
        "@id" => Some(Target::Keyword("@id")),
        "@type" => Some(Target::Keyword("@type")),
        _ => match ctx.terms.get(key).map(|d| &d.target) {
            Some(t @ Target::Keyword(_)) => Some(t.clone()),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn engine() -> Engine {
        Engine::new(HashMap::new())
    }

    #[test]
    fn inline_context_list_and_graph() {
        let doc = json!({
            "@context": {"ex": "https://e.org/", "items": {"@id": "ex:items", "@container": "@list"},
                "inner": {"@id": "ex:inner", "@container": "@graph"}, "name": "ex:name", "id": "@id"},
            "id": "https://e.org/1",
            "items": ["a", 2, true],
            "inner": {"name": "n"}
        });
        let quads = engine().quads(&doc).expect("inside the subset");
        // 3 list cells x (first + rest), the list head, the graph link, the inner name.
        assert_eq!(quads.len(), 3 * 2 + 1 + 1 + 1);
        assert!(
            quads.iter().any(
                |q| q.object.to_string() == "\"2\"^^<http://www.w3.org/2001/XMLSchema#integer>"
            )
        );
    }

    #[test]
    fn outside_the_subset_gives_up() {
        let e = engine();
        let ctx = json!({"name": "https://schema.org/name"});
        for doc in [
            json!({"@context": ctx, "@id": "relative", "name": "x"}),
            json!({"@context": ctx, "@id": "https://e.org/%zz", "name": "x"}),
            json!({"@context": ctx, "@id": "https://e.org/1", "name": {"@value": "x", "@language": "en"}}),
            json!({"@context": ctx, "@id": "https://e.org/1", "name": 1.5}),
            json!({"@context": {"@language": "en"}, "@id": "https://e.org/1"}),
            json!({"@context": "https://unknown.example/ctx", "@id": "https://e.org/1"}),
        ] {
            assert!(e.quads(&doc).is_none(), "{doc}");
        }
    }

    #[test]
    fn protected_redefinition_gives_up() {
        let doc = json!({
            "@context": [{"@protected": true, "name": "https://schema.org/name"}, {"name": "https://e.org/other"}],
            "@id": "https://e.org/1", "name": "x"
        });
        assert!(engine().quads(&doc).is_none());
    }
}
